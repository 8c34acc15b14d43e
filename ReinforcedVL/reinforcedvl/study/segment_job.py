"""The ``segment`` job as one function: files in, result files and ``result.json`` out (the CLI's single call)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dicom import DicomExportUnavailable, DicomWriter, dicom_export_unavailable_reason, export_dicom
from ..errors import NonFiniteOutputError, OutputExistsError
from ..io import check_output_folder, read_image, staged_output
from ..model_store.registry import DEFAULT_MODEL_ID
from ..predictor import Predictor, ProgressCallback
from ..prompts import normalize_prompt
from ..report import REPORT_FILES, ReportFinding, build_report, write_report_files
from ..spatial.prompts import SpatialPrompts
from ..vocabulary import Language, Modality
from ..volume import ScalarVolume, check_image_values
from .finding_files import finding_folder_name, write_finding_files
from .report_job import DICOM_FOLDER, software_version
from .result_document import build_result_document

__all__ = ["RESULT_FILE", "StudyPlan", "plan_study", "run_study", "segment_study"]

RESULT_FILE = "result.json"


@dataclass(frozen=True, eq=False)
class StudyPlan:
    """A checked request: prompts normalised, output folder free, volume read. Nothing has been loaded on a GPU."""

    images: tuple[Path, ...]
    prompts: tuple[str, ...]
    folders: tuple[str, ...]
    out_dir: Path
    volume: ScalarVolume
    modality: Modality | None
    spatial_prompts: SpatialPrompts = field(default_factory=SpatialPrompts)
    dicom: bool = False


def plan_study(
    images: Sequence[str | Path],
    prompts: Sequence[str],
    out_dir: str | Path,
    *,
    modality: Modality | None = None,
    overwrite: bool = False,
    spatial_prompts: SpatialPrompts | None = None,
    dicom: bool = False,
) -> StudyPlan:
    """Check everything that can be checked before the model loads, so mistakes fail fast: the prompts, the output
    folder (free, or ``overwrite``; writable), the images (readable, on one grid, finite, not blank), and the
    ``spatial_prompts`` (points, a box; they apply to every prompt and must lie in the volume), and with ``dicom``
    that the image is a DICOM series the SEG and SR can reference.

    Raises:
        PromptError, SpatialPromptError, OutputExistsError, OutputFolderError, InputFileError,
        UnsupportedVolumeError, GridMismatchError, DicomExportUnavailable.
    """
    normalized = tuple(normalize_prompt(prompt) for prompt in prompts)
    out_dir = Path(out_dir)
    folders = tuple(finding_folder_name(index, prompt) for index, prompt in enumerate(normalized, start=1))
    _refuse_existing_results(out_dir, folders, overwrite)
    check_output_folder(out_dir)
    volume = read_image(images)
    check_image_values(volume)
    spatial = spatial_prompts or SpatialPrompts()
    spatial.check_inside(volume)
    if dicom and (reason := dicom_export_unavailable_reason(volume)) is not None:
        raise DicomExportUnavailable(reason)
    return StudyPlan(tuple(Path(i) for i in images), normalized, folders, out_dir, volume, modality, spatial, dicom)


def run_study(
    plan: StudyPlan,
    predictor: Predictor,
    progress: ProgressCallback | None = None,
    *,
    report_language: Language | None = None,
) -> dict[str, Any]:
    """Segment every prompt of ``plan`` with ``predictor``; write the files and ``result.json``; return it.

    With ``report_language`` (``"en"`` or ``"ja"``) the grounded report (``report.md``, ``report.json``) is
    written beside ``result.json``. A plan made with ``dicom`` also gets ``dicom/``: a DICOM SEG per finding with
    lesions (segments AUTOMATIC, the model as Algorithm Identification) and an SR with each lesion's measurements and
    the model's confidence, referencing the source series (the report's language is English unless asked). Every
    prompt is read by the text encoder before anything is written, and the
    files are written into a staging folder and moved into ``plan.out_dir`` only when all of them are there
    (``result.json`` last): a run that fails leaves the output folder as it found it.
    """
    started = time.perf_counter()
    for prompt in plan.prompts:
        predictor.check_prompt(prompt)
    prepared = predictor.set_volume(plan.volume, modality=plan.modality)
    device_text = predictor.device.description
    replaced = (*_earlier_finding_folders(plan.out_dir), *REPORT_FILES, DICOM_FOLDER)  # there only with overwrite
    with staged_output(plan.out_dir, last=RESULT_FILE, replaces=replaced) as staging:
        findings = []
        spatial = plan.spatial_prompts
        for prompt, folder in zip(plan.prompts, plan.folders, strict=True):
            result = (
                predictor.segment(prompt, points=spatial.points, box=spatial.box, progress=progress)
                if spatial
                else predictor.segment(prompt, progress=progress)
            )
            findings.append((result, write_finding_files(result, staging, folder, predictor.identity, device_text)))
        report = build_result_document(
            identity=predictor.identity,
            device=device_text,
            seconds=time.perf_counter() - started,
            modality={"modality": prepared.modality.modality.value, "reason": prepared.modality.reason},
            inputs=[str(image) for image in plan.images],
            findings=findings,
            region=None
            if predictor.region is None
            else {"region": predictor.region.region.value, "reason": predictor.region.reason},
            lesion_confidence=predictor.lesion_confidence,
        )
        if report_language is not None or plan.dicom:
            report_findings = [
                ReportFinding.from_result(result, files.segmentation.as_posix()) for result, files in findings
            ]
            grounded = build_report(
                plan.volume,
                report_findings,
                report_language or "en",
                modality=prepared.modality.modality,
                channel_names=[image.name for image in plan.images],
            )
            if report_language is not None:
                write_report_files(grounded, staging)
            if plan.dicom:
                identity = predictor.identity
                writer = DicomWriter(
                    software_version(), algorithm=identity.model_id, algorithm_version=identity.version
                )
                export_dicom(plan.volume, report_findings, grounded, staging / DICOM_FOLDER, writer=writer)
        _write_json(staging / RESULT_FILE, report)
    return report


def segment_study(
    images: Sequence[str | Path],
    prompts: Sequence[str],
    out_dir: str | Path,
    *,
    model: str | Path = DEFAULT_MODEL_ID,
    device: str = "auto",
    modality: Modality | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    report_language: Language | None = None,
    spatial_prompts: SpatialPrompts | None = None,
    dicom: bool = False,
) -> dict[str, Any]:
    """Segment every prompt in one study and write the results under ``out_dir``.

    Args:
        images: the study's channels (e.g. FLAIR and T1c), each a volume file or DICOM series folder.
        prompts: finding descriptions; each gets a numbered sub-folder of ``out_dir``.
        out_dir: output folder, created if needed.
        model: installed model id or checkpoint folder.
        device: ``auto``, ``cpu`` or ``cuda``.
        modality: CT or MR; None detects it.
        overwrite: replace results already in ``out_dir``; without it, existing results stop the run.
        progress: called as ``progress(stage, done, total)``; returning False cancels.
        report_language: ``"en"`` or ``"ja"`` to also write the grounded report; None writes none.
        spatial_prompts: points (RAS mm, positive or negative) and a box that say where to look, for every prompt.
        dicom: also write a DICOM SEG and SR of the model's lesions under ``out_dir/dicom`` (DICOM input only).

    Returns:
        The ``result.json`` document, also written to ``out_dir/result.json``.
    """
    plan = plan_study(
        images, prompts, out_dir, modality=modality, overwrite=overwrite, spatial_prompts=spatial_prompts, dicom=dicom
    )
    return run_study(plan, Predictor.from_model(model, device), progress, report_language=report_language)


def _refuse_existing_results(out_dir: Path, folders: list[str], overwrite: bool) -> None:
    if overwrite:
        return
    existing = [name for name in (RESULT_FILE, *REPORT_FILES, DICOM_FOLDER, *folders) if (out_dir / name).exists()]
    if existing:
        raise OutputExistsError(
            f"{out_dir} already holds results ({', '.join(existing)}). Choose another --out folder, or pass "
            "--overwrite to replace them."
        )


def _earlier_finding_folders(out_dir: Path) -> tuple[str, ...]:
    """The finding folders an earlier ``result.json`` in ``out_dir`` names: replaced with it (reached only when the
    user asked to overwrite, or in a cohort when the earlier run was another one and ``--overwrite`` was given)."""
    try:
        earlier = json.loads((out_dir / RESULT_FILE).read_text(encoding="utf-8"))
        paths = [Path(entry["labelmap"]) for entry in earlier["prompts"]]
        return tuple(sorted({path.parts[0] for path in paths if len(path.parts) == 2}))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return ()


def _write_json(path: Path, document: dict[str, Any]) -> None:
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        raise NonFiniteOutputError(
            f"A value for {path.name} is not a number (NaN or infinite); it was not written. The input or the model "
            "may be damaged: check the input volume, and download or import the model again."
        ) from None
    path.write_text(text, encoding="utf-8")

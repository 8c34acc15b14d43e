"""The ``segment`` job as one function: files in, result files and ``result.json`` out (the CLI's single call)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .description.wording import Language
from .errors import OutputExistsError
from .io import read_image
from .model_registry import DEFAULT_MODEL_ID
from .predictor import Predictor, ProgressCallback
from .preprocessing import Modality
from .prompts import normalize_prompt
from .report import REPORT_FILES, ReportFinding, build_report, write_report_files
from .result_files import finding_folder_name, write_finding_files
from .run_report import build_run_report
from .volume import ScalarVolume

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


def plan_study(
    images: Sequence[str | Path],
    prompts: Sequence[str],
    out_dir: str | Path,
    *,
    modality: Modality | None = None,
    overwrite: bool = False,
) -> StudyPlan:
    """Check everything that can be checked before the model loads, so mistakes fail fast.

    Raises:
        PromptError, OutputExistsError, InputFileError, UnsupportedVolumeError, GridMismatchError.
    """
    normalized = tuple(normalize_prompt(prompt) for prompt in prompts)
    out_dir = Path(out_dir)
    folders = tuple(finding_folder_name(index, prompt) for index, prompt in enumerate(normalized, start=1))
    _refuse_existing_results(out_dir, folders, overwrite)
    return StudyPlan(tuple(Path(i) for i in images), normalized, folders, out_dir, read_image(images), modality)


def run_study(
    plan: StudyPlan,
    predictor: Predictor,
    progress: ProgressCallback | None = None,
    *,
    report_language: Language | None = None,
) -> dict[str, Any]:
    """Segment every prompt of ``plan`` with ``predictor``; write the files and ``result.json``; return it.

    With ``report_language`` (``"en"`` or ``"ja"``) the grounded report (``report.md``, ``report.json``) is
    written beside ``result.json``.
    """
    started = time.perf_counter()
    prepared = predictor.set_volume(plan.volume, modality=plan.modality)
    device_text = predictor.device.description
    findings = []
    for prompt, folder in zip(plan.prompts, plan.folders, strict=True):
        result = predictor.segment(prompt, progress=progress)
        findings.append((result, write_finding_files(result, plan.out_dir, folder, predictor.identity, device_text)))
    report = build_run_report(
        identity=predictor.identity,
        device=device_text,
        seconds=time.perf_counter() - started,
        modality={"modality": prepared.modality.modality.value, "reason": prepared.modality.reason},
        region=None
        if predictor.region is None
        else {"region": predictor.region.region.value, "reason": predictor.region.reason},
        inputs=[str(image) for image in plan.images],
        findings=findings,
    )
    _write_json_atomically(plan.out_dir / RESULT_FILE, report)
    if report_language is not None:
        grounded = build_report(
            plan.volume,
            [ReportFinding.from_result(result, files.segmentation.as_posix()) for result, files in findings],
            report_language,
            modality=prepared.modality.modality,
            channel_names=[image.name for image in plan.images],
        )
        write_report_files(grounded, plan.out_dir, overwrite=True)  # existing reports were refused in plan_study
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

    Returns:
        The ``result.json`` document, also written to ``out_dir/result.json``.
    """
    plan = plan_study(images, prompts, out_dir, modality=modality, overwrite=overwrite)
    return run_study(plan, Predictor.from_model(model, device), progress, report_language=report_language)


def _refuse_existing_results(out_dir: Path, folders: list[str], overwrite: bool) -> None:
    if overwrite:
        return
    existing = [name for name in (RESULT_FILE, *REPORT_FILES, *folders) if (out_dir / name).exists()]
    if existing:
        raise OutputExistsError(
            f"{out_dir} already holds results ({', '.join(existing)}). Choose another --out folder, or pass "
            "--overwrite to replace them."
        )


def _write_json_atomically(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.partial")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)

"""``segment`` over a cohort, sharded across the processes ``torchrun`` starts, resumable, with one summary.

Each process (rank) loads the model once and segments every ``WORLD_SIZE``-th study, in study-id order, each into
``out_dir/<study_id>/`` exactly as ``reinforcedvl segment`` would (:func:`reinforcedvl.study.segment_job.run_study`).
A study whose ``result.json`` answers this run (same prompts, same model) is finished and skipped, so a stopped run
continues where it stopped. A ``result.json`` of another run (other prompts or model) stops the run before any work,
unless ``overwrite`` asks for those studies to be segmented again. Under
``torchrun`` with GPUs, rank r uses GPU ``LOCAL_RANK``; on CPUs the processes share the cores. When every rank is
done (a gloo barrier), rank 0 writes the summary table of the whole cohort.

Example:
    >>> summary = run_cohort(find_studies("chest_cts/"), ["solid lung nodule"], "results/")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ..errors import DeviceError, OutputExistsError, ReinforcedVLError
from ..io import check_output_folder
from ..lesions.confidence import DEFAULT_LESION_CONFIDENCE
from ..model_store.checkpoint import ModelIdentity
from ..model_store.registry import DEFAULT_MODEL_ID, resolve_checkpoint
from ..study.segment_job import plan_study, run_study
from ..vocabulary import Language, Modality
from .finished import other_run_reason, read_result
from .studies import CohortStudy
from .summary import ERROR_FILE, write_cohort_summary

__all__ = ["CohortRank", "CohortRun", "cohort_rank", "run_cohort"]

# A rank that finishes its share early waits at the final barrier for the slowest one; a cohort may take days.
_BARRIER_TIMEOUT = timedelta(days=7)


@dataclass(frozen=True)
class CohortRank:
    """This process's place in the run: ``rank`` of ``world_size``, ``local_rank`` of ``local_world_size`` on this
    machine (from torchrun's environment variables; 0 of 1 when run alone)."""

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int

    def share(self, studies: list[CohortStudy]) -> list[CohortStudy]:
        """This rank's studies: every ``world_size``-th one from position ``rank``."""
        return studies[self.rank :: self.world_size]


@dataclass(frozen=True)
class CohortRun:
    """What one rank did: studies segmented, skipped as finished, failed; the summary files (rank 0 only)."""

    rank: CohortRank
    segmented: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: tuple[str, ...]
    summary_files: tuple[Path, ...]


def cohort_rank() -> CohortRank:
    """This process's rank, from ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and ``LOCAL_WORLD_SIZE``."""
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    return CohortRank(
        rank=int(os.environ.get("RANK", 0)),
        world_size=world_size,
        local_rank=int(os.environ.get("LOCAL_RANK", 0)),
        local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", world_size)),
    )


def run_cohort(
    studies: list[CohortStudy],
    prompts: list[str],
    out_dir: str | Path,
    *,
    model: str | Path = DEFAULT_MODEL_ID,
    device: str = "auto",
    modality: Modality | None = None,
    report_language: Language | None = None,
    threads: int | None = None,
    overwrite: bool = False,
    lesion_confidence: float = DEFAULT_LESION_CONFIDENCE,
) -> CohortRun:
    """Segment this rank's share of ``studies``; after all ranks are done, rank 0 writes the cohort summary.

    Args:
        studies: the whole cohort (every rank passes the same list).
        prompts: finding descriptions asked of every study.
        out_dir: output folder; study ``s`` goes to ``out_dir/s``.
        model, device, modality, report_language: as for ``reinforcedvl segment``.
        threads: CPU threads per process; None divides the machine's cores among its processes.
        overwrite: segment again the studies whose ``result.json`` answers other prompts or comes from another model
            or lesion-confidence threshold.
        lesion_confidence: lesions less sure than this are neither drawn nor reported (``segment
            --lesion-confidence``).

    Raises:
        DeviceError: several ranks on GPUs, but CUDA was set up in this process before the call.
        OutputExistsError: studies hold results of another run and ``overwrite`` is False (checked before any work).
        OutputFolderError: ``out_dir`` cannot be made or written.
        ModelNotFoundError, CheckpointError: ``model`` names no usable checkpoint.
    """
    rank = cohort_rank()
    out_dir = Path(out_dir)
    check_output_folder(out_dir, keep=True)
    identity = resolve_checkpoint(model).identity
    finished = _finished_studies(studies, prompts, out_dir, identity, lesion_confidence, overwrite)
    _use_own_gpu(rank, device)
    import torch
    import torch.distributed as dist

    torch.set_num_threads(threads or max(1, (os.cpu_count() or 1) // rank.local_world_size))
    if rank.world_size > 1 and not dist.is_initialized():
        dist.init_process_group("gloo", timeout=_BARRIER_TIMEOUT)
    share = rank.share(studies)
    pending = [study for study in share if study.study_id not in finished]
    failed = _segment(
        pending,
        prompts,
        out_dir,
        rank,
        model=model,
        device=device,
        modality=modality,
        report_language=report_language,
        lesion_confidence=lesion_confidence,
    )
    summary_files: tuple[Path, ...] = ()
    if rank.world_size > 1:
        dist.barrier()
    if rank.rank == 0:
        summary_files = write_cohort_summary(
            studies, prompts, out_dir, model=identity, lesion_confidence=lesion_confidence
        )
    if rank.world_size > 1:
        dist.barrier()
        dist.destroy_process_group()
    done = {study.study_id for study in pending} - set(failed)
    return CohortRun(
        rank=rank,
        segmented=tuple(sorted(done)),
        skipped=tuple(study.study_id for study in share if study not in pending),
        failed=tuple(failed),
        summary_files=summary_files,
    )


def _finished_studies(
    studies: list[CohortStudy],
    prompts: list[str],
    out_dir: Path,
    identity: ModelIdentity,
    lesion_confidence: float,
    overwrite: bool,
) -> set[str]:
    """The studies (of the whole cohort, so that every rank decides alike) whose ``result.json`` answers this run.

    Raises:
        OutputExistsError: some hold another run's result and ``overwrite`` is False.
    """
    finished, other = set(), []
    for study in studies:
        result = read_result(out_dir / study.study_id)
        if result is None:
            continue
        reason = other_run_reason(result, prompts, identity, lesion_confidence)
        if reason is None:
            finished.add(study.study_id)
        else:
            other.append(f"{study.study_id}: {reason}")
    if other and not overwrite:
        shown = "\n  ".join(other[:5]) + (f"\n  ... and {len(other) - 5} more" if len(other) > 5 else "")
        raise OutputExistsError(
            f"{out_dir} holds results of another run for {len(other)} studies:\n  {shown}\n"
            "Choose another --out folder for this run, or pass --overwrite to segment those studies again with these "
            "prompts and this model (their earlier results are replaced)."
        )
    return finished


def _segment(
    studies: list[CohortStudy],
    prompts: list[str],
    out_dir: Path,
    rank: CohortRank,
    *,
    model: str | Path,
    device: str,
    modality: Modality | None,
    report_language: Language | None,
    lesion_confidence: float,
) -> list[str]:
    """Segment ``studies`` with one predictor; a study that fails on its input gets ``error.json`` and the run goes
    on. Returns the failed study ids."""
    if not studies:
        return []
    from ..predictor import Predictor

    predictor = Predictor.from_model(model, device)
    predictor.lesion_confidence = lesion_confidence
    tag = f"[rank {rank.rank}/{rank.world_size}]"
    print(f"{tag} {len(studies)} studies on {predictor.device.description}", file=sys.stderr)
    failed = []
    for number, study in enumerate(studies, start=1):
        folder = out_dir / study.study_id
        started = time.perf_counter()
        try:
            # overwrite: the folder holds no result of this run (another run's is replaced only under --overwrite)
            plan = plan_study(study.images, prompts, folder, modality=modality, overwrite=True)
            run_study(plan, predictor, report_language=report_language)
            (folder / ERROR_FILE).unlink(missing_ok=True)
            outcome = "done"
        except ReinforcedVLError as error:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ERROR_FILE).write_text(json.dumps({"error": str(error)}) + "\n", encoding="utf-8")
            failed.append(study.study_id)
            outcome = f"failed: {error}"
        seconds = time.perf_counter() - started
        print(f"{tag} {number}/{len(studies)} {study.study_id}: {outcome} ({seconds:.1f} s)", file=sys.stderr)
    return failed


def _use_own_gpu(rank: CohortRank, device: str) -> None:
    """Make this rank's GPU (number ``LOCAL_RANK`` of those visible) the only one it sees, so the model lands on it.

    Nothing may have asked CUDA anything yet (not even the device count): CUDA reads ``CUDA_VISIBLE_DEVICES`` once.
    """
    if rank.local_world_size <= 1 or device == "cpu":
        return
    import torch

    if torch.cuda.is_initialized():
        raise DeviceError(
            "run_cohort() must choose each rank's GPU before CUDA is used in the process: call it first, or run "
            "'reinforcedvl cohort' under torchrun."
        )
    visible = [entry for entry in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if entry.strip()]
    if visible:
        os.environ["CUDA_VISIBLE_DEVICES"] = visible[rank.local_rank % len(visible)]
    elif "CUDA_VISIBLE_DEVICES" not in os.environ:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(rank.local_rank)

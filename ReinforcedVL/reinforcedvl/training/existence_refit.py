"""Retrain the existence head alone, on the windows the engine runs over whole and partial studies.

The network was trained on patches mostly centred on their finding, so its existence head learned "tumour tissue
near here" more than "this finding in this window": in a brain slab through the tumour's edge it answers p >= 0.99
for the sub-regions the slab misses. Here the head's classifier is refitted on what it reads in every window of the
train studies (``scripts/existence_head_data.py``: whole brains, axial slabs and boxes cut from them, lung crops,
abdomens), each with the window's truth from the expert labels. Everything before the head is frozen, so the evidence
maps and, in every window still judged to hold the finding, the mask are unchanged.

The number of optimisation steps is chosen by leaving one train brain out at a time (the mean of the steps with the
lowest held-out loss); the final fit uses every train window.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["WindowEvidence", "read_window_evidence", "fit_classifier", "choose_steps", "refit_classifier"]


@dataclass(frozen=True)
class WindowEvidence:
    """What the head read in each window, with the truth.

    Attributes:
        evidence: ``(N, F)`` float32, the classifier's input (:meth:`ExistenceHead.evidence`).
        present: ``(N,)`` bool, the finding's expert label has a voxel in the window.
        group: ``(N,)`` the study's patient or source (the unit left out when choosing the steps).
        finding: ``(N,)`` the finding asked.
    """

    evidence: np.ndarray
    present: np.ndarray
    group: np.ndarray
    finding: np.ndarray

    def __len__(self) -> int:
        return len(self.present)

    def subset(self, rows: np.ndarray) -> WindowEvidence:
        return WindowEvidence(self.evidence[rows], self.present[rows], self.group[rows], self.finding[rows])


def read_window_evidence(folder: str | Path, min_voxels: int = 1) -> WindowEvidence:
    """Every study file of ``folder`` (``<kind>-<patient>[-...].npz``, as the data script writes them); a window holds
    the finding when ``min_voxels`` or more of its label voxels are in it."""
    parts: list[WindowEvidence] = []
    for path in sorted(Path(folder).glob("*.npz")):
        with np.load(path) as stored:
            rows = len(stored["voxels"])
            group = _patient(path.stem)
            parts.append(
                WindowEvidence(
                    stored["evidence"].astype(np.float32),
                    stored["voxels"] >= min_voxels,
                    np.full(rows, group, dtype=object),
                    stored["finding"].astype(object),
                )
            )
    if not parts:
        raise FileNotFoundError(f"{folder} holds no window evidence (.npz); run scripts/existence_head_data.py first")
    return WindowEvidence(
        *(np.concatenate([getattr(p, name) for p in parts]) for name in WindowEvidence.__annotations__)
    )


def _patient(stem: str) -> str:
    """The study's patient (a brain: every whole, slab and box study of it) or its source (lung crops, abdomens)."""
    kind, _, rest = stem.partition("-")
    if kind in ("brain", "box") or kind.startswith("slab"):
        return rest.split("-")[0]
    return kind


def fit_classifier(
    classifier: nn.Module,
    train: WindowEvidence,
    *,
    steps: int,
    learning_rate: float = 1e-3,
    weight_decay: float = 1e-2,
    held_out: WindowEvidence | None = None,
    seed: int = 0,
) -> list[float]:
    """Fit ``classifier`` (in place; full batch, AdamW, binary cross-entropy with each class weighted by half over
    its share, so absent and present windows count alike) for ``steps`` steps; returns the held-out loss after each
    step (empty without ``held_out``)."""
    torch.manual_seed(seed)
    inputs = torch.from_numpy(train.evidence)
    target = torch.from_numpy(train.present.astype(np.float32))
    weights = _balanced_weights(target)
    optimizer = torch.optim.AdamW(classifier.parameters(), lr=learning_rate, weight_decay=weight_decay)
    losses: list[float] = []
    for _ in range(steps):
        optimizer.zero_grad()
        logits = classifier(inputs).squeeze(-1)
        loss = F.binary_cross_entropy_with_logits(logits, target, weight=weights)
        loss.backward()
        optimizer.step()
        if held_out is not None:
            losses.append(held_out_loss(classifier, held_out))
    return losses


def held_out_loss(classifier: nn.Module, data: WindowEvidence) -> float:
    """Balanced binary cross-entropy of ``classifier`` on ``data``."""
    target = torch.from_numpy(data.present.astype(np.float32))
    with torch.no_grad():
        logits = classifier(torch.from_numpy(data.evidence)).squeeze(-1)
        return float(F.binary_cross_entropy_with_logits(logits, target, weight=_balanced_weights(target)))


def _balanced_weights(target: torch.Tensor) -> torch.Tensor:
    share = target.mean().clamp(1e-6, 1 - 1e-6)
    return torch.where(target > 0, 0.5 / share, 0.5 / (1 - share))


def choose_steps(
    classifier: nn.Module, data: WindowEvidence, *, max_steps: int, held_out_groups: list[str], **options: float
) -> dict[str, int]:
    """For each group of ``held_out_groups``, the step count (1..``max_steps``) with the lowest loss on that group
    when ``classifier`` (a fresh copy each time) is fitted on the rest."""
    chosen = {}
    for group in held_out_groups:
        left_out = data.group == group
        if not left_out.any():
            raise ValueError(f"no window of {group!r} to leave out")
        trial = copy.deepcopy(classifier)
        losses = fit_classifier(
            trial, data.subset(~left_out), steps=max_steps, held_out=data.subset(left_out), **options
        )
        chosen[group] = int(np.argmin(losses)) + 1
    return chosen


def refit_classifier(
    classifier: nn.Module, data: WindowEvidence, *, max_steps: int, held_out_groups: list[str], **options: float
) -> dict[str, object]:
    """Choose the steps by leaving each of ``held_out_groups`` out, then fit ``classifier`` in place on all of
    ``data`` for their mean; returns the record of what was done."""
    chosen = choose_steps(classifier, data, max_steps=max_steps, held_out_groups=held_out_groups, **options)
    steps = max(1, round(float(np.mean(list(chosen.values())))))
    before = held_out_loss(classifier, data)
    fit_classifier(classifier, data, steps=steps, **options)
    return {
        "windows": len(data),
        "windows_present": int(data.present.sum()),
        "steps_by_left_out_group": chosen,
        "steps": steps,
        "train_loss_before": round(before, 4),
        "train_loss_after": round(held_out_loss(classifier, data), 4),
        **options,
    }

"""Feedback labels that are never lost, and the loop that turns them into a better model.

The store (:class:`FeedbackStore`) keeps each accept / reject / correction of a model's answer as a de-identified
training record; :func:`export_feedback` turns the records into a triplet manifest split by patient; and
:func:`fine_tune` trains a new model version on it, evaluated before and after. Importing this package is cheap:
the names below load their modules (SimpleITK, torch, MONAI) on first use, so 3D Slicer's process can import it.

Example:
    >>> from reinforcedvl.feedback import FeedbackStore, export_feedback
    >>> store = FeedbackStore()  # doctest: +SKIP
    >>> export_feedback(store, "feedback-export/")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC = {
    "FeedbackAction": "records",
    "FeedbackSubmission": "records",
    "StoredFeedback": "records",
    "StoredFile": "records",
    "FeedbackStore": "store",
    "FeedbackStoreError": "database",
    "StoreCheck": "consistency",
    "default_store_folder": "layout",
    "export_feedback": "export",
    "FeedbackExport": "export",
    "fine_tune": "finetune",
    "FineTuneSettings": "finetune",
    "FineTuneResult": "finetune",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'reinforcedvl.feedback' has no attribute {name!r}")
    return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)

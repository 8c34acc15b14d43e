"""The three answers to a finding description, as the command line, ``result.json``, the report, the DICOM SR and
the Slicer scene all state them.

``present``: assessed, and lesions are drawn. ``absent``: assessed, and not there. ``not_assessed``: no answer, with
the reason in plain words: the model was not trained for this kind of finding in this modality and body region, or
the existence head judged it present while no region was large and confident enough to outline, so the model cannot
say where.
Never "not identified" for what the model could not assess.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["AnswerStatus", "NOT_ASSESSED_PREFIX", "not_outlined_reason"]

NOT_ASSESSED_PREFIX = "not assessed: "


class AnswerStatus(str, Enum):
    """The three answers to a finding: assessed and there, assessed and not there, or not assessed."""

    PRESENT = "present"
    ABSENT = "absent"
    NOT_ASSESSED = "not_assessed"


def not_outlined_reason(probability: float) -> str:
    """Why a finding judged present with nothing outlined is not assessed."""
    return (
        f"{NOT_ASSESSED_PREFIX}judged present (probability {probability:.2f}), but no region is large and "
        "confident enough to outline as a lesion, so the model cannot say where; look at the evidence map"
    )

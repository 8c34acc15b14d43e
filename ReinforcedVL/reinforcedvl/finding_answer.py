"""The answer to one finding description, as the command line, ``result.json`` and the report all state it.

The existence head says whether the finding is in the volume; the lesion step then keeps the regions above the mask
threshold that reach the model's minimum lesion volume. The two can disagree: the head may judge the finding present
while no region is large enough to outline (tiny voxels, a faint finding). That is its own answer, never worded as
"not identified".
"""

from __future__ import annotations

from enum import Enum

__all__ = ["FindingAnswer", "finding_answer"]


class FindingAnswer(str, Enum):
    """``present``: judged present, lesions outlined. ``absent``: judged absent. ``not_outlined``: judged present,
    but no region large enough to outline as a lesion (nothing is drawn)."""

    PRESENT = "present"
    ABSENT = "absent"
    NOT_OUTLINED = "not_outlined"


def finding_answer(lesion_count: int, judged_present: bool | None) -> FindingAnswer:
    """The answer from the number of lesions outlined and the existence head's verdict (None: unknown, as for a
    mask the user drew, where the lesions alone decide)."""
    if lesion_count > 0:
        return FindingAnswer.PRESENT
    return FindingAnswer.NOT_OUTLINED if judged_present else FindingAnswer.ABSENT

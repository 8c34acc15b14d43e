"""Scope: what a checkpoint was trained on, what a study shows, what a description means, and whether a finding
can be assessed at all (present / absent / not assessed)."""

from .assessment import AnswerStatus, Assessment, ScopeGate
from .checkpoint_scope import CheckpointScope, FindingFamily
from .finding_matcher import FindingMatch, FindingMatcher, japanese_pick_list_twin
from .study_region import BodyRegion, RegionDecision, recognize_region

__all__ = [
    "AnswerStatus",
    "Assessment",
    "BodyRegion",
    "CheckpointScope",
    "FindingFamily",
    "FindingMatch",
    "FindingMatcher",
    "RegionDecision",
    "ScopeGate",
    "japanese_pick_list_twin",
    "recognize_region",
]

"""Whether a finding can be assessed on a study: its family, the study's modality and body region, and the
checkpoint's declared scope decide; the answer is ``present``, ``absent`` or ``not_assessed`` with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from ..finding_answer import AnswerStatus
from ..vocabulary import Modality
from .checkpoint_scope import CheckpointScope, FindingFamily
from .finding_matcher import FindingMatch, FindingMatcher
from .study_region import BodyRegion, RegionDecision

__all__ = ["AnswerStatus", "Assessment", "ScopeGate"]


@dataclass(frozen=True)
class Assessment:
    """Whether a description is assessed on this study, and as which trained finding.

    Attributes:
        description: the user's words.
        finding: the canonical trained description the network reads; None when not assessed.
        family: its family; None when the description means no trained finding.
        reason: plain words why it is not assessed ("" when assessed).
    """

    description: str
    finding: str | None
    family: FindingFamily | None
    reason: str = ""

    @property
    def assessed(self) -> bool:
        return self.finding is not None


class ScopeGate:
    """Decides, before the network runs, whether a description can be answered on the current study.

    Example:
        >>> gate = ScopeGate(matcher)  # doctest: +SKIP
        >>> gate.assess("enhancing tumour", Modality.CT, recognize_region(ct, Modality.CT)).reason  # doctest: +SKIP
        'this model was trained to find brain tumour (glioma) and its sub-regions in brain MR; this study is ...'
    """

    def __init__(self, matcher: FindingMatcher) -> None:
        self.matcher = matcher

    @property
    def scope(self) -> CheckpointScope:
        return self.matcher.scope

    def assess(self, description: str, modality: Modality, region: RegionDecision) -> Assessment:
        """The assessment of ``description`` on a study of ``modality`` recognised as ``region``."""
        return assess_match(self.matcher.match(description), modality, region)


def assess_match(match: FindingMatch, modality: Modality, region: RegionDecision) -> Assessment:
    """The assessment of an already matched description (see :class:`ScopeGate`)."""
    if match.finding is None or match.family is None:
        return Assessment(match.description, None, None, f"not assessed: {match.reason}")
    family = match.family
    where = f"{' or '.join(r.value for r in family.regions)} {'/'.join(m.value for m in family.modalities)}"
    trained = f"this model was trained to find {family.name} in {where} only"
    if family.withheld:
        return Assessment(
            match.description, None, family, f"not assessed: {family.name} is withheld, {family.withheld}"
        )
    if modality not in family.modalities:
        return Assessment(match.description, None, family, f"not assessed: {trained}; this study is {modality.value}")
    if region.region == BodyRegion.UNKNOWN:
        return Assessment(
            match.description,
            None,
            family,
            f"not assessed: {trained}, and the body region of this study could not be recognised ({region.reason})",
        )
    if region.region not in family.regions:
        return Assessment(
            match.description,
            None,
            family,
            f"not assessed: {trained}; this study shows the {region.region.value} ({region.reason})",
        )
    limit = family.max_field_of_view_mm
    if limit is not None and region.features is not None and max(region.features.field_of_view_mm[:2]) > limit:
        width = max(region.features.field_of_view_mm[:2])
        return Assessment(
            match.description,
            None,
            family,
            f"not assessed: {trained}, in crops up to {limit:.0f} mm across ({family.trained_on}); this field of view "
            f"is {width:.0f} mm: crop the study around the region of interest first",
        )
    return Assessment(match.description, match.finding, family)

"""What a checkpoint declares it was trained on (``config.json`` metadata ``scope``): finding families, each in
its modalities and body regions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ReinforcedVLError
from ..vocabulary import Modality
from .study_region import BodyRegion

__all__ = ["CheckpointScope", "FindingFamily"]


@dataclass(frozen=True)
class FindingFamily:
    """One family of findings the checkpoint was trained on, and where.

    Attributes:
        family_id: short id (``"brain-tumour"``).
        name: plain words for messages (``"brain tumour (glioma) and its sub-regions"``).
        modalities: the modalities it was trained in.
        regions: the body regions it was trained in.
        findings: the canonical descriptions the network was trained with, one per finding.
        max_field_of_view_mm: trained only on crops up to this size across (None: whole studies).
        trained_on: the training data in a few words.
        withheld: why the family, though trained, is not assessed (it failed evaluation); None when it is.
        network_texts: per finding, the texts the network reads for it when it is not its canonical description
            alone (several are read and their answers averaged); chosen by measurement (docs/model-card.md, "Scope").
    """

    family_id: str
    name: str
    modalities: tuple[Modality, ...]
    regions: tuple[BodyRegion, ...]
    findings: tuple[str, ...]
    max_field_of_view_mm: float | None = None
    trained_on: str = ""
    withheld: str | None = None
    network_texts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def texts_for(self, finding: str) -> tuple[str, ...]:
        """The texts the network reads for ``finding``, one of this family's (by default its canonical description)."""
        return dict(self.network_texts).get(finding, (finding,))


@dataclass(frozen=True)
class CheckpointScope:
    """The finding families a checkpoint answers (see the module docstring)."""

    families: tuple[FindingFamily, ...]

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> CheckpointScope:
        """Read the ``scope`` section of a checkpoint's metadata.

        Raises:
            ReinforcedVLError: the checkpoint declares no scope, or a malformed one.
        """
        section = metadata.get("scope")
        if not isinstance(section, dict) or not section.get("families"):
            raise ReinforcedVLError(
                "This checkpoint does not declare what it was trained on (config.json metadata 'scope'), so no "
                "finding can be assessed with it. Add the scope section (see docs/model-card.md, 'Scope') or use a "
                "checkpoint that has one."
            )
        try:
            families = tuple(
                FindingFamily(
                    family_id=str(entry["id"]),
                    name=str(entry.get("name", entry["id"])),
                    modalities=tuple(Modality(m) for m in entry["modalities"]),
                    regions=tuple(BodyRegion(r) for r in entry["regions"]),
                    findings=tuple(str(f) for f in entry["findings"]),
                    max_field_of_view_mm=entry.get("max_field_of_view_mm"),
                    trained_on=str(entry.get("trained_on", "")),
                    withheld=entry.get("withheld"),
                    network_texts=_network_texts(entry),
                )
                for entry in section["families"]
            )
        except (KeyError, ValueError, TypeError) as error:
            raise ReinforcedVLError(
                f"The checkpoint's scope section is malformed ({error}); each family needs id, modalities (CT/MR), "
                "regions (brain/chest/abdomen) and findings, and its network_texts (if any) a non-empty list of texts "
                "for some of those findings."
            ) from error
        return cls(families)

    def family_of(self, finding: str) -> FindingFamily:
        """The family holding the canonical ``finding``."""
        for family in self.families:
            if finding in family.findings:
                return family
        raise KeyError(finding)

    @property
    def findings(self) -> tuple[str, ...]:
        return tuple(finding for family in self.families for finding in family.findings)

    def network_texts(self, finding: str) -> tuple[str, ...]:
        """The texts the network reads for the canonical ``finding`` (see :attr:`FindingFamily.network_texts`)."""
        return self.family_of(finding).texts_for(finding)


def _network_texts(entry: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A family's ``network_texts`` section (finding -> list of texts), checked against its findings."""
    section = entry.get("network_texts", {})
    if not isinstance(section, dict):
        raise TypeError("network_texts is not a mapping of finding to texts")
    pairs = []
    for finding, texts in section.items():
        if finding not in entry["findings"]:
            raise ValueError(f'network_texts names "{finding}", which is not one of the family\'s findings')
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            raise ValueError(f'network_texts of "{finding}" is not a non-empty list of texts')
        pairs.append((str(finding), tuple(texts)))
    return tuple(pairs)

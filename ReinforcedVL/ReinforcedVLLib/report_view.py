"""The report as the panel shows it: the sentences a clinician reads, each a link to its lesion, with where it comes
from (segment, slice, RAS point, the measurements it quotes) as the link's tooltip instead of inline text.

Works on the report node's Markdown (``report.md``, whose sentence lines end in ``<sub>[provenance]</sub>``), so a
reloaded scene shows the same. Pure text; the Results section puts it in the report browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SentenceLink", "readableReport", "sentenceLinks", "lesionTarget"]

_SENTENCE = re.compile(r"^(?P<bullet>\s*- )(?P<text>.+?) <sub>\[(?P<provenance>.*)\]</sub>\s*$")
_SEGMENT = re.compile(r"segment `lesion_(?P<lesion>\d+)`")
_RAS = re.compile(r"RAS \((?P<ras>[-+0-9.eE]+, [-+0-9.eE]+, [-+0-9.eE]+)\) mm")
_LESION_HREF = re.compile(r"^lesion:(?P<lesion>\d+)\?ras=(?P<ras>[-+0-9.eE,]+)$")


@dataclass(frozen=True)
class SentenceLink:
    """One report sentence: its text, its link (``lesion:<id>?ras=r,a,s`` or ``sentence:<n>``) and tooltip."""

    text: str
    href: str
    toolTip: str


def sentenceLinks(markdown: str) -> list[SentenceLink]:
    """The report's sentences in order, with their links and provenance."""
    links = []
    for line in markdown.splitlines():
        match = _SENTENCE.match(line)
        if match is None:
            continue
        provenance = match.group("provenance").replace("`", "")
        segment, ras = _SEGMENT.search(match.group("provenance")), _RAS.search(match.group("provenance"))
        if segment is not None and ras is not None:
            href = f"lesion:{segment.group('lesion')}?ras={ras.group('ras').replace(' ', '')}"
        else:
            href = f"sentence:{len(links) + 1}"
        links.append(SentenceLink(match.group("text"), href, provenance))
    return links


def readableReport(markdown: str) -> str:
    """The report's Markdown with each sentence a link (provenance as its title, shown as a tooltip)."""
    lines, links = [], iter(sentenceLinks(markdown))
    for line in markdown.splitlines():
        match = _SENTENCE.match(line)
        if match is None:
            lines.append(line)
            continue
        link = next(links)
        text = link.text.replace("[", "\\[").replace("]", "\\]")
        title = link.toolTip.replace('"', "'")
        lines.append(f'{match.group("bullet")}[{text}]({link.href} "{title}")')
    return "\n".join(lines) + "\n"


def lesionTarget(href: str) -> tuple[int, tuple[float, float, float]] | None:
    """The lesion id and RAS point (input volume's frame) a sentence link points at; None for other sentences."""
    match = _LESION_HREF.match(href)
    if match is None:
        return None
    r, a, s = (float(value) for value in match.group("ras").split(","))
    return int(match.group("lesion")), (r, a, s)

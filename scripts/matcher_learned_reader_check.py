"""Whether a learned reader over the text encoder would answer more phrasings alike than the finding matcher's rules,
without a confident wrong answer: judged set by set on the held-out phrasing sets, each left out of the training.

Usage: python scripts/matcher_learned_reader_check.py [--model reinforcedvl-starter] [--table runs/learned-reader.md]

The reader is a softmax classifier (one linear layer, classes balanced) over the encoder's sentence embedding of a
description as the matcher compares it (``comparable``): the checkpoint's findings and "none" (out of scope). It
learns from every phrasing the matcher knows (trained and untrained findings) and from every paraphrase set but the
one it is judged on (every set of ``independent_paraphrase_sets.json``; set "a" only teaches). Three uses are
measured against the rules on the set left out: the reader alone; as a fallback that answers where the rules refuse,
when its probability is at least a threshold; and as a veto that refuses where it disagrees with the rules' reading
that confidently. Nothing here changes the matcher; it says whether such a reader is worth shipping.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling.text_encoder import TextEncoder
from reinforcedvl.scope import CheckpointScope, FindingMatcher
from reinforcedvl.scope.description_text import comparable
from reinforcedvl.scope.finding_matcher import known_phrasings

EVALUATION = Path(__file__).resolve().parents[1] / "ReinforcedVL" / "reinforcedvl" / "evaluation"
THRESHOLDS = (0.7, 0.9, 0.95)
Judged = tuple[str | None, str | None, float, str | None]
"""One held-out description: its finding (None out of scope), the reader's, the reader's probability, the rules'."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reinforcedvl-starter")
    parser.add_argument("--table", type=Path)
    args = parser.parse_args()
    checkpoint = resolve_checkpoint(args.model)
    encoder = TextEncoder.from_bundled_weights(max_tokens=checkpoint.config.max_prompt_tokens)
    scope = CheckpointScope.from_metadata(checkpoint.metadata)
    matcher = FindingMatcher(encoder, scope)
    assessed = [f for f in scope.findings if not scope.family_of(f).withheld]  # a withheld family is never assessed
    classes: list[str | None] = [*assessed, None]
    rows = _rows(assessed)  # (set, description, finding or None)
    known = [("known", text, finding if finding in assessed else None) for text, finding in known_phrasings(scope)]
    texts = list(dict.fromkeys(text for _, text, _ in rows + known))
    embedded = dict(zip(texts, _embeddings(encoder, texts), strict=True))
    ruled = {text: _or_none(matcher.match(text).finding, assessed) for _, text, _ in rows}
    judged: list[Judged] = []
    for held_out in sorted({name for name, _, _ in rows} - {"a"}):
        teaching = [row for row in rows if row[0] != held_out] + known
        reader = _trained(
            torch.stack([embedded[t] for _, t, _ in teaching]),
            torch.tensor([classes.index(f) for _, _, f in teaching]),
            len(classes),
        )
        judged_rows = [row for row in rows if row[0] == held_out]
        with torch.no_grad():
            probabilities = torch.softmax(reader(torch.stack([embedded[t] for _, t, _ in judged_rows]) * 10), dim=1)
        for (_, text, truth), p in zip(judged_rows, probabilities, strict=True):
            judged.append((truth, classes[int(p.argmax())], float(p.max()), ruled[text]))
    text = "\n".join(_table(judged))
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n", encoding="utf-8")


def _or_none(finding: str | None, assessed: list[str]) -> str | None:
    return finding if finding in assessed else None


def _rows(assessed: list[str]) -> list[tuple[str, str, str | None]]:
    sets = {"a": json.loads((EVALUATION / "paraphrase_sets.json").read_text(encoding="utf-8"))}
    sets |= json.loads((EVALUATION / "independent_paraphrase_sets.json").read_text(encoding="utf-8"))["sets"]
    rows = []
    for name, phrasing_set in sets.items():
        for finding, phrasings in phrasing_set["findings"].items():
            rows += [(name, text, _or_none(finding, assessed)) for text in phrasings]
        rows += [(name, text, None) for text in phrasing_set["out_of_scope"]]
    return rows


def _embeddings(encoder: TextEncoder, texts: list[str]) -> list[torch.Tensor]:
    embedded: list[torch.Tensor] = []
    for start in range(0, len(texts), 64):
        embedded += list(encoder.sentence_embeddings([comparable(text) for text in texts[start : start + 64]]))
    return embedded


def _trained(features: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.nn.Module:
    torch.manual_seed(0)
    reader = torch.nn.Linear(features.shape[1], classes)
    counts = torch.bincount(labels, minlength=classes).float().clamp(min=1)
    weights = counts.sum() / (classes * counts)
    optimiser = torch.optim.Adam(reader.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(300):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(reader(features * 10), labels, weight=weights).backward()
        optimiser.step()
    return reader


def _table(judged: list[Judged]) -> list[str]:
    in_scope = sum(row[0] is not None for row in judged)
    lines = [
        f"Judged on {in_scope} phrasings of trained findings and {len(judged) - in_scope} out-of-scope requests, each "
        "set left out of the reader's training.",
        "",
        "| reader | read as their finding | as another | out-of-scope assessed |",
        "|---|---:|---:|---:|",
        _line("rules alone", [row[3] for row in judged], judged),
        _line("learned reader alone", [row[1] for row in judged], judged),
    ]
    for name, answer in (
        ("rules, the reader where they refuse", _fallback),
        ("rules, refused where the reader disagrees", _veto),
    ):
        for threshold in THRESHOLDS:
            lines.append(_line(f"{name} (p >= {threshold})", [answer(row, threshold) for row in judged], judged))
    return lines


def _fallback(row: Judged, threshold: float) -> str | None:
    _, reader, probability, rules = row
    return rules if rules is not None else (reader if probability >= threshold else None)


def _veto(row: Judged, threshold: float) -> str | None:
    _, reader, probability, rules = row
    return None if rules is not None and reader != rules and probability >= threshold else rules


def _line(name: str, answers: list[str | None], judged: list[Judged]) -> str:
    """A table row: of the phrasings of trained findings, those answered as theirs and as another; of the
    out-of-scope requests, those answered as a finding."""
    pairs = [(answer, row[0]) for answer, row in zip(answers, judged, strict=True)]
    right = sum(truth is not None and answer == truth for answer, truth in pairs)
    other = sum(truth is not None and answer is not None and answer != truth for answer, truth in pairs)
    assessed = sum(truth is None and answer is not None for answer, truth in pairs)
    out_of_scope = sum(truth is None for _, truth in pairs)
    return f"| {name} | {right} | {other} | {assessed} of {out_of_scope} |"


if __name__ == "__main__":
    main()

"""How the finding matcher reads the held-out paraphrase sets: per trained finding, its phrasings read as it, read as
another finding, or not assessed; and the out-of-scope findings that would be assessed (there should be none).

Usage: python scripts/matcher_paraphrase_sets.py [--model reinforcedvl-starter] [--table runs/matcher-paraphrases.md]
       [--sets SETS.json]

The sets (reinforcedvl/evaluation/paraphrase_sets.json) were written apart from the training phrasings; the matcher is
the checkpoint's own (its declared scope, the bundled text encoder). Nothing here runs the network: a phrasing read as
its finding gets the finding's answer and mask by construction, one read as another finding gets that finding's, and
one not assessed gets no answer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling.text_encoder import TextEncoder
from reinforcedvl.scope import CheckpointScope, FindingMatcher

SETS = Path(__file__).resolve().parents[1] / "ReinforcedVL" / "reinforcedvl" / "evaluation" / "paraphrase_sets.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reinforcedvl-starter")
    parser.add_argument("--table", type=Path)
    parser.add_argument("--sets", type=Path, default=SETS, help="a paraphrase set file (default: %(default)s)")
    args = parser.parse_args()
    checkpoint = resolve_checkpoint(args.model)
    encoder = TextEncoder.from_bundled_weights(max_tokens=checkpoint.config.max_prompt_tokens)
    scope = CheckpointScope.from_metadata(checkpoint.metadata)
    matcher = FindingMatcher(encoder, scope)
    sets = json.loads(args.sets.read_text(encoding="utf-8"))
    lines = [
        "| finding | family | phrasings | read as it | read as another finding | not assessed |",
        "|---|---|---:|---:|---:|---:|",
    ]
    misread: list[str] = []
    totals = [0, 0, 0, 0]
    for finding, phrasings in sets["findings"].items():
        matches = [matcher.match(phrasing) for phrasing in phrasings]
        right = sum(m.finding == finding for m in matches)
        other = [m for m in matches if m.finding not in (None, finding)]
        refused = [m for m in matches if m.finding is None]
        misread += [f'"{m.description}" ({finding}) read as {m.finding}' for m in other]
        misread += [f'"{m.description}" ({finding}) not assessed: {m.reason}' for m in refused]
        lines.append(
            f"| {finding} | {_family(scope, finding)} | {len(phrasings)} | {right} | {len(other)} | {len(refused)} |"
        )
        for index, value in enumerate((len(phrasings), right, len(other), len(refused))):
            totals[index] += value
    lines.append(f"| all | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
    out_of_scope = [matcher.match(p) for p in sets["out_of_scope"]]
    accepted = [m.description for m in out_of_scope if m.family is not None and not m.family.withheld]
    withheld = [f"{m.description} ({m.finding})" for m in out_of_scope if m.family is not None and m.family.withheld]
    lines += ["", f"Out-of-scope findings assessed: {len(accepted)} of {len(sets['out_of_scope'])} {accepted or ''}"]
    if withheld:
        lines += [f"Read as a finding of a withheld family (answered not assessed): {', '.join(withheld)}"]
    lines += ["", "Not read as their finding:", "", *(f"- {line}" for line in misread)]
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n", encoding="utf-8")


def _family(scope: CheckpointScope, finding: str) -> str:
    family = scope.family_of(finding)
    return family.family_id + (" (withheld: never assessed)" if family.withheld else "")


if __name__ == "__main__":
    main()

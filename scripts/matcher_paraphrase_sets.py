"""How the finding matcher reads held-out phrasing sets: per trained finding, its phrasings read as it, read as
another finding, or not assessed; and the out-of-scope findings that would be assessed (there should be none).

Usage: python scripts/matcher_paraphrase_sets.py [--model reinforcedvl-starter] [--table runs/matcher-paraphrases.md]
       [--sets SETS.json ...] [--typos SEED]

--typos SEED gives every phrasing and out-of-scope request one typing error first (in one word of 6 letters or more
chosen at random: a letter after the first left out, doubled, swapped with the next or replaced), drawn with SEED.

Without --sets it reads set "a" (reinforcedvl/evaluation/paraphrase_sets.json, written by the project apart from the
training phrasings) and every set of reinforcedvl/evaluation/independent_paraphrase_sets.json ("b" on, written by
authors who read nothing of the project; each set's "history" says whether rules were set while looking at it). A file
given with --sets has the shape of paraphrase_sets.json ({"findings": {finding: [phrasings]}, "out_of_scope": [...]}).
The matcher is the checkpoint's own (its declared scope, the bundled text encoder). Nothing here runs the network: a
phrasing read as its finding gets the finding's answer and mask by construction, one read as another finding gets
that finding's, and one not assessed gets no answer.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling.text_encoder import TextEncoder
from reinforcedvl.scope import CheckpointScope, FindingMatcher

EVALUATION = Path(__file__).resolve().parents[1] / "ReinforcedVL" / "reinforcedvl" / "evaluation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reinforcedvl-starter")
    parser.add_argument("--table", type=Path)
    parser.add_argument("--sets", type=Path, nargs="+", help="phrasing set files (default: all the project's sets)")
    parser.add_argument("--typos", type=int, metavar="SEED", help="one typing error in each phrasing, drawn with SEED")
    args = parser.parse_args()
    checkpoint = resolve_checkpoint(args.model)
    encoder = TextEncoder.from_bundled_weights(max_tokens=checkpoint.config.max_prompt_tokens)
    scope = CheckpointScope.from_metadata(checkpoint.metadata)
    matcher = FindingMatcher(encoder, scope)
    sets = _sets(args.sets)
    if args.typos is not None:
        rng = random.Random(args.typos)
        sets = {
            name: {
                "findings": {
                    f: [_typo(p, rng) for p in phrasings] for f, phrasings in phrasing_set["findings"].items()
                },
                "out_of_scope": [_typo(p, rng) for p in phrasing_set["out_of_scope"]],
            }
            for name, phrasing_set in sets.items()
        }
    summary = [
        "| set | phrasings | read as their finding | read as another finding | not assessed | out-of-scope assessed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    details: list[str] = []
    for name, phrasing_set in sets.items():
        table, totals, out_of_scope = _read_set(matcher, scope, phrasing_set)
        summary.append(f"| {name} | {' | '.join(map(str, totals))} | {out_of_scope} |")
        details += ["", f"## Set {name}", "", *table]
    text = "\n".join([*summary, *details])
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n", encoding="utf-8")


def _sets(paths: list[Path] | None) -> dict[str, dict]:
    """Set name -> {"findings": ..., "out_of_scope": ...}: the files given, else all the project's sets."""
    if paths:
        return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in paths}
    sets = {"a": json.loads((EVALUATION / "paraphrase_sets.json").read_text(encoding="utf-8"))}
    independent = json.loads((EVALUATION / "independent_paraphrase_sets.json").read_text(encoding="utf-8"))
    return sets | independent["sets"]


def _read_set(matcher: FindingMatcher, scope: CheckpointScope, phrasing_set: dict) -> tuple[list[str], list[int], str]:
    """The per-finding table and the misread phrasings of one set, its totals (phrasings, right, another, not
    assessed) and its out-of-scope count ("k of n")."""
    lines = [
        "| finding | family | phrasings | read as it | read as another finding | not assessed |",
        "|---|---|---:|---:|---:|---:|",
    ]
    misread: list[str] = []
    totals = [0, 0, 0, 0]
    for finding, phrasings in phrasing_set["findings"].items():
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
    out_of_scope = [matcher.match(p) for p in phrasing_set["out_of_scope"]]
    assessed = [m.description for m in out_of_scope if m.family is not None and not m.family.withheld]
    withheld = [f"{m.description} ({m.finding})" for m in out_of_scope if m.family is not None and m.family.withheld]
    lines += ["", f"Out-of-scope findings assessed: {len(assessed)} of {len(out_of_scope)} {assessed or ''}"]
    if withheld:
        lines += [f"Read as a finding of a withheld family (answered not assessed): {', '.join(withheld)}"]
    lines += ["", "Not read as their finding:", "", *(f"- {line}" for line in misread)]
    return lines, totals, f"{len(assessed)} of {len(out_of_scope)}"


def _typo(text: str, rng: random.Random) -> str:
    """``text`` with one typing error in one of its words of 6 letters or more (unchanged when it has none)."""
    words = text.split(" ")
    long = [index for index, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long:
        return text
    index = rng.choice(long)
    word, at = words[index], rng.randrange(1, len(words[index]) - 1)
    words[index] = [
        word[:at] + word[at + 1 :],
        word[:at] + word[at] + word[at:],
        word[:at] + word[at + 1] + word[at] + word[at + 2 :],
        word[:at] + rng.choice(string.ascii_lowercase) + word[at + 1 :],
    ][rng.randrange(4)]
    return " ".join(words)


def _family(scope: CheckpointScope, finding: str) -> str:
    family = scope.family_of(finding)
    return family.family_id + (" (withheld: never assessed)" if family.withheld else "")


if __name__ == "__main__":
    main()

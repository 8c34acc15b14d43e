"""The network's paraphrase spread on the dev split: every held-out phrasing of a finding reaches the network as
written (the scope gate's canonical mapping off), on LIDC dev crops and a 96 mm cube of the BraTS dev brain.

    python scripts/paraphrase_spread.py --model reinforcedvl-starter --out runs/spread-starter.json --lidc 20

Writes the rows and the summary as JSON and prints the summary as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reinforcedvl.evaluation.paraphrase_spread import dev_spread_cases, measure_spread, summarize_spread
from reinforcedvl.predictor import Predictor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="reinforcedvl-starter", help="installed model id or checkpoint folder")
    parser.add_argument("--manifest", type=Path, default=Path("manifests/triplets.jsonl"))
    parser.add_argument("--data-root", type=Path, default=Path("../shared/data"))
    parser.add_argument("--lidc", type=int, default=20, help="LIDC dev crops to ask (first by id)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args()
    predictor = Predictor.from_model(args.model, args.device)
    cases = dev_spread_cases(args.manifest, args.data_root, lidc_limit=args.lidc)
    rows = measure_spread(predictor, cases, progress=lambda name: print(f"asking {name}", file=sys.stderr, flush=True))
    summary = summarize_spread(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": str(args.model), "summary": summary, "rows": rows}, indent=1) + "\n")
    print("| finding | groups | mean spread | largest spread | same verdict | mean Dice with canonical | Dice >= 0.9 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, s in [*summary["findings"].items(), ("all", summary["all"])]:
        print(
            f"| {name} | {s['groups']} | {s['mean_spread']:.3f} | {s['max_spread']:.3f} | {s['same_verdict']} of "
            f"{s['groups']} | {s['mean_dice_with_canonical']:.3f} | {100 * s['dice_at_least_0.9']:.0f} % |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

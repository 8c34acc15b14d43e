"""Retrain a checkpoint's existence head alone on the train split's window evidence and write the new checkpoint
(reinforcedvl/training/existence_refit.py says how and why).

Usage: python scripts/refit_existence_head.py --model reinforcedvl-starter --windows runs/existence-head/train \
    --out runs/starter-refit --version 1.2.0 [--max-steps 1500] [--learning-rate 1e-3] [--weight-decay 1e-2]

The windows come from ``scripts/existence_head_data.py`` (train split only). The steps are chosen by leaving each
train brain out in turn; everything but the head's classifier is copied unchanged, and the metadata keeps the parent's
(licence, training data, scope, lineage) and adds ``existence_refit``, the record of this fit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reinforcedvl.model_store.checkpoint import ModelIdentity, load_network, save_checkpoint
from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.training.existence_refit import read_window_evidence, refit_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reinforcedvl-starter")
    parser.add_argument("--windows", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--max-steps", type=int, default=1500)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"{args.out} is not empty: name a new folder for the refitted checkpoint")

    parent = resolve_checkpoint(args.model)
    network = load_network(parent)
    data = read_window_evidence(args.windows)
    brains = sorted({group for group in data.group if group.startswith("brats")})
    if len(brains) < 2:
        sys.exit(f"{args.windows} holds windows of {len(brains)} brain(s): leaving one out needs two or more")
    record = refit_classifier(
        network.existence_head.classifier,
        data,
        max_steps=args.max_steps,
        held_out_groups=brains,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
    )
    record["parent"] = {"id": parent.identity.model_id, "version": parent.identity.version}
    record["command"] = " ".join(["python", "scripts/refit_existence_head.py", *sys.argv[1:]])
    metadata = {**parent.metadata, "existence_refit": record}
    identity = ModelIdentity(parent.identity.model_id, args.version)
    save_checkpoint(args.out, network, parent.config, identity, metadata)
    print(record)


if __name__ == "__main__":
    main()

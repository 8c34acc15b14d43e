"""``reinforcedvl build-manifest --data-root D --out M``: triplet manifest from the shared data sets."""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build-manifest",
        help="build a triplet manifest from LIDC, BraTS and TotalSegmentator folders",
        description="Write image-mask-description triplets (JSON lines) with a fixed train/dev split.",
    )
    parser.add_argument("--data-root", required=True, type=Path, help="folder holding lidc_nodules/, brats2015/ ...")
    parser.add_argument("--out", required=True, type=Path, help="manifest file to write (.jsonl)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the wording choices")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..data.build_manifest import build_triplets
    from ..data.manifest import write_manifest

    triplets = build_triplets(args.data_root, seed=args.seed)
    write_manifest(triplets, args.out)
    counts = collections.Counter((t.source, t.split, "present" if t.present else "absent") for t in triplets)
    for (source, split, presence), count in sorted(counts.items()):
        print(f"{source:18s} {split:5s} {presence:7s} {count:5d}")
    print(f"{len(triplets)} triplets in {args.out}")
    return 0

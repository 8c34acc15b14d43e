"""Agreement of the shape and margin words with the LIDC radiologists' ratings, as confusion tables.

For each shared LIDC nodule the colour region description picks a shape word (round / ovoid / lobulated /
irregular) and a margin word (well-defined / ill-defined / spiculated) from the CT crop and the nodule mask; the
tables cross them with the ratings of ``metadata_by_nodule.csv``: Sphericity, Lobulation, Margin and Spiculation
(1-5, the words of the table's header). The thresholds that pick the words were set by looking at these same
nodules, so the tables describe the words, they do not validate them on unseen data.

Usage:
    python benchmarks/lidc_word_agreement.py [--data ../shared/data] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from reinforcedvl.description import describe_regions
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import LabelMap

_DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_FILE_NAME = re.compile(r"(LIDC-IDRI-\d{4})_R_(\d+)\.nii\.gz$")
SHAPE_WORDS = ("round", "ovoid", "lobulated", "irregular")
MARGIN_WORDS = ("well-defined", "ill-defined", "spiculated")
TABLES = (("shape", "Sphericity"), ("shape", "Lobulation"), ("margin", "Margin"), ("margin", "Spiculation"))


def describe_nodules(lidc: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per nodule: its shape and margin words and the four ratings (value and words)."""
    with (lidc / "metadata_by_nodule.csv").open(newline="") as stream:
        metadata = {(row["patient_id"], row["nodule_id"]): row for row in csv.DictReader(stream)}
    rows = []
    for path in sorted((lidc / "nodule_mask").glob("*.nii.gz"))[:limit]:
        match = _FILE_NAME.search(path.name)
        if match is None or match.groups() not in metadata:
            continue
        mask = read_label_map(path)
        binary = LabelMap((mask.array > 0).astype("uint8"), mask.affine, mask.source, mask.name)
        if not binary.labels.size:
            continue
        image = read_image(lidc / "image" / path.name)
        description = describe_regions(image, binary, modality=Modality.CT)[0]
        row = metadata[match.groups()]
        rows.append(
            {
                "nodule": path.name.removesuffix(".nii.gz"),
                "shape": description.shape.word,
                "margin": description.margin.word,
                **{rating: (int(row[f"{rating}_value"]), row[rating]) for _, rating in TABLES},
            }
        )
    return rows


def confusion_table(rows: list[dict[str, Any]], word: str, rating: str) -> dict[str, Any]:
    """Counts of (our word, rating value); the rating's words by value for the header."""
    words = SHAPE_WORDS if word == "shape" else MARGIN_WORDS
    values = sorted({row[rating][0] for row in rows})
    names = {row[rating][0]: row[rating][1] for row in rows}
    counts = Counter((row[word], row[rating][0]) for row in rows)
    return {
        "word": word,
        "rating": rating,
        "columns": [f"{value} {names[value]}" for value in values],
        "rows": {w: [counts[(w, value)] for value in values] for w in words},
    }


def markdown_table(table: dict[str, Any]) -> str:
    """A confusion table as Markdown."""
    header = f"| {table['word']} \\ {table['rating']} | " + " | ".join(table["columns"]) + " |"
    lines = [header, "|---|" + "---:|" * len(table["columns"])]
    lines += [f"| {word} | " + " | ".join(str(n) for n in counts) + " |" for word, counts in table["rows"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="describe only the first N masks (sorted by name)")
    parser.add_argument("--json", action="store_true", help="print the tables as JSON")
    args = parser.parse_args(argv)
    lidc = args.data / "lidc_nodules"
    if not lidc.is_dir():
        parser.error(f"{lidc} does not exist: pass --data with the shared data folder")
    rows = describe_nodules(lidc, args.limit)
    tables = [confusion_table(rows, word, rating) for word, rating in TABLES]
    if args.json:
        print(json.dumps({"nodules": len(rows), "tables": tables}, indent=2))
        return 0
    print(f"{len(rows)} LIDC nodules\n")
    for table in tables:
        print(markdown_table(table) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

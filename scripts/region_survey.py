"""The body-region recogniser on every study at hand: every LIDC crop and every whole study of the shared data.

Usage: python scripts/region_survey.py --data-root ../shared/data --out runs/region-survey

Writes regions.csv (one row per study: region, reason and the measured features) and prints the counts per region
for the LIDC crops and each whole study's region; docs/model-card.md ("Scope") quotes them. Then the other side of the
chest-crop rule: crops of 25 to 110 mm cut at seeded random places from the abdominal CTs (those with some body in
them; the studies reach the lung bases, so a few of these crops do show lung), counted by the region they get.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np

from reinforcedvl.io import read_image
from reinforcedvl.scope import recognize_region
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import ScalarVolume

ABDOMINAL_CTS = ["totalsegmentator_examples/example_ct_sm.nii.gz", "totalsegmentator_examples/ct_dicom"]
CROP_SIZES_MM = (25, 35, 50, 80, 110)
CROPS_PER_SIZE = 200

WHOLE_STUDIES = [
    # (name, files under the data root, modality, expected region)
    ("brats_2013_pat0001_1", ["brats2015/brats_2013_pat0001_1/Flair_subtrMeanDivStd.nii.gz"], "MR", "brain"),
    ("brats_2013_pat0002_1", ["brats2015/brats_2013_pat0002_1/Flair_subtrMeanDivStd.nii.gz"], "MR", "brain"),
    ("brats_2013_pat0003_1", ["brats2015/brats_2013_pat0003_1/Flair_subtrMeanDivStd.nii.gz"], "MR", "brain"),
    ("brats_2013_pat0004_1", ["brats2015/brats_2013_pat0004_1/Flair_subtrMeanDivStd.nii.gz"], "MR", "brain"),
    ("example_ct_sm", ["totalsegmentator_examples/example_ct_sm.nii.gz"], "CT", "abdomen"),
    ("example_mr_sm", ["totalsegmentator_examples/example_mr_sm.nii.gz"], "MR", "abdomen"),
    ("ct_dicom", ["totalsegmentator_examples/ct_dicom"], "CT", "abdomen"),
    ("ct-3slice", ["dcmqi_dicom_seg/ct-3slice"], "CT", "unknown"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    studies = [(name, files, modality, expected) for name, files, modality, expected in WHOLE_STUDIES]
    crops = sorted((args.data_root / "lidc_nodules" / "image").glob("*.nii.gz"))
    studies += [(path.name, [str(path.relative_to(args.data_root))], "CT", "chest") for path in crops]
    rows = []
    for name, files, modality, expected in studies:
        decision = recognize_region(read_image([args.data_root / f for f in files]), Modality(modality))
        features = decision.features.to_dict() if decision.features else {}
        rows.append(
            {
                "study": name,
                "kind": "lidc crop" if name.startswith("LIDC") else "whole study",
                "expected": expected,
                "region": decision.region.value,
                "reason": decision.reason,
                **{key: json.dumps(value) for key, value in features.items()},
            }
        )
    with (args.out / "regions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(k for row in rows for k in row)))
        writer.writeheader()
        writer.writerows(rows)
    crops_counted = Counter(row["region"] for row in rows if row["kind"] == "lidc crop")
    print(f"LIDC crops ({sum(crops_counted.values())}):", dict(crops_counted))
    for row in rows:
        if row["kind"] == "whole study" or row["region"] != row["expected"]:
            print(f"{row['study']}: {row['region']} (expected {row['expected']}): {row['reason']}")
    print("Crops of the abdominal CTs:", dict(_abdominal_crops(args.data_root)))


def _abdominal_crops(data_root: Path) -> Counter[str]:
    """Regions given to random crops of the abdominal CTs (no DICOM tag: the image alone decides)."""
    rng = np.random.default_rng(0)
    counts: Counter[str] = Counter()
    for name in ABDOMINAL_CTS:
        volume = read_image(data_root / name)
        shape, spacing = volume.spatial_shape, volume.spacing
        for size in CROP_SIZES_MM:
            extent = [max(2, min(n, round(size / s))) for n, s in zip(shape, spacing, strict=True)]
            for _ in range(CROPS_PER_SIZE):
                start = [int(rng.integers(0, n - e + 1)) for n, e in zip(shape, extent, strict=True)]
                box = tuple(slice(a, a + e) for a, e in zip(start, extent, strict=True))
                crop = volume.crop(box)
                if (crop.array[0] > -300).mean() < 0.05:
                    continue  # air outside the body only
                plain = ScalarVolume(np.ascontiguousarray(crop.array), crop.affine, None, "crop")
                counts[recognize_region(plain, Modality.CT).region.value] += 1
    return counts


if __name__ == "__main__":
    main()

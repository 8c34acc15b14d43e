"""Agreement of mask-derived diameters with the LIDC ``diameter_mm`` column, over the shared LIDC nodules.

For each nodule mask (``lidc_nodules/nodule_mask/LIDC-IDRI-XXXX_R_N.nii.gz``) the volume-equivalent sphere
diameter, the RECIST axial long axis and the maximum 3D diameter are measured on the mask's own grid and compared
with the ``diameter_mm`` of the matching row of ``metadata_by_nodule.csv`` (patient id and nodule number N).

Usage:
    python benchmarks/lidc_diameter_agreement.py [--data ../shared/data] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from reinforcedvl.io import read_label_map
from reinforcedvl.lesions.sizes import axial_diameters, equivalent_sphere_diameter_mm, maximum_diameter_mm, volume_ml

_DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_FILE_NAME = re.compile(r"(LIDC-IDRI-\d{4})_R_(\d+)\.nii\.gz$")
TARGET_MEDIAN_ABSOLUTE_ERROR_MM = 1.5
_MEASURES = ("equivalent_diameter_mm", "long_axis_mm", "maximum_diameter_mm")


def reference_diameters(metadata: Path) -> dict[tuple[str, str], float]:
    """``(patient_id, nodule_id) -> diameter_mm`` from the metadata table."""
    with metadata.open(newline="") as stream:
        return {(row["patient_id"], row["nodule_id"]): float(row["diameter_mm"]) for row in csv.DictReader(stream)}


def measure_nodules(lidc: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per nodule mask with a metadata row: the reference and the three measured diameters (mm)."""
    reference = reference_diameters(lidc / "metadata_by_nodule.csv")
    rows = []
    for path in sorted((lidc / "nodule_mask").glob("*.nii.gz"))[:limit]:
        match = _FILE_NAME.search(path.name)
        if match is None or match.groups() not in reference:
            continue
        label_map = read_label_map(path)
        mask = label_map.array[0] > 0
        if not mask.any():
            continue
        rows.append(
            {
                "nodule": path.name.removesuffix(".nii.gz"),
                "diameter_mm": reference[match.groups()],
                "equivalent_diameter_mm": equivalent_sphere_diameter_mm(volume_ml(mask, label_map)),
                "long_axis_mm": axial_diameters(mask, label_map).long_axis_mm,
                "maximum_diameter_mm": maximum_diameter_mm(mask, label_map),
            }
        )
    return rows


def agreement(rows: list[dict[str, Any]], measured: str) -> dict[str, float]:
    """Pearson correlation, median difference (measured - reference) and median absolute error, in mm."""
    reference = np.array([row["diameter_mm"] for row in rows])
    values = np.array([row[measured] for row in rows])
    difference = values - reference
    return {
        "nodules": len(rows),
        "correlation": float(np.corrcoef(values, reference)[0, 1]),
        "median_difference_mm": float(np.median(difference)),
        "median_absolute_error_mm": float(np.median(np.abs(difference))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="measure only the first N masks (sorted by name)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    lidc = args.data / "lidc_nodules"
    if not lidc.is_dir():
        parser.error(f"{lidc} does not exist: pass --data with the shared data folder")
    rows = measure_nodules(lidc, args.limit)
    figures = {name: agreement(rows, name) for name in _MEASURES}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{len(rows)} LIDC nodules; measured diameter against the diameter_mm column")
    print(f"{'measure':<26}{'correlation':>12}{'median diff':>13}{'median |err|':>14}")
    for name, values in figures.items():
        print(
            f"{name:<26}{values['correlation']:>12.4f}{values['median_difference_mm']:>+12.2f} mm"
            f"{values['median_absolute_error_mm']:>11.2f} mm"
        )
    target = figures["equivalent_diameter_mm"]["median_absolute_error_mm"]
    verdict = "meets" if target <= TARGET_MEDIAN_ABSOLUTE_ERROR_MM else "misses"
    print(f"equivalent diameter {verdict} the target median |error| <= {TARGET_MEDIAN_ABSOLUTE_ERROR_MM} mm")
    return 0


if __name__ == "__main__":
    sys.exit(main())

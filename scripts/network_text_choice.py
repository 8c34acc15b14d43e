"""What the network should read for an accepted brain-tumour finding, by measurement on the BraTS brains.

Usage: python scripts/network_text_choice.py --manifest manifests/triplets.jsonl --data-root ../shared/data \
    --out runs/network-text-choice [--device cpu] [--patients brats_2013_pat0002_1 ...]

Every accepted phrasing of a finding is read as that finding, so the network reads one fixed thing per finding. The
candidates, for each BraTS sub-region on each brain of the manifest (train and dev): each training phrasing of the
finding alone (``data/phrasing.py``, the canonical description among them), the phrasing used most often in the
manifest's train rows, and the mean of the network's answers to all its training phrasings (the image encoder does
not read the text, so each further text costs only the grounding and the mask decoder). Each answer goes through the
predictor's own lesion steps and is scored by Dice against the sub-region's reference. Writes rows.csv (one row per
brain, finding and candidate) and summary.md (mean Dice per rule on the train brains, and on the dev brain).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.data.phrasing import BRAIN_SUBREGIONS, spelling_variant
from reinforcedvl.evaluation.overlap import dice
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.io.resampling import resample_label_map
from reinforcedvl.modeling import batch_prompt_tokens
from reinforcedvl.predictor import Predictor, mean_answer
from reinforcedvl.vocabulary import Modality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default="reinforcedvl-starter")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--patients", nargs="*", help="only these BraTS patients (default: every one)")
    parser.add_argument("--findings", nargs="*", help="only these sub-regions (default: every one)")
    parser.add_argument(
        "--single-texts",
        choices=("all", "canonical-and-most-used"),
        default="all",
        help="which phrasings are also scored alone (the ensemble always reads all of them)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    predictor = Predictor.from_model(args.model, device=args.device)
    brains: dict[str, list] = defaultdict(list)
    usage: Counter[tuple[str, str]] = Counter()
    for triplet in read_manifest(args.manifest, split=None):
        if triplet.source != "brats" or not triplet.present:
            continue
        if triplet.split == "train":
            usage.update((triplet.finding, _folded(text)) for text in triplet.descriptions)
        if not args.patients or triplet.patient in args.patients:
            brains[triplet.patient].append(triplet)
    most_used = {
        finding: max(phrasings, key=lambda text: (usage[(finding, _folded(text))], text == finding))
        for finding, (_, phrasings) in BRAIN_SUBREGIONS.items()
    }
    rows = []
    path = args.out / "rows.csv"
    for patient, triplets in sorted(brains.items()):
        volume = read_image([args.data_root / image for image in triplets[0].images])
        prepared = predictor.set_volume(volume, modality=Modality.MR)
        labels = resample_label_map(read_label_map(args.data_root / triplets[0].mask), volume).array[0]
        for finding, (values, phrasings) in BRAIN_SUBREGIONS.items():
            if args.findings and finding not in args.findings:
                continue
            reference = np.isin(labels, values)
            answers = {}
            for text in phrasings:
                started = time.perf_counter()
                states, mask = batch_prompt_tokens([predictor.text_encoder.encode(text)], predictor.device.device)
                answers[text] = (predictor._infer(prepared, states, mask, None), time.perf_counter() - started)
            alone = phrasings if args.single_texts == "all" else (finding, most_used[finding])
            candidates = {f"text: {text}": [text] for text in dict.fromkeys(alone)}
            candidates["ensemble: all training phrasings"] = list(phrasings)
            for name, texts in candidates.items():
                combined = mean_answer([answers[t][0] for t in texts], predictor.config.existence_threshold)
                result = predictor.outlined_result(finding, *combined, predictor.config.mask_threshold, 0.0)
                rows.append(
                    {
                        "patient": patient,
                        "split": triplets[0].split,
                        "finding": finding,
                        "candidate": name,
                        "canonical": texts == [finding],
                        "most_used": texts == [most_used[finding]],
                        "existence": round(combined[2], 4),
                        "dice": round(dice(result.lesion_map.array[0] > 0, reference), 4),
                        "lesions": len(result.lesions),
                        "network_seconds": round(sum(answers[t][1] for t in texts), 1),
                    }
                )
            print(patient, finding, "done", flush=True)
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    (args.out / "summary.md").write_text(_summary(rows, most_used), encoding="utf-8")
    print((args.out / "summary.md").read_text(encoding="utf-8"))


def _folded(text: str) -> str:
    return spelling_variant(text.lower(), american=True)


def _summary(rows: list[dict], most_used: dict[str, str]) -> str:
    rules = {
        "canonical description": lambda row: row["canonical"],
        "most used training phrasing": lambda row: row["most_used"],
        "ensemble of all training phrasings": lambda row: row["candidate"].startswith("ensemble"),
    }
    findings = list(BRAIN_SUBREGIONS)
    lines = [
        "| rule | split | " + " | ".join(findings) + " | mean |",
        "| --- | --- | " + " | ".join("---" for _ in findings) + " | --- |",
    ]
    for rule, chosen in rules.items():
        for split in ("train", "dev"):
            means = []
            for finding in findings:
                values = [r["dice"] for r in rows if r["split"] == split and r["finding"] == finding and chosen(r)]
                means.append(float(np.mean(values)) if values else float("nan"))
            cells = " | ".join(f"{m:.3f}" for m in means)
            lines.append(f"| {rule} | {split} | {cells} | {np.nanmean(means):.3f} |")
    lines += ["", "Most used training phrasing: " + "; ".join(f"{f}: {t}" for f, t in most_used.items()), ""]
    lines += ["| finding | candidate | train mean Dice | dev Dice |", "| --- | --- | --- | --- |"]
    for finding in findings:
        for candidate in dict.fromkeys(r["candidate"] for r in rows if r["finding"] == finding):
            train = [
                r["dice"]
                for r in rows
                if r["finding"] == finding and r["candidate"] == candidate and r["split"] == "train"
            ]
            dev = [
                r["dice"]
                for r in rows
                if r["finding"] == finding and r["candidate"] == candidate and r["split"] == "dev"
            ]
            lines.append(
                f"| {finding} | {candidate} | {np.mean(train) if train else float('nan'):.3f} | "
                f"{np.mean(dev) if dev else float('nan'):.3f} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

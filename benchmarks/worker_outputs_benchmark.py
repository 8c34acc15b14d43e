"""Time of what the worker adds to each prompt after the model: the finding's files and its grounded report.

One ``segment`` on the image, then, timed separately, the files the worker writes (lesion label map, Slicer
``.seg.nrrd``, evidence map) and the grounded report (measuring and describing every lesion). A prompt that gives
many lesions (a whole CT, "enhancing tumour": about 190 small false positives) shows what these steps cost per
lesion. Run it on two checkouts (``PYTHONPATH=<other checkout>/ReinforcedVL``) to compare versions side by side.

Usage:
    python benchmarks/worker_outputs_benchmark.py --out docs/benchmarks [--image docs/benchmarks/ct-512x512x300.nrrd]
        [--prompt "enhancing tumour"] [--label after]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from segment_benchmark import CT_SPACING_MM, clinical_ct_file, machine_description  # noqa: E402

DEFAULT_CT_SHAPE = (512, 512, 300)


def measure(image_path: Path, prompt: str) -> dict[str, object]:
    """Seconds of ``segment``, of the worker's files and of the report for one prompt on one image."""
    from reinforcedvl import Predictor, read_image
    from reinforcedvl.report import build_report
    from reinforcedvl.study.finding_files import write_finding_files

    volume = read_image(image_path)
    predictor = Predictor.from_model(device="cpu")
    predictor.set_volume(volume)
    started = time.perf_counter()
    result = predictor.segment(prompt)
    segment_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        files = write_finding_files(result, Path(folder), "finding", predictor.identity, "cpu")
        files_seconds = time.perf_counter() - started
        evidence_mb = (Path(folder) / files.evidence).stat().st_size / 1e6
    modality = predictor.prepared_volume.modality.modality.value
    started = time.perf_counter()
    build_report(volume, [result], "en", modality=modality)
    report_seconds = time.perf_counter() - started
    return {
        "image": image_path.name,
        "shape": list(volume.spatial_shape),
        "prompt": prompt,
        "lesions": len(result.lesions),
        "segment_seconds": segment_seconds,
        "files_seconds": files_seconds,  # unrounded: on a small crop the files take milliseconds
        "report_seconds": report_seconds,
        "evidence_file_mb": evidence_mb,
        "model": f"{predictor.identity.model_id} {predictor.identity.version}",
    }


def write_results(row: dict[str, object], label: str, out: Path) -> None:
    """Add ``row`` under ``label`` to ``worker_outputs.json`` in ``out`` and rewrite its Markdown table."""
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "worker_outputs.json"
    results = json.loads(json_path.read_text()) if json_path.exists() else {"rows": {}}
    results["machine"] = machine_description()
    results["rows"][label] = row
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# What the worker adds to a prompt: files and report",
        "",
        f"Machine: {results['machine']}. Command: `python benchmarks/worker_outputs_benchmark.py` (see its docstring).",
        "",
        "| run | image | prompt | lesions | segment (s) | files (s) | report (s) | evidence file (MB) | model |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results["rows"].items():
        lines.append(
            f"| {name} | {r['image']} | {r['prompt']} | {r['lesions']} | {r['segment_seconds']:.2f} | "
            f"{r['files_seconds']:.2f} | {r['report_seconds']:.2f} | {r['evidence_file_mb']:.1f} | {r['model']} |"
        )
    (out / "worker_outputs.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for worker_outputs.json and .md")
    parser.add_argument("--image", type=Path, help="the image (default: the 512 x 512 x 300 benchmark CT)")
    parser.add_argument("--prompt", default="enhancing tumour")
    parser.add_argument("--label", default="this checkout", help="name of this run in the table")
    args = parser.parse_args()
    image = args.image or clinical_ct_file(Path("docs/benchmarks"), DEFAULT_CT_SHAPE, CT_SPACING_MM)
    row = measure(image, args.prompt)
    write_results(row, args.label, args.out)
    print(json.dumps(row))


if __name__ == "__main__":
    main()

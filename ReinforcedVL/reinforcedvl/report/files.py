"""Writing ``report.md`` and ``report.json`` next to each other, never over earlier ones unless asked."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import NonFiniteOutputError, OutputExistsError
from .document import GroundedReport

__all__ = ["REPORT_MARKDOWN", "REPORT_JSON", "REPORT_FILES", "write_report_files"]

REPORT_MARKDOWN = "report.md"
REPORT_JSON = "report.json"
REPORT_FILES = (REPORT_MARKDOWN, REPORT_JSON)


def write_report_files(report: GroundedReport, out_dir: str | Path, *, overwrite: bool = False) -> tuple[Path, Path]:
    """Write ``out_dir/report.md`` and ``out_dir/report.json`` (UTF-8); returns their paths.

    Raises:
        OutputExistsError: a report is already there and ``overwrite`` is False.
    """
    out_dir = Path(out_dir)
    paths = (out_dir / REPORT_MARKDOWN, out_dir / REPORT_JSON)
    existing = [path.name for path in paths if path.exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds {', '.join(existing)}. Choose another --out folder, or pass --overwrite to "
            "replace them."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(paths[0], report.to_markdown())
    try:
        document = json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        raise NonFiniteOutputError(
            "A number of the report is not a number (NaN or infinite); no report was written. Check the input "
            "volume and mask."
        ) from None
    _write_atomically(paths[1], document)
    return paths


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)

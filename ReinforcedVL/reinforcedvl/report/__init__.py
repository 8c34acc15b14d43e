"""Grounded reports: every sentence names its lesion's colour and segment, the measurements it quotes and the
slice to show. English and Japanese; Markdown and JSON; optional checked language-model polish.

Example:
    >>> from reinforcedvl.report import build_report, finding_from_mask
    >>> finding = finding_from_mask(read_label_map("nodule_mask.nii.gz"), "solid lung nodule")  # doctest: +SKIP
    >>> report = build_report(read_image("chest_ct.nii.gz"), [finding], language="ja")  # doctest: +SKIP
    >>> print(report.to_markdown())  # doctest: +SKIP
"""

from .builder import ReportFinding, build_report, finding_from_mask
from .document import REPORT_SCHEMA, FindingSummary, GroundedReport, PolishOutcome, ReportSentence
from .files import REPORT_FILES, write_report_files

__all__ = [
    "build_report",
    "finding_from_mask",
    "ReportFinding",
    "GroundedReport",
    "ReportSentence",
    "FindingSummary",
    "PolishOutcome",
    "REPORT_SCHEMA",
    "REPORT_FILES",
    "write_report_files",
]

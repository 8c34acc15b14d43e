"""Cohort inference: ``segment`` over many studies, sharded across ``torchrun`` processes, resumable, summarised.

Example:
    >>> from reinforcedvl.cohort import find_studies, run_cohort
    >>> run_cohort(find_studies("studies.csv"), ["solid lung nodule"], "results/")  # doctest: +SKIP
"""

from __future__ import annotations

from .runner import CohortRank, CohortRun, cohort_rank, run_cohort
from .studies import CohortStudy, find_studies
from .summary import write_cohort_summary

__all__ = [
    "CohortStudy",
    "find_studies",
    "CohortRank",
    "CohortRun",
    "cohort_rank",
    "run_cohort",
    "write_cohort_summary",
]

"""Colour region descriptions: regions of a label map in words (shape, margin, appearance, location, size),
each word with the measurements and the threshold that chose it."""

from ..vocabulary import LANGUAGES, Language
from .anatomy import AnatomyClass, AnatomyTable, AnatomyTask, anatomy_table
from .region_description import Granularity, RegionDescription, describe_regions, modality_of
from .word_choice import WordChoice

__all__ = [
    "describe_regions",
    "modality_of",
    "RegionDescription",
    "Granularity",
    "WordChoice",
    "AnatomyClass",
    "AnatomyTable",
    "AnatomyTask",
    "anatomy_table",
    "Language",
    "LANGUAGES",
]

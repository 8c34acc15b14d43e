"""Preprocessing: checks, modality, intensity normalisation, and the invertible way to the network's grid."""

from ..vocabulary import Modality, parse_modality
from .modality import ModalityDecision, detect_modality
from .pipeline import PreparedVolume, Preprocessor

__all__ = ["Modality", "ModalityDecision", "detect_modality", "parse_modality", "PreparedVolume", "Preprocessor"]

"""Preprocessing: checks, modality, intensity normalisation, and the invertible way to the network's grid."""

from .modality import Modality, ModalityDecision, detect_modality, parse_modality
from .pipeline import PreparedVolume, Preprocessor

__all__ = ["Modality", "ModalityDecision", "detect_modality", "parse_modality", "PreparedVolume", "Preprocessor"]

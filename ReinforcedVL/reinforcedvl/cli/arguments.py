"""Argument types shared by subcommands: each validates one value and says what is allowed."""

from __future__ import annotations

import argparse

from ..errors import ReinforcedVLError
from ..spatial.prompts import PromptBox, parse_box, parse_ras
from ..vocabulary import Modality, device_choice, parse_modality

__all__ = ["device_choice", "fraction", "modality_choice", "ras_point", "box_corners"]


def fraction(text: str) -> float:
    """A number from 0 to 1 (a probability or confidence threshold)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: give a value from 0 to 1, e.g. 0.6") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is outside 0 to 1: give a value from 0 to 1, e.g. 0.6")
    return value


def modality_choice(text: str) -> Modality | None:
    try:
        return parse_modality(text)
    except ReinforcedVLError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def ras_point(text: str) -> tuple[float, float, float]:
    try:
        return parse_ras(text)
    except ReinforcedVLError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def box_corners(text: str) -> PromptBox:
    try:
        return parse_box(text)
    except ReinforcedVLError as error:
        raise argparse.ArgumentTypeError(str(error)) from None

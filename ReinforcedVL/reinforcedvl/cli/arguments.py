"""Argument types shared by subcommands: each validates one value and says what is allowed."""

from __future__ import annotations

import argparse

from ..errors import ReinforcedVLError
from ..spatial.prompts import PromptBox, parse_box, parse_ras
from ..vocabulary import Modality, device_choice, parse_modality

__all__ = ["device_choice", "modality_choice", "ras_point", "box_corners"]


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

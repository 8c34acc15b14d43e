"""Argument types shared by subcommands: each validates one value and says what is allowed."""

from __future__ import annotations

import argparse

from ..errors import ReinforcedVLError
from ..vocabulary import Modality, device_choice, parse_modality

__all__ = ["device_choice", "modality_choice"]


def modality_choice(text: str) -> Modality | None:
    try:
        return parse_modality(text)
    except ReinforcedVLError as error:
        raise argparse.ArgumentTypeError(str(error)) from None

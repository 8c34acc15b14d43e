"""Argument types shared by subcommands: each validates one value and says what is allowed."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ReinforcedVLError
from ..model_store.registry import DEFAULT_MODEL_ID
from ..spatial.prompts import PromptBox, parse_box, parse_ras
from ..vocabulary import DEFAULT_LESION_CONFIDENCE, Modality, device_choice, parse_modality

__all__ = [
    "add_evaluation_options",
    "add_lesion_confidence_option",
    "add_model_options",
    "box_corners",
    "device_choice",
    "fraction",
    "modality_choice",
    "ras_point",
]


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


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model`` (an installed model id or a checkpoint folder; the starter by default) and ``--device``."""
    parser.add_argument("--model", default=DEFAULT_MODEL_ID, metavar="ID_OR_PATH")
    parser.add_argument("--device", default="auto", type=device_choice)


def add_evaluation_options(parser: argparse.ArgumentParser, *, out_help: str) -> None:
    """What every evaluation of a manifest's split takes: ``--manifest``, ``--data-root``, ``--out`` (described by
    ``out_help``), the model options and ``--split``."""
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--data-root", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path, help=out_help)
    add_model_options(parser)
    parser.add_argument("--split", default="dev", choices=("dev", "train"))


def add_lesion_confidence_option(parser: argparse.ArgumentParser) -> None:
    """``--lesion-confidence P``: lesions less sure than P are neither drawn nor reported."""
    parser.add_argument(
        "--lesion-confidence",
        default=DEFAULT_LESION_CONFIDENCE,
        type=fraction,
        metavar="P",
        help=f"lesions with a confidence under P are neither drawn nor reported (default {DEFAULT_LESION_CONFIDENCE})",
    )

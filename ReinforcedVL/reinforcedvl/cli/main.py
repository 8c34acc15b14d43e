"""Entry point of the ``reinforcedvl`` command: dispatches to the subcommands, turns errors into messages."""

from __future__ import annotations

import argparse
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version

from ..errors import InputWarning, ReinforcedVLError
from ..plain_text import printable
from . import (
    build_manifest_command,
    cohort_command,
    evaluate_command,
    evaluate_points_command,
    evaluate_trust_command,
    feedback_command,
    finetune_command,
    models_command,
    report_command,
    segment_command,
    train_command,
)

__all__ = ["main", "build_parser"]

_SUBCOMMANDS = (
    segment_command,
    report_command,
    models_command,
    build_manifest_command,
    train_command,
    evaluate_command,
    evaluate_points_command,
    evaluate_trust_command,
    feedback_command,
    finetune_command,
    cohort_command,
)


def package_version() -> str:
    try:
        return version("reinforcedvl")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reinforcedvl",
        description="Text-prompted lesion segmentation with grounded reports (research use; not a medical device).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 a problem explained on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = _show_input_warning
        try:
            return int(args.run(args) or 0)
        except ReinforcedVLError as error:
            message = printable(str(error), allowed="\n")  # the message may quote what the user typed
            print(f"reinforcedvl {args.command}: error: {message}", file=sys.stderr)
            return error.exit_code
        except KeyboardInterrupt:
            print(f"reinforcedvl {args.command}: interrupted", file=sys.stderr)
            return 130


def _show_input_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    text = printable(str(message), allowed="\n")
    print(f"warning: {text}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

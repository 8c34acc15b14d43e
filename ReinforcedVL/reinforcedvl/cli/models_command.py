"""``reinforcedvl models``: the installed models (answers without loading any)."""

from __future__ import annotations

import argparse

from ..model_registry import installed_models

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list installed models", description="List installed models.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    models = installed_models()
    if not models:
        print("No model is installed.")
    for model_id, checkpoint in sorted(models.items()):
        print(f"{model_id}\t{checkpoint.identity.version}\t{checkpoint.folder}")
    return 0

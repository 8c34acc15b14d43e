"""``python -m reinforcedvl.worker``: start a worker that speaks JSON lines on stdin and stdout.

Only protocol lines go to stdout; anything else a library prints (at the Python or the C level) is sent to stderr,
which the client keeps for its messages.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..model_store.registry import DEFAULT_MODEL_ID
from ..vocabulary import device_choice

__all__ = ["main"]


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction: use a number in (0, 1]")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reinforcedvl.worker", description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL_ID, help="installed model id or checkpoint folder")
    parser.add_argument("--device", type=device_choice, default="auto", help="auto (GPU if any), cpu or cuda")
    parser.add_argument(
        "--gpu-memory-fraction",
        type=_fraction,
        default=None,
        help="the share of the GPU's memory this worker may use (for GPUs shared with other programs)",
    )
    args = parser.parse_args(argv)
    events = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    import torch

    from ..predictor import Predictor
    from .server import WorkerServer

    def load_predictor(device: str) -> Predictor:
        if args.gpu_memory_fraction is not None and device != "cpu" and torch.cuda.is_available():
            torch.cuda.set_per_process_memory_fraction(args.gpu_memory_fraction)
        return Predictor.from_model(args.model, device)

    return WorkerServer(load_predictor, args.device, events).serve(sys.stdin.buffer)  # bytes: bad UTF-8 is answered


if __name__ == "__main__":
    sys.exit(main())

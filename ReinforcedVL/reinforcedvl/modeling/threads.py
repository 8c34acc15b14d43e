"""How many CPU threads a clicked prompt gets.

A click computes a few windows around the point (one of 64 voxels a side for a nodule) and encodes one short
sentence: hundreds of operations of a few milliseconds each. Spread over several threads, every operation waits
for all of them at its end. On an idle machine that costs little; on a busy one (Slicer drawing, other programs) a
thread often waits a scheduler time slice, several milliseconds, for a free core, at every operation, and the click
then takes many times longer than on one thread (docs/performance.md, "Clicked prompts"). One thread keeps a click
at its own cost whatever else runs; a large structure's click (several of the model's windows) gives up the speed-up
more threads would bring on an idle many-core machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["CLICK_THREADS", "intra_op_threads"]

CLICK_THREADS = 1
"""Intra-op CPU threads for a prompt with a positive point."""


@contextmanager
def intra_op_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` intra-op CPU threads, then restore the previous number."""
    previous = torch.get_num_threads()
    if count == previous:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)

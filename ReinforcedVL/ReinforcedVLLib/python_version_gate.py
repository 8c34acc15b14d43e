"""Which Slicers can run ReinforcedVL, and the one message an older Slicer shows instead of a traceback.

The engine needs Python 3.10 or newer (``requires-python`` in ``pyproject.toml``; MONAI 1.6 and PyTorch 2.13 declare
the same), so the oldest Slicer that can run it is 5.10 (Python 3.12); Slicer 5.8 ships Python 3.9. This file
and the module file ``ReinforcedVL.py`` stay importable on Python 3.9 so that Slicer 5.8 can load the module far
enough to say so; nothing else of ReinforcedVL is imported there.
"""

from __future__ import annotations

import sys

__all__ = ["MINIMUM_PYTHON", "MINIMUM_SLICER", "pythonSupported", "unsupportedSlicerMessage"]

MINIMUM_PYTHON = (3, 10)
MINIMUM_SLICER = "5.10"


def pythonSupported(versionInfo=None) -> bool:
    """Whether this Python (or ``versionInfo``, a ``sys.version_info``-like tuple) can run the engine."""
    version = tuple(versionInfo if versionInfo is not None else sys.version_info)[:2]
    return version >= MINIMUM_PYTHON


def unsupportedSlicerMessage(versionInfo=None) -> str:
    """What a user of a too old Slicer reads: why the module does nothing there, and what to install."""
    version = tuple(versionInfo if versionInfo is not None else sys.version_info)[:2]
    return (
        "ReinforcedVL needs 3D Slicer {slicer} or newer (Python {minimum} or newer); this Slicer runs Python "
        "{version}. Install the current Slicer release from download.slicer.org and install ReinforcedVL in its "
        "Extensions Manager."
    ).format(
        slicer=MINIMUM_SLICER,
        minimum=".".join(str(part) for part in MINIMUM_PYTHON),
        version=".".join(str(part) for part in version),
    )

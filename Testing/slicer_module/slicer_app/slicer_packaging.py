"""``slicer.packaging``: ``pip_install`` records what it was asked to install (with the constraints file's content at
that moment) instead of installing it; tests read ``INSTALLS``."""

from __future__ import annotations

from pathlib import Path

INSTALLS: list[dict] = []


def pip_install(requirements, **kwargs) -> None:
    arguments = requirements.split() if isinstance(requirements, str) else list(requirements)
    constraints = arguments[arguments.index("-c") + 1] if "-c" in arguments else None
    INSTALLS.append(
        {
            "arguments": arguments,
            "constraints": Path(constraints).read_text(encoding="utf-8").split() if constraints else [],
        }
    )

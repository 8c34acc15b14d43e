"""The training metrics log (JSON lines) drawn as a loss curve."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["read_metrics", "plot_loss_curve"]

_PLOTTED = ("total", "mask_dice", "mask_cross_entropy", "existence", "attention", "contrastive")


def read_metrics(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plot_loss_curve(metrics: Path, image: Path) -> Path | None:
    """Plot every loss term against the step (moving average over 20 log entries) to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = read_metrics(metrics) if metrics.exists() else []
    if not records:
        return None
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=100)
    steps = [r["step"] for r in records]
    for name in _PLOTTED:
        values = [r[name] for r in records]
        smoothed = [
            sum(values[max(0, i - 19) : i + 1]) / len(values[max(0, i - 19) : i + 1]) for i in range(len(values))
        ]
        axis.plot(steps, smoothed, label=name, linewidth=2 if name == "total" else 1)
    axis.set_xlabel("step")
    axis.set_ylabel("loss (moving average)")
    axis.set_yscale("log")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title(f"Training loss ({metrics.parent.name})")
    figure.tight_layout()
    figure.savefig(image)
    plt.close(figure)
    return image

"""``ctk``: the CTK classes Slicer's Python code uses (see :mod:`slicer_widgets`)."""

from slicer_widgets import ctkCollapsibleButton, ctkMessageBox, ctkSliderWidget

__all__ = ["ctkCollapsibleButton", "ctkMessageBox", "ctkSliderWidget"]

"""The panel's "Point and describe" rows: place lesion points, not-this points and a search box in the views.

Qt glue only, used inside Slicer; the prompts themselves are read by :mod:`.prompt_markups`. With "Segment again on
each new point" ticked, placing a point after a result asks again at once: the worker keeps the volume's features,
so only the windows around the new point are computed.
"""

from __future__ import annotations

import qt
import slicer
from slicer.i18n import tr as _

from .prompt_markups import PromptRole, promptNode, spatialPromptsFromNodes

__all__ = ["PointPromptsSection"]


class PointPromptsSection:
    """Builds the rows into the panel (before the Segment button when it can) and reads the prompts.

    Args:
        ui: the panel's widgets (``childWidgetVariables``).
        fallbackLayout: where the rows go when the Segment button's form cannot take them.
        onNewPoint: called when a point is placed while "Segment again on each new point" is ticked.
    """

    def __init__(self, ui, fallbackLayout, onNewPoint) -> None:
        self.onNewPoint = onNewPoint
        self._observations: list[tuple[object, int]] = []
        self.frame = qt.QFrame()
        rows = qt.QFormLayout(self.frame)
        rows.setContentsMargins(0, 0, 0, 0)
        self.placeWidgets = {}
        for role, label, tip in (
            (PromptRole.POSITIVE, _("Lesion points:"), _("Click on the lesion(s) to outline (RAS points).")),
            (PromptRole.NEGATIVE, _("Not-this points:"), _("Click on what is not the finding; it is removed.")),
            (PromptRole.BOX, _("Search box:"), _("Draw a box; nothing outside it is answered.")),
        ):
            place = slicer.qSlicerMarkupsPlaceWidget()
            place.setMRMLScene(slicer.mrmlScene)
            place.buttonsVisible = True
            place.placeMultipleMarkups = (
                slicer.qSlicerMarkupsPlaceWidget.ForcePlaceMultipleMarkups
                if role is not PromptRole.BOX
                else slicer.qSlicerMarkupsPlaceWidget.ForcePlaceSingleMarkup
            )
            place.toolTip = tip
            self.placeWidgets[role] = place
            rows.addRow(label, place)
        self.refineCheckBox = qt.QCheckBox(_("Segment again on each new point"))
        self.refineCheckBox.toolTip = _(
            "After a result, each point you place asks again with all the points; only the new point's windows are "
            "computed."
        )
        rows.addRow("", self.refineCheckBox)
        self._insert(ui, fallbackLayout)
        self.attachNodes()

    def attachNodes(self) -> None:
        """Give each place widget its prompt node (created in the scene when missing) and watch new points."""
        for tag in self._observations:
            tag[0].RemoveObserver(tag[1])
        self._observations = []
        for role, place in self.placeWidgets.items():
            node = promptNode(slicer.mrmlScene, role)
            place.setCurrentNode(node)
            if role is not PromptRole.BOX:
                tag = node.AddObserver(slicer.vtkMRMLMarkupsNode.PointPositionDefinedEvent, self._onPointPlaced)
                self._observations.append((node, tag))

    def prompts(self) -> dict | None:
        """The points and box placed now (the worker's form), None for none."""
        nodes = {role: promptNode(slicer.mrmlScene, role, create=False) for role in PromptRole}
        return spatialPromptsFromNodes(nodes[PromptRole.POSITIVE], nodes[PromptRole.NEGATIVE], nodes[PromptRole.BOX])

    def cleanup(self) -> None:
        for node, tag in self._observations:
            node.RemoveObserver(tag)
        self._observations = []

    def _onPointPlaced(self, caller, event) -> None:
        if self.refineCheckBox.checked:
            qt.QTimer.singleShot(0, self.onNewPoint)

    def _insert(self, ui, fallbackLayout) -> None:
        """Put the rows just above the Segment button when its layout is a form; else at the end of the panel."""
        button = getattr(ui, "segmentButton", None)
        form = button.parentWidget().layout() if button is not None else None
        if isinstance(form, qt.QFormLayout):
            for row in range(form.rowCount()):
                for role in (qt.QFormLayout.SpanningRole, qt.QFormLayout.FieldRole):
                    item = form.itemAt(row, role)
                    if item is not None and item.widget() is button:
                        form.insertRow(row, self.frame)
                        return
        fallbackLayout.addWidget(self.frame)

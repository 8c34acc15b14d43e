"""The panel's Results section: summary, lesion table and report sentences (a click centres the views on the lesion),
evidence toggle.

Qt glue only, used inside Slicer; the values it shows come from the finding's nodes (so a reloaded scene shows the
same), through :mod:`.finding_nodes` and :mod:`.measurement_table`.
"""

from __future__ import annotations

from pathlib import Path

import qt
import slicer
from slicer.i18n import tr as _

from reinforcedvl.lesions.palette import lesion_color

from .evidence_display import evidenceShown, showEvidence
from .finding_nodes import FindingNodes, summaryText
from .measurement_table import lesionsFromTable
from .report_view import lesionTarget, readableReport
from .slice_navigation import jumpSlicesToLesion

__all__ = ["ResultsSection"]


class ResultsSection:
    """Shows the finding that ``currentFinding()`` returns in the panel's result widgets (``ui``)."""

    def __init__(self, ui, currentFinding) -> None:
        self.ui = ui
        self.currentFinding = currentFinding
        self._shown = None  # what the widgets show: report node ID and modification times (see update)
        ui.reportTextBrowser.openLinks = False
        ui.reportTextBrowser.connect("anchorClicked(QUrl)", self.onSentenceClicked)
        ui.lesionTableWidget.connect("itemSelectionChanged()", self.onLesionSelected)
        ui.showEvidenceCheckBox.connect("toggled(bool)", self.onShowEvidence)
        ui.copyReportButton.connect("clicked(bool)", self.onCopyReport)
        ui.saveReportButton.connect("clicked(bool)", self.onSaveReport)

    def update(self) -> None:
        """Show the current finding; nothing is redrawn if it is the one shown (the report's scroll position and
        the selected lesion stay while the user types elsewhere in the panel)."""
        ui, finding = self.ui, self.currentFinding()
        shown = _shownKey(finding)
        if shown == self._shown:
            return
        self._shown = shown
        ui.lesionTableWidget.setRowCount(0)
        for widget in (ui.copyReportButton, ui.saveReportButton):
            widget.enabled = finding is not None
        ui.showEvidenceCheckBox.enabled = finding is not None and finding.evidenceNode is not None
        ui.resultSummaryLabel.text = summaryText(finding) if finding else ""
        ui.reportTextBrowser.setMarkdown(readableReport(finding.reportNode.GetText()) if finding else "")
        if finding is None:
            return
        lesions = lesionsFromTable(finding.measurementsNode) if finding.measurementsNode else []
        ui.lesionTableWidget.setRowCount(len(lesions))
        for row, lesion in enumerate(lesions):
            swatch = qt.QTableWidgetItem(lesion.color_name)
            swatch.setBackground(qt.QBrush(qt.QColor.fromRgbF(*lesion_color(lesion.lesion_id).rgb)))
            ui.lesionTableWidget.setItem(row, 0, swatch)
            values = (lesion.lesion_id, f"{lesion.volume_ml:.2f}", f"{lesion.long_axis_mm:.1f}")
            values += (f"{lesion.short_axis_mm:.1f}", f"{lesion.confidence:.2f}")
            for column, value in enumerate(values, start=1):
                ui.lesionTableWidget.setItem(row, column, qt.QTableWidgetItem(str(value)))
        ui.showEvidenceCheckBox.blockSignals(True)
        ui.showEvidenceCheckBox.checked = evidenceShown(slicer.mrmlScene, finding.evidenceNode)
        ui.showEvidenceCheckBox.blockSignals(False)

    def onLesionSelected(self) -> None:
        finding: FindingNodes | None = self.currentFinding()
        rows = self.ui.lesionTableWidget.selectionModel().selectedRows()
        if finding is None or not rows or finding.measurementsNode is None:
            return
        jumpSlicesToLesion(finding, lesionsFromTable(finding.measurementsNode)[rows[0].row()].centroid_ras)

    def onSentenceClicked(self, url) -> None:
        """A report sentence was clicked: select its lesion's row, which centres the views on the lesion."""
        finding, target = self.currentFinding(), lesionTarget(url.toString())
        if finding is None or target is None:
            return
        lesionId, centroidRAS = target
        rows = [row for row in range(self.ui.lesionTableWidget.rowCount) if self._lesionIdOfRow(row) == lesionId]
        if rows:
            self.ui.lesionTableWidget.selectRow(rows[0])
        jumpSlicesToLesion(finding, centroidRAS)

    def _lesionIdOfRow(self, row: int) -> int | None:
        item = self.ui.lesionTableWidget.item(row, 1)
        return int(item.text()) if item is not None else None

    def onShowEvidence(self, visible: bool) -> None:
        finding = self.currentFinding()
        if finding is not None and finding.evidenceNode is not None:
            showEvidence(slicer.mrmlScene, finding.evidenceNode, visible)

    def onCopyReport(self) -> None:
        qt.QApplication.clipboard().setText(self.currentFinding().reportNode.GetText())
        slicer.util.showStatusMessage(_("Report copied."), 2000)

    def onSaveReport(self) -> None:
        finding = self.currentFinding()
        path = qt.QFileDialog.getSaveFileName(
            None, _("Save report"), f"{finding.prompt}.md", _("Markdown (*.md);;Text (*.txt)")
        )
        if path:
            with slicer.util.tryWithErrorDisplay(_("The report could not be saved; choose another folder.")):
                Path(path).write_text(finding.reportNode.GetText(), encoding="utf-8")


def _shownKey(finding: FindingNodes | None) -> tuple | None:
    """What decides the Results widgets' content: the finding's nodes and when they last changed."""
    if finding is None:
        return None
    nodes = (finding.reportNode, finding.measurementsNode, finding.evidenceNode)
    return tuple((node.GetID(), node.GetMTime()) if node is not None else None for node in nodes)

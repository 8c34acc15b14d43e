"""The panel's Models section: installed and published models, download with progress, import, open, delete.

Qt glue only, used inside Slicer; the work is :mod:`reinforcedvl.model_store.downloads`'s (downloads run on a background
thread; a Qt timer shows their progress).
"""

from __future__ import annotations

import qt
import slicer
from slicer.i18n import tr as _

from reinforcedvl.model_store.downloads import DownloadJob, delete_model, import_model, manifest_entry, read_manifest
from reinforcedvl.model_store.registry import InstalledModel, installed_model_list, user_models_folder

from .model_catalog import ModelRow, modelRows

__all__ = ["ModelsSection"]


class ModelsSection:
    """Drives the Models widgets of ``ui``; ``onChanged(installed)`` is called whenever the installed list changes,
    ``beforeDelete()`` before a model is deleted (to stop a worker that holds it)."""

    def __init__(self, ui, onChanged, beforeDelete) -> None:
        self.ui = ui
        self.onChanged = onChanged
        self.beforeDelete = beforeDelete
        self.downloadJob: DownloadJob | None = None
        self.rows: list[ModelRow] = []
        self.timer = qt.QTimer()
        self.timer.setInterval(200)
        self.timer.connect("timeout()", self.updateDownloadProgress)
        ui.modelsTableWidget.connect("itemSelectionChanged()", self.updateButtons)
        ui.downloadModelButton.connect("clicked(bool)", self.onDownload)
        ui.importModelButton.connect("clicked(bool)", self.onImport)
        ui.openModelsFolderButton.connect("clicked(bool)", self.onOpenFolder)
        ui.deleteModelButton.connect("clicked(bool)", self.onDelete)

    def refresh(self) -> list[InstalledModel]:
        installed = installed_model_list()
        with slicer.util.tryWithErrorDisplay(_("The list of published models could not be read.")):
            self.rows = modelRows(installed, read_manifest())
        table = self.ui.modelsTableWidget
        table.setRowCount(len(self.rows))
        for row, model in enumerate(self.rows):
            values = (model.modelId, model.version, model.status, model.size, model.licence, model.modalities)
            for column, value in enumerate(values):
                table.setItem(row, column, qt.QTableWidgetItem(value))
        self.updateButtons()
        self.onChanged(installed)
        return installed

    def selectedRow(self) -> ModelRow | None:
        rows = self.ui.modelsTableWidget.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def updateButtons(self) -> None:
        model, downloading = self.selectedRow(), self.downloadJob is not None
        self.ui.downloadModelButton.enabled = downloading or (model is not None and model.canDownload)
        self.ui.downloadModelButton.text = _("Cancel download") if downloading else _("Download")
        self.ui.deleteModelButton.enabled = model is not None and model.canDelete and not downloading

    def onDownload(self) -> None:
        if self.downloadJob is not None:
            self.downloadJob.cancel()
            return
        self.downloadJob = DownloadJob(manifest_entry(self.selectedRow().modelId))
        self.downloadJob.start()
        self.ui.modelDownloadProgressBar.visible = True
        self.timer.start()
        self.updateButtons()

    def updateDownloadProgress(self) -> None:
        job = self.downloadJob
        if job is None:
            return
        self.ui.modelDownloadProgressBar.maximum = max(job.total_bytes // 1024, 1)
        self.ui.modelDownloadProgressBar.value = job.done_bytes // 1024
        if not job.finished:
            return
        self.timer.stop()
        self.downloadJob = None
        self.ui.modelDownloadProgressBar.visible = False
        if job.error is not None:
            slicer.util.errorDisplay(str(job.error))
        self.refresh()

    def onImport(self) -> None:
        path = qt.QFileDialog.getOpenFileName(None, _("Import weights file"), "", _("Model archive (*.zip)"))
        if not path:
            return
        with slicer.util.tryWithErrorDisplay(_("The model could not be imported."), waitCursor=True):
            user_models_folder().mkdir(parents=True, exist_ok=True)  # the first import on this computer
            model = import_model(path)
            slicer.util.infoDisplay(_("Installed {id} {version}.").format(id=model.model_id, version=model.version))
        self.refresh()

    def onOpenFolder(self) -> None:
        folder = user_models_folder()
        folder.mkdir(parents=True, exist_ok=True)
        qt.QDesktopServices.openUrl(qt.QUrl.fromLocalFile(str(folder)))

    def onDelete(self) -> None:
        model = self.selectedRow()
        if not slicer.util.confirmOkCancelDisplay(_("Delete the model {id}?").format(id=model.modelId)):
            return
        with slicer.util.tryWithErrorDisplay(_("The model could not be deleted.")):
            self.beforeDelete()
            delete_model(model.modelId)
        self.refresh()

    def cleanup(self) -> None:
        self.timer.stop()
        if self.downloadJob is not None:
            self.downloadJob.cancel()

"""``slicer.app`` and ``slicer.modules``: the parts of Slicer's application object the module's code and Slicer's
own ``slicer.util`` call (temporary folder, top-level windows with the status bar, cursors, event processing,
testing mode off so error dialogs are shown, which the scripted user answers)."""

from __future__ import annotations

from pathlib import Path

import qt
from PySide6 import QtWidgets


class SlicerApplication:
    applicationName = "3D Slicer"

    def __init__(self, temporaryPath: Path) -> None:
        self.temporaryPath = str(temporaryPath)
        self.mainWindow = qt.QMainWindow()
        self.mainWindow.setObjectName("qSlicerMainWindow")
        self.connections: list[tuple[str, object]] = []

    def testingEnabled(self) -> bool:
        return False

    def topLevelWidgets(self):
        return [self.mainWindow]

    def processEvents(self) -> None:
        QtWidgets.QApplication.processEvents()

    def setOverrideCursor(self, cursor) -> None:
        QtWidgets.QApplication.setOverrideCursor(cursor)

    def restoreOverrideCursor(self) -> None:
        QtWidgets.QApplication.restoreOverrideCursor()

    def connect(self, signature: str, slot) -> None:
        """Application signals (``startupCompleted()``) are recorded; the harness emits them."""
        self.connections.append((signature, slot))

    def emit(self, signature: str) -> None:
        for connected, slot in self.connections:
            if connected == signature:
                slot()

    def coreIOManager(self):
        return _IOManager()

    def statusMessage(self) -> str:
        return self.mainWindow.statusBar().currentMessage()


class _IOManager:
    """Slicer's IO manager for volume files (``slicer.util.loadVolume``), with Slicer's own volume reader."""

    def loadNodes(self, fileType, properties, loadedNodes, userMessages) -> bool:
        import slicer

        if fileType != "VolumeFile":
            raise NotImplementedError(f"the panel harness loads volume files only, not {fileType}")
        path = Path(properties["fileName"])
        name = properties.get("name") or path.name.split(".")[0]
        scene = slicer.mrmlScene
        node = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", scene.GenerateUniqueName(name))
        storage = scene.AddNewNodeByClass("vtkMRMLVolumeArchetypeStorageNode")
        storage.SetFileName(str(path))
        if not storage.ReadData(node):
            scene.RemoveNode(node)
            userMessages.AddMessage(0, f"could not read {path}")
            return False
        node.SetAndObserveStorageNodeID(storage.GetID())
        node.CreateDefaultDisplayNodes()
        loadedNodes.AddItem(node)
        return True

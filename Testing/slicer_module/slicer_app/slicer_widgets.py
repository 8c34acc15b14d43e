"""Slicer's and CTK's widget classes the panel's ``.ui`` file uses, as thin PySide6 classes to their documented
behaviour: ``qMRMLNodeComboBox`` lists a real ``slicer-core`` scene's nodes (node types, child types, attribute
filters, hidden nodes), ``qMRMLWidget`` passes its scene on, ``ctkCollapsibleButton`` and ``ctkSliderWidget`` hold
their values, ``ctkMessageBox`` answers as the scripted user says (``qt.DIALOG_ANSWERS``)."""

from __future__ import annotations

import qt
from PySide6 import QtCore, QtWidgets


class qMRMLNodeComboBox(qt.QComboBox):
    """A node selector over a scene: the nodes of ``nodeTypes`` (and their subclasses unless
    ``showChildNodeTypes`` is false), minus those hidden from editors, those of ``hideChildNodeTypes`` and those
    failing an ``addAttribute`` filter; "None" first when ``noneEnabled``."""

    currentNodeChanged = QtCore.Signal(object)
    currentNodeIDChanged = QtCore.Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._scene = None
        self._observations: list[int] = []
        self._attributes: list[tuple[str, str, str | None]] = []
        self._hiddenNodeIDs: set[str] = set()
        self._nodeIDs: list[str | None] = []
        QtWidgets.QComboBox.currentIndexChanged.__get__(self).connect(self._onIndexChanged)

    def _option(self, name, default):
        value = QtCore.QObject.property(self, name)
        return default if value is None else value

    def mrmlScene(self):
        return self._scene

    def setMRMLScene(self, scene) -> None:
        if self._scene is not None:
            for tag in self._observations:
                self._scene.RemoveObserver(tag)
        self._scene, self._observations = scene, []
        if scene is not None:
            for event in (scene.NodeAddedEvent, scene.NodeRemovedEvent, scene.EndCloseEvent, scene.EndImportEvent):
                self._observations.append(scene.AddObserver(event, lambda caller, event: self._refresh()))
        self._refresh()

    def addAttribute(self, nodeType: str, attributeName: str, attributeValue=None) -> None:
        self._attributes.append((nodeType, attributeName, attributeValue))
        self._refresh()

    def setHiddenNodeIDs(self, nodeIDs) -> None:
        """What ``sortFilterProxyModel().hiddenNodeIDs`` does in Slicer."""
        self._hiddenNodeIDs = set(nodeIDs)
        self._refresh()

    def sortFilterProxyModel(self):
        combo = self

        class _ProxyModel:
            @property
            def hiddenNodeIDs(self):
                return sorted(combo._hiddenNodeIDs)

            @hiddenNodeIDs.setter
            def hiddenNodeIDs(self, nodeIDs):
                combo.setHiddenNodeIDs(nodeIDs)

        return _ProxyModel()

    def _accepts(self, node) -> bool:
        types = list(self._option("nodeTypes", []))
        if node.GetHideFromEditors() or node.GetID() in self._hiddenNodeIDs or node.GetSingletonTag():
            return False
        if self._option("showChildNodeTypes", True):
            typed = any(node.IsA(nodeType) for nodeType in types)
        else:
            typed = node.GetClassName() in types
        if not typed or any(node.IsA(hidden) for hidden in self._option("hideChildNodeTypes", [])):
            return False
        for nodeType, name, value in self._attributes:
            if node.IsA(nodeType) and (
                node.GetAttribute(name) is None or (value is not None and node.GetAttribute(name) != value)
            ):
                return False
        return True

    def nodes(self) -> list:
        if self._scene is None:
            return []
        collection = self._scene.GetNodes()
        nodes = [collection.GetItemAsObject(index) for index in range(collection.GetNumberOfItems())]
        return [node for node in nodes if self._accepts(node)]

    def _refresh(self) -> None:
        current = self.currentNodeID
        nodes = self.nodes()
        self.blockSignals(True)
        self.clear()
        self._nodeIDs = [None] if self._option("noneEnabled", False) else []
        if self._nodeIDs:
            self.addItem("None")
        for node in nodes:
            self.addItem(node.GetName())
            self._nodeIDs.append(node.GetID())
        self.blockSignals(False)
        if current in self._nodeIDs:
            self.setCurrentIndex(self._nodeIDs.index(current))
        else:
            self.setCurrentIndex(0 if self._nodeIDs else -1)
            self._onIndexChanged(QtWidgets.QComboBox.currentIndex(self))

    @property
    def currentNodeID(self):
        index = QtWidgets.QComboBox.currentIndex(self)
        return self._nodeIDs[index] if 0 <= index < len(self._nodeIDs) else None

    def currentNode(self):
        nodeID = self.currentNodeID
        return self._scene.GetNodeByID(nodeID) if nodeID and self._scene is not None else None

    def setCurrentNode(self, node) -> None:
        nodeID = node.GetID() if node is not None else None
        if nodeID not in self._nodeIDs:
            if node is not None:
                return
            nodeID = None if None in self._nodeIDs else nodeID
        if nodeID in self._nodeIDs:
            self.setCurrentIndex(self._nodeIDs.index(nodeID))

    def _onIndexChanged(self, index: int) -> None:
        node = self.currentNode()
        self.currentNodeChanged.emit(node)
        self.currentNodeIDChanged.emit(node.GetID() if node is not None else "")


class qMRMLWidget(qt.QWidget):
    """A widget with a scene; its ``.ui`` connects ``mrmlSceneChanged`` to each selector's ``setMRMLScene``."""

    mrmlSceneChanged = QtCore.Signal(object)

    def setMRMLScene(self, scene) -> None:
        self._scene = scene
        for selector in self.findChildren(qMRMLNodeComboBox):
            selector.setMRMLScene(scene)
        self.mrmlSceneChanged.emit(scene)

    def mrmlScene(self):
        return getattr(self, "_scene", None)


class ctkCollapsibleButton(qt.QWidget):
    """A titled section that can be collapsed (its children hidden)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text, self._collapsed = "", False

    def _getText(self):
        return self._text

    def _setText(self, text):
        self._text = text

    def _getCollapsed(self):
        return self._collapsed

    def _setCollapsed(self, collapsed):
        self._collapsed = bool(collapsed)
        for child in self.findChildren(QtWidgets.QWidget, options=QtCore.Qt.FindDirectChildrenOnly):
            child.setVisible(not self._collapsed)

    text = QtCore.Property(str, _getText, _setText)
    collapsed = QtCore.Property(bool, _getCollapsed, _setCollapsed)


class ctkSliderWidget(qt.QDoubleSpinBox):
    """A slider with a spin box; a value in [minimum, maximum] with ``valueChanged(double)``."""


class ctkMessageBox(qt.QMessageBox):
    """A message box whose ``exec_()`` answers as the scripted user says (default: OK) and records its text."""

    def exec_(self):
        qt.DIALOGS_SHOWN.append(("messageBox", QtWidgets.QMessageBox.text(self)))
        answers = qt.DIALOG_ANSWERS["messageBox"]
        return answers.pop(0) if answers else QtWidgets.QMessageBox.StandardButton.Ok

    exec = exec_


class qSlicerMarkupsPlaceWidget(qt.QWidget):
    """The place button of a markups node: it holds its scene and current node, and whether placing is on. Slicer's
    enum ``PlaceMultipleMarkupsType``: show the option, hide it, force a single point, force several points."""

    ShowPlaceMultipleMarkupsOption = 0
    HidePlaceMultipleMarkupsOption = 1
    ForcePlaceSingleMarkup = 2
    ForcePlaceMultipleMarkups = 3

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._scene, self._node = None, None
        self.buttonsVisible, self.placeMultipleMarkups, self.placeModeEnabled = True, 0, False

    def setMRMLScene(self, scene) -> None:
        self._scene = scene

    def mrmlScene(self):
        return self._scene

    def setCurrentNode(self, node) -> None:
        self._node = node

    def currentNode(self):
        return self._node

    def setPlaceModeEnabled(self, enabled: bool) -> None:
        self.placeModeEnabled = bool(enabled)


WIDGETS = (qMRMLNodeComboBox, qMRMLWidget, ctkCollapsibleButton, ctkSliderWidget, qSlicerMarkupsPlaceWidget)

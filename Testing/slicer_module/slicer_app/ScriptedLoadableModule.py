"""``slicer.ScriptedLoadableModule``'s four base classes, to their documented behaviour (developer mode off)."""

from __future__ import annotations

import os
import unittest

import qt
import slicer
from PySide6 import QtWidgets


class ScriptedLoadableModule:
    def __init__(self, parent) -> None:
        self.parent = parent
        self.moduleName = type(self).__name__
        parent.title = self.moduleName
        parent.categories = []
        parent.dependencies = []
        parent.contributors = []
        parent.helpText = ""
        parent.acknowledgementText = ""


class ScriptedLoadableModuleWidget:
    """The module panel: ``self.parent`` (a widget with a vertical layout, ``self.layout``) and ``resourcePath``."""

    def __init__(self, parent=None) -> None:
        self.moduleName = type(self).__name__.removesuffix("Widget")
        if parent is None:
            parent = qt.QWidget()
            parent.setLayout(QtWidgets.QVBoxLayout())
            parent.isEntered = False
        self.parent = parent
        self.layout = parent.layout()

    def resourcePath(self, filename: str) -> str:
        """``Resources/<filename>`` beside the module's script (where the extension build puts them)."""
        return os.path.join(os.path.dirname(slicer.util.modulePath(self.moduleName)), "Resources", filename)

    def setup(self) -> None:
        pass

    def cleanup(self) -> None:
        pass


class ScriptedLoadableModuleLogic:
    """Computation without a GUI; ``getParameterNode()`` is the scene's singleton node of this module."""

    def __init__(self, parent=None) -> None:
        self.moduleName = type(self).__name__.removesuffix("Logic")

    def getParameterNode(self):
        node = slicer.mrmlScene.GetSingletonNode(self.moduleName, "vtkMRMLScriptedModuleNode")
        if node is None:
            node = slicer.mrmlScene.CreateNodeByClass("vtkMRMLScriptedModuleNode")
            node.UnRegister(None)
            node.SetName(slicer.mrmlScene.GenerateUniqueName(self.moduleName))
            node.SetAttribute("ModuleName", self.moduleName)
            node.SetSingletonTag(self.moduleName)
            node = slicer.mrmlScene.AddNode(node)
        return node


class ScriptedLoadableModuleTest(unittest.TestCase):
    def delayDisplay(self, message, msec=1000):
        slicer.util.showStatusMessage(message)

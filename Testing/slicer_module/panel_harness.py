"""The module's panel running for real on this machine: ``ReinforcedVL.py``'s widget and logic, unchanged, under
PySide6 offscreen, with a real ``slicer-core`` scene and the real worker process.

What Slicer's application would provide comes from ``slicer_app/``: a ``qt`` layer that accepts PythonQt-style
code, Slicer's and CTK's widget classes (node selectors list the real scene), ``slicer.i18n``,
``slicer.ScriptedLoadableModule`` and ``slicer.parameterNodeWrapper`` written to their documented behaviour (no
installable package ships them), and ``slicer.app``. ``slicer.util`` is Slicer's own (from ``slicer-core``).
A test drives the panel as a user would (typing, Enter, clicks, dialogs answered through ``qt.DIALOG_ANSWERS``)
and waits for the worker with :meth:`PanelHarness.waitUntil`, which runs the Qt event loop as Slicer does.
"""

from __future__ import annotations

import importlib
import sys
import time
import types
from pathlib import Path

from scene_helpers import MODULE_FOLDER, REPOSITORY, slicer

__all__ = ["APPLICATION", "DICOMDatabase", "PanelHarness", "buildTree"]

SLICER_APP = Path(__file__).resolve().parent / "slicer_app"
if str(SLICER_APP) not in sys.path:
    sys.path.insert(0, str(SLICER_APP))

import qt  # noqa: E402
import slicer_packaging  # noqa: E402
import slicer_widgets  # noqa: E402
from application import SlicerApplication  # noqa: E402
from dicom_database import DICOMDatabase  # noqa: E402
from PySide6 import QtCore, QtTest, QtWidgets  # noqa: E402
from terminologies import TerminologiesLogic  # noqa: E402

for _widgetClass in slicer_widgets.WIDGETS:
    qt.WIDGET_CLASSES[_widgetClass.__name__] = _widgetClass
APPLICATION = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
for _name, _standIn in (
    ("i18n", "i18n"),
    ("ScriptedLoadableModule", "ScriptedLoadableModule"),
    ("parameterNodeWrapper", "parameterNodeWrapper"),
    ("packaging", "slicer_packaging"),
):
    _module = importlib.import_module(_standIn)
    sys.modules[f"slicer.{_name}"] = _module
    setattr(slicer, _name, _module)
slicer.qMRMLNodeComboBox = slicer_widgets.qMRMLNodeComboBox
slicer.qSlicerMarkupsPlaceWidget = slicer_widgets.qSlicerMarkupsPlaceWidget


def buildTree(folder: Path) -> Path:
    """The extension build's layout (script beside ``Resources/``), linking to this checkout; the script's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in (
        ("ReinforcedVL.py", MODULE_FOLDER / "ReinforcedVL.py"),
        ("Resources", REPOSITORY / "Resources"),
    ):
        link = folder / name
        if not link.exists():
            link.symlink_to(target)
    return folder / "ReinforcedVL.py"


class PanelHarness:
    """One module panel on ``scene``; ``monkeypatch`` undoes what the harness set on ``slicer`` and the
    environment (the user's home, settings and temporary folder all lie under ``folder``)."""

    def __init__(self, scene, folder: Path, monkeypatch) -> None:
        self.scene, self.folder = scene, folder
        monkeypatch.setenv("REINFORCEDVL_HOME", str(folder / "home"))
        QtCore.QSettings.setDefaultFormat(QtCore.QSettings.IniFormat)
        QtCore.QSettings.setPath(QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, str(folder / "settings"))
        QtCore.QCoreApplication.setOrganizationName("ReinforcedVLPanelTest")
        self.app = SlicerApplication(folder / "tmp")
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(slicer, "app", self.app, raising=False)
        monkeypatch.setattr(slicer, "mrmlScene", scene, raising=False)
        self.scriptPath = scriptPath = buildTree(folder / "qt-scripted-modules")
        self.terminologies = TerminologiesLogic()
        monkeypatch.setattr(
            slicer,
            "modules",
            types.SimpleNamespace(
                reinforcedvl=types.SimpleNamespace(path=str(scriptPath)),
                terminologies=types.SimpleNamespace(logic=lambda: self.terminologies),
            ),
            raising=False,
        )
        qt.DIALOG_ANSWERS.update({key: [] for key in qt.DIALOG_ANSWERS})
        qt.DIALOGS_SHOWN.clear()
        qt.PROGRESS_SHOWN.clear()
        slicer_packaging.INSTALLS.clear()
        self.module = importlib.import_module("ReinforcedVL")
        self.moduleParent = types.SimpleNamespace()
        self.moduleInstance = self.module.ReinforcedVL(self.moduleParent)
        self.widgetParent = qt.QWidget()
        self.widgetParent.setLayout(QtWidgets.QVBoxLayout())
        self.widgetParent.isEntered = True
        self.widget = self.module.ReinforcedVLWidget(self.widgetParent)
        self.widget.setup()
        self.widgetParent.resize(500, 1400)
        self.widgetParent.show()  # offscreen: laid out and "visible" as in Slicer's module panel
        self.widget.enter()
        self.ui = self.widget.ui

    qt = qt

    @property
    def results(self):
        return self.widget.results

    # What the user does

    def answer(self, dialog: str, value) -> None:
        """What the user will answer to the next dialog of this kind (a path, or a message box button)."""
        qt.DIALOG_ANSWERS[dialog].append(value)

    def type(self, lineEdit, text: str) -> None:
        """Keystrokes into a line edit (each one a textChanged, as in Slicer)."""
        lineEdit.setFocus()
        QtTest.QTest.keyClicks(lineEdit, text)
        self.processEvents()

    def pressEnter(self, lineEdit) -> None:
        QtTest.QTest.keyClick(lineEdit, QtCore.Qt.Key_Return)
        self.processEvents()

    def click(self, button) -> None:
        assert QtWidgets.QWidget.isEnabled(button), f"{button.objectName()} is disabled: {button.toolTip}"
        QtWidgets.QAbstractButton.click(button)
        self.processEvents()

    def processEvents(self) -> None:
        APPLICATION.processEvents()

    def waitUntil(self, condition, timeoutSeconds: float = 300.0, what: str = "the panel") -> None:
        """Run the event loop (the panel's timers, the worker's events) until ``condition()`` holds."""
        deadline = time.monotonic() + timeoutSeconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeoutSeconds:.0f} s")
            APPLICATION.processEvents()
            time.sleep(0.02)

    # What the user sees

    @property
    def segmentButtonText(self) -> str:
        return self.ui.segmentButton.text

    def idle(self) -> bool:
        return self.ui.segmentButton.text == "Segment"

    def statusMessage(self) -> str:
        return self.app.statusMessage()

    def dialogs(self, kind: str = "messageBox") -> list[str]:
        return [text for shown, text in qt.DIALOGS_SHOWN if shown == kind]

    def close(self) -> None:
        self.widget.exit()
        self.widget.cleanup()
        self.processEvents()

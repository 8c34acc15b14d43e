"""A ``qt`` module that accepts PythonQt-style code, on PySide6 (offscreen), for running the panel in tests.

PythonQt, which Slicer embeds, differs from PySide6 in three ways the module's code relies on, and this layer adds
exactly those: Qt properties read and written as attributes (``button.text = "Segment"``, ``combo.count``), signals
connected by their C++ signature (``button.connect("clicked(bool)", slot)``), and ``widget.name`` for the object
name. Every widget the panel's ``.ui`` file makes is one of the classes below (the loader creates them), so the
panel's code runs unchanged. Dialogs that would wait for a click (``QFileDialog``, message boxes in ``ctk``) answer
from :data:`DIALOG_ANSWERS`, which a test fills in as the user's clicks, and record what they were asked.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402
from PySide6.QtUiTools import QUiLoader as _PySideUiLoader  # noqa: E402

# What the scripted user answers to dialogs, by dialog kind, first in first out; and what dialogs were shown.
DIALOG_ANSWERS: dict[str, list] = {
    "getOpenFileName": [],
    "getSaveFileName": [],
    "getExistingDirectory": [],
    "messageBox": [],
}
DIALOGS_SHOWN: list[tuple[str, str]] = []

_SIGNATURE = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$")


class PythonQtObject:
    """Mixin: PythonQt's property attributes, ``connect(signature, slot)`` and ``name``."""

    def __getattribute__(self, name):
        if name in _OWN_NAMES:
            return PythonQtObject.__dict__[name].__get__(self)
        if not name.startswith("_") and name not in _VIRTUAL_METHODS:
            metaObject = QtCore.QObject.metaObject(self)
            index = metaObject.indexOfProperty(name)
            if index >= 0:
                return metaObject.property(index).read(self)
            if name == "name":
                return QtCore.QObject.objectName(self)
        return super().__getattribute__(name)

    def __setattr__(self, name, value):
        if not name.startswith("_"):
            metaObject = QtCore.QObject.metaObject(self)
            index = metaObject.indexOfProperty(name)
            if index >= 0:
                if not metaObject.property(index).write(self, value):
                    raise AttributeError(f"Qt property {name} of {type(self).__name__} cannot be set to {value!r}")
                return
            if name == "name":
                QtCore.QObject.setObjectName(self, value)
                return
        super().__setattr__(name, value)

    def connect(self, signature: str, slot) -> bool:
        """PythonQt's ``obj.connect("clicked(bool)", slot)``."""
        match = _SIGNATURE.match(signature)
        if match is None:
            raise ValueError(f"not a Qt signal signature: {signature!r}")
        signalName, arguments = match.group(1), match.group(2).strip()
        signal = super().__getattribute__(signalName)
        if arguments and _pythonTypes(arguments) is not None:
            try:
                signal = signal[_pythonTypes(arguments)]
            except (KeyError, IndexError, TypeError):
                pass
        signal.connect(slot)
        return True

    def disconnect(self, signature: str, slot=None) -> bool:
        match = _SIGNATURE.match(signature)
        signal = super().__getattribute__(match.group(1))
        if slot is None:
            signal.disconnect()
        else:
            signal.disconnect(slot)
        return True


_OWN_NAMES = {"connect", "disconnect"}
# Qt properties that are also virtual methods: PySide looks these up by name while Qt runs (to find Python
# overrides), so they must stay methods here or the lookup would read the property, which calls the method again.
_VIRTUAL_METHODS = {"sizeHint", "minimumSizeHint"}


def _pythonTypes(arguments: str):
    """The Python types of a C++ signal's argument list, for PySide's overload selection (None: leave it)."""
    types = {"bool": bool, "int": int, "double": float, "QString": str, "const QString&": str}
    parts = [part.strip() for part in arguments.split(",")]
    if all(part in types for part in parts):
        return tuple(types[part] for part in parts) if len(parts) > 1 else types[parts[0]]
    return None


def _wrap(base):
    return type(base.__name__, (PythonQtObject, base), {})


QObject = _wrap(QtCore.QObject)
QTimer = _wrap(QtCore.QTimer)
QWidget = _wrap(QtWidgets.QWidget)
QFrame = _wrap(QtWidgets.QFrame)
QLabel = _wrap(QtWidgets.QLabel)
QPushButton = _wrap(QtWidgets.QPushButton)
QCheckBox = _wrap(QtWidgets.QCheckBox)
QComboBox = _wrap(QtWidgets.QComboBox)
QLineEdit = _wrap(QtWidgets.QLineEdit)
QSpinBox = _wrap(QtWidgets.QSpinBox)
QDoubleSpinBox = _wrap(QtWidgets.QDoubleSpinBox)
QProgressBar = _wrap(QtWidgets.QProgressBar)
QTableWidget = _wrap(QtWidgets.QTableWidget)
QTextBrowser = _wrap(QtWidgets.QTextBrowser)
QGroupBox = _wrap(QtWidgets.QGroupBox)
QMainWindow = _wrap(QtWidgets.QMainWindow)
QMessageBox = _wrap(QtWidgets.QMessageBox)


class QProgressDialog(_wrap(QtWidgets.QProgressDialog)):
    """A progress dialog that records every label it shows (``PROGRESS_SHOWN``)."""

    def __setattr__(self, name, value):
        if name == "labelText":
            PROGRESS_SHOWN.append(value)
        super().__setattr__(name, value)


PROGRESS_SHOWN: list[str] = []
QVBoxLayout = QtWidgets.QVBoxLayout
QHBoxLayout = QtWidgets.QHBoxLayout
QFormLayout = QtWidgets.QFormLayout
QTableWidgetItem = QtWidgets.QTableWidgetItem
QBrush = QtGui.QBrush
QColor = QtGui.QColor
QCursor = QtGui.QCursor
QUrl = QtCore.QUrl
QFile = QtCore.QFile
QSettings = QtCore.QSettings
QSysInfo = QtCore.QSysInfo
QDir = QtCore.QDir
Qt = QtCore.Qt
QApplication = QtWidgets.QApplication


class QDesktopServices:
    """Opening a folder or address in the desktop's application: recorded (``DIALOGS_SHOWN``), nothing launched."""

    @staticmethod
    def openUrl(url) -> bool:
        DIALOGS_SHOWN.append(("openUrl", url.toString()))
        return True


class QFileDialog:
    """File dialogs answered by the scripted user (``DIALOG_ANSWERS``); PythonQt returns the path alone."""

    @staticmethod
    def getOpenFileName(parent=None, caption="", directory="", filter=""):
        DIALOGS_SHOWN.append(("getOpenFileName", caption))
        return DIALOG_ANSWERS["getOpenFileName"].pop(0) if DIALOG_ANSWERS["getOpenFileName"] else ""

    @staticmethod
    def getSaveFileName(parent=None, caption="", directory="", filter=""):
        DIALOGS_SHOWN.append(("getSaveFileName", caption))
        return DIALOG_ANSWERS["getSaveFileName"].pop(0) if DIALOG_ANSWERS["getSaveFileName"] else ""

    @staticmethod
    def getExistingDirectory(parent=None, caption="", directory=""):
        DIALOGS_SHOWN.append(("getExistingDirectory", caption))
        return DIALOG_ANSWERS["getExistingDirectory"].pop(0) if DIALOG_ANSWERS["getExistingDirectory"] else ""


class QUiLoader(_PySideUiLoader):
    """Qt's .ui loader, creating this module's PythonQt-style widgets (and Slicer's, from ``WIDGET_CLASSES``)."""

    def createWidget(self, className, parent=None, name=""):
        widgetClass = WIDGET_CLASSES.get(className)
        if widgetClass is None:
            return super().createWidget(className, parent, name)
        widget = widgetClass(parent)
        widget.setObjectName(name)
        return widget


# Qt's own classes by name; Slicer's widget classes (qMRMLNodeComboBox, ctk...) are added by the harness.
WIDGET_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        QWidget,
        QFrame,
        QLabel,
        QPushButton,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QSpinBox,
        QDoubleSpinBox,
        QProgressBar,
        QTableWidget,
        QTextBrowser,
        QGroupBox,
    )
}

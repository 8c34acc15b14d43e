"""The panel's .ui file: it loads offscreen (PySide6's loader, Slicer's widget classes standing in as QWidget), every
widget the module's code names exists in it with a fitting class, and every widget bound to a parameter names a
parameter of the module's parameter node."""

from __future__ import annotations

import ast
import os
import re
import xml.etree.ElementTree as ElementTree

import pytest

from scene_helpers import MODULE_FOLDER, REPOSITORY

UI_FILE = REPOSITORY / "Resources" / "UI" / "ReinforcedVL.ui"
PANEL_CODE = [MODULE_FOLDER / "ReinforcedVL.py", *sorted((MODULE_FOLDER / "ReinforcedVLLib").glob("*_section.py"))]
# What the code does with a widget, by name suffix, and the classes that support it.
CLASSES_BY_SUFFIX = {
    "Selector": {"qMRMLNodeComboBox"},
    "Button": {"QPushButton", "ctkCollapsibleButton"},
    "ComboBox": {"QComboBox"},
    "LineEdit": {"QLineEdit"},
    "CheckBox": {"QCheckBox"},
    "TableWidget": {"QTableWidget"},
    "Label": {"QLabel"},
    "ProgressBar": {"QProgressBar"},
    "TextBrowser": {"QTextBrowser"},
    "SliderWidget": {"ctkSliderWidget"},
    "SpinBox": {"QSpinBox"},
}


def _widgets() -> dict[str, str]:
    """Widget name -> class, from the .ui file."""
    return {w.get("name"): w.get("class") for w in ElementTree.parse(UI_FILE).iter("widget")}


def _names_used_in_code() -> set[str]:
    return {name for path in PANEL_CODE for name in re.findall(r"\bui\.(\w+)", path.read_text(encoding="utf-8"))}


def _parameter_names() -> set[str]:
    tree = ast.parse((MODULE_FOLDER / "ReinforcedVL.py").read_text(encoding="utf-8"))
    wrapper = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name.endswith("ParameterNode"))
    return {item.target.id for item in wrapper.body if isinstance(item, ast.AnnAssign)}


def test_every_widget_the_code_uses_exists_with_a_fitting_class():
    widgets, used = _widgets(), _names_used_in_code()
    assert len(used) >= 25  # the bound widgets come on top (next test)
    assert sorted(used - set(widgets)) == []
    for name in used:
        suffix = next(s for s in CLASSES_BY_SUFFIX if name.lower().endswith(s.lower()))
        assert widgets[name] in CLASSES_BY_SUFFIX[suffix], f"{name} is a {widgets[name]}"


def test_bound_widgets_name_parameters_of_the_parameter_node():
    bound = {}
    for widget in ElementTree.parse(UI_FILE).iter("widget"):
        for prop in widget.findall("property"):
            if prop.get("name") == "SlicerParameterName":
                bound[widget.get("name")] = prop.find("string").text
    assert set(bound.values()) <= _parameter_names()
    assert bound == {
        "inputVolumeSelector": "inputVolume",
        "secondChannelSelector": "secondChannelVolume",
        "findingLineEdit": "finding",
        "thresholdSliderWidget": "threshold",
        "lesionConfidenceSliderWidget": "lesionConfidence",
        "forceCPUCheckBox": "forceCPU",
        "resultSelector": "resultReport",
        "ratingSpinBox": "rating",
        "commentLineEdit": "comment",
    }


def test_the_panel_loads_offscreen_with_every_section():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    widgets_module = pytest.importorskip("PySide6.QtWidgets", reason="PySide6-Essentials is part of the test extras")
    from PySide6.QtCore import QFile
    from PySide6.QtUiTools import QUiLoader

    application = widgets_module.QApplication.instance() or widgets_module.QApplication([])
    ui_file = QFile(str(UI_FILE))
    assert ui_file.open(QFile.ReadOnly)
    panel = QUiLoader().load(ui_file)
    ui_file.close()
    assert panel is not None and panel.objectName() == "ReinforcedVL"
    loaded = {child.objectName() for child in panel.findChildren(widgets_module.QWidget)}
    assert _names_used_in_code() <= loaded
    segment = panel.findChild(widgets_module.QPushButton, "segmentButton")
    assert segment.text() == "Segment" and not segment.isEnabled()
    assert segment.toolTip() == "Select an input volume and type a finding first."
    table = panel.findChild(widgets_module.QTableWidget, "lesionTableWidget")
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    assert headers == ["Color", "Lesion", "Volume (mL)", "Long axis (mm)", "Short axis (mm)", "Confidence"]
    assert application is not None

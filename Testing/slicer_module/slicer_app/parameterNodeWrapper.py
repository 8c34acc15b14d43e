"""``slicer.parameterNodeWrapper``, reduced to what a module with plain typed fields uses, to its documented
behaviour: ``@parameterNodeWrapper`` turns a class's annotated fields (str, bool, int, float, MRML node classes;
``Annotated`` with ``WithinRange``) into typed properties stored in a ``vtkMRMLScriptedModuleNode`` (values as
parameters, nodes as node references), defaults written on first wrap; ``connectGui(gui)`` binds every widget whose
``SlicerParameterName`` property names a field, both ways; ``disconnectGui(tag)`` undoes it."""

from __future__ import annotations

import typing

import vtk
from PySide6 import QtWidgets

__all__ = ["parameterNodeWrapper", "WithinRange"]


class WithinRange:
    def __init__(self, minimum, maximum) -> None:
        self.minimum, self.maximum = minimum, maximum

    def validate(self, value) -> None:
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"Value {value} is not within [{self.minimum}, {self.maximum}]")


class _Field:
    def __init__(self, name: str, annotation) -> None:
        self.name = name
        self.validators = []
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *extras = typing.get_args(annotation)
            self.validators = [extra for extra in extras if hasattr(extra, "validate")]
        self.type = annotation
        self.isNode = (
            isinstance(annotation, type)
            and hasattr(annotation, "GetClassName")
            and issubclass(annotation, _mrmlNodeClass())
        )

    def default(self):
        return None if self.isNode else self.type()

    def read(self, node):
        if self.isNode:
            return node.GetNodeReference(self.name)
        text = node.GetParameter(self.name)
        if self.type is bool:
            return text == "True"
        return self.type(text)

    def write(self, node, value) -> None:
        if self.isNode:
            if value is not None and not isinstance(value, self.type):
                raise TypeError(f"{self.name} must be a {self.type.__name__}, not {type(value).__name__}")
            node.SetNodeReferenceID(self.name, value.GetID() if value is not None else None)
            return
        value = self.type(value)
        for validator in self.validators:
            validator.validate(value)
        node.SetParameter(self.name, str(value))

    def isIn(self, node) -> bool:
        return self.isNode or node.HasParameter(self.name)


def _mrmlNodeClass():
    import slicer

    return slicer.vtkMRMLNode


def parameterNodeWrapper(classtype):
    hints = typing.get_type_hints(classtype, include_extras=True)
    fields = {name: _Field(name, annotation) for name, annotation in hints.items()}
    defaults = {name: getattr(classtype, name, fields[name].default()) for name in fields}

    def __init__(self, parameterNode) -> None:
        self.parameterNode = parameterNode
        self._guis: dict[int, list] = {}
        self._nextTag = 0
        self._updatingGui = False
        for name, field in fields.items():
            if not field.isIn(parameterNode) and not field.isNode:
                field.write(parameterNode, defaults[name])

    def connectGui(self, gui) -> int:
        widgets = gui.findChildren(QtWidgets.QWidget) if hasattr(gui, "findChildren") else gui.__dict__.values()
        bindings = []
        for widget in widgets:
            name = widget.property("SlicerParameterName")
            if name:
                if name not in fields:
                    raise ValueError(f"Cannot find a param with the given name: {name}")
                bindings.append(_Binding(self, name, widget))
        tag, self._nextTag = self._nextTag, self._nextTag + 1
        self._guis[tag] = bindings
        for binding in bindings:
            binding.toWidget()
        bindings.append(self.parameterNode.AddObserver(vtk.vtkCommand.ModifiedEvent, lambda *args: _toGui(self)))
        return tag

    def disconnectGui(self, tag) -> None:
        for binding in self._guis.pop(tag, []):
            if isinstance(binding, int):
                self.parameterNode.RemoveObserver(binding)
            else:
                binding.disconnect()

    namespace = {
        "__init__": __init__,
        "connectGui": connectGui,
        "disconnectGui": disconnectGui,
        "AddObserver": lambda self, event, callback, priority=0.0: self.parameterNode.AddObserver(
            event, callback, priority
        ),
        "RemoveObserver": lambda self, tag: self.parameterNode.RemoveObserver(tag),
        "Modified": lambda self: self.parameterNode.Modified(),
        "StartModify": lambda self: self.parameterNode.StartModify(),
        "EndModify": lambda self, wasModifying: self.parameterNode.EndModify(wasModifying),
        "allParameters": fields,
    }
    for name, field in fields.items():
        namespace[name] = property(
            lambda self, field=field: field.read(self.parameterNode),
            lambda self, value, field=field: field.write(self.parameterNode, value),
        )
    return type(
        classtype.__name__, (), {**{"__doc__": classtype.__doc__, "__module__": classtype.__module__}, **namespace}
    )


def _toGui(wrapper) -> None:
    if wrapper._updatingGui:
        return
    wrapper._updatingGui = True
    try:
        for bindings in wrapper._guis.values():
            for binding in bindings:
                if not isinstance(binding, int):
                    binding.toWidget()
    finally:
        wrapper._updatingGui = False


class _Binding:
    """One widget bound to one field: the widget's change signal writes the field; the field's value is shown."""

    def __init__(self, wrapper, name: str, widget) -> None:
        self.wrapper, self.name, self.widget = wrapper, name, widget
        kind = type(widget).__mro__
        names = {cls.__name__ for cls in kind}
        if "qMRMLNodeComboBox" in names:
            self.signal, self.get, self.set = widget.currentNodeChanged, widget.currentNode, widget.setCurrentNode
        elif "QLineEdit" in names:
            self.signal = QtWidgets.QLineEdit.textChanged.__get__(widget)
            self.get = lambda: QtWidgets.QLineEdit.text(widget)
            self.set = lambda value: QtWidgets.QLineEdit.setText(widget, value)
        elif "QCheckBox" in names:
            self.signal = QtWidgets.QCheckBox.toggled.__get__(widget)
            self.get = lambda: QtWidgets.QCheckBox.isChecked(widget)
            self.set = lambda value: QtWidgets.QCheckBox.setChecked(widget, value)
        elif "QSpinBox" in names:
            self.signal = QtWidgets.QSpinBox.valueChanged.__get__(widget)
            self.get = lambda: QtWidgets.QSpinBox.value(widget)
            self.set = lambda value: QtWidgets.QSpinBox.setValue(widget, value)
        elif "QDoubleSpinBox" in names:
            self.signal = QtWidgets.QDoubleSpinBox.valueChanged.__get__(widget)
            self.get = lambda: QtWidgets.QDoubleSpinBox.value(widget)
            self.set = lambda value: QtWidgets.QDoubleSpinBox.setValue(widget, value)
        else:
            raise TypeError(f"No GUI connector for {type(widget).__name__} ({name})")
        self.signal.connect(self.fromWidget)

    def fromWidget(self, *args) -> None:
        if not self.wrapper._updatingGui:
            setattr(self.wrapper, self.name, self.get())

    def toWidget(self) -> None:
        self.widget.blockSignals(True)
        try:
            self.set(getattr(self.wrapper, self.name))
        finally:
            self.widget.blockSignals(False)

    def disconnect(self) -> None:
        self.signal.disconnect(self.fromWidget)

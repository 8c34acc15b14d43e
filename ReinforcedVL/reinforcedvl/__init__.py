"""ReinforcedVL: text-prompted lesion segmentation with grounded reports.

The engine behind the ``reinforcedvl`` command and the 3D Slicer module. Research use; not a medical device.
Importing the package is cheap: the public names below load their modules (torch, SimpleITK, MONAI) on first use.

Example:
    >>> from reinforcedvl import Predictor, read_image
    >>> predictor = Predictor.from_model()  # doctest: +SKIP
    >>> predictor.set_volume(read_image("chest_ct.nii.gz"))  # doctest: +SKIP
    >>> predictor.segment("solid lung nodule").lesions  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from collections.abc import Callable
from importlib import import_module
from typing import Any

_PUBLIC = {
    "Predictor": "predictor",
    "FindingResult": "predictor",
    "segment_study": "study.segment_job",
    "read_image": "io",
    "read_label_map": "io",
    "write_volume": "io",
    "Volume": "volume",
    "ScalarVolume": "volume",
    "LabelMap": "volume",
    "ReinforcedVLError": "errors",
}

__all__ = sorted(_PUBLIC)


def _lazy_attributes(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``name`` is imported from ``package.<homes[name]>`` on first use, so
    importing the package stays cheap (subpackages use it too)."""

    def attribute(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f".{homes[name]}", package), name)

    return attribute


__getattr__ = _lazy_attributes(__name__, _PUBLIC)


# Modules that moved (version 0.2): the old names still import, with a DeprecationWarning, until the next release.
# (the old segment_study module is not among them: at the package top that name is the public function.)
_MOVED_MODULES = {
    "result_files": "study.finding_files",
    "run_report": "study.result_document",
    "report.report_study": "study.report_job",
    "measurements": "lesions.sizes",
    "shape_descriptors": "lesions.shape",
    "intensity_statistics": "lesions.intensity",
    "region_measurements": "lesions.region",
    "colors": "lesions.palette",
    "checkpoint": "model_store.checkpoint",
    "model_registry": "model_store.registry",
    "weights_manager": "model_store.downloads",
    "device": "modeling.device",
    "window_features": "modeling.window_features",
    "description.words": "description.word_choice",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``reinforcedvl.<old>`` as the module now at ``reinforcedvl.<new>`` (one module object, two names)."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001, ANN201
        old = fullname.removeprefix(__name__ + ".")
        if fullname.startswith(__name__ + ".") and old in _MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):  # noqa: ANN001, ANN201
        new = f"{__name__}.{_MOVED_MODULES[spec.name.removeprefix(__name__ + '.')]}"
        warnings.warn(f"{spec.name} moved to {new}; import it from there.", DeprecationWarning, stacklevel=2)
        module = import_module(new)
        self._specs = getattr(self, "_specs", {})
        self._specs[new] = module.__spec__
        return module

    def exec_module(self, module) -> None:  # noqa: ANN001
        module.__spec__ = self._specs.pop(module.__name__)  # the import system set the old name's spec on it


if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())

"""3D Slicer's own process never loads torch or MONAI: everything the module file and its helpers import, and the
feedback store's work (Dice, description), run here in a fresh interpreter that then holds neither.

The module file needs Slicer's application (``qt``, the scripted-module base classes, the parameter-node wrapper,
translations); the ``slicer-core`` wheel has the MRML scene but not those, so the thinnest stand-ins replace just
them: empty classes and identity functions, only where the real module is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys

from scene_helpers import MODULE_FOLDER

_STAND_INS = """
import importlib, importlib.util, sys, types

def stand_in(name, **attributes):
    try:
        importlib.import_module(name)
    except ImportError:
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        sys.modules[name] = module

class _Qt(types.ModuleType):
    def __getattr__(self, name):
        return type(name, (), {"__init__": lambda self, *args, **kwargs: None})

try:
    import qt
except ImportError:
    sys.modules["qt"] = _Qt("qt")
base = {n: type(n, (), {"__init__": lambda self, *a, **k: None}) for n in ("ScriptedLoadableModule",
    "ScriptedLoadableModuleWidget", "ScriptedLoadableModuleLogic", "ScriptedLoadableModuleTest")}
stand_in("slicer.ScriptedLoadableModule", **base)
stand_in("slicer.parameterNodeWrapper", parameterNodeWrapper=lambda cls: cls, WithinRange=lambda *bounds: None)
stand_in("slicer.i18n", tr=lambda text: text, translate=lambda context, text: text)
"""

_WORK = """
import tempfile
from pathlib import Path
import numpy as np
sys.path.insert(0, MODULE_FOLDER)
for path in sorted(Path(MODULE_FOLDER, "ReinforcedVLLib").glob("*.py")):
    importlib.import_module("ReinforcedVLLib." + path.stem)
spec = importlib.util.spec_from_file_location("ReinforcedVL", Path(MODULE_FOLDER, "ReinforcedVL.py"))
module_file = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module_file)

from reinforcedvl.feedback.records import FeedbackAction, FeedbackSubmission
from reinforcedvl.feedback.store import FeedbackStore
from reinforcedvl.model_store.registry import installed_model_list
from reinforcedvl.volume import LabelMap, ScalarVolume

image = np.full((1, 24, 24, 12), -800.0, np.float32)
model_mask = np.zeros((1, 24, 24, 12), np.uint16)
model_mask[0, 8:14, 8:14, 4:8] = 1
corrected = np.zeros_like(model_mask)
corrected[0, 8:16, 8:14, 4:8] = 1
image[model_mask > 0] = 40.0
affine = np.diag([0.8, 0.8, 2.0, 1.0])
with tempfile.TemporaryDirectory() as folder:
    record = FeedbackStore(Path(folder) / "store").add(FeedbackSubmission(
        FeedbackAction.CORRECTION, ScalarVolume(image, affine), "solid lung nodule", "reinforcedvl-starter", "1",
        model_mask=LabelMap(model_mask, affine), corrected_mask=LabelMap(corrected, affine), modality="CT"))
installed = [model.model_id for model in installed_model_list()]
loaded = sorted(m for m in ("torch", "monai", "transformers") if m in sys.modules)
print(json.dumps({"dice": record.dice, "description": record.description, "installed": installed, "loaded": loaded,
                  "module": hasattr(module_file, "ReinforcedVLLogic")}))
"""


def test_the_module_file_its_helpers_and_the_feedback_store_load_no_torch_or_monai():
    script = f"import json\nMODULE_FOLDER = {str(MODULE_FOLDER)!r}\n{_STAND_INS}\n{_WORK}"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["module"] and "reinforcedvl-starter" in outcome["installed"]
    assert outcome["dice"] == round(2 * 144 / (144 + 192), 6) and "Lesion 1" in outcome["description"]
    assert outcome["loaded"] == []

from __future__ import annotations

import torch
from monai.data import MetaTensor

from reinforcedvl.preprocessing.intensity import NormalizeIntensityForModalityd
from reinforcedvl.vocabulary import Modality


def _normalize(values, modality):
    image = MetaTensor(torch.tensor(values, dtype=torch.float32).reshape(1, -1, 1, 1))
    return NormalizeIntensityForModalityd("image", modality)({"image": image})["image"].flatten()


def test_ct_keeps_hounsfield_meaning():
    out = _normalize([-3000.0, -1000.0, 0.0, 40.0, 1000.0, 5000.0], Modality.CT)
    torch.testing.assert_close(out, torch.tensor([-1.0, -1.0, 0.0, 0.04, 1.0, 2.0]))


def test_mr_is_standardised_on_its_foreground():
    background = [0.0] * 500
    foreground = [100.0, 200.0, 300.0] * 100
    out = _normalize(background + foreground, Modality.MR)
    fg = out[500:]
    assert abs(float(fg.mean())) < 1e-4
    assert abs(float(fg.std()) - 1.0) < 1e-2
    assert float(out[:500].max()) < float(fg.min())

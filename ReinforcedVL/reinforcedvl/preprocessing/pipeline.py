"""From an input volume to the network's grid and back.

The way in is a MONAI ``Compose`` of dictionary transforms: intensity normalisation for the modality, canonical
RAS orientation (``Orientationd``), resampling to the model's spacing (``Spacingd``). The spatial steps record what
they did on the ``MetaTensor``; :meth:`Preprocessor.to_input_grid` replays their inverses on the network's output,
last step first, so every map lands on the input's own voxel grid. Intensity normalisation has no inverse: only
predictions go back, and they carry no intensities.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from monai.data import MetaTensor
from monai.transforms import Compose, Orientationd, Spacingd

from ..errors import UnsupportedVolumeError
from ..volume import ScalarVolume
from .checks import check_volume
from .intensity import NormalizeIntensityForModalityd
from .modality import Modality, ModalityDecision, detect_modality

__all__ = ["PreparedVolume", "Preprocessor"]

_RAS_LABELS = (("L", "R"), ("P", "A"), ("I", "S"))


def _spatial_steps(spacing_mm: tuple[float, float, float], mode: str) -> Compose:
    """Canonical RAS orientation, then resampling to ``spacing_mm`` with interpolation ``mode``."""
    return Compose(
        [
            Orientationd("image", axcodes="RAS", labels=_RAS_LABELS),
            Spacingd("image", pixdim=spacing_mm, mode=mode, padding_mode="border", dtype=np.float32),
        ]
    )


@dataclass(frozen=True, eq=False)
class PreparedVolume:
    """A volume on the network's grid, with what is needed to bring results back.

    Attributes:
        image: float32 ``MetaTensor`` ``(in_channels, X, Y, Z)``: normalised, RAS-oriented, at the model spacing;
            its ``applied_operations`` record the spatial steps.
        volume: the input volume; results return to its grid.
        modality: the modality used for normalisation, and why.
        background_value: the normalised intensity of the darkest voxels, used to pad windows at the border.
    """

    image: MetaTensor
    volume: ScalarVolume
    modality: ModalityDecision
    background_value: float


class Preprocessor:
    """Prepares volumes for a network that reads ``in_channels`` channels at ``spacing_mm``.

    Example:
        >>> preprocessor = Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=2)
        >>> prepared = preprocessor.prepare(volume)  # doctest: +SKIP
        >>> probability = preprocessor.to_input_grid(prepared, network_output)  # doctest: +SKIP
    """

    def __init__(self, *, spacing_mm: tuple[float, float, float], in_channels: int) -> None:
        self.spacing_mm = spacing_mm
        self.in_channels = in_channels
        self._spatial = _spatial_steps(spacing_mm, "bilinear")
        self._spatial_labels = _spatial_steps(spacing_mm, "nearest")

    def prepare(self, volume: ScalarVolume, modality: Modality | None = None) -> PreparedVolume:
        """Check, normalise, orient and resample ``volume``; ``modality`` None means detect it.

        Raises:
            UnsupportedVolumeError: more channels than the network reads, or a volume :func:`check_volume` refuses.
        """
        if volume.num_channels > self.in_channels:
            raise UnsupportedVolumeError(
                f"{volume.name} has {volume.num_channels} channels; this model reads at most {self.in_channels} "
                "(e.g. FLAIR and T1c). Pass fewer images."
            )
        check_volume(volume, self.spacing_mm)
        decision = detect_modality(volume, modality)
        image = MetaTensor(torch.from_numpy(np.ascontiguousarray(volume.array, dtype=np.float32)), affine=volume.affine)
        data = NormalizeIntensityForModalityd("image", decision.modality)({"image": image})
        image = self._spatial(data)["image"]
        if image.shape[0] < self.in_channels:
            repeats = [image[:1]] * (self.in_channels - image.shape[0])
            image = MetaTensor(
                torch.cat([image.as_tensor(), *[r.as_tensor() for r in repeats]]),
                meta=image.meta,
                applied_operations=image.applied_operations,
            )
        return PreparedVolume(image, volume, decision, float(image.min()))

    def labels_to_model_grid(self, prepared: PreparedVolume, labels: np.ndarray) -> torch.Tensor:
        """Bring a label array on the input grid ``(I, J, K)`` onto the network's grid (nearest neighbour):
        float32 ``(1, X, Y, Z)``, voxel for voxel aligned with ``prepared.image``."""
        if labels.shape != prepared.volume.spatial_shape:
            raise ValueError(
                f"labels of shape {labels.shape} do not lie on the volume's grid {prepared.volume.spatial_shape}"
            )
        tensor = MetaTensor(torch.from_numpy(labels.astype(np.float32))[None], affine=prepared.volume.affine)
        return self._spatial_labels({"image": tensor})["image"].as_tensor()

    def to_input_grid(self, prepared: PreparedVolume, maps: torch.Tensor) -> np.ndarray:
        """Bring maps on the network's grid ``(K, X, Y, Z)`` back to the input grid: float32 ``(K, I, J, K)``.

        Values are interpolated linearly (they are probabilities or attention, thresholded afterwards).
        """
        on_model_grid = MetaTensor(
            maps.detach().float().cpu().as_subclass(torch.Tensor),
            affine=prepared.image.affine,
            applied_operations=copy.deepcopy(prepared.image.applied_operations),
        )
        restored = self._spatial.inverse({"image": on_model_grid})["image"]
        array = restored.as_tensor().numpy()
        if array.shape[1:] != prepared.volume.spatial_shape:
            raise RuntimeError(
                f"Internal error: maps came back with shape {array.shape[1:]}, expected "
                f"{prepared.volume.spatial_shape}; please report this with the input's geometry."
            )
        return array

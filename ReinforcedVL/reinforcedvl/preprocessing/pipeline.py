"""From an input volume to the network's grid and back.

The way in is a MONAI ``Compose`` of dictionary transforms: intensity normalisation for the modality, canonical
RAS orientation (``Orientationd``), resampling to the model's spacing (``Spacingd``), then a crop to the study's
content (``SpatialCropd`` on the bounding box of voxels above the background: the body in CT, the head or brain in
MR), so no window is spent on air. The way back, :meth:`Preprocessor.to_input_grid`, interpolates the network's
maps at every input voxel through the two grids' affines (``input_grid.py``), a slab of slices at a time, so every
map lands on the input's own voxel grid (zero outside the crop) without whole-volume intermediates. Intensity
normalisation has no inverse: only predictions go back, and they carry no intensities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from monai.data import MetaTensor
from monai.transforms import Compose, Orientationd, Spacingd, SpatialCropd
from monai.transforms.utils import generate_spatial_bounding_box

from ..errors import UnsupportedVolumeError
from ..vocabulary import Modality
from ..volume import ScalarVolume
from .checks import check_volume
from .input_grid import resample_to_input_grid
from .intensity import NormalizeIntensityForModalityd
from .modality import ModalityDecision, detect_modality

__all__ = ["PreparedVolume", "Preprocessor"]

_RAS_LABELS = (("L", "R"), ("P", "A"), ("I", "S"))
_CROP_MARGIN_VOXELS = 8
# Content: above the darkest intensity by this fraction of the channel's robust range (CT: about -925 HU, which
# keeps the lungs and drops the air around the body; skull-stripped MR: everything but the constant background).
_CONTENT_FRACTION = 0.05


def content_mask(image: torch.Tensor) -> torch.Tensor:
    """Voxels of a normalised ``(C, X, Y, Z)`` image that hold content rather than background, per channel."""
    flat = image.reshape(image.shape[0], -1).float()
    if flat.shape[1] > 1_000_000:
        flat = flat[:, :: flat.shape[1] // 1_000_000]
    low = flat.min(dim=1).values
    high = torch.quantile(flat, 0.99, dim=1)
    threshold = low + _CONTENT_FRACTION * (high - low)
    return image > threshold.reshape(-1, 1, 1, 1)


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
        crop: the crop to the study's content (its slices place the crop on the model grid).
        model_grid_shape: the model grid's spatial shape before the crop.
    """

    image: MetaTensor
    volume: ScalarVolume
    modality: ModalityDecision
    background_value: float
    crop: SpatialCropd
    model_grid_shape: tuple[int, int, int]


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
        background = float(image.min())
        model_grid_shape = tuple(int(n) for n in image.shape[1:])
        start, end = generate_spatial_bounding_box(
            image, select_fn=content_mask, margin=_CROP_MARGIN_VOXELS, allow_smaller=True
        )
        crop = SpatialCropd("image", roi_start=start, roi_end=end)
        image = crop({"image": image})["image"]
        if image.shape[0] < self.in_channels:
            repeats = [image[:1]] * (self.in_channels - image.shape[0])
            image = MetaTensor(
                torch.cat([image.as_tensor(), *[r.as_tensor() for r in repeats]]),
                meta=image.meta,
                applied_operations=image.applied_operations,
            )
        return PreparedVolume(image, volume, decision, background, crop, model_grid_shape)

    def labels_to_model_grid(self, prepared: PreparedVolume, labels: np.ndarray) -> torch.Tensor:
        """Bring a label array on the input grid ``(I, J, K)`` onto the network's grid (nearest neighbour):
        float32 ``(1, X, Y, Z)``, voxel for voxel aligned with ``prepared.image``."""
        if labels.shape != prepared.volume.spatial_shape:
            raise ValueError(
                f"labels of shape {labels.shape} do not lie on the volume's grid {prepared.volume.spatial_shape}"
            )
        tensor = MetaTensor(torch.from_numpy(labels.astype(np.float32))[None], affine=prepared.volume.affine)
        on_model_grid = self._spatial_labels({"image": tensor})["image"]
        return prepared.crop.cropper(on_model_grid).as_tensor()

    def to_input_grid(
        self,
        prepared: PreparedVolume,
        maps: torch.Tensor,
        *,
        region: tuple[slice, slice, slice] | None = None,
        input_box: tuple[slice, slice, slice] | None = None,
    ) -> np.ndarray:
        """Bring maps on the network's grid ``(K, X, Y, Z)`` back to the input grid: float32 ``(K, I, J, K)``.

        Values are interpolated linearly (they are probabilities or attention, thresholded afterwards), zero
        outside the content crop; the input grid is filled a slab of slices at a time.

        Args:
            prepared: the volume the maps were computed on.
            maps: on the whole (cropped) model grid, or on ``region`` of it.
            region: the part of the model grid the maps cover (zero elsewhere); None for all of it.
            input_box: the part of the input grid to fill (the result then has its shape); None for all of it.
        """
        expected = tuple(prepared.image.shape[1:]) if region is None else tuple(s.stop - s.start for s in region)
        if tuple(maps.shape[1:]) != expected:
            raise ValueError(f"maps of shape {tuple(maps.shape[1:])} do not lie on the model grid {expected}")
        crop_start = [s.start or 0 for s in prepared.crop.cropper.slices]
        input_to_model = np.linalg.inv(np.asarray(prepared.image.affine, dtype=np.float64)) @ prepared.volume.affine
        input_to_model[:3, 3] += crop_start
        input_shape = prepared.volume.spatial_shape
        if region is not None:
            crop_start = [start + part.start for start, part in zip(crop_start, region, strict=True)]
        if input_box is not None:
            shift = np.eye(4)
            shift[:3, 3] = [part.start for part in input_box]
            input_to_model = input_to_model @ shift
            input_shape = tuple(part.stop - part.start for part in input_box)
        return resample_to_input_grid(
            maps,
            input_to_model=input_to_model,
            input_shape=input_shape,
            crop_start=crop_start,
            model_shape=prepared.model_grid_shape,
        )

"""Reading and writing volumes: NIfTI, NRRD, MetaImage and DICOM series, through SimpleITK.

This module is the only place that converts between ITK's LPS frame and our RAS frame
(:func:`lps_to_ras_affine`), and between ITK's ``(z, y, x)`` arrays and our ``(i, j, k)`` arrays.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence
from pathlib import Path

import nibabel
import numpy as np
import SimpleITK as sitk
from nibabel.filebasedimages import ImageFileError
from nibabel.spatialimages import HeaderDataError

from ..errors import InputFileError, UnsupportedVolumeError
from ..volume import FileFormat, LabelMap, ScalarVolume, Volume, VolumeSource, check_same_grid
from .dicom_geometry import check_slice_geometry

__all__ = [
    "LPS_TO_RAS",
    "lps_to_ras_affine",
    "read_image",
    "read_label_map",
    "check_label_values",
    "MAX_LABELS",
    "write_volume",
    "file_format_of",
    "output_suffix_for",
    "to_sitk_image",
]

# Flips x and y: LPS (DICOM, ITK) <-> RAS (Slicer, NIfTI's world). It is its own inverse.
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])

_SUFFIXES: dict[str, FileFormat] = {
    ".nii": "nifti",
    ".nii.gz": "nifti",
    ".nrrd": "nrrd",
    ".nhdr": "nrrd",
    ".mha": "metaimage",
    ".mhd": "metaimage",
    ".dcm": "dicom",
}
# What a damaged file makes ITK or nibabel raise: ITK's RuntimeError; truncated or corrupt streams; and from
# nibabel's second reading of NIfTI, header fields out of range (HeaderDataError, ValueError, OverflowError) or
# sizes that claim more memory than there is.
_READ_ERRORS = (
    RuntimeError,
    EOFError,
    OSError,
    zlib.error,
    ImageFileError,
    HeaderDataError,
    ValueError,
    OverflowError,
    MemoryError,
)

MAX_LABELS = 1000
"""More distinct non-zero values than this and a file is not read as a label map."""
_FEW_LABELS = 16  # up to this many labels, any arrangement is taken as a label map
_MIN_NEIGHBOUR_AGREEMENT = 0.5  # shared data: label maps 0.88-1.0, integer CT and MR images 0.01-0.04
_LABEL_MAP_EXPORT = "In 3D Slicer export a segmentation with 'Export to files' > 'Labelmap'."

# ITK's own warnings (unused NIfTI fields and the like) would reach the user's terminal; our messages replace them.
sitk.ProcessObject.SetGlobalWarningDisplay(False)

_WRITE_SUFFIX: dict[FileFormat, str] = {"nifti": ".nii.gz", "nrrd": ".nrrd", "metaimage": ".mha", "dicom": ".nrrd"}


def lps_to_ras_affine(image: sitk.Image) -> np.ndarray:
    """The ``4x4`` voxel-index-to-RAS matrix of a 3D SimpleITK image."""
    direction = np.asarray(image.GetDirection(), dtype=np.float64).reshape(3, 3)
    affine_lps = np.eye(4)
    affine_lps[:3, :3] = direction * np.asarray(image.GetSpacing(), dtype=np.float64)
    affine_lps[:3, 3] = image.GetOrigin()
    return LPS_TO_RAS @ affine_lps


def file_format_of(path: Path) -> FileFormat | None:
    """The format a path names by its suffix (a folder is a DICOM series), or None if unknown."""
    if path.is_dir():
        return "dicom"
    name = path.name.lower()
    for suffix, file_format in _SUFFIXES.items():
        if name.endswith(suffix):
            return file_format
    return None


def output_suffix_for(source: VolumeSource | None) -> str:
    """The suffix results take for an input: its own format, NRRD for DICOM (Slicer's label map format)."""
    return _WRITE_SUFFIX[source.file_format] if source else ".nii.gz"


def read_image(paths: str | Path | Sequence[str | Path]) -> ScalarVolume:
    """Read one study as a scalar volume; several paths are its channels (e.g. FLAIR and T1c).

    Args:
        paths: a NIfTI, NRRD or MetaImage file, a DICOM series folder, or one file of a DICOM series;
            or several such, all on the same voxel grid.

    Returns:
        float32 volume ``(C, I, J, K)``, C = number of paths, with the first path's source.

    Raises:
        InputFileError: a path is missing or not a readable volume.
        UnsupportedVolumeError: 4D, colour or complex data.
        GridMismatchError: the channels are not on one grid.
    """
    path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not path_list:
        raise InputFileError("No image was given: pass at least one volume file or DICOM folder.")
    channels = [_read_single(path) for path in path_list]
    check_same_grid(channels, "channels of one study")
    array = np.concatenate([channel.array for channel in channels]).astype(np.float32, copy=False)
    name = " + ".join(channel.name for channel in channels)
    return ScalarVolume(array, channels[0].affine, channels[0].source, name)


def read_label_map(path: str | Path) -> LabelMap:
    """Read a label map (integer labels, 0 background) from a NIfTI, NRRD or MetaImage file.

    What is not a label map is refused, whatever its file type says (:func:`check_label_values`).

    Raises:
        InputFileError: missing or unreadable file, or voxel values that are not those of a label map.
    """
    volume = _read_single(Path(path))
    array = volume.array
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)):
            raise InputFileError(
                f"{volume.name} holds non-integer values, so it is not a label map. Pass a mask whose voxels "
                f"are 0 (background) and whole-number labels; {_LABEL_MAP_EXPORT}"
            )
        array = array.astype(np.int32)
    check_label_values(array, volume.name)
    return LabelMap(array, volume.affine, volume.source, volume.name)


def check_label_values(array: np.ndarray, name: str) -> None:
    """Raise :class:`InputFileError` unless the integer ``array`` reads as a label map.

    A label map names regions: its values are 0 (background) and positive labels, a few of them
    (:data:`MAX_LABELS` at most; a TotalSegmentator map has 117), and with more than a few labels each covers
    whole patches, so that two neighbouring labelled voxels nearly always share their value. An image stored with
    integers (CT in HU, MR signal) fails on at least one count: negative values, thousands of distinct values, or
    neighbours that differ.
    """
    low = int(array.min(initial=0))
    if low < 0:
        raise InputFileError(
            f"{name} holds negative values (down to {low}), so it is not a label map: labels are 0 (background) "
            f"and positive whole numbers. Was the image passed as the mask? {_LABEL_MAP_EXPORT}"
        )
    labels = np.unique(array)
    labels = labels[labels != 0]
    if labels.size > MAX_LABELS:
        raise InputFileError(
            f"{name} holds {labels.size} distinct values, more than the {MAX_LABELS} labels a label map is read with: "
            f"it looks like an image, not a mask. {_LABEL_MAP_EXPORT}"
        )
    if labels.size > _FEW_LABELS and (agreement := _neighbour_agreement(array)) < _MIN_NEIGHBOUR_AGREEMENT:
        raise InputFileError(
            f"{name} holds {labels.size} values that change from voxel to voxel (only {agreement:.0%} of neighbouring "
            "labelled voxels share their value; in a label map nearly all do): it looks like an image, not a "
            f"mask. {_LABEL_MAP_EXPORT}"
        )


def _neighbour_agreement(array: np.ndarray) -> float:
    """Of the pairs of neighbouring voxels (along each axis in turn) that are both labelled, the share with the same
    value: inside a region it is 1, only borders between touching regions lower it."""
    agree = pairs = 0
    spatial = array.reshape(array.shape[-3:]) if array.ndim > 3 else array
    for axis in range(spatial.ndim):
        if spatial.shape[axis] < 2:
            continue
        first = np.moveaxis(spatial, axis, 0)
        both = (first[:-1] != 0) & (first[1:] != 0)
        agree += int(np.count_nonzero(both & (first[:-1] == first[1:])))
        pairs += int(np.count_nonzero(both))
    return agree / pairs if pairs else 1.0


def write_volume(volume: Volume, path: str | Path, *, levels: int | None = None) -> Path:
    """Write a volume (one channel) on its own grid, in the format the suffix names.

    Label maps are written as the smallest unsigned integer type that holds their labels; scalar volumes as
    float32. The file carries the exact geometry (spacing, origin, direction in LPS as ITK writes it). ``levels``
    rounds a scalar volume's values to multiples of ``1 / levels`` in the file (still float32; the volume itself is
    left as it is): a map shown as colours needs no finer steps, and with few distinct values the compressed file is
    many times smaller and faster to write.
    """
    path = Path(path)
    file_format = file_format_of(path)
    if file_format is None or file_format == "dicom":
        raise ValueError(f"Cannot write {path}: use a .nii.gz, .nrrd or .mha file name")
    if volume.num_channels != 1:
        raise ValueError(f"{volume.name}: write one channel at a time, this volume has {volume.num_channels}")
    path.parent.mkdir(parents=True, exist_ok=True)
    sitk.WriteImage(to_sitk_image(volume, levels=levels), str(path), useCompression=True)
    return path


def to_sitk_image(volume: Volume, *, levels: int | None = None) -> sitk.Image:
    """The first channel of a volume as a SimpleITK image in LPS, with its exact geometry (``levels``: as in
    :func:`write_volume`)."""
    array = volume.array[0]
    if isinstance(volume, LabelMap):
        array = array.astype(_label_dtype(int(array.max(initial=0))), copy=False)
    elif array.dtype != np.float32:
        array = array.astype(np.float32)
    voxels = np.array(array.transpose(2, 1, 0), order="C")  # a copy in ITK's axis order, ours to round in place
    if levels is not None and not isinstance(volume, LabelMap):
        _round_to_levels(voxels, levels)
    image = sitk.GetImageFromArray(voxels)
    affine_lps = LPS_TO_RAS @ volume.affine
    spacing = np.linalg.norm(affine_lps[:3, :3], axis=0)
    image.SetSpacing(spacing.tolist())
    image.SetDirection((affine_lps[:3, :3] / spacing).ravel().tolist())
    image.SetOrigin(affine_lps[:3, 3].tolist())
    return image


def _round_to_levels(values: np.ndarray, levels: int) -> None:
    """Round ``values`` in place to the nearest multiple of ``1 / levels``."""
    values *= levels
    np.round(values, out=values)
    values /= levels


def _label_dtype(max_label: int) -> type:
    return np.uint8 if max_label <= np.iinfo(np.uint8).max else np.uint16


def _read_single(path: Path) -> ScalarVolume:
    if not path.exists():
        raise InputFileError(f"{path} does not exist. Check the path (relative paths start from {Path.cwd()}).")
    file_format = file_format_of(path)
    if file_format is None:
        raise InputFileError(
            f"{path.name} is not a format ReinforcedVL reads. Use NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), "
            "MetaImage (.mha, .mhd) or a DICOM series folder."
        )
    nonfinite = None
    if file_format == "dicom":
        image, source = _read_dicom_series(path)
    else:
        image, nonfinite = _read_file(path)
        source = VolumeSource(paths=(path,), file_format=file_format)
    volume = _from_sitk(image, source, _display_name(path))
    if nonfinite is not None and nonfinite.any() and nonfinite.shape == volume.spatial_shape:
        volume.array[0][nonfinite] = np.nan
    return volume


def _read_file(path: Path) -> tuple[sitk.Image, np.ndarray | None]:
    """The image, and for NIfTI files the voxels ITK silently zeroed because they were NaN or infinite."""
    try:
        image = sitk.ReadImage(str(path))
        nonfinite = _nifti_nonfinite_voxels(path) if file_format_of(path) == "nifti" else None
        return image, nonfinite
    except _READ_ERRORS as error:
        raise InputFileError(
            f"{path} could not be read as a {file_format_of(path)} volume; the file may be truncated or "
            f"corrupt ({_first_line(error)}). Export it again from its source."
        ) from None


def _nifti_nonfinite_voxels(path: Path) -> np.ndarray | None:
    """Check a NIfTI file independently of ITK, which reads truncated files without complaint (filling the
    missing voxels with zeros) and turns NaN voxels into zeros. Returns the NaN/infinite voxels of a
    floating-point file as a boolean ``(I, J, K)`` array, None for an integer file."""
    image = nibabel.load(str(path))
    header = image.header
    if np.issubdtype(header.get_data_dtype(), np.floating):
        nonfinite = ~np.isfinite(np.asanyarray(image.dataobj))
        spatial = nonfinite.shape[:3]
        return nonfinite.reshape(spatial) if nonfinite.size == np.prod(spatial) else None
    expected = int(header.get_data_offset()) + int(np.prod(header.get_data_shape())) * header.get_data_dtype().itemsize
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    available = 0
    with opener(path, "rb") as stream:
        while chunk := stream.read(1 << 22):
            available += len(chunk)
    if available < expected:
        raise EOFError(f"{available} of {expected} bytes present")
    return None


def _read_dicom_series(path: Path) -> tuple[sitk.Image, VolumeSource]:
    folder = path if path.is_dir() else path.parent
    series_ids = sitk.ImageSeriesReader.GetGDCMSeriesIDs(str(folder))
    if not series_ids:
        raise InputFileError(f"{folder} holds no readable DICOM image series. Point to the folder of one series.")
    if path.is_dir():
        if len(series_ids) > 1:
            listed = "\n  ".join(series_ids)
            raise InputFileError(
                f"{folder} holds {len(series_ids)} DICOM series:\n  {listed}\n"
                "Pass one file of the series you want (any of its slices), or a folder with one series only."
            )
        series_id = series_ids[0]
    else:
        series_id = _series_of_file(path)
    file_names = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(folder), series_id)
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(file_names)
    reader.MetaDataDictionaryArrayUpdateOn()
    reader.LoadPrivateTagsOff()
    try:
        image = reader.Execute()
    except RuntimeError as error:
        raise InputFileError(f"The DICOM series in {folder} could not be read ({_first_line(error)}).") from None
    check_slice_geometry(folder, file_names, image)
    modality = reader.GetMetaData(0, "0008|0060").strip() if reader.HasMetaDataKey(0, "0008|0060") else None
    source = VolumeSource(tuple(Path(f) for f in file_names), "dicom", modality or None, series_id)
    return image, source


def _series_of_file(path: Path) -> str:
    reader = sitk.ImageFileReader()
    reader.SetFileName(str(path))
    try:
        reader.ReadImageInformation()
    except RuntimeError as error:
        raise InputFileError(f"{path} is not a readable DICOM file ({_first_line(error)}).") from None
    if not reader.HasMetaDataKey("0020|000e"):
        raise InputFileError(f"{path} has no Series Instance UID, so its series cannot be found.")
    return reader.GetMetaData("0020|000e").strip()


def _from_sitk(image: sitk.Image, source: VolumeSource, name: str) -> ScalarVolume:
    if image.GetNumberOfComponentsPerPixel() != 1:
        raise UnsupportedVolumeError(
            f"{name} has {image.GetNumberOfComponentsPerPixel()} values per voxel (colour or vector data). "
            "ReinforcedVL segments grey-value volumes: convert it to a scalar volume (e.g. one colour channel)."
        )
    image = _as_3d(image, name)
    array = sitk.GetArrayFromImage(image).transpose(2, 1, 0)[np.newaxis]
    return ScalarVolume(array, lps_to_ras_affine(image), source, name)


def _as_3d(image: sitk.Image, name: str) -> sitk.Image:
    dimension = image.GetDimension()
    if dimension == 3:
        return image
    if dimension == 2:
        return sitk.JoinSeries(image)
    if dimension == 4:
        size = image.GetSize()
        if size[3] == 1:
            return image[:, :, :, 0]
        raise UnsupportedVolumeError(
            f"{name} is 4D with {size[3]} volumes (a time series or several contrasts in one file). "
            "Split it into 3D files (e.g. 3D Slicer's Sequences module, or fslsplit) and pass the ones to use "
            "as separate IMAGE arguments."
        )
    raise UnsupportedVolumeError(f"{name} has {dimension} dimensions; ReinforcedVL reads 2D, 3D and 4D volumes.")


def _display_name(path: Path) -> str:
    return path.name if path.is_file() or not path.exists() else path.name + "/"


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    useful = [line for line in lines if "ERROR" in line.upper() or "error" in line]
    return (useful or lines or ["unknown error"])[-1][:200]

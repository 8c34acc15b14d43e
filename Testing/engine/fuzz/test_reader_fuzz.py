"""Hostile inputs for every reader: seeded random damage to NIfTI, NRRD and DICOM files and to masks.

Every case must end in a usable result or in one of ReinforcedVL's own errors with a message (exit status 2 in the
CLI): never another exception type, never a volume with NaN geometry, never NaN in a report. The damage is drawn
from fixed seeds, so a failure names a case that can be rerun; the whole module runs in well under 30 s.
"""

from __future__ import annotations

import gzip
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pydicom
import pytest

from geometry_helpers import affine_from
from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.io import read_image, read_label_map, write_volume
from reinforcedvl.study.report_job import report_study
from reinforcedvl.volume import LabelMap, ScalarVolume, check_image_values

SEED = 17
CASES_PER_KIND = 12


def _ct() -> ScalarVolume:
    """A small CT-like volume: air around a soft-tissue block, on an oblique anisotropic grid."""
    rng = np.random.default_rng(SEED)
    array = np.full((20, 18, 8), -900.0, np.float32)
    array[5:15, 4:14, 2:6] = 40.0
    array += rng.normal(0, 10, array.shape).astype(np.float32)
    return ScalarVolume(array[None], affine_from((0.8, 0.8, 2.5), origin=(10.0, -20.0, 30.0)), name="ct")


def _outcome(read, path: Path) -> str:
    """Read ``path`` with ``read``; return "read" or "refused", and fail on anything else."""
    try:
        volume = read(path)
    except ReinforcedVLError as error:
        message = str(error)
        assert message.strip() and "Traceback" not in message, f"{path.name}: empty message"
        assert error.exit_code == 2
        return "refused"
    except Exception as error:  # noqa: BLE001 - the point of the test: no other exception type may escape
        pytest.fail(f"{path.name}: {type(error).__name__} escaped the reader: {error}")
    assert np.isfinite(volume.affine).all(), f"{path.name}: non-finite geometry {volume.affine.tolist()}"
    assert all(spacing > 0 for spacing in volume.spacing), f"{path.name}: spacing {volume.spacing}"
    assert abs(np.linalg.det(volume.affine[:3, :3])) > 0, f"{path.name}: degenerate axes {volume.affine.tolist()}"
    assert min(volume.spatial_shape) >= 1
    if isinstance(volume, LabelMap):
        assert np.issubdtype(volume.array.dtype, np.integer) and volume.array.min(initial=0) >= 0
        return "read"
    try:
        check_image_values(volume)  # what segment and report do next: NaN never goes further
    except ReinforcedVLError:
        return "refused"
    assert np.isfinite(volume.array).all()
    return "read"


# --- NIfTI -------------------------------------------------------------------------------------------------------

# Offsets in the NIfTI-1 header: dim[8] int16 at 40, datatype int16 at 70, bitpix int16 at 72, pixdim[8] float32
# at 76, vox_offset float32 at 108, scl_slope and scl_inter float32 at 112 and 116, qform_code/sform_code at 252/254.
_INT16_FIELDS = [40, 42, 44, 46, 70, 72, 252, 254]
_FLOAT_FIELDS = [80, 84, 88, 108, 112, 116]
_HOSTILE_INT16 = [0, -1, 1, 7, 8, 9, 32767, -32768, 255, 2048]
_HOSTILE_FLOAT = [0.0, -1.0, float("nan"), float("inf"), -float("inf"), 1e30, 1e-30, 3.0e9]


def _nifti_mutations(rng: np.random.Generator, original: bytes) -> list[tuple[str, bytes]]:
    cases = [("empty", b""), ("header only", original[:352]), ("one byte", original[:1])]
    for _ in range(CASES_PER_KIND):
        cut = int(rng.integers(1, len(original)))
        cases.append((f"truncated at {cut}", original[:cut]))
    for number in range(CASES_PER_KIND):
        data = bytearray(original)
        for _ in range(int(rng.integers(1, 9))):
            data[int(rng.integers(0, 348))] = int(rng.integers(0, 256))
        cases.append((f"header garbage {number}", bytes(data)))
    for _ in range(CASES_PER_KIND):
        data = bytearray(original)
        offset = int(rng.choice(_INT16_FIELDS))
        value = int(rng.choice(_HOSTILE_INT16))
        struct.pack_into("<h", data, offset, value)
        cases.append((f"int16 at {offset} = {value}", bytes(data)))
    for _ in range(CASES_PER_KIND):
        data = bytearray(original)
        offset = int(rng.choice(_FLOAT_FIELDS))
        value = float(rng.choice(_HOSTILE_FLOAT))
        struct.pack_into("<f", data, offset, value)
        cases.append((f"float32 at {offset} = {value}", bytes(data)))
    for bad in (np.nan, np.inf, -np.inf):
        data = bytearray(original)
        voxels = np.frombuffer(data, dtype="<f4", offset=352)
        writable = voxels.copy()
        writable[rng.integers(0, writable.size, size=3)] = bad
        data[352:] = writable.tobytes()
        cases.append((f"{bad} voxels", bytes(data)))
    return cases


@pytest.fixture(scope="module")
def nifti_bytes(tmp_path_factory) -> bytes:
    return write_volume(_ct(), tmp_path_factory.mktemp("nifti") / "ct.nii").read_bytes()


@pytest.mark.parametrize("compressed", [False, True], ids=["nii", "nii.gz"])
def test_damaged_nifti_files_are_read_or_refused(nifti_bytes, tmp_path, compressed):
    rng = np.random.default_rng(SEED + compressed)
    outcomes = {}
    for name, data in _nifti_mutations(rng, nifti_bytes):
        path = tmp_path / f"case{len(outcomes)}.nii{'.gz' if compressed else ''}"
        path.write_bytes(gzip.compress(data) if compressed else data)
        outcomes[name] = _outcome(read_image, path)
    assert outcomes["empty"] == outcomes["header only"] == "refused"
    assert outcomes["nan voxels"] == outcomes["inf voxels"] == "refused"
    assert "read" in outcomes.values()  # harmless damage (an unused header byte) still reads


def test_a_damaged_gzip_stream_is_refused(nifti_bytes, tmp_path):
    rng = np.random.default_rng(SEED)
    packed = gzip.compress(nifti_bytes)
    for number in range(CASES_PER_KIND):
        data = bytearray(packed)
        for _ in range(4):
            data[int(rng.integers(10, len(data)))] ^= 0xFF
        path = tmp_path / f"case{number}.nii.gz"
        path.write_bytes(bytes(data))
        _outcome(read_image, path)


# --- NRRD --------------------------------------------------------------------------------------------------------

_NRRD_FIELDS = {
    "type": "float",
    "dimension": "3",
    "space": "left-posterior-superior",
    "sizes": "6 5 4",
    "space directions": "(0.8,0,0) (0,0.8,0) (0,0,2.5)",
    "kinds": "domain domain domain",
    "endian": "little",
    "encoding": "raw",
    "space origin": "(1,2,3)",
}
_HOSTILE_NRRD_VALUES = {
    "type": ["complex", "blah", "double", "uint8", ""],
    "dimension": ["0", "2", "4", "-3", "x"],
    "sizes": ["6 5", "6 5 0", "-6 5 4", "a b c", "6 5 4 9", "60 50 40", "1 1 1"],
    "space directions": [
        "(nan,0,0) (0,0.8,0) (0,0,2.5)",
        "(0,0,0) (0,0,0) (0,0,0)",
        "none none none",
        "(1,0)",
        "(inf,0,0) (0,1,0) (0,0,1)",
        "(0.8,0,0) (0.8,0,0) (0,0,2.5)",
    ],  # fmt: skip
    "endian": ["middle", "big"],
    "encoding": ["gzip", "bzip2", "hex", "ascii", "zip", "nonsense"],
    "space origin": ["(nan,0,0)", "(1,2)", "oops"],
    "space": ["right-anterior-superior", "nowhere"],
    "kinds": ["RGB-color domain domain", "3D-matrix"],
}


def _nrrd(fields: dict[str, str], data: bytes) -> bytes:
    header = "NRRD0004\n" + "".join(f"{key}: {value}\n" for key, value in fields.items()) + "\n"
    return header.encode() + data


def _nrrd_cases(rng: np.random.Generator) -> list[tuple[str, bytes]]:
    voxels = rng.normal(0, 100, size=(4, 5, 6)).astype("<f4").tobytes()
    cases = [("valid", _nrrd(_NRRD_FIELDS, voxels)), ("no data", _nrrd(_NRRD_FIELDS, b""))]
    for key, values in _HOSTILE_NRRD_VALUES.items():
        for value in values:
            cases.append((f"{key}: {value}", _nrrd({**_NRRD_FIELDS, key: value}, voxels)))
    for key in _NRRD_FIELDS:
        cases.append((f"no {key}", _nrrd({k: v for k, v in _NRRD_FIELDS.items() if k != key}, voxels)))
    for _ in range(CASES_PER_KIND):
        cut = int(rng.integers(0, len(voxels)))
        cases.append((f"data cut at {cut}", _nrrd(_NRRD_FIELDS, voxels[:cut])))
    for number in range(CASES_PER_KIND):
        data = bytearray(_nrrd(_NRRD_FIELDS, voxels))
        header_end = data.index(b"\n\n")
        for _ in range(int(rng.integers(1, 6))):
            data[int(rng.integers(0, header_end))] = int(rng.integers(0, 256))
        cases.append((f"header garbage {number}", bytes(data)))
    cases.append(("no blank line", _nrrd(_NRRD_FIELDS, b"")[:-1] + voxels))
    cases.append(("not a nrrd", bytes(rng.integers(0, 256, size=500, dtype=np.uint8))))
    return cases


def test_damaged_nrrd_files_are_read_or_refused(tmp_path):
    outcomes = {}
    for number, (name, data) in enumerate(_nrrd_cases(np.random.default_rng(SEED))):
        path = tmp_path / f"case{number}.nrrd"
        path.write_bytes(data)
        outcomes[name] = _outcome(read_image, path)
    assert outcomes["valid"] == "read"
    assert outcomes["space directions: (nan,0,0) (0,0.8,0) (0,0,2.5)"] == "refused"
    assert outcomes["no data"] == "refused"
    assert all(outcome == "refused" for name, outcome in outcomes.items() if name.startswith("data cut"))


# --- DICOM folders -----------------------------------------------------------------------------------------------


def _copy_series(source: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True)
    return [Path(shutil.copy(path, target / path.name)) for path in sorted(source.iterdir())]


def _truncate(rng, files):
    victim = files[int(rng.integers(0, len(files)))]
    data = victim.read_bytes()
    victim.write_bytes(data[: int(rng.integers(0, len(data)))])


def _without_pixel_data(rng, files):
    victim = files[int(rng.integers(0, len(files)))]
    dataset = pydicom.dcmread(victim)
    del dataset.PixelData
    dataset.save_as(victim)


def _garbage_file(rng, files):
    (files[0].parent / "junk.dcm").write_bytes(bytes(rng.integers(0, 256, size=2000, dtype=np.uint8)))


def _all_garbage(rng, files):
    for path in files:
        path.write_bytes(bytes(rng.integers(0, 256, size=800, dtype=np.uint8)))


def _other_series_mixed_in(rng, files, other_series: Path):
    for path in sorted(other_series.iterdir())[:2]:
        shutil.copy(path, files[0].parent / f"other-{path.name}")


def _smaller_frame(rng, files):
    victim = files[int(rng.integers(0, len(files)))]
    dataset = pydicom.dcmread(victim)
    pixels = dataset.pixel_array[::2, ::2].copy()
    dataset.Rows, dataset.Columns = pixels.shape
    dataset.PixelData = pixels.tobytes()
    dataset.save_as(victim)


def _flipped_bytes(rng, files):
    victim = files[int(rng.integers(0, len(files)))]
    data = bytearray(victim.read_bytes())
    for _ in range(16):
        data[int(rng.integers(132, min(len(data), 2000)))] = int(rng.integers(0, 256))
    victim.write_bytes(bytes(data))


def _empty(rng, files):
    for path in files:
        path.unlink()


DICOM_DAMAGE = [_truncate, _without_pixel_data, _garbage_file, _all_garbage, _other_series_mixed_in, _smaller_frame,
                _flipped_bytes, _empty]  # fmt: skip


@pytest.mark.parametrize("damage", DICOM_DAMAGE, ids=lambda damage: damage.__name__.strip("_"))
def test_damaged_dicom_folders_are_read_or_refused(shared_data, tmp_path, damage):
    rng = np.random.default_rng(SEED)
    series = shared_data / "dcmqi_dicom_seg" / "ct-3slice"
    other = shared_data / "totalsegmentator_examples" / "ct_dicom"
    outcomes = []
    for number in range(3):  # three draws of the same kind of damage
        files = _copy_series(series, tmp_path / f"case{number}")
        if damage is _other_series_mixed_in:
            damage(rng, files, other)
        else:
            damage(rng, files)
        outcomes.append(_outcome(read_image, files[0].parent))
    if damage in (_all_garbage, _empty, _other_series_mixed_in):
        assert outcomes == ["refused"] * 3


# --- masks for `report --mask` -----------------------------------------------------------------------------------


def _mask_cases(rng: np.random.Generator, image: ScalarVolume) -> list[tuple[str, LabelMap | ScalarVolume]]:
    shape, affine = image.spatial_shape, image.affine
    block = np.zeros(shape, np.int32)
    block[6:12, 6:12, 2:5] = 1

    def labels(array) -> LabelMap:
        return LabelMap(np.asarray(array)[None], affine, name="mask")

    def values(array) -> ScalarVolume:
        return ScalarVolume(np.asarray(array, np.float32)[None], affine, name="mask")

    cases = [
        ("the block", labels(block)),
        ("empty", labels(np.zeros(shape, np.uint8))),
        ("the image itself", values(image.array[0])),
        ("the image shifted positive", labels(np.clip(image.array[0] + 1000, 0, None).astype(np.int32))),
        ("fractions", values(block * 0.5)),
        ("negative label", values(-block)),
        ("huge labels", labels(block * 70000)),
        ("NaN in a float mask", values(np.where(block > 0, np.nan, 0.0))),
        ("on another grid", LabelMap(block[None], affine_from((1.0, 1.0, 1.0)), name="mask")),
        ("other shape", labels(block[:-2])),
    ]
    for _ in range(CASES_PER_KIND):
        few = rng.integers(0, int(rng.integers(2, 17)), size=shape)
        cases.append((f"noise with {few.max()} labels", labels(few.astype(np.uint16))))
        many = rng.integers(0, int(rng.integers(100, 5000)), size=shape)
        cases.append((f"noise with {many.max()} labels", labels(many.astype(np.uint16))))
    return cases


def _no_nan(text: str) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in report.json")

    json.loads(text, parse_constant=refuse)


def test_hostile_masks_are_reported_or_refused(tmp_path):
    rng = np.random.default_rng(SEED)
    image = _ct()
    image_path = write_volume(image, tmp_path / "ct.nrrd")
    outcomes = {}
    for number, (name, mask) in enumerate(_mask_cases(rng, image)):
        mask_path = write_volume(mask, tmp_path / f"mask{number}.nrrd")
        out = tmp_path / f"out{number}"
        try:
            result = report_study([image_path], mask_path, ["solid nodule"], out, modality="CT")
        except ReinforcedVLError as error:
            assert str(error).strip()
            assert not out.exists(), f"{name}: a refused report left {sorted(p.name for p in out.iterdir())}"
            outcomes[name] = "refused"
            continue
        except Exception as error:  # noqa: BLE001 - no other exception type may escape
            pytest.fail(f"mask {name!r}: {type(error).__name__} escaped: {error}")
        _no_nan(result.json.read_text(encoding="utf-8"))
        assert "nan" not in result.markdown.read_text(encoding="utf-8").lower().split()
        outcomes[name] = "read"
    assert outcomes["the block"] == outcomes["empty"] == "read"
    refused = ("the image itself", "the image shifted positive", "fractions", "negative label", "NaN in a float mask",
               "on another grid", "other shape")  # fmt: skip
    assert {name: outcomes[name] for name in refused} == dict.fromkeys(refused, "refused")
    assert all(outcome == "refused" for name, outcome in outcomes.items() if name.startswith("noise with")
               and int(name.split()[2]) > 16)  # fmt: skip


def test_masks_read_back_as_label_maps_or_are_refused(tmp_path):
    rng = np.random.default_rng(SEED + 1)
    image = _ct()
    for number, (_name, mask) in enumerate(_mask_cases(rng, image)):
        path = write_volume(mask, tmp_path / f"mask{number}.nii.gz")
        _outcome(read_label_map, path)

"""Points and boxes with the shipped starter model on the bundled LIDC sample (a dev nodule it was not trained on),
and the window mechanics with a small untrained checkpoint (which windows run, which features are reused)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from reinforcedvl.errors import SpatialPromptError
from reinforcedvl.evaluation.overlap import dice
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID
from reinforcedvl.modeling import build_network
from reinforcedvl.predictor import Predictor
from reinforcedvl.spatial.prompts import PromptBox, PromptPoint, ras_extent

SAMPLES = Path(__file__).resolve().parents[2] / "Resources" / "Samples"
SAMPLE = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
SAMPLE_MASK = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"
FINDING = "solid lung nodule"


@pytest.fixture(scope="module")
def sample():
    volume = read_image(SAMPLE)
    reference = read_label_map(SAMPLE_MASK).array[0] > 0
    centre = volume.voxel_to_ras(np.asarray(ndimage.center_of_mass(reference)))[0]
    return volume, reference, centre


@pytest.fixture(scope="module")
def starter(sample) -> Predictor:
    predictor = Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")
    predictor.set_volume(sample[0])
    return predictor


def _far_point(volume, reference, distance_mm=15.0):
    """A voxel centre at least ``distance_mm`` from every nodule voxel (in the crop's lung)."""
    distance = ndimage.distance_transform_edt(~reference, sampling=volume.spacing)
    ijk = np.unravel_index(int(np.argmax(distance)), distance.shape)
    assert distance[ijk] >= distance_mm
    return tuple(volume.voxel_to_ras(np.asarray(ijk))[0])


def test_a_click_on_the_nodule_answers_that_nodule_and_says_so(starter, sample):
    volume, reference, centre = sample
    result = starter.segment(FINDING, points=[PromptPoint(tuple(centre))])
    assert result.present and len(result.lesions) == 1
    assert dice(result.lesion_map.array[0] > 0, reference) > 0.75
    assert result.marked_points == {1: (1,)}
    assert result.spatial_prompts.positive_points[0].ras == tuple(float(x) for x in centre)
    assert result.lesion_map.same_grid(volume) and result.evidence_map.same_grid(volume)


def test_a_click_away_from_the_nodule_answers_nothing_there(starter, sample):
    volume, reference, _ = sample
    text_only = starter.segment(FINDING)
    assert text_only.present  # the nodule is there ...
    result = starter.segment(FINDING, points=[PromptPoint(_far_point(volume, reference))])
    assert not result.present and result.lesions == []  # ... but not at the click
    assert not result.lesion_map.array.any()


def test_a_negative_point_on_the_nodule_removes_it(starter, sample):
    _, reference, centre = sample
    result = starter.segment(FINDING, points=[PromptPoint(tuple(centre), positive=False)])
    assert not (result.lesion_map.array[0] > 0)[reference].any()
    assert result.marked_points == {}


def test_a_negative_point_elsewhere_changes_nothing_of_the_clicked_nodule(starter, sample):
    volume, reference, centre = sample
    alone = starter.segment(FINDING, points=[PromptPoint(tuple(centre))])
    both = starter.segment(
        FINDING, points=[PromptPoint(tuple(centre)), PromptPoint(_far_point(volume, reference), positive=False)]
    )
    np.testing.assert_array_equal(both.lesion_map.array, alone.lesion_map.array)


def test_a_box_limits_the_answer_to_its_inside(starter, sample):
    volume, reference, centre = sample
    around = PromptBox(tuple(centre - 12.0), tuple(centre + 12.0))
    result = starter.segment(FINDING, box=around)
    assert result.present
    assert dice(result.lesion_map.array[0] > 0, reference) > 0.7
    ras = volume.voxel_to_ras(np.argwhere(result.lesion_map.array[0] > 0))
    assert np.all((ras >= around.low_ras - 1e-6) & (ras <= around.high_ras + 1e-6))

    low, high = ras_extent(volume)
    corner = PromptBox(tuple(low), (low[0] + 8.0, low[1] + 8.0, high[2]))  # a corner of the crop, away from it
    assert not np.any(reference & _inside(volume, corner))
    assert not starter.segment(FINDING, box=corner).present


def test_a_click_and_a_box_together(starter, sample):
    volume, reference, centre = sample
    result = starter.segment(
        FINDING, points=[PromptPoint(tuple(centre))], box=PromptBox(tuple(centre - 15.0), tuple(centre + 15.0))
    )
    assert result.present and result.marked_points == {1: (1,)}
    assert dice(result.lesion_map.array[0] > 0, reference) > 0.75


def test_lesion_confidence_filters_a_box_but_keeps_the_clicked_lesion(starter, sample):
    """A box asks for what the model finds there, so its lesions must earn their place like a text answer's; a lesion
    a reader marked with a point is kept whatever its confidence."""
    volume, reference, centre = sample
    around = PromptBox(tuple(centre - 12.0), tuple(centre + 12.0))
    kept = starter.lesion_confidence
    try:
        starter.lesion_confidence = 0.0
        found = starter.segment(FINDING, box=around)
        assert found.present
        starter.lesion_confidence = min(1.0, max(lesion.confidence for lesion in found.lesions) + 1e-3)
        assert not starter.segment(FINDING, box=around).present
        clicked = starter.segment(FINDING, points=[PromptPoint(tuple(centre))], box=around)
        assert clicked.present and clicked.marked_points == {1: (1,)}
        assert dice(clicked.lesion_map.array[0] > 0, reference) > 0.75
    finally:
        starter.lesion_confidence = kept


def test_points_outside_the_volume_are_refused_before_any_work(starter, sample):
    volume, _, centre = sample
    _, high = ras_extent(volume)
    with pytest.raises(SpatialPromptError, match="outside the volume"):
        starter.segment(FINDING, points=[PromptPoint((high[0] + 50.0, centre[1], centre[2]))])
    with pytest.raises(SpatialPromptError, match="outside the box"):
        starter.segment(FINDING, points=[PromptPoint(tuple(centre))], box=PromptBox(tuple(high - 3), tuple(high)))


def test_the_description_alone_takes_the_unchanged_path(starter):
    first, second = starter.segment(FINDING), starter.segment(FINDING, points=[], box=None)
    assert first.spatial_prompts is None and second.spatial_prompts is None
    np.testing.assert_array_equal(first.lesion_map.array, second.lesion_map.array)
    np.testing.assert_array_equal(first.evidence_map.array, second.evidence_map.array)


def _inside(volume, box):
    ras = volume.voxel_to_ras(np.indices(volume.spatial_shape).reshape(3, -1).T)
    return np.all((ras >= box.low_ras) & (ras <= box.high_ras), axis=1).reshape(volume.spatial_shape)


@pytest.fixture(scope="module")
def small_windows(tmp_path_factory, untrained_checkpoint) -> Predictor:
    """An untrained network with 16-voxel windows, so the sample's model grid holds many windows; every window is
    outlined (existence threshold 0) and no voxel passes the mask threshold (so no lesion makes the region grow)."""
    base = read_checkpoint(untrained_checkpoint)
    config = base.config.replace(
        window_size=(16, 16, 16), min_window_size=(16, 16, 16), existence_threshold=0.0, mask_threshold=0.9999
    )
    folder = tmp_path_factory.mktemp("small-windows")
    save_checkpoint(folder, build_network(config), config, ModelIdentity("small-windows", "0"))
    return Predictor.from_model(folder, device="cpu")


def test_a_click_runs_only_the_windows_around_it_and_reuses_their_features(small_windows, sample):
    volume, _, centre = sample
    predictor = small_windows
    predictor.set_volume(volume)
    encoded = []
    encode = predictor.network.encode_image
    predictor.network.encode_image = lambda windows: encoded.append(windows.shape[0]) or encode(windows)
    totals = []
    try:
        predictor.segment("nodule", points=[PromptPoint(tuple(centre))], progress=lambda s, d, t: totals.append(t))
        click_windows, click_encoded = max(totals), sum(encoded)
        encoded.clear()
        predictor.segment("nodule", points=[PromptPoint(tuple(centre + 0.5))])
        assert sum(encoded) == 0  # a second click by the first: its windows' features are cached
        totals.clear()
        predictor.segment("nodule", progress=lambda s, d, t: totals.append(t))
    finally:
        predictor.network.encode_image = encode
    whole_windows = max(totals) // 2  # the whole pass runs its windows twice (existence, then masks)
    assert whole_windows >= 8 * click_encoded
    assert click_windows <= 2 * click_encoded  # at most the two passes over the click's own windows
    assert sum(encoded) == whole_windows - click_encoded  # the text pass reuses the click's windows


def test_a_region_grown_or_asked_again_computes_no_window_twice(small_windows_lesions, sample):
    """With every voxel above the mask threshold the marked lesion fills each region, so the region grows; the
    windows of earlier rounds, and of an earlier click with the same description, are not computed again."""
    volume, _, centre = sample
    predictor = small_windows_lesions
    predictor.set_volume(volume)
    grounded = []
    ground = predictor.network.ground
    predictor.network.ground = lambda features, *rest: grounded.append(features[0].shape[0]) or ground(features, *rest)
    try:
        first = predictor.segment("nodule", points=[PromptPoint(tuple(centre))])
        first_count = sum(grounded)
        grounded.clear()
        again = predictor.segment("nodule", points=[PromptPoint(tuple(centre + 0.5))])
        assert sum(grounded) == 0
        grounded.clear()
        other = predictor.segment("mass", points=[PromptPoint(tuple(centre))])
        assert sum(grounded) == first_count  # another description: its own answers
    finally:
        predictor.network.ground = ground
    assert first.present and first_count > 1  # the region grew beyond one window
    np.testing.assert_array_equal(first.lesion_map.array, again.lesion_map.array)
    assert other.lesion_map.array.shape == first.lesion_map.array.shape


@pytest.fixture(scope="module")
def small_windows_lesions(tmp_path_factory, untrained_checkpoint) -> Predictor:
    base = read_checkpoint(untrained_checkpoint)
    config = base.config.replace(
        window_size=(16, 16, 16), min_window_size=(16, 16, 16), existence_threshold=0.0, mask_threshold=0.0001
    )
    folder = tmp_path_factory.mktemp("small-windows-lesions")
    save_checkpoint(folder, build_network(config), config, ModelIdentity("small-windows-lesions", "0"))
    return Predictor.from_model(folder, device="cpu")


@pytest.fixture(scope="module")
def brats_dev(shared_data):
    """BraTS pat0001 (a dev case: the starter never trained on it), FLAIR + T1c, set on the starter; its largest
    enhancing part, and the whole tumour."""
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    volume = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz").array[0]
    parts, _ = ndimage.label(labels == 4, structure=np.ones((3, 3, 3), bool))
    enhancing = parts == np.argmax(np.bincount(parts.ravel())[1:]) + 1
    predictor = Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")
    predictor.set_volume(volume)
    return predictor, volume, enhancing, labels > 0


def test_a_click_on_a_thick_enhancing_rim_selects_the_enhancing_tumour(brats_dev):
    """The click at the enhancing part's deepest voxel (as a reader clicks on it): the model's enhancing mask lies
    beside it (12 mm away, around it), and a 64-voxel window alone outlines nothing there."""
    predictor, volume, enhancing, _ = brats_dev
    depth = ndimage.distance_transform_edt(enhancing, sampling=volume.spacing)
    click = volume.voxel_to_ras(np.asarray(np.unravel_index(int(np.argmax(depth)), depth.shape)))[0]
    result = predictor.segment("enhancing tumour", points=[PromptPoint(tuple(click))])
    assert len(result.lesions) == 1 and result.marked_points == {1: (1,)}
    assert dice(result.lesion_map.array[0] > 0, enhancing) > 0.6


def test_a_click_in_healthy_brain_far_from_the_tumour_draws_nothing(brats_dev):
    predictor, volume, _, tumour = brats_dev
    brain = volume.array[0] != volume.array[0].min()
    inside = ndimage.distance_transform_edt(brain, sampling=volume.spacing) >= 15.0
    away = np.where(inside, ndimage.distance_transform_edt(~tumour, sampling=volume.spacing), 0.0)
    ijk = np.unravel_index(int(np.argmax(away)), away.shape)
    assert away[ijk] >= 40.0
    result = predictor.segment("enhancing tumour", points=[PromptPoint(tuple(volume.voxel_to_ras(np.asarray(ijk))[0]))])
    assert not result.lesions and not result.lesion_map.array.any()

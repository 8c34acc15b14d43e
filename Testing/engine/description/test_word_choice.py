"""The thresholds that choose shape, margin and appearance words, at and around each threshold."""

from __future__ import annotations

import pytest

from reinforcedvl.description.word_choice import choose_appearance, choose_margin, choose_shape
from reinforcedvl.lesions.intensity import IntensityStatistics, LesionIntensity
from reinforcedvl.lesions.shape import ShapeDescriptors


def _shape(axial_solidity=0.98, elongation=1.1, axial_convexity=0.97) -> ShapeDescriptors:
    return ShapeDescriptors(
        500.0, 0.5, 0.85, 0.9, elongation, 0.8, (10.0, 9.0, 8.0), axial_solidity, 0.85, axial_convexity
    )


def _intensity(inside=40.0, shell=-800.0, std=20.0, gradient=400.0, sharpness=0.5) -> LesionIntensity:
    def stats(mean):
        return IntensityStatistics(100, mean, std, mean, mean - std, mean + std, mean - 3 * std, mean + 3 * std)

    return LesionIntensity(stats(inside), stats(shell), 3.0, inside - shell, gradient, sharpness)


SHAPES = [
    # axial_solidity, elongation, word
    (0.98, 1.10, "round"),
    (0.98, 1.29, "round"),
    (0.98, 1.30, "ovoid"),
    (0.94, 2.00, "ovoid"),
    (0.92, 1.00, "lobulated"),
    (0.86, 1.50, "lobulated"),
    (0.84, 1.00, "irregular"),
]


@pytest.mark.parametrize("solidity, elongation, expected", SHAPES)
def test_shape_words(solidity, elongation, expected):
    choice = choose_shape(_shape(axial_solidity=solidity, elongation=elongation))
    assert choice.word == expected
    assert choice.values == {"axial_solidity": solidity, "elongation": elongation}
    assert choice.rule


MARGINS = [
    # axial convexity, CT boundary gradient (HU/mm), MR sharpness (1/mm), is_ct, word
    (0.97, 400.0, 0.5, True, "well-defined"),
    (0.97, 249.0, 0.5, True, "ill-defined"),
    (0.89, 400.0, 0.5, True, "spiculated"),
    (0.97, 10.0, 0.5, False, "well-defined"),
    (0.97, 10.0, 0.30, False, "ill-defined"),
    (0.85, 10.0, 0.30, False, "spiculated"),
]


@pytest.mark.parametrize("convexity, gradient, sharpness, is_ct, expected", MARGINS)
def test_margin_words(convexity, gradient, sharpness, is_ct, expected):
    choice = choose_margin(
        _shape(axial_convexity=convexity), _intensity(gradient=gradient, sharpness=sharpness), is_ct=is_ct
    )
    assert choice.word == expected
    assert choice.values["axial_convexity"] == convexity


def test_margin_without_an_image_judges_the_outline_only():
    assert choose_margin(_shape(), None, is_ct=True).word == "well-defined"
    assert "no surrounding image" in choose_margin(_shape(), None, is_ct=True).rule
    assert choose_margin(_shape(axial_convexity=0.5), None, is_ct=True).word == "spiculated"


APPEARANCES = [
    # inside, shell, std, is_ct, word
    (40.0, -800.0, 20.0, True, "hyperdense"),
    (40.0, 55.0, 20.0, True, "isodense"),
    (40.0, 61.0, 20.0, True, "hypodense"),
    (2.0, 0.5, 1.0, False, "hyperintense"),
    (0.6, 0.5, 1.0, False, "isointense"),
    (-1.0, 0.5, 1.0, False, "hypointense"),
]


@pytest.mark.parametrize("inside, shell, std, is_ct, expected", APPEARANCES)
def test_appearance_words(inside, shell, std, is_ct, expected):
    choice = choose_appearance(_intensity(inside=inside, shell=shell, std=std), is_ct=is_ct)
    assert choice.word == expected
    assert choice.values["contrast"] == pytest.approx(inside - shell)


def test_no_shell_no_appearance():
    nan = float("nan")
    empty = IntensityStatistics(0, nan, nan, nan, nan, nan, nan, nan)
    lonely = LesionIntensity(_intensity().inside, empty, 3.0, nan, nan, nan)
    assert choose_appearance(lonely, is_ct=True) is None

"""The errors ReinforcedVL raises for problems the user can fix.

Every message says what is wrong and what to do about it. The command line prints the message alone (no
traceback) and exits with the error's ``exit_code``; the Slicer module shows it in a dialog.
"""

from __future__ import annotations

__all__ = [
    "ReinforcedVLError",
    "InputFileError",
    "UnsupportedVolumeError",
    "GridMismatchError",
    "PromptError",
    "SpatialPromptError",
    "ModelNotFoundError",
    "CheckpointError",
    "NonFiniteOutputError",
    "OutputExistsError",
    "OutputFolderError",
    "TrainingSettingsError",
    "InferenceCancelled",
    "DeviceError",
    "InputWarning",
]


class ReinforcedVLError(Exception):
    """Base class: a problem with the user's input or set-up, explained in the message."""

    exit_code = 2


class InputFileError(ReinforcedVLError):
    """An input file is missing, unreadable or not a medical volume."""


class UnsupportedVolumeError(ReinforcedVLError):
    """A volume was read but cannot be segmented as it is (4D, colour, NaNs, too large)."""


class GridMismatchError(ReinforcedVLError):
    """Volumes that must share one voxel grid (channels of a study, an image and its mask) do not."""


class PromptError(ReinforcedVLError):
    """A finding description is empty, too long, or not something the model can read."""


class SpatialPromptError(PromptError):
    """A point or box is malformed, lies outside the volume, or contradicts another spatial prompt."""


class ModelNotFoundError(ReinforcedVLError):
    """The requested model id or checkpoint path does not exist."""


class CheckpointError(ReinforcedVLError):
    """A checkpoint exists but cannot be loaded (corrupt, incomplete or from an incompatible version)."""


class NonFiniteOutputError(ReinforcedVLError):
    """The model produced NaN or infinite values: no answer is given rather than a wrong one."""


class OutputExistsError(ReinforcedVLError):
    """The output folder already holds results and overwriting was not asked for."""


class OutputFolderError(ReinforcedVLError):
    """The output folder cannot be made or written (a file is in the way, no permission, a read-only disk)."""


class InferenceCancelled(ReinforcedVLError):
    """The user cancelled a running segmentation (a progress callback returned False)."""

    exit_code = 130


class DeviceError(ReinforcedVLError):
    """The requested compute device is not available or ran out of memory."""


class TrainingSettingsError(ReinforcedVLError):
    """Training options that cannot work together."""


class InputWarning(UserWarning):
    """An input that can be processed but deserves the user's attention (single slice, strong anisotropy)."""

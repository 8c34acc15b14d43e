"""Model weights: the manifest of published models, downloads with resume and hash check, imports, deletion.

The manifest is ``reinforcedvl/resources/models.json``. It lives inside the engine package rather than in the
extension's top-level ``Resources/`` because both doors need it: the pip-installed engine ships ``resources/`` as
package data (the ``reinforcedvl models download`` command reads it there), and the Slicer extension installs the
same package next to its module, so one file serves the command line and Slicer without a copy. Each entry:

``id`` (the model id, also the folder name), ``version``, ``url`` (a ``.zip`` holding one checkpoint folder),
``sha256`` (of the ``.zip``), ``size`` (bytes of the ``.zip``), ``licence``, ``modalities`` (``["CT", "MR"]``), a
one-line ``description`` and, optionally, ``weights_sha256`` (of the checkpoint's ``model.safetensors``).

Every install stays inside the models folder: a model id is checked to be a plain folder name
(:func:`reinforcedvl.model_store.checkpoint_files.validate_model_id`) before it becomes a path, and a checkpoint is
installed only if its files match the integrity record in its ``config.json``.

Models are installed into :func:`reinforcedvl.model_store.registry.user_models_folder` (``~/.reinforcedvl/models``), one
folder per model id. Nothing here imports torch: Slicer's own process uses this module, and the worker process,
which loads the weights, checks them again at every load (:func:`reinforcedvl.model_store.checkpoint.load_network`).

Example:
    >>> entry = manifest_entry("reinforcedvl-starter")  # doctest: +SKIP
    >>> download_model(entry, progress=lambda done, total: print(done, total))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from ..errors import CheckpointError, ReinforcedVLError
from ..io.file_hash import file_sha256
from .checkpoint_files import CHECKPOINT_FILES, validate_model_id
from .registry import InstalledModel, checkpoint_identity, installed_model_list, user_models_folder

__all__ = [
    "MANIFEST_PATH",
    "WeightsError",
    "ManifestEntry",
    "InstalledModel",
    "read_manifest",
    "manifest_entry",
    "installed_model_list",
    "download_model",
    "DownloadJob",
    "import_model",
    "delete_model",
]

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "resources" / "models.json"

_CHUNK_BYTES = 1 << 20
_DOWNLOADS_FOLDER = ".downloads"
# An archive that unpacks to more than this is refused before anything is written (a checkpoint is far smaller).
_MAX_UNPACKED_BYTES = 50 << 30

DownloadProgress = Callable[[int, int], None]
"""Called as ``progress(done_bytes, total_bytes)`` while a download runs."""


class WeightsError(ReinforcedVLError):
    """A model could not be downloaded, imported or deleted; the message says what to do."""


@dataclass(frozen=True)
class ManifestEntry:
    """One published model: where to get it and how to check it.

    Attributes:
        model_id: the model id (the name ``--model`` and the Slicer module use).
        version: the release.
        url: address of a ``.zip`` holding one checkpoint folder.
        sha256: hexadecimal SHA-256 of that ``.zip``.
        size_bytes: size of that ``.zip``.
        licence: licence of the weights.
        modalities: the scan types the model was trained on (``"CT"``, ``"MR"``).
        description: one line for lists.
        weights_sha256: SHA-256 of the checkpoint's weights file, when the manifest gives it.
    """

    model_id: str
    version: str
    url: str
    sha256: str
    size_bytes: int
    licence: str
    modalities: tuple[str, ...]
    description: str = ""
    weights_sha256: str = ""

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ManifestEntry:
        return cls(
            model_id=str(values["id"]),
            version=str(values["version"]),
            url=str(values["url"]),
            sha256=str(values["sha256"]).lower(),
            size_bytes=int(values["size"]),
            licence=str(values["licence"]),
            modalities=tuple(str(m) for m in values["modalities"]),
            description=str(values.get("description", "")),
            weights_sha256=str(values.get("weights_sha256", "")).lower(),
        )


def read_manifest(path: str | Path | None = None) -> list[ManifestEntry]:
    """The models listed in the manifest (the packaged ``models.json`` unless ``path`` names another).

    Raises:
        WeightsError: the manifest is missing or malformed.
    """
    path = Path(path) if path is not None else MANIFEST_PATH
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return [ManifestEntry.from_dict(values) for values in document["models"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WeightsError(
            f"The model manifest {path} is missing or malformed ({error}). Reinstall ReinforcedVL to restore it."
        ) from None


def manifest_entry(model_id: str, manifest: list[ManifestEntry] | None = None) -> ManifestEntry:
    """The manifest entry of ``model_id``.

    Raises:
        WeightsError: the manifest has no such model (the message lists the ones it has).
    """
    entries = read_manifest() if manifest is None else manifest
    for entry in entries:
        if entry.model_id == model_id:
            return entry
    listed = ", ".join(entry.model_id for entry in entries) or "none yet"
    raise WeightsError(
        f"No published model is called {model_id!r} (published: {listed}). Use one of those ids, or import a "
        "checkpoint you have as a file with 'reinforcedvl models import PATH'."
    )


def download_model(
    entry: ManifestEntry,
    *,
    models_folder: Path | None = None,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    retries: int = 2,
    timeout_s: float = 30.0,
) -> InstalledModel:
    """Download ``entry``'s archive, check its SHA-256, and install it (replacing an older copy of the model).

    An interrupted transfer keeps what arrived in ``<models>/.downloads`` and continues from there (HTTP Range),
    first automatically (``retries`` times), then on the next call.

    Raises:
        WeightsError: server error, transfer that kept failing, cancellation, wrong checksum or bad archive.
    """
    models_folder = models_folder or user_models_folder()
    partial = models_folder / _DOWNLOADS_FOLDER / f"{entry.model_id}-{entry.version}.zip.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(retries + 1):
        interruption = _transfer(entry, partial, progress, cancel, timeout_s)
        if interruption is None:
            break
    else:
        raise WeightsError(
            f"The download of {entry.model_id} stopped after {partial.stat().st_size} of {entry.size_bytes} bytes "
            f"({interruption}). Check the network and download again: it continues where it stopped."
        )
    try:
        digest = file_sha256(partial)
        if digest != entry.sha256:
            raise WeightsError(
                f"The download of {entry.model_id} {entry.version} is corrupt: its SHA-256 is {digest}, the manifest "
                f"says {entry.sha256}. The file was deleted; download it again. If this happens again, the file on the "
                f"server ({entry.url}) is not the published one: report it to the ReinforcedVL developers."
            )
        return _install_archive(
            partial, models_folder, expected_id=entry.model_id, expected_weights=entry.weights_sha256, replace=True
        )
    finally:
        partial.unlink(missing_ok=True)


class DownloadJob:
    """:func:`download_model` on a background thread, for user interfaces that poll (e.g. a Qt timer).

    Example:
        >>> job = DownloadJob(manifest_entry("reinforcedvl-starter"))  # doctest: +SKIP
        >>> job.start()  # doctest: +SKIP
        >>> job.done_bytes, job.total_bytes, job.finished  # doctest: +SKIP
    """

    def __init__(self, entry: ManifestEntry, *, models_folder: Path | None = None) -> None:
        self.entry = entry
        self.models_folder = models_folder
        self.done_bytes = 0
        self.total_bytes = entry.size_bytes
        self.result: InstalledModel | None = None
        self.error: ReinforcedVLError | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"download {entry.model_id}", daemon=True)

    @property
    def finished(self) -> bool:
        return self.result is not None or self.error is not None

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop the transfer; what arrived is kept and the next download resumes from it."""
        self._cancel.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the job ends; True if it did within ``timeout_s``."""
        self._thread.join(timeout_s)
        return self.finished

    def _progress(self, done: int, total: int) -> None:
        self.done_bytes, self.total_bytes = done, total

    def _run(self) -> None:
        try:
            self.result = download_model(
                self.entry, models_folder=self.models_folder, progress=self._progress, cancel=self._cancel
            )
        except ReinforcedVLError as error:
            self.error = error


def import_model(source: str | Path, *, models_folder: Path | None = None, replace: bool = False) -> InstalledModel:
    """Install a checkpoint from a ``.zip`` of its folder, or from the folder itself (offline sites).

    Raises:
        WeightsError: not a checkpoint, or the model is installed already and ``replace`` is False.
    """
    source = Path(source).expanduser()
    models_folder = models_folder or user_models_folder()
    if source.is_dir():
        model_id, _ = _checkpoint_identity(source)
        target = _target_folder(models_folder, model_id, replace)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=_created(models_folder)))
        try:
            for name in CHECKPOINT_FILES:
                shutil.copy2(source / name, staging / name)
            return _move_into_place(staging, target)
        except OSError as error:
            raise WeightsError(
                f"{source} could not be copied into {models_folder} ({error}). Free disk space or check the folder's "
                "permissions, then import again."
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if source.is_file() and zipfile.is_zipfile(source):
        return _install_archive(source, models_folder, expected_id=None, expected_weights="", replace=replace)
    raise WeightsError(
        f"{source} is neither a checkpoint folder nor a .zip of one. Choose the folder holding "
        f"{' and '.join(CHECKPOINT_FILES)}, or a .zip of that folder."
    )


def delete_model(model_id: str, *, models_folder: Path | None = None) -> Path:
    """Delete a downloaded or imported model; returns the folder removed.

    Raises:
        WeightsError: the model is not installed in the user's folder (bundled models cannot be deleted).
    """
    models_folder = models_folder or user_models_folder()
    for model in installed_model_list(models_folder):
        if model.model_id != model_id:
            continue
        if model.bundled:
            raise WeightsError(
                f"{model_id} ships with ReinforcedVL ({model.folder}) and cannot be deleted; uninstall ReinforcedVL "
                "to remove it."
            )
        shutil.rmtree(model.folder)
        return model.folder
    raise WeightsError(f"No installed model is called {model_id!r}; 'reinforcedvl models' lists the installed ones.")


def _transfer(
    entry: ManifestEntry,
    partial: Path,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
    timeout_s: float,
) -> str | None:
    """Fetch the rest of ``entry``'s file into ``partial``: None once complete, else why the transfer stopped.

    Raises:
        WeightsError: the server refused (HTTP error status) or the user cancelled.
    """
    have = partial.stat().st_size if partial.exists() else 0
    if have > entry.size_bytes:
        partial.unlink()
        have = 0
    if have == entry.size_bytes:
        return None
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with requests.get(entry.url, headers=headers, stream=True, timeout=timeout_s) as response:
            if response.status_code == 200 and have:
                have = 0  # the server ignored the range: start over
            elif response.status_code not in (200, 206):
                raise WeightsError(
                    f"The server answered {response.status_code} {response.reason} for {entry.url}. Try again later; "
                    "at a site without access, download the file elsewhere and use 'Import weights file'."
                )
            with partial.open("ab" if have else "wb") as stream:
                for chunk in response.iter_content(_CHUNK_BYTES):
                    if cancel is not None and cancel.is_set():
                        raise WeightsError(
                            f"The download of {entry.model_id} was cancelled after {have} of {entry.size_bytes} bytes; "
                            "download it again to continue where it stopped."
                        )
                    stream.write(chunk)
                    have += len(chunk)
                    if progress is not None:
                        progress(have, entry.size_bytes)
    except requests.RequestException as error:
        return type(error).__name__
    return None if have >= entry.size_bytes else "the server closed the connection early"


def _created(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _install_archive(
    archive: Path, models_folder: Path, *, expected_id: str | None, expected_weights: str, replace: bool
) -> InstalledModel:
    """Unpack a ``.zip`` holding one checkpoint folder into ``models_folder/<id>``."""
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=_created(models_folder)))
    try:
        try:
            with zipfile.ZipFile(archive) as bundle:
                members = bundle.infolist()
                for member in members:
                    name = member.filename.replace("\\", "/")
                    if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
                        raise WeightsError(
                            f"{archive.name} holds an unsafe path ({member.filename}); it was not unpacked."
                        )
                if sum(member.file_size for member in members) > _MAX_UNPACKED_BYTES:
                    raise WeightsError(
                        f"{archive.name} would unpack to more than {_MAX_UNPACKED_BYTES >> 30} GiB; it is not a model "
                        "archive and was not unpacked."
                    )
                bundle.extractall(staging)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as error:
            raise WeightsError(
                f"{archive.name} could not be unpacked ({error}); the archive is damaged. Download or copy it again."
            ) from None
        folders = sorted({path.parent for path in staging.rglob(CHECKPOINT_FILES[0])})
        if len(folders) != 1:
            raise WeightsError(
                f"{archive.name} holds {len(folders)} checkpoint folders; a model archive holds exactly one folder "
                f"with {' and '.join(CHECKPOINT_FILES)}."
            )
        model_id, _ = _checkpoint_identity(folders[0])
        if expected_weights and file_sha256(folders[0] / CHECKPOINT_FILES[1]) != expected_weights:
            raise WeightsError(
                f"The weights in {archive.name} are not the ones the manifest lists for {model_id}; it was not "
                "installed. Report this to the ReinforcedVL developers."
            )
        if expected_id is not None and model_id != expected_id:
            raise WeightsError(
                f"{archive.name} holds model {model_id!r}, not {expected_id!r} as its manifest entry says; it was not "
                "installed. Report this to the ReinforcedVL developers."
            )
        return _move_into_place(folders[0], _target_folder(models_folder, model_id, replace))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _target_folder(models_folder: Path, model_id: str, replace: bool) -> Path:
    """The folder ``model_id`` installs into: always a direct child of ``models_folder``."""
    try:
        validate_model_id(model_id)
    except CheckpointError as error:
        raise WeightsError(str(error)) from None
    target = models_folder / model_id
    if target.resolve().parent != models_folder.resolve() or target.is_symlink():
        raise WeightsError(
            f"The model id {model_id!r} does not name a plain folder inside {models_folder}; it was not installed."
        )
    if target.exists() and not replace:
        raise WeightsError(
            f"{model_id} is installed already ({target}). Delete it first ('reinforcedvl models delete {model_id}'), "
            "or import with --replace."
        )
    return target


def _move_into_place(checkpoint_folder: Path, target: Path) -> InstalledModel:
    """Put ``checkpoint_folder`` at ``target``; an older copy there is removed only once the new one is in place."""
    model_id, version = _checkpoint_identity(checkpoint_folder)
    old = target.with_name(f".old-{target.name}")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    shutil.move(str(checkpoint_folder), str(target))
    shutil.rmtree(old, ignore_errors=True)
    return InstalledModel(model_id, version, target, bundled=False)


def _checkpoint_identity(folder: Path) -> tuple[str, str]:
    """:func:`checkpoint_identity` (files, id and integrity, the weights included), its problem as a WeightsError."""
    try:
        return checkpoint_identity(folder)
    except CheckpointError as error:
        raise WeightsError(str(error)) from None

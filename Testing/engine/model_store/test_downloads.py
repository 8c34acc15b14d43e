"""The weights manager against a real HTTP server on 127.0.0.1: good file, wrong hash, interrupted transfer (resumed
with an HTTP Range request), server error, cancellation; imports and deletion."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reinforcedvl.model_store import checkpoint
from reinforcedvl.model_store.checkpoint_files import seal_checkpoint
from reinforcedvl.model_store.downloads import (
    CHECKPOINT_FILES,
    DownloadJob,
    ManifestEntry,
    WeightsError,
    delete_model,
    download_model,
    import_model,
    manifest_entry,
    read_manifest,
)
from reinforcedvl.model_store.registry import installed_model_list, resolve_checkpoint


class _ModelServer(BaseHTTPRequestHandler):
    """Serves ``server.payload`` at ``/<mode>/model.zip``: ``good``, ``cut`` (the first answer stops half-way),
    ``slow`` (small chunks with pauses) or ``error`` (500). Honours ``Range: bytes=N-``."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        mode = self.path.strip("/").split("/")[0]
        payload: bytes = self.server.payload
        range_header = self.headers.get("Range")
        self.server.requests.append((mode, range_header))
        if mode == "error":
            self.send_error(500, "Internal Server Error")
            return
        start = int(range_header.removeprefix("bytes=").rstrip("-")) if range_header else 0
        self.send_response(206 if range_header else 200)
        self.send_header("Content-Length", str(len(payload) - start))
        if range_header:
            self.send_header("Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}")
        self.end_headers()
        body = payload[start:]
        if mode == "cut" and sum(1 for m, _ in self.server.requests if m == "cut") == 1:
            self.wfile.write(body[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        step = 64 * 1024 if mode == "slow" else len(body)
        for offset in range(0, len(body), step):
            self.wfile.write(body[offset : offset + step])
            if mode == "slow":
                time.sleep(0.02)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


@pytest.fixture(scope="module")
def archive(untrained_checkpoint, tmp_path_factory) -> Path:
    """The untrained checkpoint as a published model archive: a .zip holding its folder."""
    path = tmp_path_factory.mktemp("archive") / "untrained-test-model.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        for name in CHECKPOINT_FILES:
            bundle.write(untrained_checkpoint / name, f"untrained-test-model/{name}")
    return path


@pytest.fixture
def server(archive):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ModelServer)
    httpd.payload = archive.read_bytes()
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def models_folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("REINFORCEDVL_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "models"


def _entry(server, mode: str, sha256: str | None = None) -> ManifestEntry:
    payload = server.payload
    return ManifestEntry(
        model_id="untrained-test-model",
        version="0.0.0",
        url=f"http://127.0.0.1:{server.server_address[1]}/{mode}/model.zip",
        sha256=sha256 or hashlib.sha256(payload).hexdigest(),
        size_bytes=len(payload),
        licence="Apache-2.0",
        modalities=("CT",),
    )


def test_the_packaged_manifest_reads_and_names_its_models():
    entries = read_manifest()
    assert all(len(entry.sha256) == 64 and entry.size_bytes > 0 for entry in entries)
    with pytest.raises(WeightsError, match="'no-such-model'"):
        manifest_entry("no-such-model")


def test_good_file_is_downloaded_checked_and_installed(server, models_folder):
    seen = []
    entry = _entry(server, "good")
    installed = download_model(entry, models_folder=models_folder, progress=lambda done, total: seen.append(done))
    assert installed.folder == models_folder / "untrained-test-model"
    assert (installed.model_id, installed.version, installed.bundled) == ("untrained-test-model", "0.0.0", False)
    assert seen[-1] == len(server.payload)
    assert not any((models_folder / ".downloads").iterdir())
    assert resolve_checkpoint("untrained-test-model").identity.version == "0.0.0"
    assert [m.model_id for m in installed_model_list() if not m.bundled] == ["untrained-test-model"]


def test_wrong_hash_is_refused_and_the_file_deleted(server, models_folder):
    with pytest.raises(WeightsError, match="SHA-256 is [0-9a-f]{64}, the manifest says 0{64}"):
        download_model(_entry(server, "good", sha256="0" * 64), models_folder=models_folder)
    assert not (models_folder / "untrained-test-model").exists()
    assert not any((models_folder / ".downloads").iterdir())


def test_interrupted_transfer_resumes_where_it_stopped(server, models_folder, untrained_checkpoint):
    total = len(server.payload)
    with pytest.raises(WeightsError, match=f"stopped after [0-9]+ of {total} bytes.*continues where it stopped"):
        download_model(_entry(server, "cut"), models_folder=models_folder, retries=0)
    kept = (models_folder / ".downloads" / "untrained-test-model-0.0.0.zip.part").stat().st_size
    assert 0 < kept <= total // 2  # whole chunks up to where the server stopped
    installed = download_model(_entry(server, "cut"), models_folder=models_folder, retries=0)
    assert server.requests == [("cut", None), ("cut", f"bytes={kept}-")]
    weights = (installed.folder / "model.safetensors").read_bytes()
    assert weights == (untrained_checkpoint / "model.safetensors").read_bytes()


def test_interrupted_transfer_is_retried_automatically(server, models_folder):
    installed = download_model(_entry(server, "cut"), models_folder=models_folder, retries=2)
    assert installed.model_id == "untrained-test-model"
    assert len(server.requests) == 2 and server.requests[0] == ("cut", None)
    assert 0 < int(server.requests[1][1].removeprefix("bytes=").rstrip("-")) <= len(server.payload) // 2


def test_server_error_is_reported_with_what_to_do(server, models_folder):
    with pytest.raises(WeightsError, match="answered 500 Internal Server Error.*Import weights file"):
        download_model(_entry(server, "error"), models_folder=models_folder)
    assert not (models_folder / "untrained-test-model").exists()


def test_background_job_reports_progress_and_can_be_cancelled_then_resumed(server, models_folder):
    job = DownloadJob(_entry(server, "slow"), models_folder=models_folder)
    job.start()
    while job.done_bytes == 0:
        time.sleep(0.01)
    job.cancel()
    assert job.wait(30)
    assert job.result is None and "cancelled after" in str(job.error)
    kept = (models_folder / ".downloads" / "untrained-test-model-0.0.0.zip.part").stat().st_size
    assert 0 < kept < len(server.payload)
    resumed = DownloadJob(_entry(server, "good"), models_folder=models_folder)
    resumed.start()
    assert resumed.wait(60) and resumed.error is None
    assert resumed.done_bytes == resumed.total_bytes == len(server.payload)
    assert server.requests[-1] == ("good", f"bytes={kept}-")


def test_import_from_zip_and_folder_then_delete(archive, untrained_checkpoint, models_folder):
    installed = import_model(archive)
    assert installed.folder == models_folder / "untrained-test-model"
    with pytest.raises(WeightsError, match="installed already.*--replace"):
        import_model(untrained_checkpoint)
    again = import_model(untrained_checkpoint, replace=True)
    assert (again.folder / "config.json").read_bytes() == (untrained_checkpoint / "config.json").read_bytes()
    assert delete_model("untrained-test-model") == installed.folder
    assert not installed.folder.exists() and [m for m in installed_model_list() if not m.bundled] == []
    with pytest.raises(WeightsError, match="No installed model is called 'untrained-test-model'"):
        delete_model("untrained-test-model")


def test_import_refuses_what_is_not_a_checkpoint(tmp_path, untrained_checkpoint, models_folder):
    folder = tmp_path / "half"
    folder.mkdir()
    shutil.copy2(untrained_checkpoint / "config.json", folder / "config.json")
    with pytest.raises(WeightsError, match="model.safetensors is missing"):
        import_model(folder)
    (folder / "model.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(WeightsError, match="not a readable ReinforcedVL checkpoint"):
        import_model(folder)
    with pytest.raises(WeightsError, match="neither a checkpoint folder nor a .zip"):
        import_model(folder / "config.json")


def _checkpoint_named(source: Path, folder: Path, model_id: str) -> Path:
    """A copy of ``source`` whose configuration names ``model_id`` (resealed, as a hostile author would)."""
    shutil.copytree(source, folder)
    document = json.loads((folder / "config.json").read_text())
    document["model"]["id"] = model_id
    (folder / "config.json").write_text(json.dumps(document))
    seal_checkpoint(folder)
    return folder


@pytest.mark.parametrize("model_id", ["../../victim", "../victim", "{absolute}", "sub/dir", ".", "..", "a\\..\\b"])
def test_import_never_writes_or_deletes_outside_the_models_folder(
    tmp_path, untrained_checkpoint, models_folder, model_id
):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    model_id = model_id.replace("{absolute}", str(victim))
    hostile = _checkpoint_named(untrained_checkpoint, tmp_path / "hostile", model_id)
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in CHECKPOINT_FILES:
            bundle.write(hostile / name, f"hostile/{name}")
    before = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*"))
    for source in (archive, hostile):
        with pytest.raises(WeightsError, match="not a valid model name"):
            import_model(source, replace=True)
    assert (victim / "precious.txt").read_text() == "keep me"
    after = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*"))
    assert [path for path in after if path not in before and not path.startswith("home")] == []
    assert not models_folder.exists() or [p.name for p in models_folder.iterdir()] == []


def test_import_of_a_folder_creates_the_models_folder(untrained_checkpoint, models_folder):
    assert not models_folder.exists()
    installed = import_model(untrained_checkpoint)
    assert installed.folder == models_folder / "untrained-test-model"
    assert sorted(p.name for p in models_folder.iterdir()) == ["untrained-test-model"]


def test_import_refuses_damaged_weights_and_leaves_nothing(tmp_path, untrained_checkpoint, models_folder):
    damaged = tmp_path / "damaged"
    shutil.copytree(untrained_checkpoint, damaged)
    data = bytearray((damaged / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0x10
    (damaged / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="is damaged: its SHA-256"):
        import_model(damaged)
    assert not models_folder.exists() or list(models_folder.iterdir()) == []


def test_hostile_archives_are_refused_with_a_message(tmp_path, untrained_checkpoint, models_folder):
    """Seeded mutations of a model archive: every one is installed intact or refused with a WeightsError, and
    nothing is left in (or written outside) the models folder when refused."""
    import random

    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as bundle:
        for name in CHECKPOINT_FILES:
            bundle.write(untrained_checkpoint / name, f"m/{name}")
    payload = good.read_bytes()
    generator = random.Random(17)
    cases: list[bytes] = [payload[:n] for n in (0, 10, len(payload) // 2, len(payload) - 1)]
    for _ in range(24):
        mutated = bytearray(payload)
        for _ in range(generator.randint(1, 8)):
            mutated[generator.randrange(len(mutated))] = generator.randrange(256)
        cases.append(bytes(mutated))
    unsafe = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(unsafe, "w") as bundle:
        bundle.writestr("../escaped/config.json", "{}")
    cases.append(unsafe.read_bytes())
    installed = 0
    for index, case in enumerate(cases):
        path = tmp_path / f"case-{index}.zip"
        path.write_bytes(case)
        try:
            model = import_model(path, replace=True)
        except WeightsError as error:
            assert str(error) and "Traceback" not in str(error)
        else:
            installed += 1
            assert load_network_checked(model.folder)
        leftovers = [p.name for p in models_folder.iterdir()] if models_folder.exists() else []
        assert set(leftovers) <= {"untrained-test-model"}, leftovers
    assert not (tmp_path / "escaped").exists()
    assert installed < len(cases)


def load_network_checked(folder: Path) -> bool:
    """The installed copy passes the full load check (the integrity record and the network's shapes)."""
    return checkpoint.load_network(checkpoint.read_checkpoint(folder)) is not None


def test_a_damaged_installed_model_is_named_when_asked_for(untrained_checkpoint, models_folder):
    installed = import_model(untrained_checkpoint)
    config = installed.folder / "config.json"
    document = json.loads(config.read_text())
    document["config"]["mask_threshold"] = 0.1
    config.write_text(json.dumps(document))
    with pytest.raises(checkpoint.CheckpointError, match="was changed after"):
        resolve_checkpoint("untrained-test-model")


def test_manifest_weights_checksum_is_enforced(server, models_folder):
    entry = _entry(server, "good")
    refused = ManifestEntry(**{**entry.__dict__, "weights_sha256": "0" * 64})
    with pytest.raises(WeightsError, match="not the ones the manifest lists"):
        download_model(refused)
    assert [p.name for p in models_folder.iterdir() if not p.name.startswith(".")] == []

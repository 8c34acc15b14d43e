"""Hostile request lines sent to a real worker process, as bytes on its stdin: random bytes, bytes that are not
UTF-8, JSON that is not a request, fields of the wrong type, unknown request types and fields, deep nesting, a line of
2 MB. Every line gets exactly one error event (with the line's id when it has one), the request thread never dies,
and the worker still answers real requests in between and after."""

from __future__ import annotations

import json
import os
import queue
import random
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from reinforcedvl.io import write_volume
from reinforcedvl.volume import ScalarVolume

ENGINE = Path(__file__).resolve().parents[3] / "ReinforcedVL"
TIMEOUT_S = 300
RANDOM_LINES = 400
SEED = 20261205


def _valid_segment(output_folder: str) -> dict:
    return {"type": "segment", "id": "s", "prompt": "solid nodule", "output_folder": output_folder}


# Values each field must refuse (null is refused only where the field is required).
INVALID_VALUES = {
    "paths": [None, True, 0, "notalist", [], [1, [2]], {"a": {}}, ["a\x00b"], [""], [None]],
    "modality": [True, 0, 1.5, [], {"a": {}}],
    "name": [True, 0, ["ct"], {}],
    "prompt": [None, True, 0, 1e308, ["solid nodule"], {"text": "nodule"}],
    "output_folder": [None, True, 0, "", "   ", "a\x00b", ["out"]],
    "threshold": [True, "0.5", float("nan"), float("inf"), 0, 1, -1, 1e308, [0.5]],
    "language": ["fr", "", 0, ["en"], True],
}


def _structured_lines(rng: random.Random, count: int, folder: str) -> list[tuple[bytes, str | None]]:
    """(line, id its error event must carry) for requests broken one field at a time."""
    templates = [
        {"type": "set_volume", "id": "v", "paths": [folder + "/ct.nrrd"], "modality": "auto", "name": "ct"},
        {**_valid_segment(folder + "/out"), "threshold": 0.5, "language": "en"},
    ]
    lines = []
    for number in range(count):
        request = dict(rng.choice(templates), id=f"f{number}")
        mutation = rng.choice(("wrong value", "unknown field", "unknown type", "missing field"))
        if mutation == "wrong value":
            field = rng.choice([key for key in request if key not in ("type", "id")])
            request[field] = rng.choice(INVALID_VALUES[field])
        elif mutation == "unknown field":
            request[rng.choice(["pathz", "thresold", "prompts", "\x1b[2J", "ü"])] = 1
        elif mutation == "unknown type":
            request["type"] = rng.choice(["explode", "SEGMENT", "", None, 3, "set_volume "])
        else:
            request.pop("paths" if request["type"] == "set_volume" else "prompt")
        lines.append((json.dumps(request).encode() + b"\n", request["id"]))
    return lines


def _random_lines(rng: random.Random, count: int) -> list[tuple[bytes, None]]:
    """Lines of random bytes (never blank: a blank line is no request and gets no answer)."""
    lines = []
    for _ in range(count):
        body = bytes(rng.choice([rng.randrange(256), 0xFF, 0xC3, 0x80, 0x7B]) for _ in range(rng.randrange(1, 300)))
        lines.append((b"\xff" + body.replace(b"\n", b"\xfe") + b"\n", None))
    return lines


def _special_lines() -> list[tuple[bytes, str | None]]:
    return [
        (b'{"type": "set_volume", "id": "utf", "paths": ["\xff\xfe.nrrd"]}\n', None),  # not UTF-8
        (b"\xc3\x28\xa0\xa1\n", None),
        (b"[" * 200_000 + b"]" * 200_000 + b"\n", None),  # deeper than the JSON parser goes
        (b'{"id": "big", "type": "segment", "prompt": "' + b"a" * (2 << 20) + b'"}\n', None),  # 2 MB
        (b'{"type": "segment", "id": "nan", "prompt": "n", "output_folder": "o", "threshold": NaN}\n', "nan"),
        (b'{"type": "set_volume", "id": "notalist", "paths": "notalist"}\n', "notalist"),
        (b"null\n", None),
        (b'"a string"\n', None),
        (b'{"id": ["x"], "type": "shutdown"}\n', None),  # no usable id: not a shutdown
        (b'{"id": "x", "type": "shutdown", "now": true}\n', "x"),
    ]


class _Worker:
    """A worker process fed raw bytes; its events are read on a thread into a queue."""

    def __init__(self, checkpoint: Path) -> None:
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ENGINE), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reinforcedvl.worker", "--model", str(checkpoint), "--device", "cpu"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
        )  # fmt: skip
        self.events: queue.Queue[dict] = queue.Queue()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def send(self, line: bytes) -> None:
        self.process.stdin.write(line)
        self.process.stdin.flush()

    def until(self, request_id: str) -> list[dict]:
        """Every event up to the one that ends ``request_id``."""
        seen = []
        while True:
            event = self.events.get(timeout=TIMEOUT_S)
            seen.append(event)
            if event["id"] == request_id and event["event"] in ("volume_set", "result", "error", "cancelled"):
                return seen


@pytest.fixture(scope="module")
def worker(untrained_checkpoint):
    process = _Worker(untrained_checkpoint)
    assert process.events.get(timeout=TIMEOUT_S)["event"] == "ready"
    yield process
    process.process.kill()
    process.process.wait()


def test_every_hostile_line_is_answered_and_the_worker_keeps_serving(worker, tmp_path):
    rng = random.Random(SEED)
    folder = tmp_path.as_posix()
    ct = np.random.default_rng(0).normal(-800.0, 50.0, (1, 32, 32, 12)).astype(np.float32)
    write_volume(ScalarVolume(ct, np.diag([1.0, 1.0, 2.0, 1.0])), tmp_path / "ct.nrrd")
    lines = _random_lines(rng, RANDOM_LINES) + _structured_lines(rng, 200, folder) + _special_lines()
    rng.shuffle(lines)
    batches = [lines[start : start + 100] for start in range(0, len(lines), 100)]
    for number, batch in enumerate(batches):
        for line, _ in batch:
            worker.send(line)
        # A request the main loop answers: proves the requests read so far reached it and it still serves.
        worker.send(
            json.dumps({"type": "set_volume", "id": f"probe{number}", "paths": [f"{folder}/none.nrrd"]}).encode()
            + b"\n"
        )
        seen = worker.until(f"probe{number}")
        errors = [event for event in seen[:-1] if event["event"] == "error"]
        assert [event["kind"] for event in errors] == ["protocol"] * len(batch), seen
        assert [event["id"] for event in errors] == [request_id for _, request_id in batch]
        assert "none.nrrd does not exist" in seen[-1]["message"]

    # After all that, real requests are answered; a prompt with an unpaired surrogate is refused precisely.
    worker.send(json.dumps({"type": "set_volume", "id": "v", "paths": [f"{folder}/ct.nrrd"]}).encode() + b"\n")
    assert worker.until("v")[-1]["event"] == "volume_set"
    worker.send(
        json.dumps({**_valid_segment(f"{folder}/bad"), "id": "sur", "prompt": "solid \ud800 nodule"}).encode() + b"\n"
    )
    refused = worker.until("sur")[-1]
    assert refused["kind"] == "input" and "U+D800" in refused["message"]
    worker.send(json.dumps({**_valid_segment(f"{folder}/out"), "id": "ok"}).encode() + b"\n")
    assert worker.until("ok")[-1]["event"] == "result" and (tmp_path / "out" / "finding.json").is_file()
    assert worker.process.poll() is None
    assert b"Traceback" not in b"".join(worker.stderr)
    print(f"{len(lines)} hostile lines ({RANDOM_LINES} random), each answered by one protocol error event")

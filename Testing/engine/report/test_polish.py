"""Language-model polish against a chat server on 127.0.0.1 (faithful and unfaithful answers) and a tiny local
model: a rewrite is used only when every number and side matches."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.report import build_report, finding_from_mask
from reinforcedvl.report.polish import EndpointRewriter, LocalModelRewriter, polish_report
from reinforcedvl.volume import LabelMap, ScalarVolume


class _ChatServer(BaseHTTPRequestHandler):
    """Answers /faithful/... with the sentences joined into prose, /unfaithful/... with a side and a number changed,
    /broken/... with something that is not a chat completion."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (the handler's API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        text = body["messages"][-1]["content"]
        if self.path.startswith("/faithful"):
            answer = "In summary, " + " ".join(line.strip() for line in text.splitlines())
        elif self.path.startswith("/unfaithful"):
            answer = text.replace("on the right", "on the left", 1).replace("confidence 1.00", "confidence 0.99", 1)
        else:
            answer = None
        payload = {"choices": [{"message": {"role": "assistant", "content": answer}}]} if answer else {"oops": 1}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def chat_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def report():
    affine = affine_from((0.8, 0.8, 2.0), origin=(30.0, 25.0, -20.0), direction=np.diag([-1.0, -1.0, 1.0]))
    shape = (60, 50, 16)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    mask = ellipsoid_mask(shape, affine, grid.voxel_to_ras([[10, 25, 8]])[0], (5.0, 5.0, 5.0))  # RAS x 22 mm: right
    image = ScalarVolume(np.where(mask, 40.0, -850.0)[None].astype(np.float32), affine)
    return build_report(image, [finding_from_mask(LabelMap(mask[None].astype(np.uint8), affine), "nodule")])


def test_a_faithful_rewrite_is_used(chat_server, report):
    assert "on the right" in report.template_text()
    polished = polish_report(report, EndpointRewriter(f"{chat_server}/faithful/v1", model="local-test"))
    assert polished.polish.accepted and polished.polish.text.startswith("In summary, Lesion 1 (yellow)")
    assert polished.polish.source == f"{chat_server}/faithful/v1/chat/completions"
    request = _ChatServer.requests[-1]
    assert request["path"] == "/faithful/v1/chat/completions" and request["body"]["model"] == "local-test"
    assert request["body"]["messages"][1]["content"] == report.template_text()
    assert "copy every number exactly" in request["body"]["messages"][0]["content"]
    markdown = polished.to_markdown()
    assert "rewritten by a language model" in markdown and polished.polish.text in markdown
    assert polished.sentences == report.sentences  # the linked template sentences stay
    assert polished.to_dict()["polish"]["accepted"] is True


def test_an_unfaithful_rewrite_is_refused_with_the_reasons(chat_server, report):
    polished = polish_report(report, EndpointRewriter(f"{chat_server}/unfaithful/v1"))
    outcome = polished.polish
    assert not outcome.accepted and "on the left" in outcome.text
    assert "numbers not in the measurements: 0.99" in outcome.reason
    assert "sides differ" in outcome.reason and "the template report is kept" in outcome.reason
    markdown = polished.to_markdown()
    assert "Language-model rewrite not used" in markdown and "confidence 0.99" not in markdown


def test_a_broken_or_unreachable_endpoint_keeps_the_template(chat_server, report):
    broken = polish_report(report, EndpointRewriter(f"{chat_server}/broken/v1/chat/completions")).polish
    assert not broken.accepted and "without a chat completion" in broken.reason
    unreachable = polish_report(report, EndpointRewriter("http://127.0.0.1:9/v1", timeout_s=2.0)).polish
    assert not unreachable.accepted and "did not answer" in unreachable.reason and unreachable.text is None


def test_a_local_model_runs_offline_and_its_babble_is_refused(tmp_path, report):
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from reinforcedvl.modeling.text_encoder import bundled_text_encoder_path

    tokenizer = AutoTokenizer.from_pretrained(bundled_text_encoder_path(), local_files_only=True)
    config = GPT2Config(vocab_size=tokenizer.vocab_size, n_positions=1024, n_embd=16, n_layer=1, n_head=2)
    GPT2LMHeadModel(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    outcome = polish_report(report, LocalModelRewriter(tmp_path, max_new_tokens=6)).polish
    assert outcome.source == str(tmp_path)
    assert not outcome.accepted and "numbers dropped" in outcome.reason and outcome.text is not None


def test_a_missing_local_model_is_explained(tmp_path, report):
    outcome = polish_report(report, LocalModelRewriter(tmp_path / "nothing-here")).polish
    assert not outcome.accepted and "no language model could be loaded" in outcome.reason

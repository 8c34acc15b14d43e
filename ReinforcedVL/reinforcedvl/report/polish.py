"""Optional language-model polish of the template report, off by default and guarded.

Two rewriters: an OpenAI-compatible chat endpoint the user names by URL (the report text is sent there and nowhere
else), or a local transformers model the user names by folder (nothing leaves the machine). Either way the rewrite
is kept only when :func:`.faithfulness.check_faithfulness` finds every number and side unchanged; otherwise the
template report stays and the outcome says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests

from ..vocabulary import Language
from .document import GroundedReport, PolishOutcome
from .faithfulness import check_faithfulness

__all__ = [
    "Rewriter",
    "RewriteFailed",
    "EndpointRewriter",
    "LocalModelRewriter",
    "rewrite_instructions",
    "polish_report",
]

_LANGUAGE_NAMES = {"en": "English", "ja": "Japanese"}


class RewriteFailed(RuntimeError):
    """The rewriter gave no text (endpoint unreachable, bad answer, model not loadable)."""


class Rewriter(Protocol):
    """Anything that rewrites report text; ``source`` names where the text goes (URL or folder)."""

    source: str

    def rewrite(self, text: str, language: Language) -> str:
        """The rewritten text; raises :class:`RewriteFailed` when there is none."""
        ...


def rewrite_instructions(language: Language) -> str:
    """The instructions given to the language model with the template text."""
    return (
        f"Rewrite the following radiology report sentences as fluent, concise {_LANGUAGE_NAMES[language]} prose for "
        "a clinician. Keep every 'Lesion n (colour)' label, copy every number exactly as written (do not round, "
        "convert or spell out numbers), keep every side (right, left) with the lesion it belongs to, and add no "
        "finding, number or side. Answer with the rewritten report only."
    )


@dataclass(frozen=True)
class EndpointRewriter:
    """An OpenAI-compatible chat-completions endpoint, e.g. ``http://127.0.0.1:8000/v1`` (``/chat/completions`` is
    appended unless the URL already ends with it). The report text is sent to this URL only.

    Example:
        >>> EndpointRewriter("http://127.0.0.1:8000/v1", model="qwen2.5-7b-instruct").source
        'http://127.0.0.1:8000/v1/chat/completions'
    """

    url: str
    model: str = "default"
    timeout_s: float = 120.0

    @property
    def source(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else url + "/chat/completions"

    def rewrite(self, text: str, language: Language) -> str:
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": rewrite_instructions(language)},
                {"role": "user", "content": text},
            ],
        }
        try:
            response = requests.post(self.source, json=payload, timeout=self.timeout_s)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])
        except requests.RequestException as error:
            raise RewriteFailed(f"the endpoint {self.source} did not answer ({error})") from None
        except (ValueError, KeyError, IndexError, TypeError):
            raise RewriteFailed(f"the endpoint {self.source} answered without a chat completion") from None


@dataclass(frozen=True)
class LocalModelRewriter:
    """A causal language model in a local folder (transformers format), loaded on the CPU, offline."""

    path: Path
    max_new_tokens: int = 512

    @property
    def source(self) -> str:
        return str(self.path)

    def rewrite(self, text: str, language: Language) -> str:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(self.path, local_files_only=True).eval()
        except (OSError, ValueError) as error:
            raise RewriteFailed(f"no language model could be loaded from {self.path} ({error})") from None
        instructions = rewrite_instructions(language)
        if tokenizer.chat_template:
            messages = [{"role": "system", "content": instructions}, {"role": "user", "content": text}]
            inputs = tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_dict=True, return_tensors="pt"
            )
        else:
            inputs = tokenizer(f"{instructions}\n\n{text}\n\n", return_tensors="pt")
        prompt_length = inputs["input_ids"].shape[1]
        output = model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        return tokenizer.decode(output[0, prompt_length:], skip_special_tokens=True).strip()


def polish_report(report: GroundedReport, rewriter: Rewriter) -> GroundedReport:
    """The report with a rewrite attached: accepted only when faithful, else refused with the reasons."""
    template = report.template_text()
    try:
        rewritten = rewriter.rewrite(template, report.language)
    except RewriteFailed as error:
        return report.with_polish(PolishOutcome(False, f"{error}; the template report is kept", rewriter.source))
    check = check_faithfulness(template, rewritten, report.language)
    if check.faithful:
        return report.with_polish(
            PolishOutcome(True, "every number and side matches the measurements", rewriter.source, rewritten)
        )
    reason = "the rewrite was not faithful (" + "; ".join(check.problems) + "); the template report is kept"
    return report.with_polish(PolishOutcome(False, reason, rewriter.source, rewritten))

"""Text safe to keep and to print: unsafe characters found, refused with their code point, and shown as escapes."""

from __future__ import annotations

import json

import pytest

from reinforcedvl.plain_text import check_plain_text, printable, printable_json, unsafe_characters

# text, allowed, expected (position, character) list
FOUND = [
    ("plain words, 日本語\u3000も", "", []),
    ("a\x1bb", "", [(1, "\x1b")]),
    ("line\nnext\ttab", "", [(4, "\n"), (9, "\t")]),
    ("line\nnext\ttab", "\n\t", []),
    ("\u2028\u2029", "", [(0, "\u2028"), (1, "\u2029")]),
    ("soft\u00adhyphen, joiner\u200d", "", []),
    ("\U000e0001 tag", "", [(0, "\U000e0001")]),
]


@pytest.mark.parametrize(("text", "allowed", "expected"), FOUND)
def test_unsafe_characters(text, allowed, expected):
    assert unsafe_characters(text, allowed=allowed) == expected


def test_check_plain_text_names_the_character_and_its_place():
    assert check_plain_text("reader 1", "The annotator name") == "reader 1"
    with pytest.raises(ValueError, match=r"The annotator name holds .* U\+001B ESCAPE, at position 3 \(and 1 more\)"):
        check_plain_text("ab\x1b[2Jc\x07", "The annotator name")


def test_printable_shows_escapes_and_keeps_what_is_allowed():
    assert printable("a\x1b[2Jb\x9b\u202e\ud800") == "a\\x1b[2Jb\\x9b\\u202e\\ud800"
    assert printable("two\nlines", allowed="\n") == "two\nlines"
    shown = printable("\x1b\x07\x00\x7f")
    assert shown.isprintable() and shown == "\\x1b\\x07\\x00\\x7f"


def test_printable_json_is_the_same_json_without_raw_controls():
    value = {"prompt": "nodule \x9b\u202e \ud800", "comment": "x\x1by\n", "emoji": "\U0001f600 \U000e0001"}
    text = printable_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert all(character.isprintable() or character == "\n" for character in text)

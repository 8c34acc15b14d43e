"""Text that is safe to keep and to print: no control characters, terminal escapes or invisible format characters.

A finding description, an annotator's name or a comment is typed by a person; a control character in it (ESC starts
a terminal escape sequence that can clear the screen or retitle the window, BEL rings, a bidirectional override
reorders what is shown) is a paste accident or an attack, never meaning. :func:`unsafe_characters` finds them,
:func:`check_plain_text` refuses them where text is taken in, and :func:`printable` shows any that are already
stored as visible escapes (``\\x1b``) when text is echoed to a terminal.
"""

from __future__ import annotations

import unicodedata

__all__ = ["unsafe_characters", "describe_character", "check_plain_text", "printable", "printable_json"]

# Control (Cc), format (Cf: bidirectional overrides, zero-width characters), surrogate (Cs), private-use (Co) and
# unassigned (Cn) code points, and the line and paragraph separators (Zl, Zp).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Format characters that written languages need: soft hyphen, zero-width non-joiner and joiner.
_ALLOWED_FORMAT = frozenset({"\u00ad", "\u200c", "\u200d"})


def _is_unsafe(character: str, allowed: str) -> bool:
    if character in allowed or character in _ALLOWED_FORMAT:
        return False
    return unicodedata.category(character) in _UNSAFE_CATEGORIES


def unsafe_characters(text: str, *, allowed: str = "") -> list[tuple[int, str]]:
    """The (position, character) of every control, format, surrogate, private-use or unassigned character in
    ``text``, except those in ``allowed`` (e.g. ``"\\n\\t"`` for a multi-line comment)."""
    return [(position, character) for position, character in enumerate(text) if _is_unsafe(character, allowed)]


def describe_character(character: str) -> str:
    """``U+001B`` followed by the character's Unicode name where it has one."""
    name = unicodedata.name(character, "")
    if not name and unicodedata.category(character) == "Cc":
        name = {"\x1b": "ESCAPE", "\x07": "BELL", "\x00": "NULL", "\x7f": "DELETE", "\x08": "BACKSPACE"}.get(
            character, "control character"
        )
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def check_plain_text(text: str, what: str, *, allowed: str = "") -> str:
    """``text`` unchanged when it holds no unsafe character (see :func:`unsafe_characters`).

    Args:
        text: what the user typed.
        what: what it is, for the message (``"The annotator name"``).
        allowed: control characters that this field may hold (``"\\n\\t"`` for free text).

    Raises:
        ValueError: the message names the first unsafe character, where it is, and what to do.
    """
    found = unsafe_characters(text, allowed=allowed)
    if not found:
        return text
    position, character = found[0]
    others = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    raise ValueError(
        f"{what} holds a control or invisible character, {describe_character(character)}, at position "
        f"{position + 1}{others}: such characters can rewrite a terminal or hide text, so they are not kept. Type it "
        "again as plain text (pasted text can carry them)."
    )


def printable(text: str, *, allowed: str = "") -> str:
    """``text`` with every unsafe character shown as an escape (``\\x1b``, ``\\u202e``), ready for a terminal."""
    return "".join(_escape(character) if _is_unsafe(character, allowed) else character for character in text)


def printable_json(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with every unsafe character written as ``\\uXXXX``: still
    the same JSON, and safe for a terminal. (``json.dumps`` escapes C0 controls in strings itself, so a raw line break
    is the indentation's; the characters escaped here can only stand inside strings.)"""
    return "".join(_json_escape(character) if _is_unsafe(character, "\n") else character for character in text)


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _json_escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

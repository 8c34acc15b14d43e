"""Requests written as data or notation read as words: a JSON object, "key=value" pairs, "- key: value" lines and
command-line flags (by their keys, ``resources/finding_descriptors.json`` ``structured_keys``), a prompt passed to the
tool from code (a call's argument, a config entry, a comment or docstring beside code), a checklist of ticked parts, and
set notation (unions, differences, intersections, complements) spelled out, before the words are read by
:mod:`.description_text`."""

from __future__ import annotations

import json
import re

from .description_text import resource

__all__ = ["destructured", "from_code", "spelled_sets"]


def from_code(text: str) -> str:
    """A request passed to the tool from code read as its prompt: the value given to a prompt ('seg(img,
    prompt="the necrotic centre")', '"prompt": "..."', "--prompt '...'", 'necrosisPrompt = "..."'), the other quoted
    values (a series, a status) as the context before it ("T2_FLAIR. post-op. the enhancing rim"); where no prompt is
    named, the one quoted value of words in a row of comma-separated values, or the comments and docstrings beside
    lines of code, the code itself dropped; ``text`` itself where it holds
    neither. A variable or file name that names a finding says nothing of what is asked."""
    if len(_pairs(_flags_as_lines(text))) > 1:  # data: its keys say what is asked ("prompt" among them)
        return text
    prompts = list(_PROMPT.finditer(text))
    if prompts:
        taken = [(found.start(), found.end()) for found in prompts]
        context = [
            found["value"].replace("_", " ")
            for found in _QUOTED.finditer(text)
            if not any(start <= found.start() < end or found.start() <= start < found.end() for start, end in taken)
        ]
        return ". ".join([*context, *(found["value"].strip() for found in prompts)])
    row = _CSV_ROW.match(text.strip())
    if row:  # 'sub-077,ses-preop,T1CE,"necrotic centre of the GBM"'
        return ". ".join([*row["fields"].strip(",").split(","), row["value"].strip()])
    lines = text.splitlines() or [text]
    if not any(_CODE_LINE.match(line) for line in lines):
        return text
    documented = [found["value"].strip() for found in _DOCSTRING.finditer(text)]
    if documented:
        return " ".join(documented)
    kept = [_COMMENT_MARK.sub("", line).strip() for line in lines if not _CODE_LINE.match(line)]
    return " ".join(line for line in kept if line) or text


_PROMPT = re.compile(
    r"""(?:[\w.-]*(?:prompt|instruction)s?\w*['"]?\s*(?:[:=]|\bto\b)?|(?<![\w.-])(?:text|query)\s*=)"""
    r"""\s*(?P<quote>"{3}|'{3}|["'])"""
    r"""(?P<value>[^"'\n]*?[a-z][^"'\n]*?\s[^"'\n]*?)(?P=quote)""",
    re.IGNORECASE,
)
"""A prompt given in code: a key or variable named for it (or a "text" or "query" argument), then its quoted value
of words."""
_CSV_ROW = re.compile(r'^(?P<fields>(?:[^\s,"]+,)+)"(?P<value>[^"]*\s[^"]*)"(?:,[^\s,"]*)*$')
"""A row of comma-separated values whose one quoted value of words is the prompt, beside identifiers."""
_QUOTED = re.compile(r"""(?P<quote>["'])(?P<value>[^"'\n]{1,60}?)(?P=quote)""")
"""A quoted value of code (a series, a study, a status)."""
_CODE_LINE = re.compile(
    r"""^\s*(?:[\w.\[\]'"]+\s*=\s*[\w.]+\(.*\)|def\s+\w+\(.*\)\s*(?:->.*)?:|class\s+\w+.*:|import\s+\w+|"""
    r"""from\s+[\w.]+\s+import\b|return\b.*|[\w.]+\([^()]*\))\s*$"""
)
"""A line of code: an assignment of a call, a definition, an import, a return, a call alone."""
_DOCSTRING = re.compile(r"""(?P<quote>"{3}|'{3})(?P<value>.+?)(?P=quote)""", re.DOTALL)
_COMMENT_MARK = re.compile(r"^\s*(?:#+|//+)\s*(?:TODO(?:\([^)]*\))?:?\s*)?")
"""The mark of a comment, and a TODO's label with its owner."""


def destructured(text: str) -> str:
    """A request written as data read as words ("{"target": "tumor_core", "exclude": ["edema"], "organ": "brain"}",
    "label=whole_tumour; include=[...]; seq=FLAIR", lines of "- region: ..."): the values of its keys that name what
    is asked for, with what it includes and leaves out, as one request ("segment tumor core, excluding edema"), after
    the values of its other keys as the context before it ("brain. segment ..."); ``text`` itself where it is not
    such data, or no key names what is asked for (``finding_descriptors.json``, ``structured_keys``)."""
    text = _flags_as_lines(text)
    ticked = _checklist(text)
    if ticked is not None:
        return ticked
    pairs = _pairs(text)
    keys = resource("finding_descriptors.json")["structured_keys"]
    said: dict[str, list[str]] = {"names": [], "modifiers": [], "includes": [], "excludes": [], "context": []}
    trailing = []  # sentences written after a value ("Modifier: enhancing. Brain MRI, untreated glioma.")
    for key, value in pairs:
        kind = next((kind for kind in ("names", "modifiers", "includes", "excludes") if key in keys[kind]), "context")
        value, *more = re.split(r"(?<=[.!?])\s+(?=[A-Z])", value.replace("_", " "), maxsplit=1)
        value = value.rstrip(".")
        trailing += more
        said[kind].append(value.replace(",", " and ") if kind in ("includes", "excludes") else value)
    if len(pairs) < 2 or not said["names"]:
        return text
    before = [value for value in said["modifiers"] if not _JOINS_OR_LEAVES_OUT.match(value)]  # "enhancing"
    after = [value for value in said["modifiers"] if _JOINS_OR_LEAVES_OUT.match(value)]  # "including oedema"
    request = "segment " + " ".join([*before, ", ".join(said["names"])]) + "".join(f", {value}" for value in after)
    for kind, word in (("includes", "including"), ("excludes", "excluding")):
        if said[kind]:
            request += f", {word} " + " and ".join(said[kind])
    return " ".join([". ".join([*said["context"], request]) + ".", *trailing])


def spelled_sets(text: str) -> str:
    """Set notation and mask logic in words ("WT \\ TC", "TC \u2212 ET \u2212 NET", "ET \u222a NCR", "core AND NOT
    enhancing", "TC \u2229 \u00ac(NCR \u222a NET)": the tumour core and not the necrosis and the non-enhancing
    tumour), the operands of a complement turned ("complement of ED within WT": WT minus ED), and an intersection
    written "A \u2229 B" ("intersection of A with B", "of A, keep only B"); parentheses that group operands
    ("(whole lesion) \u2212 (rim + centre)") set nothing apart. "AND NOT", "OR" and "NOT" in capitals are read as
    mask logic in a text not written all in capitals; "AND" alone is not, as it is written for emphasis ("the core AND
    the oedema")."""
    if re.search(r"[a-z]", text):
        text = re.sub(r"\bAND\s+NOT\b", " minus ", text)
        text = re.sub(r"\bOR\b", " and ", text)
        text = re.sub(r"\bNOT\b", " not ", text)
    text = re.sub(r"\s*\u2229\s*\u00ac\s*", " and not ", text)
    text = text.replace("\u00ac", " not ").replace("\u222a", " and ")
    text = _SET_MINUS.sub(" minus ", text)
    grouped = None
    while grouped != text:  # innermost groups first: "((A \u222a B) \u2212 C)"
        grouped, text = text, _GROUP.sub(_ungrouped, text)
    text = _COMPLEMENT.sub(lambda found: f"{found['whole']} minus {found['part']}", text)
    text = _INTERSECTION.sub(
        lambda found: " \u2229 " if found["with"] is not None else f"{found['first']} \u2229 {found['second']}", text
    )
    return _KEEP_ONLY.sub(lambda found: f"{found['lead']}{found['first']} \u2229 {found['second']}", text)


_SET_MINUS = re.compile(r"\s*(?:\\|\u2216)\s*|(?<=[\w)])\s*\u2212\s*(?=[(\w])")
"""Set difference, as label sets are written ("WT \\ TC", "TC \u2212 ET"; not a negative number, "\u2212950")."""
_OPERATOR = r"(?:(?<![\w-])(?:minus|and|not|plus|with|without|excluding|except|of)(?![\w-])|[\u2229+=:])"
_GROUP = re.compile(rf"(?P<before>{_OPERATOR})?\s*\((?P<group>[^()]*)\)(?P<after>\s*{_OPERATOR})?")
"""A parenthesised group of operands, with the operators before and after it ("minus (ET and NCR)")."""


def _ungrouped(found: re.Match[str]) -> str:
    """A group as :data:`_GROUP` found it, its parentheses dropped where it groups operands: after an operator, or at
    the start before one ("(whole lesion) minus ..."); else (an aside, "tumour core (necrosis and oedema)") kept."""
    at_start = not found.string[: found.start()].strip()
    if found["before"] or at_start and found["after"]:
        return f"{found['before'] or ''} {found['group']} {found['after'] or ''}"
    return found.group(0)


_COMPLEMENT = re.compile(
    r"\b(?:the\s+)?complement\s+of\s+(?P<part>[^,;:.]+?)\s+(?:within|in|inside|relative to|with respect to)\s+"
    r"(?P<whole>[^,;:.]+)",
    re.IGNORECASE,
)
"""The complement of one region within another: the other less it."""
_INTERSECTION = re.compile(
    r"\b(?:the\s+)?(?:intersection|overlap)\s+(?:of|between)\s+(?P<first>[^,;:.]+?)\s+(?:with|and)\s+"
    r"(?P<second>[^,;:.\u2014\u2013]+?)(?=\s*(?:[,;:.\u2014\u2013]|\s-\s|$))"
    r"|\s+intersected\s+with\s+(?P<with>)",
    re.IGNORECASE,
)
"""An intersection of two regions, written out ("the intersection of the tumour core with the enhancement")."""
_KEEP_ONLY = re.compile(
    r"(?P<lead>^|[.;:]\s*)(?:of|from|within|among)\s+(?P<first>[^,;:.]+),\s*(?:i\s+)?(?:only\s+)?"
    r"(?:keep|take|retain|select|want|need|use)\s+(?:only\s+)?(?P<second>[^;:.]+)",
    re.IGNORECASE,
)
"""What is kept of a region ("of the tumour core, keep only the voxels that enhance"): the two intersected."""


def _flags_as_lines(text: str) -> str:
    """Pairs and flags written on one line as on a command line ("--roi=necrosis --dx GBM --preop", 'target="the
    core" case=untreated  # brain MRI') as lines of "key: value", a flag alone and a comment after "#" as notes;
    ``text`` itself where it is not all such pairs and flags, or has fewer than two."""
    line, _, comment = text.partition(" #")
    tokens = re.findall(r"""(?:[^\s"']+|"[^"]*"|'[^']*')+""", line.strip())
    if len(tokens) < 2 or "\n" in line:
        return text
    lines, index = [], 0
    while index < len(tokens):
        found = _FLAG.match(tokens[index])
        if found is None:
            return text
        value = found["value"]
        if value is None and found["dashes"] and index + 1 < len(tokens) and not tokens[index + 1].startswith("-"):
            index, value = index + 1, tokens[index + 1]  # "--label whole_tumour"
        if value is None and not found["dashes"]:
            return text  # a word, not a flag
        lines.append(f"{found['key']}: {value.strip(_QUOTES)}" if value else f"note: {found['key']}")
        index += 1
    return "\n".join([*lines, *([f"note: {comment.strip(' #')}"] if comment.strip(" #") else [])])


_QUOTES = "\"'"
_FLAG = re.compile(r"""^(?P<dashes>--?)?(?P<key>[A-Za-z][\w-]{0,32})(?:=(?P<value>\S.*))?$""")
"""One pair or flag of a command line: "--roi=necrosis", "--preop", "target=core", "--label" before its value."""


def _checklist(text: str) -> str | None:
    """A request written as a checklist ("enhancing part - in; necrosis - in; oedema - out", "enhancing yes, oedema
    no") read as words ("segment enhancing part and necrosis, excluding oedema"), after its other pieces as context;
    None where fewer than two pieces are ticked or none is ticked in."""
    pieces = [piece.strip() for piece in re.split(r"[;,\n]|\.(?=\s|$)", _CHECKLIST_LABEL.sub("", text))]
    ticks = [(piece, _TICK.match(piece)) for piece in pieces if piece]
    marked = [(found["what"], found["mark"].lower() in _TICKED_IN) for _, found in ticks if found]
    if len(marked) < 2 or not any(kept for _, kept in marked):
        return None
    if ticks[0][1] is None and all(found["mark"].lower() in _SAID_AFTER for _, found in ticks if found):
        return None  # "tumour core, necrosis included, oedema excluded": what the core holds, not a checklist
    request = "segment " + " and ".join(what for what, kept in marked if kept)
    left_out = [what for what, kept in marked if not kept]
    if left_out:
        request += ", excluding " + " and ".join(left_out)
    return ". ".join([*(piece for piece, found in ticks if not found), request]) + "."


_CHECKLIST_LABEL = re.compile(r"^\s*checklist(?:\s+for\s+[^:]{1,30})?\s*:\s*", re.IGNORECASE)
_TICK = re.compile(
    r"^(?P<what>[^\W\d_][\w /-]{1,40}?)\s*(?:\s[-\u2013\u2014]\s*|\s*[:=]\s*|\s)"
    r"(?P<mark>yes|no|in|out|included|excluded|true|false|\u2713|\u2717)$",
    re.IGNORECASE,
)
"""One ticked piece of a checklist: what, and whether it is in ("necrosis - in", "oedema no")."""
_SAID_AFTER = ("included", "excluded")
"""Marks that are words of a sentence as well: after a phrase that ticks nothing, they say what it holds."""
_TICKED_IN = ("yes", "in", "included", "true", "\u2713")


def _pairs(text: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of ``text`` written as a JSON object, as "key=value" pairs apart by ";" or as lines of
    "key: value" (a list mark before each allowed); none where it is not all such pairs. A list value is its items
    joined by commas."""
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if isinstance(document, dict):
            return [
                (_key(str(key)), ", ".join(map(str, value)) if isinstance(value, list) else str(value))
                for key, value in document.items()
            ]
    lines = [line for line in re.split(r"\n|;", stripped) if line.strip()]
    found = [_PAIR.match(line) for line in lines]
    if len(lines) < 2 or not all(found):
        return []
    return [(_key(pair["key"]), pair["value"].strip().strip("[]").strip()) for pair in found if pair is not None]


def _key(text: str) -> str:
    """A key of a request written as data, as ``structured_keys`` lists it ("Leave_Out" is "leave out")."""
    return text.lower().replace("_", " ").strip()


_PAIR = re.compile(r"^\s*(?:[-*\u2022]\s*)?(?P<key>[A-Za-z][A-Za-z_ -]{0,32}?)\s*[:=]\s*(?P<value>\S.*)$")
"""One "key: value" or "key=value" of a request written as data."""
_JOINS_OR_LEAVES_OUT = re.compile(
    r"^\s*(?:including|incl|with|plus|and|without|excluding|excl|except|minus|no|not)\b", re.IGNORECASE
)
"""A modifier that joins or leaves out a part ("including peritumoral oedema"): it follows what it modifies."""

"""How a description is cut into sentences and what frames them: its sentences and the questions among them (cut at
".", ";", "?" or "!" outside parentheses and not after an abbreviation; a line, a list item, a ticket's field and a
numbered step each a sentence), an aside split from its head, quotation marks, accents, markdown emphasis and what
speech recognition wrote as said left out, a message's frame (a label, a greeting, a sign-off, a ticket's fields, a
ward message's details) left out, a word defined and then asked for by a pronoun, what the writer took back, and a
sentence that opens with what is not meant (``resources/finding_descriptors.json``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .description_text import (
    DEFINED_ASIDE,
    NUMBER_WORDS,
    alternatives,
    asks,
    folded,
    leaves_out,
    request_words,
    resource,
)

__all__ = [
    "asides",
    "defined_back",
    "opens_negated",
    "questions",
    "retracted",
    "sentences",
    "unaccented",
    "unemphasised",
    "unframed",
    "unquoted",
    "unspoken",
]


_ASIDE = re.compile(r"\(([^()]*)\)")
_ADDS = re.compile(r"(?:including|plus|and|also|as well as|\+)\s")
"""How an aside that only adds to its head opens (as :func:`folded` gives it: "incl." is "including")."""


def asides(description: str) -> list[str]:
    """A description with an aside split into its head and the aside ("TC region | NCR + NET + ET"; "ED region | WT
    minus TC" of "ED region = WT minus TC"; "gross abnormality | tumour and its oedema" of one with a colon); none
    when it has no aside. An aside that only adds to its head ("the solid and necrotic tumour (incl. the enhancing
    rim)", "the tumour tissue: including the enhancing rim") is part of it, read where it stands."""
    description = _ASIDE.sub(lambda found: f", {found[1]}," if _ADDS.match(folded(found[1])) else found[0], description)
    inside = _ASIDE.findall(description)
    if inside:
        return [part for part in (_ASIDE.sub(" ", description), *inside) if part.strip()]
    defined = DEFINED_ASIDE.match(description)
    if defined and _ADDS.match(folded(defined["aside"]).strip()):  # "the tumour tissue: including the rim, ..."
        return []
    return [defined["head"], defined["aside"]] if defined else []


def sentences(description: str) -> list[str]:
    """The sentences of a description, cut at ".", ";", "?" or "!" before a space or the end, outside parentheses
    and not after an abbreviation ("excl. necrosis", "i.e.")."""
    return [sentence for sentence, _ in _sentences_with_ends(description)]


def questions(description: str) -> list[str]:
    """The sentences of a description (as :func:`sentences` gives them) that end with a question mark."""
    return [sentence for sentence, end in _sentences_with_ends(description) if end == "?"]


def _sentences_with_ends(description: str) -> list[tuple[str, str]]:
    """:func:`sentences`, each with the mark that ends it ("" for the last one where none does)."""
    description = _STEP.sub("; ", _lines_joined(description))  # "1) Find the glioma. 2) Outline ...": one a step
    found: list[tuple[str, str]] = []
    start = depth = 0
    for index, character in enumerate(description):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character not in ".;?!" or depth > 0 or description[index + 1 : index + 2] not in ("", " ", "\t", "\n"):
            continue
        before = re.search(r"(?<![0-9])([A-Za-z.]+)$", description[start:index])  # not "54M.": an age and sex
        initial = before and re.fullmatch(r"[A-Z]", before.group(1).strip("."))  # "Dr P. Walsh"
        if character == "." and before and (before.group(1).lower().strip(".") in _ABBREVIATIONS or initial):
            continue
        found.append((description[start:index], character))
        start = index + 1
    found.append((description[start:], ""))
    return [(sentence.strip(), end) for sentence, end in found if sentence.strip(" ,")]


def _lines_joined(description: str) -> str:
    """``description`` on one line: a line break before a list item ("- [ ] mask covers ...", "* oedema") or a line
    that opens with a capital ("Reviewer: Dr Haas") ends a sentence, as does a blank line; a line that opens in lower
    case goes on the sentence before it (a wrapped line); the items under a line that ends with a colon are its
    list ("Exclude:\n- oedema\n- necrosis": "Exclude: oedema, necrosis")."""
    joined, listing = "", False
    description = _FIELD_BAR.sub("\n", description)  # "RAD-3310 | Summary: ... | Due: Fri": a field a line
    for line in description.split("\n"):
        mark = _LINE_ITEM.match(line)
        text = line[mark.end() :].strip() if mark else line.strip()
        if not text:
            joined += "" if mark or not joined or joined[-1] in ".;?!:" else ";"
            listing = listing and bool(mark)
        elif not joined:
            joined = text
        elif joined.endswith(":"):
            joined, listing = f"{joined} {text}", bool(mark)
        elif listing and mark:
            joined = f"{joined}, {text}"
        elif not mark and text[0].islower():
            joined, listing = f"{joined} {text}", False
        else:
            joined, listing = f"{joined}{' ' if joined[-1] in '.;?!' else '; '}{text}", False
    return joined


_FIELD_BAR = re.compile(r"\s+\|\s+(?=[A-Z][\w -]{0,30}:)")
"""A bar between the fields of a one-line ticket, before a field's label."""
_LINE_ITEM = re.compile(r"^\s*(?:[-*\u2022\u2013+]\s+(?:\[[ xX\u2713\u2714]?\]\s*)?|\[[ xX\u2713\u2714]?\]\s*)")
"""What opens an item of a list on its own line: a bullet, a box to tick or both ("- [ ] ", "* ", "[x] ")."""


_STEP = re.compile(
    r"(?:^|(?<=[\s.;:]))(?:\(?\d{1,2}[.)]|step\s+(?:\d{1,2}|one|two|three|four|five|six)\s*[:.)-]|\(?[a-e]\))\s+",
    re.IGNORECASE,
)
"""The mark of a numbered step ("1)", "2.", "Step 2:", "(b)"): each step is a sentence of its own."""


def unquoted(text: str) -> str:
    """``text`` without quotation marks (an apostrophe within a word is kept: "don't", "Chen's")."""
    return _QUOTE.sub(" ", text)


def unaccented(text: str) -> str:
    """``text`` with the accents of Latin letters left out ("naïve", "oedème"); other scripts kept as written."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", re.sub(r"(?<=[A-Za-z])[\u0300-\u036f]+", "", decomposed))


def unspoken(text: str) -> str:
    """``text`` as written where speech recognition wrote it as said: punctuation said aloud ("untreated glioma comma
    the oedema full stop"), a sequence spelt out ("tee two", "t one"), a word said twice ("the the full extent")."""
    text = _SPOKEN_MARKS.sub(lambda found: _MARK_SAID[found["mark"].lower()], text)
    text = _SPOKEN_SEQUENCE.sub(lambda found: f"T{NUMBER_WORDS[found['number'].lower()]:g}", text)
    return _SAID_TWICE.sub(r"\g<said>", text)


def uncontracted(text: str) -> str:
    """``text`` with a modal verb and "not" written apart where they were one ("the oedema mustn't be included",
    "shouldnt"): "mustn" is no word, and would be mended to another."""
    return _MODAL_NOT.sub(r"\g<modal> not", text)


_MODAL_NOT = re.compile(r"\b(?P<modal>should|must|shall|need)n['\u2019]?t\b", re.IGNORECASE)


def with_decimal_points(text: str) -> str:
    """``text`` with a decimal comma written as a point where a unit follows the number ("1,8 cm", "2,5 mm"; the way
    much of Europe and South America writes a size): never read as two numbers, "1" and "8 cm"."""
    return _DECIMAL_COMMA.sub(".", text)


_DECIMAL_COMMA = re.compile(
    r"(?<=\d),(?=\d{1,2}(?:\s*[x\u00d7]\s*\d+(?:[.,]\d+)?)*\s*-?\s*(?:mm|cm|ml|cc|millimet|centimet|millilit)(?![a-z]))",
    re.IGNORECASE,
)


_MARK_SAID = {"comma": ",", "full stop": ".", "new line": ".", "new paragraph": ".", "question mark": "?"}
_SPOKEN_MARKS = re.compile(r"\s+(?P<mark>comma|full stop|new line|new paragraph|question mark)(?=\s|$)", re.IGNORECASE)
_SPOKEN_SEQUENCE = re.compile(r"\b(?:tee|t)\s+(?P<number>one|two)\b", re.IGNORECASE)
_SAID_TWICE = re.compile(r"\b(?P<said>[a-z]+)(?:\s+(?P=said)\b)+", re.IGNORECASE)


def unemphasised(text: str) -> str:
    """``text`` without the asterisks of markdown emphasis ("**Task:** segment the *dead* centre"), a heading a
    sentence of its own ("## Task"); a sequence's star ("T2*") is kept."""
    return _EMPHASIS_MARKS.sub("", _HEADING.sub(r"\g<title>.", text))


_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(?P<title>[^\n]*?)[ \t.:]*$", re.MULTILINE)
_EMPHASIS_MARKS = re.compile(r"\*{2,3}|(?<![\w*])\*(?=[A-Za-z])|(?<=[A-Za-z])\*(?![\w*])")
_QUOTE = re.compile(r"(?<![A-Za-z])['\u2018\u2019\"\u201c\u201d]|['\u2018\u2019\"\u201c\u201d](?![A-Za-z])")


def unframed(said: list[str]) -> list[str]:
    """The sentences of a message less its frame (``finding_descriptors.json``): the label that opens a line before a
    colon ("Fwd from Marco:", "IMPRESSION:", "Teaching file caption:", "Neurosurg (JK):", "ACTION (due Thurs):"), a
    greeting that opens a sentence ("Hi Anna,"), and the sentences that sign off ("Thanks, Anna", "Cheers"); what
    comes before a colon, or a slash between spaces, that does not ask is a sentence of its own where what follows
    asks ("Suspected GBM: outline the enhancing rim only", "58M, new GBM / contour the oedema": the context, then the
    request)."""
    labels, greeting, sign_off, example, role = _frame()
    fields = _message_fields()
    kept = []
    for sentence in said:
        if fields.match(sentence.strip()):  # "Priority: High", "Assignee: seg-tool"
            continue
        sentence = _WARD_DETAILS.sub(" ", sentence)  # "Bleep 02:14 from Dr Okafor: bed 7, HR 84, ..."
        sentence = re.sub(r",+(?=[:;])", "", re.sub(r"\s+(?=[,:;])", "", sentence))
        sentence = re.sub(r"(?<=[,:;\u2013\u2014])\s*,+", "", sentence)
        sentence = re.sub(r"[ \t]{2,}", " ", sentence).strip(" ,")  # the commas left: "bed 7, 58M" as "58M"
        if example.match(sentence.strip()) or not labels.sub("", f"{sentence.strip()}:"):  # "Example: ...", "Task"
            continue
        sentence = role.sub("", greeting.sub("", labels.sub("", sentence.strip()))).strip()
        sentence = _LISTED.sub(r" \g<what> ", sentence).strip()  # "Exclude: oedema" as "Exclude oedema"
        context, colon, request = sentence.partition(": ")
        if not colon:  # "66F, ring-enhancing lesion, no tx / outline the central necrosis": an order's fields
            context, colon, request = sentence.rpartition(" / ")
        if colon and context.strip() and not asks(context) and asks(request) and "(" not in context:
            kept += [context.strip(), request.strip()]
        elif sentence and not sign_off.match(sentence):
            kept.append(sentence)
    return kept or said


_WARD_DETAILS = re.compile(
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b(?:\s*(?:am|pm|h|hrs)\b)?|\b(?:[01]\d|2[0-3])[0-5]\d\s*(?:h|hrs)\b"
    r"|\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Sister)\.?\s+[A-Z][a-z'\u2019-]+\b"
    r"|\b(?:(?:in|on|at)\s+)?(?i:bed|bay|side room|room|cubicle|ward)\s+(?:[A-Z]\d{0,2}\b|\d{1,3}[A-Z]?\b)"
    r"(?:\s+(?i:bed)\s+\d{1,3}\b)?"
    r"|\b(?:HR|BP|RR|SpO2|sats|GCS)\s*[:=]?\s*\d{1,3}(?:/\d{1,3})?\s*%?(?!\w)|\b(?:T|temp)\s*[:=]?\s+\d{2}(?:\.\d)?\b"
    r"|\bx\d{3,5}\b|\b[A-Z]{2,8}-\d{1,6}\b|(?<![\w#])#\d{1,6}\b"
)
"""What a ward message says of where and when, of whom and how the patient is ("02:14", "Dr Okafor", "bed 7",
"side room 4", "HR 84", "BP 138/82", "x6120" for an extension) and a ticket's number ("RAD-3310", "#88"): never which
finding."""
_LISTED = re.compile(
    r"(?:^|(?<=[,;]))\s*(?P<what>(?:(?:must|should|do not|don't|does not)\s+)?(?:include|includes|including"
    r"|included|exclude|excludes|excluding|excluded|leave out|not included|not to include))\s*:\s*",
    re.IGNORECASE,
)
"""What a line includes or leaves out, said before a colon ("Exclude: peritumoral oedema")."""


@cache
def _message_fields() -> re.Pattern[str]:
    """A line of a ticket or form that says nothing of the finding ("Priority: High", "Due: Fri";
    ``finding_descriptors.json`` ``message_fields``): left out whole."""
    return re.compile(
        rf"^(?:{alternatives(resource('finding_descriptors.json')['message_fields'])})\s*:", re.IGNORECASE
    )


@cache
def _frame() -> tuple[re.Pattern[str], ...]:
    document = resource("finding_descriptors.json")

    def alternatives_of(key: str) -> str:
        return alternatives(document[key])

    label = alternatives_of("message_labels")
    labels = re.compile(
        rf"^(?:(?:{label})(?:\s*[\u2013\u2014-]?\s+(?:{label}))*(?:\s+from\s+[^:]{{1,40}})?)(?:\s*\([^()]{{1,40}}\)"
        r")?\s*:\s*",
        re.IGNORECASE,
    )  # "Neurosurg reg:", "ACTION (neurorad, by next MDM):": who speaks or acts, and when
    greeting = re.compile(rf"^(?:{alternatives_of('greetings')})\b(?:\s+[\w.'’-]+){{0,3}}\s*[,!]\s*", re.IGNORECASE)
    sign_off = re.compile(rf"^(?:{alternatives_of('sign_offs')})\b[\s,!.]*(?:[\w.'’-]+[\s,]*){{0,5}}$", re.IGNORECASE)
    example = re.compile(rf"^(?:{alternatives_of('examples')})(?![\w-])\s*(?:\d+\s*)?[:,\u2013\u2014-]", re.IGNORECASE)
    role = re.compile(rf"^(?:{alternatives_of('roles')})\s+(?:an?|the|my|our)\s+[^.;:,]*(?:[.;:,]\s*|$)", re.IGNORECASE)
    return labels, greeting, sign_off, example, role


def defined_back(said: list[str]) -> list[str]:
    """The sentences of a description where a word is defined ("Necrosis here means dead tissue inside the rim.") and
    a later request asks for what it defines by a pronoun ("Segment that and only that."): the request asks for the
    word, and the definition, which only explains it, is left out."""
    for index, sentence in enumerate(said):
        defined = _DEFINES.search(sentence)
        if defined is None or asks(defined["term"]):
            continue
        for later, request in enumerate(said[index + 1 :], start=index + 1):
            if _REFERS_BACK.search(request):
                term = defined["term"].strip()
                asked = _REFERS_BACK.sub(lambda found, term=term: f"{found['verb']} the {term}", request)
                return [*said[:index], *said[index + 1 : later], asked, *said[later + 1 :]]
    return said


_DEFINES = re.compile(
    r"(?:^|:\s*)(?P<term>[a-z][\w' -]{1,40}?)\s+(?:here\s+|in this (?:case|context|request|task)\s+)?"
    r"(?:means|is defined as|refers to|denotes)\s",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(
    r"\b(?P<verb>segment|outline|contour|delineate|mark|label|mask|draw|trace|highlight)\s+(?:exactly\s+|only\s+"
    r"|just\s+)?(?:that|this|those|these|it)(?:\s+and\s+only\s+(?:that|this|it))?(?:\s+(?:tumou?r\s+)?(?:tissue"
    r"|region|part|area|compartment|component|portion))?(?=\s*(?:[,.;!?]|$))",
    re.IGNORECASE,
)
"""A word defined (":func:`defined_back`"), and a request that asks for it by a pronoun."""


def retracted(said: list[str]) -> list[str]:
    """The sentences of a description less what the writer took back: the words before a sentence's last correction
    ("the oedema, sorry, I mean the core"; ``finding_descriptors.json``, ``corrections``), and the sentence before
    one that opens with a correction ("Segment the oedema. Sorry, the core.") or with "no" before what it means
    instead ("Segment the lungs... no, just the nodule"; not before what it leaves out: "No, not the oedema"). A
    correction with nothing after it, or one that says which ("I mean the one in the left lobe"), takes nothing back
    ("Segment the oedema, sorry.")."""
    kept: list[str] = []
    for sentence in said:
        found = list(_corrections().finditer(sentence))
        answered = _NO_OPENING.match(sentence)
        meant = sentence[answered.end() :] if answered else ""
        if not found and answered and kept and not leaves_out(meant) and _names_something(meant):
            found = [answered]  # "Segment the lungs... no, just the nodule": the "no" takes the sentence before back
        if not found:
            kept.append(sentence)
            continue
        before, after = sentence[: found[0].start()].strip(_APART), sentence[found[-1].end() :].strip(_APART)
        before = "" if re.fullmatch(r"no|nope|nah", before, re.IGNORECASE) else before  # "... no, scratch that, X"
        if not after:  # "Segment the oedema, sorry." takes nothing back
            kept += [before] if before else []
            continue
        if _REFINED.match(after):  # "the nodule, I mean the one in the left lower lobe" says which, takes nothing back
            kept.append(f"{before}, {after}" if before else after)
            continue
        if not before and kept:
            kept.pop()
        kept.append(after)
    return kept or said


def opens_negated(sentence: str) -> tuple[str, list[str]] | None:
    """What a sentence that opens by saying what is not meant then means, and what it said is not meant: ("the
    surrounding oedema", ["the tumour core"]) of "Not the tumour core - the surrounding oedema", ("a 2 cm nodule",
    ["a mass"]) of "It isn't a mass, it's a 2 cm nodule", ("segment the nodule", ["the whole lobe"]) of "Don't segment
    the whole lobe, segment the nodule"; None where it does not open so, or nothing follows."""
    out: list[str] = []
    rest = sentence.strip()
    while True:
        found = _NEGATED_OPENING.match(rest)
        if found is None:
            break
        out.append(found["out"].strip())
        rest = rest[found.end() :]
    rest = _MEANT_INSTEAD.sub("", rest.strip(_APART + "."), count=1).strip(_APART)
    if not out or not re.search(r"[^\W\d_]", rest) or _NEGATED_OPENING.match(rest + ","):
        return None
    return rest, out


_NEGATED_OPENING = re.compile(
    r"\s*(?:(?:it|this|that)(?:'s|\s+is|\s+was)\s+not|(?:it|this|that)\s+(?:isn't|wasn't)|not|never"
    r"|no(?=\s+[a-z])|(?:please\s+)?(?:don't|do\s+not|dont)\s+(?:segment|outline|contour|draw|mark|label|include|give"
    r"\s+me|want|need|take|bother\s+with)|i\s+(?:don't|do\s+not|dont)\s+(?:mean|want|need))"
    r"\s+(?P<out>[^,;:\u2013\u2014]+?)\s*(?:[,;:\u2013\u2014]+|\s-+\s|\.{2,})\s*",
    re.IGNORECASE,
)
"""A phrase that says what is not meant, at the start of a sentence and set apart from what follows."""
_MEANT_INSTEAD = re.compile(
    r"^(?:but\s+)?(?:(?:it|this|that)(?:'s|\s+is)|i\s+(?:mean|want|need)|(?:what\s+)?i'm\s+after\s+is|rather"
    r"|instead)\s+",
    re.IGNORECASE,
)
"""Words that open what is meant after what is not ("..., it's a nodule", "..., I mean the core")."""


def _names_something(text: str) -> bool:
    """Whether ``text`` says more than a request and a pointer ("just the nodule", not "please segment it")."""
    said = re.sub(r"\b(?:please|pls|it|them|this|that|these|those|now|then|so|just|only|again)\b", " ", folded(text))
    return bool(re.search(r"[a-z]", request_words().sub(" ", said)))


_NO_OPENING = re.compile(r"^\s*(?:no|nope|nah)\s*[,!\u2013\u2014-]+\s*(?=\S)", re.IGNORECASE)
"""A sentence that opens by answering "no" to the one before it ("... no, just the nodule")."""
_REFINED = re.compile(
    r"(?:the|that|this)\s+(?:[a-z-]+\s+){0,3}one\b|it\b|the\s+(?:left|right|other|bigger|larger|smaller)\b", re.I
)
"""Words after a correction that say which, of what was named before it."""


_APART = " ,:;-\u2013\u2014"
"""Marks that set a correction apart from the words around it."""


@cache
def _corrections() -> re.Pattern[str]:
    """The corrections of ``finding_descriptors.json``, longest first, their words apart by spaces or marks, several
    in a row as one ("no, sorry, I mean"); an apology that goes on ("sorry if this is a dumb question", "sorry to
    bother you") takes nothing back."""
    entries = sorted(resource("finding_descriptors.json")["corrections"], key=len, reverse=True)
    one = "|".join(r"[\s,]+".join(re.escape(word) for word in entry.split()) for entry in entries)
    return re.compile(
        rf"(?<![\w-])(?:{one})(?:[{re.escape(_APART)}]+(?:{one}))*(?![\w-])(?!\s+(?:if|for|to|about|that)\b)",
        re.IGNORECASE,
    )


_ABBREVIATIONS = frozenset("incl excl approx i.e e.g ie eg vs etc cf fig no nr pt dr max min ca resp".split())

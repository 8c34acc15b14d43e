"""How the words of a finding description are read before their meaning is compared: folded (British spelling,
clinical synonyms and abbreviations, negations; ``resources/finding_synonyms.json``), with measurements, appearance
words and request words left out (``resources/finding_descriptors.json``), the parts of the body and diseases it names
(``resources/finding_subjects.json``), and its structure: joined parts, a part left out, the head before a word of
place. How a description is cut into sentences, an aside split from its head and what frames them are
:mod:`.description_sentences`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from ..data.phrasing import spelling_variant
from .finding_lexicon import all_larger_named, finding_nouns, region_words, tumour_nouns

__all__ = [
    "DEFINED_ASIDE",
    "JOINED",
    "NUMBER_WORDS",
    "PART_WORDS",
    "RELATION",
    "anatomy_only",
    "anchored",
    "asks_for_a_diagnosis",
    "decides_only",
    "names_a_treatment",
    "adjectives_joined",
    "alternatives",
    "asks",
    "comparable",
    "corrected",
    "dismisses",
    "edit_distance",
    "excluded_parts",
    "folded",
    "included_part",
    "joined_parts",
    "known_words_from",
    "misspelt_as",
    "leaves_out",
    "refuses_to_ask",
    "request_words",
    "names_a_part",
    "negated",
    "place_segments",
    "place_words",
    "resource",
    "set_against",
    "resource_words",
    "sides",
    "stated_lengths_mm",
    "still_negates",
    "subjects",
    "unknown_words",
    "vocabulary_words",
    "words",
]

_RESOURCES = Path(__file__).resolve().parents[1] / "resources"
_SIDES = ("left", "right")


# A phrasing that joins two findings ("enhancing tumour and necrosis", a tumour core phrasing) is nearly as close to
# either of them alone as to itself, so it is compared only with descriptions that join too.
JOINED = re.compile(r"\s*(?:\b(?:and|plus|with|including|covering|comprising|combining)\b|[&/+])\s*")
ENCLOSED_BY = (
    "surrounded by",
    "enclosed by",
    "encircled by",
    "bordered by",
    "rimmed by",
    "bounded by",
    "ringed by",
    "framed by",
    "delimited by",
    "lined by",
)
"""Words that put what comes before them inside what follows ("the middle | bounded by | the enhancing wall")."""
# Where a finding lies relative to another: the words before it name the finding ("the necrotic centre | within the
# enhancing rim", "oedema | around the tumour core").
_PLACE = re.compile(
    r"\s*\b(?:within|inside|in|of|around|surrounding|encircling|about|adjacent to|near|next to|at|on|from|outside"
    rf"|beyond|peripheral to|(?:that |which )?surrounds?|{'|'.join(ENCLOSED_BY)})\b\s*"
    r"|\s*\b(?:that|which)\s+(?=(?:[a-z-]+\s+){1,4}(?:surrounds?|encloses?|encircles?|rims?|borders?)\b)"
)

RELATION = re.compile(
    r"\b(?:around|surrounding|surrounds?|encircling|adjacent to|next to|near|outside(?: of)?|beyond|peripheral to"
    rf"|{'|'.join(ENCLOSED_BY)})\b"
)
"""A word of place that relates a finding to another beside it ("oedema | surrounding the enhancing and necrotic
tumour"): what follows, joined or not, is where it lies."""


PART_WORDS = frozenset(
    "the a an this that its their some part parts portion portions component components area areas region regions"
    " compartment zone zones middle center rest bit bits".split()
)
"""Words that say "a part of" and name none: a description's head of nothing else names its finding after it."""
_NEGATED = re.compile(r"^(?:not|no|none of|nothing of|no part of|neither|nor)\s")
_CONTAINERS = "mask|contour|contours|segmentation|label|volume|outline|region|roi|it"
"""What a region drawn is called when a part is said to be in it or not ("the oedema must not be inside the mask")."""
_LEFT_OUT = re.compile(
    r"^(?P<kept>.+?)[,;]\s*(?:but\s+)?(?P<out>[^,;]+?)\s+(?:(?:must|should|is to|are to|has to|have to|to)\s+)?"
    r"(?:all\s+)?(?:(?:be|is|are)\s+)?(?:all\s+)?(?:not including|excluded|not counted|left out|removed|subtracted"
    r"|omitted|not"
    rf"(?:\s+(?:be\s+)?(?:inside|in|within|part of|included|including|counted)(?:\s+(?:the|this|that|our|its)(?:\s+(?:"
    rf"{_CONTAINERS}))?|\s+(?:{_CONTAINERS}))?)?)"
    r"(?:\s*[,;]\s*(?:but\s+)?(?P<more>.+))?$"
)
DEFINED_ASIDE = re.compile(
    r"^(?P<head>[^=:]+?)(?:[=:]|,?\s*\b(?:i\.e\.|ie|namely|so basically|basically|in other words|which means"
    r"|that means|also known as|also called|aka)(?=[\s,])"
    r"|,\s*(?:meaning|that is|defined as|operationali[sz]ed as)(?=[\s,]))(?P<aside>.+)$",
    re.IGNORECASE,
)
"""A head and an aside that says what it is, after "=", ":", "i.e." or the like ("ED region = WT minus TC")."""


_DASH = re.compile(r"\s+[-\u2013\u2014]+\s+")
"""A dash between spaces sets a phrase apart, as a comma does."""


def asks(text: str) -> bool:
    """Whether ``text`` asks for something ("please contour ...", "how big is ...", "the core was delineated on T1c";
    ``finding_descriptors.json``, ``requests`` and ``passive``); a passive negated ("not to be segmented") does not."""
    lowered = text.lower()
    return (
        request_words().search(folded(text)) is not None
        or any(  # "was delineated"; not "not to be segmented", nor "was contoured last week"
            not re.search(r"\b(?:not|never|n't)\s*$", lowered[: found.start()])
            and not _DONE_WHEN.match(lowered, found.end())
            and not re.search(r"\b(?:already|previously)\s+(?:been\s+)?$", lowered[: found.start()])
            for found in _passive().finditer(lowered)
        )
    )


_DONE_WHEN = re.compile(
    r"[^.;!?]*?\b(?:already|previously|earlier|yesterday|ago|last\s+(?:week|month|year|time|visit)"
    r"|on\s+the\s+(?:prior|previous|last)\b)"
)
"""When a participle says a thing was done ("The core was contoured | last week."): a report of the past, not a
request."""


def asks_for_a_diagnosis(said: list[str], asked: Iterable[str] = ()) -> bool:
    """Whether the sentences of a description ask what a finding is, not where ("Is this tumour high grade? What's the
    diagnosis?", "Lung-RADS category for this nodule?", "What is inside the ring - necrosis or a cyst?"): one is a
    question (it opens as one, asks within it, "tell me whether ...", asks to be given an answer, or is among
    ``asked``, those that end with a question mark) about it (``finding_descriptors.json``, ``diagnostic_questions``)
    or about which of things it is (:data:`_WHICH_IT_IS`), and none asks for something to be drawn or measured
    (``drawing_requests``)."""
    diagnostic, drawing = _asking("diagnostic_questions"), _asking("drawing_requests")
    named = _asking("diagnostic_questions", whole_words=True)
    lowered = [_without_untreated(sentence.lower()) for sentence in said]  # "never treated" asks of no treatment
    heads = [_diagnosis_head(text) for text in lowered]
    marked = {sentence.lower() for sentence in asked}
    questions = [bool(_QUESTION.match(text) or _marked(text, marked)) for text in lowered]
    found = [
        text
        for text, head, question in zip(lowered, heads, questions, strict=True)
        if (question or _INDIRECT_QUESTION.search(text))
        and diagnostic.search(text)
        or question
        and _WHICH_IT_IS.search(text)
        or _GIVING.match(text)
        and named.search(_GRADE_NAMED.sub(" ", text))  # "give me the diagnosis", not "give me ... newly diagnosed ..."
        or head
        or _WHAT_IT_IS.match(text)
    ]
    return bool(found) and not any(drawing.search(text[len(head) :]) for text, head in zip(lowered, heads, strict=True))


def _diagnosis_head(sentence: str) -> str:
    """The head of ``sentence`` where it is a noun phrase headed by what a finding is, said of it ("prognosis for
    this GBM", "likely histology of the mass", "survival estimate for this glioblastoma"; ``diagnostic_questions``),
    whatever word follows the head ("estimate"), and no label's value follows a colon; else ""."""
    headed = _diagnosis_heads().match(sentence)
    grade = _GRADE_NAMED.search(sentence)
    if headed is None or ":" in sentence or grade is not None and grade.start() < headed.end():
        return ""  # "High-grade glioma on T1c/FLAIR.": the head is a grade that names the tumour
    return headed.group(0)


@cache
def _diagnosis_heads() -> re.Pattern[str]:
    """:func:`_diagnosis_head`'s pattern: a word of ``diagnostic_questions`` after determiners and hedges, one word
    more at most, then "of", "for", "in", ... ."""
    named = _asking("diagnostic_questions", whole_words=True).pattern
    return re.compile(
        rf"^\W*(?:(?:the|a|an|your|its|likely|probable|most likely|expected|overall|estimated|predicted|best|median"
        rf"|mean|possible|underlying|true)\s+)*"
        rf"{named}(?:\s+[a-z-]+)?\s+(?:for|of|in|on|with|regarding|about)\s",
        re.IGNORECASE,
    )


def decides_only(said: list[str]) -> bool:
    """Whether the sentences of a description record what a team decided to do ("Minutes: discussed the oedema -
    decision: start dexamethasone; owner: ward team."): one of ``finding_descriptors.json`` ``decisions`` ``labels``
    before a colon, then one of its ``verbs``, and nothing asks for a finding to be drawn or measured
    (``drawing_requests``)."""
    text = " ".join(said)
    return _decided().search(text) is not None and _asking("drawing_requests").search(text) is None


@cache
def _decided() -> re.Pattern[str]:
    decisions = resource("finding_descriptors.json")["decisions"]
    return re.compile(
        rf"(?<![\w-])(?:{alternatives(decisions['labels'])})\s*(?:\([^)]*\))?\s*:\s*(?:to\s+)?"
        rf"(?:{alternatives(decisions['verbs'])})(?![\w-])",
        re.IGNORECASE,
    )


def names_a_treatment(text: str) -> bool:
    """Whether ``text`` names a treatment or its effect, done or not ("never operated", "post-op", "temozolomide";
    ``finding_descriptors.json`` ``untreated`` ``treatments`` and ``finding_subjects.json``'s ``treatment effect``)."""
    return _treatments().search(folded(text)) is not None


@cache
def _treatments() -> re.Pattern[str]:
    return _whole_words(
        resource("finding_descriptors.json")["untreated"]["treatments"]
        + resource("finding_subjects.json")["diseases"]["treatment effect"]
    )


def _marked(sentence: str, marked: set[str]) -> bool:
    """Whether ``sentence`` is one of the ``marked`` questions, or ends one whose label was left out ("Tutor: is this
    glioma IDH-mutant?")."""
    return any(question.endswith(sentence.strip()) for question in marked) if sentence.strip() else False


_QUESTION = re.compile(
    r"^(?:is|are|was|were|does|do|did|can|could|will|would|should|has|have|what|what's|which|why|how|tell me|any idea"
    r"|dx|ddx)"
    r"\b"
)


_WHAT_IT_IS = re.compile(
    r"^\W*(?:(?:please\s+)?(?:tell me|say|explain)\s+)?what\s+(?:this|the|that|these|those)\s+[a-z0-9 -]+?\s+"
    r"(?:is|are|might be|could be|may be|would be)\s*[?.!]*$"
)
"""A question of what a finding is, asked as a clause ("what this nodule is")."""
_GRADE_NAMED = re.compile(
    r"\b(?:(?:high|low)[- ]grade|(?:who\s+)?(?:cns\s+)?grade[- ](?:i{1,3}|iv|[1-4]))"
    r"(?=[\s-]+(?:diffuse\s+)?(?:glioma|glial|tumou?r|astrocytoma|oligodendroglioma|glioblastoma|lesion))"
)
"""A grade that names the kind of tumour ("this untreated high-grade glioma", "WHO grade 4 astrocytoma"), not a
question of its grade."""
_GIVING = re.compile(
    r"^\W*(?:please\s+)?(?:give|provide|assign|state|report|estimate|predict|suggest|classify|grade|stage)\b"
)
"""A sentence that asks to be given an answer ("Give the Lung-RADS category of the 7 mm nodule."): with a word of
``diagnostic_questions``, it asks what a finding is as a question does."""
_WHICH_IT_IS = re.compile(
    r"\b(?:is|could|might|may|would|can)\s+(?:it|this|that|they|these|those)\s+(?:be\s+)?(?:an?\s+|the\s+)?[a-z-]+"
    r"\s*[?.!]*$"
    r"|(?:[,:;\u2013\u2014]|\s-)\s*(?:an?\s+)?(?:[a-z-]+\s+){0,2}?[a-z-]+\s+or\s+(?:an?\s+)?(?:[a-z-]+\s+){0,2}?[a-z-]+"
    r"\s*[?.!]*$"
)
"""A question that asks which of things a finding is ("What is inside the ring - necrosis or a cyst?", "..., is it
necrotic?"): what it is, not where."""
_INDIRECT_QUESTION = re.compile(r"\bwhether\b|\b(?:tell me|let me know|decide|determine|say)\s+if\b")
"""A question asked within a sentence ("... and tell me whether this glioma is IDH-mutant")."""


@cache
def _asking(key: str, whole_words: bool = False) -> re.Pattern[str]:
    """The words of ``finding_descriptors.json`` ``key``, each beginning a word ("diagnose" in "diagnosed"), or where
    ``whole_words`` each a whole word or its plural."""
    entries = alternatives(resource("finding_descriptors.json")[key])
    if whole_words:
        return re.compile(rf"(?<![\w-])(?:{entries})(?:e?s)?(?![\w-])", re.IGNORECASE)
    return re.compile(rf"(?<![\w-])(?:{entries})(?!\w*-(?:naive|naïve|free)\b)", re.IGNORECASE)  # "treatment-naive"


def refuses_to_ask(text: str) -> bool:
    """Whether ``text`` asks that nothing be drawn ("don't segment anything", "no need to outline it", "report only
    the answer"), in its words as written too: what is to be done with a finding is left out of the folded text
    ("... and report the total without segmenting"). Sentences joined into ``text`` keep their full stops."""
    return any(_REFUSED_REQUEST.search(said) for said in (folded(text), text.lower()))


def anchored(text: str) -> bool:
    """Whether ``text`` names a trained family's own disease or organ plainly ("glioma", "the right upper lobe";
    ``finding_subjects.json``, ``anchors``)."""
    return _anchors().search(folded(text)) is not None


def dismisses(text: str) -> bool:
    """Whether a sentence speaks of something other than what is asked for (``finding_descriptors.json``,
    ``dismissals``: "Incidental meningioma, ignore.", "She also has a fatty liver.", "PMH: ..."), opens with the
    patient's age and sex ("71M, benign prostatic hyperplasia."), or tells of earlier imaging ("A CT head in 2021 was
    normal."), and asks nothing."""
    lowered = text.lower()
    if _dismissals().search(lowered):
        return True
    if asks(text):
        return False
    return bool(_AGE_AND_SEX.match(text.strip()) or _EARLIER_IMAGING.search(lowered))


_AGE_AND_SEX = re.compile(
    r"^(?:\d{1,3}\s?(?:[MF]|yo|y/o)\b|\d{1,3}[- ]?(?:year|yr)s?[- ]old\b|(?:a|an)\s+\d{1,3}[- ]?(?:year|yr)s?[- ]old\b)"
)
_EARLIER_IMAGING = re.compile(
    r"\b(?:ct|mri|mr|x-ray|xray|radiograph|ultrasound|scan|pet)\b.*\b(?:(?:19|20)\d\d|(?:years?|months?|weeks?)\s+ago"
    r"|last\s+(?:year|month|week)|previously)\b"
    r"|\b(?:(?:19|20)\d\d|(?:years?|months?|weeks?)\s+ago|last\s+(?:year|month|week))\b.*\b(?:ct|mri|x-ray|scan)\b"
)


@cache
def _dismissals() -> re.Pattern[str]:
    return _whole_words(resource("finding_descriptors.json")["dismissals"])


@cache
def _anchors() -> re.Pattern[str]:
    return _whole_words(
        [spelling_variant(entry, american=True) for entry in resource("finding_subjects.json")["anchors"]]
    )


def _whole_words(entries: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds any of ``entries`` as whole words (a hyphen is part of a word), longest first."""
    return re.compile(rf"(?<![\w-])(?:{alternatives(entries)})(?![\w-])")


def restyles_only(said: list[str]) -> bool:
    """Whether every sentence of a description only changes how a segment is shown ("Change the colour of the nodule
    segment to blue and show it in 3D"; ``finding_descriptors.json``, ``outputs``, ``restyling``): it asks for no
    finding to be drawn."""
    return bool(said) and all(_restyled().match(sentence.strip()) for sentence in said)


@cache
def _restyled() -> re.Pattern[str]:
    styles = alternatives(resource("finding_descriptors.json")["outputs"]["restyling"])
    return re.compile(
        rf"^(?:(?:please|pls|can you|could you)\s+)*(?:change|set|adjust|make|switch|toggle|turn|alter|modify|update)"
        rf"\s+(?:the\s+|its\s+)?(?:{styles})\s+(?:of|for|on)\b",
        re.IGNORECASE,
    )


def reshaping(text: str) -> str | None:
    """What in ``text`` asks for a finding drawn changed in shape (``finding_descriptors.json``, ``reshaping``), or
    None: a verb of growing or shrinking by a size ("shrink the core by 3 mm", not "the nodule has grown by 3 mm since
    ..."), a size above zero before or after a shape ("plus a 5 mm margin", "a margin of 1 cm"), a hollowing word."""
    lowered = text.lower()
    for pattern in _reshaping():
        for found in pattern.finditer(lowered):
            size = found.groupdict().get("size")
            if size is None or float(size) > 0:
                return found.group(0).strip()
    return None


@cache
def _reshaping() -> tuple[re.Pattern[str], ...]:
    document = resource("finding_descriptors.json")["reshaping"]
    verbs, shapes = alternatives(document["verbs"]), alternatives(document["shapes"])
    size = r"(?P<size>\d+(?:\.\d+)?)\s*-?\s*(?:mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?|voxels?)\b"
    return (
        re.compile(
            rf"(?<!has )(?<!have )(?<!had )(?<!is )(?<!was )(?<!been )(?<![\w-])(?:{verbs})\b[^.;!?]{{0,80}}?\bby\s+"
            rf"(?:an?\s+|about\s+|approximately\s+|[+-]\s*)?{size}"
            r"(?![^.;!?]*\b(?:since|over the|compared|per year|a year))"
        ),
        re.compile(
            rf"(?<![\w.]){size}(?:[\s-]+(?:thick|wide|isotropic|uniform|circumferential|outer|inner))*[\s-]+(?:{shapes})\b"
        ),
        re.compile(rf"(?<![\w-])(?:{shapes})\s+of\s+(?:an?\s+|about\s+|\+\s*)?{size}"),
        re.compile(rf"(?:\bplus|\+)\s*(?:an?\s+)?{size}"),
        _whole_words(document["hollowing"]),
    )


_REFUSED_REQUEST = re.compile(
    r"\b(?:do not|don't|dont|does not|doesn't|no need to|never|not to|without)\s+"
    r"(?:(?:even|ever|actually|really|yet|need to|have to|bother to|try to|want to|[a-z]+ly)\s+)?"
    r"(?:segment|segmenting|outline|outlining|contour|contouring|draw|drawing|mark|marking|delineate|highlight|measure)\b"
    r"|\b(?:report|give|tell|return|send)\s+(?:me\s+|us\s+)?(?:only|just)\s+(?:the\s+)?(?:answer|verdict|result)\b"
    r"|\bnot a (?:mask|segmentation|contour)\b|\bno (?:segmentation|mask|contour) (?:needed|required|wanted)\b"
)


def included_part(text: str) -> str | None:
    """What a sentence says is to be included, or None ("the oedema" of "Oedema must be inside the mask too.",
    "Include the necrosis as well.", "Also the oedema."): read with the request before it, it adds to it."""
    lowered = folded(text).strip(" ,")
    if still_negates(lowered):
        return None
    for pattern in _INCLUDED:
        found = pattern.match(lowered)
        if found and found["what"].strip(" ,") and not asks(found["what"]):  # "Also segment the rim." asks anew
            return found["what"].strip(" ,")
    return None


_ADDED = r"(?:\s+(?:too|as well|also))?"
_INCLUDED = (
    re.compile(  # "include the oedema too", "add the necrosis to the mask"
        rf"^(?:also\s+)?(?:including|add|keep)\s+(?P<what>.+?){_ADDED}(?:\s+(?:in|inside|within|into|to)\s+(?:the\s+)?"
        rf"(?:{_CONTAINERS}))?{_ADDED}$"
    ),
    re.compile(  # "the oedema must be included", "oedema should also be inside the mask"
        r"^(?P<what>.+?)\s+(?:(?:must|should|has to|have to|needs to|need to|is to|are to)\s+)?(?:also\s+)?"
        rf"(?:be\s+|is\s+|are\s+)?(?:also\s+)?(?:including|counted|(?:inside|within|in|part of)\s+(?:the\s+)?"
        rf"(?:{_CONTAINERS})){_ADDED}$"
    ),
    re.compile(r"^(?:and\s+|plus\s+)?(?:also|plus)\s+(?P<what>.+)$"),  # "also the oedema"
    re.compile(r"^(?P<what>.+?)\s+(?:too|as well)$"),  # "the oedema too"
)
"""The ways a sentence, folded ("included" reads "including"), says a part is to be included (a modal alone, "the
oedema must be inside", says nothing: it may say where the oedema is)."""


def leaves_out(text: str) -> bool:
    """Whether ``text`` says what is not meant or is left out ("leave out the oedema", "not the vessels")."""
    compared = comparable(text)
    return len(excluded_parts(compared)) > 1 or still_negates(compared)


@cache
def request_words() -> re.Pattern[str]:
    """The requests and passive participles of ``finding_descriptors.json`` as whole words ("outline", "delineated")."""
    document = resource("finding_descriptors.json")
    return _whole_words([*document["requests"], *document["passive"]["participles"]])


@cache
def _drawn_as() -> re.Pattern[str]:
    """What is drawn, said as what the regions drawn are ("Volumes of interest were delineated as the necrotic
    centre", "ROIs are to be segmented as ..."; ``finding_descriptors.json`` ``passive``): the words before it."""
    passive = resource("finding_descriptors.json")["passive"]
    return re.compile(
        rf"(?:^|(?<=[:;,] ))(?:the\s+|all\s+)?(?:{_CONTAINERS}|volumes?|regions?|rois?|vois?|labels?|masks?|targets?"
        rf"|segments?|segmentations?|contours?|structures?)(?:\s+of\s+interest)?\s+"
        rf"(?:{alternatives(passive['auxiliaries'])})\s+(?:{alternatives(passive['participles'])})\s+as\s+"
    )


@cache
def _passive() -> re.Pattern[str]:
    """A request in a protocol's words (``finding_descriptors.json`` ``passive``): an auxiliary before participles
    ("was delineated", "shall be labelled", "to be outlined and measured"), which ask and name nothing, or a modal
    before a request ("Annotators will outline"; the request is group ``asked``)."""
    document = resource("finding_descriptors.json")
    passive = document["passive"]
    done = alternatives(passive["participles"])
    return re.compile(
        rf"(?<![\w-])(?:(?:{alternatives(passive['auxiliaries'])})\s+(?:{done})(?:\s+(?:and|&)\s+(?:{done}))*"
        rf"|(?:{alternatives(passive['modals'])})\s+(?P<asked>(?:{alternatives(document['requests'])})))(?![\w-])"
    )


def excluded_parts(text: str) -> list[str]:
    """The parts of a compared text that leaves parts out of a region: the region, then each part left out ("tumor
    core | edema" of "tumor core without edema", "tumor core, edema excluded" or "tumor core, the edema must be left
    out"; "edema | enhancing and necrotic tumor" of "edema excluding the enhancing, necrotic or ... tumor"); the
    region is "" where the text only says what is left out ("excluding necrosis"); one part when it leaves nothing
    out."""
    left_out = _LEFT_OUT.match(text)
    if left_out:  # "X, Y must be left out, but Z kept": Z is joined to X; "X, Y excluded, baseline scan" joins nothing
        more = left_out["more"] and not _names_only_a_study(left_out["more"])
        kept = f"{left_out['kept']} including {left_out['more']}" if more else left_out["kept"]
        return [kept, _listed(left_out["out"])]
    parts = _EXCLUDING.split(text)
    parts = [parts[0], *(part for part in parts[1:] if part.strip(" ,"))]
    if len(parts) > 1 and "," in parts[-1]:  # "X without Y, with Z included": what is left out ends at the comma
        out, rest = parts[-1].split(",", 1)
        if _CLAUSE_START.match(rest.strip()) or not _LIST_END.search(rest):  # ...unless it lists more ("Y, Z and W")
            said_of = parts[0].strip(" ,") and _names_only_the_study_or_tumour(rest)
            kept = parts[0] if said_of else f"{parts[0]}, {rest.strip()}"
            parts = [kept, *parts[1:-1], out]  # "X, not Y, (untreated) glioma, (pre-op) scan": it says of what
    if len(parts) == 1:
        return [text]
    if not parts[0].strip(" ,"):  # "exclude the oedema and (segment) everything else of the glioma"
        rest = _EVERYTHING_ELSE.match(parts[-1])
        if rest and rest["of"].strip():
            parts = [rest["of"], *parts[1:-1], rest["out"]]
    # "X including Y, but | Z"; "the solid part that does not enhance and is | neither necrosis nor oedema"
    kept = re.sub(r"(?:[\s,]+(?:but|and|yet)(?:\s+(?:that|which))?(?:\s+(?:is|are))?)+(?=\s*(?:,|$))", "", parts[0])
    kept = kept.strip(" ,")
    return [kept, *(_listed(part) for part in parts[1:])]


_EVERYTHING_ELSE = re.compile(
    r"^(?P<out>.+?)[\s,]+(?:and|but)?\s*(?:everything|all|anything|the rest)\s+(?:else\s+)?"
    r"(?:belonging to|that belongs to|of|in|within)?\s*(?P<of>.*)$"
)
"""What a request that opens by leaving out keeps: "everything else (of) X" after what it leaves out."""


def _names_only_a_study(text: str) -> bool:
    """Whether ``text`` says nothing but which study or images ("baseline scan", "on the T1c series")."""
    return not _without_the_study(text).strip(" ,")


def _names_only_the_study_or_tumour(text: str) -> bool:
    """Whether ``text`` says nothing but which study or images or which tumour ("glioma, scan", once "untreated" and
    "pre-op" are left out as annotation)."""
    return set(words(_without_the_study(text))) <= tumour_nouns()


def _without_the_study(text: str) -> str:
    """``text`` without the words that say which study or images ("baseline scan", "on the T1c series")."""
    return _STUDY_WORDS.sub(" ", _scan_words().sub(" ", text))


_STUDY_WORDS = re.compile(
    r"\b(?:the|this|that|a|an|on|in|of|at|from|scan|scans|study|studies|exam|examination|image|images|series|sequence"
    r"|sequences|imaging|case|dataset|volume)\b"
)


_AND_ASKS = re.compile(
    r"\s+and\s+(?=(?:then\s+)?(?:just\s+|only\s+)?(?:outline|segment|contour|draw|mark|delineate|label|give|show"
    r"|measure|keep|take)\s)"
)
"""A request that follows another clause ("leave out the swelling | and just outline the actual tumour"): a clause of
its own, so that what is left out ends before it."""


def _listed(text: str) -> str:
    """A part left out, its parts joined by "and": leaving out "A or B" leaves out A and B."""
    return re.sub(r"\s*\b(?:or|nor)\b\s*", " and ", text).strip(" ,")


_CLAUSE_START = re.compile(r"^(?:but|and|with|including|plus|so|for|which|that|as|in|on)\b")
"""Words that start a clause of its own after a list of parts left out ("without Y, including Z")."""
_LIST_END = re.compile(r"\b(?:and|or|nor)\b")
"""A list of parts left out ends with "and" or "or" ("excluding A, B and C")."""


def joined_parts(text: str) -> list[str]:
    """The parts of a compared text that joins findings ("a, b and c"): split at each joining word and, when there is
    one, at each comma; one part when it joins nothing. The tumour or study named after the list, set apart by a comma,
    says of what and is no part ("the enhancing ring and the necrosis, (untreated) GBM")."""
    parts = JOINED.split(text)
    if len(parts) > 1:
        *joined, last = parts
        listed, _, said_of = last.rpartition(",")  # "A and B, untreated GBM": the tumour after the list says of what
        if listed.strip(" ,") and said_of.strip() and _names_only_the_study_or_tumour(said_of):
            last = listed
        parts = [piece for part in [*joined, last] for piece in part.split(",")]
    return [part.strip() for part in parts if part.strip(" ,")]


# A region with another left out: the first's labels less the second's.
_EXCLUDING = re.compile(
    r"\s*\b(?:without including|without|excluding|excludes|exclude|except(?: for)?|minus|not including|other than"
    r"|apart from|distinct from|separate(?:ly)? from|but not|(?:but )?(?:leave|leaving|keep|keeping) out"
    r"|(?:but )?stop(?:ping)? (?:at|short of)(?: (?:the )?(?:edges?|borders?|margins?|boundary|boundaries) of)?"
    r"|(?:not|without) counting|(?:with\s+)?(?:zero|no)\s+overlap\s+with|not\s+overlapping(?:\s+with)?"
    r"|outside(?: of)?|(?:(?:do|does|must|should) not|don't|doesn't|dont|doesnt|not to) (?:includ(?:e|ing)|count)"
    r"|omitting|omits"
    r"|omit)\b\s*"
    r"|\s*\b(?:skip(?:ping)?|ignor(?:e|ing)|disregard(?:ing)?|drop(?:ping)?|(?:set|setting|put|putting) aside"
    r"|instead of|rather than|as opposed to)\b\s*"
    r"|\s*\b(?:and\s+|then\s+)?(?:(?:once|after|when|if)\s+(?:you\s+|we\s+|i\s+)?(?:have\s+|'ve\s+)?)?"
    r"(?:strip(?:ped|ping)?\s+(?:away|off|out)|tak(?:e|en|ing)\s+(?:away|out)|subtract(?:ed|ing)?|remov(?:e|ed|ing)"
    r"|cut(?:ting)?\s+out|carv(?:e|ed|ing)\s+out)\b\s*"
    r"|\s*(?:,|\band\b|\bbut\b)\s*(?:not|no|none of|nothing of|no part of)\s+(?!(?:counting|including)\b)"
    r"|\s*,?\s*\bneither\s+"
    r"|\s*\b(?:(?:and|but|which|that)\s+)?(?:is not|isn't|are not|aren't)\s+"
    r"|\s+not\s+(?=(?:the|any|its|their)\s)"
)


def subjects(text: str) -> dict[str, tuple[str, str]]:
    """The words of ``text`` (folded as compared, its appearance and place words kept: "in the right upper lobe" names
    the lung; its annotation words left out: "lung cancer screening" says why, not what) that name a part of the body
    or a disease or the kind of scan -> ("parts", "diseases" or "modalities", which one)
    (``resources/finding_subjects.json``)."""
    pattern, subject_of = _subject_words()
    said = _descriptors(keep_region_words=False, groups=("annotation",)).sub(" ", folded(text))
    named = {found: subject_of[found] for found in pattern.findall(said)}
    lowered = spelling_variant(text.lower(), american=True)
    lowered = re.sub(alternatives(resource("finding_subjects.json").get("not_modalities", [])) or "$^", " ", lowered)
    scans = _scan_words().findall(lowered)  # "on the brain CT": in the brain; "SNOMED CT" is no scan
    return named | {found: subject_of[found] for found in scans}


def anatomy_only(text: str) -> str:
    """What ``text`` names where it names normal anatomy and nothing else: the part of the body ("lung" for "segment
    both lungs", "the left lung"), "structures" for structures of no one part ("the adjacent vessels"); "" where it
    names anything else (a finding, a disease) (``finding_subjects.json``: parts, structures and their modifiers)."""
    said = _BESIDE_IT.sub(" ", request_words().sub(" ", folded(text)))  # "the vessels | next to it"
    named = subjects(said)
    if any(kind not in ("parts", "modalities") for kind, _ in named.values()):
        return ""
    for word in named:  # "the lungs on CT": the kind of scan says where it is seen, not what
        said = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", said)
    document = resource("finding_subjects.json")
    left = set(re.findall(r"[a-z0-9]+", said)) - PART_WORDS - set(document["structure_modifiers"])
    structures = left & set(document["structures"])
    if left - structures:
        return ""
    parts = [part for kind, part in named.values() if kind == "parts"]
    return parts[0] if parts else ("structures" if structures else "")


def without_places(compared: str) -> str:
    """A compared text without the words that say where in the brain or the lung a finding lies ("the left thalamic
    glioblastoma": the glioblastoma; "nodule, LUL apicoposterior segment", "on the left oblique fissure";
    ``finding_subjects.json``'s parts of the brain and the lung, the side, the lobes' segments): they say where it is,
    not which finding or region is meant. Place words are left out only where they place something: after "in",
    "on", ... to the end of a phrase, before a finding's noun or after it to the end of a phrase, or as a phrase of
    their own; never where they are what is named ("the swollen white matter"). Words that also say which region
    ("central", "peripheral") are kept."""
    for pattern in _places():  # the noun a place follows is kept: "nodule | RLL lateral basal segment"
        compared = pattern.sub(lambda found: f" {found.groupdict().get('noun') or ''} ", compared)
    return " ".join(compared.split())


@cache
def _places() -> tuple[re.Pattern[str], ...]:
    """The patterns of :func:`without_places`."""
    places = [word for word, (kind, organ) in _subject_words()[1].items() if kind == "parts" and organ in _PLACED_IN]
    run = rf"(?:(?:{alternatives([*places, *_POSITION_WORDS])})(?:[\s-]+|(?=[,;.]|$)))+"
    nouns = alternatives(finding_nouns())
    end = r"(?=[,;.]|$|and\b)"
    return (
        re.compile(rf"\b(?:in|on|at|of|within|along|near|abutting)\s+(?:the\s+)?{run}{end}"),  # "on the left fissure"
        re.compile(rf"(?<![\w-]){run}(?=(?:[a-z-]+\s+){{0,2}}(?:{nouns})(?![\w-]))"),  # "LUL apical segment | nodule"
        re.compile(rf"(?P<noun>\b(?:{nouns}))\s+{run}{end}"),  # "nodule | RLL lateral basal segment"
        re.compile(rf"(?:^|(?<=,))\s*{run}(?=,|$)"),  # "..., right precentral gyrus, ..."
    )


_PLACED_IN = ("brain", "lung")
"""The parts of the body whose places :func:`without_places` passes over: those the trained families live in."""
_POSITION_WORDS = (
    "left right bilateral deep midline upper middle lower lobe lobes segment segments fissure oblique horizontal major"
    " minor apical apicoposterior anterior posterior superior inferior lateral medial basal anteromedial"
).split()
"""Words that, beside the parts of the brain and the lung, say where in them a finding lies."""


_BESIDE_IT = re.compile(
    r"\b(?:next\s+to|near|around|beside|adjacent\s+to|close\s+to|abutting|touching)\s+(?:it|them)\b"
)
"""Where a structure lies, said against the finding ("the vessels next to it"): no finding of its own."""


def alternatives(entries: Iterable[str]) -> str:
    """A regular-expression alternation of ``entries`` as written, longest first (so that "lung nodule" is found
    before "lung")."""
    return "|".join(re.escape(entry) for entry in sorted(entries, key=len, reverse=True))


@cache
def resource(name: str) -> dict[str, Any]:
    """The JSON document ``resources/<name>``, read once."""
    return json.loads((_RESOURCES / name).read_text(encoding="utf-8"))


@cache
def _subject_words() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    document = resource("finding_subjects.json")
    subject_of = {
        word: (kind, group)
        for kind in ("parts", "diseases", "modalities")
        for group, words in document[kind].items()
        for word in words
    }
    apart = {word.replace("-", " "): named for word, named in subject_of.items() if "-" in word}  # "post op"
    subject_of = apart | subject_of
    return _whole_words(subject_of), subject_of


@cache
def _scan_words() -> re.Pattern[str]:
    """The words of the kinds of scan, found within hyphenated words too ("FET-PET", "PET-CT")."""
    scans = [word for word, (kind, _) in _subject_words()[1].items() if kind == "modalities"]
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives(scans)})(?![a-z0-9])")


def names_a_part(text: str) -> bool:
    """Whether ``text`` speaks of a part ("tumour part", "component") rather than a whole."""
    return bool(set(words(text)) & (PART_WORDS - {"the", "a", "an", "this", "that", "its", "their", "some"}))


def words(text: str) -> list[str]:
    """The words of a compared text, a hyphenated word as one ("non-enhancing")."""
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)


def sides(text: str) -> set[str]:
    """The body sides a text names (``{"left"}``, ``{"right"}``, both, or none)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return {side for side in _SIDES if side in words}


_COMPARATOR = re.compile(r"[<>≤≥=~()\[\]]")
"""Signs of a comparison or an aside ("nodule >= 3 mm", "(ET)"), read as spaces."""
_NUMBER = (
    r"(?:\d+(?:\.\d+)?|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|twenty|thirty|forty"
    r"|fifty)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?(?: point [a-z]+| and a half)?)"
)
_MEASUREMENT = re.compile(
    rf"\b(?:between|from)\s+{_NUMBER}\s*(?:mm|cm)?\s*(?:and|to|-)\s*{_NUMBER}\s*(?:mm|cm)\b"
    rf"|\b(measuring\s+)?{_NUMBER}\s*[- ]?(?:mm|cm|ml|cc|millimet(?:er|re)s?|centimet(?:er|re)s?|millilit(?:er|re)s?)\b"
    rf"|\b{_NUMBER}[- ](?:year|yr)s?[- ]old\b"
)


def stated_lengths_mm(text: str) -> list[float]:
    """The lengths in millimetres ``text`` gives a finding ("4.2 cm", "35 x 28 mm", "a 3-4 cm lesion", "over 3 cm"),
    each dimension one; a length said to be an upper bound ("under 3 cm", "up to 30 mm"), a distance ("2 cm from the
    pleura", "within 1 cm of") or a property of the images ("1 mm slices", "slice thickness 5 mm") is none."""
    lowered = spelling_variant(text.lower(), american=True)
    lengths = []
    for found in _LENGTH.finditer(lowered):
        before = " ".join(re.findall(r"[a-z<≤]+", lowered[: found.start()])[-3:])
        after = lowered[found.end() : found.end() + 24]
        if _NO_SIZE_BEFORE.search(before) or _NO_SIZE_AFTER.match(after):
            continue
        scale = 10.0 if found["unit"].startswith("c") else 1.0
        lengths += [_number_value(number) * scale for number in re.split(_SEPARATOR, found["size"])]
    return lengths


_NUMBER_WORD = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
_DIGIT_WORD = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
_NUMERAL = (
    rf"(?:(?:\d+|{_NUMBER_WORD})?\s*point\s+(?:{_DIGIT_WORD}|\d)(?:\s+(?:{_DIGIT_WORD}))?"
    rf"|(?:\d+(?:\.\d+)?|{_NUMBER_WORD})(?:\s+and\s+a\s+half)?|half\s+an?)"
)
"""A number as written or as said ("4.2", "four", "one point five", "point nine", "two and a half", "half a")."""
_SEPARATOR = r"\s*(?:(?<![a-z])x(?![a-z])|×|\bby\b|-|\bto\b)\s*"
"""What stands between the dimensions of a finding ("35 x 28", "3-4", "two by three"; not the x of "six")."""
_LENGTH = re.compile(
    rf"(?<![\w.])(?P<size>{_NUMERAL}(?:{_SEPARATOR}{_NUMERAL})*)\s*[- ]?"
    r"(?P<unit>mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?|mils?)(?![a-z])"
)
"""A length or the dimensions of a finding, its unit after the last number ("3.5 x 2.8 cm", "12-mm")."""
_NO_SIZE_BEFORE = re.compile(
    r"(?:<|≤|under|below|less than|smaller than|up to|at most|max|maximum|within|by)$"
    r"|\b(?:thickness|slice|slices|section|sections|spacing|increment|fov|view|collimation|margin|margins)\b"
)
"""Words just before a length that make it no size of the finding: an upper bound, a distance or a change ("under 3
cm", "within 1 cm", "grown by 4 mm"), or, among the three words before it, a property of the images or a margin
("slice thickness 1 mm", "a margin of 5 mm")."""
_NO_SIZE_AFTER = re.compile(
    r"\s*(?:from|away|of the|of its|slice|slices|section|sections|thick|reconstruction|spacing|increment|margin"
    r"|collimation|kernel|beyond|around|lateral|medial|above|below|anterior|posterior|deep|distal|proximal|growth"
    r"|larger|smaller|bigger|increase|decrease|less|more)\b"
)
"""Words just after a length that make it no size of the finding: a distance ("2 cm from the pleura"), a property of
the images ("1 mm slices") or a change ("4 mm larger than before")."""
NUMBER_WORDS = {
    word: float(value)
    for value, word in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
} | {"oh": 0.0, "fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0}
"""The value of each number said as a word ("two", "oh", "fifteen")."""


def _number_value(number: str) -> float:
    """The value of a numeral of :data:`_NUMERAL` ("4.2", "four", "one point five", "two and a half")."""
    words = number.split()
    if "point" in words:  # "one point five", "point nine", "two point oh five"
        at = words.index("point")
        digits = "".join(str(int(NUMBER_WORDS[w])) if w in NUMBER_WORDS else w for w in words[at + 1 :])
        return (_number_value(" ".join(words[:at])) if at else 0.0) + float("0." + digits)
    if words[0] == "half":  # "half a centimetre"
        return 0.5
    if words[-1] == "half":  # "two and a half"
        return _number_value(words[0]) + 0.5
    return NUMBER_WORDS[number] if number in NUMBER_WORDS else float(number)


_LABEL_NUMBER = re.compile(
    r"\b(?:label|class)s?\s+\d+(?:\s*(?:,|and|\+)\s*\d+)*\b"
    r"|\b(?:mr|mrs|ms|miss|dr|prof)\.?\s+[a-z]+\b|\b(?:visit|bed|pt|patient|subject|case|room|id)\s*#?\s*\d+\b"
)
"""A label's number, which says nothing of the region (conventions number them differently: BraTS 2015's 4 is the
enhancing tumour, BraTS 2023's 3), a person's name after a title, a patient's, visit's or bed's number."""


def comparable(text: str) -> str:
    """Lower case, British spelling folded to American, a prefix written apart joined to its word, a negated finding
    and clinical synonyms and abbreviations folded to one phrase (``finding_synonyms.json``), measurements and
    appearance words left out: neither a spelling, a synonym ("neoplasm" for "tumor", "ET" for "enhancing tumor"), a
    negation ("lacking gadolinium enhancement" for "non-enhancing"), a size ("measuring 6 mm") nor a shape, margin,
    density or the images it is seen on ("poorly defined ovoid solid", "after gadolinium";
    ``finding_descriptors.json``) changes which finding a description means. A description that is nothing but
    appearance words is kept whole."""
    lowered = folded(text)
    stripped = _without_appearance_words(_MEASUREMENT.sub(" ", _LABEL_NUMBER.sub(" ", lowered)))
    stripped = re.sub(r"\s*,(\s*,)+", ",", re.sub(r"\s+", " ", stripped)).strip(" ,")
    stripped = _DETERMINER_COMMA.sub(r"\1 ", stripped)  # "the hypointense, non-enhancing centre"
    stripped = re.sub(r"^(?:(?:but|and|then)\s+)+", "", stripped)  # "idk how to say it | but the bright stuff ..."
    return stripped if re.search(r"[a-z]", stripped) else lowered


def folded(text: str) -> str:
    """:func:`comparable` before measurements and appearance words are left out."""
    text = re.sub(r"(?<=#)([a-z]+)(?=[A-Z])", r"\1 ", text)  # "#brainMRI"
    text = _UNSAID_CONTRAST.sub("", text)  # "CT CHEST W/O; 61M ...": an order's "without contrast"
    text = _EMPHASIS.sub(" ", _EMOJI.sub(", ", text))  # "mask the lot 😅 enhancing bit, ..."; "edema only!! around"
    text = _RHETORICAL.sub(lambda found: f"{found[1] or found[2]} there", text)  # "Isn't there a small nodule?"
    text = _WHAT_YOU_DID.sub("", text)  # "too big, you took the swelling too. | just the glioma and its dead centre"
    text = _INTERJECTION.sub("", text)  # "No, | not the rim - only the dead centre inside it"
    text = _AND_NO.sub(" ", text)  # "... - and no, | not the non-enhancing bits - ..."
    lowered = _IS.sub(r"\1 is", text.strip().lower().replace("_", " "))  # "the tissue that's solid"
    lowered = re.sub(r"['’]s\b", "", lowered)  # "the tumour's core", "solid_tumor"
    lowered = _WHAT_LIES.sub("what lies ", lowered)  # "what is | inside the enhancing ring": no question
    lowered = re.sub(r"#(?=[a-z])", "", _TRAILING_TAGS.sub(", ", lowered))  # "... #flair": a tag
    lowered = _DISPLAY_OPACITY.sub(" ", _DATE.sub(" ", lowered))  # "(05/2024)", "show in 3D at 30% opacity"
    lowered = _SAME_PART_TWICE.sub(r"\1", lowered)  # "the enhancing rim/component"
    lowered = _LOOKS_ON_TWO.sub(r"\g<first> ", lowered)  # "T1 hypointense and | T2 hyperintense"
    lowered = _ONE_THAT_IS_BOTH.sub(r"\g<that> \g<first> ", lowered)  # "the part that is solid and | non-enhancing"
    lowered = _ROUND.sub("around ", lowered)  # "the T2 bright halo | round | the tumour"
    lowered = _SEPARATED_FROM.sub(_separated, lowered)  # "separate out X from Y"
    lowered = _WHAT_IS_RESECTED.sub("tumor core", lowered)  # "what i'd actually resect - the tumour without ..."
    lowered = _RESECTABLE.sub("tumor core", lowered)  # "the resectable tumour mass"
    lowered = _VIEWER_STEP.sub("", lowered)  # "open the flair and | outline the oedema": a step in the viewer first
    lowered = _WHAT_IT_IS_NOT.sub(r"\g<said>", lowered)  # "it is a nodule|, not a mass": what it is, no part left out
    lowered = _not_the_larger().sub("", lowered)  # "it is under 3 cm| so not a mass": what it is not, no part
    lowered = re.sub(r"\bseparately from\b", "separate from", lowered)  # "separately" alone annotates; this leaves out
    lowered = spelling_variant(_COMPARATOR.sub(" ", lowered), american=True)
    lowered = _without_what_is_done(lowered)  # "..., and give me its volume in mL"; "Export as STL the ..."
    lowered = _ONE_COVERING.sub(" ", lowered)  # "one segment that covers | the glioma and the swelling around it"
    lowered = _EVERY_PART_OF_IT.sub("all tumor compartments", lowered)  # "every tumour component and the oedema"
    lowered = _planned_study().sub(" ", lowered)  # "...; PET and biopsy pending": no study at hand
    lowered = _earlier_study().sub(" ", lowered)  # "CT | then MRI showing ...": the later study is the one at hand
    lowered = _treated_after().sub(r"\g<after> ", _without_untreated(lowered))  # "after completion of radiotherapy"
    lowered = _had_treatment().sub("treated", lowered)  # "a glioma that's had radiotherapy", "prior resection"
    lowered = _LEAVE_OUT_AFTER.sub(r"\g<verb> out \g<what>", lowered)  # "leave the oedema out"
    lowered = _LEFT_UNDRAWN.sub(" left out", lowered)  # "with the oedema left unsegmented"
    lowered = _NOT_SEPARATED.sub(" together", _OR_NOT.sub("", lowered))
    lowered = _drawn_as().sub("", lowered)  # "Volumes of interest were delineated as | the necrotic centre ..."
    lowered = _passive().sub(lambda found: found["asked"] or " ", lowered)  # "the core was delineated on T1c"
    lowered = _AGE.sub(" ", lowered)  # "This 41-year-old teacher has ...", "Mr Evans, 66, ..."
    lowered = _LYING_IN.sub(" ", lowered)  # "the glioma itself, | lying | within the swelling"
    lowered = _LYING_BETWEEN.sub("", lowered)  # "the solid tissue that does not enhance, | lying between A and B"
    lowered = _FOUND_WHEN.sub(r"\g<noun>", lowered)  # "the 6 mm nodule | found incidentally last year"
    lowered = _SCAN_DONE_FOR.sub(_without_the_indication, lowered)  # "a CT | done for trauma": why it was done
    lowered = _CT_SHOWS.sub(r"\g<what> on \g<study>", lowered)  # "CT shows a 22 mm nodule": the nodule on CT
    lowered = _THIS_IS_THE_SCAN.sub("", lowered)  # "..., and this is a baseline scan before therapy"
    lowered = _AND_ALL.sub(" ", lowered)  # "the tumour itself, core and all, should not be included"
    lowered = _NOTHING_THAT_IS_NOT.sub("", lowered)  # "label whatever enhances ... and nothing that doesn't"
    lowered = _ONLY_REMAINS.sub(r", only \g<what>", lowered)  # "subtract the tumour so only the swelling remains"
    lowered = _KEEP_ONLY_WHAT.sub(", only ", lowered)  # "remove all the tumour and leave just the oedema"
    lowered = _NOTHING_OF.sub("no ", lowered)  # "the necrosis only, nothing enhancing"
    lowered = _NOTHING_FROM.sub("excluding ", lowered)  # "the core and | nothing from | the oedema"
    lowered = _STRIP_OFF.sub(r"\g<whole> excluding \g<what>", lowered)  # "strip the oedema off the glioma mask"
    lowered = _NONE_INCLUDED.sub(r", excluding \g<what>", lowered)  # "..., ensure that no tumour tissue is included"
    lowered = _AND_ALSO_LEAVING.sub(", ", lowered)  # "excluding the tumour | and also | excluding the vessels"
    lowered = re.sub(r"\b(including|with|of|plus)\s+both\s+(?=the\s)", r"\1 ", lowered)  # "including both the A and"
    lowered = _SIDE_LETTER.sub(lambda found: "left " if found["side"] == "l" else "right ", lowered)  # "L parietal"
    lowered = _INSTEAD_OF_DOING.sub("", lowered)  # "rather than splitting it into compartments, | give me ..."
    lowered = _BECAUSE.sub(_without_the_reason, lowered)  # "Because this astrocytoma barely enhances, | I'd like ..."
    lowered = _SEEN_DEFINED.sub(r"\g<by>", lowered)  # "the FLAIR-defined extent": as FLAIR shows it
    lowered = _WHILE_LEAVING.sub(", ", lowered)  # "..., while omitting the oedema that surrounds them"
    lowered = _OF_PATIENTS.sub("", lowered)  # "..., on baseline MRI of treatment-naive patients"
    lowered = _FOR_ALL.sub(r"\g<across> the ", lowered)  # "the enhancing volume for all untreated gliomas"
    lowered = _HEART_OF.sub("center of ", lowered)  # "the necrotic heart of the tumour": its centre, no organ
    lowered = _BULK_OF.sub("", lowered)  # "the bulk of | solid tumour that does not enhance": that tumour
    lowered = _SURROUNDING_OF.sub(r"\g<what>\g<noun> surrounding ", lowered)  # "the surrounding brain of the glioma"
    lowered = _RING_ENCLOSES.sub(  # "the part the enhancing rim encloses in this glioma"
        lambda found: f"{' the part' if found['what'] else ''} enclosed by the {found['ring']}", lowered
    )
    lowered = _IT_ENCLOSES.sub(r"\g<part>", lowered)  # "the solid tumour with the necrosis it encloses"
    lowered = _NOT_WHAT_IT_ENCLOSES.sub("", lowered)  # "the enhancing rim itself, not what it encloses"
    lowered = _EVERY_OF.sub(lambda found: found.group(0).replace(" or ", " and "), lowered)  # "every voxel of A or B"
    lowered = _free_of().sub(_held_without, lowered)  # "oedema-free tumour mask", "non-oedema glioma volume"
    lowered = _EMPHATIC_DO.sub("", lowered)  # "but do | leave out the oedema"
    lowered = _NOT_LEFT_OUT.sub("including", lowered)  # "don't exclude the oedema"
    lowered = re.sub(r":\s*(?=including\b)", " ", lowered)  # "the tumour tissue: including the rim": one phrase
    lowered = _NOT_WANTED.sub(_not_wanted, lowered)  # "the tumour I don't want", "..., the oedema is not needed"
    lowered = _NO_AND_NO.sub(r"\g<no> \g<first> and ", lowered)  # "no necrosis no oedema"
    lowered = re.sub(r"\bwith\s+no\b", "without", lowered)  # "the glioma with no oedema"
    lowered = _BARE_NO.sub(_left_out_after_no, lowered)  # "solid non enhancing no edema": said without a comma
    lowered = _NEITHER_NOR.sub(r", excluding \g<first> and \g<second>", lowered)  # "... and was neither necrotic nor"
    lowered = _WHAT_IN_IT_IS.sub(r"the \g<what> inside \g<where>", lowered)  # "everything in the halo that is tumour"
    lowered = _OUT_TO_ITS_EDGE.sub(_out_to_its_edge, lowered)  # "from the enhancing centre out to the oedema's edge"
    # "the oedema and everything inside it"; a sentence of its own ("everything inside counts") includes it
    lowered = _ENCLOSED.sub(lambda found: f", {found['join'] or 'including'} the tumor core", lowered)
    lowered = _RUN_ON.sub(" ", lowered)  # "run the tool on Mrs Novak's glioma and | give me the solid part"
    lowered = _AND_ASKS.sub(", and ", lowered)  # "leave out the swelling | and just outline the actual tumour"
    for pattern, replacement in _folds():
        lowered = pattern.sub(replacement, lowered)
    lowered = _SEQUENCES_LOADED.sub("", lowered)  # "non-enhancing tumour, | t1c and flair loaded": the viewer's state
    lowered = _ON_THE_SEQUENCE.sub(r"\g<on> ", lowered)  # "the tumour core on | the | t1c and flair"
    lowered = _OPPOSITE.sub("not ", lowered)  # "the opposite of the core" says only what is not meant
    lowered = _INCLUDED_AFTER.sub(r"\g<lead>including \g<what>", lowered)  # "the glioma, oedema included"
    lowered = _lobe_of_one_organ().sub(lambda found: f"in the {_organ_of_lobe()[found['lobe']]}", lowered)
    lowered = _study_of_a_part().sub(r"in the \g<part>", lowered)  # "on the lung CT": in the lung
    lowered = _PART_THAT_IS.sub(r"the \g<which> part of \g<what>", lowered)  # "how much of the tumour has died off"
    lowered = _STOP_WHERE.sub(r" excluding \g<what>", lowered)  # "... and stop where the swelling starts"
    lowered = _WITH_REMOVED.sub(r" excluding \g<what>", lowered)  # "the whole tumour with the core cut out"
    lowered = _ADD.sub(" plus ", lowered)  # "take the enhancing tumour, add the necrotic core"
    lowered = re.sub(r"[.?!;](?=\s|$)", " ", lowered)  # "... so I can measure it."
    lowered = _DASH.sub(", ", lowered)  # "the glioma - enhancing wall plus ... - leaving out the oedema"
    lowered = _NOT_BUT.sub(r"\g<wanted>, \g<unwanted>", lowered)  # "not the rim, only the dead centre inside it"
    return _purpose_clauses().sub(_without_the_purpose, lowered)


_ONE_COVERING = re.compile(
    r"\b(?:(?:make|create|add|draw|build|produce|generate|give me|get me)\s+)?(?:a|an|one|a single|single|one single)"
    r"\s+(?:(?:new|separate|combined)\s+)?(?:segment|label|mask|region|roi"
    r"|contour|outline|structure|volume|segmentation)\s+(?:that\s+|which\s+)?(?:covers|covering|encloses|enclosing"
    r"|encompasses|encompassing|contains|containing|spans|spanning|holds|holding)\s+"
)
"""What is drawn said as the one segment that covers it ("one segment that covers the glioma and its oedema"): the
segment says nothing of which finding."""
_EVERY_PART_OF_IT = re.compile(
    r"\b(?:every|each)\s+(?:glioma|tumor|neoplastic|glial tumor|glial)\s+(?:sub-?compartment|compartment|component"
    r"|sub-?region|part|constituent|element)\b|\ball\s+(?:the\s+|its\s+)?sub-?(?:regions|compartments)\b"
)
"""Every part of the tumour said one at a time ("every tumour compartment"), or all its sub-regions: all of its
compartments."""
_AND_ALSO_LEAVING = re.compile(r"\s*,?\s*\band\s+(?:also\s+)?(?=(?:excluding|without|minus|except)\b)")
"""A second part left out joined to the first ("excluding the tumour and also excluding the vessels"): a list."""
_NONE_INCLUDED = re.compile(
    r"(?:\s*[,;]?\s*\b(?:and\s+)?(?:ensure|ensuring|make sure|making sure|check|be sure)\s+(?:that\s+)?"
    r"|\s*,?\s*\bwith\s+)?\bno\s+(?P<what>(?!(?:need|more|less|text)\b)[a-z ,-]+?)\s+(?:is\s+|are\s+|gets?\s+"
    r"|being\s+)?(?:included|counted|(?:left\s+)?(?:in|inside|within)\s+(?:it|them|the\s+(?:mask|label|segment"
    r"|segmentation|contour|outline|region)))\b"
)
"""A part said to be kept out of what is drawn ("ensure that no tumour tissue is included", "with no tumour voxels
in it")."""
_NOT_WHAT_IT_ENCLOSES = re.compile(
    r"\s*,?\s*(?:but\s+|and\s+)?(?:not|without|excluding|minus)\s+(?:what|whatever|anything|everything|all that)"
    r"\s+(?:it|they)\s+(?:encloses|enclose|surrounds|surround|contains|contain|rings|ring|encircles|encircle"
    r"|wraps around|wrap around|holds|hold)(?=\s*(?:[,;.]|$))"
    r"|\s*,?\s*(?:but\s+|and\s+)?(?:not|without|excluding|minus)\s+(?:what|whatever|anything|everything|all that)"
    r"(?:\s+(?:is|lies|sits|are))?\s+(?:inside|within)(?:\s+(?:it|them|the ring|the rim))?(?=\s*(?:[,;.)]|$))"
)
"""What a part encloses said to be left out ("the enhancing rim itself, not what it encloses"): the part named is all
that is drawn ("the ring itself, not what's inside it" alike)."""
_IT_ENCLOSES = re.compile(
    r"\b(?P<part>(?!(?:everything|all|whatever|anything|what|that|which)\b)[a-z-]+)\s+(?:that\s+|which\s+)?"
    r"(?:it|they)\s+(?:encloses|enclose|surrounds|surround|encircles|encircle|rings"
    r"|ring|contains|contain)(?=\s*(?:[,;.]|$))"
)
"""A part said to be ringed by the region named before it ("the solid tumour with the necrosis it encloses"): the
words after the part say only where it lies."""
_SIDE_LETTER = re.compile(
    r"(?<![\w/-])(?P<side>[lr])\.?\s+(?=(?:frontal|parietal|temporal|occipital|insular?|thalamic|thalamus|cerebellar"
    r"|frontoparietal|temporoparietal|parieto-?occipital|fronto-?temporal|hemisphere|hemispheric|basal|upper|lower"
    r"|middle|lobe|lung|hilar|apical|periventricular)\b)"
)
"""A side written as its letter before where ("L parietal glioma", "R upper lobe"): left or right."""
_INSTEAD_OF_DOING = re.compile(r"^\s*(?:rather than|instead of)\s+[a-z]+ing\b[^,;]*,\s*")
"""A sentence that opens with what is not to be done ("Rather than splitting it into compartments, ..."): how, not
which finding."""
_LYING_IN = re.compile(r"\s*,?\s*\b(?:lying|sitting|located|situated)\s+(?=(?:within|inside)\s)")
"""A participle before where a part lies ("the glioma itself, lying within the swelling"): the place word says it."""
_LYING_BETWEEN = re.compile(
    r"\s*,\s*(?:(?:that|which)\s+)?(?:lying|lies|sitting|sits|located|situated)\s+between\s+[a-z -]+?\s+and\s+"
    r"[a-z -]+?(?=\s*(?:[,;)]|$))"
)
"""An aside that says between which parts a part lies (", lying between the core and the surrounding oedema"): where,
said after what it is."""
_FOUND_WHEN = re.compile(
    r"\b(?P<noun>nodules?|lesions?|tumors?|gliomas?|mass(?:es)?|opacity|opacities|abnormality|abnormalities)\s+"
    r"(?:(?:that|which)\s+"
    r"(?:was|were|had been|has been)\s+)?(?:first\s+|originally\s+|incidentally\s+)?(?:found|seen|detected|noted"
    r"|discovered|identified|picked up|reported)\b(?:\s+incidentally\b)?"
)
"""That a finding was found, said after it ("the 6 mm nodule found incidentally last year"): when, not which; where it
was found ("... found in the liver") stays."""
_SCAN_DONE_FOR = re.compile(
    r"\b(?P<study>ct|cta|ct scan|scan)\s+(?:was\s+)?(?:done|performed|obtained|acquired|ordered|requested|carried out)"
    r"\s+(?:for|because of|to rule out|to exclude)\s+(?P<why>[^,;.()]+?)"
    r"(?=\s*(?:[,;.()]|$)|\s+(?:shows|showed|demonstrates|demonstrated|reveals|revealed|and|which|that)\b)"
)
"""Why a CT was done ("a chest CT done for trauma"): the reason for the study, not what is asked for in it."""
_CT_SHOWS = re.compile(
    r"\b(?:the\s+)?(?P<study>(?:(?:chest|thoracic|thorax|low-dose|screening|staging)\s+)*ct(?:\s+scan)?)\s+"
    r"(?:shows|showed|demonstrates|demonstrated|reveals|revealed)\s+(?P<what>[^,;.]+?)(?=\s*(?:[,;.]|$))"
)
"""What a CT is said to show ("CT shows a solitary 22 mm nodule"): that, on the CT."""


def _without_the_indication(found: re.Match[str]) -> str:
    """A scan less the reason it was done, unless the reason names a treatment ("scan done for follow-up after
    radiotherapy" says the finding was treated)."""
    return found.group(0) if names_a_treatment(found["why"]) else found["study"]


_SEQUENCE = r"(?:t1c|t1|t2|flair|dwi|adc|swi)"
_SEQUENCES_LOADED = re.compile(
    rf"\s*,?\s*(?:with\s+)?(?:the\s+)?{_SEQUENCE}(?:\s*(?:,|and|&|/|\+)\s*(?:the\s+)?{_SEQUENCE})*"
    r"\s+(?:(?:sequences?|series|images?)\s+)?(?:(?:is|are)\s+)?(?:loaded|open|opened|displayed|on screen)\b"
)
"""The sequences said to be open in the viewer ("T1c and FLAIR loaded"): the viewer's state, not a region."""
_ON_THE_SEQUENCE = re.compile(rf"\b(?P<on>on|in|using)\s+the\s+(?={_SEQUENCE}\b)")
"""The images a finding is drawn on, named with "the" ("on the T1c and FLAIR"): as "on T1c and FLAIR"."""
_BECAUSE = re.compile(
    r"^\s*(?:because|since|as|given that|seeing that|seeing as)\s+(?P<reason>[^,;]+),\s*(?P<rest>.+)$"
)
"""A request that opens with its reason ("Because this astrocytoma barely enhances, I'd like ..."): why, not which."""


def _without_the_reason(found: re.Match[str]) -> str:
    """:data:`_BECAUSE` as its request alone, where the reason names no treatment ("Since the resection, ..."), no
    disease, part of the body or kind of scan ("Because this is a metastasis, ...") and what follows asks for
    something."""
    reason, rest = found["reason"], found["rest"]
    if _treatments().search(reason) or _subject_words()[0].search(reason) or _scan_words().search(reason):
        return found.group(0)
    return rest if request_words().search(rest) or _passive().search(rest) else found.group(0)


_UNSAID_CONTRAST = re.compile(r"\s*(?<![\w/])w/o(?=\s*(?:[;,.)]|\s/\s|$))", re.IGNORECASE)
"""An order's "w/o" with nothing after it ("CT CHEST W/O;"): without contrast, nothing left out of a finding."""
_SEEN_DEFINED = re.compile(
    r"\b(?P<by>flair|t1c?|t2|mri?|ct|pet|dwi|adc|contrast|imaging)[- ](?:defined|based)\b(?!\s+(?:as|by|on)\b)"
)
"""A region as a kind of scan shows it ("the FLAIR-defined extent", "FLAIR-based"): the scan's word says as much."""
_WHILE_LEAVING = re.compile(
    r"\s*,?\s*\b(?:while|whilst|all while)\s+(?=(?:omitting|excluding|leaving|keeping|removing|ignoring|sparing"
    r"|including|not)\b)"
)
""""While" before what is left out or kept ("while omitting the oedema"): as a comma."""
_OF_PATIENTS = re.compile(
    r"\s*\b(?:in|of|for|from|among|across)\s+(?:(?:all|the|these|those|our|such|adult|paediatric|pediatric|eligible"
    r"|enrolled)\s+)*(?:patients|subjects|participants|cases|cohorts?)\b"
)
"""Whom a request is made for ("in treatment-naive patients", "of the enrolled subjects"): no part of a finding."""
_FOR_ALL = re.compile(r"\b(?P<across>for|across)\s+all\s+(?:the\s+)?(?=(?:[a-z-]+\s+){0,2}?[a-z-]+s\b)")
"""The cases a request is made for ("for all treatment-naive gliomas"): "all" says which cases, not how much."""
_HEART_OF = re.compile(r"\bheart\s+of\s+(?=(?:the|this|that|its|a|an|his|her|their)\s)")
""""The heart of" a finding: its centre, no organ."""
_BULK_OF = re.compile(
    r"\b(?:the\s+)?(?:main\s+)?bulk\s+of\s+(?=(?:(?:the|this|that|its)\s+)?(?:solid|enhancing|non-enhancing|necrotic|necrosis"
    r"|dead|edema|swelling|cystic)\b)"
)
""""The bulk of" a part of the tumour: that part ("the bulk of solid tumour that does not enhance"), not the tumour's
bulk, which is its core ("the bulk of the tumour")."""
_SURROUNDING_OF = re.compile(
    r"\b(?P<what>(?:the|its|this|that)\s+)surrounding\s+(?P<noun>(?:[a-z-]+\s+){0,2}?[a-z-]+)\s+(?:of|around|about)\s+"
    r"(?=(?:the|this|its|that|a|an|his|her|their)\s)"
)
"""What surrounds a finding, said as its surrounding part ("the surrounding brain of the glioma"): the part, then
the word of place ("the brain surrounding the glioma")."""
_RING_ENCLOSES = re.compile(
    r"\b(?P<what>what|whatever|everything|all)?\s*(?<!\bthat )(?<!\bwhich )the\s+(?P<ring>(?:(?!the\b)[a-z-]+\s+){0,2}?"
    r"(?:rim|ring|shell|wall))\s+(?:encloses|surrounds|encircles|rings|contains|holds)\b"
)
"""What a rim is said to enclose ("the part the enhancing rim encloses", "what the ring surrounds"): as the part
enclosed by it."""
_RHETORICAL = re.compile(r"\b(is|are)(?:n't|n’t|nt)\s+there\b|\b(is|are)\s+there\s+not\b", re.IGNORECASE)
"""A question put in the negative that asks the same ("isn't there a nodule?": is there a nodule?)."""
_SENTENCE_START = r"(?:^|(?<=[.;:!?,]\s)|(?<=\s-\s)|(?<=[\u2013\u2014]\s))"
_INTERJECTION = re.compile(
    rf"{_SENTENCE_START}(?:(?:no|nope|nah|close|almost|nearly|not quite|hmm+|ok|okay|right|yes|yeah|great|good|nice"
    r"|perfect|thanks|too big|too small|too much|too little|wrong)\s*(?:[,!.]|\s-)\s*)+",
    re.IGNORECASE,
)
"""Words that answer the last result before the request ("No, not the rim", "Close - ..."): they ask nothing."""
_AND_NO = re.compile(r"\b(?:and|but)\s+no\s*,\s*(?=not\b)", re.IGNORECASE)
"""A "no" that only stresses the "not" after it ("and no, not the non-enhancing bits")."""
_WHAT_YOU_DID = re.compile(
    rf"{_SENTENCE_START}(?:(?:(?:no|nope|close|almost|nearly|wrong|hmm+|ok|okay|too big|too small)\s*[,!.]?\s*)*"
    r"you(?:'ve|’ve|\s+have)?\s+(?:only\s+|just\s+|also\s+|still\s+)?(?:took|taken|gave\s+me|given\s+me|gave|got"
    r"|drew|drawn|included|segmented|marked|picked|outlined|captured|selected|labell?ed|contoured|highlighted|grabbed"
    r"|caught)|(?:no|nope|wrong)\s*[,!.]?\s*(?:that|this|it)(?:'s|’s|\s+is|\s+was)\s+(?:a|an|the|just|only))\b"
    r"[^.;:!?,\u2013\u2014]*?(?=\s*(?:[.;:!?,\u2013\u2014]|\s-\s|$))",
    re.IGNORECASE,
)
"""What the writer says of the last result, before saying what is wanted ("you only got the enhancing bit - I want
...", "No, that's a vessel - ..."): it names what is not wanted now."""
_EVERY_OF = re.compile(
    r"\b(?:every|all|any|each)\s+(?:[a-z-]+\s+){0,3}?(?:that is part of|part of|in|within|of|from|to)\s+[^,;.]*?"
    r"\s+or\s+"
)
"""All that belongs to one thing or another, which is what belongs to both ("every voxel of the glioma or its
oedema")."""
_IS = re.compile(r"\b(that|it|there|here|who|which|where)['’]s\b")
"""A pronoun with "is" run into it ("the tissue that's solid"), told from a noun's "'s" ("the tumour's core")."""
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2639\u263a\u2764\ufe0f\u200d]+")
"""Emoji: they part a message's phrases as a comma would ("mask the lot 😅 enhancing bit, ...")."""
_EMPHASIS = re.compile(r"(?<=\w)[!?]{2,}(?=\s+[a-z])")
"""Marks repeated for emphasis within a phrase that goes on in lower case ("edema only!! around the glioma")."""
_NOT_BUT = re.compile(
    r"^\s*(?P<unwanted>not\s+[^,;]+?)\s*[,;]?\s+(?:(?:but|rather|instead)\s+(?:only\s+|just\s+)?|(?:only|just)\s+)"
    r"(?P<wanted>(?:the|its|that|this|a|an)\b.+)$"
)
"""What is not wanted said before what is ("not the rim, only the dead centre"): read as what is wanted, less the
other."""
_OPPOSITE = re.compile(r"(?<![\w-])(?:the\s+)?(?:opposite|inverse|reverse|negative)\s+of\s+", re.IGNORECASE)
"""What a finding is set against: it says what is not meant ("the opposite of the tumour core")."""
_OPPOSITE_SAID = re.compile(
    rf"(?:^|(?<=[.!?]\s))\s*{_OPPOSITE.pattern}(?P<what>[^:;,]+?)\s*(?::|;|,|\s[-\u2013\u2014]+)\s*(?P<rest>(?!but\b)[^.!?;]*[^.!?;\s])",
    re.IGNORECASE,
)
"""A finding set against another, then said ("the opposite of the tumour core: the bright surround on T2"): what is
said, leaving the other out."""


def set_against(text: str) -> str:
    """A finding set against another and then said ("The opposite of the tumour core: the bright surround on T2.")
    read as what is said, leaving the other out ("the bright surround on T2, excluding the tumour core.")."""
    return _OPPOSITE_SAID.sub(r"\g<rest>, excluding \g<what>", text)


_TRAILING_TAGS = re.compile(r"(?<=\w)\s+(?=#[a-z][\w-]*(?:\s+#[a-z][\w-]*)*[^\w#]*$)")
"""Before the hashtags that end a description ("... not the tumour #flair #preop"): they tag it, apart from its last
phrase."""
_DETERMINER_COMMA = re.compile(r"\b(the|this|that|its|a|an)\s*,\s+(?!(?:the|this|that|its|a|an)\b)")
"""A comma left after a determiner where an adjective was left out ("the hypointense, non-enhancing centre"); one
before another determiner ends a phrase whose noun was left out ("in a patient, the necrosis ...")."""
_WHAT_LIES = re.compile(
    r"\bwhat\s+is\s+(?=(?:inside|within|in\s+the\s+(?:middle|centre|center)\s+of|enclosed|encircled|surrounded|ringed"
    r"|around|surrounding|between|beneath|outside)\b)"
)
"""What lies somewhere, said with "is" ("what is inside the enhancing ring"): a part, not a question."""
_INCLUDED_AFTER = re.compile(
    r"(?P<lead>(?:^|,)\s*)(?P<what>[^,]+?)(?<!\bnot)(?<!\bnever)(?<!\bnot be)(?<!n't be)(?<!\bnever be)\s+including"
    r"(?=\s*(?:,|$))"
)
"""A part said to be included after it is named ("..., oedema included"; "included" folds to "including"), not one
said not to be ("the oedema should not be included")."""
_PART_NOUNS = r"(?:rim|ring|shell|wall|part|portion|component|region|area|zone|bit|tissue|compartment)s?"
_SAME_PART_TWICE = re.compile(rf"\b({_PART_NOUNS})\s*/\s*{_PART_NOUNS}\b")
"""One part named two ways ("the enhancing rim/component"): a choice of words, not two parts joined."""
_LOOKS_ON_TWO = re.compile(
    r"\b(?P<first>(?:t1c?|t2|flair)[- ](?:hyper|hypo|iso)-?intense)\s+(?:and|but)\s+"
    r"(?=(?:t1c?|t2|flair)[- ](?:hyper|hypo|iso)-?intense\b)"
)
"""How a part looks on one sequence and then another ("T1 hypointense and T2 hyperintense"): one description of it,
not two parts joined."""
_ONE_THAT_IS_BOTH = re.compile(
    r"\b(?P<that>(?:that|which)\s+(?:is|looks|appears|seems)\s+)(?:both\s+)?"
    r"(?P<first>(?!(?:not|also|the|a|an|in|on|of|part|bright|dark)\b)[a-z][a-z-]*)\s+(?:and|&)\s+(?:also\s+)?"
    r"(?=(?:non-|not\s+)?(?!(?:not|does|do|is|also|the|a|an|in|on|of)\b)[a-z][a-z-]*\s*(?:[,;.!?)]|$))"
)
"""Two qualities said of one thing ("the part of the tumour that is solid and non-enhancing"): a thing both is,
one description of it, not two parts joined."""
_ROUND = re.compile(r"(?<=[a-z] )round\s+(?=(?:the|this|its|his|her|their|that)\b)")
""""round" as a preposition ("the halo round the tumour"): around; not the shape ("a round nodule")."""
_SEPARATED_FROM = re.compile(
    r"\b(?P<verb>separate\s+(?:out\s+)?|isolate\s+|split\s+(?:off|out)\s+)(?P<what>[^,;.]+?)\s+from\s+"
    r"(?P<rest>[^,;.]+?)(?=\s+and\s+(?:give|send|show|then|hand|return|keep)\b|\s*[,;.]|$)"
)
"""A part separated out from others ("separate out the solid tumour that is not enhancing from the oedema and the
necrosis"): that part, the others left out."""


def _separated(found: re.Match[str]) -> str:
    """What :data:`_SEPARATED_FROM` found, as the part with the others left out; as it was where the separating is
    negated ("don't separate the oedema from the tumour", "without attempting to separate ...")."""
    if re.search(
        r"(?:\bnot|n't|\bdont|\bnever|\bwithout|\bno\s+need\s+to)\s+(?:\w+\s+){0,2}$", found.string[: found.start()]
    ):
        return found.group(0)
    return f"{found['verb']}{found['what']}, excluding {found['rest']}"


_WHAT_IS_RESECTED = re.compile(
    r"\b(?:what|the\s+(?:part|bit|portion|tissue|mass)(?:\s+(?:that|which))?)\s+(?:(?:i|we|you|they|(?:a|the)\s+"
    r"(?:neuro)?surgeons?|surgery)\s*(?:would|will|'d|d|could|can|should|plan\s+to|want\s+to|need\s+to|intend\s+to"
    r"|(?:am|is|are)\s+going\s+to)?|(?:would|will|could|is\s+to|are\s+to)\s+be)\s+(?:actually\s+|really\s+"
    r"|realistically\s+)?(?:resect|resected|remove|removed|take\s+out|taken\s+out|cut\s+out|excise|excised|operate\s+on"
    r"|go\s+after|debulk|debulked)\b"
)
"""What a surgeon would take out, said as a clause ("what I'd actually resect", "the part a surgeon would resect"):
the tumour core, as the trained finding is defined (the tumour without its oedema)."""
_RESECTABLE = re.compile(
    r"\bresectable\s+(?:(?:tumou?r|glioma|solid)\s+)?(?:mass|part|portion|tissue|component|bulk|lesion|tumou?r|glioma)\b"
)
"""The tumour a surgeon could take out, said with "resectable" ("the resectable tumour mass"): the tumour core, as
:data:`_WHAT_IS_RESECTED`."""
_VIEWER_STEP = re.compile(
    r"(?:^|(?<=[.;:!?]\s))(?:(?:please|pls|first|can you|could you)\s+)*(?:open|load|show|pull up|bring up|switch to"
    r"|go to|scroll to|select|display|put up|change to|set)\s+(?:the\s+|a\s+|up\s+)?(?:[a-z0-9-]+\s+){0,3}?"
    r"(?:flair|t1c?|t1-?ce|t1-?gd|t2|post-?contrast|contrast|dwi|adc|swi|window|series|sequence|sequences|images?"
    r"|study|scan|view|axial|coronal|sagittal|mpr|settings?)(?:\s+(?:images?|series|sequence|window|view|settings?))?"
    r"\s*(?:,\s*)?(?:and\s+then|and|then|&|,)\s+(?=[a-z])"
)
"""A step in the viewer before the request ("open the FLAIR and ...", "load lung window, then ..."): it names
what is shown, not what is asked."""
_WHAT_IT_IS_NOT = re.compile(
    r"\b(?P<said>(?:it|this|that)\s+(?:is|was)\s+(?:(?:probably|likely|clearly|definitely|really|just)\s+)?an?\s+"
    r"[^,;.!?]+?)\s*,?\s+(?:not|rather\s+than|and\s+not|but\s+not)\s+an?\s+[a-z][a-z -]*?(?=\s*(?:[,;.!?]|$))"
)
"""What a thing is, said against what it is not ("it is a nodule, not a mass"): what it is; the other is no part to
leave out."""


@cache
def _not_the_larger() -> re.Pattern[str]:
    """A finding said not to be its larger kin ("It's under 3 cm so not a mass", "not a mass", "it's not a mass";
    ``finding_phrasings.json``, ``larger_named``): what it is not, which is no part of it to leave out."""
    larger = alternatives(all_larger_named())
    return re.compile(
        rf"\s*,?\s*\b(?:(?:so|therefore|hence|thus|and)\s+)?(?:(?:it|this|that)\s+(?:is|was)\s+)?(?:not|never)\s+"
        rf"(?:an?\s+)?(?:{larger})\b(?=\s*(?:[,;.!?]|$))"
    )


_DISPLAY_OPACITY = re.compile(
    r"\b(?:at\s+)?\d{1,3}\s*%\s+(?:opacity|opaque|transparency|transparent)\b|\b(?:opacity|transparency)\s*(?:of|at|=|:)?\s*\d{1,3}(?:\.\d+)?\s*%?"
)
"""How opaque a segment is shown ("at 30% opacity", "opacity 0.5"): no opacity of the lung."""
_DATE = re.compile(r"\b(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})\b")
"""A date ("05/2024", "2024-05-03", "3.5.2024"): when the study was made, never which finding."""
_RUN_ON = re.compile(
    r"\b(?:run|use|apply)\s+(?:the\s+|this\s+|your\s+)?(?:tool|segmentation|model|algorithm|network|it|software)\s+"
    r"(?:on|for|to)\s+[^,;]*?\s+and\s+(?=(?:give|segment|outline|contour|draw|mark|delineate|extract|show|get|make"
    r"|produce|generate|isolate|measure|label|highlight|send)\b)"
)
"""What the tool is run on, where another request then says what to find ("run the tool on the GBM case and give me
the core"): the study, not the finding."""


def _without_what_is_done(lowered: str) -> str:
    """``lowered`` without what is to be done with the finding once drawn (``finding_descriptors.json``,
    ``outputs``): a clause joined after it whose verb acts on a measurement, a file or the result ("..., and give me
    its volume in ml", "and report the volume of each", "and hand it over to radiotherapy planning"), what is said of
    the result ("with the volume written into the report"), the file or view named before it ("export as stl the
    ...", "red overlay of the ..."), or after it on its own (", nifti please"), where it goes ("into the report") and,
    where the request compares, the earlier study ("compare ... with the prior scan"). A clause whose object names
    anything else ("and give me the oedema volume", "and measure the volume of the oedema") is kept: it asks for
    another finding."""
    after, said_of, before, sent, alone, earlier, unit, hidden = _what_is_done()

    def kept(found: re.Match[str]) -> bool:  # "and measure the volume of the oedema", "compare it with the liver"
        compared = found["verb"] == "compare" and not earlier.search(found["rest"])
        return bool(_OF_ANOTHER.search(found["rest"])) or compared

    lowered = hidden.sub(" ", after.sub(lambda found: found.group(0) if kept(found) else " ", lowered))
    lowered = unit.sub("", alone.sub("", sent.sub(" ", before.sub("", said_of.sub(" ", lowered)))))
    if not re.search(r"\bcompar", lowered):
        return lowered
    return _COMPARED_WITH.sub(lambda found: " " if earlier.search(found["what"]) else found.group(0), lowered)


@cache
def _what_is_done() -> tuple[re.Pattern[str], ...]:
    """The patterns of :func:`_without_what_is_done`, from ``finding_descriptors.json``'s ``outputs``."""
    outputs = {
        key: [spelling_variant(entry.lower(), american=True) for entry in entries]
        for key, entries in resource("finding_descriptors.json")["outputs"].items()
    }
    verbs, objects = alternatives(outputs["verbs"]), alternatives(outputs["objects"])
    formats, places = alternatives(outputs["formats"]), alternatives(outputs["destinations"])
    qualified = rf"(?:(?:{_OUTPUT_QUALIFIERS})\s+){{0,4}}"
    after = re.compile(
        rf"(?:\s*[,\u2013\u2014]\s*(?:and\s+|&\s+)?|\s+-\s+(?:and\s+)?|\s+(?:and|&|then)\s+)"
        rf"(?:(?:then|also|please|pls|just|can you|could you)\s+)*(?P<verb>{verbs})\s+"
        rf"(?:(?:me|us|back|out|up|over)\s+)?(?:{qualified}(?:{objects})|(?:(?:it|them)\s+)?(?:as|in|into|to)\s+"
        rf"{qualified}(?:{formats}|{objects}))(?![\w-])(?P<rest>{_CLAUSE_REST})"
    )
    said_of = re.compile(
        rf"\s*,?\s*\bwith\s+{qualified}(?:{objects})\s+(?:written|entered|put|noted|recorded|given|reported|stated"
        rf"|included|added|saved|stored|exported|sent|shown|displayed|listed|attached)\b{_CLAUSE_REST}"
    )
    annotation = _descriptors(keep_region_words=False, groups=("annotation",)).pattern
    named = (
        rf"(?:(?:an?|the|its)\s+)?(?:{annotation}\s+)?(?:{formats})(?:\s+(?:file|files|object|model|format|export))?"
    )
    of = r"(?:of|for|showing|with|containing)\s+"
    before = re.compile(  # a verb or "as" before the format, or "of" after it: "contour the ..." is no format
        rf"(?:^|(?<=[.;:!?]\s))(?:(?:please|pls)\s+)?(?:(?:{verbs})\s+(?:(?:it|this|them|me|us)\s+)?"
        rf"(?:(?:as|in|into|to)\s+)?{named}\s+(?:{of})?|(?:as|in|into|to)\s+{named}\s+(?:{of})?|{named}\s+{of})"
        rf"(?=(?:the|this|that|its|all|every|any)\b)"
    )
    sent = re.compile(
        rf"\s*\b(?:in|into|to|onto|for|on|via)\s+(?:(?:the|my|our|a|their|this)\s+)?(?:{places})(?![\w-])"
    )
    listed = rf"{qualified}(?:{formats}|{objects})"
    alone = re.compile(  # ", nifti please"; " - diameters and volume please"
        rf"\s*(?:,|\s[-\u2013\u2014]|[\u2013\u2014])\s*(?:(?:as|in|into|an?)\s+)*(?:{formats}"
        rf"|{listed}(?:\s*(?:,|and|&|\+|plus)\s*{listed})+|{listed}(?=\s+(?:please|pls)\b))"
        rf"(?:\s+(?:file|files|format|please|pls|too|as well))*\s*(?=[,.;!?]|$)"
    )
    earlier = re.compile(rf"\b(?:{alternatives(outputs['earlier'])}|(?:19|20)\d\d)\b")  # "... from 2023"
    unit = re.compile(rf"\s*[,-]?\s*\bin\s+(?:{alternatives(outputs['units'])})(?=\s*(?:[,.;!?]|$))")
    hidden = re.compile(  # "..., and hide the other segments": hiding draws nothing, whatever it names
        rf"(?:\s*[,\u2013\u2014]\s*(?:and\s+|&\s+)?|\s+-\s+(?:and\s+)?|\s+(?:and|&|then)\s+)"
        rf"(?:(?:then|also|please|pls|just)\s+)*(?:{alternatives(outputs['hiding'])})\b{_CLAUSE_REST}"
    )
    return after, said_of, before, sent, alone, earlier, unit, hidden


_CLAUSE_REST = r"(?:[^,;.!?]|(?<=\d)\.(?=\d))*"
"""The rest of a clause, to its punctuation; a decimal point ("5.8 cm") is no full stop."""
_OUTPUT_QUALIFIERS = (
    "the|its|their|a|an|his|her|this|that|these|those|all|each|every|total|overall|final|exact|approximate|estimated"
    "|new|current|resulting|maximum|max|longest|largest|greatest|short-axis|long-axis|long|short|axial|3d|binary|separate"
    "|individual|mean|average|full|complete|precise|absolute|relative|percentage|volume|segmentation|of"
)
"""Words that may stand between a verb of :func:`_without_what_is_done` and its object ("give me the total volume",
"report the percentage change"): none names a finding."""
_OF_ANOTHER = re.compile(
    r"\bof\s+(?!(?:each|it|them|every|all|both|these|those|the\s+(?:mask|segmentation|result|lesion|lesions|pieces"
    r"|parts|components|foci|regions|areas|structure|structures|outline|contour))\b)"
)
"""What a measurement is of, where that names something other than the result ("measure the volume of the
oedema"): a request for another finding."""
_COMPARED_WITH = re.compile(r"\b(?:with|to|against|versus|vs)\s+(?P<what>[^,;.!?()]*?)(?=\s+and\s+|\s*[,;.!?()]|$)")
"""What a finding is compared with, kept out where it is an earlier study ("with the scan from last month")."""


@cache
def _untreated() -> re.Pattern[str]:
    """Words that say a finding was never treated ("no prior surgery or radiotherapy", "never-operated", "pre-op";
    ``finding_descriptors.json``, ``untreated``), the treatment also named first ("biopsy not done yet", "surgery is
    pending", "resection yet to be performed")."""
    document = resource("finding_descriptors.json")["untreated"]
    negating, treatment = alternatives(document["negating"]), _treatment_names()
    listed = rf"(?:{treatment})(?:\s*(?:,|/|\bor\b|\band\b|\bnor\b)\s*(?:prior\s+|any\s+)?(?:{treatment}))*"
    done = r"(?:done|performed|given|started|carried\s+out|undertaken|administered|delivered|had|received)"
    after = (
        rf"(?:(?:is|are|was|were|has|have|had)\s+)?(?:(?:not|never)\s+(?:yet\s+)?(?:been\s+)?{done}"
        rf"|(?:(?:still|yet)\s+)?(?:pending|awaited|outstanding|planned|scheduled|to\s+follow)|yet\s+to\s+(?:be\s+)?"
        rf"{done}|(?:still\s+)?to\s+be\s+{done}|n't\s+(?:yet\s+)?(?:been\s+)?{done})"
    )
    return re.compile(
        rf"(?<![\w-])(?:(?:{negating})[\s-]+(?:any\s+)?{listed}(?:\s+yet)?"
        rf"|(?<!after\s)(?<!following\s)(?:{treatment})(?:\s*(?:/|\bor\b|\band\b|\bnor\b)\s*(?:{treatment}))*\s+{after}"
        rf"(?:\s+yet)?)(?![\w-])"
    )


@cache
def _treatment_names() -> str:
    """The treatments of ``finding_descriptors.json``'s ``untreated``, as one alternation."""
    return alternatives(resource("finding_descriptors.json")["untreated"]["treatments"])


@cache
def _scan_names() -> str:
    """The words of ``finding_subjects.json``'s modalities, as one alternation."""
    return alternatives(word for group in resource("finding_subjects.json")["modalities"].values() for word in group)


@cache
def _planned_study() -> re.Pattern[str]:
    """A kind of scan said still to come ("PET and biopsy pending", "MRI planned", "PET-CT to follow";
    ``finding_subjects.json``'s modalities, with the treatments and procedures said with it): not the study at hand."""
    scans, others = _scan_names(), _treatment_names()
    scan = rf"(?:{scans})(?:\s+(?:scan|scans|study|imaging|exam))?"
    listed = rf"{scan}(?:\s*(?:,|/|\band\b|\bor\b|&)\s*(?:an?\s+)?(?:{scan}|{others}))*"
    return re.compile(
        rf"(?<![\w-]){listed}\s+(?:(?:is|are)\s+)?(?:still\s+)?(?:pending|planned|awaited|to\s+follow|scheduled|booked"
        r"|requested|recommended|suggested|advised|to\s+be\s+(?:done|arranged|performed|booked))(?![\w-])"
    )


@cache
def _earlier_study() -> re.Pattern[str]:
    """A kind of scan said done before another ("CT then MRI showing a ring-enhancing lesion", "CXR followed by CT"):
    the one before; the study at hand is the later."""
    scans = _scan_names()
    return re.compile(
        rf"(?<![\w-])(?:an?\s+|the\s+)?(?:initial\s+|first\s+)?(?:{scans})\s*,?\s+(?:and\s+)?(?:then|followed\s+by"
        rf"|subsequently|later)\s+(?:by\s+)?(?:an?\s+)?(?=(?:{scans})(?![\w-]))"
    )


def _without_untreated(lowered: str) -> str:
    """``lowered`` without the words that say a finding was never treated ("no prior surgery or RT", "never-operated":
    annotation), and without the comma before them where they stood among a noun's adjectives ("ring-enhancing,
    never-treated glioma")."""
    lowered = _untreated().sub("\0", lowered)
    return _AMONG_ADJECTIVES.sub(" ", lowered).replace("\0", " ")


_AMONG_ADJECTIVES = re.compile(
    r"(?<!\bexcluded)(?<!\bincluded)(?<!\bomitted)(?<!\bremoved)(?<!\bout),\s*\0\s*(?=[a-z])"
)
"""The comma before words :func:`_without_untreated` left out, where they stood among a noun's adjectives; not after
a part left out or kept ("..., tumour itself excluded, pre-op MRI")."""


@cache
def _treated_after() -> re.Pattern[str]:
    """The words between "after" and a treatment ("after completion of radiotherapy", "following a gross total
    resection"; ``finding_descriptors.json``, ``untreated``): left out, so that the treatment is read as done."""
    treatment = _treatment_names()
    return re.compile(rf"\b(?P<after>after|following)\s+(?:[a-z-]+\s+){{0,3}}?(?=(?:{treatment})(?![\w-]))")


@cache
def _free_of() -> re.Pattern[str]:
    """A part left out, said as what the rest is free of ("an oedema-free tumour mask", "necrosis-free core",
    "oedema-excluded glioma volume", "the non-oedema glioma volume"): the part, and the noun phrase after it."""
    nouns = alternatives([*finding_nouns(), *_HELD])
    held = rf"(?P<held>(?:[a-z-]+\s+){{0,2}}?(?:{nouns})(?:\s+(?:{nouns}))?(?:\s+of\s+(?:the\s+|this\s+|its\s+)?"
    held += rf"(?:[a-z-]+\s+){{0,2}}?(?:{nouns}))?)"  # "the non-oedema part of the untreated glioma"
    return re.compile(
        rf"\b(?:(?P<left>[a-z]+)-(?:free|excluded|sparing)|(?P<part>o?edema|necrosis)[- ](?:excluded|sparing)"
        rf"|non-(?P<negated>o?edema|necrosis))\s+{held}\b(?!-)"
    )


def _held_without(found: re.Match[str]) -> str:
    """What :func:`_free_of` found, as what is held without what it is free of ("the non-oedema part of the glioma":
    the glioma without oedema; a part of it that is not the oedema is all of it but the oedema)."""
    held = re.sub(r"^(?:part|portion|component|region|area|bit)s?\s+of\s+(?:the\s+|this\s+|its\s+)?", "", found["held"])
    return f"{held} without {found['left'] or found['part'] or found['negated']}"


_HELD = ("region", "part", "component", "portion", "area", "core", "mask", "segmentation", "volume", "tissue")
"""Nouns of what is drawn, besides the findings' own, that an "X-free" may qualify."""


@cache
def _had_treatment() -> re.Pattern[str]:
    """A treatment said to have been given ("had radiotherapy", "underwent a resection", "prior surgery", "radiotherapy
    was completed", "chemo finished"; the ``treatments`` of ``finding_descriptors.json``'s ``untreated``), read once
    the words that say it was never given are left out: it is folded into "treated", which names the treated state. A
    treatment still to come ("surgery will be performed") is none."""
    treatment = _treatment_names()
    return re.compile(
        rf"\b(?:(?:has|have|had|having)\s+(?:already\s+)?(?:had|received|undergone|been\s+given|completed|finished)"
        rf"|had|received|underwent|undergone|got|was\s+given|were\s+given|completed|finished|prior|previous|recent)"
        rf"\s+(?:(?:a|an|the|some|his|her|their|its|prior|previous|recent|partial|subtotal|gross|total|complete|full"
        rf"|course\s+of|cycles?\s+of)\s+)*(?:{treatment})(?![\w-])"
        rf"|(?<![\w-])(?:{treatment})\s+(?:(?:was|were|has\s+been|have\s+been|had\s+been)\s+)?(?:already\s+)?"
        r"(?:completed|finished|given|done|delivered|administered|performed|carried\s+out|concluded|ended)(?![\w-])"
    )


@cache
def _organ_of_lobe() -> dict[str, str]:
    """A lobe only one organ has -> that organ ("upper lobe": lung; ``finding_subjects.json``, ``lobes_of``)."""
    lobes = resource("finding_subjects.json").get("lobes_of", {})
    return {lobe: organ for organ, names in lobes.items() for lobe in names}


@cache
def _lobe_of_one_organ() -> re.Pattern[str]:
    """Where a finding lies, said by a lobe only one organ has ("in the right upper lobe": in the lung)."""
    return re.compile(
        rf"\b(?:in|of|within|at)\s+the\s+(?:(?:right|left)\s+)?(?P<lobe>{alternatives(list(_organ_of_lobe()))})\b"
    )


def without_the_studies(text: str) -> str:
    """``text`` without the studies it names by the part of the body they show ("pre-op brain MRI", "the chest CT"):
    the part names the study, not what is asked for in it."""
    return _study_by_its_part().sub(" ", text.lower())


@cache
def _study_by_its_part() -> re.Pattern[str]:
    """A study named by the part of the body it shows, with or without a word before it ("brain MRI", "chest CT")."""
    parts = [word for word, (kind, _) in _subject_words()[1].items() if kind == "parts"]
    return re.compile(
        rf"(?<![\w-])(?:{alternatives(parts)})\s+(?:ct|cts|mri|mris|mr|scan|scans|study|exam|images|series)(?![\w-])"
    )


@cache
def _study_of_a_part() -> re.Pattern[str]:
    """A study named by the part of the body it shows ("on the chest CT"): it says where the finding lies."""
    parts = [word for word, (kind, _) in _subject_words()[1].items() if kind == "parts"]
    return re.compile(
        rf"\b(?:on|in|from)\s+(?:the\s+|this\s+|his\s+|her\s+|a\s+)?(?P<part>{alternatives(parts)})\s+"
        r"(?:ct|mri|mr|scan|scans|study|exam|images|series)\b"
    )


_PART_THAT_IS = re.compile(
    r"\b(?:how much|what part|which part|what portion|which portion|what proportion|what fraction|how big a part)"
    r"\s+of\s+(?P<what>(?:the\s+|this\s+|his\s+|her\s+|its\s+)?[a-z-]+(?:\s+[a-z-]+)?)\s+(?:is|are|has|have)"
    r"(?:\s+(?:been|become|gone|turned))?\s+(?P<which>[a-z-]+)\b"
)
"""A part named by what it is or has become ("how much of the tumour has died off": the necrotic part of it)."""
_STOP_WHERE = re.compile(
    r"[\s,]*\b(?:and\s+)?stop(?:ping)?\s+(?:where|when|at|before)\s+(?P<what>(?:the\s+)?[a-z -]+?)\s+"
    r"(?:starts?|begins?|commences?)\b"
)
"""Where a region ends, named as what begins there ("stop where the swelling starts": without the swelling)."""
_ENCLOSED = re.compile(
    r"(?:^|(?<=\s))(?<!\bonly\s)(?<!\bjust\s)(?P<join>and|plus|with|including|includes|include)?\s*"
    r"(?:(?:everything|all|whatever|anything|what)"
    r"\s+(?:that\s+|which\s+)?(?:(?:is|lies|sits|falls)\s+)?(?:inside|within|in|enclosed by|surrounded by|encircled by)"
    r"(?:\s+(?:it|them|that|this))?|(?:everything|all|whatever|anything)\s+(?:that\s+|which\s+)?(?:it|they)\s+"
    r"(?:encloses|surrounds|encircles|contains|enclose|surround|encircle|contain)|(?:its|their)\s+contents)"
    r"(?:\s+(?:counts|count|is included|are included|included)\b)?(?=\s+(?:too|as well)\b|\s*[,;]|\s*$)"
)
"""What a region holds, said of a region that rings it ("the oedema and everything inside it", "the enhancing rim
plus whatever it encloses", "... ; everything within it counts"): the tumour core it encloses, joined to it; not
"only what's inside it", which is what it encloses without it."""
_NOT_LEFT_OUT = re.compile(
    r"\b(?:do not|don't|dont|does not|doesn't|without|never|not)\s+(?:exclud(?:e|ing)|leav(?:e|ing)\s+out|omit(?:ting)?"
    r"|forget(?:ting)?|drop(?:ping)?"
    r"|remov(?:e|ing)|subtract(?:ing)?|skip(?:ping)?|cut(?:ting)?\s+out|strip(?:ping)?\s+(?:away|off|out))\b"
)
"""A part not to be left out is included ("don't exclude the vasogenic oedema", "without excluding the necrosis")."""
_EMPHATIC_DO = re.compile(
    r"(?<!\bnot )(?<!\bi )(?<!\bwe )\bdo\s+(?=(?:leave|exclude|omit|remove|include|keep|drop|skip|subtract)\b)"
)
"""A "do" that only stresses the verb after it ("but do leave out the oedema")."""
_WHAT_IN_IT_IS = re.compile(
    r"\b(?:everything|whatever|all|anything|what)\s+(?:that\s+|which\s+)?(?:(?:is|lies|sits)\s+)?(?:within|inside|in)\s+"
    r"(?P<where>(?:(?!\b(?:tumor|glioma|glioblastoma|lesion|mass)\b)[a-z -])+?)\s+"
    r"(?:that|which)\s+(?:is|are)\s+"
    r"(?:(?:actually|actual|real|really|true|truly|genuine|genuinely)\s+)*(?P<what>tumor(?:\s+tissue)?|neoplasm)\b"
)
"""What within a region is tumour ("everything within the FLAIR halo that is actual tumour"): the tumour inside it."""
_SAID_OF_IT = r"(?:(?!(?:enhancing|non-enhancing|necrotic|solid|cystic|edema|core|central)\b)[a-z-]+\s+){0,3}?"
"""Up to three words said of the tumour that name no part of it ("the | untreated left frontal | glioma")."""
_OUT_TO_ITS_EDGE = re.compile(
    rf"(?P<head>\b(?:the\s+)?{_SAID_OF_IT}(?:tumor|glioma|lesion|everything|all)\s+)?"
    r"(?:\s*,?\s*\bfrom\s+(?P<inner>(?:the\s+|its\s+)?[a-z0-9 -]+?))?\s*,?\s*\b(?:all\s+the\s+way\s+)?"
    r"(?:(?:out|outwards?|up|right)\s+)?(?:to|as\s+far\s+as)\s+(?:and\s+including\s+)?(?:the\s+|its\s+)?"
    r"(?:(?:outer|outermost|outside|far|peripheral|external)\s+)?(?:edges?|borders?|boundary|boundaries|margins?"
    r"|limits?|periphery|perimeter)\s+of\s+(?P<what>(?:the\s+|its\s+)?[a-z0-9 -]+?)(?=\s*(?:[,;)]|$))"
    rf"|(?P<start>\b(?:the\s+)?{_SAID_OF_IT}(?:tumor|glioma|lesion|everything|all)\s+)?"
    r"\s*,?\s*\bfrom\s+(?P<from>(?:the\s+|its\s+)?[a-z0-9 -]+?)\s+(?:all\s+the\s+way\s+)?(?:out|outwards?)\s+to\s+"
    r"(?:and\s+including\s+)?(?P<reached>(?:the\s+)?(?!its\b)[a-z0-9 -]+?)(?=\s*(?:[,;)]|$))"
)
"""A region said as how far out it reaches ("from the enhancing centre all the way out to the edge of the surrounding
signal change", "the tumour up to the outer edge of the swelling", "from the necrotic centre out to the enhancing
rim"): the part it reaches and everything inside it."""
_AN_EDGE = re.compile(r"\b(?:edges?|borders?|margins?|boundary|boundaries|surface)\b")


def _names_anatomy(text: str) -> bool:
    """Whether ``text`` names a part of the body or a structure (``finding_subjects.json``: "the pleura")."""
    pattern, subject_of = _subject_words()
    structures = resource("finding_subjects.json")["structures"]
    return any(subject_of[found][0] == "parts" for found in pattern.findall(text)) or bool(
        set(words(text)) & set(structures)
    )


def _out_to_its_edge(found: re.Match[str]) -> str:
    """:data:`_OUT_TO_ITS_EDGE` as the part reached and what it encloses; a region that starts at an edge ("from the
    tumour margin out to ...") is a shell, not this, and a part of the body reached ("up to the edge of the pleura")
    says only where it lies: both are left as said."""
    reached = found["what"] or found["reached"]
    if _AN_EDGE.search(found["inner"] or found["from"] or "") or _names_anatomy(reached):
        return found.group(0)
    lead = " " if found["head"] or found["start"] else ", including "  # "the tumour | up to the edge of ..."
    return f"{lead}{reached} and everything inside it"


_NOT_WANTED = re.compile(
    r"\s*\b(?P<what>(?:the|any|its)\s+[a-z -]+?)\s+(?:i|we)\s+(?:do not|don't|dont)\s+(?:want|need)\b"
    rf"(?:\s+(?:in|inside|within)\s+(?:the|my|our|this)\s+(?:{_CONTAINERS}))?(?=\s*(?:[,;.]|$))"
    r"|\s*,?\s*\b(?:but\s+|and\s+)?(?:i|we)\s+(?:do not|don't|dont)\s+(?:want|need)\s+(?=(?:the|any|its)\s)"
    r"|\s*\b(?P<said>(?:the|any|its)\s+[a-z -]+?)\s+(?:is|are)\s+(?:not|n't)\s+(?:wanted|needed|required|of interest)"
    r"(?=\s*(?:[,;.]|$))"
)
"""A part not wanted, named after or before the words ("the tumour itself I don't want", "the oedema we don't want in
the mask", "but I don't want the oedema", ", the oedema is not wanted"): it is left out."""


def _not_wanted(found: re.Match[str]) -> str:
    """:data:`_NOT_WANTED` as a part left out."""
    return f" excluding {found['what'] or found['said'] or ''}"


_NO_AND_NO = re.compile(r"\b(?P<no>no|not)\s+(?P<first>[a-z-]+)\s+(?:no|not|nor|or)\s+(?=[a-z])")
"""Parts left out one after another, as typed in haste ("no necrosis no oedema": no necrosis and oedema; "not edema not
necrosis")."""
_BARE_NO = re.compile(
    r"\b(?P<before>[a-z-]+)\s+no\s+(?=(?:edema|edematous|swelling|necrosis|necrotic|enhancing|enhancement|non-enhancing"
    r"|solid|cystic|cyst|cysts)\b)"
)
"""A part left out by "no" after a noun phrase, no comma between, as dictated ("the solid non enhancing no edema")."""
_SAYS_NO = frozenset("is are was were be been has have had shows show showing and or but if there".split())
"""Words after which "no" says that a part is absent, not that it is left out ("there is no edema")."""


def _left_out_after_no(found: re.Match[str]) -> str:
    if found["before"] in _SAYS_NO:
        return found.group(0)
    return f"{found['before']}, excluding "


_NEITHER_NOR = re.compile(
    r"\s*,?\s*\b(?:and\s+|that\s+|which\s+)?(?:was|is|were|are|being)\s+neither\s+(?P<first>[a-z-]+)\s+nor\s+"
    r"(?P<second>[a-z-]+)"
)
"""What a region is said not to be, after it ("solid tissue that was neither necrotic nor oedematous")."""
_WITH_REMOVED = re.compile(
    r"\s*\bwith\s+(?P<what>(?:the|its|their|any|all)\s+[a-z -]+?)\s+(?:removed|subtracted|excluded|left out|deleted"
    r"|erased|(?:cut|[a-z]+(?:ed|en))\s+(?:away|off)|(?:cut|carved|stripped|taken|scooped|scraped|shaved|cropped"
    r"|clipped|masked|blanked|blacked|punched|hollowed|snipped|trimmed|cleared|filtered)\s+out)\b"
)
"""A part left out, named as what is taken from the region ("the tumour with the oedema removed", "... with the
swelling peeled away", "... shaved off"); any participle with "away" or "off" takes it away, so a mistyped verb
does not turn the request into its opposite, while "out" is read so only after verbs that take away ("picked out"
and "pointed out" keep)."""
_ADD = re.compile(r"\s*,\s*(?:and\s+)?(?:then\s+)?(?:add|adding)\s+(?=(?:the|its|any|all|every)\b)")
"""A part added to the region named before ("take the enhancing tumour, add the necrotic core"): joined to it."""
_UNDRAWN = (
    r"un(?:labell?ed|segmented|marked|contoured|annotated|masked|drawn|outlined|traced|delineated|painted|colou?red)"
)
"""A part said to be left undrawn ("unlabelled", "unsegmented")."""
_NOT_A_VERB_OF_LEAVING = rf"(?!(?:out|but|leave|leaving|keep|keeping|{_UNDRAWN})\b)[a-z-]+"
_LEAVE_OUT_AFTER = re.compile(
    rf"\b(?P<verb>leave|leaving|keep|keeping)\s+(?P<what>(?:the\s+|any\s+|all\s+)?{_NOT_A_VERB_OF_LEAVING}(?:(?:\s+"
    rf"|\s*,\s*|\s+(?:and|or)\s+)(?:the\s+|any\s+)?{_NOT_A_VERB_OF_LEAVING}){{0,6}}?)\s+(?:out\b(?:\s+of\s+(?:the\s+|this\s+|my\s+)?(?:{_CONTAINERS})\b)?"
    rf"(?!\s+of)|outside\s+(?:of\s+)?(?:the\s+|this\s+|my\s+)?(?:{_CONTAINERS})\b|{_UNDRAWN}\b)"
)
"""What is left out, named between the verb and "out" ("leave the edema out", "leaving the enhancing parts, necrosis
and oedema out"), "outside the mask" or undrawn ("leaving necrosis and oedema unlabelled")."""
_LEFT_UNDRAWN = re.compile(
    rf"\b(?:(?:must|should|is to|are to|to)\s+)?(?:be|is|are|remain|remains|stay|stays|left)\s+{_UNDRAWN}\b"
    rf"|(?<=[a-z] )(?<!still )(?<!\byet )(?<!\bnow ){_UNDRAWN}(?=\s*(?:[,.;)]|$))"
    r"|\b(?:(?:must|should|is to|are to|to)\s+)?(?:stay|stays|remain|remains|be kept|kept|be left|left|is leave|leave)"
    r"\s+outside"
    rf"(?:\s+(?:of\s+)?(?:the|this|that|my)\s+(?:{_CONTAINERS}))?(?!\s+(?:of\s+)?(?:the|this|that|its|his|her)\b)"
)
"""A part said to stay undrawn ("with the oedema left unsegmented", "oedema must remain unlabelled", "the edema must
stay outside", "the edema is leave outside"; not "lies outside the tumour", which says where): left out."""
_OR_NOT = re.compile(
    r"(?:,\s*)?\b(?:whether\s+or\s+not\s+(?:it|they)\s+(?:enhances|enhance|is enhancing|are enhancing)"
    r"|(?:whether\s+)?(?:(?:it|they)\s+(?:is|are|does|do)\s+)?(?:enhancing|enhanced|enhances|enhance)\s+or\s+not)\b"
)
"""What is drawn whatever its enhancement ("all of its tissue, enhancing or not"): it leaves nothing out."""
_NOT_SEPARATED = re.compile(
    r"\b(?:without|do not|don't|dont|no need to|not)\s+(?:want\s+(?:them|it|these|those|the two|the parts)\s+(?:to\s+be"
    r"\s+)?)?(?:(?:attempting|trying|needing|bothering)\s+)?(?:to\s+)?"
    r"(?:separat|split|distinguish|differentiat|divid)[a-z]*\b[^,.;\u2013\u2014]*?(?=\s*(?:[,.;\u2013\u2014]|\s-\s|$))"
    r"|\bno\s+(?:sub-?regions|sub-?divisions?|sub-?labels|sub-?compartments|separate\s+(?:labels|parts|regions))\b"
)
"""A request that the parts be drawn as one ("without attempting to separate tumour from oedema", "I don't want them
separated", "no subregions")."""
_AGE = re.compile(
    r"\b\d{1,3}[- ]?(?:year|yr)s?[- ]old\b|\baged\s+\d{1,3}\b|(?<=,)\s*\d{1,3}\s*(?=,)"
    r"|\b\d{2,3}\s?(?:y/?o\s?|yo\s?|y\s?)?[mf]\b(?!-)"
)
"""How old the patient is, with the sex after it ("54M", "61 F", "38yo m"): never which finding."""
_THIS_IS_THE_SCAN = re.compile(
    r"\s*,?\s*\b(?:and\s+)?(?:this|it)\s+is\s+(?:a|an|the|our)\s+(?:[a-z0-9-]+\s+){0,3}?(?:scan|study|mri|mr|exam"
    r"|examination|ct|series)\b(?=\s*(?:[,;.]|$))"
)
"""A clause that only says what the images are ("..., and this is a baseline scan"): it says nothing of the finding."""
_AND_ALL = re.compile(
    r"\s*,?\s*\b(?:core|parts|bits|rim|necrosis)\s+and\s+all\b(?!\s+(?:the|of|its|their|that|this|these|those)\b)"
    r"\s*,?(?=\s)"
)
"""The whole of what was just named, said as an idiom ("the tumour itself, core and all, ..."): nothing more; not
"necrosis and all the surrounding swelling", a list."""
_NOTHING_THAT_IS_NOT = re.compile(
    r"\s*,?\s*\b(?:and\s+|but\s+)?(?:nothing|none)\s+(?:that|which)\s+(?:does not|doesn't|doesnt|is not|isn't|isnt)"
    r"(?=\s*(?:[,;.]|$))"
)
"""Only what was just named, said again as its negation ("label whatever enhances, and nothing that doesn't")."""
_ONLY_REMAINS = re.compile(
    r"\s*,?\s*\b(?:so|such)\s+(?:that\s+)?(?:only|just)\s+(?P<what>[a-z -]+?)\s+(?:remains|remain|is left|are left"
    r"|stays|stay)\b"
)
"""What is kept once something is taken away, said as what remains ("subtract the tumour so only the swelling
remains")."""
_KEEP_ONLY_WHAT = re.compile(r"\s*,?\s*\b(?:and\s+|but\s+)?(?:leave|leaving|keep|keeping)\s+(?:just|only)\s+")
"""What is kept after something is taken away ("remove all the tumour and leave just the surrounding oedema")."""
_NOTHING_OF = re.compile(r"\bnothing\s+(?=(?:enhancing|non-enhancing|necrotic|edema|edematous|solid|cystic)\b)")
"""A part said to be absent from what is drawn ("nothing enhancing"): as "no"."""
_NOTHING_FROM = re.compile(r"\bnothing\s+(?:at all\s+)?(?:from|of)\s+(?=(?:the|its|any|this|that)\s)")
"""A region said to give nothing to what is drawn ("and nothing from the peritumoural oedema"): it is left out."""
_STRIP_OFF = re.compile(
    r"\b(?:strip|stripping|take|taking|cut|cutting|peel|peeling|shave|shaving|trim|trimming|remove|removing|subtract"
    r"|subtracting|drop|dropping)\s+(?P<what>(?:the|any|all|its)\s+[a-z -]+?)\s+(?:off|from|out of|away from)\s+"
    r"(?P<whole>(?:the|this|that|its|my)\s+[a-z -]+?)(?=\s*(?:[,;.]|$))"
)
"""A part taken from a region, both named ("strip the edema off the glioma mask"): the region without the part."""


@cache
def _folds() -> tuple[tuple[re.Pattern[str], Any], ...]:
    """The rewrites of ``resources/finding_synonyms.json``, in the order they apply: prefixes joined to their word,
    negations folded, then synonyms (phrase -> the synonyms folded into it), longest first, as whole words (a hyphen
    is part of a word, so "non-enhancing" never holds "enhancing"); the ``first`` synonyms fold before the
    negations and the others, whose phrases may hold them ("taking up the dye": "taking up contrast"); synonyms fold
    twice, as a phrase may hold one ("stays dark on T1 post-gad": "stays dark on t1c", the non-enhancing)."""
    document = resource("finding_synonyms.json")
    prefixes = re.compile(rf"(?<![\w-])({alternatives(document.get('prefixes', []))})[- ](?=[a-z])")
    folds: list[tuple[re.Pattern[str], Any]] = [(prefixes, r"\1")]
    first_of = {synonym: phrase for phrase, synonyms in document.get("first", {}).items() for synonym in synonyms}
    if first_of:
        first = _whole_words(list(first_of))
        folds.append((first, lambda found: first_of[found.group(0)]))
    for word, negation in document.get("negations", {}).items():
        bare = [negating for negating in negation["negating"] if negating in _LEAVING_OUT]
        others = [negating for negating in negation["negating"] if negating not in _LEAVING_OUT]
        negating = [f"(?<!,)(?<!, )(?:{alternatives(bare)})"] * bool(bare) + [alternatives(others)] * bool(others)
        qualified = f"(?:(?:{alternatives(negation['qualifiers'])})[\\s-]+){{0,2}}" if negation["qualifiers"] else ""
        pattern = (
            rf"(?<![\w-])(?:{'|'.join(negating)})[\s-]*{qualified}(?:{alternatives(negation['negated'])})(?![\w-])"
        )
        folds.append((re.compile(pattern), word))
    synonym_of = {synonym.lower(): phrase for phrase, synonyms in document["synonyms"].items() for synonym in synonyms}
    synonyms = _whole_words(list(synonym_of))
    folds += [(synonyms, lambda found: synonym_of[found.group(0)])] * 2  # "t1+c hyperintense": "t1c hyperintense"
    looks = document.get("after_contrast", {})
    for word, grammar in looks.items():
        if word not in ("when", "contrast"):  # "that turns white after gadolinium": enhancing
            folds.append(
                (
                    re.compile(
                        rf"(?<![\w-])(?:(?:that|which)\s+)?(?:(?:{alternatives(grammar['verbs'])})\s+)"
                        rf"{'?' if grammar.get('verb_optional') else ''}"
                        rf"(?:{alternatives(grammar['looks'])})\s+{_ON_T1}(?:{alternatives(looks['when'])})\s+"
                        rf"(?:{alternatives(looks['contrast'])})(?![\w-])"
                    ),
                    word,
                )
            )
    return tuple(folds)


@cache
def contrast_words() -> frozenset[str]:
    """The words that name the contrast agent or its images ("gadolinium", "post-contrast"; ``finding_synonyms.json``
    ``after_contrast`` ``contrast``): whether a region enhances is said with them."""
    return frozenset(
        word for entry in resource("finding_synonyms.json")["after_contrast"]["contrast"] for word in entry.split()
    )


_ON_T1 = (
    r"(?:on\s+(?:the\s+)?(?:t1|t1w|t1-weighted|mri|mr|scan|images?)(?:\s+(?:images?|imaging|sequence|scans?))?\s+)?"
)
"""The images a look is seen on, said between the look and the contrast ("hyperintense on T1 after contrast")."""
_LEAVING_OUT = ("no", "not")
"""Negating words that, after a comma, start a part left out rather than a negated finding ("glioma core, no
enhancing or necrotic tissue")."""


def _without_appearance_words(text: str) -> str:
    """``text`` with its appearance words left out, but for one joined to a word that is none ("solid and necrotic
    tumour": there it names a part, and leaving it out would leave "necrotic tumour")."""
    descriptors, every_descriptor = _descriptors(), _descriptors(keep_region_words=False)
    appearance = _descriptors(keep_region_words=False, groups=_APPEARANCE)
    kept: list[str] = []
    end = 0
    for found in descriptors.finditer(text):
        after = _CONJUNCT_AFTER.match(text, found.end())
        before = _CONJUNCT_BEFORE.search(text[: found.start()])
        joined_to_another = (after and not every_descriptor.match(text, after.end())) or (
            before and not every_descriptor.search(before.group("word"))
        )
        joined_to_another = joined_to_another and appearance.fullmatch(found.group(0))
        kept += [text[end : found.start()], found.group(0) if joined_to_another else " "]
        end = found.end()
    return "".join([*kept, text[end:]])


_APPEARANCE = ("shape", "margin", "density", "size")
"""The groups of ``finding_descriptors.json`` that say how a finding looks: joined to a word that is none, such a word
names a part ("solid and necrotic")."""
_CONJUNCT_AFTER = re.compile(r"\s+(?:and|or|&|plus)\s+")
_CONJUNCT_BEFORE = re.compile(r"(?P<word>[a-z-]+)\s+(?:and|or|&|plus)\s+$")


@cache
def _purpose_clauses() -> re.Pattern[str]:
    """The clauses that say why a finding is asked for, to the next comma ("so I can compute its volume", "for
    radiotherapy planning"; ``finding_descriptors.json``, ``purpose_clauses`` and ``purpose_nouns``); one that
    opens the description ends with its noun ("For radiotherapy planning | I need the whole glioma")."""
    document = resource("finding_descriptors.json")
    starts, nouns = alternatives(document["purpose_clauses"]), alternatives(document["purpose_nouns"])
    return re.compile(
        rf"\b(?:{starts})\b[^,]*|\bfor\s+(?:[a-z0-9+-]+\s+){{0,3}}?(?:{nouns})(?:\s+(?:{nouns}))*"
        r"(?![\w-]|\s+na[iï]ve\b)(?P<lead>[^,]*)"  # not "for this treatment-naive glioma"
        rf"|{_SO_THAT}"
    )


def _without_the_purpose(found: re.Match[str]) -> str:
    """A description less a clause that says why (:func:`_purpose_clauses`), but not less the treatment it says was
    given ("Segment the oedema | for follow-up after radiotherapy": the glioma was treated)."""
    given = _treatment_given().search(found.group(0))
    if given:
        return f" {given.group(0)} "
    return " " if found.start() else found.group("lead") or " "


@cache
def _treatment_given() -> re.Pattern[str]:
    """A treatment said to be done, as :func:`folded` leaves it ("after radiotherapy", "post surgery", "treated")."""
    treatment = _treatment_names()
    return re.compile(rf"\b(?:after|following|post)\s+(?:{treatment})(?![\w-])|\btreated\b")


_SO_THAT = (
    r"(?<=\w )(?<!\bok )(?<!okay )(?<!\bum )(?<!\buh )(?<!and )(?<!well )(?<!right )so(?:\s+that)?\s+"
    r"(?:we|i|you|they|he|she|it|the|our|their)\s[^,]*"
)
"""A purpose said after the request ("..., so we don't sample it", "so the biopsy avoids it"); "so" that opens a
description or follows a filler ("ok so the oedema") is itself a filler."""


_NOT_DESCRIPTORS = (
    "message_fields",
    "purpose_clauses",
    "purpose_nouns",
    "corrections",
    "message_labels",
    "greetings",
    "sign_offs",
    "diagnostic_questions",
    "drawing_requests",
    "examples",
    "roles",
    "dismissals",
)
"""The groups of ``finding_descriptors.json`` that are no words to leave out wherever they stand."""


@cache
def _descriptors(keep_region_words: bool = True, groups: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One pattern for every appearance word and phrase of ``resources/finding_descriptors.json``, longest first, a
    hyphen and a space interchangeable; ``{words}`` stands for up to three words, ``{side}`` for left or right. A word
    that also names a part of a tumour (``finding_lexicon.region_words``: "solid") is none where
    ``keep_region_words``: it can decide the finding ("solid and necrotic tumour"), and is one where only appearance
    words are told from others ("subsolid and solid nodules"). ``groups``: those groups only (else all)."""
    document = resource("finding_descriptors.json")
    entries = [
        entry
        for key, group in document.items()
        if isinstance(group, list) and key not in _NOT_DESCRIPTORS and key in (groups or document)
        for entry in group
        if not (keep_region_words and entry in region_words())
    ]
    entries = [spelling_variant(entry.lower(), american=True) for entry in entries] + [e.lower() for e in entries]
    words = r"(?:[a-z0-9-]+ ){0,3}?"
    patterns = []
    for entry in sorted(set(entries), key=len, reverse=True):
        pattern = r"[- ]?".join(re.escape(part) for part in re.split(r"[- ]", entry))
        pattern = pattern.replace(re.escape("{words}") + r"[- ]?", words).replace(re.escape("{side}"), "(?:left|right)")
        patterns.append(pattern)
    return re.compile(r"(?<![a-z-])(?:" + "|".join(patterns) + r")(?![a-z-])")


def adjectives_joined(text: str) -> str:
    """``text`` in lower case without the commas that only part the adjectives of one noun phrase: before a
    never-treated annotation ("ring-enhancing, never-treated glioblastoma") and after an appearance word that follows
    a determiner ("the hypointense, non-enhancing centre"), so that a phrase cut at its commas keeps its noun."""
    lowered = _without_untreated(text.lower())
    appearance = _descriptors(keep_region_words=False, groups=_APPEARANCE).pattern
    return re.sub(rf"\b((?:the|this|that|its|a|an)\s+{appearance}),\s+(?=[a-z])", r"\1 ", lowered)


def place_segments(text: str) -> list[str]:
    """A compared text cut at each word of place ("the necrotic center | the enhancing rim" of "the necrotic center
    within the enhancing rim")."""
    return [segment for segment in _PLACE.split(text) if segment.strip()]


def place_words(text: str) -> list[str]:
    """The words of place of a compared text, in order: one between each two of its ``place_segments``."""
    return [found.group().strip() for found in _PLACE.finditer(text) if text[: found.start()].strip()]


def still_negates(text: str) -> bool:
    """Whether a compared text still holds a negation or a part left out that no rule folded or read ("the tumour
    that does not take up the dye", "the oedema must be left out, but the necrosis kept"): its meaning cannot be
    told from its words' sum."""
    return _UNREAD_NEGATION.search(text) is not None


_UNREAD_NEGATION = re.compile(
    r"\b(?:not|no|never|without|lacking|lacks?|n't|nor|none|excluded|excluding|exclude|except|left out|leave out|omit"
    r"|omitted|minus)\b|n't\b|(?<![\w-])non(?=\s)"
)


def negated(text: str) -> bool:
    """Whether a compared text says what is not meant ("not edema, not necrosis")."""
    return _NEGATED.match(text) is not None


def corrected(text: str, vocabulary: frozenset[str], english: frozenset[str]) -> str:
    """``text`` with each word of 5 letters or more (or of 4 that is no English word and lacks a letter of a 5-letter
    one: "edma") that is not in ``vocabulary`` (the words of every known phrasing and resource) replaced by the one
    vocabulary word it is a typing error of: same first letter, one letter left out, added, changed, or two
    neighbours swapped ("enhacing", "necrrotic", "oedmea"; the singular where its plural is as close, the shorter
    where two spellings or synonyms are: "tumuor", "necross"). An English word the encoder knows whole (``english``)
    is kept, unless it stands where a part of the body would (before a finding's noun, after "in the") and is one such
    error away from one word that names a part of the body or a disease ("beast nodule", "nodule in the lever"),
    which may then rule a family out ("contrast injection" stays); a word with no such word or several is kept. Two
    neighbours of which one is no known word are one word where together they are a vocabulary word or one such error
    from one ("necro tic", "a dema": heard apart by speech recognition)."""
    subject_words = frozenset(_subject_words()[1])

    def fix(found: re.Match[str]) -> str:
        word = found.group(0)
        lowered = word.lower()
        if len(lowered) < 4 or lowered in vocabulary or (len(lowered) == 4 and lowered in english):
            return word
        near = list(misspelt_as(lowered, vocabulary, english))
        if len(lowered) == 4:  # "edma": only a letter left out of a longer word
            near = [known for known in near if len(known) == 5]
        named = [known for known in near if known in subject_words]
        if lowered in english and not _stands_for_a_part(found.string[: found.start()], found.string[found.end() :]):
            named = []
        for candidates in (named, [] if lowered in english else near):
            if candidates and len({folded(known).removesuffix("s") for known in candidates}) == 1:
                return min(candidates, key=len)  # one word, in either spelling, or its singular and plural
        return word

    def split(found: re.Match[str]) -> str:
        compound = found.group(0)
        parts = compound.lower().split("-")
        if compound.lower() in vocabulary or any(part not in vocabulary or part in _NOT_SPLIT for part in parts):
            return compound
        return compound.replace("-", " ")

    def joined(first: str, second: str) -> str | None:
        first, second = first.lower(), second.lower()
        together = first + second
        if {first, second} <= vocabulary | english or len(together) < 5:
            return None
        if together in vocabulary:
            return together
        by_length = _by_length(vocabulary)
        near = [
            k for size in (0, -1, 1) for k in by_length.get(len(together) + size, ()) if _one_edit_apart(together, k)
        ]
        return min(near, key=len) if len({folded(known) for known in near}) == 1 else None

    pieces = re.split(r"(?<=[A-Za-z]) (?=[A-Za-z])", text)  # words apart by one space, and what lies between
    kept = [pieces[0]]
    for piece in pieces[1:]:
        last, this = re.search(r"[A-Za-z]+$", kept[-1]), re.match(r"[A-Za-z]+", piece)
        word = joined(last.group(0), this.group(0)) if last and this else None
        if word is None or re.search(r"[\w-]$", kept[-1][: last.start()]) or piece[this.end() : this.end() + 1] == "-":
            kept.append(piece)
        else:
            kept[-1] = kept[-1][: last.start()] + word + piece[this.end() :]
    joined_text = " ".join(kept)
    return re.sub(r"[A-Za-z]+", fix, re.sub(r"[A-Za-z]+(?:-[A-Za-z]+)+", split, joined_text))


def misspelt_as(word: str, vocabulary: frozenset[str], english: frozenset[str]) -> tuple[str, ...]:
    """The words of ``vocabulary`` a lower-case ``word`` is one typing error from, with the same first letter, in
    British or American spelling ("pertumoural": "peritumoral"; "surroundd": "surround", "surrounded",
    "surrounds")."""
    american = re.sub(r"(?<=[a-z])our", "or", re.sub(r"^oe|(?<=[a-z])[ao]e(?=[a-z])", "e", word))
    spellings = {word, american} if word not in english else {word}
    return tuple(
        known
        for known in _by_first_letter(vocabulary).get(word[:1], ())
        if any(_one_edit_apart(spelt, known) for spelt in spellings)
    )


def _stands_for_a_part(before: str, after: str) -> bool:
    """Whether a word between ``before`` and ``after`` stands where a part of the body would: before a finding's noun
    ("beast nodule") or a kind of scan ("this brest MRI"), or after a word of place ("nodule in the lever")."""
    following = re.match(r"\s*([a-z0-9-]+)", after.lower())
    if following and (following.group(1) in finding_nouns() or _scan_words().fullmatch(following.group(1))):
        return True
    return (
        re.search(
            r"\b(?:in|of|within|inside|from|into)\s+(?:the\s+|his\s+|her\s+|their\s+|a\s+|an\s+)?$", before.lower()
        )
        is not None
    )


_NOT_SPLIT = frozenset(
    "non un no not peri sub intra extra para juxta post pre semi part well ill poorly ground free".split()
)
"""Words of a hyphenated word that make a new word of it ("non-enhancing", "part-solid", "oedema-free")."""


@cache
def _by_length(vocabulary: frozenset[str]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = {}
    for word in sorted(vocabulary):
        grouped.setdefault(len(word), []).append(word)
    return {size: tuple(group) for size, group in grouped.items()}


def known_words_from(vocabulary: frozenset[str], letter: str) -> tuple[str, ...]:
    """The words of ``vocabulary`` that begin with ``letter`` (grouped once per vocabulary)."""
    return _by_first_letter(vocabulary).get(letter, ())


@cache
def _by_first_letter(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for word in sorted(vocabulary):
        grouped.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in grouped.items()}


def _one_edit_apart(first: str, second: str) -> bool:
    """Whether two words are one letter left out, added or changed, or two neighbours swapped, apart."""
    return abs(len(first) - len(second)) <= 1 and edit_distance(first, second) == 1


def edit_distance(first: str, second: str) -> int:
    """The fewest letters left out, added or changed, or neighbours swapped, that make ``first`` into ``second``."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        row = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


def unknown_words(text: str, vocabulary: frozenset[str], english: frozenset[str]) -> list[str]:
    """The words of 5 letters or more of ``text`` that are neither in ``vocabulary`` nor English words."""
    return [
        word
        for word in re.findall(r"[a-z]+", text.lower())
        if len(word) >= 5 and word not in vocabulary and word not in english
    ]


@cache
def resource_words() -> frozenset[str]:
    """Every word of the synonym, appearance-word and subject resources and of the words that give a description its
    structure ("without", "excluded", "around"), and each one-word negation written as one word ("unenhancing")
    (lower case letters only)."""
    texts = [
        (_RESOURCES / name).read_text(encoding="utf-8")
        for name in (
            "finding_synonyms.json",
            "finding_descriptors.json",
            "finding_subjects.json",
            "finding_phrasings.json",
        )
    ]
    texts += [
        pattern.pattern
        for pattern in (
            JOINED,
            _PLACE,
            _EXCLUDING,
            _LEFT_OUT,
            _NEGATED,
            DEFINED_ASIDE,
            _WITH_REMOVED,
            _STRIP_OFF,
            _LEAVE_OUT_AFTER,
        )
    ]
    texts.append(_OPERATION_WORDS)
    document = resource("finding_synonyms.json")
    for negation in document.get("negations", {}).values():
        prefixes = [prefix for prefix in negation["negating"] if prefix.isalpha()]
        texts += [prefix + word for prefix in prefixes for word in negation["negated"] if word.isalpha()]
    return frozenset(word for text in texts for word in vocabulary_words(text))


_OPERATION_WORDS = (
    "ignore ignoring disregard disregarding remove removing subtract subtracting skip skipping intersection intersected"
    " complement overlap retain keep setting aside instead rather checklist step whether determine decide"
)
"""The words of leaving out, of set operations and of questions asked within a sentence that the patterns above hold
only in part ("ignor(?:e|ing)", "\\bwhether"): known whole, so that a typing error in one is mended."""


def vocabulary_words(text: str) -> list[str]:
    """The words of ``text`` a vocabulary holds: each word, and each hyphenated word whole as well as its words."""
    lowered = text.lower()
    return re.findall(r"[a-z]+", lowered) + re.findall(r"[a-z]+(?:-[a-z]+)+", lowered)

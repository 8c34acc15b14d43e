"""Which trained finding a description means, from its meaning (sentence embeddings of the real text encoder) and its
clinical words.

Every finding the checkpoint declares is known by its canonical description, the ways it was phrased in training
(``data/phrasing.py``) and in the pick-list (``resources/findings.json``), and the names radiologists give it
(``resources/finding_phrasings.json``). Findings the model was never trained for (``resources/untrained_findings.json``)
are known too, so that "liver metastasis" is not the liver. The description's words are read first
(``description_text.py``: spelling, synonyms, abbreviations and negations folded, appearance and request words left
out). It is then matched to the nearest known phrasing by cosine similarity of mean-pooled all-MiniLM-L6-v2 states and
accepted only when it is close enough to a trained finding, clearly closer to it than to anything untrained or to a
finding of another family, and names no part of the body or disease outside that family's. Within a family, the words
decide between findings the encoder holds close: the head before a word of place ("oedema | around the tumour core"),
or the one finding whose defining words it carries. Brain-tumour regions joined ("tumour and surrounding oedema") mean
the region whose expert labels are the union of theirs, one left out of another ("tumour core without oedema") the
difference; an aside ("TC (NCR + NET + ET)") is read with its head. Where the words name several findings, or none
clearly, the description is not assessed, with the reason.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import torch

from ..data.phrasing import ABSENT_PROBES, BRAIN_SUBREGIONS, LUNG_NODULE_NOUNS, ORGAN_NAMES
from ..modeling.text_encoder import TextEncoder
from .checkpoint_scope import CheckpointScope, FindingFamily
from .description_sentences import (
    asides,
    defined_back,
    opens_negated,
    questions,
    retracted,
    sentences,
    unaccented,
    uncontracted,
    unemphasised,
    unframed,
    unquoted,
    unspoken,
    with_decimal_points,
)
from .description_text import (
    ENCLOSED_BY,
    JOINED,
    PART_WORDS,
    RELATION,
    adjectives_joined,
    anatomy_only,
    anchored,
    asks,
    asks_for_a_diagnosis,
    comparable,
    contrast_words,
    corrected,
    decides_only,
    dismisses,
    edit_distance,
    excluded_parts,
    folded,
    included_part,
    joined_parts,
    known_words_from,
    leaves_out,
    misspelt_as,
    names_a_part,
    names_a_treatment,
    negated,
    place_segments,
    place_words,
    refuses_to_ask,
    request_words,
    reshaping,
    resource_words,
    restyles_only,
    set_against,
    sides,
    stated_lengths_mm,
    still_negates,
    subjects,
    unknown_words,
    vocabulary_words,
    without_places,
    without_the_studies,
    words,
)
from .finding_lexicon import (
    anomaly_words,
    defining_words,
    generic_words,
    larger_named,
    largest_size_mm,
    lexicon_phrasings,
    look_words,
    region_words,
    signal_words,
    study_words,
    tumour_nouns,
    tumour_words,
    vague_words,
    volume_words,
)
from .phrasing_embeddings import embeddings_of
from .structured_request import destructured, from_code, spelled_sets

__all__ = ["FindingMatch", "FindingMatcher", "japanese_pick_list_twin", "known_phrasings"]

_RESOURCES = Path(__file__).resolve().parents[1] / "resources"
MIN_SIMILARITY = 0.70
"""A description this close (cosine) to a trained finding's phrasing may mean it."""
MIN_MARGIN = 0.10
"""...and it must be this much closer to it than to any untrained finding or finding of another family..."""
MIN_MARGIN_IN_FAMILY = 0.04
"""...and this much closer than to another finding of its own family (whole tumour or oedema?)."""
SAME_FINDING = 0.95
"""An untrained finding this close (cosine) to a phrasing of a declared finding is that finding ("aorta" in a
checkpoint fine-tuned on the aorta, a plural): it is no rival to it. The starter's closest pair is 0.84 ("gallstones",
"gallbladder")."""


_WHOLE = "whole tumour"
"""The brain-tumour finding a part of the tumour never is."""
_CORE = "tumour core"
"""The brain-tumour finding that is the tumour proper, its oedema left out: the tumour left out of a region."""
_ENCLOSES = {"enhancing tumour": "necrotic tumour core", "peritumoral oedema": "tumour core"}
"""What each brain-tumour region that rings another encloses (the enhancing rim its necrotic centre, the oedema the
tumour core): "the middle encircled by the enhancing wall" is the necrotic core."""
_LOOKS_UNLIKE = {
    "enhancing tumour": frozenset(
        "dark darker black hypointense hypointensity low t1c-dark t1-dark t1c-hypointense t1-hypointense".split()
    )
}
"""How a part looks where the ring around it looks otherwise (the enhancing rim is bright on T1 after contrast; what
it encloses and looks dark there is unlike it: "the T1c-dark area enclosed by the enhancing rim")."""
_INSIDE = frozenset({"within", "inside", "in", *ENCLOSED_BY})
"""Words of place that put the part before them inside what follows ("the middle | encircled by | the enhancing
wall"), unlike "around" or "that surrounds"."""
_RINGS = re.compile(
    r"^(?P<part>.+?)\s+(?:that|which)\s+(?P<ring>.+?)\s+(?:encloses|enclose|surrounds|surround|encircles|encircle"
    r"|rims|contains|wraps around|wrap around|wraps|holds)(?=\s*,|$)"
)
"""A landmark said to ring what comes before it ("the centre that | the enhancing rim encloses")."""
_AROUND = frozenset({"around", "surrounding", "encircling", "surrounds", "surround", "that surrounds"})
"""Words of place that put the part before them around what follows ("the hazy stuff | around | the glioma")."""
_AROUND_IT = "around: "
"""Before the finding a head that names something else lies around ("the calcification | around | the necrosis")."""
_ANY_THING = frozenset("thing things stuff tissue".split())
"""Words that say only that something is there, not what nor how much ("the stuff", unlike "everything")."""
_CLOSED_CLASS = frozenset(
    (
        "i we you me us would could can will just only so ok okay right left now then and or but also what which how"
        " whether if"
    ).split()
)
"""Words of a request's frame that name nothing ("right so just draw | around | the glioma": "right")."""
_ARTICLES = frozenset("the a an this that its their some".split())
_CENTRE_WORDS = frozenset("middle center central centrally interior inside inner hole cavity".split())
"""Words that put a part in the middle of what follows ("the dark centre | of the ring")."""
_INNER_WORDS = _CENTRE_WORDS | frozenset("what whatever lies lie sits is everything anything".split())
"""Words that, with ``PART_WORDS``, say only "what is inside" ("what lies | inside the ring")."""
_OUTSIDE = "(outside)"
"""What :meth:`FindingMatcher._head_reading` says of what lies around a finding that no finding surrounds."""
_SEVERAL = "(several)"
"""What :meth:`FindingMatcher._named_sibling` says of words that name several findings and fit none of them whole."""
_LABELS = {finding: frozenset(labels) for finding, (labels, _) in BRAIN_SUBREGIONS.items()}
"""The expert labels of each brain-tumour finding: a region named by joining or leaving out regions means the finding
whose labels are the union or difference of theirs."""


@dataclass(frozen=True)
class FindingMatch:
    """What a description was understood to mean.

    Attributes:
        description: the user's words (after a Japanese pick-list name is replaced by its English twin).
        finding: the canonical description of the trained finding it means; None when it means none.
        family: that finding's family; None when none.
        similarity: cosine similarity to the nearest phrasing of ``finding`` (or of the best candidate); 1.0 where its
            words decide the region (regions joined or left out, a region word such as "solid").
        nearest: the known phrasing it was closest to, trained or not (the finding, or the region word, where its
            words decide).
        reason: plain words, for a description that matched no trained finding.
        candidates: the trained findings of one family it could mean, for a description refused as naming more than
            one of them ("non-enhancing tumour core": the non-enhancing tumour, the necrotic tumour core or the tumour
            core); an aside or a part left out may tell which.
    """

    description: str
    finding: str | None
    family: FindingFamily | None
    similarity: float
    nearest: str
    reason: str = ""
    candidates: tuple[str, ...] = ()


class FindingMatcher:
    """Matches free-text descriptions to the checkpoint's trained findings (see the module docstring).

    Example:
        >>> matcher = FindingMatcher(TextEncoder.from_bundled_weights(max_tokens=48), scope)  # doctest: +SKIP
        >>> matcher.match("entire tumor").finding  # doctest: +SKIP
        'whole tumour'
    """

    def __init__(self, text_encoder: TextEncoder, scope: CheckpointScope) -> None:
        self.text_encoder = text_encoder
        self.scope = scope
        phrasings = _phrasings(scope)
        self._vocabulary = resource_words() | {word for text, _ in phrasings for word in vocabulary_words(text)}
        self._english = text_encoder.whole_words()
        unique = known_phrasings(scope)
        embeddings = _known_embeddings(text_encoder, tuple(text for text, _ in unique))
        declared = torch.tensor([finding is not None for _, finding in unique])
        if declared.any():  # an untrained finding the checkpoint declares after all (fine-tuned on it) is no rival
            closest = (embeddings @ embeddings[declared].T).max(dim=1).values
            keep = declared | (closest < SAME_FINDING)
        else:
            keep = torch.ones(len(unique), dtype=torch.bool)
        self._texts = [text for (text, _), kept in zip(unique, keep.tolist(), strict=True) if kept]
        self._findings = [finding for (_, finding), kept in zip(unique, keep.tolist(), strict=True) if kept]
        self._embeddings = embeddings[keep]
        self._index = {text: index for index, text in enumerate(self._texts)}
        self._anomaly_phrasings = {  # known phrasings that say a finding by a word of something wrong ("lung lesion")
            frozenset(words(text)) - _ANOMALY_FRAME
            for text, finding in zip(self._texts, self._findings, strict=True)
            if finding is not None and set(words(text)) & anomaly_words()
        }
        self._read_whole: dict[str, FindingMatch] = {}
        self._reading: set[str] = set()  # the phrases being read, one inside another
        self._loops_met = 0  # how often a phrase's reading needed itself (:meth:`_match_whole`)
        self._joined = torch.tensor([JOINED.search(text) is not None for text in self._texts], dtype=torch.bool)
        self._family_subjects = {  # the parts of the body and diseases each family's phrasings name
            family.family_id: set().union(
                *(
                    subjects(text).values()
                    for text, finding in zip(self._texts, self._findings, strict=True)
                    if finding in family.findings
                )
            )
            for family in scope.families
        }

    def embed(self, text: str) -> torch.Tensor:
        """Unit-length sentence embedding ``(text_dim,)``: the mean of the encoder's token states.

        Raises:
            PromptError: the encoder cannot read most of the text (e.g. Japanese that is not a pick-list name).
        """
        compared = comparable(text)
        self.text_encoder.encode(compared)  # checks the text is readable; its token states are cached for later
        return self.text_encoder.sentence_embeddings([compared])[0]

    def match(self, description: str) -> FindingMatch:
        """The trained finding ``description`` means, or a match with ``finding`` None and the reason.

        A description with an aside ("BraTS TC region (NCR + NET + ET)", "ED region = WT minus TC", "gross
        abnormality: tumour and its oedema") means what its head or its aside means; it is refused when they name
        different findings or the aside names a region outside the finding ("tumour core (necrosis and oedema)"), and
        an aside may tell which of several findings its head means ("non-enhancing tumour core (solid, not
        necrotic)": the non-enhancing tumour). Phrases set apart by commas that join nothing are read the same way
        where the whole is read as no finding ("the bright bit on the scan, just the tumour that takes up the dye").
        A piece that only names the tumour ("(left frontal glioma)", "the tumour itself, i.e. ...") or a part of the
        body ("nodule, thyroid") says where, not which region; one that only leaves out ("(excl. necrosis)", "(not
        oedema)") leaves it out of its head. Of a description of several sentences (a report's context, then the
        request), the sentences that ask ("please contour ...", "how big is ...") are read, with those that leave
        something out. The whole, but for what it leaves out, must name no part of the body or disease outside the
        finding's family ("nodule (in the liver)", "Known brain metastasis. Please segment the oedema.")."""
        description = japanese_pick_list_twin(description) or from_code(description)
        written = uncontracted(with_decimal_points(unspoken(description)))  # "mustn't", "1,8 cm"
        description = corrected(unaccented(written), self._vocabulary, self._english)
        misspelt = self._misspelt_word(description)
        if misspelt is None:
            return self._match_spelt(description)
        word, spellings = misspelt
        readings = [
            self._match_spelt(re.sub(rf"\b{word}\b", known, description, flags=re.IGNORECASE)) for known in spellings
        ]
        assessed = [reading for reading in readings if reading.finding is not None]
        if not assessed:  # no spelling names a trained finding ("need vol of the nodle in the liver")
            return self._match_spelt(description)
        unsure = [reading for reading in readings if reading.finding is None and not self._names_no_finding(reading)]
        if len({reading.finding for reading in assessed}) == 1 and not unsure:  # "lung nodle": "node" names none
            return replace(assessed[0], description=description)
        told = ", ".join(f'"{known}"' for known in spellings[:-1]) + f' or "{spellings[-1]}"'
        reason = f'"{word}" may misspell {told}, which are read differently; check its spelling'
        return FindingMatch(description, None, None, 0.0, "", reason)

    def _misspelt_word(self, description: str) -> tuple[str, tuple[str, ...]] | None:
        """The first word of a corrected description that is still no known word and is one typing error from
        several (:func:`misspelt_as`: "surroundd"), and those words; None when there is none. The description is read
        with each: what those that name a trained finding agree on, refused where they name different ones or one is
        refused as unsure between findings ("laeving out the swelling": "leaving" leaves it out, "living" does not)."""
        for word in unknown_words(description, self._vocabulary, self._english):
            spellings = misspelt_as(word, self._vocabulary, self._english)
            if len(spellings) > 1:
                return word, spellings
        return None

    def _match_spelt(self, description: str) -> FindingMatch:
        """:meth:`match` of a description whose spelling is settled."""
        description = set_against(spelled_sets(destructured(unemphasised(description))))
        said = sentences(unquoted(_other_items_left_out(description)))
        if decides_only(said):  # "Minutes: discussed the oedema - decision: start dexamethasone."
            reason = "it records what was decided, not a finding to draw; ask for the finding to be drawn or measured"
            return FindingMatch(description, None, None, 0.0, "", reason)
        said = retracted(unframed(said))  # "Hi, ... the oedema, sorry, I mean the core."
        said = [piece for sentence in said for piece in self._context_then_request(self._concluded(sentence))]
        said = defined_back(said)  # "Necrosis here means dead tissue inside the rim. Segment that and only that."
        said = self._without_other_matters(said)  # "Untreated glioma. Old infarct, not wanted. Segment the oedema."
        said = [self._contrasted(sentence) for sentence in said]  # "Not the core - the oedema around it."
        organ = _anatomy_asked_for(said)
        if organ:  # "Outline the lateral ventricles, patient has a newly diagnosed glioma.": the glioma is context
            asked = "normal structures themselves" if organ == "structures" else f"{organ} itself"
            reason = f"it asks for the {asked}, not a finding in it; name the finding"
            return FindingMatch(description, None, None, 0.0, "", reason)
        if refuses_to_ask(". ".join(said)):  # "Which tumour is this? Just tell me, don't segment anything."
            return FindingMatch(description, None, None, 0.0, "", "it asks that nothing be drawn")
        if restyles_only(said):  # "Change the colour of the nodule segment to blue."
            reason = "it asks how a segment is shown, not for a finding to be drawn; ask for the finding"
            return FindingMatch(description, None, None, 0.0, "", reason)
        changed = reshaping(" ".join(said))
        if changed:  # "the nodule plus a 5 mm margin", "hollow out the nodule segment"
            reason = (
                f'it asks for the finding changed in shape ("{changed}"), which this model does not draw; ask for the '
                "finding itself and change it afterwards (Segment Editor's Margin or Hollow effect)"
            )
            return FindingMatch(description, None, None, 0.0, "", reason)
        if asks_for_a_diagnosis(said, questions(unquoted(description))):  # "Is this brain tumour high grade?"
            reason = "it asks what a finding is, which this model does not say; ask for a finding to draw or measure"
            return FindingMatch(description, None, None, 0.0, "", reason)
        if _THE_REST.search(comparable(" ".join(said))) and not any(
            len(excluded_parts(comparable(sentence))) > 1 for sentence in said
        ):  # "Step 1: put the oedema in a label of its own. Step 2: segment the rest of the glioma."
            reason = "it asks for the rest of a finding and does not say what is left out; name the finding"
            return FindingMatch(description, None, None, 0.0, "", reason)
        requests, context_only = _requests_of(said, self._names_a_region, self._names_a_finding)
        readings = [self._match_pieces(text) for text in requests]
        if context_only and len(said) > 1 and readings[0].finding is None:  # "Caption: '...' Reproduce the outline."
            each = {s: self._match_pieces(s) for s in said}
            parted = any(each[s].finding is None and names_a_part(comparable(s)) for s in said)
            apart = [  # not the glioma only named beside a part unread: "Untreated GBM. Contour its (...) centre."
                each[s]
                for s in said
                if not _says_no_region(comparable(s)) and not (parted and _whole_only_named(s, each[s]))
            ]
            unread = [s for s in said if leaves_out(s) and each[s].finding is None]  # "..., not the lesion"
            if not unread and len({reading.finding for reading in apart if reading.finding is not None}) == 1:
                readings = [reading for reading in apart if reading.finding is not None]
        named = list(dict.fromkeys(str(reading.finding) for reading in readings if reading.finding is not None))
        if len(named) > 1 and len(readings) == len(requests):  # "Surgical target please, GBM. Want the core."
            which = [r for text, r in zip(requests, readings, strict=True) if not _whole_only_named(text, r)]
            if len({str(r.finding) for r in which if r.finding is not None}) == 1:
                readings = which
                named = [str(next(r.finding for r in which if r.finding is not None))]
        reading = next((r for r in readings if r.finding is not None), readings[0])
        if len(named) > 1:
            reason = f'its sentences ask for different findings ("{named[0]}", "{named[1]}"); ask for one'
            reading = FindingMatch(description, None, None, reading.similarity, reading.nearest, reason)
        kept = " , ".join(excluded_parts(folded(sentence))[0] for sentence in said)
        foreign = self._foreign_subject(kept, reading.family)  # "Known brain metastasis. Segment the oedema."
        if foreign:
            return replace(reading, description=description, finding=None, family=None, reason=foreign)
        largest = largest_size_mm(str(reading.finding))
        stated = stated_lengths_mm(" ".join(said)) if largest is not None else []
        if largest is not None and stated and max(stated) > largest:  # "Lung lesion in the RLL, 4.2 cm"
            reason = (
                f"it gives a size of {max(stated):g} mm: a {reading.finding} measures up to {largest:g} mm across, a "
                "larger lesion is a mass, which this model was not trained to find"
            )
            return replace(reading, description=description, finding=None, family=None, reason=reason)
        return replace(reading, description=description)

    def _concluded(self, sentence: str) -> str:
        """A sentence that concludes with "so" and a finding ("I want to know how much solid tumour sits outside the
        enhancing rim, so the non-enhancing tumour please") as that conclusion, where what comes before reads as no
        finding or the same one; else the sentence."""
        found = _SO_THEN.search(sentence)
        if found is None or not self._names_a_finding(sentence[found.end() :]):
            return sentence
        before, then = self._read(sentence[: found.start()]), self._read(sentence[found.end() :])
        same = then.finding is not None and before.finding in (None, then.finding)
        return sentence[found.end() :] if same else sentence

    def _context_then_request(self, sentence: str) -> list[str]:
        """A sentence that says which tumour, then asks with "and" ("Untreated glioblastoma, and I want the enhancing
        wall."), as two sentences: the first, which asks nothing and names the tumour only (or nothing), is context,
        not a region joined to what is asked. As it is where the request adds to it ("..., and I want the oedema
        too") or where the first names a part or a nodule."""
        found = _AND_THEN_ASKS.search(sentence)
        if found is None or _ADDED_TOO.search(sentence[found.end() :]):
            return [sentence]
        before, after = sentence[: found.start()], sentence[found.end() :]
        if asks(before) or not asks(after) or not self._names_a_finding(after):
            return [sentence]
        reading = self._read(before)
        if reading.finding is not None and not _whole_only_named(before, reading):
            return [sentence]
        return [before, after]

    def _without_other_matters(self, said: list[str]) -> list[str]:
        """The sentences of a description less those that speak of something else (:func:`dismisses`: an incidental
        finding not wanted, the patient's history, earlier imaging), where another sentence names a trained family's
        own disease or organ (:func:`anchored`: "untreated glioma", "the right upper lobe") and they neither ask nor
        name it or any finding or region of their own. Without such a sentence nothing is left out: "Known brain
        metastasis. Segment the oedema." stays the metastasis's oedema."""
        named = [anchored(sentence) for sentence in said]  # folded once a sentence: this runs on every request
        if len(said) < 2 or not any(named):
            return said
        after = [*said[1:], ""]
        return [
            sentence
            for sentence, following, anchor in zip(said, after, named, strict=True)
            if anchor
            or _PRONOUN_BACK.search(following)  # "Incidental meningioma: outline its oedema." speaks of the meningioma
            or not dismisses(sentence)
            or asks(sentence)
            or set(words(comparable(sentence))) & _PART_OR_NODULE
            or self._names_a_region(sentence)
            or self._assesses(self._read(sentence))
        ]

    def _contrasted(self, sentence: str) -> str:
        """A sentence that opens by saying what is not meant (:func:`opens_negated`), as what it means: what follows,
        where that names a finding of its own and each thing said not to be meant is understood and another ("Not the
        core, not the rim - the entire FLAIR region, everything": the whole tumour; "It isn't a mass, it's a 2 cm
        nodule"); what follows less what is not meant, where what follows only names the tumour, not all of it ("Not
        the oedema - the tumour itself": the core); else the sentence as it is."""
        opened = opens_negated(sentence)
        if opened is None:
            return sentence
        kept, out = opened
        reading = self._match_pieces(kept)
        whole = reading.finding == _WHOLE or reading.finding is None and _WHOLE in reading.candidates
        if whole and not set(words(comparable(kept))) & set(defining_words(_WHOLE)):  # names only the tumour
            regions = all(self._label_options(part, certain=True) is not None for part in out)
            return ", ".join([kept, *(f"not {part}" for part in out)]) if regions else sentence
        if reading.finding is None or self._foreign_subject(", ".join([kept, *out]), reading.family):
            return sentence
        for part in out:
            other = self._read(part)
            if other.finding == reading.finding:
                return sentence
            understood = (
                other.finding is not None
                or anatomy_only(part)
                or self._label_options(part, certain=True) is not None
                or self._names_no_finding(other)
                and other.similarity >= MIN_SIMILARITY
            )
            if not understood:
                return sentence
        return kept

    def _anomaly_at_a_place(self, text: str) -> str:
        """The part of the body where a folded text (its appearance words kept: "round lesion in the lung" says which)
        says only that something is wrong ("the chest abnormality", "something in the brain"): a part holds findings of
        many kinds (``finding_lexicon.anomaly_words``); "" where it says more, names no part, or says what a known
        phrasing of a trained finding says ("lesion in the lung": the training's "lung lesion", a nodule)."""
        asked = request_words().sub(" ", _MEASURED.sub(" ", text))  # "check the chest for anything abnormal"
        said = [word for word in words(asked) if not word.isdigit() and word not in _ANOMALY_FRAME]
        rest = [word for word in said if word not in vague_words()]  # in the order said: "white matter"
        if not (anomaly_words().intersection(said) and rest) or frozenset(said) in self._anomaly_phrasings:
            return ""
        return anatomy_only(" ".join(rest))

    @staticmethod
    def _assesses(reading: FindingMatch) -> bool:
        """Whether ``reading`` is of a finding this model assesses (not of a withheld family, such as an organ)."""
        return reading.finding is not None and reading.family is not None and not reading.family.withheld

    def _names_a_finding(self, text: str) -> bool:
        """Whether ``text`` names a finding, trained or not, or one of several ("Please segment it for me." does not;
        "Please segment the liver." does)."""
        reading = self._read(text)
        return reading.finding is not None or bool(reading.candidates) or reading.similarity >= MIN_SIMILARITY

    def _names_a_region(self, text: str) -> bool:
        """Whether ``text`` names a brain-tumour region (one finding, a join of them or a region word)."""
        return self._label_options(text, certain=True) is not None

    def _match_pieces(self, description: str) -> FindingMatch:
        """:meth:`match` of one sentence."""
        pieces = asides(description)
        if not pieces:
            whole = self._read(description)
            pieces = [] if whole.finding is not None else self._appositions(description)
            if not pieces:
                return self._without_context(description, whole)
        head = comparable(pieces[0])
        if len(pieces) > 1 and _only_leaves_out(pieces[0]) and not negated(head):  # "minus the oedema: all the tumour"
            pieces = [f"{pieces[1]}, {pieces[0]}", *pieces[2:]]
        left_out = [piece for piece in pieces[1:] if _only_leaves_out(piece)]
        if left_out:  # "non-enhancing tumour core (excl. necrosis)" leaves necrosis out of its head
            pieces = [", ".join([pieces[0], *left_out]), *(piece for piece in pieces[1:] if piece not in left_out)]
        pieces = [
            piece
            for index, piece in enumerate(pieces)
            if not (_names_only_the_tumour(piece) or anatomy_only(piece) or _says_which(piece) or _says_where(piece))
            and not (index and _ENCLOSED_BY.match(piece.strip()) and not negated(comparable(piece)))
        ] or pieces
        itself = " ".join(description.split())  # a piece that is the whole again is read, never split again
        every = [
            self._match_pieces(piece) if not asides(piece) and " ".join(piece.split()) != itself else self._read(piece)
            for piece in pieces
        ]
        if any(reading.finding is not None for reading in every[1:]):  # "..., with the tumour itself (...) subtracted"
            left_out = self._left_out_findings(pieces[0])
            kept = [0, *(i for i in range(1, len(pieces)) if every[i].finding not in left_out)]
            pieces, every = [pieces[i] for i in kept], [every[i] for i in kept]
        unsure = [reading for reading in every if reading.finding is None and reading.candidates]
        readings = [reading for reading in every if reading.finding is not None]
        readings = [reading for reading in readings if not self._foreign_subject(description, reading.family)]
        named = list(dict.fromkeys(str(reading.finding) for reading in readings))
        if unsure and named == [_WHOLE] and _WHOLE not in unsure[0].candidates:  # the whole never tells which part
            return replace(unsure[0], description=description)  # "the non-enhancing central area ..., where the tumour"
        unread = [piece for piece, reading in zip(pieces, every, strict=True) if reading.finding is None]
        part = next((piece for piece in unread if _names_a_part_alone(piece)), None)
        if named == [_WHOLE] and part is not None:  # "The bit that goes white on T1 post - ..., it's the glioma"
            reason = f'"{part.strip()}" names a part of the tumour, and the rest does not say which; name it'
            return FindingMatch(description, None, None, readings[0].similarity, readings[0].nearest, reason)
        listed = [  # "the tumour itself: enhancing part, dead centre ..., laeving out the swelling"
            (piece, unknown)
            for piece in (unread if named == [_WHOLE] else ())
            if piece != pieces[0] and names_a_part(comparable(piece))
            for unknown in unknown_words(piece, self._vocabulary, self._english)[:1]
        ]
        if listed:
            piece, unknown = listed[0]
            reason = f'"{piece.strip()}" names parts of the tumour with a word this model does not know ("{unknown}")'
            return FindingMatch(description, None, None, readings[0].similarity, readings[0].nearest, reason)
        if len(named) > 1:
            reason = f'its head and its aside name different findings ("{named[0]}", "{named[1]}"); name one'
            return FindingMatch(description, None, None, readings[0].similarity, readings[0].nearest, reason)
        told = self._told_by_asides(description, pieces, named)
        if told is not None:
            return told
        if named:
            return replace(readings[0], description=description)
        return self._read(pieces[0]) if len(pieces) == 1 else self._read(description)

    def _left_out_findings(self, head: str) -> set[str]:
        """The findings a head leaves out ("... with the tumour itself subtracted": the tumour core): an aside read as
        one of them only says what that part is."""
        parts = excluded_parts(comparable(head))
        if len(parts) < 2 or not parts[0]:
            return set()
        out = [piece for part in parts[1:] for piece in joined_parts(part)]
        return {_CORE if _names_only_the_tumour(piece) else str(self._match_whole(piece).finding) for piece in out}

    def _without_context(self, description: str, whole: FindingMatch) -> FindingMatch:
        """``whole`` (the reading of ``description``), or where it is not sure and a phrase set apart by commas only
        says in what the rest lies ("For this newly diagnosed glioblastoma, ... the FLAIR-hyperintense halo around the
        tumour"), the reading of the rest when that is closer: the tumour named apart pulls the whole towards itself."""
        if whole.finding is None or whole.similarity >= SAME_FINDING:
            return whole
        phrases = [phrase for phrase in re.split(r",", adjectives_joined(description)) if phrase.strip()]
        context = [phrase for phrase in phrases if _says_where(re.sub(r"^\s*(?:for|on)\s+", "in ", phrase))]
        if not context or len(context) == len(phrases):
            return whole
        rest = self._read(", ".join(phrase for phrase in phrases if phrase not in context))
        if rest.finding is not None and rest.similarity > whole.similarity:
            return replace(rest, description=description)
        return whole

    def _appositions(self, description: str) -> list[str]:
        """The phrases of a description set apart by commas or dashes that ask for a finding, where the others
        neither ask nor leave anything out ("in this glioblastoma the middle looks dark with a bright ring around it
        - can you segment that dark middle?"); else all its phrases, where it joins nothing and leaves nothing out
        ("the bright bit on the scan, just the tumour that takes up the dye"); else none."""
        pieces = [
            piece for piece in re.split(r",|\s+[-\u2013\u2014]+\s+", adjectives_joined(description)) if piece.strip()
        ]
        asking = [
            piece
            for piece in pieces
            if asks(piece) and not _RELATIVE.match(piece) and self._read(piece).finding is not None
        ]
        others = [piece for piece in pieces if piece not in asking]
        if asking and others and not any(leaves_out(piece) or _ADDS.match(piece) for piece in others):
            if self._adds_to(asking, others):  # "the enhancing rim, and I want the necrosis": both
                return []
            return asking  # "enhancing lesion, liver, segment 7" asks for no finding
        if JOINED.search(comparable(description)) or leaves_out(description):
            return []
        return pieces if len(pieces) > 1 else []

    def _adds_to(self, asking: list[str], others: list[str]) -> bool:
        """Whether the pieces that ask add to a part named in another ("the enhancing rim, and I want the necrosis
        (too)"): one opens with "and" or says "too", and another names a part of the tumour, not only the tumour."""
        if not any(re.match(r"\s*(?:and|&)\s", piece) or _ADDED_TOO.search(piece) for piece in asking):
            return False
        readings = [(piece, self._read(piece)) for piece in others]
        return any(reading.finding is not None and not _whole_only_named(piece, reading) for piece, reading in readings)

    def _told_by_asides(self, description: str, pieces: list[str], named: list[str]) -> FindingMatch | None:
        """What a head and its asides mean together, where a piece that is no one finding says something of the
        region: the one finding ``named`` when every such piece names a part of it or all of it ("tumour core
        (enhancing and necrotic parts)"), refused when one names more ("tumour core (necrosis and oedema)") or when
        the head could mean several findings but not it ("non-enhancing tumour core (ET)"); a region word may name a
        region that holds it ("non-enhancing tumour (solid)": the solid tumour is what it is); of a head that could mean
        several, the one finding the pieces' regions are, or hold ("non-enhancing tumour core (solid, not oedema)").
        None when no piece says more than ``named``."""
        unnamed = [(piece, self._read(piece)) for piece in pieces]
        unnamed = [(piece, reading) for piece, reading in unnamed if reading.finding is None]
        head = [set(reading.candidates) for piece, reading in unnamed if piece == pieces[0] and reading.candidates]
        regions = [
            (piece, options)
            for piece, reading in unnamed
            if not reading.candidates and (options := self._label_options(piece, certain=True)) is not None
        ]
        if named:
            finding = named[0]
            for piece, options in regions if finding in _LABELS else ():
                kept = excluded_parts(comparable(piece))[0]  # "(solid, not necrosis)": what it is like
                described = self._region_word_reading(kept) is not None
                if not any(
                    labels <= _LABELS[finding] or described and _LABELS[finding] <= labels for labels in options
                ):
                    reason = f'"{piece.strip()}" names a region outside "{finding}"; name one finding'
                    return FindingMatch(description, None, None, 0.0, "", reason)
            for piece, _ in unnamed if finding in _LABELS else ():  # "(necrosis, ..., and edema, all merged)"
                outside = [
                    part
                    for part, labels in self._regions_named(piece)
                    if not labels <= _LABELS[finding]
                    and not (self._region_word_reading(part) is not None and _LABELS[finding] <= labels)  # "(solid)"
                ]
                if piece != pieces[0] and outside and not _only_leaves_out(piece):
                    reason = f'"{outside[0]}" names a region outside "{finding}"; name one finding'
                    return FindingMatch(description, None, None, 0.0, "", reason)
            if head and finding not in head[0]:
                said = " or ".join(f'"{c}"' for c in sorted(head[0]))
                reason = f'its words could mean {said}, but its aside names "{finding}"; name one finding'
                return FindingMatch(description, None, None, 0.0, "", reason)
            return None
        if not head or not regions:
            return None
        possible = head[0]
        for fits in (frozenset.__eq__, frozenset.__le__):
            told = {c for c in possible if all(any(fits(_LABELS[c], r) for r in options) for _, options in regions)}
            if len(told) == 1:
                finding = told.pop()
                return FindingMatch(description, finding, self.scope.family_of(finding), 1.0, finding)
        return None

    def _regions_named(self, piece: str) -> list[tuple[str, frozenset[int]]]:
        """The joined parts of a piece (none left out) read as one brain-tumour region each, with its labels; parts
        read as none are passed over."""
        compared = comparable(piece)
        if len(excluded_parts(compared)) > 1:
            return []
        named = [(part, self._label_options(part, certain=True)) for part in joined_parts(compared)]
        return [(part, options[0]) for part, options in named if options is not None and len(options) == 1]

    def _read(self, description: str) -> FindingMatch:
        """:meth:`match` of a description without asides."""
        if negated(comparable(description)):  # "not oedema, not necrosis" says what is not meant
            return FindingMatch(description, None, None, 0.0, "", "it says what is not meant; name the finding")
        return (
            self._intersected_match(description)
            or self._excluding_match(description)
            or self._joined_match(description)
            or self._either_match(description)
            or self._match_whole(description)
        )

    def _either_match(self, description: str) -> FindingMatch | None:
        """A refusal where "or" offers different things ("the glioma or its oedema", "the necrosis or the enhancing
        rim"): read whole, one of them would be taken for the other; None where it offers one thing in two words ("the
        oedema or swelling") or a side is no finding."""
        sides = re.split(r"\s+or\s+", comparable(description))
        if len(sides) < 2:
            return None
        read = []
        for side in sides:
            if _names_only_the_tumour(side):
                read.append("the tumour")
                continue
            options = self._label_options(side, certain=True)
            finding = (
                self._finding_with(options[0]) if options and len(options) == 1 else self._match_whole(side).finding
            )
            named = words(side)
            if finding is None and named and named[-1] in tumour_nouns():  # "every voxel belongig to the glioma"
                finding = "the tumour"
            if finding is None:
                return None
            read.append(finding)
        if len(set(read)) < 2:
            return None
        reason = (
            f'it offers "{sides[0].strip()}" or "{sides[1].strip()}", which are not one finding; name the one meant'
        )
        return FindingMatch(description, None, None, 0.0, "", reason)

    def _intersected_match(self, description: str) -> FindingMatch | None:
        """Brain-tumour regions intersected ("the tumour core \u2229 the voxels that enhance", as
        :func:`spelled_sets` writes an intersection) mean the finding whose labels are what all their meanings share;
        refused where that is no one finding; None where fewer than two of the intersected parts name a brain-tumour
        region (the others say where or of what size: "nodule \u2229 lung parenchyma" is read whole)."""
        if "\u2229" not in description:
            return None
        parts = [part for part in description.split("\u2229") if part.strip()]
        options = [(part, self._label_options(part, certain=True)) for part in parts]
        regions = [found for _, found in options if found is not None]
        if len(regions) < 2:
            return None
        if len(regions) < len(parts):
            outside = next(part for part, found in options if found is None)
            reason = f'it intersects "{outside.strip()}", which is no region of a brain tumour; name the finding'
            return FindingMatch(description, None, None, 0.0, "", reason)
        shared = list(dict.fromkeys(frozenset.intersection(*labels) for labels in itertools.product(*regions)))
        reason = "the regions it intersects share no one trained finding; name the finding"
        return self._region_with_labels(description, [labels for labels in shared if labels] or shared, reason)

    def _excluding_match(self, description: str) -> FindingMatch | None:
        """A finding set against another thing ("the whole tumour rather than a single sub-region", "the nodule, as
        opposed to the lung fields") where it names its own finding by its words (:data:`_CONTRASTED`); else a
        brain-tumour region with others left out ("tumour core without the surrounding oedema", "whole tumour
        excluding oedema", "the tumour, oedema not included", "non-enhancing tumour core, not necrosis, not oedema")
        means the region whose labels are the first's less the others' (the tumour core), when each part is read as
        one region, a join of them or a region word ("solid"); where the first could mean several findings, the one
        finding all of its meanings leave ("the main tumour body without the oedema": the core, whether the body is
        the whole tumour or its core); a difference no trained finding is ("whole tumour excluding necrosis") is
        refused; leaving out all of the first leaves it whole ("oedema around the glioma, not including the tumour
        itself" is the oedema); None when the description leaves nothing out, or a part left out is no brain-tumour
        region ("nodule without calcification" is read whole)."""
        parts = excluded_parts(comparable(description))
        if len(parts) < 2:
            return None
        if not parts[0]:
            return FindingMatch(description, None, None, 0.0, "", "it only says what is left out; name the finding")
        if len(parts) == 2 and _CONTRASTED.search(comparable(description)):  # "the whole tumour, as opposed to ..."
            meant = self._read(parts[0])
            if (
                meant.finding is not None
                and meant.finding != self._read(parts[1]).finding
                and (meant.finding not in _LABELS or set(words(parts[0])) & _own_words(meant.finding))
                and not self._foreign_subject(description, meant.family)  # "rather than the resection cavity"
            ):
                return replace(meant, description=description)
        left_out = [piece for part in parts[1:] for piece in joined_parts(part) if not self._outside_findings(piece)]
        if not left_out:  # "nodule, not the adjacent vessels": nothing a finding holds is left out
            return self._read(parts[0])
        parts = [parts[0], *left_out]
        remaining = self._left_out_options(parts)
        if isinstance(remaining, list):
            reason = f'it names "{parts[0]}" without "{parts[1]}", which no one trained finding is; ask for one'
            return self._region_with_labels(description, remaining, reason)
        return None if remaining is None else FindingMatch(description, None, None, 0.0, "", remaining)

    def _outside_findings(self, piece: str) -> bool:
        """Whether a part left out is no part of any finding: normal anatomy ("the adjacent vessels", "the chest
        wall") or a finding this model was not trained on ("unrelated white matter lesions")."""
        if anatomy_only(piece):
            return True
        if self._label_options(piece, certain=True) is not None:  # "not solid tumour": a region word's part
            return False
        reading = self._match_whole(piece)
        untrained = reading.finding is None and not reading.candidates and self._nearest_finding(reading) is None
        return untrained and reading.similarity >= MIN_SIMILARITY

    def _left_out_options(self, parts: list[str]) -> list[frozenset[int]] | str | None:
        """The expert labels a region with others left out may mean (``parts``: the region, then what is left out;
        see :meth:`_excluding_match`), or why it is refused, or None when a part left out is no brain-tumour region
        (it is read whole). The tumour left out ("FLAIR signal around the glioma which is not tumour") is the tumour
        proper: its core ("the tumour, not the tumour itself" and "everything except the tumour" say nothing); what
        only looks some way less the tumour proper is what surrounds it ("the hazy white signal, not the tumour")."""
        looks = len(parts) == 2 and _says_only_how_it_looks(parts[0])  # "the hazy white signal, not the tumour"
        itself = not (_names_only_the_tumour(parts[0]) or _says_no_region(parts[0]))
        itself = looks or itself and self._label_options(parts[0], certain=True) is not None
        left_out = [
            [_LABELS[_CORE]] if itself and _names_only_the_tumour(part) else self._label_options(part, True)
            for part in parts[1:]
        ]
        if any(options is None for options in left_out):
            if len(parts) > 2 and any(options is not None for options in left_out):
                return f'it leaves {len(parts) - 1} parts out of "{parts[0]}"; name the finding'
            vague = [part for part in parts[1:] if _says_nothing_of_which(comparable(part))]
            if vague:  # "the swelling measured, not the lesion": which part is left out is not said
                return f'it leaves out "{vague[0]}", which does not say which part; name the finding'
            unread = [part for part, options in zip(parts[1:], left_out, strict=True) if options is None]
            family = self.scope.family_of(_WHOLE) if _WHOLE in self.scope.findings else None
            if family is not None and any(self._named_findings(part, family) for part in unread):  # "the t2-bright ..."
                return f'it leaves out "{unread[0]}", which is read as no one part of the tumour; name the finding'
            return None  # read whole
        kept = self._label_options(parts[0])
        if kept is None and looks and left_out[0] == [_LABELS[_CORE]]:
            kept = [_LABELS[_WHOLE]]  # what only looks some way, less the tumour proper: what surrounds it
        if kept is None:  # read whole, it would be pulled towards what it leaves out
            return f'it leaves "{parts[1]}" out of "{parts[0]}", which is no one trained finding; name the finding'
        removed = [frozenset().union(*combination) for combination in itertools.product(*left_out)]  # type: ignore[arg-type]
        remaining = list(dict.fromkeys(labels - out for labels in kept for out in removed if labels - out))
        if len(kept) > 1:  # of the meanings of a region that could mean several, one that leaves no finding is not it
            remaining = [labels for labels in remaining if self._finding_with(labels)]
        if remaining:
            return remaining
        if any(labels in removed for labels in kept):  # "the tumour, not the tumour itself" says nothing
            return f'it leaves "{parts[1]}" out of "{parts[0]}", which leaves nothing; name the finding'
        return kept  # "the oedema around the glioma, not the tumour itself": the oedema is no part of the tumour

    def _label_options(self, part: str, certain: bool = False) -> list[frozenset[int]] | None:
        """The expert labels ``part`` may mean as a brain-tumour region: one set where it is read as one finding or
        by a region word, one per finding where it could mean several, the unions of its pieces' where it joins
        them, the differences where it leaves some out, and (unless ``certain``) every finding's where it is read as
        none but is nearest a brain-tumour finding; None where it is no brain-tumour region."""
        compared = comparable(part)
        left_out = excluded_parts(compared)
        if len(left_out) > 1:
            remaining = self._left_out_options(left_out)
            return remaining if isinstance(remaining, list) else None
        joined = joined_parts(compared)
        pieces = [piece for piece in joined if not _says_where(piece)] or joined
        options = [self._piece_label_options(piece, certain) for piece in pieces]
        if not pieces or any(option is None for option in options):
            return None
        unions = (frozenset().union(*combination) for combination in itertools.product(*options))  # type: ignore[arg-type]
        return list(dict.fromkeys(unions))

    def _piece_label_options(self, piece: str, certain: bool) -> list[frozenset[int]] | None:
        """:meth:`_label_options` of a part that joins nothing; one that names no region but says "the whole" of it
        is the whole tumour ("the whole thing including the oedema", "everything except the oedema"); one whose
        phrases set apart by commas each name one region is that region ("the necrosis, the dark area within the
        rim")."""
        said = set(words(comparable(piece)))
        if _says_no_region(piece) and said & (set(defining_words(_WHOLE)) - {"all"}):  # not "necrosis and all"
            return [_LABELS[_WHOLE]]
        region = self._region_word_reading(comparable(piece))
        if region is not None:
            return [region[0]]
        match = self._match_whole(piece)
        if match.finding is not None:
            return [_LABELS[match.finding]] if match.finding in _LABELS else None
        if "," in piece:  # "the necrosis, the dark area within the rim": one region named twice
            named = {self._match_whole(side.strip()).finding for side in piece.split(",") if side.strip()}
            if len(named) == 1 and named <= set(_LABELS):
                return [_LABELS[str(named.pop())]]
        if match.candidates:
            return [_LABELS[finding] for finding in match.candidates if finding in _LABELS] or None
        if certain or self._nearest_finding(match) not in _LABELS:
            return None
        return self._every_region()

    def _every_region(self) -> list[frozenset[int]]:
        """The expert labels of every declared brain-tumour finding: what a region unsure among them may be."""
        return [_LABELS[finding] for finding in self.scope.findings if finding in _LABELS]

    def _region_with_labels(self, description: str, options: list[frozenset[int]], reason: str) -> FindingMatch:
        """The declared brain-tumour finding whose expert labels are every one of ``options``; refused with
        ``reason`` when there is none, unless the whole description is a trained phrasing."""
        findings = {self._finding_with(labels) for labels in options}
        if len(findings) == 1 and None not in findings:
            finding = str(findings.pop())
            return FindingMatch(description, finding, self.scope.family_of(finding), 1.0, finding)
        whole = self._match_whole(description)
        if whole.finding is not None and whole.similarity >= SAME_FINDING:
            return whole  # a trained phrasing that joins ("enhancing tumour and necrosis", a tumour core phrasing)
        return FindingMatch(description, None, None, whole.similarity, whole.nearest, reason)

    def _finding_with(self, labels: frozenset[int]) -> str | None:
        """The declared brain-tumour finding whose expert labels are ``labels`` (None when none is)."""
        found = [finding for finding in self.scope.findings if _LABELS.get(finding) == labels]
        return found[0] if len(found) == 1 else None

    def _region_word_reading(self, text: str, strict: bool = False) -> tuple[frozenset[int], str] | None:
        """The expert labels of a compared text that joins nothing and names a part of a brain tumour by a region
        word (``finding_lexicon.region_words``), and the word: the part alone where the rest only names the tumour
        ("the solid part of the glioma", "all solid tumor": the enhancing and non-enhancing tumour), the part within
        the finding the rest names where a finding is that ("solid enhancing tissue": the enhancing tumour), else
        that finding ("solid tumor core": the core); where ``strict``, no labels where that finding lies outside the
        part ("solid necrosis"); None when it names no region word, or the rest is no brain-tumour finding ("solid
        nodule"), or lies outside the part and not ``strict``."""
        found = [word for word in words(text) if word in region_words()]
        if not found or JOINED.search(text) or len(excluded_parts(text)) > 1:
            return None
        word = found[0]
        region = frozenset().union(*(_LABELS[finding] for finding in region_words()[word] if finding in _LABELS))
        rest = re.sub(rf"(?<![a-z0-9-]){re.escape(word)}(?![a-z0-9-])", " ", text)  # as ``words`` splits
        if set(words(rest)) <= tumour_words() | PART_WORDS | {"of", "all", "any"}:
            return region, word
        match = self._match_whole(rest)
        if match.finding not in _LABELS:
            return None
        labels = _LABELS[match.finding]
        if not labels & region:  # "the solid core inside the enhancing rim": solid, and the necrosis
            return (frozenset(), word) if strict and "," not in text else None  # one phrase, no list
        return (labels & region if match.finding == _WHOLE or self._finding_with(labels & region) else labels), word

    def _joined_match(self, description: str) -> FindingMatch | None:
        """Brain-tumour regions joined ("tumour plus surrounding oedema"; "enhancing, necrotic and non-enhancing
        parts"; "solid and necrotic tumour") mean the region whose labels are the union of theirs (whole tumour =
        core and oedema), when each part alone is read as one or by a region word; regions whose union no trained
        finding is ("necrosis and oedema"), and a part that is no trained finding joined to one ("the whole lesion
        with its oedema"), are refused, unless the whole description is a trained phrasing; None when the
        description does not join parts, or joins findings of other families."""
        compared = comparable(description)
        related, join = RELATION.search(compared), JOINED.search(compared)
        if related and join and related.start() < join.start() and "," not in compared[related.end() :]:
            if self._match_whole(compared[: related.start()]).finding in _LABELS:  # "oedema surrounding A and B"
                return None
        parts = [
            part
            for part in joined_parts(compared)
            if not (_says_where(part) or _placed_apart(part, compared) or _its_own_nothing(part))
        ]
        if len(parts) < 2:
            return None
        parts = [piece for part in parts for piece in self._listed_apart(part)]
        options = [self._piece_label_options(part, certain=True) for part in parts]
        matches = [self._match_whole(part) for part in parts]
        unread = [
            part
            for part, option, m in zip(parts, options, matches, strict=True)
            if option is None and self._names_no_finding(m) and not _says_no_region(part)
        ]
        if unread:  # the whole may still read as a finding, but only by the part that is one
            whole = self._match_whole(description)
            if whole.finding is None or whole.similarity >= SAME_FINDING:
                return whole
            reason = f'it joins "{unread[0]}", which is no finding this model was trained on, to another; name one'
            return FindingMatch(description, None, None, whole.similarity, whole.nearest, reason)
        read = [option for option in options if option is not None]
        unsure = [
            self._every_region() if _says_no_region(part) else self._piece_label_options(part, certain=False)
            for part, option in zip(parts, options, strict=True)
            if option is None
        ]
        if not read or any(option is None for option in unsure):
            return None
        unions = list(dict.fromkeys(frozenset().union(*c) for c in itertools.product(*read, *unsure)))  # type: ignore[arg-type]
        if unsure and len(unions) > 1:  # a region unsure among the sub-regions adds an unknown part
            first = next(m for o, m in zip(options, matches, strict=True) if o is None)
            return FindingMatch(description, None, None, first.similarity, first.nearest, first.reason)
        named = list(dict.fromkeys(m.finding or part for part, m in zip(parts, matches, strict=True)))
        listed = ", ".join(f'"{finding}"' for finding in named[:-1]) + f' and "{named[-1]}"'
        reason = f"it names {listed} together, which no one trained finding covers; ask for each"
        return self._region_with_labels(description, unions, reason)

    def _listed_apart(self, part: str) -> list[str]:
        """A joined part that lists regions without commas, each with its article ("the enhancing rim the necrosis the
        non-enhancing part", as dictated), as its regions, where each is read as one; else the part."""
        listed = [piece for piece in re.split(r"\s+(?=the\s)", part) if piece.strip()]
        if len(listed) < 2 or self._match_whole(part).finding is not None:
            return [part]
        read = [self._piece_label_options(piece, certain=True) for piece in listed]
        return listed if all(options is not None and len(options) == 1 for options in read) else [part]

    def _head_reading(self, description: str, family: FindingFamily) -> tuple[str | None, bool]:
        """The finding of ``family`` the description's head alone is read as: its words before the first word of
        place ("FLAIR hyperintensity | surrounding the tumour core" is the oedema, "the necrotic centre | within the
        enhancing rim" the necrosis), or after it when the words before only say "a part" ("the area | of necrosis |
        in the middle of the glioma"); what a landmark encloses or what surrounds it, where the head only says that
        it lies inside or how it looks around it ("the dark hole | in | the middle | of | the ring", "the hazy white
        stuff | around | the glioma"), ``_OUTSIDE`` where nothing of ``family`` surrounds the landmark ("the bright
        halo | around | the nodule"); None when it has no such word or its head is read as no finding of ``family``
        (a finding of another family is never taken from the head: "nodule | in the liver" is no lung nodule). With
        it, whether the finding was told by where the head lies rather than by its words."""
        compared = comparable(description)
        segments, places = place_segments(compared), place_words(compared)
        ringing = _RINGS.match(compared)
        if ringing:  # "the fluid-like centre | that | the rim enhancement encloses": inside the rim, whatever it is
            enclosed = self._enclosed(ringing["part"], ringing["ring"], family, False)
            if enclosed is not None:
                return enclosed, True
        if len(segments) < 2:
            return None, False
        walked = False
        for index, (segment, place, landmark) in enumerate(zip(segments, places, segments[1:], strict=False)):
            said = set(words(segment))
            loose = place in _INSIDE and not said & _tumour_or_region_words()  # no "solid", "tumour"
            centre = _CENTRE_WORDS | ({"core"} if loose and self._inside_the_core(landmark) else set())
            inner = said <= PART_WORDS | _INNER_WORDS | _ANY_THING or bool(said & centre)  # "the stuff | in"
            inner = inner or place in _INSIDE and self._unlike_its_ring(said, landmark)  # read the ring only then
            if inner and (place in _INSIDE or place == "of" and said & _CENTRE_WORDS):
                rings = [landmark]  # "the dark hole | in | the middle | of | the ring": the middle is no ring
                if set(words(landmark)) <= PART_WORDS | _CENTRE_WORDS and index + 2 < len(segments):
                    rings.append(segments[index + 2])
                for ring in rings:
                    enclosed = self._enclosed(segment, ring.split(",")[0], family, place == "of")
                    if enclosed is not None:  # "the middle | encircled by | the enhancing wall"
                        return enclosed, True
            if place in _AROUND and (
                _says_only_how_it_looks_or_that_it_is(segment)
                or _says_only_its_signal(segment)
                and not set(words(segment)) & (set(defining_words(_WHOLE)) | tumour_nouns())  # "the entire abnormality"
            ):  # "the hazy white stuff | around |"
                return self._surrounding(landmark.split(",")[0], family), True
            if place in _AROUND and anatomy_only(segment):  # "the lung parenchyma | around | the nodule"
                return _OUTSIDE, False
            if (
                place in _INSIDE
                and _names_only_the_tumour(segment)
                and _ENCLOSES.get(str(self._match_whole(landmark.split(",")[0]).finding)) == _CORE
            ):  # "the tumour | inside | the oedema": the tumour the oedema rings is its core, not the oedema
                return _CORE, True
            if said <= PART_WORDS or _names_only_the_tumour(segment):
                walked = True  # "the area", "the middle", "the tumour": the finding is named after it
                continue
            if place == "of" and _says_only_its_signal(segment) and _names_only_the_tumour(landmark.split(",")[0]):
                return _WHOLE, False  # "the flair hyperintensity | of | the glioma": all of it on FLAIR (BraTS's WT)
            match = self._match_whole(segment)
            around = next((at for at in range(index, len(places)) if places[at] in _AROUND), None)
            content = set(words(segment)) - PART_WORDS - _CLOSED_CLASS
            if (
                around is not None
                and content
                and all(self._names_no_finding(self._match_whole(said)) for said in segments[index : around + 1])
            ):  # what lies around the landmark names nothing this model knows
                inner = self._match_whole(segments[around + 1].split(",")[0]).finding
                if inner in family.findings:  # "the crown of flames | around | the necrosis": never the necrosis
                    return _AROUND_IT + inner, False
            if match.finding not in family.findings or (match.finding == _WHOLE and (walked or names_a_part(segment))):
                return None, False  # a part of the tumour is never the whole of it
            return match.finding, False
        return None, False

    def _inside_the_core(self, ring: str) -> bool:
        """Whether ``ring`` is read as a part of the tumour core, not all of it ("the enhancing wall"): a "core" it
        encloses is its centre, not the tumour core, which holds the ring itself."""
        ringed = self._match_whole(ring.split(",")[0]).finding
        return ringed in _LABELS and ringed != _CORE and _LABELS[ringed] <= _LABELS[_CORE]

    def _unlike_its_ring(self, said: set[str], ring: str) -> bool:
        """Whether a part's words only say that it does not do what the ring around it does, or looks as the ring does
        not ("the non-enhancing region | enclosed by | the enhancing wall", "the dark area | inside | the enhancing
        rim"): it is what the ring encloses, as a centre would be."""
        ringed = self._match_whole(ring.split(",")[0]).finding
        rest = said - PART_WORDS - _INNER_WORDS - {"tissue"}
        if not rest or ringed is None:
            return False
        looks = _LOOKS_UNLIKE.get(ringed, frozenset())
        if rest & looks:  # "t1c dark": the images it looks so on say no more
            rest -= {"t1", "t1c", "t1w", "on"}
        return rest <= {f"non-{word}" for word in defining_words(ringed)} | looks

    def _enclosed(self, part: str, ring: str, family: FindingFamily, of: bool) -> str | None:
        """The finding of ``family`` a part inside ``ring`` is ("the middle | encircled by | the enhancing wall": the
        necrotic core, as is "the non-enhancing centre | of | the ring": what does not do what the ring does, and is
        named no tissue; "the non-enhancing solid tissue | in the middle of | the ring": necrotic or not,
        ``_SEVERAL``), where ``ring`` is read as a finding of ``family``: what it encloses (``_ENCLOSES``), where the
        part names no finding outside it;
        ``_SEVERAL`` where the part names another, or names none and ``ring`` encloses none ("what lies inside the
        tumour core": which part is not said); None where ``ring`` is read as no finding of ``family`` (it only says
        where), or encloses none and the part names one ("central necrosis | of | the glioblastoma") or is made ``of``
        it ("the central area | of | coagulative necrosis")."""
        ringed = self._match_whole(ring).finding
        if ringed not in family.findings:
            return None
        said = set(words(comparable(part)))
        unlike = {f"non-{word}" for word in defining_words(str(ringed))}  # "the non-enhancing centre" of the ring
        solid = said & (_tumour_or_region_words() | {"tissue"})
        named = [
            finding
            for finding in self._named_findings(part, family)
            if (solid or not said & set(defining_words(finding)) <= unlike)
            and not (finding == _CORE and self._inside_the_core(ring))  # "the core | inside | the enhancing wall"
        ]
        enclosed = _ENCLOSES.get(str(ringed))
        if enclosed is None or enclosed not in family.findings:
            return None if named or of else _SEVERAL
        return enclosed if all(_LABELS[finding] <= _LABELS[enclosed] for finding in named) else _SEVERAL

    def _surrounding(self, landmark: str, family: FindingFamily) -> str | None:
        """The finding of ``family`` that surrounds ``landmark``: the innermost that encloses all of it (``_ENCLOSES``:
        the oedema surrounds the tumour core and each part of it, the enhancing rim the necrosis; the tumour named
        alone is its core, as the tumour left out of a region is); ``_OUTSIDE`` where ``landmark``
        is a finding of ``family`` that none surrounds ("the halo around the nodule" is no nodule); None where
        ``landmark`` is no finding of ``family``."""
        inner = _CORE if _names_only_the_tumour(landmark) else self._match_whole(landmark).finding
        if inner not in family.findings:
            return None
        if inner not in _LABELS:  # a finding no region rings: "the halo around the nodule"
            return _OUTSIDE
        around = [
            ring
            for ring, enclosed in sorted(_ENCLOSES.items(), key=lambda item: len(_LABELS[item[1]]))
            if ring in family.findings and _LABELS[inner] <= _LABELS[enclosed]
        ]
        return around[0] if around else _OUTSIDE

    def _told_by_place(self, description: str) -> str | None:
        """The finding a description is read as by where its head lies, inside or around a finding
        (:meth:`_head_reading`), whatever family that is, where its words are too far from every known phrasing to be
        read whole ("the dark hole in the middle of the ring", "the hazy white stuff around the glioma"); None where
        the place tells none."""
        for family in self.scope.families:
            told, by_place = self._head_reading(description, family)
            if by_place and told in family.findings:
                return told
        return None

    def _named_sibling(self, description: str, family: FindingFamily) -> str | None:
        """The one finding of ``family`` whose defining words (``finding_phrasings.json``) the description carries
        ("whole glioma region": whole tumour), or, when it carries several findings', the one whose own name carries
        them all ("necrotic core": the necrotic tumour core, not the tumour core); ``_SEVERAL`` when its words name
        several and no one finding carries them all ("non-enhancing tumour core"), None when they name none."""
        named = self._named_findings(description, family)
        if len(named) > 1:
            said = set(words(comparable(description)))
            carried = said & {word for finding in named for word in defining_words(finding)}
            fitting = [finding for finding in named if carried <= set(words(comparable(finding)))]
            return fitting[0] if len(fitting) == 1 else _SEVERAL
        return named[0] if named else None

    def _named_findings(self, description: str, family: FindingFamily) -> list[str]:
        """The findings of ``family`` whose defining words the description carries."""
        said = set(words(comparable(description)))
        return [finding for finding in family.findings if said & set(defining_words(finding))]

    def _misspelt_defining_word(self, description: str, family: FindingFamily) -> tuple[str, str] | None:
        """An unknown word of the description and the word that tells ``family``'s findings apart it is two or fewer
        typing errors from ("necrtiic core": "necrotic"), or None: such a word may decide the finding."""
        unknown = unknown_words(description, self._vocabulary, self._english)
        if not unknown:
            return None
        telling = {word for finding in family.findings for word in defining_words(finding) if len(word) >= 5}
        if "enhanc" not in comparable(description):  # "hyperintense after contrat": enhancing or not
            telling |= {word for word in contrast_words() if len(word) >= 5}
        for word in unknown:
            close = [known for known in sorted(telling) if known[0] == word[0] and edit_distance(word, known) <= 2]
            if close:
                return word, close[0]
        return None

    def _foreign_subject(self, description: str, family: FindingFamily | None) -> str:
        """Why ``description`` cannot mean a finding of ``family``: it names a part of the body or a disease none of
        the family's phrasings name, or a kind of scan the family was not trained in ("" when it names none)."""
        if family is None:
            return ""
        own = self._family_subjects[family.family_id]
        trained_in = [modality.value for modality in family.modalities]
        for word, (kind, subject) in subjects(description).items():
            if kind == "modalities":
                if subject in trained_in:
                    continue
                return (
                    f'it names "{word}": this model was trained to find {family.name} in {" or ".join(trained_in)} only'
                )
            if (kind, subject) in own:
                continue
            if kind == "parts":
                where = " or ".join(sorted(name for k, name in own if k == kind))
                return f'it names "{word}": this model was trained to find {family.name} in the {where} only'
            return f'it names "{word}": this model was trained to find {family.name}, not {subject}'
        return ""

    def _names_no_finding(self, match: FindingMatch) -> bool:
        """Whether a refused description is far from every trained finding or nearest an untrained one (not merely
        ambiguous between trained findings)."""
        if match.finding is not None or match.candidates:
            return False
        return match.similarity < MIN_SIMILARITY or self._nearest_finding(match) is None

    def _nearest_finding(self, match: FindingMatch) -> str | None:
        """The finding (None for an untrained one) of the known phrasing ``match`` was nearest."""
        index = self._index.get(match.nearest)
        return None if index is None else self._findings[index]

    def _match_whole(self, description: str) -> FindingMatch:
        """:meth:`match` of the description as one phrase (one reading per text, kept: a description is read in
        parts several times). A reading that met a phrase already being read around it is not kept: it depends on
        what was being read, and the same phrase read alone, or after other descriptions, must be read the same."""
        if description in self._read_whole:
            return self._read_whole[description]
        if description in self._reading:  # a reading that would need itself: refused, never a loop
            self._loops_met += 1
            return FindingMatch(description, None, None, 0.0, "", "it cannot be read as one finding; name one")
        if len(self._read_whole) > 4096:
            self._read_whole.clear()
        loops_met = self._loops_met
        self._reading.add(description)
        try:
            reading = self._match_one_phrase(description)
        finally:
            self._reading.discard(description)
        if self._loops_met == loops_met:
            self._read_whole[description] = reading
        return reading

    def _match_one_phrase(self, description: str) -> FindingMatch:
        """:meth:`_match_whole`, not kept."""
        compared = comparable(description)
        if not re.search(r"[^\W\d_]", compared):  # a piece left empty ("( )"); letters of any script are read by the
            # encoder, which says where it cannot read them
            return FindingMatch(description, None, None, 0.0, "", "it names no finding")
        if _says_nothing_of_which(compared) or _points_at_a_place_only(compared):  # "the lesion", "it in the chest"
            return FindingMatch(description, None, None, 0.0, "", "it does not say which finding; name it")
        place = self._anomaly_at_a_place(folded(description))
        if place:  # "the abnormality in the chest": a part of the body holds findings of many kinds
            reason = f"it says only that something is there in the {place}, not which finding; name it"
            return FindingMatch(description, None, None, 0.0, "", reason)
        region = self._region_word_reading(compared, strict=True)
        if region is not None:
            labels, word = region
            if not labels:
                reason = (
                    f'"{word}" and the rest of its words name parts of the tumour that do not overlap; name one finding'
                )
                return FindingMatch(description, None, None, 1.0, word, reason)
            finding = self._finding_with(labels)
            if finding is not None:
                return FindingMatch(description, finding, self.scope.family_of(finding), 1.0, finding)
            parts = " and ".join(f'"{f}"' for f in self.scope.findings if f in _LABELS and _LABELS[f] <= labels)
            reason = f'"{word}" names {parts} together, which no one trained finding covers; ask for each'
            return FindingMatch(description, None, None, 1.0, word, reason)
        quantified = _QUANTIFIED.match(compared)
        if quantified and quantified["thing"]:  # not "everything including the oedema"
            first = words(quantified["rest"])[:1]
            parts = {word for finding in self.scope.findings if finding != _WHOLE for word in defining_words(finding)}
            quantified = quantified if first and first[0] in parts else None
        if quantified:  # "all enhancing parts": the enhancing tumour, as its words say; "all of the tumour": whole
            reading = self._match_whole(quantified["rest"])
            family = self.scope.family_of(reading.finding) if reading.finding is not None else None
            if family is not None and reading.finding in self._named_findings(quantified["rest"], family):
                if reading.finding != _WHOLE:
                    return replace(reading, description=description)
        similarities = self._embeddings @ self.embed(description)
        if JOINED.search(compared) is None:  # "A and B" is as close to A alone as to B alone
            similarities = similarities.masked_fill(self._joined, -1.0)
        named_sides = sides(description)
        best_per_finding: dict[str | None, tuple[float, int]] = {}
        for index, (finding, value) in enumerate(zip(self._findings, similarities.tolist(), strict=True)):
            if finding is not None and named_sides and sides(finding) and not sides(finding) <= named_sides:
                continue  # the description names a side: a finding of the other side cannot be what it means
            if finding not in best_per_finding or value > best_per_finding[finding][0]:
                best_per_finding[finding] = (value, index)
        ranked = sorted(best_per_finding.items(), key=lambda item: -item[1][0])
        (top, (top_similarity, top_index)) = ranked[0]
        nearest = self._texts[top_index]

        def refused(reason: str) -> FindingMatch:
            return FindingMatch(description, None, None, top_similarity, nearest, reason)

        if top is None:
            return refused(f'it reads as "{nearest}", a finding this model was not trained to find')
        told = self._told_by_place(description) if top_similarity < MIN_SIMILARITY else None
        if top_similarity < MIN_SIMILARITY and told is None:
            unplaced = without_places(compared)
            if unplaced != " ".join(compared.split()):  # "what lights up on T1c in the left thalamic glioblastoma"
                reading = self._match_whole(unplaced)  # where it lies said at such length that it is all it says
                if reading.finding is not None and not self._foreign_subject(description, reading.family):
                    return replace(reading, description=description)
            return refused("it does not match any finding this model was trained on closely enough")
        if told is not None:  # "the dark hole in the middle of the ring": where it lies says what it is
            top, (top_similarity, top_index) = told, best_per_finding[told]
            nearest = self._texts[top_index]
        if still_negates(compared) and top_similarity < SAME_FINDING:
            return refused("it negates something in a way not understood; name the finding without a negation")
        family = self.scope.family_of(top)
        foreign = self._foreign_subject(description, family)
        if foreign:  # "nodule in the liver", "enhancing brain metastasis": another place or disease than the family's
            return refused(foreign)
        organ = anatomy_only(description)
        if organ and not anatomy_only(top):  # "the left lung" is no lung nodule; "the liver" is the liver
            return refused(f"it names the {organ} itself, not a finding in it; name the finding")
        unknown = [  # far from every known word: "collpsed" (not "nodue", two letters from "nodule")
            word
            for word in unknown_words(description, self._vocabulary, self._english)
            if not any(edit_distance(word, known) <= 2 for known in known_words_from(self._vocabulary, word[0]))
        ]
        if unknown:  # "the collpsed part of the lung": the unknown word is all it says of the finding
            rest = re.sub(rf"\b(?:{'|'.join(map(re.escape, unknown))})\b", " ", description, flags=re.IGNORECASE)
            if anatomy_only(rest) or _says_nothing_of_which(comparable(rest)):
                return refused(f'"{unknown[0]}" is no word this model knows and the rest names no finding; check it')
        siblings = [
            (value, finding)
            for finding, (value, _) in ranked[1:]
            if finding is not None and self.scope.family_of(finding) is family
        ]
        misspelt = self._misspelt_defining_word(description, family)
        if misspelt:
            return refused(f'"{misspelt[0]}" may misspell "{misspelt[1]}"; check its spelling')
        named, by_place = self._head_reading(description, family)
        if named == _OUTSIDE:
            return refused(f"it names what lies around a {family.name}, not the finding itself; name the finding")
        if named is not None and named.startswith(_AROUND_IT):
            inner, named = named.removeprefix(_AROUND_IT), None
            if top == inner:
                return refused(f"it names something around the {inner}, which is not the {inner} itself; name it")
        named = named or self._named_sibling(description, family)
        if named == _SEVERAL and (top_similarity < SAME_FINDING or by_place):  # "... tissue | inside | the rim"
            return replace(
                refused(f"its words name more than one of {family.name}; name one of them"),
                candidates=tuple(self._named_findings(description, family)),
            )
        named = None if named == _SEVERAL else named
        close = [finding for value, finding in siblings if top_similarity - value < MIN_MARGIN_IN_FAMILY]
        if named is None and close:
            reason = f'it could mean "{top}" or "{close[0]}"; name one of them'
            return replace(refused(reason), candidates=(top, *close))
        largest = largest_size_mm(str(top))
        stated = stated_lengths_mm(description) if largest is not None else []  # only a nodule has a largest size
        fits = largest is not None and bool(stated) and max(stated) <= largest  # "about 4 mm": no mass
        rivals = [
            (value, self._texts[index], finding)
            for finding, (value, index) in ranked[1:]
            if (finding is None or self.scope.family_of(finding) is not family)
            and not (fits and set(words(self._texts[index])) & larger_named(str(top)))
        ]
        if rivals and top_similarity - rivals[0][0] < MIN_MARGIN and told is None and not by_place:
            return refused(f'it could mean "{top}" or "{rivals[0][1]}"; it is not clear which')
        if named is not None:  # the encoder says which family; the words say which of its findings
            top, (top_similarity, top_index) = named, best_per_finding[named]
            nearest = self._texts[top_index]
        return FindingMatch(description, top, family, top_similarity, nearest)


def _own_words(finding: str) -> set[str]:
    """The words that name ``finding`` by itself (its defining words, not those that only say "all of": "everything
    that is tumour rather than swelling" names no whole)."""
    return set(defining_words(finding)) - _ALL_OF - {"everything"}


_CONTRASTED = re.compile(r"\b(?:instead of|rather than|as opposed to)\b")
"""Words that set what is meant against another thing ("the whole tumour rather than any one sub-region"): where
what is meant names its finding by its own words, that is the finding, whatever the other thing is."""
_QUANTIFIED = re.compile(
    r"^(?:(?:all|any|every|each)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+)?|(?P<thing>everything|anything)\s+)"
    r"(?P<rest>\S.*)$"
)
"""A description that says "all of" something ("everything" only of what a word of one part says: "everything
enhancing"): it means that something."""


def _only_leaves_out(text: str) -> bool:
    """Whether ``text`` only says what is left out or not meant ("excl. necrosis", "not oedema, not necrosis")."""
    compared = comparable(text)
    parts = excluded_parts(compared)
    return negated(compared) or (len(parts) > 1 and not parts[0])


def _anatomy_asked_for(said: list[str]) -> str:
    """The part of the body (or "structures") a phrase of a description's sentences asks for where that phrase names
    normal anatomy and nothing else ("please segment the whole normal brain", "contour the lateral ventricles"),
    whatever the other phrases name (a glioma named beside it is the patient's, not what is asked); "" where none."""
    for sentence in said:
        for phrase in re.split(r"[,;:]|\s[-\u2013\u2014]+\s", sentence):
            lowered = folded(phrase)
            asked = request_words().search(lowered)
            if asked is None or not set(words(lowered[: asked.start()])) <= _BEFORE_THE_VERB:
                continue
            if set(words(lowered[asked.end() :])) & _POINTING_BACK:  # "Outline that wall.", "delineate it on the MRI"
                continue
            organ = "" if leaves_out(phrase) else anatomy_only(without_the_studies(phrase))  # not "brain MRI"
            if organ:
                return organ
    return ""


_BEFORE_THE_VERB = frozenset(
    "please pls kindly can could would you we i also just now then first and to want need like d id be able".split()
)
"""Words that may open a request before its verb ("could you please outline ...")."""


def _requests_of(
    said: list[str], names_a_region: Callable[[str], bool], names_a_finding: Callable[[str], bool]
) -> tuple[list[str], bool]:
    """The requests of a description's sentences, each read on its own: every sentence that asks ("please contour
    ...", "how big is ...") with the sentences after it that leave something out ("Segment the tumour. Leave out the
    oedema.") or include a part ``names_a_region`` says is a region ("Segment the core. The oedema must be included
    too."), the context before them dropped; all the sentences as one where none asks, or the ones that ask only
    name no finding (``names_a_finding``: "Spiculated nodule in the left upper lobe. Please segment it. I want its
    doubling time."), a sentence that includes a region joined to those before it; and whether they are that
    context, read whole (no sentence asks for a finding)."""
    added = [
        included_part(sentence) if index and names_a_region(included_part(sentence) or "") else None
        for index, sentence in enumerate(said)
    ]
    asking = [  # not "We want each glioma subregion separately." beside "Give me the non-enhancing tumour."
        index
        for index, sentence in enumerate(said)
        if asks(sentence) and not _says_no_region(excluded_parts(comparable(sentence))[0]) and not added[index]
    ]
    pointing = [  # "Probable GBM with a non-enhancing solid portion. Contour that part only."
        index
        for index, sentence in enumerate(said)
        if index and asks(sentence) and _POINTS_BACK.search(sentence) and not names_a_finding(sentence)
    ]
    for index in pointing:
        parts = [part for part in joined_parts(comparable(said[index - 1])) if names_a_finding(part)]
        if len(parts) > 1 and not set(words(parts[0])) & (_WHOLE_OF | volume_words()):  # not "The whole extent,
            return [f"{said[index]}, {parts[-1]}"], False  # comprising the tumour and its oedema. Produce this region."
    if len(said) > 1:  # "Quiz: where is the air in this pneumothorax? Outline it on the chest CT."
        asking = [
            index
            for index in asking
            if names_a_finding(said[index]) and not (index and _points_back_to_the_tumour(said[index]))
        ]
    drawing = [index for index in asking if not _LOCATING.match(said[index])]
    asking = drawing or asking  # "Find the glioma. Outline its core.": finding it is the way to the request
    if len(said) < 2 or not asking:
        joined = (
            f"including {part}" if part else sentence.strip(" ,")
            for index, (sentence, part) in enumerate(zip(said, added, strict=True))
            if not (index and _only_points_back(sentence, names_a_finding))  # "... Please segment that region here."
        )
        return [", ".join(joined)], True
    requests: list[list[str]] = []
    first = min(asking)
    before = [sentence for sentence in said[:first] if _only_leaves_out(sentence)]  # "Step 1: ignore the oedema."
    for index, sentence in enumerate(said):
        if index in asking:
            requests.append([sentence, *(before if index == first else [])])
        elif requests and added[index]:
            requests[-1].insert(1, f"including {added[index]}")  # before what is left out: "X, including Y, without Z"
        elif requests and leaves_out(sentence):
            requests[-1].append(sentence)
    return [", ".join(sentence.strip(" ,") for sentence in request) for request in requests], False


_THE_REST = re.compile(r"\b(?:the rest|the remainder|everything else|all else)\b")
"""What is left of a region once something is taken away: read only where what is taken away is said."""
_ADDS = re.compile(r"^\s*(?:and\s+)?(?:then\s+)?(?:add|adding|plus|with|including|also|as well as)\b", re.IGNORECASE)
"""A phrase that adds to the one before it (", add the necrotic core"): no apposition."""
_LOCATING = re.compile(
    r"^\W*(?:first\s+|please\s+)?(?:find|identify|locate|detect|look at|look for|go to|open|review|confirm|check|pull"
    r" up|load)\b",
    re.IGNORECASE,
)
"""A sentence that asks to find what is then to be drawn ("Find the glioma on the post-contrast T1."): beside one that
asks otherwise, it is the way to the request, not the request."""
_AND_THEN_ASKS = re.compile(
    r"\s*,?\s+and\s+(?=(?:i|we)\s+(?:(?:just|only|really|also)\s+)?(?:want|need|would like|'d like|wanted)\b"
    r"|(?:can|could|would)\s+you\b|please\b)",
    re.IGNORECASE,
)
"""Where a sentence goes on to ask with "and" ("Untreated glioblastoma, | and I want the enhancing wall")."""
_SO_THEN = re.compile(r",\s*so\s+(?:(?:just|only|basically|really)\s+)?(?=(?:the|that|its|this)\s)", re.IGNORECASE)
"""Where a sentence concludes what it asks for (", so the non-enhancing tumour please")."""
_ADDED_TOO = re.compile(r"\b(?:too|also|as well|in addition|additionally|both|together|plus)\b", re.IGNORECASE)
"""Words that add what is asked to what was named before it ("..., and I want the oedema too")."""
_RELATIVE = re.compile(r"^\s*(?:where|when|which|whose)\s+(?:the|it|its|this|a|an|they|there)\b")
"""A clause that says more of what comes before it ("..., where the tumour has outgrown its blood supply"), though
its first word may ask ("where is the nodule")."""
_POINTERS = frozenset("it them this that these those one ones".split())
"""Words that point at what was named elsewhere."""
_POINTING_BACK = _POINTERS - {"one", "ones"}
"""Words by which a request's object points back at what was said before it ("Outline that wall"): no part of the
body of its own."""
_PLACE_WORDS = frozenset("in on at of within inside the a an for".split())
_ANOMALY_FRAME = PART_WORDS | _PLACE_WORDS | _CLOSED_CLASS
"""Words that say neither what is wrong nor where, left out of a phrase and of the known phrasings alike before
:meth:`FindingMatcher._anomaly_at_a_place` compares them ("check | the chest | for | anything abnormal")."""
_POINTS_BACK_TO = re.compile(
    r"\b(?:outline|segment|contour|draw|mask|label|mark|highlight|delineate|produce|create|make|give me|show)\s+"
    r"(?:it|them|this|that|these|those|(?:this|that|the same)\s+(?:mask|label|segmentation|one|structure|region))\b",
    re.IGNORECASE,
)
"""A request whose object points back at what the sentences before it named ("Outline it.", "Produce this mask for
the glioma.")."""
_POINTS_BACK = re.compile(
    r"\b(?:that|this|the same|said)\s+(?:part|parts|portion|component|region|area|bit|piece|compartment|zone)\b",
    re.IGNORECASE,
)
"""A request that points back to a part named in the sentence before it ("... a non-enhancing solid portion
posteriorly. Contour that part only.")."""


def _only_points_back(sentence: str, names_a_finding: Callable[[str], bool]) -> bool:
    """Whether ``sentence`` asks for what the sentences before it named and names nothing itself ("Please segment
    that region here.", "Outline it."): read with them, it adds nothing to what they say."""
    pointed = _POINTS_BACK.search(sentence) or _POINTS_BACK_TO.search(sentence)
    return pointed is not None and asks(sentence) and not names_a_finding(sentence)


def _names_a_part_alone(text: str) -> bool:
    """Whether ``text`` names a part of a tumour and joins nothing to it ("the bit that goes white on T1 post"):
    beside the tumour named whole, it says a part is meant. The whole of an area ("the total hyperintense area on
    FLAIR", "the total abnormal signal") is no part."""
    compared = comparable(text)
    if set(words(compared)) & _WHOLE_OF and set(words(compared)) & signal_words():
        return False
    return names_a_part(compared) and not JOINED.search(compared) and not _says_no_region(text)


def _other_items_left_out(description: str) -> str:
    """A description written as a numbered list ("Pt list: 1) ?lymphoma - await bx. 2) R frontal glioma, untreated -
    ACTION rad: mask the core. 3) NFA.") less the items that ask nothing, where an item asks for a finding of its own
    glioma or lung (:func:`anchored`): those speak of another patient or matter. An item that leaves a part out
    ("1) Exclude necrosis."), names a treatment, asks what a finding is or that nothing be drawn, or is pointed back at
    by the next is kept; ``description`` itself where it is no such list."""
    before, *items = _LIST_MARK.split(description)
    asking = [asks(item) or _ACTION.search(item) is not None for item in items]
    if len(items) < 2 or not any(ask and anchored(item) for item, ask in zip(items, asking, strict=True)):
        return description
    if before.strip().endswith(":") and not asks(before):  # "Pt list:"
        before = ""
    following = [*items[1:], ""]
    kept = [
        item
        for item, ask, after in zip(items, asking, following, strict=True)
        if ask
        or leaves_out(item)
        or names_a_treatment(item)
        or _PRONOUN_BACK.search(after)
        or refuses_to_ask(item)  # "3) Report only the answer."
        or asks_for_a_diagnosis([item], [item] if item.rstrip().endswith("?") else [])  # "2) Decide if it's benign."
    ]
    return " ".join([before.strip(), *(item.strip() for item in kept)]).strip()


_ACTION = re.compile(r"\b(?:action|request|to do)\b(?:\s+\w+)?\s*(?:\([^()]*\))?\s*:", re.IGNORECASE)
"""A label that opens what someone is asked to do ("ACTION rad:", "Request:")."""
_LIST_MARK = re.compile(r"(?:^|(?<=\s))\(?\d{1,2}\)\s+")
"""The number that opens an item of a numbered list ("2) ")."""
_PRONOUN_BACK = re.compile(r"\b(?:its|it|their|them|theirs|this one|that one|the same)\b", re.IGNORECASE)
"""Pronouns that point back at what the sentence before named ("Incidental meningioma: outline its oedema.")."""


def _whole_only_named(text: str, reading: FindingMatch) -> bool:
    """Whether ``reading`` is the whole tumour only because ``text`` names the tumour ("Neurosurgery wants the target
    for this glioblastoma."): no word of its extent, of a part or of its signal; beside a sentence that names a part,
    it says which tumour."""
    said = set(words(comparable(text)))
    return reading.finding == _WHOLE and not said & (set(defining_words(_WHOLE)) | _PART_OR_NODULE | signal_words())


_PART_OR_NODULE = frozenset(
    {
        word
        for finding in (_CORE, "enhancing tumour", "peritumoral oedema", "necrotic tumour core")
        for word in defining_words(finding)
    }
    | {"non-enhancing", "nodule", "nodules", "nodular", "opacity"}
)
"""Words of a part of the tumour or of a nodule: a sentence that has one ("If a voxel is just oedema, exclude it.",
"Incidental thyroid nodule, ignore.") may speak of what is asked for, and is never left out as another matter."""
_WHOLE_OF = frozenset({"total", "entire", "whole", "complete", "full", "overall"})


def _says_where(text: str) -> bool:
    """Whether ``text`` only says in what the rest lies ("in this glioma", "within the tumour", "the GBM case"): joined
    to a region, it adds none."""
    place = _IN_WHAT.match(text.strip())
    said = set(words(comparable(text)))
    if said & study_words() and said <= tumour_nouns() | study_words() | PART_WORDS | {"from", "on", "in", "of"}:
        return True
    if place is None:
        return False
    named = words(comparable(place["what"]))  # "in this ring-enhancing glioblastoma": the tumour, however described
    return _names_only_the_tumour(place["what"]) or bool(named) and named[-1] in tumour_nouns() - {"mass", "volume"}


def _its_own_nothing(part: str) -> bool:
    """Whether a joined part only points back at the finding ("the nodule and its | [spiculations]", "..., and its
    chest CT"): "its" with nothing after it but the study it is seen in, where what it named was a descriptor."""
    said = words(part)
    if not said or said[0] not in ("its", "their"):
        return False
    rest = set(said[1:])
    studied = rest & study_words()
    return not rest or bool(studied) and not rest - studied - set(subjects(part))


def _placed_apart(part: str, compared: str) -> bool:
    """Whether a joined part of a compared text names a part of the body only and stands set apart by a comma ("...,
    core plus surrounding hyperintensity, left cingulate gyrus"): where the rest lies, not a region joined to it
    ("structures" such as the ventricles may be drawn, and are not passed over)."""
    if re.search(rf",\s*{re.escape(part.strip())}\s*(?:[,;.]|$)", compared) is None:
        return False
    return anatomy_only(part) not in ("", "structures")


_ENCLOSED_BY = re.compile(
    r"^(?:which\s+is\s+|that\s+is\s+|lying\s+|sitting\s+)?(?:inside|within|enclosed\s+by|surrounded\s+by|encircled\s+by"
    r"|ringed\s+by|rimmed\s+by|bounded\s+by|walled\s+by|walled\s+off\s+by|beneath|underneath)\s",
    re.IGNORECASE,
)
"""An aside that says what a region lies in or is enclosed by ("(inside the Gd-enhancing shell)", "(enclosed by
enhancement)"): where its head lies, not which region it is."""
_IN_WHAT = re.compile(r"^(?:in|within|inside|of)\s+(?:this|the|his|her|a|an|that)\s+(?P<what>.+)$")


def _says_only_how_it_looks(text: str) -> bool:
    """Whether ``text`` says only how a region looks and that it is there ("the hazy white stuff", "the bright
    halo"; ``finding_lexicon.look_words``)."""
    said = set(words(comparable(text)))
    looks = vague_words() | (generic_words() - tumour_words()) | PART_WORDS | look_words()
    return bool(said & look_words()) and said <= looks


def _says_only_how_it_looks_or_that_it_is(text: str) -> bool:
    """Whether ``text`` says only how a region looks, or only that something is there ("the hazy white stuff", "the
    thing", "the tissue"): around a landmark, it is what surrounds it."""
    said = set(words(comparable(text)))
    return _says_only_how_it_looks(text) or bool(said - _ARTICLES) and said <= _ANY_THING | PART_WORDS


def _says_only_its_signal(text: str) -> bool:
    """Whether ``text`` names only a signal on the images and how much of it ("the FLAIR hyperintensity", "all the T2
    signal change", "the FLAIR-hyperintense extent"; the lexicon's ``signal`` and ``extent`` slots): of a tumour, that
    is the whole of it as the images show it."""
    said = {part for word in words(comparable(text)) for part in word.split("-")}  # "T2-hyperintense"
    said -= {"the", "a", "an", "its", "gross", *defining_words(_WHOLE)}
    return bool(said & signal_words()) and said <= signal_words() | tumour_words() | volume_words()


@cache
def _tumour_or_region_words() -> frozenset[str]:
    """The words that name the tumour or a region of it ("glioma", "solid")."""
    return frozenset(region_words()) | tumour_nouns()


def _names_only_the_tumour(text: str) -> bool:
    """Whether ``text`` names the tumour and nothing of it ("left frontal glioma", "the tumour itself"): beside a
    region, it says where, not which region."""
    said = set(words(comparable(text)))
    return bool(said) and said <= tumour_nouns() | PART_WORDS | _ALL_OF


_ALL_OF = frozenset({"all", "every", "any", "tissue", "tissues", "itself", "proper", "actual", "real", "true"})
"""Words that say all of what they qualify ("all tumour tissue", "every tumour component", "the tumour proper")."""


def _says_which(text: str) -> bool:
    """Whether ``text`` names a tumour or a volume and says nothing of its extent ("Boost volume for the glioma"):
    beside a definition, the definition says which region."""
    said = set(words(comparable(text)))
    named = said & (tumour_nouns() | volume_words())
    return bool(named) and said <= (generic_words() | PART_WORDS | {"for"}) - set(defining_words(_WHOLE))


def _says_nothing_of_which(compared: str) -> bool:
    """Whether a compared text only says that something is there, not which finding ("the lesion", "abnormal area";
    ``finding_lexicon.vague_words``)."""
    return set(words(compared)) <= vague_words() | PART_WORDS


def _points_back_to_the_tumour(sentence: str) -> bool:
    """Whether a request points back at what was named before it and names no more than the tumour ("Produce this
    mask for the untreated glioma.")."""
    if not _POINTS_BACK_TO.search(sentence):
        return False
    first, *rest = sentence.split(",")  # "segment that, baseline glioma scan": the phrase after says on what
    kept = ", ".join([first, *(phrase for phrase in rest if not _says_where(phrase))])
    said = set(words(comparable(kept))) - _POINTERS - _PLACE_WORDS - PART_WORDS
    return said <= tumour_nouns() | {"mask", "label", "segmentation", "structure"}


def _points_at_a_place_only(compared: str) -> bool:
    """Whether a compared text names no finding, only points at one and says where ("it in the chest", "this one on
    the brain"): what it points at was named before, or not at all."""
    said = words(compared)
    if not set(said) & _POINTERS:
        return False
    rest = " ".join(word for word in said if word not in _POINTERS | _PLACE_WORDS)
    return not rest or bool(anatomy_only(rest))


_MEASURED = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mm|cm|mil|millimet(?:er|re)s?|centimet(?:er|re)s?)?\b|~")
"""A size given ("9 mm", "~1.2cm"): it says how big, not what."""


def _says_no_region(text: str) -> bool:
    """Whether ``text`` is made of words that say nothing of which region of a tumour is meant ("the whole thing",
    "all of the lesion in flair"; ``finding_lexicon.generic_words``)."""
    said = set(re.findall(r"[a-z0-9]+", text.lower()))
    return bool(said) and said <= generic_words() | PART_WORDS


_KNOWN_EMBEDDINGS: dict[tuple[str, tuple[str, ...]], torch.Tensor] = {}


def _known_embeddings(text_encoder: TextEncoder, texts: tuple[str, ...]) -> torch.Tensor:
    """The sentence embeddings of the known phrasings: from the shipped table where it holds them
    (``phrasing_embeddings.py``), once per process for an encoder read from a known folder (a second predictor of one
    process does not look them up again)."""
    if not text_encoder.source:
        return text_encoder.sentence_embeddings(list(texts))
    key = (text_encoder.source, texts)
    if key not in _KNOWN_EMBEDDINGS:
        _KNOWN_EMBEDDINGS.clear()  # one set is kept: a new checkpoint scope replaces it
        _KNOWN_EMBEDDINGS[key] = embeddings_of(text_encoder, list(texts))
    return _KNOWN_EMBEDDINGS[key]


def known_phrasings(scope: CheckpointScope) -> list[tuple[str, str | None]]:
    """Every phrasing the matcher knows for ``scope``, as compared (``comparable``), each once, with its canonical
    finding (None for a finding the model was not trained on)."""
    return list(dict.fromkeys((comparable(text), finding) for text, finding in _phrasings(scope)))


def _phrasings(scope: CheckpointScope) -> list[tuple[str, str | None]]:
    """The trained findings' phrasings, then the untrained findings, as written."""
    phrasings: list[tuple[str, str | None]] = []
    for finding in scope.findings:
        phrasings.extend((text, finding) for text in trained_phrasings(finding))
    phrasings.extend((text, None) for text in untrained_findings())
    return phrasings


def trained_phrasings(finding: str) -> list[str]:
    """The canonical description, every training and pick-list phrasing of ``finding`` and its lexicon's
    (``resources/finding_phrasings.json``)."""
    texts = [finding]
    if finding in BRAIN_SUBREGIONS:
        texts += BRAIN_SUBREGIONS[finding][1]
    for names in ORGAN_NAMES.values():
        if finding == names[0]:
            texts += names
    if finding == "lung nodule":
        texts += [*LUNG_NODULE_NOUNS, *ABSENT_PROBES["lung"]]
    texts += [entry["en"] for entry in _pick_list() if _pick_list_finding(entry) == finding]
    texts += lexicon_phrasings(finding)
    return texts


def japanese_pick_list_twin(description: str) -> str | None:
    """The English pick-list name of a description that is a Japanese pick-list name, else None."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", description))
    for entry in _pick_list():
        if re.sub(r"\s+", "", unicodedata.normalize("NFKC", entry["ja"])) == key:
            return entry["en"]
    return None


@cache
def untrained_findings() -> tuple[str, ...]:
    """Common findings no family of the starter model covers (``resources/untrained_findings.json``)."""
    document = json.loads((_RESOURCES / "untrained_findings.json").read_text(encoding="utf-8"))
    return tuple(text for group in document["groups"].values() for text in group)


@cache
def _pick_list() -> tuple[dict[str, str], ...]:
    document = json.loads((_RESOURCES / "findings.json").read_text(encoding="utf-8"))
    return tuple(document["findings"])


def _pick_list_finding(entry: dict[str, str]) -> str:
    """The canonical trained finding a pick-list entry asks for (its ``finding`` key, else its English name)."""
    return entry.get("finding", entry["en"])

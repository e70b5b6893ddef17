"""Direct quotations in an article, and who said them.

Pure functions only: text in, quotes out. A heuristic for English news
prose; docs/quality.md has what it gets right and wrong.

What counts as a quotation:

* Text between double quotes, straight ("...") or curly (“...”). Curly
  quotes nest, so “Cardi “B” – Kim “K” Please ...” is one quotation with its
  inner marks kept. A quotation still open at the end of a paragraph ends
  there (the convention for quotes that run over several paragraphs).
* Text between single quotes ('...' or ‘...’) outside any double-quoted
  text, when the opening mark starts a word and the closing one ends a word,
  so apostrophes ("Joe's", "don't", "investors'") are not taken for quotes.
* A quotation of one or two words counts only when a speaker is found for
  it; otherwise it is a scare quote or a title (a so-called "poison pill").

One utterance split around its attribution is ONE quotation: in
``"And," Dillon continued, "for the last two years, we have been apart."``
the pieces are joined with a space into "And, for the last two years, we
have been apart." Pieces are joined when nothing ends a sentence between
them. The text is given without its quote marks, with runs of white space
made single spaces and one trailing comma removed ("I met Joe," -> "I met
Joe"); other punctuation stays as written.

Who said it, tried in this order:

1. An attribution after the closing mark: ``"...," Dillon affirmed``,
   ``"...," 25-year-old Dillon Passage recalled``, ``"...," said Gavin
   Launder``, ``"...," he added``, ``"...," the company said``.
2. The subject of the sentence that leads into the quotation, when that
   clause has an attribution verb: ``He wrote: "..."``, ``Dillon described
   this experience as "..."``, ``He told his fans that "yes, ..."``.
3. A quotation that opens a paragraph after one ending in a colon ("... the
   caption of the post that read:") takes the subject of that paragraph's
   last sentence.
4. A quotation with no attribution of its own takes the speaker of the
   quotation before it in the same paragraph, or, when it opens its
   paragraph, of the last quotation of the paragraph before.

A speaker written as a name is given as the fullest form of that name in the
article (:mod:`news_archive.names`): "Dillon" is "Dillon Passage". "He" and
"she" are the person most recently in focus before the quotation: the last
named speaker, or a person who begins a sentence, whichever came later.
A description that refers back ("the disgraced former zoo owner", "the
official") is that same person in focus. A description that brings someone
new or is not a person ("a spokesman", "one trader", "analysts", "the
company", "the ministry") and "they", "we", "it", "I" give no speaker
(``None``): saying who they are would be a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from . import names


@dataclass(frozen=True)
class Quote:
    """One direct quotation."""

    text: str  # the quotation without its quote marks
    speaker: str | None  # canonical name, or None when not known
    paragraph: int  # index of the paragraph (blank-line separated, as Article.paragraphs)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_OPEN_DOUBLE = "“"
_CLOSE_DOUBLE = "”"
_DOUBLE = '"“”„'
_SINGLE = "'‘’"
_SPACE = re.compile(r"\s+")
_SHORT_QUOTE_WORDS = 3

# Verbs that attribute speech or writing. After a quotation any lower-case
# word ending in -ed also counts ("Dillon affirmed", "Joe expressed").
_VERBS = (
    "said|says|say|told|tells|added|adds|wrote|writes|noted|notes|stated|states|explained|explains|asked|asks"
    "|insisted|insists|argued|argues|continued|continues|began|begins|concluded|recalled|affirmed|emphasized"
    "|emphasised|described|describes|expressed|shared|addressed|admitted|acknowledged|reflected|advised|declared"
    "|announced|warned|warns|claimed|claims|suggested|stressed|replied|responded|answered|commented|observed"
    "|remarked|predicted|cautioned|confirmed|denied|conceded|agreed|complained|joked|quipped|urged|posted"
    "|tweeted|reported|mentioned|recounted|revealed|testified|contended|maintained|assured|promised|vowed"
    "|boasted|lamented|speculated|estimated|read|reads|put it|puts it|went on|goes on|signed off|summed up"
    "|pointed out|concluded|requested|saying|writing|adding|telling|asking"
)
_STRONG_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_VERB = re.compile(rf"\b(?:{_VERBS})\b|\b[a-z]{{3,}}ed\b")
_PRONOUNS = frozenset("he she they we it i".split())
_DETERMINERS = frozenset("the a an one another two three some several many its his her their our".split())
# After a quotation: up to eight words (the speaker), an optional adverb and
# the verb: "Dillon affirmed", "25-year-old Dillon Passage recalled",
# "the disgraced former zoo owner acknowledged", "Joe reportedly wrote".
_AFTER_SPEAKER_VERB = re.compile(
    rf"[\s,]*(?P<clause>[^\"“”,;:!?]{{1,90}}?)\s+(?:[a-z]+ly\s+)?(?:{_VERBS}|[a-z]{{3,}}ed)\b"
)
# Or the verb first: "said Gavin Launder, an analyst with ...".
_AFTER_VERB_SPEAKER = re.compile(
    r"[\s,]*(?:[a-z]+ly\s+)?(?:said|says|added|adds|wrote|writes|told|asked|continued|explained|noted|declared"
    r"|warned)\s+(?P<clause>[^\"“”,;:.!?]{1,60})"
)
# A name followed by its verb: "co-Chairman Alastair Morton said".
_SPEAKS = re.compile(rf",?\s+(?:[a-z]+ly\s+)?(?:{_VERBS})\b")
# An attribution that ends the sentence after a quotation and more words:
# '"..." based on sales of only a few days, he said.'
_TRAILING_ATTRIBUTION = re.compile(
    r",\s*(?P<clause>[^,\"“”]{1,60}?)\s+(?:[a-z]+ly\s+)?(?:said|says|added|adds|told|wrote|noted|explained)"
    r"(?:\s+[^,.\"“”]{0,40})?[.!?]?\s*$"
)
_LEADING_CONJUNCTION = re.compile(
    r"(?:(?:But|And|So|Yet|Then|Later|Now|Earlier|Also|However|Meanwhile|Still|Instead),?\s+)+"
)
# Where the subject of the verb before a quotation begins: after a comma or
# a conjunction ("..., but Edwards said", "... that he told").
_CLAUSE_START = re.compile(r"(?:[,;(]\s*|\b(?:and|but|that|while|as|because|when|which|who|so)\s+)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_ABBREVIATED = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|St|Inc|Corp|Co|Ltd|Jr|No)\.)$")

# Head nouns of descriptions that are not a person: organisations, which
# may be named inside the description ("the Sterling Grace Capital group"),
# and documents, which say nothing about who speaks.
_ORGANISATION_NOUNS = frozenset(
    """company firm bank group ministry department government agency board union exchange court committee
    commission council unit subsidiary corporation organization organisation association party administration
    office institute fund fed team club network station magazine newspaper paper website""".split()
)
_DOCUMENT_NOUNS = frozenset("report statement survey study poll document letter release filing".split())
_NOT_A_PERSON = _ORGANISATION_NOUNS | _DOCUMENT_NOUNS
_INDEFINITE = frozenset("a an one another some two three several many".split())
_STRONG_WORDS = frozenset(_VERBS.split("|"))
_NOBODY = ""  # an attribution whose speaker cannot be named
_ROLE_WORDS = names.PERSON_ROLE_WORDS | frozenset("senior chief deputy former vice co acting executive".split())


@dataclass
class _Span:
    paragraph: int
    open: int  # offset of the opening mark in the text
    close: int  # offset of the closing mark, or the paragraph's end
    inner: str
    closed: bool


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, stripped, in order."""
    spans, start = [], 0
    for gap in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = gap.start() if gap else len(text)
        chunk = text[start:end]
        if chunk.strip():
            left = start + len(chunk) - len(chunk.lstrip())
            right = start + len(chunk.rstrip())
            spans.append((left, right))
        if gap:
            start = gap.end()
    return spans


def _is_opening(text: str, at: int, start: int) -> bool:
    before = text[at - 1] if at > start else " "
    return before.isspace() or before in "([{—–-/:" or before in _DOUBLE + _SINGLE


_DOUBLE_MARK = re.compile(r'["“”„]')
_SINGLE_MARK = re.compile(r"['‘’]")


def _double_quoted(text: str, number: int, start: int, end: int) -> list[_Span]:
    spans: list[_Span] = []
    depth = 0
    opened = -1
    for mark in _DOUBLE_MARK.finditer(text, start, end):
        at = mark.start()
        char = text[at]
        if char == _OPEN_DOUBLE or char == "„":
            opening = True
        elif char == _CLOSE_DOUBLE:
            opening = False
        else:  # a straight quote: which way round depends on what is beside it
            opening = depth == 0 or (_is_opening(text, at, start) and at + 1 < end and not text[at + 1].isspace())
            if depth > 0 and (at + 1 >= end or text[at + 1].isspace() or text[at + 1] in ",.;:!?)"):
                opening = False
        if opening:
            if depth == 0:
                opened = at
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(_Span(number, opened, at, text[opened + 1 : at], True))
    if depth > 0:
        spans.append(_Span(number, opened, end, text[opened + 1 : end], False))
    return spans


def _single_quoted(text: str, number: int, start: int, end: int, taken: list[_Span]) -> list[_Span]:
    spans: list[_Span] = []
    opened = -1
    for mark in _SINGLE_MARK.finditer(text, start, end):
        at = mark.start()
        char = text[at]
        if any(s.open <= at <= s.close for s in taken):
            continue
        after = text[at + 1] if at + 1 < end else " "
        before = text[at - 1] if at > start else " "
        if opened < 0:
            if char != "’" and _is_opening(text, at, start) and after.isalnum():
                opened = at
        elif not before.isspace() and not after.isalnum():
            spans.append(_Span(number, opened, at, text[opened + 1 : at], True))
            opened = -1
    return spans


def _clean(inner: str) -> str:
    cleaned = _SPACE.sub(" ", inner).strip()
    return cleaned[:-1].rstrip() if cleaned.endswith(",") else cleaned


def extract_quotes(text: str, mentions: Sequence[names.Mention] | None = None) -> list[Quote]:
    """Every direct quotation in ``text`` (an article body: paragraphs
    separated by blank lines), in order, with its speaker where known.

    ``mentions`` are ``names.find_mentions(text)`` when the caller has them
    already; otherwise they are found here, only if there is a quotation."""
    if not _DOUBLE_MARK.search(text) and not _SINGLE_MARK.search(text):
        return []
    paragraphs = _paragraphs(text)
    found: list[list[_Span]] = []
    for number, (start, end) in enumerate(paragraphs):
        double = _double_quoted(text, number, start, end)
        single = _single_quoted(text, number, start, end, double)
        found.append(sorted(double + single, key=lambda s: s.open))
    if not any(found):
        return []
    resolver = _Resolver(text, paragraphs, mentions)
    quotes: list[Quote] = []
    previous_speaker: str | None = None  # of the last quotation in the paragraph before
    for number, spans in enumerate(found):
        groups = _join(text, spans)
        paragraph_speaker: str | None = None
        for group in groups:
            first, last = group[0], group[-1]
            speaker, attributed = resolver.speaker(first, group)
            speaker = speaker or None
            if not attributed:
                if paragraph_speaker is not None:
                    speaker = paragraph_speaker
                elif _opens_paragraph(text, paragraphs[number][0], first.open) and previous_speaker is not None:
                    speaker = previous_speaker
            quotation = _clean(" ".join(_SPACE.sub(" ", span.inner).strip() for span in group))
            if not quotation or (len(quotation.split()) < _SHORT_QUOTE_WORDS and speaker is None):
                continue
            quotes.append(Quote(text=quotation, speaker=speaker, paragraph=number))
            if speaker is not None:
                paragraph_speaker = speaker
                resolver.focus(last.close, speaker)
        previous_speaker = paragraph_speaker
    return quotes


def _opens_paragraph(text: str, start: int, at: int) -> bool:
    return not text[start:at].strip()


def _join(text: str, spans: list[_Span]) -> list[list[_Span]]:
    """Group the pieces of one utterance split around its attribution."""
    groups: list[list[_Span]] = []
    for span in spans:
        if groups:
            last = groups[-1][-1]
            between = text[last.close + 1 : span.open]
            if (
                last.closed
                and text[last.open] in _DOUBLE
                and text[span.open] in _DOUBLE
                and _SPACE.sub(" ", last.inner).strip().rstrip(",")[-1:] not in ".!?"
                and not re.search(r"[.!?;]", between)
                and len(between.split()) <= 8
                and _VERB.search(between)
            ):
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


class _Resolver:
    """Finds speakers, with the names of the article and the person in focus."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], mentions: Sequence[names.Mention] | None):
        self.text = text
        self.paragraphs = paragraphs
        self.mentions = list(mentions) if mentions is not None else names.find_mentions(text)
        # Who is in focus, by position: people who begin a sentence, and
        # named speakers as they are found.
        self.events: list[tuple[int, str]] = []
        for mention in self.mentions:
            if mention.kind == names.PERSON and (
                self._begins_sentence(mention.start) or _SPEAKS.match(text, mention.end)
            ):
                self.events.append((mention.start, mention.name))

    def focus(self, at: int, speaker: str) -> None:
        self.events.append((at, speaker))

    def _in_focus(self, at: int) -> str | None:
        best = None
        for position, name in self.events:
            if position < at and (best is None or position >= best[0]):
                best = (position, name)
        return best[1] if best else None

    def _sentence_start(self, start: int, at: int) -> int:
        for end in _SENTENCE_END.finditer(self.text, start, at):
            if not _ABBREVIATED.search(self.text, max(start, end.start() - 5), end.start() + 1):
                start = end.end()
        return start

    def _paragraph_start(self, at: int) -> int:
        return max((s for s, _ in self.paragraphs if s <= at), default=0)

    def _begins_sentence(self, at: int) -> bool:
        before = self.text[self._sentence_start(self._paragraph_start(at), at) : at]
        lead = _LEADING_CONJUNCTION.match(before)
        return not before[lead.end() if lead else 0 :].strip(" \t\n\"“‘'")

    def _who(self, start: int, end: int, at: int) -> tuple[bool, str | None]:
        """Read ``text[start:end]`` as the subject of an attribution:
        (whether it is one, the speaker). ``at`` is where the quote is."""
        clause = self.text[start:end]
        words = clause.split()
        if not words or len(words) > (12 if words[0].lower() in _DETERMINERS else 8):
            return False, None
        found = [m for m in self.mentions if start <= m.start < end]
        people = [m for m in found if m.kind == names.PERSON]
        # "spokesman Michel Dufour", "senior vice president John Smith".
        if words[0][0].islower() and people and all(
            w in _ROLE_WORDS for w in self.text[start : people[-1].start].split()
        ):
            return True, people[-1].name
        first = words[0]
        if first in _PRONOUNS or (first.lower() in _PRONOUNS and first != "It" and len(words) == 1):
            return True, self._in_focus(at) if first.lower() in ("he", "she") else None
        if first.lower() in _DETERMINERS:
            if people:
                return True, people[-1].name
            # "a hand-written statement by Islamic Jihad ...".
            by = re.search(r"\b(?:by|from)\s", clause)
            named = [m for m in found if by and m.start >= start + by.end()]
            if named:
                return True, named[0].name
            head = words[-1].lower().strip(".'’")
            organisations = [m for m in found if m.kind == names.ORGANIZATION]
            if organisations and head in _ORGANISATION_NOUNS:
                return True, organisations[-1].name  # "The Sterling Grace Capital group"
            if (
                first.lower() in _INDEFINITE
                or any(w.lower().strip(".'’") in _NOT_A_PERSON for w in words[1:])
                or (head.endswith("s") and not head.endswith("ss"))
            ):
                return True, None  # "a spokesman", "the company", "the Republicans"
            return True, self._in_focus(at)  # "the disgraced former zoo owner"
        if not (first[0].isupper() or first[0].isdigit()):
            return False, None
        if len(words) == 1 and first.endswith("s") and not first.endswith(("ss", "'s", "’s")) and not people:
            return True, None  # "Democrats", "Analysts": a group, not one speaker
        if people:
            return True, people[-1].name
        if found:
            return (True, found[-1].name) if found[-1].kind == names.ORGANIZATION else (False, None)
        return self._unrecognised(words)

    def _unrecognised(self, words: list[str]) -> tuple[bool, str | None]:
        """A capitalised speaker the names module did not report here."""
        kept = [w for w in words if not re.match(r"\d+-year-old$", w)]
        if not kept or not all(w[0].isupper() for w in kept) or kept[0] in ("He", "She", "They", "We", "It", "I"):
            return False, None
        written = re.sub(r"['’]s?$", "", " ".join(kept).rstrip("."))
        for mention in self.mentions:
            if mention.name == written or written in mention.name.split():
                return True, mention.name
        return True, written

    def speaker(self, first: _Span, group: list[_Span]) -> tuple[str | None, bool]:
        """(speaker, whether the quotation itself is attributed)."""
        text = self.text
        paragraph_start, paragraph_end = self.paragraphs[first.paragraph]
        # 1. After the closing mark of the first piece (for split quotes the
        # attribution sits between the pieces) or of the whole quotation.
        for span in (first, group[-1]) if len(group) > 1 else (first,):
            if not span.closed:
                continue
            window = (span.close + 1, min(paragraph_end, span.close + 120))
            for pattern in (_AFTER_SPEAKER_VERB, _AFTER_VERB_SPEAKER):
                match = pattern.match(text, *window)
                if match and not match.group("clause").lstrip().startswith("@"):
                    ok, who = self._who(match.start("clause"), match.end("clause"), span.open)
                    if ok:
                        return who, True
        # 1b. At the end of the sentence: '"..." based on sales, he said.'
        if first.closed and group[-1].closed:
            after_start = group[-1].close + 1
            sentence_end = _SENTENCE_END.search(text, after_start, paragraph_end)
            stop = sentence_end.start() + 1 if sentence_end else paragraph_end
            if '"' not in text[after_start:stop] and "“" not in text[after_start:stop]:
                match = _TRAILING_ATTRIBUTION.search(text, after_start, stop)
                if match:
                    ok, who = self._who(match.start("clause"), match.end("clause"), first.open)
                    if ok:
                        return who, True
        # 2. The subject of the verb that leads into the quotation.
        lead = self._lead_in(paragraph_start, first.open)
        if lead is not None:
            return lead, True
        # 3. A paragraph that opens with the quotation after one ending in ":".
        if first.paragraph > 0 and _opens_paragraph(text, paragraph_start, first.open):
            prev_start, prev_end = self.paragraphs[first.paragraph - 1]
            if text[prev_start:prev_end].rstrip().endswith(":"):
                lead = self._lead_in(prev_start, prev_end)
                if lead is not None:
                    return lead, True
        return None, False

    def _lead_in(self, start: int, at: int) -> str | None:
        """The speaker named as the subject of an attribution verb in the
        sentence before ``at``, or None when there is no such verb."""
        text = self.text
        begin = self._sentence_start(start, at)
        # Only the text after an earlier quotation in the same sentence.
        for mark in range(at - 1, begin - 1, -1):
            if text[mark] in _DOUBLE:
                begin = mark + 1
                break
        verbs = [*reversed(list(_STRONG_VERB.finditer(text, begin, at)))]
        verbs += [m for m in reversed(list(_VERB.finditer(text, begin, at))) if m.group() not in _STRONG_WORDS]
        for verb in verbs:
            end = verb.start()
            chunk_start = begin
            for boundary in _CLAUSE_START.finditer(text, begin, end):
                chunk_start = boundary.end()
            lead = _LEADING_CONJUNCTION.match(text, chunk_start, end)
            chunk_start = lead.end() if lead else chunk_start
            chunk = text[chunk_start:end]
            if not chunk.strip() and text[begin:end].rstrip().endswith(","):
                # "Balladur, responding to remarks by ..., said": the subject
                # is where the sentence starts.
                comma = text.find(",", begin, end)
                chunk_start, chunk = begin, text[begin:comma]
            if _STRONG_VERB.search(text, chunk_start, end):
                continue  # the subject of an earlier verb, not of this one
            # Drop an adverb before the verb: "Joe reportedly wrote".
            trimmed = re.sub(r"\s+[a-z]+ly\s*$", "", chunk).rstrip()
            ok, who = self._who(chunk_start + len(chunk) - len(chunk.lstrip()), chunk_start + len(trimmed), at)
            if ok:
                return who if who is not None else _NOBODY
        return None



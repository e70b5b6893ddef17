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
* A quotation of one or two words counts only when its own sentence says
  who said it ('"No," he said', 'He replied: "Never."', 'Fields said
  producers were "desperate"'); otherwise it is a scare quote or a title (a
  so-called "poison pill", 'Using this "financial deficit" method').
* Up to three words in quotes right after "so-called", "dubbed", "nicknamed",
  "code-named" or "known as" are what something is called, not a quotation,
  even in a sentence with a speaker ('Volcker said ... the so-called "Big
  Bang" reforms').

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
   Launder``, ``"...," he added``, ``"...," the company said``. After the
   verb, a title written short belongs to the name (``said Mr. Smith``,
   ``said Sen. Bennett Johnston``, ``said J. Hugh Liedtke``), and the name ends
   where a dash or a clause about it begins (``said Sumita in a statement
   quoted by Kyodo``, ``said Jim Wright — adding``; ``said Mark Obrinsky of
   the U.S. League of Savings Institutions`` when that is too long to read
   whole). A name there that cannot be read gives no speaker, never the
   speaker before. Then a dash and a name: ``“...” — Senator Robert Byrd, on
   ...``; or ``"...," according to Treasury Secretary James Baker`` (and
   ``according to dealers``: no speaker).
2. The subject of the sentence that leads into the quotation, when that
   clause has an attribution verb: ``He wrote: "..."``, ``Dillon described
   this experience as "..."``, ``He told his fans that "yes, ..."``; or the
   source a sentence begins with: ``According to Baker, "..."``.
3. A quotation that opens a paragraph after one ending in a colon ("... the
   caption of the post that read:") takes the subject of that paragraph's
   last sentence.
4. A quotation with no attribution of its own takes the speaker of the
   quotation before it in the same paragraph, or, when it opens its
   paragraph, of the last quotation of the paragraph before; not one
   followed by a dash and other words: the name after "from" in them if
   there is one (``“...” — that was the message from Assistant Secretary
   Richard Perle``), else no speaker (``... from the committee``).

A speaker written as a name is given as the fullest form of that name in the
article (:mod:`news_archive.names`): "Dillon" is "Dillon Passage". "He" and
"she" are the person most recently in focus before the quotation: the last
named speaker, or a person who begins a sentence, whichever came later.
A description that refers back ("the disgraced former zoo owner", "the
official") is that same person in focus. A description that brings someone
new or is not a person ("a spokesman", "one trader", "analysts", "the
company", "the ministry"), someone described by their country ("the U.S.
official", "the Iranian spokesman") and "they", "we", "it", "I" give no
speaker (``None``): saying who they are would be a guess. A capitalised word
the names module did not report is a speaker only if it can be a name by
itself: never a title ("Mr", "Sen") nor a word such as "When", "However" or
"May" (unless the text names someone with it after a given name: "Rick
May").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from itertools import repeat
from operator import attrgetter, itemgetter
from dataclasses import dataclass
from typing import Sequence

from . import names
from .name_lists import DEMONYMS, GIVEN_NAMES, PERSON_TITLES


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
# How a quotation is attributed (see _Resolver.speaker): the speaker right after it ('"No," he
# said'), at the end of its sentence, as the subject leading into it, or before a colon.
_AFTER, _TRAILING, _LEAD_IN, _COLON = "after", "trailing", "lead-in", "colon"
# A quotation of one or two words is something said only when its own sentence says who said
# it: '"No," he said', 'He replied: "Never."', 'Fields said producers were "desperate"'. One
# that takes its speaker from the quotations around it, or from a clause at the end of its
# sentence, is a word put in quotes ('Using this "financial deficit" method, ...').
_SAYS_SHORT = frozenset((_AFTER, _COLON, _LEAD_IN))
# Up to three words in quotes after "so-called" or "dubbed" are what something is called, not what
# anyone said, whoever the sentence is about: 'Volcker said ... the so-called "Big Bang" reforms'.
_CALLED_WORDS = 3
_CALLED = re.compile(r"\b(?:so-called|so called|dubbed|nicknamed|code-named|codenamed|known as)\s*$", re.IGNORECASE)

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


def _trie(words: list[str]) -> str:
    """An alternation of ``words`` as a prefix tree: the same strings, but
    the regular expression engine reads each character once instead of
    trying every word in turn. (No word of _VERBS is another one followed by
    a word boundary, so the match at any place is the same.)"""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if "" in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(tree)


_VERB_TRIE = _trie(sorted(set(_VERBS.split("|"))))
_STRONG_VERB = re.compile(rf"\b(?:{_VERB_TRIE})\b")
_VERB = re.compile(rf"\b(?:{_VERB_TRIE})\b|(?<!-)\b[a-z]{{3,}}ed\b")  # not "so-called"
_PRONOUNS = frozenset("he she they we it i".split())
_DETERMINERS = frozenset("the a an one another two three some several many its his her their our".split())
# After a quotation: up to eight words (the speaker), an optional adverb and
# the verb: "Dillon affirmed", "25-year-old Dillon Passage recalled",
# "the disgraced former zoo owner acknowledged", "Joe reportedly wrote".
_AFTER_SPEAKER_VERB = re.compile(
    rf"[\s,]*(?P<clause>[^\"“”,;:!?]{{1,90}}?)\s+(?:[a-z]+ly\s+)?(?:{_VERB_TRIE}|[a-z]{{3,}}ed)\b"
)
# Titles written short with a full stop before a name ("said Mr. Smith", "said Sen. Bennett
# Johnston"): the full stop ends neither the name nor the sentence.
_TITLE_ABBREVIATIONS = "Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Capt|Lt|Sgt|Adm|Cmdr|Rev|St|Jr|Sr"
# What may name a speaker after the verb: no quote mark, no punctuation that ends a clause and no
# dash ("said Jim Wright — adding ..."), but the full stops of a title or an initial ("J. Hugh
# Liedtke").
_SPEAKER_CHARACTERS = rf"(?:\b(?:{_TITLE_ABBREVIATIONS}|[A-Z])\.|(?!\s+--?\s)[^\"“”,;:.!?—–])"
# Or the verb first: "said Gavin Launder, an analyst with ...".
_AFTER_VERB_SPEAKER = re.compile(
    r"[\s,]*(?:[a-z]+ly\s+)?(?:said|says|added|adds|wrote|writes|told|asked|continued|explained|noted|declared"
    rf"|warned)\s+(?P<clause>{_SPEAKER_CHARACTERS}{{1,60}})"
)
# What follows a name after the verb and is not part of it: "said Sumita in a statement quoted by
# Kyodo", "said Smith at a news conference", "said Jones, who ...".
_AFTER_THE_NAME = re.compile(r"\s+(?:in|on|at|after|before|when|while|during|as|from|with|by|who|which|that)\b")
_OF = re.compile(r"\s+of\s")
# Or a dash, then who said it: '“We are not going anywhere” — Senator Robert Byrd, on ...'.
_DASH = re.compile(r"\s*(?:[—–]|--?(?=\s))\s*")
_DASH_SPEAKER = re.compile(rf"\s*(?:[—–]|--?(?=\s))\s*(?P<clause>[A-Z]{_SPEAKER_CHARACTERS}{{0,60}})")
# Or, after the dash, whom the words are from: '“...” — that was the message from Senator Byrd'.
_FROM_SOMEONE = re.compile(rf"\bfrom\s+(?P<clause>[A-Z]{_SPEAKER_CHARACTERS}{{0,60}})")
# Or "according to" someone, after the quotation or leading into it: '"...," according to Treasury
# Secretary James Baker'; 'According to Baker, "the talks ..."'.
_ACCORDING_TO_AFTER = re.compile(rf"[\s,]*according\s+to\s+(?P<clause>{_SPEAKER_CHARACTERS}{{1,60}})")
_ACCORDING_TO_BEFORE = re.compile(rf"[Aa]ccording\s+to\s+(?P<clause>{_SPEAKER_CHARACTERS}{{1,60}}),")
# A name followed by its verb: "co-Chairman Alastair Morton said".
_SPEAKS = re.compile(rf",?\s+(?:[a-z]+ly\s+)?(?:{_VERB_TRIE})\b")
# An attribution that ends the sentence after a quotation and more words:
# '"..." based on sales of only a few days, he said.'
_TRAILING_ATTRIBUTION = re.compile(
    r",\s*(?P<clause>[^,\"“”]{1,60}?)\s+(?:[a-z]+ly\s+)?(?:said|says|added|adds|told|wrote|noted|explained)"
    r"(?:\s+[^,.\"“”]{0,40})?[.!?]?\s*$"
)
_TRAILING_ADVERB = re.compile(r"\s+[a-z]+ly\s*$")
_LEADING_CONJUNCTION = re.compile(
    r"(?:(?:But|And|So|Yet|Then|Later|Now|Earlier|Also|However|Meanwhile|Still|Instead),?\s+)+"
)
# Where the subject of the verb before a quotation begins: after a comma or
# a conjunction ("..., but Edwards said", "... that he told").
_CLAUSE_START = re.compile(r"(?:[,;(]\s*|\b(?:and|but|that|while|as|because|when|which|who|so)\s+)")
# Characters: a sentence is read no further than this from a quotation (news sentences are far
# shorter; a paragraph of quotations without full stops was read to its end for each one).
_LONGEST_SENTENCE = 1000
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_ABBREVIATED = re.compile(rf"(?:\b[A-Z]\.|\b(?:{_TITLE_ABBREVIATIONS}|Inc|Corp|Co|Ltd|No)\.)$")

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
_PARTY_MEMBERS = frozenset("democrat republican conservative liberal socialist communist".split())
_ROLE_WORDS = names.PERSON_ROLE_WORDS | frozenset("senior chief deputy former vice co acting executive".split())
# Someone unnamed, described by what they are: "one banker", "a Wright aide", "the analyst".
_UNNAMED_NOUNS = frozenset(
    """analyst dealer economist trader official banker broker spokesman spokeswoman spokesperson source
    diplomat executive observer expert strategist manager delegate lawyer aide adviser advisor insider
    negotiator""".split()
)
_PERSON_NOUNS = _UNNAMED_NOUNS | names.PERSON_ROLE_WORDS
# A name followed by one of these words describes someone else: "a Wright aide", "Baker
# advisers", "Kahl's paper" (with the possessive), "Pennzoil officials".
_NAME_MODIFIES = _PERSON_NOUNS | frozenset(w + "s" for w in _PERSON_NOUNS) | _NOT_A_PERSON | frozenset(
    "sources camp paper papers people staff".split()
)
# A word between the start of a description and a name that makes the name something else
# than who speaks: "one source when asked about Volcker", "an aide to Dole", "a banker at Chase".
_LINK_WORDS = frozenset(
    """of at for to with about when after before on in from as who whom whose which that while asked
    close near than like under over behind against""".split()
)


@dataclass
class _Span:
    paragraph: int
    open: int  # offset of the opening mark in the text
    close: int  # offset of the closing mark, or the paragraph's end
    inner: str
    closed: bool


_LEADING_BLANK = re.compile(r"\s*")
_LAST_NOT_BLANK = re.compile(r"(?s:.*)\S")  # up to the last character that is not white space
_END = re.Match.end
_SPAN = re.Match.span


_START = re.Match.start
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_new = object.__new__
_set = object.__setattr__


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, stripped, in order."""
    gaps = list(map(_SPAN, _PARAGRAPH_BREAK.finditer(text)))
    starts = [0, *map(_SECOND, gaps)]
    ends = [*map(_FIRST, gaps), len(text)]
    # Where each paragraph's text begins and ends, white space left out;
    # None for a blank one. (Each regular expression reads only the white
    # space at one end.)
    lasts = list(map(_LAST_NOT_BLANK.match, repeat(text), starts, ends))
    firsts = map(_END, map(_LEADING_BLANK.match, repeat(text), starts, ends))
    if None not in lasts:
        return list(zip(firsts, map(_END, lasts)))
    return [(first, last.end()) for first, last in zip(firsts, lasts) if last is not None]


def _is_opening(text: str, at: int, start: int) -> bool:
    before = text[at - 1] if at > start else " "
    return before.isspace() or before in "([{—–-/:" or before in _DOUBLE + _SINGLE


_DOUBLE_MARK = re.compile(r'["“”„]')
_SINGLE_MARK = re.compile(r"['‘’]")
# A single quote that may open a quotation (see _single_quoted): after white
# space, an opening bracket or dash, a slash, a colon or a quote mark, or at
# the very start, and before a letter or digit. Each starts with its mark,
# which the regular expression engine finds fast.
_OPENING_STRAIGHT = re.compile(r"'(?<![^\s(\[{—–\-/:\"“”„'‘’]')(?=[^\W_])")
_OPENING_CURLY = re.compile(r"‘(?<![^\s(\[{—–\-/:\"“”„'‘’]‘)(?=[^\W_])")


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
            if _is_apostrophe(text, at, start, end):
                continue
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


def _is_apostrophe(text: str, at: int, start: int, end: int) -> bool:
    """A straight double quote typed for an apostrophe, as Reuters sometimes
    did: "Qatar"s OPEC quota", "QATAR"S BANKS"."""
    return (
        at > start and text[at - 1].isalpha() and at + 1 < end and text[at + 1] in "sS"
        and (at + 2 >= end or not text[at + 2].isalnum())
    )


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
    cleaned = " ".join(inner.split())  # runs of white space made single spaces
    return cleaned[:-1].rstrip() if cleaned.endswith(",") else cleaned


def extract_quotes(text: str, mentions: Sequence[names.Mention] | None = None) -> list[Quote]:
    """Every direct quotation in ``text`` (an article body: paragraphs
    separated by blank lines), in order, with its speaker where known.

    ``mentions`` are ``names.find_mentions(text)`` when the caller has them
    already; otherwise they are found here, only if there is a quotation."""
    double_marks = '"' in text or "“" in text or "”" in text or "„" in text
    # A single quote opens a quotation only after white space or an opening
    # mark and before a letter or digit: most articles have apostrophes
    # ("Japan's") and no such mark, and are done with here.
    single_marks = bool(("'" in text and _OPENING_STRAIGHT.search(text)) or ("‘" in text and _OPENING_CURLY.search(text)))
    if not double_marks and not single_marks:
        return []
    paragraphs = _paragraphs(text)
    found: dict[int, list[_Span]] = {}  # paragraph number -> its quoted spans, for paragraphs with any
    if single_marks:
        for number, (start, end) in enumerate(paragraphs):
            double = _double_quoted(text, number, start, end) if double_marks else []
            single = _single_quoted(text, number, start, end, double)
            spans = sorted(double + single, key=lambda s: s.open) if single else double
            if spans:
                found[number] = spans
    else:
        # Only the paragraphs that hold a double quote mark.
        starts = list(map(_FIRST, paragraphs))
        for index in sorted(set(map(bisect_right, repeat(starts), map(_START, _DOUBLE_MARK.finditer(text))))):
            if not index:
                continue  # (never: a mark is inside a paragraph)
            start, end = paragraphs[index - 1]
            spans = _double_quoted(text, index - 1, start, end)
            if spans:
                found[index - 1] = spans
    if not found:
        return []
    resolver = _Resolver(text, paragraphs, mentions)
    quotes: list[Quote] = []
    already: set[tuple[str, str | None]] = set()  # (quotation, speaker) found in this text
    previous_speaker: str | None = None  # of the last quotation in the paragraph before
    previous = -2  # the number of the last paragraph with quotations
    for number, spans in found.items():
        if number != previous + 1:
            previous_speaker = None  # the paragraph before has none
        previous = number
        groups = _join(text, spans)
        paragraph_speaker: str | None = None
        said_in, said_how = -1, None  # where the paragraph's last speaker was found, and how
        for group in groups:
            first, last = group[0], group[-1]
            speaker, attributed = resolver.speaker(first, group)
            speaker = speaker or None
            sentence = resolver.sentence_of(number, first.open)
            if attributed is None:
                if paragraph_speaker is not None:
                    speaker = paragraph_speaker
                    if sentence == said_in:
                        attributed = said_how  # 'He added that it was a "reaffirmation", that the "solidarity" ...'
                elif _opens_paragraph(text, paragraphs[number][0], first.open) and previous_speaker is not None:
                    speaker = previous_speaker
            quotation = _clean(" ".join([" ".join(span.inner.split()) for span in group]))
            words = len(quotation.split())
            if not quotation or (words < _SHORT_QUOTE_WORDS and (speaker is None or attributed not in _SAYS_SHORT)):
                continue
            if words <= _CALLED_WORDS and _CALLED.search(text, max(0, first.open - 12), first.open):
                continue
            if (quotation, speaker) not in already:  # said again (a summary, then the story): one quotation
                already.add((quotation, speaker))
                quote = _new(Quote)
                _set(quote, "__dict__", {"text": quotation, "speaker": speaker, "paragraph": number})
                quotes.append(quote)  # Quote(quotation, speaker, number), without the frozen __init__
            if speaker is not None:
                paragraph_speaker = speaker
                said_in, said_how = sentence, attributed
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


_MENTION_START = attrgetter("start")


# Someone unnamed who comes into focus: the subject of a sentence ("A foreign exchange analyst",
# "But an official at the embassy"), or who says something ("said one banker", "..., a USDA analyst
# said"). The noun is what they are ("analyst"), for "the analyst" later on.
_UNNAMED_SUBJECT = re.compile(
    r"(?:(?:[.!?][\"”’']?\s+|\n\s*)(?:A|An|One|Another|(?:But|And|However|Yet|So|Still|Meanwhile|Also),?\s+(?:a|an|one|another))"
    r"|\b(?:said|says|added|according\s+to)\s+(?:a|an|one|another)"
    r"|(?P<comma>[,\"”])\s*(?:a|an|one|another)(?=\s(?:[^.!?\"“”]|(?<=[A-Z])\.){0,70}?\b(?:said|says|added|told)\b))"
    r"\s+(?:[A-Za-z.-]+\s+){0,3}?"
    r"(?P<noun>analyst|dealer|economist|trader|official|banker|broker|spokesman|spokeswoman|source|diplomat"
    r"|executive|observer|expert|strategist|manager|delegate|lawyer|aide|adviser|negotiator)s?\b"
)


# A name right after the verb, then a comma or a full stop: "said Juan Carlos Pugliese, speaker
# of ..." (not "said Ongpin was").
_SAID_BEFORE = re.compile(r"\b(?:said|says|added|adds|told|asked|wrote)\s+$")
_SINGULAR = frozenset("a an one another the this that".split())


_REGION_WORDS = frozenset("central eastern western northern southern gulf latin".split())


def _is_nationality(word: str) -> bool:
    """"Iranian", "Japanese", "Soviet" (not "central": "the central banker")."""
    word = word.strip(",.'’()")
    return word[:1].isupper() and word.lower() in DEMONYMS and word.lower() not in _REGION_WORDS


def _person_head(words: list[str]) -> str | None:
    """What a description of a person says they are ("a Reagan administration official":
    "official"), before any link word ("a banker at Chase": "banker"), or None."""
    head = None
    for word in words[1:]:
        word = word.lower().strip(",.'’()")
        if word in _LINK_WORDS:
            break
        if word in _PERSON_NOUNS:
            head = word
    return head


class _Resolver:
    """Finds speakers, with the names of the article and the person in focus."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], mentions: Sequence[names.Mention] | None):
        self.text = text
        self.paragraphs = paragraphs
        self._paragraph_starts = [s for s, _ in paragraphs]
        self._paragraph_end = dict(paragraphs)
        self._sentence_ends: dict[int, tuple[list[int], list[int]]] = {}
        self.mentions = list(mentions) if mentions is not None else names.find_mentions(text)
        self._starts = list(map(_MENTION_START, self.mentions))
        self._sorted = self._starts == sorted(self._starts)
        # Who is in focus, by position: people who begin a sentence or
        # speak (worked out when asked), and named speakers as they are found.
        self._people: list[tuple[int, str]] | None = None
        self._in_focus_as_person: dict[int, bool] = {}
        # Named speakers as found: (position, how many were found before, name), kept sorted.
        self._speakers: list[tuple[int, int, str]] = []
        self._organisations: set[str] = set()  # speakers described as an organisation ("the Treasury")
        # Unnamed people who spoke ("said one banker"): (position, what they are), kept sorted.
        self._unnamed: list[tuple[int, str]] = []
        # "he" or "she" for a person, as a pronoun that went to them earlier showed it.
        self._gender: dict[str, str] = {}
        # A name, and each word of a name -> the first mention with it (built when asked).
        self._first_with: dict[str, str] | None = None
        self._after_given_name: dict[str, str | None] = {}  # see _given_name_before

    def focus(self, at: int, speaker: str) -> None:
        """A named speaker comes into focus, for "he" and "she" later on; not one that
        spoke as an organisation ("the White House said")."""
        if speaker not in self._organisations:
            insort(self._speakers, (at, len(self._speakers), speaker))

    def _organisation(self, name: str) -> str:
        self._organisations.add(name)
        return name

    def _person_in_focus(self, index: int) -> bool:
        answer = self._in_focus_as_person.get(index)
        if answer is None:
            mention = self.mentions[index]
            answer = self._in_focus_as_person[index] = mention.kind == names.PERSON and bool(
                self._begins_sentence(mention.start) or _SPEAKS.match(self.text, mention.end)
                or (_SAID_BEFORE.search(self.text, max(0, mention.start - 8), mention.start)
                    and self.text[mention.end : mention.end + 1] in (",", ".", ""))
            )
        return answer

    def _in_focus(self, at: int, pronoun: str | None = None, head: str | None = None) -> str | None:
        """The last person in focus before ``at`` (of two at the same place,
        the one found last). For a ``pronoun``, nobody if an unnamed person
        came into focus since ("A foreign exchange analyst ... "...," he said"), or if the person
        is known to be of the other gender; for a description whose ``head`` is what an unnamed
        person who came since is ("A foreign banker ... "...," the banker said"), nobody."""
        if self._sorted:
            # The people in text order: the last one before ``at`` that
            # begins a sentence or speaks, read backwards.
            person = None
            for index in range(bisect_right(self._starts, at - 1) - 1, -1, -1):
                if self._person_in_focus(index):
                    person = self.mentions[index]
                    break
            best = (person.start, person.name) if person is not None else None
            return self._speaker_after(best, at, pronoun, head)
        if self._people is None:
            self._people = [
                (mention.start, mention.name)
                for index, mention in enumerate(self.mentions)
                if self._person_in_focus(index)
            ]
        best = None
        for position, name in self._people:
            if position < at and (best is None or position >= best[0]):
                best = (position, name)
        return self._speaker_after(best, at, pronoun, head)

    def _speaker_after(
        self, best: tuple[int, str] | None, at: int, pronoun: str | None = None, head: str | None = None
    ) -> str | None:
        """The named speaker found last at the last position before ``at``, if that
        is not before ``best`` (a person's position and name); else ``best``'s name.
        Looked up in the sorted speakers: a long text has thousands."""
        last = bisect_left(self._speakers, (at,)) - 1
        if last >= 0:
            position, _, name = self._speakers[last]
            if best is None or position >= best[0]:
                best = (position, name)
        if best is None:
            return None
        if pronoun:
            came_since = self._subject_since(best[0], at)
            if came_since is not None:
                return came_since[0] or None
            if self._gender.get(best[1], pronoun) != pronoun:
                return None  # "she added" is not about Mr Smith
        elif head is not None:
            came_since = self._subject_since(best[0], at, head)
            if came_since is not None and not came_since[0]:
                return None  # "the banker" is the unnamed banker
        return best[1]

    def _subject_since(self, since: int, at: int, head: str | None = None) -> tuple[str, str] | None:
        """The last unnamed person who came into focus between ``since`` and ``at`` (the
        subject of a sentence, or someone who spoke), as (name, what they are): name "" for
        nobody named, the name if named just after ("A spokesman for the bank, Tom Murtha,
        said"); None when there is no one. With ``head``, only someone who is that ("banker")."""
        unnamed = None
        for match in _UNNAMED_SUBJECT.finditer(self.text, since, at):
            if match.group("comma") == "," and "," in self.text[match.end() : match.end() + 70].split(" said", 1)[0]:
                continue  # a name and what they are: "Dennis McAlpine, an analyst with Oppenheimer, said"
            if head is None or match.group("noun") == head:
                unnamed = match
        spoke = None
        for position, noun in self._unnamed[bisect_left(self._unnamed, (since,)) : bisect_left(self._unnamed, (at,))]:
            if head is None or noun == head:
                spoke = (position, noun)
        if spoke is not None and (unnamed is None or spoke[0] >= unnamed.start()):
            return "", spoke[1]
        if unnamed is None:
            return None
        for m in self.mentions:
            if m.kind == names.PERSON and unnamed.end() <= m.start < min(at, unnamed.end() + 60) \
                    and self.text[unnamed.end() : m.start].rstrip().endswith(","):
                return m.name, unnamed.group("noun")
        return "", unnamed.group("noun")

    def _speaks_as(self, person: names.Mention, start: int, end: int, found: list[names.Mention]) -> bool:
        """Whether ``person``, named in the subject ``text[start:end]``, is who speaks: not
        "a Wright aide", "Kahl's paper", "one source when asked about Volcker", "an aide to Dole"."""
        text = self.text
        # The words before the name, other names left out ("American Chamber of Commerce
        # president George Drysdale" has no link word).
        before = []
        at = start
        for m in found:
            if m.start >= person.start:
                break
            if m.start >= at:
                before.append(text[at : m.start])
                at = m.end
        before.append(text[at : person.start])
        words = " ".join(before).split()
        first = words[0].lower() if words else ""
        if (first in _DETERMINERS or (first in _NAME_MODIFIES and first not in _ROLE_WORDS)) and any(
            w.lower().strip(",.()") in _LINK_WORDS for w in words
        ):
            return False  # not "In the paper Bangemann wrote", "Chancellor of the Exchequer Nigel Lawson"
        after = text[person.end : end]
        if after[:1] in ("'", "’"):
            return False  # a possessive
        following = after.split(None, 1)
        return not (following and following[0].lower().strip(",.") in _NAME_MODIFIES)

    def _unnamed_spoke(self, at: int, words: list[str]) -> None:
        """An unnamed person described by ``words`` ("one banker", "the ministry official")
        speaks at ``at``: the person in focus for "he", "she" and "the banker" after it."""
        if words[0].lower() in _SINGULAR:
            head = _person_head(words)
            if head is not None:
                insort(self._unnamed, (at, head))

    def _sentence_start(self, start: int, at: int) -> int:
        """Where the sentence that holds ``at`` begins, no earlier than
        ``start`` (the start of a paragraph)."""
        ends = self._sentence_ends.get(start)
        if ends is None:
            # Each sentence end of the paragraph: (where the next sentence
            # begins, how far the end's look-ahead reads). A search that
            # stops at ``at`` sees only the ends whose look-ahead reads no
            # further than ``at``.
            text = self.text
            stop = self._paragraph_end.get(start, len(text))
            found = [
                (end.end(), end.end() + (2 if text[end.end()] in "\"'“‘(" else 1))
                for end in _SENTENCE_END.finditer(text, start, stop)
                if not _ABBREVIATED.search(text, max(start, end.start() - 5), end.start() + 1)
            ]
            ends = self._sentence_ends[start] = ([b for b, _ in found], [r for _, r in found])
        begins, reads_to = ends
        index = bisect_right(reads_to, at)
        # No further back than _LONGEST_SENTENCE: what is read from a sentence's start to a quotation
        # (its verbs, its marks) was read again for each quotation of a paragraph without full stops.
        return max(begins[index - 1] if index else start, at - _LONGEST_SENTENCE)

    def sentence_of(self, paragraph: int, at: int) -> int:
        """Where the sentence holding ``at`` (in that paragraph) begins."""
        return self._sentence_start(self.paragraphs[paragraph][0], at)

    def _paragraph_start(self, at: int) -> int:
        index = bisect_right(self._paragraph_starts, at)
        return self._paragraph_starts[index - 1] if index else 0

    def _begins_sentence(self, at: int) -> bool:
        before = self.text[self._sentence_start(self._paragraph_start(at), at) : at]
        lead = _LEADING_CONJUNCTION.match(before)
        rest = before[lead.end() if lead else 0 :].strip(" \t\n\"“‘'")
        # Or after its title: "U.S. Trade Representative Clayton Yeutter reminded ...".
        if not rest:
            return True
        words = rest.split()
        return (
            words[-1].lower().rstrip(".") in _ROLE_WORDS
            and not any(c in rest for c in ",;:()\"“”")
            and all(w[0].isupper() or w.lower() in _ROLE_WORDS for w in words)
        )

    def _who(self, start: int, end: int, at: int) -> tuple[bool, str | None]:
        """Read ``text[start:end]`` as the subject of an attribution:
        (whether it is one, the speaker). ``at`` is where the quote is."""
        clause = self.text[start:end]
        words = clause.split()
        if not words or len(words) > (12 if words[0].lower() in _DETERMINERS else 8):
            return False, None
        if self._sorted:
            found = self.mentions[bisect_right(self._starts, start - 1) : bisect_right(self._starts, end - 1)]
        else:
            found = [m for m in self.mentions if start <= m.start < end]
        people = [m for m in found if m.kind == names.PERSON]
        if clause.endswith(("'s", "’s", "s'", "s’")) and not (
                found and found[-1].end >= end and found[-1].name.endswith(("'s", "’s"))):
            return False, None  # a possessive is not the subject: "Pennzoil's retired president"; "Moody's" is
        # "spokesman Michel Dufour", "senior vice president John Smith".
        if words[0][0].islower() and people and all(
            w in _ROLE_WORDS for w in self.text[start : people[-1].start].split()
        ):
            return True, people[-1].name
        first = words[0]
        if first in _PRONOUNS or (first.lower() in _PRONOUNS and first != "It" and len(words) == 1):
            if first.lower() not in ("he", "she"):
                return True, None
            pronoun = first.lower()
            who = self._in_focus(at, pronoun=pronoun)
            if who is not None:
                self._gender.setdefault(who, pronoun)
            return True, who
        speaking = [m for m in people if self._speaks_as(m, start, end, found)]
        if first.lower() in _DETERMINERS:
            if speaking:
                return True, speaking[-1].name
            # "a hand-written statement by Islamic Jihad ...".
            by = re.search(r"\b(?:by|from)\s", clause)
            named = [m for m in found if by and m.start >= start + by.end()]
            if named:
                return True, named[0].name
            head = words[-1].lower().strip(".'’")
            organisations = [m for m in found if m.kind == names.ORGANIZATION]
            if organisations and head in _ORGANISATION_NOUNS:
                return True, self._organisation(organisations[-1].name)  # "The Sterling Grace Capital group"
            if found and found[-1].end >= start + len(clause.rstrip(" .'’")) and head not in _ROLE_WORDS \
                    and head not in _PARTY_MEMBERS:
                # The description ends in a name that is not a person's: "the White House",
                # "the Treasury". It speaks as itself, never as someone in focus. (Not "the
                # Treasury Secretary" or "the West Virginia Democrat": a person in focus.)
                return True, self._organisation(found[-1].name) if found[-1].kind == names.ORGANIZATION else None
            if (
                first.lower() in _INDEFINITE
                or any(w.lower().strip(".'’") in _NOT_A_PERSON for w in words[1:])
                or (head.endswith("s") and not head.endswith("ss"))
            ):
                self._unnamed_spoke(start, words)
                return True, None  # "a spokesman", "the company", "the Republicans"
            head = _person_head(words)
            if head in _UNNAMED_NOUNS and (
                    any(m.kind == names.PLACE for m in found) or any(_is_nationality(w) for w in words[1:])):
                # "the U.S. official", "the Iranian spokesman": someone of a country, not the
                # person in focus (who may be of another).
                self._unnamed_spoke(start, words)
                return True, None
            # "the disgraced former zoo owner"; not the unnamed banker who spoke since.
            who = self._in_focus(at, head=head)
            if who is None:
                self._unnamed_spoke(start, words)
            return True, who
        if not (first[0].isupper() or first[0].isdigit()):
            return False, None
        if len(words) == 1 and first.endswith("s") and not first.endswith(("ss", "'s", "’s")) and not people:
            return True, None  # "Democrats", "Analysts": a group, not one speaker
        if speaking:
            return True, speaking[-1].name
        if people:
            return True, None  # "Sources close to Baker", "Wright aides", "Kahl's paper"
        if found and not self._speaks_as(found[-1], start, end, found):
            return True, None  # "Pennzoil officials", "Kahl's paper"
        if found:
            return (True, found[-1].name) if found[-1].kind == names.ORGANIZATION else (False, None)
        return self._unrecognised(words)

    def _unrecognised(self, words: list[str]) -> tuple[bool, str | None]:
        """A capitalised speaker the names module did not report here."""
        kept = [w for w in words if not re.match(r"\d+-year-old$", w)]
        if not kept or not all(w[0].isupper() for w in kept) or kept[0] in ("He", "She", "They", "We", "It", "I"):
            return False, None
        written = re.sub(r"['’]s?$", "", " ".join(kept).rstrip("."))
        if self._first_with is None:
            # Looked up, not searched for: a long text has tens of thousands of mentions.
            self._first_with = {}
            for mention in self.mentions:
                for key in (mention.name, *mention.name.split()):
                    self._first_with.setdefault(key, mention.name)
        named = self._first_with.get(written)
        if named is not None:
            return True, named
        # Not a title with no name after it ("said Mr." or "former Nevada Sen."), nor a word that
        # is never a name alone ("When asked ...", "May said": a month, May Department Stores),
        # unless the text names someone with it after a given name ("analyst Rick May").
        if kept[-1].lower() in PERSON_TITLES:
            return False, None
        if len(kept) == 1 and not names.is_name_alone(kept[0]):
            person = self._given_name_before(kept[0].rstrip("."))
            return (True, person) if person else (False, None)
        return True, written

    def _given_name_before(self, surname: str) -> str | None:
        """"Rick May" when the text says "Rick May" (a given name before ``surname``), else None.
        Once per word and text: read again for each speaker, a paragraph of quotations "said
        When." was quadratic (the words asked about are those never a name alone: a few hundred)."""
        if surname not in self._after_given_name:
            self._after_given_name[surname] = next(
                (f"{match.group(1)} {surname}"
                 for match in re.finditer(rf"\b([A-Z][a-z]+)\s+{re.escape(surname)}\b", self.text)
                 if match.group(1).lower() in GIVEN_NAMES), None)
        return self._after_given_name[surname]

    def _name_end(self, start: int, end: int) -> int:
        """Where a speaker named after the verb ends in ``text[start:end]``: before what
        follows the name ("Sumita in a statement quoted by Kyodo" is "Sumita")."""
        if self.text[start : start + 1].isupper():
            after = _AFTER_THE_NAME.search(self.text, start, end)
            if after is not None:
                return after.start()
        return end

    def speaker(self, first: _Span, group: list[_Span]) -> tuple[str | None, str | None]:
        """(speaker, how the quotation itself is attributed: _AFTER, _TRAILING, _LEAD_IN, _COLON; or None)."""
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
                    start, end = match.span("clause")
                    if pattern is _AFTER_VERB_SPEAKER:
                        end = self._name_end(start, end)
                    ok, who = self._who(start, end, span.open)
                    if not ok and pattern is _AFTER_VERB_SPEAKER and text[start : start + 1].isupper():
                        # Too long to read whole: "said Mark Obrinsky of the U.S. League of Savings
                        # Institutions" is Mark Obrinsky, a name that ends before "of" (not "said
                        # Industrial Bank of Japan Ltd senior economist ...").
                        of = _OF.search(text, start, end)
                        if of is not None and any(
                                start <= m.start and m.end <= of.start() for m in self.mentions):
                            ok, who = self._who(start, of.start(), span.open)
                        if not ok:
                            return _NOBODY, _AFTER  # someone named there, not the last speaker
                    if ok:
                        return who, _AFTER
            dash = _DASH_SPEAKER.match(text, *window)
            if dash:
                ok, who = self._who(dash.start("clause"), self._name_end(*dash.span("clause")), span.open)
                if ok and who:
                    return who, _AFTER
            according = _ACCORDING_TO_AFTER.match(text, *window)
            if according:
                # The source is named: no one else's words, whoever it is.
                ok, who = self._who(according.start("clause"), self._name_end(*according.span("clause")), span.open)
                return (who if ok and who else _NOBODY), _AFTER
        # 1b. At the end of the sentence: '"..." based on sales, he said.'
        if first.closed and group[-1].closed:
            after_start = group[-1].close + 1
            reach = min(paragraph_end, after_start + _LONGEST_SENTENCE)
            sentence_end = _SENTENCE_END.search(text, after_start, reach)
            stop = sentence_end.start() + 1 if sentence_end else reach
            if '"' not in text[after_start:stop] and "“" not in text[after_start:stop]:
                match = _TRAILING_ATTRIBUTION.search(text, after_start, stop)
                if match:
                    ok, who = self._who(match.start("clause"), match.end("clause"), first.open)
                    if ok:
                        return who, _TRAILING
        # 2. The subject of the verb that leads into the quotation.
        lead = self._lead_in(paragraph_start, first.open)
        if lead is not None:
            return lead, _COLON if text[paragraph_start:first.open].rstrip().endswith(":") else _LEAD_IN
        # 2b. A sentence that begins "According to Baker, ...".
        begin = self._sentence_start(paragraph_start, first.open)
        if text.find("ccording to", begin, first.open) >= 0:
            lead = _LEADING_CONJUNCTION.match(text, begin, first.open)
            according = _ACCORDING_TO_BEFORE.match(text, lead.end() if lead else begin, first.open)
            if according:
                ok, who = self._who(according.start("clause"), self._name_end(*according.span("clause")), first.open)
                return (who if ok and who else _NOBODY), _LEAD_IN
        # 3. A paragraph that opens with the quotation after one ending in ":".
        if first.paragraph > 0 and _opens_paragraph(text, paragraph_start, first.open):
            prev_start, prev_end = self.paragraphs[first.paragraph - 1]
            if text[prev_start:prev_end].rstrip().endswith(":"):
                lead = self._lead_in(prev_start, prev_end)
                if lead is not None:
                    return lead, _COLON
        # 3b. A dash after the quotation, then words that say whose they are: "“...” — that was the
        # message from Assistant Secretary Richard Perle." gives the name after "from"; other words
        # ("... from the committee") no speaker, but not the last speaker either.
        last = group[-1]
        if last.closed:
            dash = _DASH.match(text, last.close + 1, paragraph_end)
            if dash and dash.end() < paragraph_end:
                return self._from_after_dash(dash.end(), paragraph_end, first.open) or _NOBODY, _TRAILING
        return None, None

    def _from_after_dash(self, start: int, paragraph_end: int, at: int) -> str | None:
        """The name after "from" in the sentence that begins at ``start`` (after a dash), if the
        module can read one there: "that was the message from Assistant Secretary Richard Perle"."""
        sentence_end = _SENTENCE_END.search(self.text, start, min(paragraph_end, start + _LONGEST_SENTENCE))
        stop = sentence_end.start() + 1 if sentence_end else min(paragraph_end, start + _LONGEST_SENTENCE)
        source = _FROM_SOMEONE.search(self.text, start, stop)
        if source is None:
            return None
        ok, who = self._who(source.start("clause"), self._name_end(*source.span("clause")), at)
        return who if ok else None

    def _lead_in(self, start: int, at: int) -> str | None:
        """The speaker named as the subject of an attribution verb in the
        sentence before ``at``, or None when there is no such verb."""
        text = self.text
        begin = self._sentence_start(start, at)
        # Only the text after an earlier quotation in the same sentence.
        mark = max(text.rfind('"', begin, at), text.rfind("“", begin, at), text.rfind("”", begin, at),
                   text.rfind("„", begin, at))
        if mark >= 0:
            begin = mark + 1
        # The attribution verbs from the list, last first, then other verbs
        # in -ed, last first (one pass: a verb of the list is never part of
        # a word in -ed, nor the other way round).
        found = list(_VERB.finditer(text, begin, at))
        found.reverse()
        verbs = [m for m in found if m.group() in _STRONG_WORDS]
        verbs += [m for m in found if m.group() not in _STRONG_WORDS]
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
            trimmed = _TRAILING_ADVERB.sub("", chunk).rstrip()
            ok, who = self._who(chunk_start + len(chunk) - len(chunk.lstrip()), chunk_start + len(trimmed), at)
            if ok:
                return who if who is not None else _NOBODY
        return None



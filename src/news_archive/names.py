"""People, organisations and places mentioned in an article.

Pure functions only: text in, names out. No models, no downloads: a
heuristic over capitalisation, written for English news text. See
docs/quality.md for why (speed, and no model package installs from PyPI
without a download) and for the precision and recall it reaches.

How a name is found:

1. Candidates are runs of capitalised words ("Dillon Passage", "U.S.",
   "SpecTran", "O'Brien"), joined by "of", "and", "for", "the" and "&" when
   the whole run turns out to be an organisation or a place ("Bank of Japan",
   "Securities and Exchange Commission"); otherwise the run is split there
   ("Cardi B and Kim Kardashian" is two names).
2. Words that are capitalised only because they start a sentence are
   dropped: function words ("Despite Joe" is "Joe"), days and months,
   demonyms ("Japanese officials"), and a lone sentence-initial word that the
   article never capitalises anywhere else ("Dealers said", "Snowpack and
   precipitation").
3. Titles mark people and are not part of the name ("President Peter Donis",
   "Agriculture Secretary Richard Lyng"), as do role words before the name
   ("husband Dillon Passage", "vice minister Makoto Kuroda").
4. The kind comes from, in order: an organisation word at the end or start
   ("Inc", "Corp", "Bank", "Ministry of", ...) or angle brackets (the Reuters
   convention "<Woodco Inc>"); the place lists; a title, role word, given
   name or initial; a "Town, State" pattern ("Quincy, Fla."); an acronym
   (organisation unless it is a place such as "U.S."). Anything left is an
   organisation: in news text an unknown capitalised word is most often a
   company or a product.
5. Short forms are resolved to the fullest form in the article: "Dillon" and
   "Passage" to "Dillon Passage", "Computer Terminal" and "Hardie" to the
   company's full name, "FHLBB" to "Federal Home Loan Bank Board" (from its
   initials, or from "(FHLBB)" after the full name).
6. Paragraphs in capitals (Reuters headlines) are not mined for new names,
   which their capitals would make up from every word; names found in the
   rest of the article are counted there, and the company named before the
   first stock ticker ("ULTRAMAR PLC <UMAR.L> 1986 YEAR") is taken as an
   organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .name_lists import (
    DEMONYMS,
    GIVEN_NAMES,
    NOT_NAMES,
    ORG_HEADS,
    ORG_SUFFIXES,
    PERSON_ROLES,
    PERSON_TITLES,
    PLACE_SUFFIXES,
    PLACES,
)

PERSON_ROLE_WORDS = PERSON_ROLES  # for quotes: "spokesman Michel Dufour"

PERSON = "person"
ORGANIZATION = "organization"
PLACE = "place"
KINDS = (PERSON, ORGANIZATION, PLACE)


@dataclass(frozen=True)
class Name:
    """One person, organisation or place, and how often the article mentions it."""

    name: str  # the fullest form the article uses, e.g. "Dillon Passage"
    kind: str  # "person", "organization" or "place"
    count: int  # mentions, short forms included ("Dillon" counts for Dillon Passage)


@dataclass(frozen=True)
class Mention:
    """One place in the text where a name is mentioned."""

    start: int
    end: int  # text[start:end] is the words as written
    name: str  # the canonical name it refers to
    kind: str


# --- finding candidates -----------------------------------------------------

# Abbreviations that keep their full stop inside a name.
_ABBREVIATIONS = frozenset(
    "Inc Corp Co Ltd Bros Jr Sr St Mt Ft Mr Mrs Ms Dr Prof Gen Gov Sen Rep Col Capt Lt Sgt Adm Rev Calif Fla Conn "
    "Mass Colo Tex Ill Mich Minn Wash Ore Ariz Okla Kan Kans Neb Nev Tenn Wis Wyo Mont Ala Ark Del Ind Ky La Md Miss "
    "Mo Pa Va Vt Ga Ont Que".split()
)
# A capitalised word, with what may follow inside it: "U.S.", "SpecTran",
# "O'Brien", "Kot-Addu", "AT&T", "Inc." (a full stop that ends the sentence
# is taken off later, word by word, which is cheaper than telling them
# apart in the pattern).
_WORD = r"[A-Z][A-Za-z0-9.'’&-]*"
_CONNECTOR = r"(?:of|and|for|the|on|de|du|des|la|le|van|von|der|den|da|di|del|dos|das|zur|zu|ter|bin|ibn|al|y|&)"
_CANDIDATE = re.compile(rf"{_WORD}(?:\s+(?:{_CONNECTOR}\s+)*{_WORD})*")
_TOKEN = re.compile(r"\S+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TICKER_BODY = re.compile(r"<[A-Za-z0-9.]{1,10}>")
_PARENTHESISED_ACRONYM = re.compile(r"\s*\(([A-Z][A-Z0-9.&-]{1,9})\)")
_CITY_STATE = re.compile(r",[ \t\n]*(" + _WORD + r")(?:[ \t]+(" + _WORD + r"))?")
_NAME_PARTICLES = frozenset(
    {"de", "du", "des", "da", "di", "del", "dos", "das", "van", "von", "der", "den", "zur", "zu", "ter", "bin", "ibn",
     "al", "la", "le", "y"}
)  # may stay inside a person's name: "Charles de Gaulle", "Dieter zur Loye"
_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "&"}) | _NAME_PARTICLES
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass
class _Piece:
    start: int
    end: int
    words: list[str]
    sentence_initial: bool
    person_hint: bool = False
    org_hint: bool = False
    place_hint: bool = False

    @property
    def surface(self) -> str:
        return " ".join(self.words)


_Token = tuple[str, int, int]  # word, start, end
_CONTRACTION = re.compile(r"^(.*?)['’](?:s|ve|m|ll|d|re|t)$")


@lru_cache(maxsize=65536)
def _clean(word: str) -> str:
    """A word without its possessive ending: "Joe's" -> "Joe", "Brothers'" -> "Brothers"."""
    if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2]
    if len(word) > 2 and word[-1] in "'’":
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _not_name(word: str) -> bool:
    """Capitalised words that are never (part of) a name: "The", "In",
    "Monday", "I've"."""
    if word in _NOT_NAMES_CASED:
        return True
    if "'" not in word and "’" not in word:
        return False
    contraction = _CONTRACTION.match(word)
    return bool(contraction) and contraction.group(1) in _NOT_NAMES_CASED


_PARTY_STATE = re.compile(r"^[DRI]-[A-Z][a-z]+\.?$")  # "(D-Mass)"


@lru_cache(maxsize=65536)
def _never_alone(word: str) -> bool:
    """Words that are not a name on their own: one letter, a code, "The", a title
    ("Premier"), a demonym in the plural ("Iranians"), a party and state."""
    return (
        len(word) == 1
        or any(c.isdigit() for c in word)  # "A-1", "B707", "G-22B": codes, not names
        or _not_name(word)
        or word.lower() in PERSON_TITLES
        or (word.endswith("s") and word[:-1] in _DEMONYMS_CASED)
        or bool(_PARTY_STATE.match(word))
    )


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def _is_org(words: list[str]) -> bool:
    """An organisation's name by its form: "... Inc", "... Bank", "Bank of
    ...", "State Bank of India", "University of ..."."""
    return _is_org_words(tuple(words))


@lru_cache(maxsize=65536)
def _is_org_words(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    last = _clean(words[-1]).lower()
    if last in ORG_SUFFIXES or last.rstrip(".") in ORG_SUFFIXES:
        return True
    for connector in ("of", "on", "for"):
        if connector in words[1:-1]:
            head = words[words.index(connector) - 1].lower()
            return head in ORG_SUFFIXES or (connector == "of" and words[0].lower() in ORG_HEADS)
    return False


def _is_place(words: list[str]) -> bool:
    if " ".join(words).lower() in PLACES:
        return True
    if len(words) > 1 and words[-1].lower() in PLACE_SUFFIXES:
        return True  # "North Island", "Research Triangle Park"
    return len(words) > 2 and words[0].lower() in PLACE_SUFFIXES and words[1] == "of"  # "Bay of Plenty"


def _sentence_initial(text: str, start: int, floor: int) -> bool:
    """Whether ``start`` begins a sentence: only quotes, brackets and spaces
    between it and the paragraph start or a sentence-ending mark."""
    index = start - 1
    while index >= floor and text[index] in " \t\n\"'“‘([’”-–—":
        index -= 1
    if index < floor or text[index] in "!?:;":
        return True
    if text[index] == ".":
        # "Mr." and initials do not end sentences; other abbreviations
        # ("Inc.") usually do when a capitalised word follows.
        word = text[max(floor, index - 12) : index].rsplit(None, 1)[-1:]
        return not (word and (len(word[0]) == 1 or word[0].lower() in {"mr", "mrs", "ms", "dr", "st"}))
    return False


def _joins_two_names(tokens: list[_Token]) -> bool:
    """Whether an organisation-looking run is two names joined by a
    connector: "Ford Motor Co and Ford Motor Credit Co", "Tangent Inc of
    Dallas", "Switzerland and the Community", "the United Nations and the
    International Monetary Fund"."""
    words = [t[0] for t in tokens]
    for index in range(1, len(words) - 1):
        if words[index] not in ("and", "&", "of"):
            continue
        left = words[:index]
        if _bare(left) != left or " ".join(left).lower() in PLACES:
            return True
        if words[index] == "and" and words[index + 1] == "the":
            return True
    return False


def _split_tokens(tokens: list[_Token]) -> list[list[_Token]]:
    """Split one candidate run into names: at "and" unless the run is an
    organisation, then at the other connectors unless the part is an
    organisation or place, at possessives, at words that are never names."""
    if _is_org([t[0] for t in tokens]) and not _joins_two_names(tokens):
        runs = [tokens]
    else:
        runs, current = [], []
        for token in tokens:
            if token[0] in ("and", "&"):
                runs.append(current)
                current = []
            else:
                current.append(token)
        runs.append(current)
    result = []
    for run in runs:
        result.extend(_split_run(run))
    return result


def _split_run(tokens: list[_Token]) -> list[list[_Token]]:
    words = [t[0] for t in tokens]
    whole = (_is_org(words) and not _joins_two_names(tokens)) or _is_place(words)
    pieces: list[list[_Token]] = []
    current: list[_Token] = []
    for index, token in enumerate(tokens):
        word = token[0]
        lower = word.lower()
        if lower in _CONNECTORS:
            if whole or (lower in _NAME_PARTICLES and current and index + 1 < len(tokens)):
                current.append(token)
            else:
                pieces.append(current)
                current = []
            continue
        if not whole and _not_name(word):
            pieces.append(current)
            current = []
            continue
        current.append(token)
        if _clean(word) != word and index + 1 < len(tokens):
            # "Dillon's Instagram" is two names, "Moody's Investors Service"
            # one; "Pacific Western's Pacific Western Airlines Ltd" and
            # "Japan's Nippon Steel Corp" are two.
            owner = [_clean(t[0]) for t in current]
            if not whole or tokens[index + 1][0] == current[0][0] or " ".join(owner).lower() in PLACES:
                pieces.append(current)
                current = []
    pieces.append(current)
    result = []
    for piece in pieces:
        while piece and piece[0][0].lower() in _CONNECTORS:
            piece = piece[1:]
        while piece and piece[-1][0].lower() in _CONNECTORS:
            piece = piece[:-1]
        if piece:
            result.append(piece)
    return result


_TICKER_REST = re.compile(r"[A-Za-z0-9.]*>")
_PLACE_PREFIXES = frozenset({"U.S.", "U.K.", "US", "UK", "EC", "E.C."})


_PLACE_BEFORE = frozenset({"town", "city", "village", "port", "province", "state", "island", "region", "district",
                           "county"})  # "the town of Whakatane"
_LEADER_OF = re.compile(r"['’]?s?\s+(?:administration|government|cabinet|presidency)\b")
_APPOSITION = re.compile(r",\s+((?:[a-z-]+\s+){0,4}[a-z-]+)")


def _role_follows(text: str, end: int) -> bool:
    """Whether an apposition that names a role follows: ", senior vice
    president of ...", ", an analyst with ...", ", who ..."."""
    apposition = _APPOSITION.match(text, end)
    if not apposition:
        return False
    words = apposition.group(1).split()
    return words[0] == "who" or any(word in PERSON_ROLES for word in words)


def _written_in_lower_case(text: str, word: str) -> bool:
    """Whether ``word`` also occurs in ``text`` in lower case, as a word."""
    lower = word.lower()
    at = text.find(lower)
    while at >= 0:
        end = at + len(lower)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(lower, at + 1)
    return False


def _title_split(part: list[_Token]) -> tuple[list[_Token], list[_Token]] | None:
    """(what precedes the last title, the person after it) when ``part`` has
    a title followed by something that looks like a person's name."""
    words = [t[0] for t in part]
    if _is_org(words) and not any(
        w.lower() in PERSON_TITLES | PERSON_ROLES and (n.lower() in GIVEN_NAMES or _is_initial(n))
        for w, n in zip(words, words[1:])
    ):
        return None  # "General Motors Corp", but not "Lawyer David Steel"
    last_title = None
    for index, word in enumerate(words[:-1]):
        if word.lower() in PERSON_TITLES or word.lower() in PERSON_ROLES:
            last_title = index
    if last_title is None:
        return None
    after = part[last_title + 1 :]
    if len(after) > 4 or any(t[0].lower() in _CONNECTORS - _NAME_PARTICLES for t in after):
        return None
    if after[-1][0].lower().rstrip(".") in _LEGAL_SUFFIXES or _is_place([t[0] for t in after]):
        return None
    return part[:last_title], after


def _tokens(match: re.Match[str]) -> list[list[_Token]]:
    """The words of a candidate run, cut where a full stop ends a sentence."""
    runs: list[list[_Token]] = [[]]
    offset = match.start()
    for token in _TOKEN.finditer(match.group()):
        word, start, end = token.group(), offset + token.start(), offset + token.end()
        while word[-1] in "-&'’" and not (word[-1] in "'’" and word[-2:-1] == "s" and len(word) > 3):
            word, end = word[:-1], end - 1
            if not word:
                break
        if not word:
            continue
        stop = False
        if word[-1] == "." and not (
            word[:-1] in _ABBREVIATIONS or (len(word) == 2 and word[0].isupper()) or "." in word[:-1]
        ):
            word, end, stop = word[:-1], end - 1, True
        runs[-1].append((word, start, end))
        if stop:
            runs.append([])
    return [run for run in runs if run]


def _pieces_of(text: str, match: re.Match[str], floor: int, *, drop_first: bool = False) -> list[_Piece]:
    pieces = []
    runs = _tokens(match)
    if drop_first and runs:
        runs[0] = runs[0][1:]
    for tokens in runs:
        if not tokens:
            continue
        pieces.extend(_run_pieces(text, tokens, floor))
    return pieces


def _run_pieces(text: str, tokens: list[_Token], floor: int) -> list[_Piece]:
    org_run = _is_org([t[0] for t in tokens])
    # Leading words that are capitalised for the sentence, not for a name.
    while tokens and (_not_name(tokens[0][0]) or tokens[0][0].lower() in _CONNECTORS):
        if org_run and tokens[0][0] in _KEEP_IN_ORG and len(tokens) > 1:
            break
        tokens = tokens[1:]
    if not tokens:
        return []
    before = text[max(floor, tokens[0][1] - 40) : tokens[0][1]]
    bracketed = before.endswith("<") and text[tokens[-1][2] : tokens[-1][2] + 1] == ">"
    if before.endswith("<") and len(tokens) == 1 and _TICKER_REST.match(text, tokens[0][2]):
        return []  # a stock ticker: "<IBM>", "<MSFT.O>"
    words_before = before.replace(",", " ").split()[-2:]
    role_hint = bool(words_before) and words_before[-1].rsplit("-", 1)[-1].lower() in PERSON_ROLES
    # "Vittorio Cassoni, senior vice president of ...", "Gavin Launder, an analyst".
    place_hint = len(words_before) == 2 and words_before[1] == "of" and words_before[0] in _PLACE_BEFORE
    if _role_follows(text, tokens[-1][2]) or (len(tokens) == 1 and _LEADER_OF.match(text, tokens[0][2])):
        role_hint = True

    if len(tokens) == 1:
        piece = _piece(text, tokens, floor, person=role_hint, org=bracketed)
        if piece is not None and place_hint:
            piece.place_hint = True
        return [piece] if piece is not None else []
    parts = []
    for part in _split_tokens(tokens):
        # Reuters capitalises the word after "U.S." ("U.S. Trade deficit").
        if len(part) > 1 and part[0][0] in _PLACE_PREFIXES and not _is_org([t[0] for t in part]):
            parts.append(part[:1])
            rest = part[1:]
            if len(rest) > 1 or not _written_in_lower_case(text, rest[0][0]):
                parts.append(rest)
        else:
            parts.append(part)
    pieces = []
    for number, part in enumerate(parts):
        while len(part) > 2 and part[0][0].lower() in PERSON_TITLES and part[1][0] == "of":
            part = part[2:]
            while part and part[0][0].lower() in _CONNECTORS:
                part = part[1:]
        if not part:
            continue
        split = _title_split(part)
        if split is not None:
            head, after = split
            if head and _is_org([t[0] for t in head]):
                pieces.append(_piece(text, head, floor, org=True))
            pieces.append(_piece(text, after, floor, person=True))
        else:
            piece = _piece(text, part, floor, person=role_hint and number == 0, org=bracketed)
            if piece is not None and number == 0 and place_hint:
                piece.place_hint = True
            pieces.append(piece)
    return [p for p in pieces if p is not None]


def _piece(text: str, part: list[_Token], floor: int, *, person: bool = False, org: bool = False) -> _Piece | None:
    # "Ohio-based Gencorp", "25-year-old Dillon Passage": the first word describes.
    while part and "-" in part[0][0] and part[0][0].rsplit("-", 1)[1].islower():
        part = part[1:]
    words = [t[0] for t in part]
    if _is_org(words):
        words[-1] = _clean(words[-1])
    else:
        words = [_clean(w) for w in words]
        # "Japanese officials", "Canadian division", "West German": not names.
        while words and words[0] in _DEMONYMS_CASED:
            words, part = words[1:], part[1:]
        if words and all(w in _DEMONYMS_CASED or w in _COMPASS for w in words):
            return None
    if not words or (len(words) == 1 and _never_alone(words[0])):
        return None
    if words[-1].endswith(".") and words[-1][:-1].isalpha() and words[-1][:-1].lower() in ORG_SUFFIXES:
        words[-1] = words[-1][:-1]  # "Corp." at the end of a sentence
    start, end = part[0][1], part[-1][2]
    piece = _Piece(start, end, words, _sentence_initial(text, start, floor), person_hint=person, org_hint=org)
    city = _CITY_STATE.match(text, end)
    if city and (city.group(1).lower() in PLACES or f"{city.group(1)} {city.group(2)}".lower().rstrip(".") in PLACES):
        piece.place_hint = True
    return piece


# Words of NOT_NAMES as written with a capital (and in capitals), and those
# of them that also begin organisation names ("First Union Bank").
_NOT_NAMES_CASED = frozenset(w.capitalize() for w in NOT_NAMES) | frozenset(
    w.upper() for w in NOT_NAMES if len(w) > 1
)
_KEEP_IN_ORG = frozenset({"First", "General", "National", "International", "Federal", "Royal", "Second", "Third"})
_DEMONYMS_CASED = frozenset(w.capitalize() for w in DEMONYMS)
_COMPASS = frozenset({"North", "South", "East", "West"})

# --- headlines in capitals --------------------------------------------------

_ANGLE_BRACKETS = re.compile(r"<[^<>]*>")
_TITLE_TICKER = re.compile(r"<([A-Z0-9.]{1,10})>")
_TITLE_BRACKETED = re.compile(r"<([A-Z][A-Z0-9.&'\- ]*\s[A-Z0-9.&'\- ]*[A-Z.])>")
_TITLE_START = re.compile(r"(?:^|/|\s-\s|-\s|:\s)(?=[A-Z])")
_SHOUTING_MIN_LETTERS = 4


_UPPER = re.compile(r"[A-Z]")
_LOWERCASE = re.compile(r"[a-z]")


def _is_shouting(paragraph: str) -> bool:
    if _LOWERCASE.search(paragraph, 0, 24) and _LOWERCASE.search(paragraph, len(paragraph) - 24):
        return False  # the common case, decided cheaply
    upper = _UPPER.subn("", paragraph)[1]
    return upper >= _SHOUTING_MIN_LETTERS and _LOWERCASE.subn("", paragraph)[1] <= upper // 10


def _title_case(words: list[str]) -> str:
    out = []
    for word in words:
        if word.lower().rstrip(".") in ORG_SUFFIXES and len(word) <= 4 and word.isalpha() and word.upper() == word:
            out.append(word.capitalize() if word.upper() not in {"PLC", "NV", "SA", "AG", "AB", "LP"} else word)
        elif "." in word or (len(word) <= 3 and word.isalpha()):
            out.append(word)  # "U.S.", "GE", "EDO"
        else:
            out.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(out)


# --- putting it together ----------------------------------------------------


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    return spans


def find_mentions(text: str) -> list[Mention]:
    """Every mention of a person, organisation or place in ``text``, in text
    order, each with the canonical name it refers to."""
    pieces: list[_Piece] = []
    shouting: list[tuple[int, int]] = []
    acronyms: dict[str, str] = {}
    for start, end in _paragraph_spans(text):
        if _is_shouting(text[start:end]):
            shouting.append((start, end))
            continue
        for match in _CANDIDATE.finditer(text, start, end):
            at = match.start()
            if at > start and (text[at - 1].isalnum() or text[at - 1] in "@#'’._"):
                continue  # inside a word, a handle, a hashtag or a ticker
            hyphenated = at > start and text[at - 1] == "-"  # "sub-Saharan Africa"
            if match.group().rstrip(".,") in _NOT_NAMES_CASED:
                continue  # the commonest case: "The", "He", "In"
            found = _pieces_of(text, match, start, drop_first=hyphenated)
            pieces.extend(found)
            if found:
                parenthesised = _PARENTHESISED_ACRONYM.match(text, found[-1].end)
                if parenthesised:
                    acronyms[parenthesised.group(1)] = found[-1].surface

    # A lone capitalised word at the start of a sentence is a name only if
    # the article also capitalises it elsewhere, or the lists know it.
    seen_inside: set[str] = set()
    for piece in pieces:
        if not piece.sentence_initial or len(piece.words) > 1:
            seen_inside.update(piece.words)
    kept = []
    for piece in pieces:
        if piece.sentence_initial and len(piece.words) == 1:
            word = piece.words[0]
            if not (
                word in seen_inside
                or word.lower() in PLACES
                or word.lower() in GIVEN_NAMES
                or _is_acronym(word)
                or any(c.isupper() for c in word[1:])
                or piece.person_hint
            ):
                continue
        if len(piece.words) == 1 and (piece.words[0] in _DEMONYMS_CASED or _never_alone(piece.words[0])):
            continue
        kept.append(piece)

    entities = _resolve(kept, acronyms, text)
    mentions = [Mention(p.start, p.end, *entities[id(p)]) for p in kept if id(p) in entities]
    mentions.extend(_headline_mentions(text, shouting, mentions))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _kind(words: list[str], hints: list[_Piece]) -> str:
    if _bare(words) != words or any(p.org_hint for p in hints):
        return ORGANIZATION
    # A title beats an organisation word: "Lawyer David Steel".
    if any(p.person_hint for p in hints):
        return PERSON
    if " ".join(words).lower() in PLACES:
        return PLACE  # "Soviet Union"
    if _is_org(words):
        return ORGANIZATION
    if _is_place(words):
        return PLACE
    if len(words) > 1 and (
        words[0].lower() in GIVEN_NAMES
        or _is_initial(words[0])
        or any(_is_initial(w) for w in words[1:-1])
        or (len(words[-1]) == 1 and words[-1].isupper())
    ):
        return PERSON
    if len(words) == 1 and _is_acronym(words[0]):
        return ORGANIZATION
    if len(words) == 1 and words[0].lower() in GIVEN_NAMES:
        return PERSON  # "Joe's lawyer"
    if any(p.place_hint for p in hints):
        return PLACE
    return ORGANIZATION


def _common_word(word: str, pieces: list[_Piece], text: str) -> bool:
    """An organisation only by default whose word the article also writes in
    lower case, or a plural of capitals ("PCs"): a common word, not a name."""
    if re.fullmatch(r"[A-Z]{2,}s", word):
        return True
    if _is_acronym(word) or any(c.isupper() for c in word[1:]) or any(p.org_hint for p in pieces):
        return False
    return _written_in_lower_case(text, word)


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[0].isupper() and w.lower() not in _CONNECTORS)


def _resolve(pieces: list[_Piece], acronyms: dict[str, str], text: str) -> dict[int, tuple[str, str]]:
    """Map each piece to (canonical name, kind), short forms to full ones."""
    by_surface: dict[str, list[_Piece]] = {}
    for piece in pieces:
        by_surface.setdefault(piece.surface, []).append(piece)
    first_seen = {surface: index for index, surface in enumerate(by_surface)}
    # Longest first, so that every short form can find its full name.
    surfaces = sorted(by_surface, key=lambda s: (-len(by_surface[s][0].words), first_seen[s]))
    full: list[_Full] = []
    canonical_of: dict[str, tuple[str, str]] = {}
    for surface in surfaces:
        words = by_surface[surface][0].words
        target = _longer_form(words, full, acronyms)
        if target is None:
            if len(words) == 1 and words[0].lower() in ORG_HEADS:
                continue  # "International", "National" alone name nothing
            target = (surface, _kind(words, by_surface[surface]))
            if target[1] == ORGANIZATION and len(words) == 1 and _common_word(words[0], by_surface[surface], text):
                continue  # "Trade", "Tariffs": capitalised here, lower case elsewhere
            full.append(_full(surface, target[1], words))
        canonical_of[surface] = target
    return {id(p): canonical_of[p.surface] for p in pieces if p.surface in canonical_of}


_LEGAL_SUFFIXES = frozenset(
    {"inc", "corp", "co", "ltd", "plc", "llc", "lp", "l.p", "n.v", "nv", "sa", "s.a", "ag", "gmbh", "spa", "bhd", "pty",
     "corporation", "company", "limited", "incorporated", "cos"}
)


def _bare(words: list[str]) -> list[str]:
    """An organisation's name without its legal form: "Acme Corp" -> "Acme"."""
    end = len(words)
    while end > 1 and words[end - 1].lower().rstrip(".") in _LEGAL_SUFFIXES:
        end -= 1
    return words[:end]


_Full = tuple[str, str, list[str], list[str], list[str]]  # name, kind, words, without possessives, bare


def _full(name: str, kind: str, words: list[str]) -> _Full:
    clean = [_clean(w) for w in words]
    return name, kind, words, clean, _bare(clean)


def _longer_form(words: list[str], full: list[_Full], acronyms: dict[str, str]) -> tuple[str, str] | None:
    """The full name (and kind) that ``words`` is a short form of, if any.
    ``full`` is longest first; the closest match wins: "Celanese" is
    "Celanese Corp" before it is "Celanese Fibers Inc"."""
    surface = " ".join(words)
    if surface in acronyms:
        for name, kind, *_ in full:
            if acronyms[surface] == name:
                return name, kind
    bare = _bare(words)
    single = words[0] if len(words) == 1 else None
    is_place = surface.lower() in PLACES  # "Japan" is not "Bank of Japan"
    acronym = single.replace(".", "") if single and _is_acronym(single) else None
    for name, kind, long_words, long_clean, long_bare in reversed(full):
        if len(long_words) <= len(words):
            continue
        if kind == PERSON:
            if single in (long_clean[0], long_clean[-1]) or words == [long_clean[0], long_clean[-1]]:
                return name, kind
        elif kind == ORGANIZATION:
            if is_place:
                continue
            if long_clean[: len(words)] == words or (len(bare) < len(words) and long_bare == bare):
                return name, kind
            if single and single in long_bare and single not in _DEMONYMS_CASED:
                return name, kind
            if acronym and acronym in (_initials(long_clean), _initials(long_bare)):
                return name, kind
        elif long_clean[: len(words)] == words:
            return name, kind
    return None


def _headline_mentions(text: str, spans: list[tuple[int, int]], body: list[Mention]) -> list[Mention]:
    found: list[Mention] = []
    if not spans:
        return found
    forms: dict[str, tuple[str, str]] = {}
    full = [_full(m.name, m.kind, m.name.split()) for m in body if m.kind == ORGANIZATION]
    full.sort(key=lambda entry: -len(entry[2]))
    for mention in body:
        written = " ".join(text[mention.start : mention.end].split())
        bare = " ".join(_bare(mention.name.split())) if mention.kind == ORGANIZATION else mention.name
        for form in {written, mention.name, bare}:
            if len(form) > 1 and form.upper() not in _NOT_NAMES_CASED:
                forms.setdefault(form.upper(), (mention.name, mention.kind))
    longest_first = sorted(forms, key=len, reverse=True)
    for start, end in spans:
        # Nothing inside angle brackets is matched: "<ACME>" is a ticker.
        brackets = [m.span() for m in _ANGLE_BRACKETS.finditer(text, start, end)]
        taken: list[tuple[int, int]] = list(brackets)
        for form in longest_first:
            at = text.find(form, start, end)
            while at >= 0:
                stop = at + len(form)
                if (
                    (at == 0 or not text[at - 1].isalnum())
                    and (stop == len(text) or not text[stop].isalnum())
                    and not any(s < stop and at < e for s, e in taken)
                ):
                    name, kind = forms[form]
                    found.append(Mention(at, stop, name, kind))
                    taken.append((at, stop))
                at = text.find(form, at + 1, end)
        taken = taken[len(brackets) :]
        # The company a Reuters headline names before its first ticker.
        ticker = _TITLE_TICKER.search(text, start, end)
        bracketed = _TITLE_BRACKETED.search(text, start, end)
        if bracketed and not any(s <= bracketed.start(1) < e for s, e in taken):
            words = bracketed.group(1).split()
            found.append(Mention(bracketed.start(1), bracketed.end(1), _title_case(words), ORGANIZATION))
        elif ticker:
            head_start = start
            for boundary in _TITLE_START.finditer(text, start, ticker.start()):
                head_start = boundary.end()
            head = text[head_start : ticker.start()].rstrip()
            words = head.split()
            if words and words[0] in ("CORRECTED", "RPT", "REPEAT", "CORRECTION"):
                words = []
            if 1 <= len(words) <= 6 and not any(s < ticker.start() and e > head_start for s, e in taken):
                words[-1] = _clean(words[-1])
                name = _title_case(words)
                if name.upper() not in _NOT_NAMES_CASED:
                    # "COGNITIVE <CSAI>" is the body's "Cognitive Systems Inc".
                    known = _longer_form(name.split(), full, {})
                    name, kind = known if known else (name, ORGANIZATION)
                    found.append(Mention(head_start, head_start + len(head), name, kind))
    return found


def extract_names(text: str) -> list[Name]:
    """The people, organisations and places ``text`` mentions, most
    mentioned first (then in order of first mention)."""
    return count_names(find_mentions(text))


def count_names(mentions: Sequence[Mention]) -> list[Name]:
    """:func:`extract_names` from mentions already found, so that a caller
    that also wants quotes (which need the mentions) finds them once."""
    counts: dict[tuple[str, str], int] = {}
    for mention in mentions:
        key = (mention.name, mention.kind)
        counts[key] = counts.get(key, 0) + 1
    order = {key: index for index, key in enumerate(counts)}
    return [
        Name(name=name, kind=kind, count=count)
        for (name, kind), count in sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))
    ]

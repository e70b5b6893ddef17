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
   precipitation"), unless the lists know it ("Japan", "Reagan"). Months
   and days are never names, nor spans of them ("April-June").
3. Titles mark people and are not part of the name ("President Peter Donis",
   "Agriculture Secretary Richard Lyng", "SEC Chief Accountant Clarence
   Sampson"), as do role words before the name ("husband Dillon Passage",
   "vice minister Makoto Kuroda") and a post in an apposition after it
   ("Marlin Fitzwater, the White House spokesman,"). A post with no one named
   after it is no name ("the Treasury Secretary met": the body it names,
   "Treasury", stays; "Deputy Trade Minister": nothing). A role that is no
   title, capitalised before one word, is part of a name ("Official
   Bulletin", "Star Wars"), and "official" before a news agency or a paper
   is no person's role ("the official Tanjug news agency").
4. The kind comes from, in order: an organisation word at the end or start
   ("Inc", "Corp", "Bank", "Ministry of", ...) or angle brackets (the Reuters
   convention "<Woodco Inc>"); the place lists; a title, role word, given
   name (hyphenated too: "Hans-Dietrich") or initial; a surname the lists know
   ("Reagan", "Sumita"); a "Town, State" pattern ("Quincy, Fla."); an acronym
   (organisation unless it is a place such as "U.S."). Anything left is an
   organisation: in news text an unknown capitalised word is most often a
   company or a product.
5. Short forms are resolved to the fullest form in the article: "Dillon" and
   "Passage" to "Dillon Passage", "Computer Terminal" and "Hardie" to the
   company's full name, "FHLBB" to "Federal Home Loan Bank Board" (from its
   initials, or from "(FHLBB)" after the full name). A title that is also a
   surname ("Major") is a name only as the surname of someone the article
   names ("John Major"). A surname (or given name) alone that two people of
   the article have ("Robert Dole", "Elizabeth Dole") is neither's: it is
   a person of its own ("Dole"), unless a title that says a woman or a man
   ("Mrs. Dole", "Mr. Dole") fits only one of them by the given names the
   lists know; "Dick Darman" and "Richard Darman" are one.
6. Paragraphs in capitals (Reuters headlines) are not mined for new names,
   which their capitals would make up from every word; names found in the
   rest of the article are counted there, and the company named before the
   first stock ticker ("ULTRAMAR PLC <UMAR.L> 1986 YEAR") is taken as an
   organisation.

How it is made fast enough for ingest (docs/quality.md, "Speed"): one
regular-expression pass over the body finds the runs; each run, with the
character before it, is worked out once into a "plan" kept in a bounded
cache; what depends on the text around a run is read only when needed.
The output is the same as working each run out where it stands.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right as _bisect
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, repeat
from operator import add, attrgetter, itemgetter, sub
from typing import Iterable, Sequence

from .name_lists import (
    DEMONYMS,
    GIVEN_NAMES,
    GIVEN_NAMES_OF_BOTH,
    KNOWN_SURNAMES,
    NICKNAMES,
    NOT_NAMES,
    ORG_HEADS,
    ORG_NAMES,
    ORG_SUFFIXES,
    ORG_WORDS,
    PERSON_ROLES,
    PERSON_TITLES,
    PLACE_SUFFIXES,
    PLACES,
    TITLE_SURNAMES,
    WOMEN_GIVEN_NAMES,
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
_LEGAL_FORMS_WRITTEN = frozenset({"Inc", "Corp", "Co", "Ltd", "Bros"})
_ABBREVIATIONS = frozenset(
    "Inc Corp Co Ltd Bros Jr Sr St Mt Ft Mr Mrs Ms Dr Prof Gen Gov Sen Rep Col Capt Lt Sgt Adm Rev Calif Fla Conn "
    "Mass Colo Tex Ill Mich Minn Wash Ore Ariz Okla Kan Kans Neb Nev Tenn Wis Wyo Mont Ala Ark Del Ind Ky La Md Miss "
    "Mo Pa Va Vt Ga Ont Que Alex Wm Chas Thos Geo Jas".split()  # "Alex. Brown and Sons"
)
# A capitalised word, with what may follow inside it: "U.S.", "SpecTran",
# "O'Brien", "Kot-Addu", "AT&T", "Inc." (a full stop that ends the sentence
# is taken off later, word by word, which is cheaper than telling them
# apart in the pattern).
# A capitalised word; its full stops stand alone ("U.S.", "Corp."): dot leaders in tables
# ("ALGERIA......18.51") end the word.
def _character_class(belongs) -> str:
    """The inside of a regex ``[...]`` holding the characters of the Basic
    Multilingual Plane for which ``belongs(category)`` holds, as ranges."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if belongs(unicodedata.category(chr(code))):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# Names are written in every alphabet's capitals ("François Mitterrand", "Lech Wałęsa",
# "Zoë Müller"), and a letter may be followed by a combining accent.
_CAPITAL = _character_class(lambda category: category in ("Lu", "Lt"))
_LOWER = _character_class(lambda category: category == "Ll")
_LETTER_OR_DIGIT = _character_class(lambda category: category[0] in "LM" or category == "Nd")
_WORD = rf"[{_CAPITAL}][{_LETTER_OR_DIGIT}'’&-]*(?:\.[{_LETTER_OR_DIGIT}'’&-]+)*\.?"
_CONNECTOR = r"(?:of|and|for|the|on|de|du|des|la|le|van|von|der|den|da|di|del|dos|das|zur|zu|ter|bin|ibn|al|y|&)"
_CANDIDATE = re.compile(rf"{_WORD}(?:\s+(?:{_CONNECTOR}\s+)*{_WORD})*")
_TOKEN = re.compile(r"\S+")
_ALNUM_RUN = re.compile(r"[^\W_]+")  # letters and digits as str.isalnum() knows them
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


_Token = tuple[str, int, int]  # word, start, end
_CONTRACTION = re.compile(r"^(.*?)['’](?:s|ve|m|ll|d|re|t)$")


_MEMO_SIZE = 65_536  # entries of each memo below; the older half goes when full


class _Memo(dict):
    """``memo[key]`` is ``function(key)``, worked out once: a bounded memo for
    the word and run tests that plans call hundreds of thousands of times.

    Not ``functools.lru_cache``: every full garbage collection walks an
    lru_cache's linked list, entry by entry, scattered over the heap (about
    60-70 ms in all for these caches once full), and the plans being cached
    make such a collection happen every few thousand articles. A dict's
    entries are read in one sweep, and a hit costs half as much."""

    __slots__ = ("function",)

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        if len(self) >= _MEMO_SIZE:
            # Bounded: the older half goes (a dict keeps the order of insertion).
            for old in list(islice(self, _MEMO_SIZE // 2)):
                del self[old]
        value = self[key] = self.function(key)
        return value


def _memo(function):
    """``function`` of one argument, memoised in a :class:`_Memo` (listed in
    ``_CACHES``, to be emptied with the other caches)."""
    memo = _Memo(function)
    _CACHES.append(memo)
    return memo.__getitem__


_CACHES: list[dict] = []  # every memo and cache of the module: emptied by eval/speed.py to time a cold start


@_memo
def _clean(word: str) -> str:
    """A word without its possessive ending: "Joe's" -> "Joe", "Brothers'" -> "Brothers"."""
    if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2]
    if len(word) > 2 and word[-1] in "'’":
        return word[:-1]
    return word


@_memo
def _not_name(word: str) -> bool:
    """Capitalised words that are never (part of) a name: "The", "In",
    "Monday", "I've"."""
    if word in _NOT_NAMES_CASED:
        return True
    if "-" in word:
        # "April-June", "Oct-Sept", wire copy's "APRIL-JUNE": a span of months or days (not "Seven-Up", a firm).
        return all(part.capitalize() in _CALENDAR for part in word.split("-"))
    if word[1:2].isupper() and word[2:].islower() and word.capitalize() in _CALENDAR:
        return True  # a slip of the shift key: "APril nine", "MArch 2"
    if "'" not in word and "’" not in word:
        return False
    contraction = _CONTRACTION.match(word)
    return bool(contraction) and contraction.group(1) in _NOT_NAMES_CASED


# Months and days, and their short forms, as the text capitalises them.
_CALENDAR = frozenset(
    "January February March April May June July August September October November December Jan Feb Mar Apr Jun "
    "Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu "
    "Thurs Fri Sat Sun".split()
)


_PARTY_STATE = re.compile(r"^[DRI]-[A-Z][a-z]+\.?$")  # "(D-Mass)"


_NEVER_ALONE = frozenset({"State", "States"})


@_memo
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
        or word in _NEVER_ALONE  # "Minister of State for Finance"
    )


def is_name_alone(word: str) -> bool:
    """Whether a capitalised word can be a name by itself; not "When", "May", "Mr." or "Sen"
    (for :mod:`news_archive.quotes`, which reads speakers the finder did not report)."""
    return not _never_alone(word) and not _never_alone(word.rstrip("."))


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def _is_org(words: list[str]) -> bool:
    """An organisation's name by its form: "... Inc", "... Bank", "Bank of
    ...", "State Bank of India", "University of ..."."""
    return _is_org_words(tuple(words))


@_memo
def _is_org_words(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    last = _clean(words[-1]).lower()
    if last in ORG_SUFFIXES or last.rstrip(".") in ORG_SUFFIXES:
        return True
    if " ".join(words).lower() in ORG_NAMES:  # "Standard and Poor's", "Cable and Wireless"
        return True
    for connector in ("of", "on", "for"):
        if connector in words[1:-1]:
            head = words[words.index(connector) - 1].lower()
            return head in ORG_SUFFIXES or (connector == "of" and words[0].lower() in ORG_HEADS)
    return False


def _never_person(word: str) -> bool:
    """A one-word organisation whatever is said around it: a known one in any capitals
    ("Opec", "Bundesbank"), or an acronym in capitals that is not a place ("USDA")."""
    lower = word.lower()
    if lower in ORG_WORDS:
        return True
    return _is_acronym(word) and lower not in PLACES


def _is_place(words: list[str]) -> bool:
    if " ".join(words).lower() in PLACES:
        return True
    if len(words) == 2 and words[0] in _COMPASS and words[1].lower() in PLACES:
        return True  # "South Vietnam", "North Yemen": a side of a place
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


def _joining_at(tokens: list[_Token]) -> int | None:
    """Where the connector is that joins two names in an organisation-looking run, if
    it is two: "Ford Motor Co and Ford Motor Credit Co", "Tangent Inc of Dallas",
    "Switzerland and the Community", "Peter Greenbaum of Smith Barney Inc"."""
    words = [t[0] for t in tokens]
    for index in range(1, len(words) - 1):
        if words[index] not in ("and", "&", "of"):
            continue
        if " ".join(words[index - 1 : index + 2]).lower() in ORG_NAMES:
            continue  # "Gulf and Western Inc": one name, though "Gulf" alone is a place
        left, right = words[:index], words[index + 1 :]
        if words[index] == "of" and _bare(right) != right and " ".join(_bare(right)).lower() in PLACES:
            continue  # "Ford Motor Co of Canada Ltd", "Anglo American Corp of South Africa Ltd": one firm
        if words[index] == "and" and len(left) == 1 and left[0].lower() in PLACES and _bare(right) != right \
                and (right[0].lower() in PLACES or " ".join(right[:2]).lower() in PLACES):
            continue  # "Australia and New Zealand Banking Group Ltd": a firm named after two places
        if _bare(left) != left or " ".join(left).lower() in PLACES:
            return index
        if words[index] == "and" and len(left) > 1 and left[-1] == "Securities" and len(right) > 1 \
                and _bare(right) != right:
            return index  # "Dominion Securities and Wood Gundy Inc": two firms, not "Securities and Exchange ..."
        if words[index] == "and" and words[index + 1] == "the":
            return index
        if words[index] == "and" and left[-1] in _CHAMBERS and right[0] in _CHAMBERS:
            return index  # "House and Senate": both chambers, each a body of its own
        if words[index] == "and" and any(_looks_like_person(left[-size:]) for size in (2, 3)) \
                and any(w.lower() in _TITLES_OR_ROLES for w in left[:-2]) and (_is_org(right) or right[0] in _CHAMBERS):
            return index  # "Treasury Secretary James Baker and Federal Reserve Board": someone, and a body
        if _looks_like_person(left) and right[0].lower().rstrip(".") not in _AND_PARTNERS:
            return index  # "Peter Greenbaum of Smith Barney Inc", "Asher Edelman and Dominion Textiles Inc"
        if words[index] == "of" and _bare(right) != right and _could_be_person(left):
            return index  # "Sanford Margoshes of Shearson Lehman Brothers Inc": someone of a firm
        if words[index] != "of" and left[-1].lower() in _INSTITUTIONS and right[0] not in ("Trust", "Trusts"):
            return index  # "International Monetary Fund and World Bank", not "Citizens Bank and Trust Co"
        if words[index] != "of" and len(left) == 1 and _is_acronym(left[0]) and len(right) > 1 \
                and len(right[0]) > 1 and _is_org(right):
            return index  # "IMF and World Bank", "BP and Standard Oil Co"
    return None


def _of_a_firm(tokens: list[_Token], part: list[_Token], following: list[_Token]) -> bool:
    """Whether ``part`` is someone "of" the firm that ``following`` names, as two plain words."""
    at = next((i for i, t in enumerate(tokens) if t[1] == part[-1][1]), None)
    if at is None or at + 1 >= len(tokens) or tokens[at + 1][0] != "of":
        return False
    after = [t[0] for t in following]
    return _bare(after) != after and _could_be_person([t[0] for t in part])


def _could_be_person(words: list[str]) -> bool:
    """Two plain capitalised words that no list knows as anything else: a person
    when "of" a firm follows ("Sanford Margoshes of Shearson Lehman Brothers Inc")."""
    return (
        len(words) == 2
        and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)
        and not _is_org(words)
        and not any(w.lower() in ORG_HEADS or w.lower() in PLACES or w.lower() in _TITLES_OR_ROLES
                    or _is_demonym(w) or _not_name(w) for w in words)
        and " ".join(words).lower() not in PLACES
    )


def _looks_like_person(words: list[str]) -> bool:
    """Two or three words that start with a given name or an initial and hold no
    organisation word: "Peter Greenbaum", "J. Paul Getty"."""
    return (
        1 < len(words) <= 3
        and (words[0].lower() in GIVEN_NAMES or _is_initial(words[0]))
        and not _is_org(words)
        and not any(w.lower() in ORG_HEADS or w.lower() in _CONNECTORS for w in words)
    )


_CHAMBERS = frozenset({"House", "Senate"})
# Words that end the name of a whole body: what "and" joins to one is another body.
_INSTITUTIONS = frozenset({"ministry", "party", "department", "commission", "council", "committee", "agency", "board",
                           "exchange", "bank", "fund", "senate", "congress", "parliament", "court", "office"})
_AND_FIRM = frozenset({"co", "company", "cos", "sons"})  # "Woolcott and Co Inc", "Alex. Brown and Sons"
_AND_PARTNERS = _AND_FIRM | {"associates", "assoc", "partners", "son", "c", "development"}  # "Len M. House and Associates"


def _split_tokens(tokens: list[_Token]) -> list[list[_Token]]:
    """Split one candidate run into names: at "and" unless the run is an
    organisation, then at the other connectors unless the part is an
    organisation or place, at possessives, at words that are never names."""
    if _is_org([t[0] for t in tokens]):
        joining = _joining_at(tokens)
        if joining is not None:
            # Two names: each side as a run of its own ("Drexel Burnham Lambert Inc" and
            # "Donaldson Lufkin and Jenrette Securities Corp").
            return _split_tokens(tokens[:joining]) + _split_tokens(tokens[joining + 1 :])
        runs = [tokens]
    else:
        runs, current = [], []
        for index, token in enumerate(tokens):
            # "... Inc and Woolcott and Co Inc": the "and" before a "Co" is part of a firm's name.
            if token[0] in ("and", "&") and not (
                index + 1 < len(tokens) and tokens[index + 1][0].lower().rstrip(".") in _AND_FIRM
            ):
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
    if _is_org(words) and words[-1] not in ("and", "&", "of"):
        joining = _joining_at(tokens)
        if joining is not None:
            # Two names: each side as a run of its own ("Maria Ramirez" of "Drexel Burnham Lambert Inc").
            return _split_run(tokens[:joining]) + _split_run(tokens[joining + 1 :])
    whole = _is_org(words) or _is_place(words)
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


_PLACE_PREFIXES = frozenset({"U.S.", "U.K.", "US", "UK", "EC", "E.C."})


_PLACE_BEFORE = frozenset({"town", "city", "village", "port", "province", "state", "island", "region", "district",
                           "county"})  # "the town of Whakatane"


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


_TITLES_OR_ROLES = PERSON_TITLES | PERSON_ROLES
_JOINING = _CONNECTORS - _NAME_PARTICLES


def _title_split(part: list[_Token]) -> tuple[list[_Token], list[_Token]] | None:
    """(what precedes the last title, the person after it) when ``part`` has
    a title followed by something that looks like a person's name."""
    words = [t[0] for t in part]
    lower = [w.lower() for w in words]
    last_title = None
    for index, word in enumerate(lower[:-1]):
        if word in _TITLES_OR_ROLES:
            last_title = index
    if last_title is None:
        return None
    if _is_org(words) and not any(
        w in _TITLES_OR_ROLES and (n.lower() in GIVEN_NAMES or _is_initial(n)) for w, n in zip(lower, words[1:])
    ):
        return None  # "General Motors Corp", but not "Lawyer David Steel"
    after = part[last_title + 1 :]
    if any(t[0].lower() in _JOINING for t in after):
        return _title_of_split(part[:last_title], after)
    if len(after) > 4:
        return None
    if after[-1][0].lower().rstrip(".") in _LEGAL_SUFFIXES or _is_place([t[0] for t in after]):
        return None
    if after[-1][0].lower() in _POSTS:
        return None  # "Deputy Trade Minister": a post after a title, no one named (see _without_post)
    if len(after) == 1 and lower[last_title] not in PERSON_TITLES and after[0][0].lower() not in GIVEN_NAMES \
            and after[0][0].lower() not in KNOWN_SURNAMES and not _never_alone(after[0][0]):
        return None  # a role capitalised in a name, before one word: "Official Bulletin", "Star Wars"
    return part[:last_title], after


def _title_of_split(before: list[_Token], after: list[_Token]) -> tuple[list[_Token], list[_Token]] | None:
    """A title "of" something, then a person: "Chancellor of the Exchequer Nigel
    Lawson", "Secretary of State George Shultz", "president of Chrysler Corp Lee
    Iacocca". The person is the last two or three words when they start with a
    given name or an initial; what the title is of stands in for what precedes it
    (kept when it is an organisation: "Chrysler Corp")."""
    joining = max(i for i, t in enumerate(after) if t[0].lower() in _JOINING)
    tail = after[joining + 1 :]
    start = _person_at_end(tail)
    return None if start is None else ((before or tail[:start]), tail[start:])


def _person_at_end(part: list[_Token]) -> int | None:
    """Where a person's name of two or three words, starting with a given name
    or an initial, ends ``part`` after something else ("Exchequer Nigel Lawson")."""
    for start in range(max(1, len(part) - 3), len(part) - 1):
        first = part[start][0]
        if (first.lower() in GIVEN_NAMES or _is_initial(first)) and not any(
            t[0].lower() in _CONNECTORS for t in part[start:]
        ):
            return start
    return None


def _follows_title_of(tokens: list[_Token], part: list[_Token]) -> bool:
    """Whether ``part`` comes right after a title and "of" ("the") in its run:
    "Chancellor of the Exchequer ...", "Secretary of State ..."."""
    at = next((i for i, t in enumerate(tokens) if t[1] == part[0][1]), 0)
    if at >= 1 and tokens[at - 1][0] == "the":
        at -= 1
    return at >= 2 and tokens[at - 1][0] == "of" and tokens[at - 2][0].lower() in PERSON_TITLES


# Words of NOT_NAMES as written with a capital (and in capitals), and those
# of them that also begin organisation names ("First Union Bank").
_NOT_NAMES_CASED = frozenset(w.capitalize() for w in NOT_NAMES) | frozenset(
    w.upper() for w in NOT_NAMES if len(w) > 1
)
# Jobs that start a sentence before a name but never start a name themselves (unlike
# "Official Gazette", "Chief", "Star"). A singular one makes the name after it a person's.
_JOBS = frozenset({"Analyst", "Analysts", "Economist", "Economists", "Spokesman", "Spokeswoman",
                   "Spokesperson", "Officials", "Trader", "Traders", "Dealers", "Broker", "Brokers",
                   "Strategist", "Strategists"})
# "Former", like them, describes the name after it ("Former White House aide Michael Deaver").
_LEADING_WORDS = _JOBS | {"Former"}
_JOBS_OF_ONE = frozenset({"Analyst", "Economist", "Spokesman", "Spokeswoman", "Spokesperson", "Trader", "Broker",
                          "Strategist"})
_KEEP_IN_ORG = frozenset({"First", "General", "National", "International", "Federal", "Royal", "Second", "Third"})
_DEMONYMS_CASED = frozenset(w.capitalize() for w in DEMONYMS)
_TITLE_SURNAMES_CASED = frozenset(w.capitalize() for w in TITLE_SURNAMES)
_COMPASS = frozenset({"North", "South", "East", "West"})


def _is_demonym(word: str) -> bool:
    """"Japanese", and adjectives of two sides: "U.S.-Japanese", "Soviet-American"."""
    return word in _DEMONYMS_CASED or ("-" in word and word.rsplit("-", 1)[1] in _DEMONYMS_CASED)


# --- plans: what one run of capitalised words gives, worked out once --------
#
# A candidate run ("Treasury Secretary James Baker") gives the same pieces
# wherever it appears, given the character before it; only a few flags
# depend on the text around it. So the pieces of a run are worked out once
# (a "plan", offsets relative to the run) and kept in a bounded cache keyed
# by the character before the run and the run; each occurrence then reads
# the text around it only when a flag is needed, which is seldom.
#
# Flags that depend on the text around one occurrence:
_RP = 1  # a role word just before ("husband Dillon Passage")
_PP = 2  # "town of" just before
_RF = 8  # a role apposition after (", an analyst with ...", ", who")
_LD = 16  # "administration", "government", ... after ("Reagan administration")
_CT = 32  # a known place after a comma (", Fla.")
_SI = 64  # the run begins a sentence
_ALWAYS = 128  # a flag that holds wherever the run is

# One spec per piece of a plan:
(_REL_START, _REL_END, _SI_MASK, _PERSON_MASK, _ORG, _PLACE_MASK, _WRITTEN,  # this piece
 _WORDS, _SURFACE, _LONE, _COUNT, _FORCED_ORG, _KIND, _KIND_IF_PLACE, _HEAD_ALONE, _COMMON, _SHORT,  # its words
 _CLEAN, _CLEAN_BARE, _INITIALS, _SINGLES) = range(21)
# _LONE: 1 a word kept even when it begins a sentence ("Japan", "Joe", "IBM",
# "SpecTran", "Reagan"), 2 a word kept at the start of a sentence only if written
# elsewhere in the article, 3 more than one word, 4 a title kept only as the
# surname of a person the article names ("Major" for John Major).

_PLANS: dict = {}  # key: the character before the run (if any) and the run; runs met more than once
_FIRST_PLANS: dict = {}  # the same, for runs met once so far (three in four are never met again)
_SPECIAL_PLANS: dict = {}  # plans that also depend on the article
_ASKED: dict = {}  # run -> words whose lower-case use in the article decides its plan
_PLAN_CACHE_SIZE = 65_536  # about 1 KB a run with what its names need: some 70 MB when full
# Of those, runs met once: a run is kept there until it is met again, so that the
# stream of runs never met again cannot push out those that recur (with one cache,
# halved when full, a second pass over the Reuters corpus planned 60,000 runs again).
_FIRST_PLAN_CACHE_SIZE = _PLAN_CACHE_SIZE // 2
_TOKEN_CACHE: dict[str, tuple[str, int, bool]] = {}  # a word of a run -> how it counts
_CACHES.extend((_PLANS, _FIRST_PLANS, _SPECIAL_PLANS, _ASKED, _TOKEN_CACHE))


def clear_caches() -> None:
    """Forget everything memoised. A long ingest calls this when a worker grows
    too big: the caches trade memory for speed, and both are budgeted."""
    for cache in _CACHES:
        cache.clear()
    for function in (_title_case, _full):
        function.cache_clear()

_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9.&-]{1,9})\)")  # "(FHLBB)"
_TICKER_SUFFIX = re.compile(r"[A-Za-z0-9.]*")
# An apposition that names a role after a run: ", senior vice president of
# ...", ", an analyst with ...", ", who ...": after the comma, "who" or a role
# word among the first five lower-case words.
# A firm's possessive may be among those words (", Pennzoil's retired president"), and a role
# capitalised before "of the" counts too (", Director of the Congressional Budget Office",
# ", Secretary-General of the ..."; not ", Secretary of State George Shultz said").
# Capitalised words or a country's possessive before a post count when the post ends the
# apposition (", the White House spokesman, said", ", Luxembourg's finance minister, said", "...,
# White House spokesman."): followed by "said", the post is the speaker of the sentence ("..., a
# Petrobras official said", "Congress, White House spokesman Marlin Fitzwater said").
_ROLES_PATTERN = "|".join(sorted(map(re.escape, PERSON_ROLES), key=len, reverse=True))
_JOBS_PATTERN = "president|chairman|chairwoman|chief|director|executive|officer|spokesman|spokeswoman|economist"
_POSTS_PATTERN = _JOBS_PATTERN + "|spokesperson|analyst|minister|secretary|governor|ambassador|treasurer|leader|senator"
_ROLE_AFTER = re.compile(
    r",\s+(?:who|(?:[a-z-]+\s+){0,4}(?:" + _ROLES_PATTERN + r")"
    + r"|[A-Z][A-Za-z-]*['’]s\s+(?:[a-z-]+\s+){0,3}(?:" + _JOBS_PATTERN + r")"
    + r"|(?:the|a|an)\s+(?:(?:[A-Z]\.)+\s+|[A-Za-z][A-Za-z&'’-]*\s+){1,4}(?:" + _POSTS_PATTERN + r")(?=[,.;])"
    + r"|(?:(?:[A-Z]\.)+\s+|[A-Z][A-Za-z&'’-]*\s+){1,3}(?:[a-z-]+\s+){0,2}(?:" + _POSTS_PATTERN + r")(?=[,.;])"
    + r"|(?i:" + _ROLES_PATTERN + r")(?:-[A-Z][a-z]+)?\s+of\s+the)(?![a-z-])"
)
# A run that names a news agency or a paper ("the official Tanjug news agency", "the official
# Times of India"): "official" before it is no role of a person.
_MEDIUM_AFTER = re.compile(r"\s+(?:news|agency|newspaper|daily|weekly|paper|radio|television)\b")
_LEADER_AFTER = re.compile(r"\s+(?:administration|government|cabinet|presidency)\b")
_LEADER_WORDS = ("administration", "government", "cabinet", "presidency")
# Candidate runs over a whole text: white space between words never holds a
# paragraph break, so a run stays inside its paragraph.
_IN_PARAGRAPH_SPACE = r"(?:(?!\n[ \t]*\n)\s)+"
_RUN = re.compile(rf"{_WORD}(?:{_IN_PARAGRAPH_SPACE}(?:{_CONNECTOR}{_IN_PARAGRAPH_SPACE})*{_WORD})*")
_SKIPPED_BEFORE = "@#'’._"  # and letters and digits: inside a word, a handle, a hashtag or a ticker
_SENTENCE_GAP = " \t\n\"'“‘([’”-–—"
_NOT_SENTENCE_END = frozenset({"mr", "mrs", "ms", "dr", "st"})


_WHEN = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
                   "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December"})


# No name is this many words long; a longer run of capitalised words (a list, a table, a
# page of capitals) is read in pieces of this size, so that the work on a run, some of it
# quadratic in its words (the joins of "and" and "of"), stays bounded.
_LONGEST_RUN = 24


# Pronouns and verbs that no name holds: a run in capitals with one of them is a clause.
_CLAUSE_IN_CAPITALS = frozenset({"WE", "HE", "SHE", "THEY", "YOU", "IS", "ARE", "WAS", "WERE", "WILL", "WOULD",
                                 "CAN", "COULD", "SHOULD", "MUST", "HAVE", "HAS", "HAD", "BE", "BEEN", "DO", "DOES",
                                 "DID", "NOT", "SHALL"})


def _plan_tokens(g: str, offset: int) -> list[list[_Token]]:
    """The words of a candidate run, cut where a full stop ends a sentence,
    with offsets plus ``offset``."""
    runs: list[list[_Token]] = [[]]
    raw_words = g.split()
    if " ".join(raw_words) == g:
        at = offset  # one space between words: offsets add up
    else:
        at = -1
        raw_words = [token.group() for token in _TOKEN.finditer(g)]
        starts = [offset + token.start() for token in _TOKEN.finditer(g)]
    tokens = _TOKEN_CACHE
    last = len(raw_words) - 1
    for index, raw in enumerate(raw_words):
        if raw == "on" and index < last and raw_words[index + 1].rstrip(".,") in _WHEN:
            runs.append([])  # "Sears, Roebuck and Co on Monday": a date ends the name
            if at >= 0:
                at += len(raw) + 1
            continue
        start = at if at >= 0 else starts[index]
        found = tokens.get(raw)
        if found is None:
            found = tokens[raw] = _token(raw)
        word, cut, stop = found
        if word:
            runs[-1].append((word, start, start + len(raw) - cut))
            if stop or len(runs[-1]) == _LONGEST_RUN:
                runs.append([])
        if at >= 0:
            at += len(raw) + 1
    return [run for run in runs if run]


def _token(word: str) -> tuple[str, int, bool]:
    """A word of a run as it counts: (the word without trailing marks, how
    many characters were cut, whether a full stop after it ends a sentence)."""
    length = len(word)
    while word[-1] in "-&'’" and not (word[-1] in "'’" and word[-2:-1] == "s" and len(word) > 3):
        word = word[:-1]
        if not word:
            return "", length, False
    stop = False
    if word[-1] == "." and not (
        word[:-1] in _ABBREVIATIONS or (len(word) == 2 and word[0].isupper()) or "." in word[:-1]
    ):
        word, stop = word[:-1], True
    elif word[-1] == "." and word[:-1] in _LEGAL_FORMS_WRITTEN:
        # "Acme Inc. Analysts said": the full stop after a legal form ends the
        # name, and almost always the sentence ("Acme Inc. Analysts" was a name).
        stop = True
    if len(_TOKEN_CACHE) >= 65536:
        _TOKEN_CACHE.clear()
    return word, length - len(word), stop


def _is_role_word(word: str) -> bool:
    return word.rsplit("-", 1)[-1].lower() in PERSON_ROLES


def _build_plan(g: str, before: str, lower_case, bracket: bool) -> tuple:
    """The plan of candidate run ``g`` after the character ``before`` ("" at
    the start of the text). ``lower_case(word)`` answers whether the article
    writes ``word`` in lower case too; ``bracket`` whether "<" comes before
    and ">" after."""
    if g.rstrip(".,") in _NOT_NAMES_CASED:
        return ()  # the commonest case: "The", "He", "In"
    if g.isupper() and not _CLAUSE_IN_CAPITALS.isdisjoint(g.split()):
        return ()  # a sentence in capitals, not names: '"WE ARE READY TO ACT," said Sumita'
    # The run is read inside a stand-in text: the character before it and
    # the run. What the pieces need from further away comes from flags read
    # in the article; everything else is as in the article.
    text = (" " if before.isspace() else before) + g
    offset = len(text) - len(g)
    runs = _plan_tokens(g, offset)
    if before == "-" and runs:
        runs[0] = runs[0][1:]  # "sub-Saharan Africa": the first word describes
    specs: list[tuple] = []
    for tokens in runs:
        if tokens:
            specs.extend(_plan_run(text, offset, tokens, lower_case, bracket, text[:offset] in (" ", ",")))
    if not specs:
        return ()
    # A "(FHLBB)" after the run names its last piece.
    acronym = specs[-1][_SURFACE] if specs[-1][_REL_END] == len(g) else None
    specs = tuple(spec for spec in specs if spec[_LONE])  # demonyms, "Premier": never names alone
    return (specs, acronym) if specs or acronym else ()


def _plan_run(text: str, offset: int, tokens: list[_Token], lower_case, bracket: bool, spaced: bool) -> list[tuple]:
    end_of_run = len(text)
    org_run = _is_org([t[0] for t in tokens])
    # Leading words that are capitalised for the sentence, not for a name
    # ("The", "Analyst Hiroyuki Kondo", "Officials of the EC Commission").
    job = None
    while tokens and (
        _not_name(tokens[0][0])
        or tokens[0][0].lower() in _CONNECTORS
        or (tokens[0][0] in _LEADING_WORDS and len(tokens) > 1)
    ):
        if org_run and tokens[0][0] in _KEEP_IN_ORG and len(tokens) > 1:
            break
        if " ".join(t[0] for t in tokens).lower() in PLACES:
            break  # "Third World"
        if tokens[0][0] in _JOBS:
            job = tokens[0][0]
        tokens = tokens[1:]
    if not tokens:
        return []
    if job in _JOBS_OF_ONE:
        # "Analyst Sanford Margoshes of Shearson Lehman Brothers": the job says
        # the words before "of" are a person, whatever the firm's name ends with.
        at = next((i for i, t in enumerate(tokens[:4]) if t[0] == "of"), None)
        person = [t[0] for t in tokens[:at]] if at else []
        if len(person) > 1 and not _is_org(person) and not _is_place(person) \
                and all(w[:1].isupper() and w.replace(".", "").isalpha() for w in person):
            spec = _plan_piece(text, offset, tokens[:at], person=_ALWAYS, org=False, place=0)
            return ([spec] if spec is not None else []) + _plan_run(
                text, offset, tokens[at + 1 :], lower_case, bracket, spaced)
    single = len(tokens) == 1
    first_start, first_end, last_end = tokens[0][1], tokens[0][2], tokens[-1][2]
    if first_start == offset:
        # What precedes the run is the article's: flags read there, where a
        # word can end just before the run (after white space or a comma).
        role, place = (_RP, _PP) if spaced else (0, 0)
        bracketed = bracket and last_end == end_of_run
        if bracket and single and _TICKER_SUFFIX.fullmatch(text, first_end):
            return []  # a stock ticker: "<IBM>", "<MSFT.O>"
        if bracketed and not single:
            # Reuters brackets a firm's whole name: "<Nissan Motor Manufacturing Corp USA>".
            spec = _plan_piece(text, offset, tokens, person=0, org=True, place=0)
            return [spec] if spec is not None else []
    else:
        before = text[max(0, first_start - 40) : first_start]
        words_before = before.replace(",", " ").split()[-2:]
        # A job dropped before the run makes a person of it ("Analyst Hiroyuki Kondo"); "Former"
        # does not ("Former White House aide ...": the White House).
        role = _ALWAYS if words_before and words_before[-1] != "Former" and _is_role_word(words_before[-1]) else 0
        place = _ALWAYS if len(words_before) == 2 and words_before[1] == "of" and words_before[0] in _PLACE_BEFORE else 0
        bracketed = False  # the character before is inside the run: not "<"
    # "Vittorio Cassoni, senior vice president of ...", "Gavin Launder, an analyst".
    if last_end == end_of_run:
        role |= _RF
    if single and text[first_end:] in ("", "'", "’") and not _is_place([_clean(tokens[0][0])]) \
            and tokens[0][0] not in _PARTIES:
        role |= _LD  # "Reagan administration", but "U.S. government" is still a place, "Labour government" a party

    if single:
        spec = _plan_piece(text, offset, tokens, person=role, org=bracketed, place=place)
        return [spec] if spec is not None else []
    parts = []
    for part in _split_tokens(tokens):
        # Reuters capitalises the word after "U.S." ("U.S. Trade deficit").
        if len(part) > 1 and part[0][0] in _PLACE_PREFIXES and not _is_org([t[0] for t in part]):
            parts.append(part[:1])
            rest = part[1:]
            if len(rest) > 1 or not lower_case(rest[0][0]):  # (a recorder answers None)
                parts.append(rest)
        else:
            parts.append(part)
    specs = []
    for number, part in enumerate(parts):
        while len(part) > 2 and part[0][0].lower() in PERSON_TITLES and part[1][0] == "of":
            part = part[2:]
            while part and part[0][0].lower() in _CONNECTORS:
                part = part[1:]
        if not part:
            continue
        if number and len(part) > 2 and _follows_title_of(tokens, part):
            start = _person_at_end(part)
            if start is not None:
                head = part[:start]
                if _is_org([t[0] for t in head]):
                    specs.append(_plan_piece(text, offset, head, person=0, org=True, place=0))
                specs.append(_plan_piece(text, offset, part[start:], person=_ALWAYS, org=False, place=0))
                continue
        split = _title_split(part)
        if split is not None:
            head, after = split
            if head and _is_org([t[0] for t in head]) and not _portfolio(head, part[len(head)][0]):
                specs.append(_plan_piece(text, offset, head, person=0, org=True, place=0))
            specs.append(_plan_piece(text, offset, after, person=_ALWAYS, org=False, place=0))
        else:
            body = _without_post(part)
            if body is not part:
                # "the Treasury Secretary met ...", "said Jim Wright, the House Speaker": a post, not a
                # name; the body it names stays ("Treasury", "House", "Federal Reserve").
                if body:
                    specs.append(_plan_piece(text, offset, body, person=0, org=_is_org([t[0] for t in body]),
                                             place=0))
                continue
            first = number == 0
            person = role if first else 0
            if number + 1 < len(parts) and _of_a_firm(tokens, part, parts[number + 1]):
                person = _ALWAYS  # "Sanford Margoshes of Shearson Lehman Brothers Inc"
            specs.append(_plan_piece(text, offset, part, person=person, org=bracketed,
                                     place=place if first else 0))
    return [spec for spec in specs if spec is not None]


# Posts that end a run of words with no one named after them ("Treasury Secretary", "House
# Speaker", "Federal Reserve Chairman"), and the words that may come before such a post as part of
# it ("Prime Minister", "State Secretary", "Senior Vice President").
_POSTS = frozenset({
    "secretary", "minister", "speaker", "chairman", "chairwoman", "chairperson", "president", "vice-president",
    "governor", "spokesman", "spokeswoman", "spokesperson", "leader", "premier", "chancellor", "ambassador",
    "commissioner", "director", "treasurer", "undersecretary", "under-secretary", "secretary-general", "chief",
    "superintendent", "sheriff", "attorney", "representative", "envoy", "congressman", "congresswoman", "senator",
    "mayor", "deputy",
})
_POST_PREFIXES = frozenset({"prime", "vice", "deputy", "acting", "chief", "state", "senior",
                                               "executive", "assistant", "special"})


def _without_post(part: list[_Token]) -> list[_Token]:
    """``part`` without a post that ends it and the words of the post before it ("Treasury
    Secretary" -> "Treasury"; "Senate Republican", of "Senate Republican leader Robert Dole", ->
    "Senate"), and without what is left when that names no body or place ("Finance Minister",
    "Economic Planning Minister" -> nothing); ``part`` itself when it ends in no post, is a
    person's name ("Robert Bishop") or a body "of" something ("Office of the President",
    "Department of Justice"), unless that is a place ("Bank of England Governor")."""
    last = part[-1][0]
    if len(part) < 2 or not (last in _PARTY_ADJECTIVES or last == "General" or last.lower() in _POSTS):
        return part  # nearly every run: no post at its end
    words = [t[0] for t in part]
    end = len(words)
    if words[0].lower() in GIVEN_NAMES or _is_initial(words[0]):
        return part
    if any(w in _CONNECTORS for w in words):
        last = max(i for i, w in enumerate(words) if w in _CONNECTORS)
        if not _is_place(words[last + 1 : -1]):
            return part  # the post is the body's: "Office of the President", "Office of U.S. Trade Representative"
    if words[-1] in _PARTY_ADJECTIVES:
        end -= 1  # "Senate Republican", "House Democratic"
    else:
        if words[-1] == "General" and words[-2].lower() in _POSTS:
            end -= 1  # "Attorney General", "Secretary General"
        if words[end - 1].lower() not in _POSTS:
            return part
        end -= 1
        while end and words[end - 1].lower() in _POST_PREFIXES:
            end -= 1
    body = words[:end]
    if not body or _portfolio(part[:end], "minister"):
        return []
    if _is_org(body) or _is_place(body) or (
        len(body) == 1 and (_never_person(body[0]) or any(c.isupper() for c in body[0][1:]))
    ):
        return part[:end]  # "Treasury", "Ecuador", "SEC", "BankAmerica"
    return []


_PARTIES = frozenset({"Conservative", "Labour", "Liberal", "Socialist", "Communist", "Democratic", "Republican",
                      "Christian", "Social", "Nationalist", "Green"})
# Adjectives that alone describe ("Republican leaders"); "Labour" or "Conservatives" alone name a party.
_PARTY_ADJECTIVES = frozenset({"Republican", "Democratic", "Congressional", "Presidential", "Parliamentary",
                               "Ministerial"})
_MINISTERS = frozenset({"minister", "secretary"})
# Words that end organisations' names ("Mobil Oil") and, before a minister, name
# what the minister is for ("Oil Minister"), unlike "Treasury Secretary".
_SECTORS = frozenset({"oil", "gas", "energy", "petroleum", "mining", "mines", "minerals", "steel", "power",
                      "shipping", "insurance", "communications", "telecommunications", "chemicals", "electronics"})


def _portfolio(head: list[_Token], title: str) -> bool:
    """Whether ``head`` before a minister is a portfolio, perhaps with its country
    ("Oil Minister", "Nigerian Oil Minister"), not an organisation ("British
    Petroleum Chairman", "Treasury Secretary")."""
    return (
        title.lower() in _MINISTERS
        and head[-1][0].lower() in _SECTORS
        and (len(head) == 1 or (len(head) == 2 and _is_demonym(head[0][0])))
    )


def _demonym_names_too(words: list[str]) -> bool:
    """Whether the demonym that begins ``words`` (two more words at least) is part of
    an organisation's name ("European Monetary System") rather than a description of
    a person or place ("Texan H. Ross Perot", "Nigerian Oil Minister", "Southern
    California")."""
    rest = words[1:]
    return not (
        _is_demonym(rest[0])
        or _is_place(rest)
        or rest[0].lower() in GIVEN_NAMES
        or _is_initial(rest[0])
        or any(w.lower().rsplit("-", 1)[-1] in _TITLES_OR_ROLES for w in rest)  # "Vice-Premier"
    )


def _plan_piece(text: str, offset: int, part: list[_Token], *, person: int, org: bool, place: int) -> tuple | None:
    # "Ohio-based Gencorp", "25-year-old Dillon Passage": the first word describes.
    while part and "-" in part[0][0] and part[0][0].rsplit("-", 1)[1].islower():
        part = part[1:]
    words = [t[0] for t in part]
    if _is_org(words):
        if " ".join(words).lower() not in ORG_NAMES:  # "Poor's" is part of the name
            words[-1] = _clean(words[-1])
    else:
        words = [_clean(w) for w in words]
        # "Japanese officials", "Canadian division", "West German", "U.S.-Japanese
        # trade": not names; "Saudi Arabia" and "Dominican Republic" are.
        while words and _is_demonym(words[0]) and not _is_place(words):
            if len(words) > 2 and _demonym_names_too(words):
                break  # "European Monetary System", "Thai Airways International"
            words, part = words[1:], part[1:]
        if words and all(_is_demonym(w) or w in _COMPASS for w in words) and not _is_place(words):
            return None
        if len(words) == 1 and words[0] in _PARTY_ADJECTIVES:
            return None  # "Republican leaders", "Congressional testimony"
    if not words or (len(words) == 1 and _never_alone(words[0]) and words[0] not in _TITLE_SURNAMES_CASED):
        return None
    if person and _is_place(words):
        person = 0  # a role word before a place ("the chief U.S. concerns") does not make it a person
    if words[-1].endswith(".") and words[-1][:-1].isalpha() and words[-1][:-1].lower() in ORG_SUFFIXES:
        words[-1] = words[-1][:-1]  # "Corp." at the end of a sentence
    start, end = part[0][1], part[-1][2]
    if start == offset:
        sentence_initial = _SI
    else:
        sentence_initial = _ALWAYS if _sentence_initial(text, start, 0) else 0
    if end == len(text):
        place |= _CT  # "Quincy, Fla."
    return _spec(start - offset, end - offset, tuple(words), sentence_initial, person, org, place,
                 " ".join(text[start:end].split()))


def _spec(start: int, end: int, words: tuple[str, ...], sentence_initial: int, person: int, org: bool, place: int,
          written: str) -> tuple:
    """A piece of a plan: where it is in the run, its flags, and what
    resolving its name needs to know about its words."""
    return (start, end, sentence_initial, person, org, place, written) + _surface(words)


_TITLE_PREFIXES = frozenset({"prime", "vice", "deputy", "acting", "first", "chief"})


def _title_alone(words: tuple[str, ...]) -> bool:
    """A title that names nobody by itself: "the Prime Minister", "Vice President"."""
    return 1 < len(words) <= 3 and words[-1].lower() in PERSON_TITLES \
        and all(w.lower() in _TITLE_PREFIXES for w in words[:-1])


@_memo
def _surface(words: tuple[str, ...]) -> tuple:
    """What resolving a name needs to know about its words, worked out once."""
    listed = list(words)
    count = len(words)
    if count > 1:
        lone = 3
    elif words[0] in _TITLE_SURNAMES_CASED:
        lone = 4
    elif words[0] in _DEMONYMS_CASED or _never_alone(words[0]):
        lone = 0
    elif (
        words[0].lower() in PLACES
        or words[0].lower() in GIVEN_NAMES
        or words[0].lower() in KNOWN_SURNAMES
        or _is_acronym(words[0])
        or any(c.isupper() for c in words[0][1:])
    ):
        lone = 1
    else:
        lone = 2
    clean = tuple(_clean(w) for w in words)
    clean_bare = _bare(clean)
    # The one-word short forms this name, once found, stands for, by its
    # kind: (person, organisation, place). Tuples, not sets: a cache of
    # tuples of strings costs the garbage collector nothing.
    if count == 1:
        singles = ((), (), ())
    else:
        singles = ((clean[0], clean[-1]), (clean[0], *clean_bare), (clean[0],))
    kind, kind_if_place = _kinds(listed)
    return (
        words, " ".join(words), lone, count,
        _bare(listed) != listed or " ".join(listed).lower() in ORG_NAMES  # a firm whatever is said around it
        or (count == 1 and _never_person(_clean(words[0]))),
        kind,
        kind_if_place,
        (count == 1 and words[0].lower() in ORG_HEADS) or _title_alone(words),
        _common_word_form(words[0]) if count == 1 else None,
        _short_form(words),
        clean,
        clean_bare,
        (_initials(clean), _initials(clean_bare)) if count > 1 else (),
        singles,
    )


def _plan(key: str, text: str, stop: int, lower_cases: dict) -> tuple:
    """The plan of the run that ``key`` holds (after the character before
    it, if any), for an occurrence that ends at ``stop`` in ``text``."""
    plan = _met_again(key)
    if plan is not None:
        return plan
    before = key[0]
    if "A" <= before <= "Z":
        # The run starts the text: planned as after a space. Flags for what comes
        # before it then find nothing there, and the plan holds after a space too
        # (planned without those flags and shared, it once left them out there).
        before, g = " ", key
    else:
        g = key[1:]
        if before.isalnum() or before in _SKIPPED_BEFORE:
            _remember_first(key, ())
            return ()  # inside a word, a handle, a hashtag or a ticker
    bracket = before == "<" and text[stop : stop + 1] == ">"
    asked = _ASKED.get(key)
    if asked is None:
        spaced = not before or before.isspace()
        if spaced:
            # After any white space, or at the start: one plan.
            plan = _PLANS.get(" " + g)
            if plan is None:
                plan = _met_again(" " + g)
            if plan is not None:
                _remember_first(key, plan)
                return plan
        words: list[str] = []
        plan = _build_plan(g, before, words.append, bracket)
        asked = tuple(words)
        if not asked and before != "<":
            _remember_first(key, plan)
            if spaced and key[0] != " ":
                _FIRST_PLANS[" " + g] = plan
            return plan
        _remember(_ASKED, key, asked)
    # Whether "U.S. Trade" is one name or two depends on whether the article
    # writes "trade" too; "<" before a run may make it a ticker.
    answers = tuple(_lower_case(text, word, lower_cases) for word in asked)
    special = (key, bracket, answers)
    plan = _SPECIAL_PLANS.get(special)
    if plan is None:
        plan = _build_plan(g, before, lambda word: _lower_case(text, word, lower_cases), bracket)
        _remember(_SPECIAL_PLANS, special, plan)
    return plan


def _met_again(key: str) -> tuple | None:
    """The plan of a run met once before, now kept with the runs that recur."""
    plan = _FIRST_PLANS.pop(key, None)
    if plan is not None:
        _remember(_PLANS, key, plan, _PLAN_CACHE_SIZE - _FIRST_PLAN_CACHE_SIZE)
    return plan


def _remember_first(key: str, plan: tuple) -> None:
    _remember(_FIRST_PLANS, key, plan, _FIRST_PLAN_CACHE_SIZE)


def _remember(cache: dict, key, value, size: int = _PLAN_CACHE_SIZE) -> None:
    if len(cache) >= size:
        # Bounded: the older half goes (a dict keeps the order of insertion).
        for old in list(islice(cache, size // 2)):
            del cache[old]
    cache[key] = value


def _lower_case(text: str, word: str, cache: dict) -> bool:
    answer = cache.get(word)
    if answer is None:
        lower = word.lower()
        if len(text) > _WORD_SET_FROM and lower.isalnum():
            # In a long text, searching it once for each of thousands of words
            # is quadratic: its words are gathered once instead.
            words = cache.get(_ALL_WORDS)
            if words is None:
                words = cache[_ALL_WORDS] = frozenset(_ALNUM_RUN.findall(text))
            answer = lower in words
        else:
            answer = _written_in_lower_case(text, word)
        cache[word] = answer
    return answer


_WORD_SET_FROM = 200_000  # characters of text
_ALL_WORDS = " words"  # the key of that set in the cache (no word holds a space)


# --- flags read in the article, only when needed ------------------------------


def _floor(starts: list[int], at: int) -> int:
    """The start of the paragraph that holds ``at``."""
    return starts[_bisect(starts, at) - 1]


def _begins_sentence(text: str, at: int, floor: int) -> bool:
    """:func:`_sentence_initial`, with the walk back done by ``str.rstrip``."""
    # Only the end of what comes before matters (its last 13 characters): a window that grows
    # while it holds less, never the whole paragraph so far, which made a paragraph of
    # megabytes (a text without blank lines) quadratic.
    window = 64
    while True:
        start = max(floor, at - window)
        before = text[start:at].rstrip(_SENTENCE_GAP)
        if len(before) >= 13 or start == floor:
            break
        window *= 16
    if not before:
        return True
    last = before[-1]
    if last in "!?:;":
        return True
    if last == ".":
        # "Mr." and initials do not end sentences; other abbreviations
        # ("Inc.") usually do when a capitalised word follows.
        word = before[-13:-1].rsplit(None, 1)[-1:]
        return not (word and (len(word[0]) == 1 or word[0].lower() in _NOT_SENTENCE_END))
    return False


# Read backwards from a run, in the 40 characters before it in its
# paragraph: the last word (split at white space and commas) after its last
# hyphen, to be a role word in any case; the word before a last "of", to be
# "town", "city", ....
_LAST_WORD_BACKWARDS = re.compile(r"[\s,]+([^\s,-]*)")
_ROLES_BACKWARDS = frozenset(w[::-1] for w in PERSON_ROLES)
_OF_BACKWARDS = re.compile(r"[\s,]+fo[\s,]+([^\s,]*)")
_PLACE_BEFORE_BACKWARDS = frozenset(w[::-1] for w in _PLACE_BEFORE)


def _flag(text: str, at: int, stop: int, mask: int, starts: list[int]) -> bool:
    """Whether any of the context flags in ``mask`` holds for the run at
    ``text[at:stop]``."""
    if mask & _ALWAYS:
        return True
    if mask & (_RF | _CT | _LD):
        after = text[stop : stop + 1]
        if after == ",":
            if mask & _RF and _ROLE_AFTER.match(text, stop):
                return True
            if mask & _CT:
                city = _CITY_STATE.match(text, stop)
                if city and (
                    city.group(1).lower() in PLACES
                    or f"{city.group(1)} {city.group(2)}".lower().rstrip(".") in PLACES
                ):
                    return True
        elif mask & _LD and (after.isspace() or after == ")") and _LEADER_AFTER.match(text, stop + (after == ")")):
            return True  # "Reagan administration", "the (Reagan) administration's plan"
    if mask & (_RP | _PP):
        before = text[at - 40 if at > 40 else 0 : at]
        if before.count("\n") > 1:  # perhaps a paragraph break
            floor = _floor(starts, at)
            if floor > at - 40:
                before = text[floor:at]
        before = before[::-1]
        if mask & _RP:
            word = _LAST_WORD_BACKWARDS.match(before)
            if word and word.group(1).lower() in _ROLES_BACKWARDS and not _MEDIUM_AFTER.match(text, stop):
                return True
            if word and word.group(1)[:1] == ")" and _inserted_person(before):
                return True
        if mask & _PP:
            word = _OF_BACKWARDS.match(before)
            if word and word.group(1) in _PLACE_BEFORE_BACKWARDS:
                return True
    return False


def _inserted_person(backwards: str) -> bool:
    """Whether a parenthesis just before a run (``backwards``: the text before it,
    reversed) holds a title, a role or a given name: an editor's insertion in a
    quotation, "(Prime Minister Yasuhiro) Nakasone", "(former President Ferdinand) Marcos"."""
    inside = backwards.lstrip()[1:].split("(", 1)
    if len(inside) < 2:
        return False
    words = inside[0][::-1].split()
    return bool(words) and any(w.lower() in _TITLES_OR_ROLES or w.lower() in GIVEN_NAMES for w in words)


# --- headlines in capitals --------------------------------------------------

_ANGLE_BRACKETS = re.compile(r"<[^<>]*>")
_TITLE_TICKER = re.compile(r"<([A-Z0-9.]{1,10})>")
_TITLE_BRACKETED = re.compile(r"<([A-Z][A-Z0-9.&'\- ]*\s[A-Z0-9.&'\- ]*[A-Z.])>")
_TITLE_START = re.compile(r"(?:^|/|\s-\s|-\s|:\s)(?=[A-Z])")
_SHOUTING_MIN_LETTERS = 4


_LOWERCASE = re.compile(r"[a-z]")


_NO_UPPER = dict.fromkeys(range(ord("A"), ord("Z") + 1))
_NO_LOWER = dict.fromkeys(range(ord("a"), ord("z") + 1))


def _is_shouting(paragraph: str) -> bool:
    if _LOWERCASE.search(paragraph, 0, 24) and _LOWERCASE.search(paragraph, len(paragraph) - 24):
        return False  # the common case, decided cheaply
    upper = len(paragraph) - len(paragraph.translate(_NO_UPPER))  # letters A to Z
    return upper >= _SHOUTING_MIN_LETTERS and len(paragraph) - len(paragraph.translate(_NO_LOWER)) <= upper // 10


@lru_cache(maxsize=4096)
def _title_case(words: tuple[str, ...]) -> str:
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

_new = object.__new__
_set = object.__setattr__
_SPAN = re.Match.span
_START_OF = itemgetter(0)
_END_OF = itemgetter(1)
_BY_START = itemgetter("start")
_FIRST = itemgetter(0)


def _objects(cls: type, fields: list[dict]) -> list:
    """``cls(**f) for f in fields`` for a frozen dataclass, without running
    its ``__init__`` for each (which costs more here than finding a name)."""
    objects = list(map(_new, repeat(cls, len(fields))))
    any(map(_set, objects, repeat("__dict__"), fields))
    return objects


def _paragraphs(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the blank-line separated paragraphs."""
    if "\n" not in text:
        return [0], [len(text)]
    breaks = list(map(_SPAN, _PARAGRAPH_BREAK.finditer(text)))
    return [0, *map(_END_OF, breaks)], [*map(_START_OF, breaks), len(text)]


# Firms named after partners with commas between them, which would otherwise
# be cut at each comma ("Goldman, Sachs and Co" gave "Goldman"): capitalised
# words or pairs joined by commas, the last by "and", then a legal form
# ("Kidder, Peabody and Co Inc"); or "and" a legal form ("Toomay, Mathis and
# Associates"); or three or more joined by commas alone, then a legal form
# ("Rothschild, Unterberg, Towbin Inc"). The pattern starts at the first comma
# (a comma is quick to look for; a capital is not): the first partner is read
# backwards from there.
_PARTNER = rf"[{_CAPITAL}][{_LOWER}]+(?:[ \n][{_CAPITAL}][{_LOWER}]+)?"  # a line may break anywhere
_LEGAL_AFTER = r"(?=[ \n](?:and[ \n])?(?:Co|Cos|Company|Inc|Corp|Associates|Securities|Sons|Ltd)\b)"
# At most _MOST_PARTNERS: unbounded, a long list of names without a legal form ("New York, New
# York, ...") was tried from each of its commas to its end, quadratic in its length.
_MOST_PARTNERS = 8
_COMMA_FIRM_TAIL = re.compile(  # a literal "," first: the regex engine then skips ahead to each
    rf",[ \n]{_PARTNER}(?:(?:,[ \n]{_PARTNER}){{0,{_MOST_PARTNERS}}}(?:,?[ \n](?:and|&)[ \n]{_PARTNER}{_LEGAL_AFTER}"
    rf"|,?[ \n](?:and|&)[ \n](?:Co|Company|Associates|Sons)\b)|(?:,[ \n]{_PARTNER}){{1,{_MOST_PARTNERS}}}{_LEGAL_AFTER})"
)
_FIRST_PARTNER = re.compile(rf"\b{_PARTNER}$")


def _without_partner_commas(text: str) -> str:
    """``text`` with the commas inside firms of partners made spaces, so that each
    firm is one run of words (offsets stay as they are)."""
    spans = []
    for match in _COMMA_FIRM_TAIL.finditer(text):
        tail_start = match.start()
        first = _FIRST_PARTNER.search(text, max(0, tail_start - 24), tail_start)
        if first is None:
            continue
        firm = text[first.start() : match.end()]
        partners = [" ".join(p.split()) for p in re.split(r",|\s(?:and|&)\s", firm) if p.strip()]
        # Not a list of places, demonyms or sentence words ("In Britain, Sears and Co").
        if any(p.lower() in PLACES or _is_demonym(p) or (_not_name(p.split()[0]) and p.lower() not in _AND_FIRM)
               for p in partners):
            continue
        # A legal form inside is the end of one firm in a list of them ("Asia Inc, Sogen Corp");
        # a given name begins a person ("said Peter Smith, Jones and Co's partner").
        if any(w.lower() in _LEGAL_SUFFIXES for p in partners[:-1] for w in p.split()) or any(
                " " in p and p.split()[0].lower() in GIVEN_NAMES for p in partners):
            continue
        spans.append((first.start(), match.end()))
    if not spans:
        return text
    pieces, at = [], 0
    for start, end in spans:
        pieces.append(text[at:start])
        pieces.append(text[start:end].replace(",", " "))  # "Goldman  Sachs and Co": one run
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def find_mentions(text: str) -> list[Mention]:
    """Every mention of a person, organisation or place in ``text``, in text
    order, each with the canonical name it refers to."""
    if ", " in text:
        text = _without_partner_commas(text)
    starts, ends = _paragraphs(text)
    # Paragraphs in capitals (Reuters headlines) are not mined for names.
    lower = _LOWERCASE.search
    near_start = list(map(lower, repeat(text), starts, map(min, map(add, starts, repeat(24)), ends)))
    near_end = list(map(lower, repeat(text), map(max, starts, map(sub, ends, repeat(24))), ends))
    shouting: list[tuple[int, int]] = []
    if None in near_start or None in near_end:
        shouting = [
            (start, end)
            for start, end, first, last in zip(starts, ends, near_start, near_end)
            if not (first and last) and _is_shouting(text[start:end])
        ]
    regions = [(0, len(text))]
    if shouting:
        regions, at = [], 0
        for start, end in shouting:
            regions.append((at, start))
            at = end
        regions.append((at, len(text)))

    # Candidate runs, each read through its plan. A plan does not depend on
    # which white space separates the words of a run or comes before it, so
    # runs are looked up with line breaks read as spaces: Reuters breaks its
    # lines every 70 characters or so, and one run written both ways was
    # planned and kept twice.
    keys = text.replace("\n", " ") if "\n" in text else text  # same offsets
    plans = _PLANS
    lower_cases: dict = {}  # word -> whether the text also writes it in lower case (see _lower_case)
    pieces: list[tuple] = []  # (start of the run, its end, spec)
    named: list[tuple] = []  # (end of the run, name of its last piece) for "(FHLBB)"
    runs = _RUN.finditer
    for region_start, region_end in regions:
        for match in runs(text, region_start, region_end):
            at, stop = match.span()
            key = keys[at - 1 : stop] if at else keys[:stop]
            plan = plans.get(key)
            if plan is None:
                plan = _plan(key, text, stop, lower_cases)
            if plan:
                specs, acronym = plan
                for spec in specs:
                    pieces.append((at, stop, spec))
                if acronym is not None:
                    named.append((stop, acronym))
    acronyms: dict[str, str] = {}
    if named and "(" in text:
        positions = _acronym_positions(text)
        if positions:
            for stop, name in named:
                found = positions.get(stop)
                if found is not None:
                    acronyms[found] = name

    if "called" in text:
        pieces = _without_so_called(text, pieces)

    # A lone capitalised word at the start of a sentence is a name only if
    # the article also capitalises it elsewhere, or the lists know it.
    seen_inside: set[str] = set()
    doubtful = []
    for piece in pieces:
        spec = piece[2]
        lone = spec[_LONE]
        if lone == 3:
            seen_inside.update(spec[_WORDS])
        elif lone == 2:
            first = spec[_SI_MASK]
            if first == _SI:
                at = piece[0]
                first = _begins_sentence(text, at, _floor(starts, at))
            if first:
                doubtful.append(piece)
            else:
                seen_inside.add(spec[_WORDS][0])
    if doubtful:
        dropped = {
            id(piece)
            for piece in doubtful
            if piece[2][_WORDS][0] not in seen_inside
            and not _flag(text, piece[0], piece[1], piece[2][_PERSON_MASK], starts)
        }
        if dropped:
            pieces = [piece for piece in pieces if id(piece) not in dropped]

    titled: dict[int, tuple[str, str]] = {}  # where a title says which of two people a surname is
    canonical = _resolve(pieces, acronyms, text, lower_cases, starts, titled)
    body = []
    written = []  # as written in the text, for the headlines
    for at, _, spec in pieces:
        target = canonical.get(spec[_SURFACE])
        if titled:
            target = titled.get(at + spec[_REL_START], target)
        if target is not None and (len(target[0]) <= _LONGEST_WORD or not _ABSURD_WORD.search(target[0])):
            body.append({"start": at + spec[_REL_START], "end": at + spec[_REL_END], "name": target[0],
                         "kind": target[1]})
            written.append(spec[_WRITTEN])
    if shouting:
        found = _headline_mentions(text, shouting, body, written)
        if found:
            body.extend(found)
            body.sort(key=_BY_START)
    return _objects(Mention, body)


_SO_CALLED = re.compile(r"\bso[- ]called\s*[\"“‘']$")


def _without_so_called(text: str, pieces: list[tuple]) -> list[tuple]:
    """``pieces`` without the runs quoted after "so-called": a term ('the so-called "Big Bang"',
    '"Think Big"'), not a name (unquoted, "the so-called Paris Club" is one)."""
    return [piece for piece in pieces
            if not (text[piece[0] - 1 : piece[0]] in "\"“‘'" and piece[0] and _SO_CALLED.search(
                text, max(0, piece[0] - 16), piece[0]))]


def _acronym_positions(text: str) -> dict[int, str]:
    """Where a "(FHLBB)" follows: the end of the word before it (white space
    between) -> the acronym."""
    found = {}
    for match in _ACRONYM.finditer(text):
        at = match.start()
        while at > 0 and text[at - 1].isspace():
            at -= 1
        found.setdefault(at, match.group(1))
    return found


def _kinds(words: list[str]) -> tuple[str, str]:
    """The kind of a name by its words (when nothing before or after it says
    more), and its kind when a place name follows it ("Quincy, Fla.").
    Before these, :func:`_resolve` asks whether it is an organisation by a
    legal form or angle brackets, then whether a title or a role word marks
    a person ("Lawyer David Steel": a title beats an organisation word)."""
    if _bare(words) != words:
        return ORGANIZATION, ORGANIZATION
    if " ".join(words).lower() in PLACES:
        return PLACE, PLACE  # "Soviet Union"
    if _is_org(words):
        return ORGANIZATION, ORGANIZATION
    if _is_place(words):
        return PLACE, PLACE
    if len(words) > 1 and (
        words[0].lower() in GIVEN_NAMES
        or _is_initial(words[0])
        or any(_is_initial(w) for w in words[1:-1])
        or (len(words[-1]) == 1 and words[-1].isupper())
    ):
        return PERSON, PERSON
    if len(words) == 1 and _is_acronym(words[0]):
        return ORGANIZATION, ORGANIZATION
    if len(words) == 1 and words[0].lower() in GIVEN_NAMES:
        return PERSON, PERSON  # "Joe's lawyer"
    if len(words) == 1 and words[0].lower() in KNOWN_SURNAMES:
        return PERSON, PLACE  # "He said Reagan rejected it", but "Clinton, Tenn."
    return ORGANIZATION, PLACE


_PLURAL_CAPITALS = re.compile(r"[A-Z]{2,}s")
# No word of a name is this long (the longest surnames have about 35 letters): a run of
# letters past it is noise, or a hostile text, not a name to list.
_LONGEST_WORD = 60
_ABSURD_WORD = re.compile(rf"\S{{{_LONGEST_WORD + 1}}}")


_KIND_INDEX = {PERSON: 0, ORGANIZATION: 1, PLACE: 2}


def _common_word_form(word: str) -> bool | None:
    """Of an organisation only by default: True for a plural of capitals
    ("PCs"), False for a word that is a name by its form, None when it
    depends on whether the article also writes it in lower case."""
    if _PLURAL_CAPITALS.fullmatch(word):
        return True
    if _is_acronym(word) or any(c.isupper() for c in word[1:]):
        return False
    return None


def _initials(words) -> str:
    return "".join(w[0] for w in words if w[0].isupper() and w.lower() not in _CONNECTORS)


def _resolve(
    pieces: list[tuple], acronyms: dict[str, str], text: str, lower_cases: dict, starts: list[int],
    titled: dict[int, tuple[str, str]],
) -> dict[str, tuple[str, str]]:
    """Map each surface to (canonical name, kind), short forms to full ones; and in ``titled``,
    where a title settles it, the start of a surname two people have -> which one it is."""
    groups: dict[str, list] = {}  # surface -> [word count, spec, piece, piece, ...]
    for piece in pieces:
        spec = piece[2]
        group = groups.get(spec[_SURFACE])
        if group is None:
            groups[spec[_SURFACE]] = [spec[_COUNT], spec, piece]
        else:
            group.append(piece)
    full = _FullNames()
    canonical_of: dict[str, tuple[str, str]] = {}
    # Longest first (ties in order of first mention), so that every short
    # form can find its full name.
    for group in sorted(groups.values(), key=_FIRST, reverse=True):
        spec = group[1]
        target = _longer_form(spec[_SHORT], spec[_CLEAN], full, acronyms) if full.entries else None
        if target is _TWO_PEOPLE:
            # "Senator Dole" in an article that names Robert Dole and Elizabeth Dole: neither,
            # but a person ("Dole" alone; the store counts it for neither full name either),
            # unless a title says which ("Mrs. Dole").
            target = (spec[_SURFACE], PERSON)
            _settle_by_title(group, full, text, titled)
        elif spec[_LONE] == 4 and (target is None or target[1] is not PERSON):
            continue  # a title ("Major") that is no surname of anyone the article names
        elif target is None:
            if spec[_HEAD_ALONE]:
                continue  # "International", "National" alone name nothing
            org = spec[_ORG] if len(group) == 3 else any(piece[2][_ORG] for piece in group[2:])
            kind = spec[_KIND]
            if spec[_FORCED_ORG] or org:
                kind = ORGANIZATION
            elif kind is PERSON and spec[_KIND_IF_PLACE] is PERSON:
                pass  # a person with or without a title before
            else:
                for at, stop, s in group[2:]:
                    if s[_PERSON_MASK] and _flag(text, at, stop, s[_PERSON_MASK], starts):
                        kind = PERSON
                        break
                else:
                    if kind is not spec[_KIND_IF_PLACE]:
                        for at, stop, s in group[2:]:
                            if s[_PLACE_MASK] and _flag(text, at, stop, s[_PLACE_MASK], starts):
                                kind = spec[_KIND_IF_PLACE]
                                break
            if kind == ORGANIZATION and spec[_COUNT] == 1:
                # "Trade", "Tariffs": capitalised here, lower case elsewhere.
                common = spec[_COMMON]
                if common is None:
                    common = not org and _lower_case(text, spec[_WORDS][0], lower_cases)
                if common:
                    continue
            target = (spec[_SURFACE], kind)
            full.append((spec[_SURFACE], kind, spec[_COUNT], spec[_CLEAN], spec[_CLEAN_BARE], spec[_INITIALS],
                         spec[_SINGLES][_KIND_INDEX[kind]]))
        canonical_of[spec[_SURFACE]] = target
    return canonical_of


# Titles that say a woman or a man, written before a surname.
_GENDERED_TITLE = re.compile(r"(?<![\w.])(Mrs|Ms|Miss|Mme|Madame|Lady|Dame|Mr|Sir|Lord)\.?\s+$")
_WOMEN_TITLES = frozenset({"Mrs", "Ms", "Miss", "Mme", "Madame", "Lady", "Dame"})
_WOMAN, _MAN = "woman", "man"


def _gender(given: str) -> str | None:
    """Whether a given name is a woman's or a man's, if the lists say ("Jean-Claude" as "Jean")."""
    first = given.split("-", 1)[0].lower()
    if first in WOMEN_GIVEN_NAMES:
        return _WOMAN
    if first in GIVEN_NAMES and first not in GIVEN_NAMES_OF_BOTH:
        return _MAN
    return None


def _settle_by_title(group: list, full: _FullNames, text: str, titled: dict[int, tuple[str, str]]) -> None:
    """For each piece of ``group`` (a surname that two people of the article have) after a title
    that says a woman or a man, the one person of that surname the title fits, when the given
    names of all of them say who is a woman and who a man: "Mrs. Dole" beside Robert and Elizabeth
    Dole is Elizabeth Dole."""
    surname = group[1][_CLEAN][-1]
    people = [entry for entry in full.entries if entry[1] is PERSON and surname in entry[6]]
    genders = [_gender(entry[3][0]) for entry in people]
    if None in genders:
        return  # someone whose sex the lists do not know could be the one meant
    for at, _, spec in group[2:]:
        start = at + spec[_REL_START]
        title = _GENDERED_TITLE.search(text, max(0, start - 8), start)
        if title is None:
            continue
        wanted = _WOMAN if title.group(1) in _WOMEN_TITLES else _MAN
        fits = [entry[0] for entry, gender in zip(people, genders) if gender is wanted]
        if len(set(fits)) == 1:
            titled[start] = (fits[0], PERSON)


_LEGAL_SUFFIXES = frozenset(
    {"inc", "corp", "co", "ltd", "plc", "llc", "lp", "l.p", "n.v", "nv", "sa", "s.a", "ag", "gmbh", "spa", "bhd", "pty",
     "corporation", "company", "limited", "incorporated", "cos"}
)


def _bare(words):
    """An organisation's name without its legal form: "Acme Corp" -> "Acme"."""
    end = len(words)
    while end > 1 and words[end - 1].lower().rstrip(".") in _LEGAL_SUFFIXES:
        end -= 1
    return words[:end]


def _short_form(words: tuple[str, ...]) -> tuple:
    """What :func:`_longer_form` needs to know about ``words``."""
    surface = " ".join(words)
    single = words[0] if len(words) == 1 else None
    acronym = single.replace(".", "") if single and _is_acronym(single) else None
    return surface, _bare(words), single, surface.lower() in PLACES, acronym


@lru_cache(maxsize=65536)
def _full(name: str, kind: str) -> tuple:
    """A full-name entry of :func:`_longer_form` for a name already found."""
    clean = tuple(_clean(w) for w in name.split())
    bare = _bare(clean)
    if len(clean) == 1:
        return name, kind, 1, clean, bare, (), ()
    if kind == PERSON:
        singles = (clean[0], clean[-1])
    elif kind == ORGANIZATION:
        singles = (clean[0], *bare)
    else:
        singles = (clean[0],)
    return name, kind, len(clean), clean, bare, (_initials(clean), _initials(bare)), singles


class _FullNames:
    """The full names found so far, longest first, as entries of (name, kind, word
    count, words without possessives, those bare, initials, one-word short forms).
    Past a few dozen, they are indexed by what :func:`_longer_form` matches on: a
    long text (a book in one file) names thousands, and trying each of them for
    every name made finding names quadratic (a 4 MB text took 73 s)."""

    __slots__ = ("entries", "indexed", "by_name", "by_first", "by_single", "by_initials")

    def __init__(self, entries: Iterable[tuple] = ()):
        self.entries: list[tuple] = []
        self.indexed = False
        self.by_name: dict[str, int] = {}  # name -> its first entry
        self.by_first: dict[str, list[int]] = {}  # first word -> entries, in order
        self.by_single: dict[str, list[int]] = {}  # one-word short form -> entries
        self.by_initials: dict[str, list[int]] = {}  # initials -> entries
        for entry in entries:
            self.append(entry)

    def append(self, entry: tuple) -> None:
        self.entries.append(entry)
        if self.indexed:
            self._index(len(self.entries) - 1)
        elif len(self.entries) > _INDEX_NAMES_FROM:
            self.indexed = True
            for at in range(len(self.entries)):
                self._index(at)

    def _index(self, at: int) -> None:
        entry = self.entries[at]
        self.by_name.setdefault(entry[0], at)
        self.by_first.setdefault(entry[3][0], []).append(at)
        for single in dict.fromkeys(entry[6]):
            self.by_single.setdefault(single, []).append(at)
        for initials in dict.fromkeys(entry[5]):
            self.by_initials.setdefault(initials, []).append(at)


def _one_person(words: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether two people's names are one person's: one surname, and one given name, or a short form
    of it ("Dick Darman", "Richard Darman"), or the other's given name among its words ("George Bush",
    "George H.W. Bush"; "J. Hugh Liedtke", "Hugh Liedtke")."""
    if words[-1] != other[-1]:
        return False
    first, other_first = words[0].lower(), other[0].lower()
    return NICKNAMES.get(first, first) == NICKNAMES.get(other_first, other_first) \
        or words[0] in other[1:-1] or other[0] in words[1:-1]


_INDEX_NAMES_FROM = 32  # full names; below this, trying each costs less than indexing them
_TWO_PEOPLE = ("", PERSON)  # what _longer_form gives for a word that two people's names hold


def _longer_form(short: tuple, words: tuple[str, ...], full: _FullNames, acronyms: dict[str, str]) -> tuple[str, str] | None:
    """The full name (and kind) that ``words`` is a short form of, if any.
    ``full`` is longest first; the closest match wins: "Celanese" is
    "Celanese Corp" before it is "Celanese Fibers Inc". When ``full`` is
    indexed, only the entries its indexes offer are tried: no other can match."""
    surface, bare, single, is_place, acronym = short
    entries = full.entries
    if surface in acronyms:
        name = acronyms[surface]
        at = full.by_name.get(name) if full.indexed else next(
            (at for at, entry in enumerate(entries) if entry[0] == name), None)
        if at is not None:
            return entries[at][0], entries[at][1]
    if single is not None:
        # One word: only names of more words, that hold it where their kind
        # says, or whose initials it is.
        if not full.indexed:
            candidates: Sequence[int] = range(len(entries))
        else:
            candidates = full.by_single.get(single, ())
            if acronym is not None and acronym in full.by_initials:
                candidates = sorted({*candidates, *full.by_initials[acronym]})
        for at in reversed(candidates):
            entry = entries[at]
            if single in entry[6]:
                kind = entry[1]
                if kind is PERSON:
                    # Two people of that name in the article ("Robert Dole", "Elizabeth Dole"): neither.
                    # Only the entries before this one can be another such person: a later one would
                    # have been met first.
                    for other_at in candidates:
                        if other_at >= at:
                            break
                        other = entries[other_at]
                        if other[1] is PERSON and single in other[6] and not _one_person(entry[3], other[3]):
                            return _TWO_PEOPLE
                    return entry[0], kind
                if kind is not ORGANIZATION:
                    return entry[0], kind
                if not is_place and (single == entry[3][0] or single not in _DEMONYMS_CASED):
                    return entry[0], kind
            if acronym is not None and entry[1] is ORGANIZATION and not is_place and acronym in entry[5]:
                return entry[0], entry[1]
        return None
    # More words: every match below starts with the same word.
    count = len(words)
    for at in reversed(full.by_first.get(words[0], ()) if full.indexed else range(len(entries))):
        name, kind, long_count, long_clean, long_bare, initials, _ = entries[at]
        if long_count <= count:
            continue
        if kind == PERSON:
            if count == 2 and words[0] == long_clean[0] and words[1] == long_clean[-1]:
                return name, kind
        elif kind == ORGANIZATION:
            if is_place:
                continue
            if long_clean[:count] == words or (len(bare) < count and long_bare == bare):
                return name, kind
        elif long_clean[:count] == words:
            return name, kind
    # A person's last names without the first: "Bra Kanon" for "Denis Bra Kanon", "Perez de
    # Cuellar" for "Javier Perez de Cuellar" (not "Los Angeles" for "Eduardo de Los Angeles").
    if is_place or _is_org(list(words)):
        return None
    for at in reversed(full.by_single.get(words[-1], ()) if full.indexed else range(len(entries))):
        name, kind, long_count, long_clean = entries[at][:4]
        if kind == PERSON and long_count > count and long_clean[-count:] == words \
                and long_clean[0].lower() in GIVEN_NAMES:
            return name, kind
    return None


@_memo
def _headline_forms(said: tuple[str, str, str]) -> tuple[str, ...]:
    """The forms, in capitals, under which a name found in the body (as
    written, its name, its kind) is looked for in a capitals headline."""
    written, name, kind = said
    bare = " ".join(_bare(name.split())) if kind == ORGANIZATION else name
    # In this order, not a set's: forms of equal length are tried in it, the same in every process.
    forms = dict.fromkeys((written, name, bare))
    return tuple(form.upper() for form in forms if len(form) > 1 and form.upper() not in _NOT_NAMES_CASED)


_FIND_EACH_LIMIT = 4096  # forms times headlines, above which forms are found by their first word


def _each_form_found(text: str, start: int, end: int, ranked_forms) -> list[tuple[int, int, int]]:
    """(rank, start, stop) of each whole-word occurrence of each form in
    ``text[start:end]``, in the order of the ranks, then from the left."""
    found = []
    find = text.find
    for rank, form in ranked_forms:
        at = find(form, start, end)
        while at >= 0:
            stop = at + len(form)
            if (at == 0 or not text[at - 1].isalnum()) and (stop == len(text) or not text[stop].isalnum()):
                found.append((rank, at, stop))
            at = find(form, at + 1, end)
    return found


class _FormsByFirstWord:
    """Forms (ranked by their position in a list) found where a word starts that
    is their first word: one look-up per word of a headline, not one search per form."""

    def __init__(self, forms: list[str]):
        self.by_first_word: dict[str, list[tuple[int, str]]] = {}
        self.others: list[tuple[int, str]] = []  # forms that start with neither a letter nor a digit
        for rank, form in enumerate(forms):
            first = _ALNUM_RUN.match(form)
            if first is None:
                self.others.append((rank, form))
            else:
                self.by_first_word.setdefault(first.group(), []).append((rank, form))

    def occurrences(self, text: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """As :func:`_each_form_found` gives them."""
        found = []
        for word in _ALNUM_RUN.finditer(text, start, end):
            at = word.start()
            if at and text[at - 1].isalnum():
                continue  # the headline starts inside a word
            run = word.group() if word.end() < end else _ALNUM_RUN.match(text, at).group()
            for rank, form in self.by_first_word.get(run, ()):
                stop = at + len(form)
                if stop <= end and text.startswith(form, at) and (stop == len(text) or not text[stop].isalnum()):
                    found.append((rank, at, stop))
        found += _each_form_found(text, start, end, self.others)
        found.sort()
        return found


def _headline_mentions(text: str, spans: list[tuple[int, int]], body: list[dict], written: list[str]) -> list[dict]:
    found: list[dict] = []
    forms: dict[str, tuple[str, str]] = {}
    for said in dict.fromkeys(zip(written, map(_NAME_OF, body), map(_KIND_OF, body))):
        for form in _headline_forms(said):
            if form not in forms:
                forms[form] = said[1:]
    longest_first = sorted(forms, key=len, reverse=True)
    # Looking for every form in every headline is quadratic in a long text
    # (thousands of names, hundreds of headlines): there, forms are found by
    # their first word instead.
    by_word = _FormsByFirstWord(longest_first) if len(longest_first) * len(spans) > _FIND_EACH_LIMIT else None
    organizations: _FullNames | None = None  # for headlines with a ticker, built once
    for start, end in spans:
        # Nothing inside angle brackets is matched: "<ACME>" is a ticker.
        brackets = list(map(_SPAN, _ANGLE_BRACKETS.finditer(text, start, end))) if "<" in text else []
        taken: list[tuple[int, int]] = list(brackets)
        # Every whole-word occurrence of a form, longest forms first, then from the left.
        if by_word is None:
            occurrences = _each_form_found(text, start, end, enumerate(longest_first))
        else:
            occurrences = by_word.occurrences(text, start, end)
        for rank, at, stop in occurrences:
            if not any(s < stop and at < e for s, e in taken):
                name, kind = forms[longest_first[rank]]
                found.append({"start": at, "end": stop, "name": name, "kind": kind})
                taken.append((at, stop))
        if not brackets:
            continue  # no ticker, no name in brackets
        taken = taken[len(brackets) :]
        # The company a Reuters headline names before its first ticker.
        ticker = _TITLE_TICKER.search(text, start, end)
        bracketed = _TITLE_BRACKETED.search(text, start, end)
        if bracketed and not any(s <= bracketed.start(1) < e for s, e in taken):
            name = _title_case(tuple(bracketed.group(1).split()))
            found.append({"start": bracketed.start(1), "end": bracketed.end(1), "name": name, "kind": ORGANIZATION})
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
                name = _title_case(tuple(words))
                if name.upper() not in _NOT_NAMES_CASED:
                    # "COGNITIVE <CSAI>" is the body's "Cognitive Systems Inc".
                    if organizations is None:
                        full = [_full(m["name"], m["kind"]) for m in body if m["kind"] == ORGANIZATION]
                        full.sort(key=lambda entry: -entry[2])
                        organizations = _FullNames(full)
                    words = tuple(name.split())
                    known = _longer_form(_short_form(words), words, organizations, {})
                    name, kind = known if known else (name, ORGANIZATION)
                    found.append({"start": head_start, "end": head_start + len(head), "name": name, "kind": kind})
    return found


_NAME_OF = itemgetter("name")
_KIND_OF = itemgetter("kind")


def extract_names(text: str) -> list[Name]:
    """The people, organisations and places ``text`` mentions, most
    mentioned first (then in order of first mention)."""
    return count_names(find_mentions(text))


_NAME_AND_KIND = attrgetter("name", "kind")
_COUNT_OF = itemgetter(1)


def count_names(mentions: Sequence[Mention]) -> list[Name]:
    """:func:`extract_names` from mentions already found, so that a caller
    that also wants quotes (which need the mentions) finds them once."""
    counts: dict[tuple[str, str], int] = {}
    get = counts.get
    for key in map(_NAME_AND_KIND, mentions):
        counts[key] = get(key, 0) + 1
    # Most mentioned first; the sort is stable, so ties keep the order of
    # first mention.
    return _objects(
        Name,
        [{"name": name, "kind": kind, "count": count}
         for (name, kind), count in sorted(counts.items(), key=_COUNT_OF, reverse=True)],
    )

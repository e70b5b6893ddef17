"""The search box language, for people rather than for FTS5.

    tiger king          both words (in any order)
    "tiger king"        the phrase
    tiger OR lion       either word
    tiger -lion         tiger but not lion (also: NOT lion)
    tig*                words starting with "tig"
    "tiger zoo"~5       the two words at most 5 words apart, in either order

Nothing a user types reaches FTS5 as syntax: every word is quoted, so input
such as ``"unbalanced``, ``NEAR(``, ``AND`` or SQL text can never be an FTS5
syntax error. What could not be used is reported in ``notes``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
MAX_NEAR = 50


# Greek: accents do not matter, as for Latin letters ("ΑΘΗΝΑ", "αθηνα" find "Αθήνα"). Neither index
# folds them by itself (tantivy's ascii_fold and SQLite's remove_diacritics know Latin letters only):
# the ranked index is given Greek text without its marks (bare_greek), and a Greek word is searched
# in SQLite's index in each of the ways monotonic Greek accents it (greek_spellings). Cyrillic й, ё,
# ї, ў are letters of their own alphabets, not accented ones, and stay as written in both indexes.
_GREEK_LETTER = "\u0370-\u03ff\u1f00-\u1fff"
_GREEK = re.compile(f"[{_GREEK_LETTER}]")
_GREEK_MARKS_APART = re.compile(f"(?<=[{_GREEK_LETTER}])[\u0300-\u036f]+")  # text written decomposed


def _bare_greek_letters() -> dict[int, str]:
    table = {}
    for code in [*range(0x0370, 0x0400), *range(0x1F00, 0x2000)]:
        parts = unicodedata.normalize("NFD", chr(code))
        if len(parts) > 1 and _GREEK.match(parts[0]) and all(unicodedata.combining(c) for c in parts[1:]):
            table[code] = parts[0]
    return table


BARE_GREEK_LETTERS = _bare_greek_letters()  # "ή" -> "η", "Ά" -> "Α", "ΐ" -> "ι", "ᾧ" -> "ω"


def bare_greek(text: str) -> str:
    """``text`` with its Greek letters bare of accents, breathings and diaereses ("Αθήνα" ->
    "Αθηνα"), anything else as it is: how the ranked index is given text and words."""
    if text.isascii() or not _GREEK.search(text):
        return text
    return _GREEK_MARKS_APART.sub("", text.translate(BARE_GREEK_LETTERS))


_TONOS = {"α": "ά", "ε": "έ", "η": "ή", "ι": "ί", "ο": "ό", "υ": "ύ", "ω": "ώ"}
_DIALYTIKA = {"ι": ("ϊ", "ΐ"), "υ": ("ϋ", "ΰ")}  # alone, and with the tonos
# A phrase of Greek words is searched in at most this many spellings (each of its words' spellings
# with each of the others'); a longer one by its pairs of neighbouring words (see Term._greek_fts).
MAX_SPELLINGS = 256


def greek_spellings(word: str) -> list[str]:
    """A lower-case word in the ways monotonic Greek may accent it, for SQLite's index, which keeps
    accents: as typed, bare, and with a tonos on any one vowel and a diaeresis on any one ι or υ
    after a vowel, where Greek writes one (αϊ, οϋ): "αθηνα" is αθηνα, άθηνα, αθήνα, αθηνά. A word
    without Greek letters is itself alone."""
    if not _GREEK.search(word):
        return [word]
    bare = bare_greek(word)
    vowels = [i for i, letter in enumerate(bare) if letter in _TONOS]
    diaereses = [i for i, letter in enumerate(bare) if letter in _DIALYTIKA and i and bare[i - 1] in "αεηου"]
    spellings = {word: None, bare: None}
    for accented in (None, *vowels):
        for split in (None, *diaereses):
            letters = list(bare)
            if accented is not None:
                letters[accented] = _TONOS[bare[accented]]
            if split is not None:
                letters[split] = _DIALYTIKA[bare[split]][split == accented]
            spellings["".join(letters)] = None
    return list(spellings)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or several for a phrase
    prefix: bool = False
    # Two words at most this many words apart, in either order ("reagan iran"~5); 0: a phrase.
    near: int = 0

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def fts(self, phrases: bool = True) -> str:
        """As FTS5 syntax. Without ``phrases`` (an index built with detail=column),
        the words of a phrase must all match but need not be next to each other.
        A Greek word is each of its accented spellings (greek_spellings)."""
        if any(_GREEK.search(word) for word in self.words):
            return self._greek_fts(phrases)
        return self._fts(phrases)

    def _greek_fts(self, phrases: bool) -> str:
        spellings: list[tuple[str, ...]] = [()]
        for word in self.words:
            spellings = [(*done, one) for done in spellings for one in greek_spellings(word)]
            if len(spellings) > MAX_SPELLINGS:
                if len(self.words) > 2 and phrases and not self.near:
                    # A long Greek phrase: each pair of neighbouring words, in any of their spellings
                    # ("λιμανι του πειραια": "λιμανι του" and "του πειραια"). Searched as typed and
                    # bare only, it missed the accented text it is written in.
                    pairs = [Term(self.words[i : i + 2], self.prefix and i == len(self.words) - 2)
                             for i in range(len(self.words) - 1)]
                    return "(" + " AND ".join(pair.fts(phrases) for pair in pairs) + ")"
                spellings = [self.words, tuple(bare_greek(word) for word in self.words)]
                break
        alternatives = dict.fromkeys(Term(words, self.prefix, self.near)._fts(phrases) for words in spellings)
        return "(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1 else next(iter(alternatives))

    def _fts(self, phrases: bool) -> str:
        if not phrases and len(self.words) > 1:
            parts = [f'"{w}"' for w in self.words]
            parts[-1] += "*" if self.prefix else ""
            return "(" + " AND ".join(parts) + ")"
        if self.near:
            # FTS5's NEAR: at most N words between the two, in either order.
            return f'NEAR("{self.words[0]}" "{self.words[1]}", {self.near})'
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + ("*" if self.prefix else "")

    def show(self) -> str:
        text = " ".join(self.words)
        text = f'"{text}"' if self.is_phrase else text
        return text + ("*" if self.prefix else "") + (f"~{self.near}" if self.near else "")


@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match (a group matches if any of its
    terms does), and no excluded term may match."""

    text: str
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def fts(self, phrases: bool = True) -> str | None:
        """The FTS5 MATCH expression, or None when there is nothing to match."""
        if not self.groups:
            return None
        parts = []
        for group in self.groups:
            inner = " OR ".join(term.fts(phrases) for term in group)
            parts.append(f"({inner})" if len(group) > 1 else inner)
        expression = " AND ".join(parts)
        for term in self.excluded:
            expression += f" NOT {term.fts(phrases)}"
        return expression

    @property
    def has_phrases(self) -> bool:
        return any(len(t.words) > 1 for t in (*self.terms(), *self.excluded))

    def describe(self) -> str:
        """How the query was understood, in the search box language."""
        parts = []
        for group in self.groups:
            shown = " OR ".join(term.show() for term in group)
            parts.append(f"({shown})" if len(group) > 1 and len(self.groups) > 1 else shown)
        parts += [f"-{term.show()}" for term in self.excluded]
        return " ".join(parts)

    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @classmethod
    def of_word(cls, word: str) -> "Query":
        """The search for one word alone (a word of another query: no syntax to read)."""
        return cls(word, ((Term((word,)),),))


_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)(?P<close>"?)(?P<star>\*?)(?:~(?P<near>[^\s"]*))?|(?P<word>[^\s"]+)')
# A "~" typed elsewhere than right after two quoted words ("reagan~5", a space before it).
_STRAY_NEAR = re.compile(r"~\S*$")
NEAR_HOW = '~N goes right after two words in quotes ("reagan iran"~5)'
# Words FTS5 would see: the unicode61 tokenizer splits on anything that is not
# a letter, number or mark. Our own splitting mirrors it so phrases and prefixes
# mean what the user sees.
_WORD_PART = re.compile(r"[^\W_]+", re.UNICODE)
# SQLite's FTS5 syntax a user may know ("NEAR(oil gas)", "headline:oil"): their words are
# searched for as typed, and a note says the syntax itself means nothing here.
_OTHER_SYNTAX = re.compile(r"(NEAR)\(|([a-z_]+)\s*:(?=\S)", re.I)
_OTHER_SYNTAX_MEANING = {
    "near": "its words are searched for anywhere (\"oil gas\"~5 finds the two within 5 words of each other)",
    "headline": "the words are searched for in headlines and text alike",
    "body": "the words are searched for in headlines and text alike",
    "quote": "the words are searched for as typed",
    "speaker": "the words are searched for as typed (the quotes page has a speaker field)",
}


def parse_query(text: str | None) -> Query:
    """Parse what a user typed. Never raises."""
    original = text or ""
    notes: list[str] = []
    text = _clean(original)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False  # an OR was just seen
    negate_next = False  # a NOT was just seen
    and_next = False  # an AND was just seen: one with nothing after it is ignored
    ignored: list[str] = []
    tokens = list(_TOKEN.finditer(text))
    for position, token in enumerate(tokens):
        negative = bool(token.group("neg"))
        if token.group("word") != "AND":
            if and_next and token.group("word") == "OR":
                ignored.append("AND")  # "oil AND OR gas": the OR is taken
            and_next = False
        if token.group("word") is not None:
            raw = token.group("word")
            if raw == "OR":
                if groups and not join_next and not negate_next:
                    join_next = True
                else:
                    ignored.append(raw)
                continue
            if raw in ("or", "not") and 0 < position < len(tokens) - 1:
                notes.append(f"'{raw}' was searched for as a word; {raw.upper()} in capitals "
                             + ("matches either word" if raw == "or" else "leaves out the word after it"))
            if raw == "AND":  # words are joined by AND anyway
                if join_next or not groups or and_next:
                    ignored.append(raw)
                and_next = True
                continue
            if raw == "NOT":
                negate_next = True
                continue
            if raw.startswith("-") and len(raw) > 1:
                negative, raw = True, raw[1:]
            stray = _STRAY_NEAR.search(raw)
            if stray:
                notes.append(f"'{raw}': {NEAR_HOW}, so '{stray.group(0)}' was left out")
                raw = raw[: stray.start()]
                if not raw:
                    continue
            syntax = _OTHER_SYNTAX.match(raw)
            if syntax:
                meaning = _OTHER_SYNTAX_MEANING.get((syntax.group(1) or syntax.group(2)).lower(),
                                                    "there are no field searches: the words after it are searched for")
                notes.append(f"'{syntax.group(0)}' is not part of this search's language: {meaning}")
                raw = raw[syntax.end():]
            prefix = raw.endswith("*")
            words = tuple(w.lower() for w in _WORD_PART.findall(raw))
            if not words:
                if raw:  # not what was left of "headline:" (noted above)
                    ignored.append(raw)
                continue
            if prefix and len(words[-1]) < 2:
                notes.append(f"'{raw}' is too short to search as a prefix; searched for the word itself"
                             if len(words) == 1 else
                             f"'{raw}': its last part '{words[-1]}' is too short to search as a prefix;"
                             " searched for the words themselves")
                prefix = False
            term = Term(words, prefix)
        else:
            words = tuple(w.lower() for w in _WORD_PART.findall(token.group("phrase")))
            if not words:
                ignored.append('""' if token.group("close") else '"')  # an empty phrase, or a lone quote
                continue
            if not token.group("close"):
                notes.append("a closing quote was missing, so the phrase runs to the end of the query")
            if "*" in token.group("phrase"):
                notes.append("a * inside quotes is ignored; after the closing quote (\"oil pri\"*) it makes the"
                             " phrase's last word a prefix")
            term = Term(words, bool(token.group("star")))
            if token.group("near") is not None:
                term = _near_term(words, token, notes)
        if negative or negate_next:
            excluded.append(term)
            negate_next = False
            if join_next:
                ignored.append("OR")  # "oil OR -gas": nothing to join the left-out word to
            join_next = False
            continue
        if join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if join_next:
        ignored.append("OR")
    if negate_next:
        ignored.append("NOT")
    if and_next and "AND" not in ignored:
        ignored.append("AND")
    if ignored:
        shown = ", ".join(f"'{x}'" for x in dict.fromkeys(ignored))
        notes.append(f"ignored {shown}: not something to search for here")
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        notes.append(f"only the first {MAX_TERMS} terms were used")
        groups, excluded = _limit(groups, excluded)
    if excluded and not groups:
        notes.append("a search cannot only exclude words: add a word to look for")
        excluded = []
    if not groups and not notes and original.strip():
        # Only characters that are no part of a word (control or invisible ones, punctuation alone):
        # said as a lone "*" is, rather than an empty answer with nothing to say why.
        notes.append(f"ignored {original.strip()[:40]!r}: not something to search for here")
    return Query(
        text=original,
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(dict.fromkeys(excluded)),
        notes=tuple(notes),
    )


def _near_term(words: tuple[str, ...], token: re.Match, notes: list[str]) -> Term:
    """ "a b"~N: the two words at most N words apart. Anything else is said and searched as a phrase."""
    shown = token.group(0).lstrip("-")
    asked = token.group("near")
    if asked and not asked.isdigit():
        notes.append(f"{shown}: ~ takes a number of words (\"reagan iran\"~5), so this was searched as a phrase")
        return Term(words)
    distance = int(asked[:4]) if asked else 0
    if len(words) != 2:
        notes.append(f"{shown}: ~ takes two words in quotes (\"reagan iran\"~5), so this was searched as a phrase")
        return Term(words, bool(token.group("star")))
    if token.group("star"):
        notes.append(f"{shown}: a * does not go with ~, so the words were searched for whole")
    if distance < 1:
        what = "~ takes a number of words" if not asked else "~ takes a number of words from 1"
        notes.append(f"{shown}: {what} (\"reagan iran\"~5), so this was searched as a phrase")
        return Term(words)
    if distance > MAX_NEAR:
        notes.append(f"{shown}: at most {MAX_NEAR} words apart can be asked for, so {MAX_NEAR} was used")
        distance = MAX_NEAR
    return Term(words, near=distance)


def _clean(text: str) -> str:
    # Control characters and odd spaces become plain spaces; curly quotes are quotes.
    text = text.replace("“", '"').replace("”", '"').replace("„", '"')
    return "".join(" " if unicodedata.category(ch)[0] in ("C", "Z") else ch for ch in text).strip()


def _limit(groups: list[list[Term]], excluded: list[Term]) -> tuple[list[list[Term]], list[Term]]:
    kept, budget = [], MAX_TERMS
    for group in groups:
        if budget <= 0:
            break
        kept.append(group[:budget])
        budget -= len(kept[-1])
    return kept, excluded[: max(0, budget)]

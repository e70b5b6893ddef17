"""Which written names are one name in the archive.

The name finder reports a name as the article writes it. Across articles the
same organisation or country is written several ways: in other capitals
("OPEC" and "Opec", "BASF AG" and "Basf AG"), or by another well-known
spelling ("U.S.", "US", "USA" and "United States"). The archive keeps one
entry for each, so that its page, its facet count and a filter by it take in
every article. Names of different kinds stay apart ("Washington" the person
and the place). Accents and the shape of an apostrophe do not make another name:
"José Núñez" is "Jose Nunez", "Moody’s" (as modern copy and phones type it) is
"Moody's", "Zürich" is "Zurich" (see fold, which also finds a name by what is typed).

Small and free of the name finder's lists: the store, which every reader
imports, asks it for the identity of each name it saves.
"""

from __future__ import annotations

import re
import unicodedata


def _spellings(kind: str, table: dict[str, tuple[str, ...]]) -> dict[tuple[str, str], str]:
    return {(other.casefold(), kind): shown for shown, others in table.items() for other in (shown, *others)}


# Shown name -> other spellings of it, written by hand for English-language news.
# Only spellings that name nothing else: "America" (also the continent) and
# "Holland" (also a province) are left as they are.
SAME_PLACES = _spellings("place", {
    "United States": ("U.S.", "U.S", "US", "USA", "U.S.A.", "U.S.A", "United States of America"),
    "Britain": ("U.K.", "U.K", "UK", "United Kingdom"),
    "Soviet Union": ("USSR", "U.S.S.R.", "U.S.S.R"),
    "United Arab Emirates": ("UAE", "U.A.E.", "U.A.E"),
    "Hong Kong": ("H.K.",),
    "New Zealand": ("N.Z.",),
    # U.S. states as news agencies abbreviate them after a town ("Quincy, Fla.").
    # "Wash." stays: "Washington" alone is most often the capital.
    **{state: (abbreviation,) for abbreviation, state in (
        ("Ala.", "Alabama"), ("Ariz.", "Arizona"), ("Ark.", "Arkansas"), ("Calif.", "California"),
        ("Colo.", "Colorado"), ("Conn.", "Connecticut"), ("Del.", "Delaware"), ("Fla.", "Florida"),
        ("Ga.", "Georgia"), ("Ill.", "Illinois"), ("Ind.", "Indiana"), ("Kan.", "Kansas"),
        ("Ky.", "Kentucky"), ("La.", "Louisiana"), ("Md.", "Maryland"), ("Mass.", "Massachusetts"),
        ("Mich.", "Michigan"), ("Minn.", "Minnesota"), ("Miss.", "Mississippi"), ("Mo.", "Missouri"),
        ("Mont.", "Montana"), ("Neb.", "Nebraska"), ("Nev.", "Nevada"), ("N.H.", "New Hampshire"),
        ("N.J.", "New Jersey"), ("N.M.", "New Mexico"), ("N.Y.", "New York"), ("N.C.", "North Carolina"),
        ("N.D.", "North Dakota"), ("Okla.", "Oklahoma"), ("Ore.", "Oregon"), ("Pa.", "Pennsylvania"),
        ("R.I.", "Rhode Island"), ("S.C.", "South Carolina"), ("S.D.", "South Dakota"), ("Tenn.", "Tennessee"),
        ("Tex.", "Texas"), ("Vt.", "Vermont"), ("Va.", "Virginia"), ("W.Va.", "West Virginia"),
        ("Wis.", "Wisconsin"), ("Wyo.", "Wyoming"),
    )},
})
SAME_ORGANIZATIONS = _spellings("organization", {
    "European Community": ("EC", "E.C.", "EEC", "E.E.C.", "European Economic Community", "European Communities"),
    "European Union": ("EU", "E.U."),
    "International Monetary Fund": ("IMF", "I.M.F."),
    "General Agreement on Tariffs and Trade": ("GATT",),
    "OPEC": ("O.P.E.C.", "Organization of Petroleum Exporting Countries",
             "Organisation of Petroleum Exporting Countries"),
    "OECD": ("O.E.C.D.", "Organisation for Economic Co-operation and Development",
             "Organisation for Economic Cooperation and Development",
             "Organization for Economic Cooperation and Development",
             "Organization for Economic Co-operation and Development"),
    "NATO": ("North Atlantic Treaty Organization", "North Atlantic Treaty Organisation"),
    "United Nations": ("UN", "U.N."),
    "World Bank": ("International Bank for Reconstruction and Development",),
    "Federal Reserve": ("Fed", "U.S. Federal Reserve", "Federal Reserve System"),
    "Securities and Exchange Commission": ("SEC", "S.E.C.", "U.S. Securities and Exchange Commission"),
    "U.S. Agriculture Department": ("USDA", "U.S.D.A.", "U.S. Department of Agriculture"),
})
SAME_NAMES = {**SAME_PLACES, **SAME_ORGANIZATIONS}


# Letters that are not a plain letter with an accent, so do not come apart in NFKD (lower case:
# they are looked up after casefold, which already makes "ß" "ss").
_OWN_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}
# What is written for an apostrophe besides "'": typographic quotes (word processors, phones),
# the modifier letter (ʼ), the prime and the acute accent alone (older copy and OCR).
APOSTROPHES = "’‘‛ʼ′´"
_FOLDED_LETTERS = str.maketrans({**_OWN_LETTERS, **{mark: "'" for mark in APOSTROPHES}})
# Only the accents of the Latin, Greek and Cyrillic letters: the marks of other scripts (a
# Devanagari virama, a Japanese voicing mark) make another word, not the same one accented.
_ACCENTS = re.compile("[\u0300-\u036f]+")


def fold(text: str) -> str:
    """``text`` as names are matched: lower case, without accents, one apostrophe
    ("José Núñez" -> "jose nunez", "Moody’s" -> "moody's", "Søren" -> "soren"). Plain
    ASCII, nearly every name, is only lower-cased."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    # The acute accent alone is an apostrophe here, not an accent: translated before NFKD splits it.
    folded = _ACCENTS.sub("", unicodedata.normalize("NFKD", folded.translate(_FOLDED_LETTERS)))
    return folded.translate(_FOLDED_LETTERS)


def name_key(name: str, kind: str) -> tuple[str, str]:
    """What two names share when they are one: the shown spelling folded (case, accents and
    the shape of apostrophes aside, see fold), and the kind. An organisation's British and
    American spellings are one ("International Coffee Organisation" and "... Organization":
    wire copy from London and New York)."""
    folded = fold(name)
    shown = SAME_NAMES.get((folded, kind))
    key = shown.casefold() if shown else folded
    if kind == "organization":
        key = _BRITISH_ISE.sub("iz", key)
    return key, kind


_BRITISH_ISE = re.compile(r"(?<=[a-z])is(?=ation)")


def shown_spelling(name: str, kind: str) -> str | None:
    """The spelling the archive shows for a name with well-known other spellings, else None."""
    return SAME_NAMES.get((fold(name), kind))


def spelled_better(new: str, old: str, kind: str) -> bool:
    """Whether ``new`` should be shown instead of ``old`` (the same name written otherwise).

    * Capitals: when ``old`` is in capitals throughout, as in a headline, and ``new`` is
      not. A person or place in capitals is always a headline's ("REAGAN", "PERU"); an
      organisation only with a word too long for an acronym ("RIO TINTO-ZINC CORP PLC"
      gives way to "Rio Tinto-Zinc Corp PLC", "BASF AG" and "OPEC" stay).
    * Accents: when ``new`` has more of them ("José Núñez" replaces "Jose Nunez", "Zürich"
      "Zurich"): they are the name's own spelling, which copy written in ASCII lost.
    * Apostrophes: when ``new`` has fewer typographic ones ("Moody's" replaces "Moody’s"):
      the shape of an apostrophe says nothing about the name, and the straight one is what
      keyboards type and older copy holds, so a name copied from a page matches in any tool.

    Otherwise the first spelling stays: an archive's names do not change under its readers
    for every new way of writing them."""
    if old.isupper() != new.isupper():
        return old.isupper() and (kind != "organization" or any(len(word) > 5 for word in old.split()))
    if new.isascii() and old.isascii():
        return False
    accents = _accents(new) - _accents(old)
    if accents:
        return accents > 0
    return _typographic_apostrophes(new) < _typographic_apostrophes(old)


def _accents(name: str) -> int:
    return sum(1 for c in name if not c.isascii() and c not in APOSTROPHES)


def _typographic_apostrophes(name: str) -> int:
    return sum(1 for c in name if c in APOSTROPHES)

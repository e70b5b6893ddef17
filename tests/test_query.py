"""The search box language and its translation to FTS5."""

import sqlite3

import pytest

from news_archive.query import MAX_TERMS, parse_query


@pytest.mark.parametrize("typed, fts, understood, notes", [
    ("tiger king", '"tiger" AND "king"', "tiger king", ()),
    ('"tiger king"', '"tiger king"', '"tiger king"', ()),
    ("tiger OR lion cub", '("tiger" OR "lion") AND "cub"', "(tiger OR lion) cub", ()),
    ("tiger -lion", '"tiger" NOT "lion"', "tiger -lion", ()),
    ('tiger NOT "big cat"', '"tiger" NOT "big cat"', 'tiger -"big cat"', ()),
    ("tig*", '"tig"*', "tig*", ()),
    ("Café DÉJÀ", '"café" AND "déjà"', "café déjà", ()),
    ("U.S. trade", '"u s" AND "trade"', '"u s" trade', ()),
    ("tiger AND king", '"tiger" AND "king"', "tiger king", ()),
    ("“curly quotes”", '"curly quotes"', '"curly quotes"', ()),
    ('"unbalanced', '"unbalanced"', "unbalanced",
     ("a closing quote was missing, so the phrase runs to the end of the query",)),
    ("NEAR(", None, "", ("'NEAR(' is not part of this search's language: its words are searched for anywhere"
                         ' ("oil gas"~5 finds the two within 5 words of each other)',)),
    ("NEAR(oil gas)", '"oil" AND "gas"', "oil gas", ("'NEAR(' is not part of this search's language: its words are"
                                                     ' searched for anywhere ("oil gas"~5 finds the two within 5'
                                                     " words of each other)",)),
    ("headline:oil", '"oil"', "oil", ("'headline:' is not part of this search's language: the words are searched"
                                      " for in headlines and text alike",)),
    ('"oil pri*"', '"oil pri"', '"oil pri"', ('a * inside quotes is ignored; after the closing quote ("oil pri"*) it'
                                             " makes the phrase's last word a prefix",)),
    ('"oil pri"*', '"oil pri"*', '"oil pri"*', ()),
    ("oil OR -gas", '"oil" NOT "gas"', "oil -gas", ("ignored 'OR': not something to search for here",)),
    ("oil AND OR gas", '("oil" OR "gas")', "oil OR gas", ("ignored 'AND': not something to search for here",)),
    ("oil or gas", '"oil" AND "or" AND "gas"', "oil or gas",
     ("'or' was searched for as a word; OR in capitals matches either word",)),
    ("or", '"or"', "or", ()),
    ("AND", None, "", ("ignored 'AND': not something to search for here",)),
    ("*", None, "", ("ignored '*': not something to search for here",)),
    ("OR tiger OR", '"tiger"', "tiger", ("ignored 'OR': not something to search for here",)),
    ("tiger AND", '"tiger"', "tiger", ("ignored 'AND': not something to search for here",)),
    ("tiger AND AND king", '"tiger" AND "king"', "tiger king", ("ignored 'AND': not something to search for here",)),
    ("-lion", None, "", ("a search cannot only exclude words: add a word to look for",)),
    ("a* b", '"a" AND "b"', "a b", ("'a*' is too short to search as a prefix; searched for the word itself",)),
    ("moody's*", '"moody s"', '"moody s"', ("'moody's*': its last part 's' is too short to search as a prefix;"
                                           " searched for the words themselves",)),
    ("", None, "", ()),
    ("  \t\n ", None, "", ()),
    ('"reagan iran"~5', 'NEAR("reagan" "iran", 5)', '"reagan iran"~5', ()),
    ('arms -"reagan iran"~3', '"arms" NOT NEAR("reagan" "iran", 3)', 'arms -"reagan iran"~3', ()),
    ('"reagan iran"~500', 'NEAR("reagan" "iran", 50)', '"reagan iran"~50',
     ('"reagan iran"~500: at most 50 words apart can be asked for, so 50 was used',)),
    ('"reagan iran"~', '"reagan iran"', '"reagan iran"',
     ('"reagan iran"~: ~ takes a number of words ("reagan iran"~5), so this was searched as a phrase',)),
    ('"arms for hostages"~4', '"arms for hostages"', '"arms for hostages"',
     ('"arms for hostages"~4: ~ takes two words in quotes ("reagan iran"~5), so this was searched as a phrase',)),
    ("reagan~5", '"reagan"', "reagan",
     ("'reagan~5': ~N goes right after two words in quotes (\"reagan iran\"~5), so '~5' was left out",)),
    ('"reagan iran" ~5', '"reagan iran"', '"reagan iran"',
     ("'~5': ~N goes right after two words in quotes (\"reagan iran\"~5), so '~5' was left out",)),
    ('"reagan iran"~5x', '"reagan iran"', '"reagan iran"',
     ('"reagan iran"~5x: ~ takes a number of words ("reagan iran"~5), so this was searched as a phrase',)),
    ('"reagan iran"~-1', '"reagan iran"', '"reagan iran"',
     ('"reagan iran"~-1: ~ takes a number of words ("reagan iran"~5), so this was searched as a phrase',)),
    ('"reagan iran"~0', '"reagan iran"', '"reagan iran"',
     ('"reagan iran"~0: ~ takes a number of words from 1 ("reagan iran"~5), so this was searched as a phrase',)),
    ('"oil pri"*~2', 'NEAR("oil" "pri", 2)', '"oil pri"~2',
     ('"oil pri"*~2: a * does not go with ~, so the words were searched for whole',)),
])
def test_parse_query(typed, fts, understood, notes):
    query = parse_query(typed)
    assert (query.fts(), query.describe(), query.notes) == (fts, understood, notes)


@pytest.fixture(scope="module")
def fts_conn():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(body) VALUES (?)", [("the tiger king",), ("a lion cub",), ("café owners",)])
    return conn


HOSTILE = [
    '"unbalanced', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(a b, 2)", "a:b", "body:tiger", "^tiger", "tiger^",
    "'; DROP TABLE articles; --", "\" OR 1=1 --", "(((", ")))", "{a b}", "a + b", "\x00\x01\x02", "💔❤️", "\u202e",
    "-", "--", "-*", '""', '"" OR ""', "a" * 5000, " ".join(["x"] * 500), "\\", "%", "_", "?", "tiger*king",
    "*tiger", "ti*ger*", "'", "`", "OR OR OR", "NOT NOT tiger", "tiger NOT", "-tiger -lion",
    '"a b"~', '"a b"~99999999999', '"a b"~5~5', "~5", '"a b" ~5', '-"a b"~2', '"a b"~2 OR "c d"~3', '"~"~1',
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_never_breaks_fts5(fts_conn, typed):
    query = parse_query(typed)
    expression = query.fts()
    if expression is not None:
        fts_conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    assert len(query.terms()) + len(query.excluded) <= MAX_TERMS


def test_stemming_and_diacritics_match(fts_conn):
    def match(typed):
        return fts_conn.execute("SELECT body FROM t WHERE t MATCH ?", (parse_query(typed).fts(),)).fetchall()
    assert match("kings") == [("the tiger king",)]
    assert match("cafe") == [("café owners",)]
    assert match("tig*") == [("the tiger king",)]

"""The words that stand out in a search's matches: what else the articles found are about.

A sample of the best matches (one version of each story) is compared with the whole
archive: a word stands out when it is in a far larger share of the sample than of
the archive ("cocoa" brings ICCO, buffer, Ghana, Ivory). The score is the one
Elasticsearch's significant_terms uses by default (JLH): the difference of the two
shares times their ratio, so that a word must be both common among the matches and
uncommon elsewhere. The archive's counts come from the ranked index, which knows how
many articles hold each word; without it there is no list.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from . import search_index
from .matches import clusters_of, first_versions
from .query import Query
from .search import fetch_rows

SAMPLE_SIZE = 200
# Below this many matches (stories) a word in three of them is chance, not a pattern.
MIN_MATCHES = 20
# Read this much of each article: the lead says what it is about, and long texts (tables,
# transcripts) would otherwise outweigh the rest.
CHARS_READ = 3_000
# Words as the ranked index splits them: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")
# Words that say nothing of a subject, in any article.
STOP_WORDS = frozenset("""
a about above after again against all almost also although am among an and another any are around as at be
because been before being below between both but by can cannot could did do does doing done down during each
either else even ever every few for from further had has have having he her here hers herself him himself his
how however if in into is it its itself just least less like made make many may me might more most much must my
near neither no nor not now of off often on once one only or other others our ours out over own per perhaps
rather same she should since so some still such than that the their theirs them themselves then there these
they this those though through thus to too two under unless until up upon us very via was we were what whatever
when where whether which while who whom whose why will with within without would yet you your yours
said says say saying told according mr mrs ms
""".split())


@dataclass
class StandingOut:
    words: list[dict] = field(default_factory=list)  # {"word", "sample_articles", "archive_articles"}
    sample: int = 0  # the stories read
    note: str = ""  # why there is no list, when there is none
    # How the stories read were chosen: the best matches of words, or the newest of a name alone
    # (a name's articles all match it as well as each other).
    chosen: str = "best"

    def as_json(self) -> dict:
        return {"sample": self.sample, "chosen": self.chosen, "words": self.words, "note": self.note or None}


def standing_out(conn: sqlite3.Connection, index: "search_index.SearchIndex | None", query: Query,
                 since: str | None = None, until: str | None = None, names: Sequence[int] = (),
                 *, size: int = 12, sample_size: int = SAMPLE_SIZE, leave_out: Sequence[str] = ()) -> StandingOut:
    """The ``size`` words that most set the best ``sample_size`` matches apart from the archive;
    never the words searched for, nor those of ``leave_out`` (a name's own words, on its page)."""
    if index is None:
        return StandingOut(note="the words that stand out are counted with the ranked search index, which is not"
                                " in use (see the note above)")
    tq = search_index.to_tantivy(index, query, since, until, names)
    if tq is None or (query.is_empty and not names):
        return StandingOut(note="a search of words or names has words that stand out; dates alone do not")
    # Each story once: twelve versions of one wire story would make its words look common.
    chosen = "best" if not query.is_empty else "newest"
    _, ids = search_index.top_ids(index, tq, sort="relevance" if chosen == "best" else "newest",
                                  limit=sample_size * 2, offset=0, count=False)
    stories, _, _ = first_versions(ids, clusters_of(conn, ids))
    stories = stories[:sample_size]
    if len(stories) < MIN_MATCHES:
        return StandingOut(sample=len(stories),
                           note=f"too few matches ({len(stories)} stories) to tell which words stand out")
    searched = {search_index.stem(word) for term in query.terms() for word in term.words}
    searched |= {search_index.stem(word) for text in leave_out for word in _WORD.findall(text.lower())}
    # Counting the spellings of each article is done by Counter in C; only the spellings common
    # enough to matter are then stemmed and joined (a third of the time of stemming every word).
    texts = [set(_WORD.findall(f"{headline}\n{body[:CHARS_READ]}".lower()))
             for _, headline, body in fetch_rows(conn, stories, "id, headline, body")]
    holding: Counter[str] = Counter()
    for words in texts:
        holding.update(words)
    least = max(3, len(stories) // 20)  # in at least 5% of the sample
    by_root: defaultdict[str, list[str]] = defaultdict(list)
    for word, count in holding.items():
        # A word in one article of the sample cannot stand out (most words are), whatever its other spellings.
        if count < 2 or len(word) < 3 or word in STOP_WORDS or word.isdigit():
            continue
        root = search_index.stem(word if word.isascii() else search_index.fold(word))
        if root not in searched:
            by_root[root].append(word)
    articles_with: dict[str, int] = {}
    for root, forms in by_root.items():
        if sum(holding[form] for form in forms) < least:
            continue
        if len(forms) == 1:
            articles_with[root] = holding[forms[0]]
        else:  # an article with "price" and "prices" counts once
            forms_set = set(forms)
            articles_with[root] = sum(1 for words in texts if not words.isdisjoint(forms_set))
    sample = len(stories)
    searcher = index.searcher()
    everything = max(searcher.num_docs, 1)
    scored = []
    for root, in_sample in articles_with.items():
        if in_sample < least:
            continue
        # Articles of the archive holding any spelling of the word: the sum over spellings counts an
        # article with two of them twice, which only makes the word stand out less (a first pass:
        # the words that may be shown are counted exactly below).
        forms = by_root[root]
        in_archive = max(in_sample, sum(searcher.doc_freq("body", search_index.fold(form)) for form in forms))
        score = _jlh(in_sample / sample, in_archive / everything)
        if score is not None:
            spelling = max(forms, key=lambda form: (holding[form], form))
            scored.append((score, spelling, in_sample, in_archive))
    scored.sort(key=lambda item: (-item[0], item[1]))
    # The archive's count said beside a word is the number of articles its search finds (every
    # spelling once, headlines too), not the sum above: counted for the few words that may be shown,
    # which are then scored again with it. Those words are uncommon in the archive (that is why
    # they stand out), so counting them is cheap.
    rescored = []
    for _, spelling, in_sample, _ in scored[: size * 2]:
        in_archive = max(in_sample, _articles_with_word(index, spelling))
        score = _jlh(in_sample / sample, in_archive / everything)
        if score is not None:
            rescored.append((score, spelling, in_sample, in_archive))
    rescored.sort(key=lambda item: (-item[0], item[1]))
    return StandingOut(
        words=[{"word": word, "sample_articles": in_sample, "archive_articles": in_archive}
               for _, word, in_sample, in_archive in rescored[:size]],
        sample=sample,
        chosen=chosen,
    )


def _jlh(share: float, usual: float) -> float | None:
    """How much a word stands out: its share of the sample over its share of the archive, times the
    difference (JLH); None when it is no commoner in the sample than in the archive."""
    return (share - usual) * share / usual if share > usual else None


def _articles_with_word(index: "search_index.SearchIndex", word: str) -> int:
    """How many articles a search of ``word`` alone finds."""
    tq = search_index.to_tantivy(index, Query.of_word(word), None, None)
    return index.searcher().search(tq, 1, count=True).count or 0 if tq is not None else 0

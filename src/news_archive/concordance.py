"""Keyword in context: every occurrence of a search's words, one line each, lined up.

What a researcher reads to see how a word is used rather than which articles use it
(a concordance, as corpus linguists make them): each place in the matching articles'
text where the search's words occur, with the words before and after it, in the order
the articles are read, or sorted by the words to the left or right of it so that the
same turns of phrase fall together ("oil prices fell", "oil prices rose").

The occurrences are the ones a search page marks: with the ranked index, every word
form of each word's stem (search_index.highlighter); without it, what SQLite's
full-text index marks. Each story is read once (its first version in the order read)
unless every version is asked for, so that a wire story sent ten times is not ten lines.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from .matches import clusters_of, filters, order_by
from .query import Query, parse_query
from .search import MARK_END, MARK_START, fetch_rows
from .words import STOP_WORDS

ORDERS = ("oldest", "newest", "relevance")  # which matching articles are read first
ARRANGEMENTS = ("text", "left", "right", "match")  # how the lines are sorted
DEFAULT_WIDTH = 50
MIN_WIDTH, MAX_WIDTH = 10, 200
# The most lines gathered for one answer: a page of the reading room sorts and pages through
# this many, an export or the command line may ask for up to MAX_LINES.
PAGE_LINES = 2_000
MAX_LINES = 100_000
# Read this many characters of a body around each occurrence, before cutting at words:
# enough for the widest context even where the text is mostly spaces.
_READ_FACTOR = 3
_WORD = re.compile(r"[^\W_]+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
CSV_COLUMNS = ("article_id", "date", "headline", "left", "match", "right", "position")
NEEDS_WORDS = "a concordance needs words to look for (words, a phrase, or a word's beginning with *)"


@dataclass(frozen=True)
class Line:
    article_id: int
    date: str
    headline: str
    left: str
    match: str
    right: str
    position: int  # where the occurrence starts in the article's text (characters)

    def as_json(self) -> dict:
        return {"article_id": self.article_id, "date": self.date, "headline": self.headline, "left": self.left,
                "match": self.match, "right": self.right, "position": self.position}


@dataclass
class Concordance:
    query: Query
    order: str
    arrange: str
    width: int
    lines: list[Line] = field(default_factory=list)
    matching: int = 0  # articles that match the search
    read: int = 0  # of them, articles read for lines, in the order asked for
    with_lines: int = 0  # articles read that gave at least one line
    folded: int = 0  # later versions of stories left out among those read
    complete: bool = True  # every matching article was read: nothing is left out
    notes: list[str] = field(default_factory=list)
    _deadline: float | None = None  # time.monotonic() when reading stops, if ever

    def late(self) -> bool:
        return self._deadline is not None and time.monotonic() > self._deadline

    @property
    def forms(self) -> list[tuple[str, int]]:
        """The words as they occur (case aside), the most frequent first: "price 320, prices 210"."""
        return _most_common(line.match.lower() for line in self.lines)

    def neighbours(self, side: str, most: int = 10) -> list[tuple[str, int]]:
        """The words right before (``side`` "left") or right after ("right") the occurrences, the most
        frequent first: "world 70, crude 60, lower 17" before "oil prices". Words that say nothing of a
        subject ("the", "in", "and"), a possessive's "s" and those of a single line are left out."""
        if side == "left":
            words = (found[-1] for found in (_WORD.findall(line.left) for line in self.lines) if found)
        else:
            words = (found[0] for found in (_WORD.findall(line.right[:80]) for line in self.lines) if found)
        counted = _most_common(word.lower() for word in words)
        return [(word, n) for word, n in counted if n > 1 and len(word) > 1 and word not in STOP_WORDS][:most]

    def phrase_with(self, word: str, side: str) -> str | None:
        """The search for ``word`` next to the words searched for ("crude" before "oil prices": '"crude oil
        prices"'), when the search is one word or phrase; None for anything else."""
        terms = self.query.terms()
        if len(terms) != 1 or self.query.excluded or terms[0].prefix or terms[0].near:
            return None
        words = [word, *terms[0].words] if side == "left" else [*terms[0].words, word]
        return '"' + " ".join(words) + '"'


    def summary_json(self) -> dict:
        """What was read and found, as the JSON of the page and of the command line give it."""
        return {"understood": self.query.describe(), "sort": self.order, "arrange": self.arrange, "width": self.width,
                "matching_articles": self.matching, "articles_read": self.read,
                "articles_with_lines": self.with_lines, "later_versions_left_out": self.folded,
                "complete": self.complete, "lines_found": len(self.lines),
                "forms": [{"form": form, "lines": n} for form, n in self.forms],
                "before": [{"word": word, "lines": n} for word, n in self.neighbours("left")],
                "after": [{"word": word, "lines": n} for word, n in self.neighbours("right")]}


def _most_common(items) -> list[tuple[str, int]]:
    counted = Counter(items)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def concordance(
    conn: sqlite3.Connection,
    q: str | Query | None,
    *,
    since: str | None = None,
    until: str | None = None,
    names: Sequence[int] = (),
    index=None,
    order: str = "oldest",
    arrange: str = "text",
    width: int = DEFAULT_WIDTH,
    most: int = PAGE_LINES,
    all_versions: bool = False,
    seconds: float | None = None,
) -> Concordance:
    """Up to ``most`` occurrences of the words of ``q`` in the articles that match it (and the
    dates and names given), read in ``order``, each with ``width`` characters of context on each
    side (cut at a word), sorted by ``arrange``: as they come ("text"), by the words to the left
    (nearest first), to the right, or by the words matched. With ``seconds``, reading stops after
    that long, with a note (a web page must not hold one of the server's few threads for minutes)."""
    query = q if isinstance(q, Query) else parse_query(q)
    order = order if order in ORDERS else "oldest"
    arrange = arrange if arrange in ARRANGEMENTS else "text"
    width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    found = Concordance(query, order, arrange, width, notes=list(query.notes))
    found._deadline = time.monotonic() + seconds if seconds is not None else None
    if not query.terms():
        if not query.notes:  # a note says already why nothing typed can be looked for
            found.notes.append(NEEDS_WORDS)
        return found
    if index is not None:
        from . import search_index

        tq = search_index.to_tantivy(index, query, since, until, names)
        if tq is None:
            return found
        pattern = search_index.highlighter(index, query)
        articles = _ranked_articles(conn, index, tq, order, found, pattern, _near_words(index, query))
    else:
        articles = _sqlite_articles(conn, query, since, until, names, order, found)
    for article_id, date, headline, text, spans in _stories(conn, articles, found, all_versions):
        before = len(found.lines)
        for start, end in spans[: most - before]:
            left, right = _context(text, start, end, width)
            found.lines.append(Line(article_id, date, headline, left, " ".join(text[start:end].split()), right, start))
        found.with_lines += len(found.lines) > before
        if len(found.lines) >= most:
            # Complete only if this was the last article to read and gave all it holds.
            found.complete = found.read == found.matching and len(found.lines) - before == len(spans)
            break
        if found.late():
            break
    if found.late() and found.read < found.matching:
        found.complete = False
        found.notes.append(f"reading stopped after {seconds:g} s, at article {found.read:,} of {found.matching:,}:"
                           " narrow the words or the dates to read the others")
    found.lines = arranged(found.lines, arrange)
    return found


def arranged(lines: list[Line], arrange: str) -> list[Line]:
    """``lines`` sorted for reading: by the words to the left of the occurrence, nearest first
    ("left"), the words to its right ("right"), or the words matched and then those to their right
    ("match"); "text" keeps them as read. Ties keep the order read (the sort is stable)."""
    if arrange == "left":
        return sorted(lines, key=lambda line: [w.lower() for w in reversed(_WORD.findall(line.left))])
    if arrange == "right":
        return sorted(lines, key=lambda line: [w.lower() for w in _WORD.findall(line.right)])
    if arrange == "match":
        return sorted(lines, key=lambda line: (line.match.lower(), [w.lower() for w in _WORD.findall(line.right)]))
    return lines


def _stories(conn, articles: Iterator[list[tuple]], found: Concordance, all_versions: bool) -> Iterator[tuple]:
    """The articles to read, each story once (its first version as read) unless ``all_versions``."""
    seen: set[int] = set()
    for batch in articles:
        clusters = {} if all_versions else clusters_of(conn, [article[0] for article in batch])
        for article in batch:
            found.read += 1
            cluster = clusters.get(article[0])
            if cluster is not None:
                if cluster[0] in seen:
                    found.folded += 1
                    continue
                seen.add(cluster[0])
            yield article


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """About ``width`` characters before and after ``text[start:end]``, within its paragraph, with
    white space squeezed and no word cut in two."""
    reach = width * _READ_FACTOR
    low, high = max(0, start - reach), min(len(text), end + reach)
    before, after = text[low:start], text[end:high]
    breaks = list(_PARAGRAPH_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    elif low > 0 and not text[low - 1].isspace():
        before = _without_first_word(before)
    paragraph_end = _PARAGRAPH_BREAK.search(after)
    if paragraph_end:
        after = after[: paragraph_end.start()]
    elif high < len(text) and not text[high].isspace():
        after = _without_last_word(after)
    left, right = " ".join(before.split()), " ".join(after.split())
    # A space between the occurrence and its context stays ("oil-prices" is not "oil prices"), and
    # counts in the width like any other character.
    if left and before[-1:].isspace():
        left += " "
    if right and after[:1].isspace():
        right = " " + right
    if len(left) > width:
        cut = left[-width:]
        left = cut if left[-width - 1] == " " else cut.partition(" ")[2]
    if len(right) > width:
        cut = right[:width]
        right = cut if right[width] == " " else cut.rpartition(" ")[0]
    return left, right


def _without_first_word(text: str) -> str:
    """``text`` without the word it begins with, which a cut fell in (nothing if it is all one word)."""
    return text[_LEADING_WORD.match(text).end() :]


def _without_last_word(text: str) -> str:
    return text[: _TRAILING_WORD.search(text).start()]


_LEADING_WORD, _TRAILING_WORD = re.compile(r"\S*"), re.compile(r"\S*$")


# --- the matching articles, in order, a batch at a time: (id, date, headline, text, spans) ----


def _near_words(index, query: Query) -> list[tuple]:
    """For each "a b"~N of the query: the patterns of its two words' forms, N, and whether to
    keep only the occurrences of each that have the other near (not when the word is also searched
    for on its own). The highlighter marks every occurrence of such words; a concordance keeps
    those SQLite's NEAR marks."""
    from . import search_index

    alone = {word for term in query.terms() if not term.near for word in term.words}
    pairs = []
    # The same pair typed again ("the the"~50 sixty times) is looked for once.
    for term in dict.fromkeys(query.terms()):
        if term.near and len(term.words) == 2 and not alone.issuperset(term.words):
            first, second = (search_index.highlighter(index, Query.of_word(word)) for word in term.words)
            if first is not None and second is not None:
                pairs.append((first, second, term.near, [word not in alone for word in term.words]))
    return pairs


def _near_only(text: str, spans: list[tuple[int, int]], pairs: list[tuple]) -> list[tuple[int, int]]:
    """``spans`` without the occurrences of a near pair's word that have no occurrence of the other
    word within N words."""
    starts = [m.start() for m in _WORD.finditer(text)]
    dropped: set[tuple[int, int]] = set()
    for first, second, most_apart, (near_first, near_second) in pairs:
        one, other = [m.span() for m in first.finditer(text)], [m.span() for m in second.finditer(text)]
        at_one = [bisect.bisect_left(starts, s) for s, _ in one]
        at_other = [bisect.bisect_left(starts, s) for s, _ in other]
        for spans_of, here, there, wanted in ((one, at_one, at_other, near_first), (other, at_other, at_one, near_second)):
            if not wanted:
                continue
            for span, position in zip(spans_of, here):
                # At most N words between them (FTS5's NEAR), in either order: the nearest
                # occurrence of the other word is one of the two around it (``there`` is sorted).
                at = bisect.bisect_left(there, position)
                nearest = min((abs(position - there[i]) for i in (at - 1, at) if 0 <= i < len(there)), default=None)
                if nearest is None or nearest - 1 > most_apart:
                    dropped.add(span)
    return [span for span in spans if span not in dropped]


def _ranked_articles(conn, index, tq, order: str, found: Concordance, pattern, near: list[tuple]) -> Iterator[list[tuple]]:
    from . import search_index

    offset, size = 0, 100
    while True:
        total, ids = search_index.top_ids(index, tq, sort=order, limit=size, offset=offset, count=offset == 0)
        if total is not None:
            found.matching = total
        if not ids:
            return
        rows = fetch_rows(conn, ids, "id, date, headline, body")
        batch = []
        for article_id, date, headline, body in rows:
            if found.late():
                break
            spans = [m.span() for m in pattern.finditer(body)] if pattern is not None else []
            batch.append((article_id, date, headline, body, _near_only(body, spans, near) if near else spans))
        yield batch
        if found.late():
            return
        offset += len(ids)
        if offset >= found.matching:
            return
        # Each batch ranks the matches before it again: doubling keeps that to twice the work.
        size = min(size * 2, 5_000)


def _sqlite_articles(conn, query: Query, since, until, names, order: str, found: Concordance) -> Iterator[list[tuple]]:
    source, where, args = filters(conn, query, since, until, names=names)
    found.matching = conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", args).fetchone()[0]
    if not found.matching:
        return
    cursor = conn.execute(
        f"SELECT a.id, a.date, a.headline, highlight(articles_fts, 1, char(2), char(3)) FROM {source}"
        f" WHERE {where} ORDER BY {order_by(query, order)}", args)
    # FTS5 marks overlapping and adjacent matches of phrases as one ("buffalo buffalo" in a text of
    # 50,000 buffalos was one line of 399,999 characters): such a mark is cut into matches of the
    # longest phrase's length, from its start, as the ranked index's marks come; a rest shorter than
    # every phrase is no match ("prices" after "crude oil" for "crude oil" OR "oil prices").
    lengths = [1 if term.near else len(term.words) for term in query.terms()]
    longest, shortest = max(lengths), min(lengths)
    while True:
        rows = cursor.fetchmany(200)
        if not rows:
            return
        batch = []
        for article_id, date, headline, marked in rows:
            if found.late():
                break
            text, spans = _unmarked(marked)
            batch.append((article_id, date, headline, text, _cut_merged(text, spans, longest, shortest)))
        yield batch
        if found.late():
            return


def _cut_merged(text: str, spans: list[tuple[int, int]], longest: int, shortest: int) -> list[tuple[int, int]]:
    cut = []
    for start, end in spans:
        words = [m.span() for m in _WORD.finditer(text, start, end)]
        if len(words) <= longest:
            cut.append((start, end))
            continue
        groups = [words[i : i + longest] for i in range(0, len(words), longest)]
        cut += [(group[0][0], group[-1][1]) for group in groups if len(group) >= shortest]
    return cut


def _unmarked(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """SQLite's highlighted text as the plain text and the spans it marked."""
    pieces, spans, length = [], [], 0
    for number, part in enumerate(marked.split(MARK_START)):
        if number == 0:
            pieces.append(part)
            length += len(part)
            continue
        inside, _, after = part.partition(MARK_END)
        spans.append((length, length + len(inside)))
        pieces += [inside, after]
        length += len(inside) + len(after)
    return "".join(pieces), spans

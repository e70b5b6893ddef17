"""Reading the archive by date and by article: the queries behind the home
page, the date archive pages and the article page."""

from __future__ import annotations

import calendar
import json
import math
import re
import sqlite3
from collections import Counter
from typing import Callable, Iterator, Sequence

from . import search_index
from .matches import clusters_of, date_conditions, first_versions, repeated_quotations
from .name_aliases import SUFFIXES, alias_of, aliases_of, surname_key
from .name_identity import fold, shown_spelling
from .query import Query, Term
from .store import fts_has_positions

ARTICLE_COLUMNS = ("id", "date", "headline", "source", "body", "paragraphs", "words", "sha256", "ingested_at",
                   "updated_at", "duplicate_of")
LIST_COLUMNS = "id, date, headline, source, substr(body, 1, 400) AS lead"
# Related articles are found from the start of a body: its first this many
# characters say what it is about, and a 50 MB article must not stall its page.
RELATED_TEXT_CHARS = 100_000


def _rows(conn: sqlite3.Connection, sql: str, args=()) -> list[dict]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def lead_text(body: str, headline: str, limit: int = 220) -> str:
    """The start of an article after its headline, for lists."""
    parts = body.split("\n\n", 1)
    if len(parts) == 2 and " ".join(parts[0].split()) == " ".join(headline.split()):
        body = parts[1]
    text = " ".join(body.split())
    if len(text) > limit:
        text = text[: text.rfind(" ", 0, limit)] + " …"
    return text


def _with_leads(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["lead"] = lead_text(row.pop("lead", "") or "", row["headline"])
    return rows


# --- the whole archive ------------------------------------------------------------------


def overview(conn: sqlite3.Connection, index=None) -> dict:
    """The whole archive in numbers. With the ranked index, its month histogram
    stands in for a GROUP BY over every row."""
    if index is not None:
        months = search_index.histogram(index, search_index.to_tantivy(index, Query(""), None, None), "month")
        per_month = sorted(months.items())
    else:
        per_month = conn.execute(
            "SELECT month, count(*) FROM articles WHERE duplicate_of IS NULL GROUP BY month ORDER BY month"
        ).fetchall()
    total = sum(n for _, n in per_month)
    first = conn.execute("SELECT date FROM articles ORDER BY date LIMIT 1").fetchone()
    last = conn.execute("SELECT date FROM articles ORDER BY date DESC LIMIT 1").fetchone()
    first, last = (first[0], last[0]) if first else (None, None)
    years: dict[int, int] = {}
    for month, n in per_month:
        years[int(month[:4])] = years.get(int(month[:4]), 0) + n
    return {
        "articles": total,
        "first_date": first,
        "last_date": last,
        "per_month": [{"period": m, "count": n} for m, n in per_month],
        "per_year": [{"year": y, "count": n} for y, n in years.items()],
    }


def latest(conn: sqlite3.Connection, limit: int = 10) -> list[dict]:
    return _with_leads(_rows(
        conn,
        f"SELECT {LIST_COLUMNS} FROM articles WHERE duplicate_of IS NULL ORDER BY date DESC, id DESC LIMIT ?",
        (limit,),
    ))


# --- by date -------------------------------------------------------------------------------


def year_view(conn: sqlite3.Connection, year: int) -> dict:
    counts = dict(conn.execute(
        "SELECT substr(date, 1, 7) AS m, count(*) FROM articles WHERE date BETWEEN ? AND ? AND duplicate_of IS NULL"
        " GROUP BY m",
        (f"{year:04d}-01-01", f"{year:04d}-12-31"),
    ))
    months = [{"month": f"{year:04d}-{m:02d}", "count": counts.get(f"{year:04d}-{m:02d}", 0)} for m in range(1, 13)]
    previous = _adjacent(conn, f"{year:04d}-01-01", "<")
    following = _adjacent(conn, f"{year:04d}-12-31", ">")
    return {
        "year": year,
        "total": sum(counts.values()),
        "months": months,
        "peak": max(counts.values(), default=0),
        "previous": int(previous[:4]) if previous else None,
        "next": int(following[:4]) if following else None,
    }


def month_view(conn: sqlite3.Connection, year: int, month: int, page: int = 1, per_page: int = 50) -> dict:
    key = f"{year:04d}-{month:02d}"
    first_day, last_day = f"{key}-01", f"{key}-{calendar.monthrange(year, month)[1]:02d}"
    counts = dict(conn.execute(
        "SELECT date, count(*) FROM articles WHERE date BETWEEN ? AND ? AND duplicate_of IS NULL GROUP BY date",
        (first_day, last_day),
    ))
    total = sum(counts.values())
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        weeks.append([
            {"day": d, "date": f"{key}-{d:02d}", "count": counts.get(f"{key}-{d:02d}", 0)} if d else None
            for d in week
        ])
    page, pages = _page(page, total, per_page)
    articles = _with_leads(_rows(
        conn,
        f"SELECT {LIST_COLUMNS} FROM articles WHERE date BETWEEN ? AND ? AND duplicate_of IS NULL"
        " ORDER BY date, id LIMIT ? OFFSET ?",
        (first_day, last_day, per_page, (page - 1) * per_page),
    ))
    previous = _adjacent(conn, first_day, "<")
    following = _adjacent(conn, last_day, ">")
    return {
        "year": year, "month": month, "key": key, "name": calendar.month_name[month], "total": total,
        "first_day": first_day, "last_day": last_day,
        "weeks": weeks, "articles": articles, "page": page, "pages": pages,
        "previous": previous[:7] if previous else None, "next": following[:7] if following else None,
    }


def day_view(conn: sqlite3.Connection, day: str, page: int = 1, per_page: int = 50) -> dict:
    total = conn.execute("SELECT count(*) FROM articles WHERE date = ? AND duplicate_of IS NULL", (day,)).fetchone()[0]
    page, pages = _page(page, total, per_page)
    articles = _with_leads(_rows(
        conn,
        f"SELECT {LIST_COLUMNS} FROM articles WHERE date = ? AND duplicate_of IS NULL ORDER BY id LIMIT ? OFFSET ?",
        (day, per_page, (page - 1) * per_page),
    ))
    return {
        "date": day, "total": total, "articles": articles, "page": page, "pages": pages,
        "previous": _adjacent(conn, day, "<"), "next": _adjacent(conn, day, ">"),
    }


def on_this_day(conn: sqlite3.Connection, month: int, day: int, page: int = 1, per_page: int = 50) -> dict:
    """The articles of one calendar day (7 December) in every year the archive holds, newest first,
    and how many each year has: anniversaries, and what was said the same day before. Each year's
    date is looked up in the date index (a few hundred look-ups), never a scan of every article."""
    month_day = f"{month:02d}-{day:02d}"
    # Two look-ups in the date index: SQLite answers min() and max() so only one at a time.
    first = conn.execute("SELECT min(date) FROM articles").fetchone()[0]
    last = conn.execute("SELECT max(date) FROM articles").fetchone()[0]
    dates = []
    if first:
        for year in range(int(first[:4]), int(last[:4]) + 1):
            if month_day != "02-29" or calendar.isleap(year):
                dates.append(f"{year:04d}-{month_day}")
    years, articles = [], []
    marks = ", ".join("?" * len(dates))
    if dates:
        years = [{"year": d[:4], "date": d, "count": n} for d, n in conn.execute(
            f"SELECT date, count(*) FROM articles WHERE date IN ({marks}) AND duplicate_of IS NULL"
            " GROUP BY date ORDER BY date DESC", dates)]
    total = sum(y["count"] for y in years)
    page, pages = _page(page, total, per_page)
    if total:
        articles = _with_leads(_rows(
            conn,
            f"SELECT {LIST_COLUMNS} FROM articles WHERE date IN ({marks}) AND duplicate_of IS NULL"
            " ORDER BY date DESC, id LIMIT ? OFFSET ?",
            (*dates, per_page, (page - 1) * per_page),
        ))
    return {"month_day": month_day, "total": total, "years": years, "articles": articles, "page": page,
            "pages": pages}


def _adjacent(conn: sqlite3.Connection, day: str, op: str) -> str | None:
    """The nearest date before or after ``day`` that has an article (through the date index)."""
    order = "DESC" if op == "<" else "ASC"
    row = conn.execute(
        f"SELECT date FROM articles WHERE date {op} ? AND duplicate_of IS NULL ORDER BY date {order} LIMIT 1", (day,)
    ).fetchone()
    return row[0] if row else None


def _page(page: int, total: int, per_page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / per_page))
    return min(max(1, page), pages), pages


# --- one article ------------------------------------------------------------------------------


# A line of a table: words, then columns set apart by runs of spaces ("Malaysia           0",
# "Country       Differential stg/tonne") or dot leaders ("ALGERIA......18.51"); not the two
# spaces some typists put after a sentence ("He agreed.  She did not.").
_TABLE_LINE = re.compile(r"[^\s.!?:;,](?: {2,}|\t)\S|\S\.{3,}\S")


def text_blocks(paragraphs: list[str]) -> list[dict]:
    """The paragraphs to show: prose as {"kind": "p"}, and tables, whose columns a browser
    would run together, as {"kind": "table"} with their lines as written. A table is two or
    more paragraphs in a row whose every line has columns (wire copy often puts each row of
    a table in a paragraph of its own)."""
    blocks: list[dict] = []
    rows: list[str] = []

    def flush() -> None:
        if len(rows) > 1 or (rows and rows[0].count("\n") > 0):
            blocks.append({"kind": "table", "text": "\n".join(rows)})
        else:
            blocks.extend({"kind": "p", "text": row} for row in rows)
        rows.clear()

    for paragraph in paragraphs:
        if all(_TABLE_LINE.search(line) for line in paragraph.splitlines()):
            rows.append(paragraph)
        else:
            flush()
            blocks.append({"kind": "p", "text": paragraph})
    flush()
    return blocks


def _source_gone(conn: sqlite3.Connection, source: str) -> list[dict]:
    """Where the file an article was read from (or the archive file holding it) has gone
    from: the folders whose last ingest no longer found it."""
    try:
        return _rows(conn, "SELECT source, folder, noticed_at FROM gone_sources"
                           " WHERE source = ? OR substr(?, 1, length(source) + 1) = source || '!' ORDER BY folder",
                     (source, source))
    except sqlite3.OperationalError:  # an archive of an older news-archive, not upgraded yet
        return []


def earlier_texts(conn: sqlite3.Connection, article_id: int, with_body: bool = False) -> list[dict]:
    """The texts the article held before its file changed, oldest first, numbered from 1 (what an
    update replaced: see store.save_batch). Each says when it was first read and when replaced."""
    body = ", body" if with_body else ""
    try:
        found = _rows(conn, f"SELECT date, headline, source, sha256, words, since, replaced_at{body}"
                            " FROM article_versions WHERE article_id = ? ORDER BY id", (article_id,))
    except sqlite3.OperationalError:  # an archive of an older news-archive, not upgraded yet
        return []
    return [{"number": number, **row} for number, row in enumerate(found, 1)]


def earlier_text(conn: sqlite3.Connection, article_id: int, number: int) -> dict | None:
    """One earlier text of an article (``number`` as earlier_texts numbers them), with its
    paragraphs as the article page shows them, and the article as it is now; None if there is none."""
    now = _rows(conn, "SELECT id, date, headline, source FROM articles WHERE id = ?", (article_id,))
    texts = earlier_texts(conn, article_id, with_body=True) if now else []
    if not 1 <= number <= len(texts):
        return None
    text = texts[number - 1]
    written = [p.strip("\n").rstrip() for p in re.split(r"\n[ \t\f\v]*\n", text["body"]) if p.strip()]
    if written and " ".join(written[0].split()) == " ".join(text["headline"].split()):
        written = written[1:] or written
    text["blocks"] = text_blocks(written)
    text["article"] = now[0]
    text["count"] = len(texts)
    return text


def article(conn: sqlite3.Connection, article_id: int) -> dict | None:
    """An article with its paragraphs, copies, and the articles before and after it by date."""
    rows = _rows(conn, f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id = ?", (article_id,))
    if not rows:
        return None
    row = rows[0]
    # As written, but for blank lines around them: a table's first line keeps its indent.
    written = [p.strip("\n").rstrip() for p in re.split(r"\n[ \t\f\v]*\n", row["body"]) if p.strip()]
    if written and " ".join(written[0].split()) == " ".join(row["headline"].split()):
        written = written[1:] or written
    row["paragraph_texts"] = [p.strip() for p in written]
    row["blocks"] = text_blocks(written)
    original = row["duplicate_of"] or row["id"]
    row["copies"] = _rows(
        conn,
        "SELECT id, date, source FROM articles WHERE (id = ? OR duplicate_of = ?) AND id != ? ORDER BY id",
        (original, original, row["id"]),
    )
    row["source_gone"] = _source_gone(conn, row["source"])
    for copy in row["copies"]:
        # A copy whose file has gone from its folder is still listed (its record stays), and says so.
        copy["gone"] = bool(_source_gone(conn, copy["source"]))
    row["earlier_texts"] = earlier_texts(conn, row["id"])
    # A file that read well once and cannot be read now: its last good text is what is shown.
    rejected = _rows(conn, "SELECT reason, rejected_at FROM rejects WHERE source = ?", (row["source"],))
    row["source_rejected"] = rejected[0] if rejected else None
    row["previous"] = _neighbour(conn, row["date"], row["id"], "<")
    row["next"] = _neighbour(conn, row["date"], row["id"], ">")
    row["names"] = _rows(
        conn,
        "SELECT n.id, n.name, n.kind, an.mentions FROM article_names an JOIN names n ON n.id = an.name_id"
        " WHERE an.article_id = ? ORDER BY an.mentions DESC, n.name",
        (original,),
    )
    row["quotes"] = _rows(
        conn, "SELECT id, paragraph, speaker, speaker_id, quote FROM quotes WHERE article_id = ? ORDER BY id",
        (original,),
    )
    row["similar"] = versions(conn, original)
    return row


def versions(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    """The other versions of the article's story (what search counts as its "similar
    versions"), oldest first, with how alike each is to it. A version of the story
    need not pair with this one (a correction beside the original's repeat, similar.py):
    its similarity is then estimated from the two stored sketches, as a pair's was."""
    found = _rows(
        conn,
        "SELECT a.id, a.date, a.headline, a.source, s.similarity FROM clusters c"
        " JOIN clusters o ON o.cluster_id = c.cluster_id AND o.article_id != c.article_id"
        " JOIN articles a ON a.id = o.article_id"
        " LEFT JOIN similar_articles s ON s.article_id = c.article_id AND s.similar_id = o.article_id"
        " WHERE c.article_id = ? ORDER BY a.date, a.id",
        (article_id,),
    )
    unpaired = [row["id"] for row in found if row["similarity"] is None]
    if unpaired:
        sketches = dict(conn.execute(
            f"SELECT article_id, signature FROM sketches WHERE article_id IN ({', '.join('?' * (len(unpaired) + 1))})",
            [article_id, *unpaired]))
        for row in found:
            if row["similarity"] is None:
                row["similarity"] = _sketch_similarity(sketches.get(article_id), sketches.get(row["id"]))
    return found


def _sketch_similarity(first: bytes | None, second: bytes | None) -> float | None:
    """near_duplicates.similarity of two stored signatures (64 little-endian 4-byte
    values), read from their bytes: that module needs numpy, which readers do not load."""
    if not first or not second or len(first) != len(second):
        return None
    values = len(first) // 4
    return sum(first[4 * i : 4 * i + 4] == second[4 * i : 4 * i + 4] for i in range(values)) / values


# --- names and quotes -----------------------------------------------------------------------


def _typed(conn: sqlite3.Connection) -> tuple[str, Callable[[str], str]]:
    """How a name is compared with what is typed: the column (an expression) and what is done to
    the text typed. names.folded and the text folded alike (name_identity.fold: "nunez" finds
    "Núñez", "O’Neill" "O'Neill"); in an archive older than version 10, read before an ingest or
    `serve` brings it up to date, the name lower-cased (as before: accents count)."""
    if any(row[1] == "folded" for row in conn.execute("PRAGMA table_info(names)")):
        return "folded", fold
    return "lower(name)", str.lower


def names_called(conn: sqlite3.Connection, text: str, kind: str | None = None) -> list[dict]:
    """The names written ``text`` (case, accents and the shape of apostrophes aside, or as
    another spelling of them: "U.S." for the United States), of ``kind`` if given, in the order
    of their ids; then the full name a surname alone written so is counted for ("Reagan": Ronald
    Reagan, see name_aliases), marked with ``alias``."""
    column, folded = _typed(conn)
    spellings = [folded(text)]
    for of_kind in (kind,) if kind else ("person", "organization", "place"):
        shown = shown_spelling(text, of_kind)
        if shown and folded(shown) not in spellings:
            spellings.append(folded(shown))
    sql = f"SELECT id, name, kind FROM names WHERE {column} IN ({', '.join('?' * len(spellings))})"
    args: list = spellings
    if kind:
        sql += " AND kind = ?"
        args.append(kind)
    found = _rows(conn, sql + " ORDER BY id", args)
    aliased = alias_of(conn, text, kind)
    if aliased is not None and aliased not in {r["id"] for r in found}:
        found += [{**r, "alias": " ".join(text.split())} for r in _rows(
            conn, "SELECT id, name, kind FROM names WHERE id = ?", (aliased,))]
    return found


def articles_naming(conn: sqlite3.Connection, name_id: int) -> int:
    """How many articles mention a name (a scan of article_names: for the odd question, not for pages)."""
    return conn.execute("SELECT count(*) FROM article_names WHERE name_id = ?", (name_id,)).fetchone()[0]


def names_like(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[dict]:
    """Names that start with ``text`` or hold it as a word (case, accents and the shape of
    apostrophes aside): suggestions for a miss."""
    column, folded = _typed(conn)
    typed = folded(text)
    test, args = _any_test(column, (typed, "starts"), (" " + typed, "holds"))
    return _rows(conn, f"SELECT id, name, kind FROM names WHERE {test} ORDER BY length(name), name LIMIT ?",
                 (*args, limit))


def people_with_word(conn: sqlite3.Connection, word: str, index=None, limit: int = 3) -> list[dict]:
    """People whose name holds ``word`` as a whole word ("James Baker" for "Baker"), the most
    mentioned first, each with its number of articles: who else a surname alone may mean."""
    column, folded = _typed(conn)
    typed = folded(word)
    test, args = _any_test(column, (typed + " ", "starts"), (" " + typed, "ends"), (" " + typed + " ", "holds"))
    found = _rows(conn, f"SELECT id, name, kind FROM names WHERE kind = 'person' AND {column} != ? AND {test}"
                        " LIMIT ?", (typed, *args, NAME_MATCHES))
    counts = _articles_naming(conn, [r["id"] for r in found], index)
    found = [{**r, "articles": counts.get(r["id"], 0)} for r in found]
    return sorted((r for r in found if r["articles"]), key=lambda r: (-r["articles"], r["name"]))[:limit]


def names_spelled_like(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[dict]:
    """Names spelled nearly as ``text`` ("Dilon Pasage" for Dillon Passage, "Jame Baker"): suggestions
    for a miss with a typo. Candidates share the first two letters of one of its words (one pass over
    the names, on an error only); the closest by difflib's ratio, at 0.75 or more."""
    import difflib

    column, folded = _typed(conn)
    words = [w for w in re.findall(r"[^\W_]{2,}", folded(text))]
    if not words:
        return []
    starts = sorted({_like(w[:2]) for w in words})
    conditions = " OR ".join([f"{column} LIKE ? ESCAPE '\\'"] * 2 * len(starts))
    args = [pattern for start in starts for pattern in (start + "%", "% " + start + "%")]
    wanted = " ".join(folded(text).split())
    scored = []
    for row in _rows(conn, f"SELECT id, name, kind, {column} AS typed FROM names WHERE {conditions}", args):
        ratio = difflib.SequenceMatcher(None, wanted, row.pop("typed")).ratio()
        if ratio >= 0.75:
            scored.append((-ratio, row["name"], row))
    return [row for _, _, row in sorted(scored, key=lambda item: item[:2])[:limit]]


NAMES_PER_PAGE = 50
NAME_QUOTES = 10  # quotations shown beside a name's articles (the newest); the rest are a link away
NAME_MATCHES = 500  # names a typed text may match; the most mentioned of them are listed


def names_directory(conn: sqlite3.Connection, text: str = "", kind: str | None = None, page: int = 1,
                    index=None, per_page: int = NAMES_PER_PAGE) -> dict:
    """The archive's people, organisations and places, the most mentioned first: all of
    them (of ``kind`` if given), or those with a word that starts with ``text`` (case, accents
    and the shape of apostrophes aside: "nunez" finds "José Núñez", "O’Neill" "Jim O'Neill")."""
    text = " ".join(text.split())
    kinds = [kind] if kind else ["person", "organization", "place"]
    if text:
        column, folded = _typed(conn)
        typed = folded(text)
        test, args = _any_test(column, (typed, "starts"), (" " + typed, "holds"))
        found = _rows(conn, f"SELECT id, name, kind FROM names WHERE kind IN ({', '.join('?' * len(kinds))})"
                            f" AND {test} LIMIT ?", (*kinds, *args, NAME_MATCHES))
        # Another spelling of a name is that name ("u.s." lists the United States).
        known = {r["id"] for r in found}
        found += [r for r in names_called(conn, text, kind) if r["id"] not in known]
        counts = _articles_naming(conn, [r["id"] for r in found], index)
        for r in found:
            r["articles"] = counts.get(r["id"], 0)
        found = sorted((r for r in found if r["articles"]), key=lambda r: (-r["articles"], r["name"]))
        total = len(found)
        page, pages = _page(page, total, per_page)
        listed = found[(page - 1) * per_page : page * per_page]
        limited = total >= NAME_MATCHES
    else:
        ranked = most = _most_named(conn, index)
        if kind and ranked:
            of_kind = {i for (i,) in conn.execute(
                f"SELECT id FROM names WHERE kind = ? AND id IN ({', '.join('?' * len(ranked))})",
                (kind, *(i for i, _ in ranked)))}
            ranked = [(i, n) for i, n in ranked if i in of_kind]
        total = len(ranked)
        page, pages = _page(page, total, per_page)
        part = ranked[(page - 1) * per_page : page * per_page]
        ids = [i for i, _ in part]
        rows = {r["id"]: r for r in _rows(
            conn, f"SELECT id, name, kind FROM names WHERE id IN ({', '.join('?' * len(ids))})", ids)} if ids else {}
        listed = [{**rows[i], "articles": n} for i, n in part if i in rows]
        limited = len(most) >= search_index.MOST_NAMED
    return {"q": text, "kind": kind, "total": total, "page": page, "pages": pages, "names": listed,
            "limited": limited, "listed_at_most": NAME_MATCHES if text else search_index.MOST_NAMED}


def most_named_by_kind(conn: sqlite3.Connection, index=None, per_kind: int = 5) -> dict[str, list[dict]]:
    """The few most mentioned people, organisations and places (for the home page): read
    from the head of the most mentioned names, so one small query whatever the archive's size."""
    head = _most_named(conn, index)[: per_kind * 100]
    found: dict[str, list[dict]] = {"person": [], "organization": [], "place": []}
    if not head:
        return found
    rows = {r["id"]: r for r in _rows(
        conn, f"SELECT id, name, kind FROM names WHERE id IN ({', '.join('?' * len(head))})", [i for i, _ in head])}
    for name_id, articles in head:
        row = rows.get(name_id)
        if row and len(found[row["kind"]]) < per_kind:
            found[row["kind"]].append({**row, "articles": articles})
    return found


def _most_named(conn: sqlite3.Connection, index) -> list[tuple[int, int]]:
    if index is not None:
        return index.most_named()
    # Without the ranked index: a scan of article_names (slow on a big archive, but right).
    return list(conn.execute("SELECT name_id, count(*) FROM article_names m JOIN articles a ON a.id = m.article_id"
                             " WHERE a.duplicate_of IS NULL GROUP BY name_id ORDER BY 2 DESC, 1 LIMIT ?",
                             (search_index.MOST_NAMED,)))


def _articles_naming(conn: sqlite3.Connection, ids: list[int], index) -> dict[int, int]:
    if not ids:
        return {}
    if index is not None:
        return search_index.articles_naming(index, ids)
    marks = ", ".join("?" * len(ids))
    return dict(conn.execute(f"SELECT name_id, count(*) FROM article_names m JOIN articles a ON a.id = m.article_id"
                             f" WHERE a.duplicate_of IS NULL AND name_id IN ({marks}) GROUP BY name_id", ids))


RELATED_NAMES = 12
_JOINING = frozenset({"and", "&", "of", "for", "on", "the", "in", "at", "to"})


def related_names(conn: sqlite3.Connection, name: str, kind: str, index=None) -> list[dict]:
    """Other names of the same kind that may be the same one, for a reader to follow: for
    a person, those with the same surname ("Reagan", "Ronald Reagan", "Nancy Reagan"); for
    an organisation or place, the longer and shorter names that begin with the same words
    ("Moody's", "Moody's Investors Service Inc"). Most mentioned first, when the ranked
    index can count them."""
    words = name.split()
    if kind == "person":
        # Surnames compared as names are (name_identity.fold): "José Núñez" beside "Pedro Nunez";
        # a suffix is no surname, as for the archive's surname joins ("Charles B. Gates Jr." is a Gates).
        surname = _surname_folded(name)
        test, args = _any_test("folded", (" " + surname, "ends"),
                               *((f" {surname} {suffix}", "ends") for suffix in sorted(SUFFIXES)))
        found = _rows(conn, "SELECT id, name, kind, folded FROM names WHERE kind = 'person' AND (folded = ?"
                            f" OR {test}) AND name != ? LIMIT 200", (surname, *args, name))
        found = [r for r in found if _surname_folded(r.pop("folded")) == surname]
    else:
        # Cut or joined only between two words of a name, never at "and", "of" ("Standard"
        # is not a shorter "Standard and Poor's", "Bank of England and Fed" no longer one).
        shorter = [" ".join(words[:n]) for n in range(1, len(words)) if words[n].lower() not in _JOINING]
        marks = ", ".join("?" * len(shorter))
        # Longer names by a range of the (name, kind) index: "Moody's " <= name < "Moody's!".
        found = _rows(conn, "SELECT id, name, kind FROM names WHERE kind = ? AND ("
                            f"name IN ({marks or 'NULL'}) OR (name >= ? AND name < ?)) LIMIT 200",
                      (kind, *shorter, name + " ", name + "!"))
        found = [r for r in found if len(r["name"]) > 1  # "A" of "A and P" names nothing
                 and (len(r["name"]) < len(name) or r["name"][len(name) + 1:].split()[0].lower() not in _JOINING)]
    if index is not None and found:
        counts = search_index.articles_naming(index, [r["id"] for r in found])
        for r in found:
            r["articles"] = counts[r["id"]]
        found = [r for r in found if r["articles"]]
        found.sort(key=lambda r: (-r["articles"], r["name"]))
    else:
        found.sort(key=lambda r: r["name"])
    return found[:RELATED_NAMES]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The longest LIKE or GLOB pattern the web's connections take (web.prepare_connection): their
# work grows with the text times the pattern, and one call is never stopped by the time limit.
# (Datasette's own '%VIRTUAL TABLE%USING FTS%', which lists the full-text tables, is 25 bytes.)
LIKE_PATTERN_BYTES = 25


def _surname_folded(name: str) -> str:
    """A person's surname as names are compared: the last word, a suffix aside, folded (the
    surname joins' own key); a name of one word is its surname."""
    return surname_key(name) or fold(name)


def _text_test(column: str, text: str, how: str) -> tuple[str, tuple]:
    """A condition that ``column`` starts with, ends with or holds ``text`` (``how``: "starts",
    "ends", "holds"), exactly as written: ``%`` and ``_`` are not wildcards. A LIKE while its
    pattern fits LIKE_PATTERN_BYTES; beyond it substr or instr (linear on the web too, see
    web.sql_functions), which compare case as it is: the columns and texts we compare are
    folded to lower case alike."""
    pattern = {"starts": "{}%", "ends": "%{}", "holds": "%{}%"}[how].format(_like(text))
    if len(pattern.encode("utf-8")) <= LIKE_PATTERN_BYTES:
        return f"{column} LIKE ? ESCAPE '\\'", (pattern,)
    if how == "starts":
        return f"substr({column}, 1, ?) = ?", (len(text), text)
    if how == "ends":
        return f"substr({column}, -?) = ?", (len(text), text)
    return f"instr({column}, ?) > 0", (text,)


def _any_test(column: str, *tests: tuple[str, str]) -> tuple[str, tuple]:
    """The conditions of ``_text_test`` for each (text, how), joined by OR, in brackets."""
    made = [_text_test(column, text, how) for text, how in tests]
    return "(" + " OR ".join(sql for sql, _ in made) + ")", tuple(arg for _, args in made for arg in args)


def name_row(conn: sqlite3.Connection, name_id: int) -> dict | None:
    """One name: its id, name and kind."""
    found = _rows(conn, "SELECT id, name, kind FROM names WHERE id = ?", (name_id,))
    return found[0] if found else None


def name_redirect(conn: sqlite3.Connection, name_id: int) -> int | None:
    """The id of the name that name ``name_id`` was joined into (see store.join_same_names), or None."""
    try:
        found = conn.execute("SELECT name_id FROM name_redirects WHERE old_id = ?", (name_id,)).fetchone()
    except sqlite3.OperationalError:  # an archive made before joined names were remembered
        return None
    return found[0] if found else None


def resolve_names(conn: sqlite3.Connection, ids: Sequence[int]) -> tuple[list[dict], list[int]]:
    """The names (id, name, kind) of ``ids`` as the archive now knows them (a joined name's
    old id gives the name it joined), without repeats, and the ids that are no name at all."""
    if not ids:
        return [], []
    marks = ", ".join("?" * len(ids))
    present = {name_id for (name_id,) in conn.execute(f"SELECT id FROM names WHERE id IN ({marks})", list(ids))}
    current = {name_id: name_id if name_id in present else name_redirect(conn, name_id) for name_id in ids}
    wanted = sorted({i for i in current.values() if i is not None})
    rows = {r["id"]: r for r in _rows(
        conn, f"SELECT id, name, kind FROM names WHERE id IN ({', '.join('?' * len(wanted))})", wanted)} \
        if wanted else {}
    resolved = list({current[i]: rows[current[i]] for i in ids if current[i] in rows}.values())
    return resolved, [i for i in ids if current[i] not in rows]


def name_view(conn: sqlite3.Connection, name_id: int, index=None, page: int = 1, per_page: int = 25) -> dict | None:
    """A person, organisation or place: the articles that mention it (newest first),
    mentions per month, and the quotations attributed to it."""
    view = name_row(conn, name_id)
    if view is None:
        return None
    if index is not None:
        tq = search_index.to_tantivy(index, Query(""), None, None, names=[name_id])
        # One pass over the mentions gives the months and, added up, the total.
        months = search_index.histogram(index, tq, "month")
        total = sum(months.values())
        page, pages = _page(page, total, per_page)
        _, ids = search_index.top_ids(index, tq, sort="newest", limit=per_page, offset=(page - 1) * per_page,
                                      count=False)
    else:  # without the ranked index: a scan of article_names (slow on a big archive, but right)
        mentioned = "SELECT article_id FROM article_names WHERE name_id = ?"
        total = conn.execute(f"SELECT count(*) FROM ({mentioned})", (name_id,)).fetchone()[0]
        page, pages = _page(page, total, per_page)
        ids = [r[0] for r in conn.execute(
            f"SELECT id FROM articles WHERE id IN ({mentioned}) AND duplicate_of IS NULL"
            " ORDER BY date DESC, id DESC LIMIT ? OFFSET ?", (name_id, per_page, (page - 1) * per_page))]
        months = dict(conn.execute(
            f"SELECT month, count(*) FROM articles WHERE id IN ({mentioned}) AND duplicate_of IS NULL GROUP BY month",
            (name_id,)))
    by_id = {r["id"]: r for r in _with_leads(_rows(
        conn, f"SELECT {LIST_COLUMNS} FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids))} if ids else {}
    view.update(
        total=total, page=page, pages=pages,
        articles=[by_id[i] for i in ids if i in by_id],
        months=sorted(months.items()),
        # As /quotes?name= lists them (the newest first, each once across versions of a story).
        quotes=(attributed := quotes_search(conn, Query(""), per_page=NAME_QUOTES, speaker_id=name_id))["quotes"],
        quotes_total=attributed["total"],
        related=related_names(conn, view["name"], view["kind"], index),
        # A surname alone counted here ("Reagan" on Ronald Reagan's page), as joined spellings are.
        surnames_alone=[alias["spelled"] for alias in aliases_of(conn, name_id)],
    )
    return view


_SPEAKER_WORD = re.compile(r"\w+", re.UNICODE)
MAX_SPEAKER_WORDS = 8


class _QuotesQuery:
    """The SQL of a quotations search: what to read, the condition, its arguments, the
    order, and the quotations left out as repeats of another version of their story."""

    def __init__(self, conn: sqlite3.Connection, q: Query, speaker: str | None, speaker_id: int | None,
                 since: str | None, until: str | None):
        where, args = [], []
        if q.is_empty and q.text.strip():
            where.append("0")  # words typed, none to look for ("-oil"): nothing, as in a search, not every quotation
        expression = q.fts(phrases=fts_has_positions(conn, "quotes_fts"))
        self.ranked = bool(expression)  # words to rank by; otherwise the newest first
        speaker_words = _SPEAKER_WORD.findall(speaker or "")[:MAX_SPEAKER_WORDS]
        if speaker_words:
            by_speaker = "speaker : (" + " ".join('"' + word.replace('"', '""') + '"' for word in speaker_words) + ")"
            expression = f"({expression}) AND {by_speaker}" if expression else by_speaker
        if expression:
            where.append("quotes_fts MATCH ?")
            args.append(expression)
        if speaker_id is not None:
            where.append("q.speaker_id = ?")
            args.append(speaker_id)
        if speaker and not speaker_words:
            where.append("q.speaker = ?")  # no word to look for ("?!"): as written
            args.append(speaker)
        dated, bounds = date_conditions(since, until)
        where += dated
        args += bounds
        self.expression = expression
        quotes = "quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid" if expression else "quotes q"
        self.source = f"{quotes} JOIN articles a ON a.id = q.article_id"
        self.condition = " AND ".join(where) or "1"
        self.args = args
        # By article, newest first: the date index gives the first page at once (ordering by
        # quotation id within a date would sort every quotation of the archive first).
        newest = "a.date DESC, a.id DESC, q.id DESC"
        self.order = "bm25(quotes_fts), q.id" if self.ranked else newest
        # Every row of the (external content) index is a quotation: without a condition on
        # the quotations' columns the index alone counts the matches.
        if where == ["quotes_fts MATCH ?"]:
            self.counted = "quotes_fts"
        else:
            self.counted = self.source if dated else quotes
        # A quotation repeated word for word, by the same speaker, in another version of
        # its story is listed once, under its first listed version (as search lists a
        # story once). Only the articles in a story (clusters) can repeat one: few of any
        # query's matches. The same words by the same speaker score the same, so the
        # first listed of them is the first by id (or the newest, when the newest come first).
        self.repeats = [quote_id for quote_id, _ in conn.execute(
            repeated_quotations(self.source, self.condition, "q.id" if self.ranked else newest), args)]

    def total(self, conn: sqlite3.Connection) -> int:
        return conn.execute(f"SELECT count(*) FROM {self.counted} WHERE {self.condition}",
                            self.args).fetchone()[0] - len(self.repeats)

    def select(self, columns: str, tail: str = "") -> tuple[str, list]:
        condition, args = self.condition, list(self.args)
        if self.repeats:
            condition += " AND q.id NOT IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(self.repeats))
        return f"SELECT {columns} FROM {self.source} WHERE {condition} ORDER BY {self.order}{tail}", args


_QUOTE_COLUMNS = "q.id, q.quote, q.speaker, q.speaker_id, q.article_id, a.date, a.headline"


def quotes_search(conn: sqlite3.Connection, q: Query, speaker: str | None = None, page: int = 1,
                  per_page: int = 25, speaker_id: int | None = None, since: str | None = None,
                  until: str | None = None) -> dict:
    """Quotations whose words match, or whose speaker does (every word of ``speaker``,
    case aside: "volcker" finds Paul Volcker; or a name's id), within the dates of their
    articles; best matches first, or the newest first when no words are given (all of
    them when nothing is asked). Each row's ``marked`` is the quotation with the words
    that matched between MARK_START and MARK_END (see search.marked_html)."""
    from .search import MARK_END, MARK_START

    query = _QuotesQuery(conn, q, speaker, speaker_id, since, until)
    total = query.total(conn)
    page, pages = _page(page, total, per_page)
    marked = f"highlight(quotes_fts, 0, '{MARK_START}', '{MARK_END}')" if query.expression else "q.quote"
    sql, args = query.select(f"{_QUOTE_COLUMNS}, {marked} AS marked", " LIMIT ? OFFSET ?")
    rows = _rows(conn, sql, (*args, per_page, (page - 1) * per_page))
    other_versions = _versions_quoting(conn, [row["id"] for row in rows])
    for row in rows:
        row["versions"] = other_versions.get(row["id"], 0)
    return {"total": total, "quotes": rows, "page": page, "pages": pages}


QUOTE_EXPORT_COLUMNS = ("id", "date", "speaker", "speaker_id", "quote", "article_id", "headline", "versions")
_EXPORT_BATCH = 500  # quotations whose other versions are looked up at once


def iter_quotes(conn: sqlite3.Connection, q: Query, speaker: str | None = None, speaker_id: int | None = None,
                since: str | None = None, until: str | None = None) -> Iterator[dict]:
    """Every quotation quotes_search would list, in its order, one at a time (for exports), with
    ``versions`` as the page has it: in how many other versions of its story it is repeated."""
    query = _QuotesQuery(conn, q, speaker, speaker_id, since, until)
    sql, args = query.select("q.id, a.date, q.speaker, q.speaker_id, q.quote, q.article_id, a.headline")
    cursor = conn.execute(sql, args)
    while batch := cursor.fetchmany(_EXPORT_BATCH):
        # A second cursor on the connection while the first is open: SQLite steps them in turn.
        other_versions = _versions_quoting(conn, [row[0] for row in batch])
        for row in batch:
            yield dict(zip(QUOTE_EXPORT_COLUMNS, (*row, other_versions.get(row[0], 0))))


def archive_is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM articles)").fetchone()[0] == 1


def most_quoted(conn: sqlite3.Connection, limit: int = 10) -> list[dict]:
    """The names most often quoted, most first, each quotation counted once across the versions
    of its story, as the name's page and the quotations search count them. Speakers are read in
    order of their raw counts (an index gives those at once) and their repeats taken off, until
    no speaker left could still have more quotations than the last one kept."""
    counted: list[tuple[int, int]] = []  # (quotations, speaker id)
    raw = conn.execute("SELECT speaker_id, count(*) FROM quotes WHERE speaker_id IS NOT NULL"
                       " GROUP BY speaker_id ORDER BY 2 DESC, speaker_id").fetchall()
    for start in range(0, len(raw), limit * 2):
        chunk = raw[start : start + limit * 2]
        if len(counted) >= limit and chunk[0][1] < counted[limit - 1][0]:
            break
        ids = [speaker_id for speaker_id, _ in chunk]
        repeated = repeated_quotations(condition=f"q.speaker_id IN ({', '.join('?' * len(ids))})")
        repeats = dict(conn.execute(f"SELECT speaker_id, count(*) FROM ({repeated}) GROUP BY speaker_id", ids))
        counted += [(count - repeats.get(speaker_id, 0), speaker_id) for speaker_id, count in chunk]
        counted.sort(key=lambda pair: (-pair[0], pair[1]))
    kept = counted[:limit]
    if not kept:
        return []
    names = {row["id"]: row for row in _rows(
        conn, f"SELECT id, name, kind FROM names WHERE id IN ({', '.join('?' * len(kept))})", [i for _, i in kept])}
    found = [{**names[speaker_id], "quotes": count} for count, speaker_id in kept if speaker_id in names]
    return sorted(found, key=lambda row: (-row["quotes"], row["name"]))


def _versions_quoting(conn: sqlite3.Connection, quote_ids: list[int]) -> dict[int, int]:
    """For each of these quotations, in how many other versions of its story the same
    words are attributed to the same speaker (see versions())."""
    if not quote_ids:
        return {}
    return dict(conn.execute(
        "SELECT q.id, count(DISTINCT o.article_id) FROM quotes q JOIN clusters c ON c.article_id = q.article_id"
        " JOIN clusters oc ON oc.cluster_id = c.cluster_id AND oc.article_id != c.article_id"
        " JOIN quotes o ON o.article_id = oc.article_id AND o.quote = q.quote AND o.speaker IS q.speaker"
        f" WHERE q.id IN ({', '.join('?' * len(quote_ids))}) GROUP BY q.id",
        quote_ids,
    ))


def _neighbour(conn: sqlite3.Connection, day: str, article_id: int, op: str) -> dict | None:
    order = "DESC" if op == "<" else "ASC"
    found = _rows(
        conn,
        f"SELECT id, date, headline FROM articles WHERE (date, id) {op} (?, ?) AND duplicate_of IS NULL"
        f" ORDER BY date {order}, id {order} LIMIT 1",
        (day, article_id),
    )
    return found[0] if found else None


# Words too common in news to say what an article is about.
_STOPWORDS = set("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
our out over own said same says she should so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom why will with would
you your reuter reuters mln pct dlrs cts year years last new one two three told per vs billion million week
""".split())
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def distinctive_terms(conn: sqlite3.Connection, text: str, limit: int = 8) -> list[str]:
    """The words of ``text`` that best tell it apart: frequent in it, rare in the archive."""
    counts = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in _STOPWORDS)
    candidates = [w for w, _ in counts.most_common(30)]
    if not candidates:
        return []
    total = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 1
    scored = []
    for word in candidates:
        df = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)",
            (Term((word,)).fts(), total // 20 + 1),
        ).fetchone()[0]
        if df <= 1:
            continue  # only in this article: says nothing about others
        scored.append((counts[word] * math.log(total / df), word))
    scored.sort(reverse=True)
    return [w for _, w in scored[:limit]]


def related(conn: sqlite3.Connection, article_row: dict, limit: int = 5, index=None) -> list[dict]:
    """Other articles that share this one's most distinctive terms, best first:
    tantivy's more-like-this with the ranked index, else an FTS5 OR-query of the
    words that are frequent here and rare in the archive."""
    original = article_row["duplicate_of"] or article_row["id"]
    # Its own versions are listed apart (article()), above the related articles.
    own = [original, *(v["id"] for v in article_row.get("similar") or ())]
    body = article_row["body"][:RELATED_TEXT_CHARS]
    wanted = limit * 3  # room for other versions of a story found, which are left out
    ids = search_index.more_like_this(index, article_row["headline"], body, own, wanted) if index is not None else None
    if ids is not None:
        if not ids:
            return []
        by_id = {r["id"]: r for r in _rows(
            conn, f"SELECT id, date, headline FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids)}
        return _one_per_story(conn, [by_id[i] for i in ids if i in by_id], limit)
    terms = distinctive_terms(conn, article_row["headline"] + "\n" + body)
    if len(terms) < 2:
        return []
    query = Query(text=" OR ".join(terms), groups=(tuple(Term((t,)) for t in terms),))
    return _one_per_story(conn, _rows(
        conn,
        "SELECT a.id, a.date, a.headline FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        f" WHERE articles_fts MATCH ? AND a.id NOT IN ({', '.join('?' * len(own))}) AND a.duplicate_of IS NULL"
        " ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT ?",
        (query.fts(), *own, wanted),
    ), limit)


def _one_per_story(conn: sqlite3.Connection, rows: list[dict], limit: int) -> list[dict]:
    """The first ``limit`` of ``rows`` (articles, best first), each story once: as search lists them."""
    ids = [r["id"] for r in rows]
    kept = set(first_versions(ids, clusters_of(conn, ids))[0])
    return [r for r in rows if r["id"] in kept][:limit]

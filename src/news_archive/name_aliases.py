"""A person's surname alone, across the archive: one full name's, or nobody's in particular.

Within an article the name finder counts "President Reagan" for Ronald Reagan when the
article names him in full. An article that only ever writes "Reagan" gives a person entry
"Reagan" of its own (453 articles of Reuters-21578, beside Ronald Reagan's 24). At the end
of an ingest or an analysis this pass decides, from the whole archive, whether such an entry
is one full name's, and then joins it to that name for good: its mentions and quotations
move, its id redirects (store.move_names), and an alias in ``name_aliases`` gives the next
article's "Reagan" the full name's id at once (store.NameIds). The article's own full name comes
first: the name finder counts "Reagan" for the Reagan an article names, and an article that names
two people of the surname ("Robert Dole", "Elizabeth Dole") keeps its "Dole" for neither, which the
alias does not change either (store.NameIds.in_article).

The rule prefers two entries to one wrong one (a wrong join merges two people): the surname
alone S is joined to the full name F when

* S looks like a surname: one capitalised word that is not a given name ("Howard", "Carter",
  "Paul" are both), a title, a place or a suffix ("Jr."), and is not, as an organisation or a
  place, in more than twice the articles it has as a person ("House", "Democrats", "Brasil");
* F is a person of two or more words whose surname (last word, a suffix aside) is S, named in
  at least MIN_FULL_ARTICLES articles;
* no surname one letter away (added, dropped or changed) is in MISSPELLING_FACTOR times the
  articles of S and F together: "President Regan" is a misspelling of Reagan, not Donald Regan;
* every other full name with that surname is in at most MAX_RIVAL_ARTICLES articles (a second
  person with real evidence, Howard Baker beside James Baker, refuses it), and F has at least
  MIN_SHARE of the articles of all of them.

Only surnames an ingest touched are judged (any person it saved whose surname is S: a new
"Howard Baker" can refuse a "Baker"), all of them when an archive is upgraded to this
version; surnames already joined are not judged again. The surnames touched are queued in
``surname_queue`` with each batch that saves them and cleared by the judging, in the
transaction of its joins: an ingest or analysis stopped after its last batch (a kill, Ctrl-C)
leaves them queued, and the next ingest or analysis judges them, even one with nothing new. A join is never undone: the
surname's mentions were added to the full name's in each article, which cannot be told
apart again without reading the articles. Measured on Reuters-21578: docs/quality.md.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, NamedTuple

from .name_identity import name_key
from .name_lists import GIVEN_NAMES, PERSON_TITLES, PLACES

if TYPE_CHECKING:
    from .store import NameIds

MIN_FULL_ARTICLES = 5
MAX_RIVAL_ARTICLES = 2
MIN_SHARE = 0.9
MAX_OTHER_KINDS = 2  # times the surname's articles as a person
MISSPELLING_FACTOR = 10  # a surname a letter away in this many times the articles is the one meant

SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_SURNAME = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")  # "LaBonte", "O'Neill", "O’Neill", "Abdul-Aziz"


class Judgement(NamedTuple):
    surname: str  # as shown
    surname_id: int
    articles: int  # of the surname alone
    full: tuple[tuple[str, int, int], ...]  # (name, id, articles) of the full names with it, most first
    refused: str | None  # why not joined, None when joined to full[0]


def surname_key(name: str) -> str | None:
    """The key of a full name's surname: its last word, a suffix aside ("Oscar S. Wyatt Jr" is
    a Wyatt); None for a name of one word."""
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in SUFFIXES:
        words.pop()
    return name_key(words[-1], "person")[0] if len(words) > 1 else None


def _not_a_surname(word: str) -> str | None:
    folded = word.casefold()
    if not _SURNAME.fullmatch(word) or not word[0].isupper() or folded in SUFFIXES:
        return "not a surname"
    for words, what in ((GIVEN_NAMES, "a given name"), (PERSON_TITLES, "a title"), (PLACES, "a place")):
        if folded in words:
            return what
    return None


def queue_surnames(conn: sqlite3.Connection, people: set[str]) -> None:
    """Queue the surnames of ``people`` (names as written) for judging (inside the caller's transaction)."""
    conn.executemany("INSERT OR IGNORE INTO surname_queue (surname) VALUES (?)",
                     [(key,) for key in {_key_of(name) for name in people} if key])


def surnames_queued(conn: sqlite3.Connection) -> int:
    """How many surnames wait to be judged (0 for an archive made before the queue)."""
    try:
        return conn.execute("SELECT count(*) FROM surname_queue").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def judge(conn: sqlite3.Connection, name_ids: NameIds, everything: bool = False) -> list[Judgement]:
    """The surnames alone that have a full name to be joined to, each judged by the rule: those
    queued (every one with ``everything``), not aliased yet. Counting articles reads
    article_names once, and only when there is such a surname."""
    wanted = None if everything else {key for (key,) in conn.execute("SELECT surname FROM surname_queue")}
    singles: dict[str, tuple[int, str]] = {}
    full: dict[str, list[tuple[int, str]]] = {}
    for (key, kind), (name_id, shown) in name_ids.by_key.items():
        if kind != "person":
            continue
        if " " not in key:
            if (wanted is None or key in wanted) and (key, kind) not in name_ids.aliases:
                singles[key] = (name_id, shown)
        elif (surname := surname_key(shown)) and (wanted is None or surname in wanted):
            full.setdefault(surname, []).append((name_id, shown))
    singles = {key: single for key, single in singles.items() if key in full}
    if not singles:
        return []
    others = {key: [found[0] for kind in ("organization", "place")
                    if (found := name_ids.by_key.get((key, kind)))] for key in singles}
    counted = _articles(conn, [i for key, (i, _) in singles.items()]
                        + [i for key in singles for i, _ in full[key]] + [i for ids in others.values() for i in ids])
    judged = []
    for key, (single_id, shown) in sorted(singles.items()):
        articles = counted.get(single_id, 0)
        candidates = tuple(sorted(((name, i, counted.get(i, 0)) for i, name in full[key] if counted.get(i)),
                                  key=lambda c: (-c[2], c[0])))
        if not articles or not candidates:
            continue
        judged.append(Judgement(shown, single_id, articles, candidates,
                                _refusal(shown, articles, candidates, sum(counted.get(i, 0) for i in others[key]))))
    return _misspellings(conn, name_ids, judged)


def _misspellings(conn: sqlite3.Connection, name_ids: NameIds, judged: list[Judgement]) -> list[Judgement]:
    """Refuse the joins whose surname is one letter away from a surname in MISSPELLING_FACTOR times
    their articles (the surname alone and its full name's): a misspelling of that one. Reads the
    names again, and article_names once more, only when some join is about to be made."""
    accepted = {name_key(j.surname, "person")[0]: j for j in judged if j.refused is None}
    if not accepted:
        return judged
    near: dict[str, list[int]] = {key: [] for key in accepted}
    by_length: dict[int, list[str]] = {}
    for key in accepted:
        for length in (len(key) - 1, len(key), len(key) + 1):
            by_length.setdefault(length, []).append(key)
    for (key, kind), (name_id, shown) in name_ids.by_key.items():
        surname = (key if " " not in key else surname_key(shown)) if kind == "person" else None
        for wanted in by_length.get(len(surname), ()) if surname else ():
            if _one_letter_apart(surname, wanted):
                near[wanted].append(name_id)
    if not any(near.values()):
        return judged
    counted = _articles(conn, [i for ids in near.values() for i in ids])
    refused = {}
    for key, j in accepted.items():
        found = sum(counted.get(i, 0) for i in near[key])
        if found >= MISSPELLING_FACTOR * (j.articles + j.full[0][2]):
            refused[j.surname_id] = f"a surname one letter away is in {found} articles"
    return [j._replace(refused=refused[j.surname_id]) if j.surname_id in refused else j for j in judged]


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether one letter added, dropped or changed makes ``a`` of ``b`` ("regan", "reagan")."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    at = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    return a[at + (len(a) == len(b)):] == b[at + 1:]


def _key_of(name: str) -> str | None:
    words = name.split()
    return name_key(name, "person")[0] if len(words) == 1 else surname_key(name)


def _refusal(surname: str, articles: int, candidates: tuple[tuple[str, int, int], ...], other_kinds: int) -> str | None:
    why = _not_a_surname(surname)
    if why:
        return why
    if other_kinds > MAX_OTHER_KINDS * articles:
        return f"as an organisation or place in {other_kinds} articles"
    name, _, top = candidates[0]
    if top < MIN_FULL_ARTICLES:
        return f"{name} is in only {top} articles"
    rival = next((c for c in candidates[1:] if c[2] > MAX_RIVAL_ARTICLES), None)
    if rival:
        return f"{rival[0]} is in {rival[2]} articles"
    total = sum(c[2] for c in candidates)
    if top < MIN_SHARE * total:
        return f"{name} has {top} of the {total} articles of full names"
    return None


def _articles(conn: sqlite3.Connection, ids: list[int]) -> dict[int, int]:
    """How many articles mention each name of ``ids``: one pass over article_names (no index on name_id)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS counted_names (id INTEGER PRIMARY KEY)")
    try:
        conn.executemany("INSERT OR IGNORE INTO counted_names VALUES (?)", [(i,) for i in ids])
        return dict(conn.execute("SELECT name_id, count(*) FROM article_names"
                                 " WHERE name_id IN (SELECT id FROM counted_names) GROUP BY name_id"))
    finally:
        conn.execute("DROP TABLE temp.counted_names")


def join_surnames(conn: sqlite3.Connection, name_ids: NameIds, everything: bool = False,
                  now: str | None = None) -> list[Judgement]:
    """Judge the surnames alone (see judge) and join those the rule accepts to their full name, for
    good; return every judgement, joined or refused. Inside the caller's transaction."""
    from .store import move_names, utc_now

    judged = judge(conn, name_ids, everything)
    joins = [j for j in judged if j.refused is None]
    if joins:
        now = now or utc_now()
        move_names(conn, [(j.surname_id, j.full[0][1]) for j in joins])
        conn.executemany(
            "INSERT OR REPLACE INTO name_aliases (alias, kind, spelled, name_id, old_id, articles, joined_at)"
            " VALUES (?, 'person', ?, ?, ?, ?, ?)",
            [(name_key(j.surname, "person")[0], j.surname, j.full[0][1], j.surname_id, j.articles, now)
             for j in joins])
        for j in joins:
            name_ids.alias(name_key(j.surname, "person"), j.full[0][1])
    conn.execute("DELETE FROM surname_queue")
    return judged


def key_again(conn: sqlite3.Connection) -> None:
    """Key the aliases and the queued surnames by name_key as it is now (an archive older than
    version 10 keyed "Núñez" apart from "Nunez"). Two aliases that are now one key keep the one of
    the more articles: the other's entry is already joined, its id a redirect. Inside the caller's
    transaction."""
    try:
        aliases = conn.execute("SELECT alias, kind, spelled, name_id, old_id, articles, joined_at FROM name_aliases"
                               " ORDER BY articles DESC, joined_at, alias").fetchall()
        queued = [key for (key,) in conn.execute("SELECT surname FROM surname_queue")]
    except sqlite3.OperationalError:  # an archive older than aliases: join_surnames makes them
        return
    kept: dict[tuple[str, str], tuple] = {}
    for alias, kind, spelled, *rest in aliases:
        kept.setdefault((name_key(spelled, kind)[0], kind), (spelled, *rest))
    conn.execute("DELETE FROM name_aliases")
    conn.executemany("INSERT INTO name_aliases (alias, kind, spelled, name_id, old_id, articles, joined_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", [(*key, *row) for key, row in kept.items()])
    conn.execute("DELETE FROM surname_queue")
    conn.executemany("INSERT OR IGNORE INTO surname_queue (surname) VALUES (?)",
                     [(name_key(key, "person")[0],) for key in queued])


def aliases_of(conn: sqlite3.Connection, name_id: int) -> list[dict]:
    """The surnames alone counted for name ``name_id`` ({"spelled", "articles" when joined}), for its page."""
    try:
        rows = conn.execute("SELECT spelled, articles FROM name_aliases WHERE name_id = ? ORDER BY spelled",
                            (name_id,)).fetchall()
    except sqlite3.OperationalError:  # an archive made before aliases
        return []
    return [{"spelled": spelled, "articles": articles} for spelled, articles in rows]


def alias_of(conn: sqlite3.Connection, text: str, kind: str | None = None) -> int | None:
    """The name a surname alone written ``text`` is counted for, if the archive joined it."""
    if kind not in (None, "person"):
        return None
    try:
        found = conn.execute("SELECT name_id FROM name_aliases WHERE alias = ? AND kind = 'person'",
                             (name_key(" ".join(text.split()), "person")[0],)).fetchone()
    except sqlite3.OperationalError:
        return None
    return found[0] if found else None

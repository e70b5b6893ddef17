"""The reading room's pages. Each view reads request parameters, asks the
library for data (on Datasette's read-only connection, under its SQL time
limit) and renders a template. No view writes to the archive."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import re
import sqlite3
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from urllib.parse import urlencode

from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import AsgiStream, Response

from .. import browse, compare, concordance, export, search, store, words
from ..matches import MAX_PAGE, past_the_last
from ..parse import DateError, parse_date_bound
from ..query import MAX_QUERY_CHARS, parse_query
from .. import search_index
from ..search_index import IndexUnavailable, SearchIndex
from ..store import archive_id, connect_readonly
from . import atom
from .charts import comparison_svg, legend_swatch, period_label, timeline_svg

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# Request limits (README, "Exposing the server"). Our pages answer 503 after
# VIEW_TIME_LIMIT_SECONDS (their SQL stops after sql_time_limit_ms anyway), and
# at most MAX_EXPORTS streamed exports run at once; more get 503 and Retry-After.
VIEW_TIME_LIMIT_SECONDS = 20.0
MAX_EXPORTS = 4
# An export whose reader takes nothing for this long is stopped: four clients that connected and
# never read held every export's place for as long as they stayed connected. (The tests shorten it.)
def _stall_seconds(text: str | None, default: float = 60.0) -> float:
    """NEWS_ARCHIVE_EXPORT_STALL_SECONDS, or the default when unset or not a number of seconds above 0: plain
    `datasette` loads this plugin without `serve`'s check of it, and must not fail to start over it."""
    try:
        seconds = float(text) if text else default
    except ValueError:
        return default
    return seconds if 0 < seconds < float("inf") else default


EXPORT_STALL_SECONDS = _stall_seconds(os.environ.get("NEWS_ARCHIVE_EXPORT_STALL_SECONDS"))
TOO_SLOW = "That request took too long and was stopped. Try a narrower search or a shorter date range."
MAX_NAME_FILTERS = 5
logger = logging.getLogger("news_archive.web")
FEED_SIZE = 50


class ArchiveMissing(Exception):
    pass


class BadRequest(Exception):
    pass


class ArchiveOutdated(Exception):
    pass


OUTDATED = ("This archive was made by an older news-archive, and its tables are not what these pages read."
            " Run news-archive ingest, news-archive analyse or news-archive serve on it once to bring it up"
            " to date (the server itself never writes to it). Datasette's own table pages show it as it is.")


async def outdated_answer(datasette, request, wants_json: bool) -> Response:
    """The answer of an archive that needs an upgrade: JSON, or a page whose links go where something
    answers (Datasette's tables of it, the help), not to the front page, which says the same."""
    if wants_json:
        return json_response({"ok": False, "error": OUTDATED, "status": 503}, 503)
    try:
        tables = datasette.urls.database(archive_database(datasette).name)
    except ArchiveMissing:
        tables = datasette.urls.path("/")
    return await render(datasette, request, "news_error.html", {
        "status": 503, "title": "Archive needs an upgrade", "message": OUTDATED,
        "elsewhere": [(tables, "Datasette's tables of the archive"), (datasette.urls.path("/help"), "the help")],
    }, status=503)


async def archive_outdated(datasette) -> bool:
    """Whether an older news-archive made the archive (plain `datasette` serves it as it is; `serve`
    brings it up to date first). Its pages would read tables and columns it lacks, or names not yet
    joined, so they say so instead. Once up to date an archive stays so: it is not asked again."""
    db = archive_database(datasette)
    if getattr(datasette, "_news_archive_current", None) == db.path:
        return False
    outdated = await run(datasette, store.schema_outdated)
    if not outdated:
        datasette._news_archive_current = db.path
    return outdated


def archive_database(datasette):
    """The first attached database that is a news archive."""
    cached = getattr(datasette, "_news_archive_db", None)
    if cached and cached in datasette.databases:
        return datasette.databases[cached]
    for name, db in datasette.databases.items():
        if name.startswith("_") or db.is_memory:
            continue
        try:
            conn = connect_readonly(db.path)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        if {"articles", "articles_fts"} <= tables:
            datasette._news_archive_db = name
            return db
    raise ArchiveMissing()


INDEX_RETRY_SECONDS = 10.0


def ranked_index(datasette) -> SearchIndex | None:
    """The tantivy index beside the archive, or None (search falls back to FTS5): when it is
    missing or damaged, built for another database, holding articles the archive does not (an
    older copy of the database put back), or lagging behind the archive (it would miss articles).
    A missing index is looked for again every few seconds (an ingest may be building it); the
    rest is checked at most once a second, on a connection of its own, reading only."""
    db = archive_database(datasette)
    cached = getattr(datasette, "_news_archive_index", None)
    if cached and cached[0] == db.path and (cached[1] is not None or time.monotonic() - cached[2] < INDEX_RETRY_SECONDS):
        index = cached[1]
    else:
        damaged = getattr(datasette, "_news_archive_damaged", None)
        try:
            if damaged and damaged == (db.path, _meta_mtime(db.path)):
                raise IndexUnavailable("set aside", search_index.unreadable_note(search_index.index_path(db.path)))  # the files have not changed since
            index = SearchIndex.open(db.path)
            note = None
        except IndexUnavailable as error:
            index, note = None, error.note
        datasette._news_archive_index = (db.path, index, time.monotonic(), note)
    if index is None:
        return None
    checked = getattr(datasette, "_news_archive_lag", None)
    if checked is None or checked[0] is not index or time.monotonic() - checked[1] > 1.0:
        conn = connect_readonly(db.path)
        try:
            problem = search_index.index_problem(index, conn)
        finally:
            conn.close()
        checked = datasette._news_archive_lag = (index, time.monotonic(), problem)
    return None if checked[2] else index


def set_aside_ranked_index(datasette) -> None:
    """Stop using the ranked index, which could not be read, until its meta.json changes (an ingest
    that rebuilds or commits to it)."""
    db = archive_database(datasette)
    datasette._news_archive_index = (db.path, None, time.monotonic(),
                                     search_index.unreadable_note(search_index.index_path(db.path)))
    datasette._news_archive_damaged = (db.path, _meta_mtime(db.path))


def _meta_mtime(db_path: str) -> int:
    try:
        return (search_index.index_path(db_path) / "meta.json").stat().st_mtime_ns
    except OSError:
        return 0


def index_note(datasette) -> str:
    """Why searches are not using the fast index (ranked_index gave None)."""
    cached = getattr(datasette, "_news_archive_index", None)
    if cached and cached[1] is None:
        return cached[3] or search_index.MISSING_NOTE
    lag = getattr(datasette, "_news_archive_lag", None)
    return (lag[2] if lag and lag[2] else None) or search_index.MISSING_NOTE


async def run(datasette, fn, *args, time_limit_ms: int | None = None, **kwargs):
    """Run ``fn(conn, ...)`` on a read-only archive connection, within the SQL time limit."""
    db = archive_database(datasette)
    limit = time_limit_ms or datasette.setting("sql_time_limit_ms")

    def call(conn):
        with sqlite_timelimit(conn, limit):
            return fn(conn, *args, **kwargs)

    return await db.execute_fn(call)


# --- URLs and rendering -----------------------------------------------------------------


def make_url(datasette, path: str, **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    url = datasette.urls.path(path)
    return url + ("?" + urlencode(clean, doseq=True) if clean else "")


async def render(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    db = None
    try:
        db = archive_database(datasette)
    except ArchiveMissing:
        pass
    base = {
        "url": lambda path, **params: make_url(datasette, path, **params),
        "static": lambda name: datasette.urls.static_plugins("news_archive", name),
        "data_url": datasette.urls.table(db.name, "articles") if db else datasette.urls.instance(),
        "sql_url": datasette.urls.database(db.name) if db else datasette.urls.instance(),
        "period_label": period_label,
        "moment": moment_label,
        "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
        "here": request.path if request is not None else "",
        "max_query_chars": MAX_QUERY_CHARS,
        "site_title": site_title(datasette),
    }
    html = await datasette.render_template(template, {**base, **context}, request=request)
    return Response.html(html, status=status, headers=dict(SECURITY_HEADERS))


def site_title(datasette) -> str:
    """What the pages call the archive: the title of Datasette's metadata (`-m`), if one is given."""
    title = datasette.metadata("title")
    return title.strip() if isinstance(title, str) and title.strip() else "News archive"


def moment_label(iso: str | None) -> str:
    """A stored UTC time ("2026-12-07T15:05:38Z") as pages say it: "7 Dec 2026, 15:05 UTC"."""
    if not iso or len(iso) < 16:
        return iso or "?"
    return f"{period_label(iso[:10], 'day')}, {iso[11:16]} UTC"


async def error_page(datasette, request, status: int, title: str, message: str) -> Response:
    return await render(datasette, request, "news_error.html", {"status": status, "title": title, "message": message},
                        status=status)


def asks_for_data(path: str) -> bool:
    """Whether an address asks for data (JSON, NDJSON, CSV, Atom) rather than a page: a program reads
    it, so its errors are answered in JSON, ``{"ok": false, "error": ..., "status": ...}``."""
    return path.endswith((".json", ".ndjson", ".csv", ".atom"))


def json_response(data, status: int = 200) -> Response:
    if isinstance(data, dict) and data.get("ok") is False:
        # Every refusal at a data address has the same shape: {"ok": false, "error": ..., "status": ...}.
        data = {**data, "status": status}
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        # No CORS header: another web site open in the same browser must not read a private archive
        # (Datasette's own JSON sends none either, unless served with --cors).
        headers={"x-content-type-options": "nosniff"},
    )


# What each page shows comes from these tables of the archive: a page is shown to those Datasette lets
# view every one of them. Names and quotations are found in the articles' text (an article page shows
# them too), so the tables they fill follow the articles', and their own directories need their own.
READS_ARTICLES = ("articles",)
READS_NAMES = ("articles", "names")
READS_QUOTES = ("articles", "quotes")


async def ensure_allowed(datasette, request, tables: tuple[str, ...]) -> None:
    """Raise Forbidden unless Datasette's permissions let this request's actor view these tables of
    the archive, checked as Datasette checks its own table pages: view-table, else view-database,
    else view-instance decides (metadata "allow" blocks, or any permission plugin). A page of no
    table (the help) needs view-instance only."""
    from datasette.utils.asgi import Forbidden

    try:
        db = archive_database(datasette) if tables else None
    except ArchiveMissing:
        await datasette.ensure_permissions(request.actor, ["view-instance"])  # say "no archive" to visitors only
        raise
    if db is None:
        await datasette.ensure_permissions(request.actor, ["view-instance"])
        return
    for table in tables:
        try:
            await datasette.ensure_permissions(
                request.actor, [("view-table", (db.name, table)), ("view-database", db.name), "view-instance"])
        except Forbidden:
            raise Forbidden(f"You do not have permission to view this archive ({table})") from None


async def may_view(datasette, request, table: str) -> bool:
    """Whether Datasette lets this request's actor view a table of the archive that a page shows a part of."""
    from datasette.utils.asgi import Forbidden

    try:
        await ensure_allowed(datasette, request, (table,))
    except Forbidden:
        return False
    return True


def guarded(view=None, *, tables: tuple[str, ...] = READS_ARTICLES):
    """Answer only those Datasette's permissions let see ``tables`` (see ensure_allowed), and turn the
    failures a visitor can cause into clear pages instead of 500s."""
    if view is None:
        return lambda view: guarded(view, tables=tables)
    from datasette.utils.asgi import Forbidden

    async def wrapper(request, datasette):
        wants_json = asks_for_data(request.path)
        try:
            await ensure_allowed(datasette, request, tables)
        except ArchiveMissing:
            pass  # said below, as every view would
        except Forbidden as refused:
            if wants_json:  # Datasette answers its own JSON pages' refusals in HTML; data asked for gets data
                return json_response({"ok": False, "error": str(refused), "status": 403}, 403)
            raise  # Datasette's forbidden page, or a login page of an authentication plugin (its forbidden hook)
        try:
            if tables and await archive_outdated(datasette):
                raise ArchiveOutdated()
            try:
                return await asyncio.wait_for(view(request, datasette), VIEW_TIME_LIMIT_SECONDS)
            except search_index.IndexDamaged as error:
                # The ranked index cannot be read: put it aside until its files change, and answer
                # again with SQLite's full-text index (the page says so).
                logger.warning("the ranked index cannot be read (%s): searches use SQLite until it changes", error)
                set_aside_ranked_index(datasette)
                return await asyncio.wait_for(view(request, datasette), VIEW_TIME_LIMIT_SECONDS)
        except TimeoutError:
            logger.warning("stopped %s after %.0f s", request.path, VIEW_TIME_LIMIT_SECONDS)
            if wants_json:
                return json_response({"ok": False, "error": TOO_SLOW}, 503)
            return await error_page(datasette, request, 503, "Too slow", TOO_SLOW)
        except ArchiveMissing:
            message = "No news archive database is attached. Run `news-archive ingest PATH` and then `news-archive serve`."
            if wants_json:
                return json_response({"ok": False, "error": message}, 503)
            return await error_page(datasette, request, 503, "No archive yet", message)
        except BadRequest as error:
            if wants_json:
                return json_response({"ok": False, "error": str(error)}, 400)
            return await error_page(datasette, request, 400, "Bad request", str(error))
        except ArchiveOutdated:
            return await outdated_answer(datasette, request, wants_json)
        except sqlite3.OperationalError as error:
            if str(error).startswith(("no such table", "no such column")):
                return await outdated_answer(datasette, request, wants_json)
            if "interrupted" in str(error):
                if wants_json:
                    return json_response({"ok": False, "error": TOO_SLOW}, 503)
                return await error_page(datasette, request, 503, "Too slow", TOO_SLOW)
            raise
        except Exception as error:
            logger.exception("error serving %s", request.path)
            error.in_our_view = True  # a bug of ours, not a parameter of Datasette's (see handle_exception)
            raise

    wrapper.__name__ = view.__name__
    return wrapper


# --- request parameters -----------------------------------------------------------------


@dataclass
class SearchParams:
    q: str = ""
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    page: int = 1
    share: bool = False
    names: list[int] = field(default_factory=list)
    chosen: list[dict] = field(default_factory=list)  # the names of ``names`` (id, name, kind), once resolved
    problems: list[str] = field(default_factory=list)  # notes for the reader
    ignored: list[str] = field(default_factory=list)  # what was wrong in the parameters that were left out

    @classmethod
    def from_request(cls, request) -> "SearchParams":
        args = request.args
        params = cls(q=(args.get("q") or "")[: MAX_QUERY_CHARS * 2])
        params.since, params.until = _read_dates(args, params.problems, params.ignored)
        sort = args.get("sort") or ("relevance" if params.q.strip() else "newest")
        if sort not in search.SORTS:
            params.ignore(f"the sort {sort[:20]!r} is not one of {', '.join(search.SORTS)}")
            sort = "relevance" if params.q.strip() else "newest"
        params.sort = sort
        params.page = page_number(args.get("page"), params.problems)
        params.share = args.get("timeline") == "share"
        for value in args.getlist("name")[:MAX_NAME_FILTERS * 4]:
            name_id = name_id_of(value)
            if name_id is None:
                params.ignore(not_a_name_id(value))
            elif name_id in params.names:
                continue
            elif len(params.names) < MAX_NAME_FILTERS:
                params.names.append(name_id)
            else:
                params.ignore(f"name {value} is one name more than the {MAX_NAME_FILTERS} a search can narrow by")
        return params

    def ignore(self, what: str, advice: str = "") -> None:
        self.ignored.append(what + advice)
        self.problems.append(f"{what}, so it was ignored{advice}")

    def article_link_params(self, page: int) -> dict:
        """What a result's link carries to its article: the words to mark, and this page of this
        search to lead back to."""
        return self.url_params(q=self.q.strip()[:MAX_QUERY_CHARS] or None, page=page if page > 1 else None)

    def url_params(self, **changes) -> dict:
        current = {"q": self.q, "since": self.since, "until": self.until,
                   "sort": self.sort if self.sort != ("relevance" if self.q.strip() else "newest") else None,
                   "timeline": "share" if self.share else None, "name": self.names or None}
        current.update(changes)
        return current


def name_id_of(value: str) -> int | None:
    """A ?name= value as a name id, or None when it is not one."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def not_a_name_id(value: str) -> str:
    return f"name {value[:20]!r} is not a name id"


async def _search_params(request, datasette) -> SearchParams:
    """The search a request asks for, its name ids as the archive now knows them: a
    name joined into another (schema upgrades do that) is followed, an id of no name
    is left out with a note."""
    params = SearchParams.from_request(request)
    if params.names:
        params.chosen, unknown = await run(datasette, browse.resolve_names, params.names)
        params.names = [name["id"] for name in params.chosen]
        for name_id in unknown:
            params.ignore(f"there is no name {name_id} in this archive")
    return params


def _period_bounds(period: str, unit: str) -> tuple[str, str]:
    if unit == "week":
        start = Date.fromisoformat(period)
        return period, Date.fromordinal(start.toordinal() + 6).isoformat()
    if unit == "day":
        return period, period
    return parse_date_bound(period), parse_date_bound(period, end=True)


# --- search --------------------------------------------------------------------------------


async def _run_search(datasette, params: SearchParams) -> search.SearchResult:
    index = ranked_index(datasette)
    result = await run(datasette, search.search, params.q, since=params.since, until=params.until, sort=params.sort,
                       page=params.page, index=index, names=params.names)
    if index is None:
        result.notes.append(index_note(datasette))
    return result


def _result_json(datasette, request, params: SearchParams, result: search.SearchResult) -> dict:
    article_base = datasette.absolute_url(request, datasette.urls.path("/article/"))  # once, not per hit
    return {
        "query": params.q,
        "understood": result.query.describe(),
        "notes": params.problems + result.notes,
        "since": params.since,
        "until": params.until,
        "sort": result.sort,
        "total": result.total,
        "stories": result.stories,
        "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "results": [
            {
                "id": hit.id,
                "date": hit.date,
                "headline": hit.headline,
                "snippet": hit.snippet_html(),
                "source": hit.source,
                "url": f"{article_base}{hit.id}",
                "similar_versions": hit.similar_versions,
            }
            for hit in result.hits
        ],
        "names": _names_json(params.chosen),
        "names_sample": result.names_sample or None,
        "folded": result.folded,
        "timeline_unit": result.timeline_unit,
        "timeline": result.timeline,
        "facets": result.facets,
    }


def _names_json(chosen: list[dict]) -> list[dict]:
    """The names a search was narrowed to, as compare.json gives them: an id alone says nothing to a script."""
    return [{"id": name["id"], "name": name["name"], "kind": name["kind"]} for name in chosen]


async def _search_and_words(datasette, params: SearchParams) -> tuple[search.SearchResult, words.StandingOut]:
    """The search and the words that stand out in its matches, side by side on two of Datasette's
    threads: the words read their own sample of the best matches, so neither waits for the other."""
    standing_out = run(datasette, words.standing_out, ranked_index(datasette), parse_query(params.q), params.since,
                       params.until, params.names, leave_out=[name["name"] for name in params.chosen])
    return await asyncio.gather(_run_search(datasette, params), standing_out)


@guarded
async def search_json(request, datasette):
    params = await _search_params(request, datasette)
    # Only when asked: they read a sample of the matches, more than a page of results costs.
    if request.args.get("words") in ("1", "on", "true"):
        result, found = await _search_and_words(datasette, params)
        data = _result_json(datasette, request, params, result)
        data["words"] = found.as_json()
        return json_response(data)
    result = await _run_search(datasette, params)
    return json_response(_result_json(datasette, request, params, result))


@guarded
async def search_page(request, datasette):
    params = await _search_params(request, datasette)
    result, standing_out = await _search_and_words(datasette, params)

    def within(since: str, until: str) -> dict:
        """URL parameters for a period, kept inside the dates already asked for: the count
        shown beside a bar or facet is the count its link gives."""
        return params.url_params(since=max(since, params.since or since), until=min(until, params.until or until),
                                 page=None)

    def narrow(period: str) -> str:
        return make_url(datasette, "/search", **within(*_period_bounds(period, result.timeline_unit)))

    chart = timeline_svg(
        result.timeline, unit=result.timeline_unit, share=params.share, link=narrow,
        label=f"Matches per {result.timeline_unit}" + (" as a share of all articles" if params.share else ""),
    )
    def period_facet(facet: dict) -> dict:
        bounds = within(parse_date_bound(facet["value"]), parse_date_bound(facet["value"], end=True))
        # A period that holds every date asked for is what is chosen already: shown as such, not as a link to itself.
        return {**facet, "url": make_url(datasette, "/search", **bounds),
                "current": (bounds["since"], bounds["until"]) == (params.since, params.until)}

    facet_links = {
        "year": [period_facet(f) for f in result.facets.get("year", [])],
        "month": [{**period_facet(f), "label": period_label(f["value"], "month")}
                  for f in result.facets.get("month", [])],
        "names": [
            {**f, "url": make_url(datasette, "/search", **params.url_params(name=params.names + [f["value"]], page=None))}
            for f in result.facets.get("names", []) if f["value"] not in params.names
        ],
    }
    active_names = [
        {**n, "remove_url": make_url(datasette, "/search", **params.url_params(
            name=[i for i in params.names if i != n["id"]] or None, page=None))}
        for n in params.chosen
    ]
    here = params.url_params()
    formats = {
        "json": make_url(datasette, "/search.json", **here, page=result.page if result.page > 1 else None),
        "ndjson": make_url(datasette, "/search.ndjson", **here),
        "csv": make_url(datasette, "/search.csv", **here),
        # A seed chosen now: the link draws the same sample each time it is followed.
        # A sample is in date order: the page's when it is sorted by date, else the oldest first.
        "sample_csv": make_url(datasette, "/search.csv",
                               **{**here, "sort": None if here["sort"] == "relevance" else here["sort"]}, sample=100,
                               seed=secrets.randbelow(1_000_000)),
        "atom": make_url(datasette, "/search.atom", **here),
    }
    kept = params.url_params(q=None, since=None, until=None, page=None)
    for found in standing_out.words:
        # A word that stands out, added to the search: the stories that share it.
        # Added to the search as understood (a quote left open is closed, words left out stay out).
        found["url"] = make_url(datasette, "/search", **params.url_params(
            q=f"{result.query.describe()} {found['word']}".strip(), page=None))
    return await render(datasette, request, "news_search.html", {
        "standing_out": standing_out,
        "params": params,
        "empty_archive": not result.total and await run(datasette, browse.archive_is_empty),
        # An article opened from the results marks the words searched for, and leads back to
        # this very page of this search (names, dates, order and all).
        "search_state": params.article_link_params(result.page),
        "keep_fields": [(field, value) for field, values in kept.items() if values is not None
                        for value in (values if isinstance(values, list) else [values])],
        "result": result,
        "hits": [{"hit": h, "snippet": h.snippet_html()} for h in result.hits],
        "notes": params.problems + result.notes,
        "chart": chart,
        "facets": facet_links,
        "active_names": active_names,
        "formats": formats,
        "page_url": lambda page: make_url(datasette, "/search", **params.url_params(page=page if page > 1 else None)),
        "sort_url": lambda sort: make_url(datasette, "/search", **params.url_params(sort=sort, page=None)),
        "share_url": lambda share: make_url(datasette, "/search", **params.url_params(timeline="share" if share else None)),
        "clear_dates_url": make_url(datasette, "/search", **params.url_params(since=None, until=None, page=None)),
        "compare_url": _compare_url(datasette, params, result),
        # Its words in every line they occur in, articles read oldest first as a concordance reads them.
        "concordance_url": make_url(datasette, "/concordance", q=params.q.strip(), since=params.since,
                                    until=params.until, name=params.names or None) if result.query.terms() else None,
        "page_numbers": _page_numbers(result.page, result.pages),
    })


def _compare_url(datasette, params: SearchParams, result: search.SearchResult) -> str | None:
    """The comparison this search can start: its words, or its one name; none for words narrowed by
    names (a comparison's lines are searches or names, not both at once), so its numbers are this page's."""
    share = "share" if params.share else None
    if not result.query.is_empty and not params.names:
        return make_url(datasette, "/compare", q=[params.q.strip(), ""], since=params.since, until=params.until,
                        timeline=share)
    if result.query.is_empty and not params.q.strip() and len(params.names) == 1:
        return make_url(datasette, "/compare", name=params.names, q="", since=params.since, until=params.until,
                        timeline=share)
    return None


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show: first, last, and a window around the current page; None is a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and number - (shown[-1] or 0) > 1:
            shown.append(None)
        shown.append(number)
    return shown


@guarded
async def search_export(request, datasette):
    """/search.ndjson and /search.csv: every match, streamed, with full bodies."""
    fmt = request.url_vars["format"]
    params = await _search_params(request, datasette)
    if params.ignored:
        # An export is kept and passed on: rather refuse than export another search than asked for.
        raise BadRequest("cannot export this search: " + "; ".join(params.ignored))
    size, seed = _sample_args(request)
    db = archive_database(datasette)
    index = ranked_index(datasette)
    # The page's order: by relevance, best first, when there is a query to rank by; without one
    # the page (and so its export, and the header naming it) shows the newest first. A sample
    # is in date order.
    sort = params.sort if params.sort != "relevance" or parse_query(params.q).text.strip() else "newest"
    if size is not None and sort == "relevance":
        sort = "oldest"
    page = datasette.absolute_url(request, make_url(datasette, "/search", **params.url_params(sort=sort, page=None)))
    if size is not None:
        # The address of the export itself, seed included: it draws this very sample again.
        page = datasette.absolute_url(request, make_url(datasette, f"/search.{fmt}", **params.url_params(
            sort=sort if sort != "oldest" else None, page=None), sample=size, seed=seed))

    def rows(conn):
        if size is not None:
            drawn, _ = search.sample_ids(conn, params.q, size, seed, since=params.since, until=params.until, sort=sort,
                                         index=index, names=params.names)
            return search.articles_in_order(conn, drawn, as_json=fmt == "ndjson")
        return search.iter_matches(conn, params.q, since=params.since, until=params.until, sort=sort,
                                   index=index, as_json=fmt == "ndjson", names=params.names)

    notes = [*params.problems, *parse_query(params.q).notes, *([index_note(datasette)] if index is None else [])]
    return _streamed_export(datasette, request, db.path, fmt, "search", page, rows, search.EXPORT_COLUMNS, notes)


def _sample_args(request) -> tuple[int | None, int | None]:
    """?sample=N (a random sample of N matches) and ?seed=S (its draw; a new one when not given)."""
    size_text, seed_text = request.args.get("sample"), request.args.get("seed")
    if not size_text:
        if seed_text:
            raise BadRequest("cannot export this search: seed chooses a sample's draw, and no sample=N was asked for")
        return None, None
    if not (size_text.isascii() and size_text.isdigit() and 1 <= int(size_text[:8]) <= search.MAX_SAMPLE
            and len(size_text) <= 7):
        raise BadRequest(f"cannot export this search: sample {size_text[:20]!r} is not a number of articles from 1 to"
                         f" {search.MAX_SAMPLE:,}")
    # Any seed `export --seed` takes (0 to 2**63 - 1), so that a sample drawn there can be drawn here.
    if seed_text and not (seed_text.isascii() and seed_text.isdigit() and len(seed_text) <= 19
                          and int(seed_text) < 2**63):
        raise BadRequest(f"cannot export this search: seed {seed_text[:24]!r} is not a whole number from 0 to"
                         f" {2**63 - 1}")
    return int(size_text), int(seed_text) if seed_text else secrets.randbelow(1_000_000)


def _streamed_export(datasette, request, db_path: str, fmt: str, what: str, page: str, rows_of,
                     columns, notes: list[str] | tuple[str, ...] = ()) -> "Response":
    """Every row ``rows_of(conn)`` gives, as NDJSON or CSV, streamed from a thread of its own
    while the client reads; ``page`` is the address of the page exported (sent as provenance)."""
    content_type = "application/x-ndjson; charset=utf-8" if fmt == "ndjson" else "text/csv; charset=utf-8"
    # Provenance: a file name that says when, and headers that say what was asked for,
    # so that a saved export can be traced back to its page.
    exported_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    headers = {
        "x-content-type-options": "nosniff",
        "content-disposition": f'attachment; filename="news-archive-{what}-{exported_at.replace(":", "")}.{fmt}"',
        f"x-news-archive-{what}": page,
        "x-news-archive-exported-at": exported_at,
    }
    if notes:
        # What the page and its JSON say in their notes (the fast index missing, words ignored), which
        # an export's rows cannot: a JSON list, in ASCII as a header must be.
        headers["x-news-archive-notes"] = json.dumps(list(notes))
    running = getattr(datasette, "_news_archive_exports", 0)
    if running >= MAX_EXPORTS:
        busy = json_response({"ok": False, "error": f"{running} exports are running, as many as this server runs "
                                                    "at once: try again in a minute"}, 503)
        busy.headers["retry-after"] = "60"
        return busy
    datasette._news_archive_exports = running + 1

    def finished() -> None:
        datasette._news_archive_exports -= 1

    async def stream(writer):
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue(maxsize=8)
        stop = threading.Event()

        async def watch_for_disconnect():
            # The server silently drops what is sent to a client that has gone: stop producing for it.
            while (await request.receive())["type"] != "http.disconnect":
                pass
            stop.set()

        def produce():
            # Our own read-only connection: one cursor walks every match,
            # which Datasette's shared, time-limited connections cannot do.
            conn = connect_readonly(db_path)
            try:
                batch: list[str] = []
                for piece in export.chunks(rows_of(conn), fmt, columns):
                    batch.append(piece)
                    if len(batch) >= 200:
                        if stop.is_set():
                            return
                        asyncio.run_coroutine_threadsafe(queue.put("".join(batch)), loop).result()
                        batch = []
                if batch:
                    asyncio.run_coroutine_threadsafe(queue.put("".join(batch)), loop).result()
            except Exception as error:  # reported in-band: the response has already started
                asyncio.run_coroutine_threadsafe(queue.put(error), loop).result()
            finally:
                conn.close()
                asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

        thread = threading.Thread(target=produce, daemon=True)
        thread.start()
        watcher = asyncio.ensure_future(watch_for_disconnect())
        try:
            while True:
                piece = await queue.get()
                if piece is None:
                    break
                if isinstance(piece, Exception):
                    piece = f"\nerror: export stopped: {piece}\n"
                try:
                    await asyncio.wait_for(writer.write(piece), EXPORT_STALL_SECONDS)
                except TimeoutError:
                    raise _ReaderStalled(request.path) from None
        finally:
            stop.set()
            watcher.cancel()
            while thread.is_alive():  # let the producer finish its last put
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    await asyncio.sleep(0.01)

    return _ExportStream(stream, headers=headers, content_type=content_type, finished=finished)


class _ReaderStalled(Exception):
    pass


class _ExportStream(AsgiStream):
    """A streamed export that gives back its place among the MAX_EXPORTS however it ends."""

    def __init__(self, *args, finished, **kwargs):
        super().__init__(*args, **kwargs)
        self.finished = finished

    async def asgi_send(self, send):
        try:
            await super().asgi_send(send)
        except _ReaderStalled as stalled:
            # Returning with the answer unfinished makes the server close the connection.
            logger.warning("stopped the export %s: its reader took nothing for %.0f s", stalled, EXPORT_STALL_SECONDS)
        finally:
            self.finished()


@guarded
async def search_atom(request, datasette):
    params = await _search_params(request, datasette)
    if params.ignored:
        # A feed is subscribed to and read unattended: rather refuse than follow another search than asked for.
        raise BadRequest("cannot make a feed of this search: " + "; ".join(params.ignored))
    params.sort, params.page = "newest", 1
    result = await run(datasette, search.search, params.q, since=params.since, until=params.until, sort="newest",
                       per_page=FEED_SIZE, with_timeline=False, with_facets=False, index=ranked_index(datasette),
                       names=params.names)
    page_url = datasette.absolute_url(request, make_url(datasette, "/search", **params.url_params(sort=None)))
    mentioning = f" mentioning {' and '.join(n['name'] for n in params.chosen)}" if params.chosen else ""
    dates = (f" from {params.since}" if params.since else "") + (f" to {params.until}" if params.until else "")
    feed = atom.feed(
        title=f"{site_title(datasette)}: {result.query.describe() or 'latest articles'}{mentioning}{dates}",
        feed_url=datasette.absolute_url(request, request.full_path),
        page_url=page_url,
        archive=await run(datasette, archive_id),
        feed_path=make_url(datasette, "/search.atom", **params.url_params(sort=None)),
        entries=[
            {
                "id": hit.id,
                "url": datasette.absolute_url(request, datasette.urls.path(f"/article/{hit.id}")),
                "title": hit.headline,
                "date": hit.date,
                "summary": hit.snippet_text("", ""),
            }
            for hit in result.hits
        ],
    )
    return Response(feed, content_type="application/atom+xml; charset=utf-8",
                    headers={"x-content-type-options": "nosniff"})


# --- home and date archive ---------------------------------------------------------------------


async def _home(datasette) -> tuple[dict, list[dict], dict]:
    summary = await run(datasette, browse.overview, ranked_index(datasette))
    latest = await run(datasette, browse.latest, 8)
    named = await run(datasette, browse.most_named_by_kind, ranked_index(datasette))
    return summary, latest, named


@guarded
async def home_json(request, datasette):
    """/index.json: what the home page shows (the archive's span, articles per year and month, the
    latest articles, the most mentioned names of each kind)."""
    summary, latest, named = await _home(datasette)
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))
    return json_response({**summary, "latest": [{**row, "url": f"{base}{row['id']}"} for row in latest],
                          "most_mentioned": named})


@guarded
async def home(request, datasette):
    summary, latest, named = await _home(datasette)
    chart, chart_unit, chart_points = _months_chart(
        [(p["period"], p["count"]) for p in summary["per_month"]], "Articles per {unit} in the whole archive",
        lambda period: make_url(datasette, f"/archive/{period[:4]}" + (f"/{period[5:7]}" if len(period) > 4 else "")),
    )
    today = Date.today()
    # Today's day of the year in every year of the archive, what was in the news on this day before:
    # linked only when the archive has articles of that day (an empty page is no anniversary).
    on_today = await run(datasette, browse.on_this_day, today.month, today.day, 1, 1)
    return await render(datasette, request, "news_home.html", {
        "today": {"path": f"/archive/on/{today.strftime('%m-%d')}", "label": f"{today.day} {today.strftime('%B')}",
                  "articles": on_today["total"]},
        "summary": summary, "latest": latest, "chart": chart, "chart_unit": chart_unit,
        "chart_points": chart_points, "named": named,
        "kinds": NAME_KINDS, "json_url": make_url(datasette, "/index.json"),
    })


def _months_chart(months: list[tuple[str, int]], label: str, link) -> tuple[str, str, list[dict]]:
    """A chart of counts per month ("YYYY-MM", count), gaps shown as zero; over twenty years a bar a
    year instead (a bar a month was hundreds of bars; a typo year of 1000 made twelve thousand).
    With its unit and its points, which the page also gives as a table."""
    points = _fill_months([{"period": m, "count": n, "all": n} for m, n in months])
    unit = "month"
    if len(points) > 20 * 12:
        unit, years = "year", {}
        for point in points:
            years[point["period"][:4]] = years.get(point["period"][:4], 0) + point["count"]
        points = [{"period": y, "count": years.get(y, 0), "all": years.get(y, 0)}
                  for y in search._fill([min(years), max(years)], "year")]
    return timeline_svg(points, unit=unit, link=link, label=label.format(unit=unit)), unit, points


def _fill_months(points: list[dict]) -> list[dict]:
    if not points:
        return points
    by_period = {p["period"]: p for p in points}
    periods = search._fill([points[0]["period"], points[-1]["period"]], "month")
    return [by_period.get(p, {"period": p, "count": 0, "all": 0}) for p in periods]


@guarded
async def archive_index(request, datasette):
    summary = await run(datasette, browse.overview)
    years: dict[int, list[dict]] = {}
    for point in summary["per_month"]:
        years.setdefault(int(point["period"][:4]), []).append(point)
    years_total = {year: sum(p["count"] for p in months) for year, months in years.items()}
    if _wants_json(request):
        return json_response({**summary, "years": [{"year": year, "count": count, "url": _absolute(
            datasette, request, f"/archive/{year}")} for year, count in years_total.items()]})
    return await render(datasette, request, "news_archive_index.html",
                        {"summary": summary, "years": years, "years_total": years_total,
                         "json_url": make_url(datasette, "/archive.json")})


def _page_arg(request, notes: list[str] | None = None) -> int:
    return page_number(request.args.get("page"), notes)


def page_number(value: str | None, notes: list[str] | None = None) -> int:
    """A ?page= value as a page number, read the same way on every page: ASCII digits only (not
    "1_0" nor "٣", which int() reads), cut to MAX_PAGE without converting them all (int() refuses
    over 4,300 digits). Anything else means the first page, said in ``notes`` when given."""
    if not value:
        return 1
    digits = value[1:] if value.startswith("-") else value
    if not (digits.isascii() and digits.isdigit()):
        note = f"page {value[:20]!r} is not a number: showing page 1"
    elif value.startswith("-") or not digits.strip("0"):
        note = "pages start at 1: showing page 1"
    else:
        significant = digits.lstrip("0")
        return MAX_PAGE if len(significant) > len(str(MAX_PAGE)) else min(int(significant), MAX_PAGE)
    if notes is not None:
        notes.append(note)
    return 1


def _past_the_last(asked: int, found: dict, notes: list[str]) -> None:
    if asked > found["page"] and found["total"]:
        notes.append(past_the_last(found["pages"]))


@guarded
async def archive_year(request, datasette):
    year = int(request.url_vars["year"])
    data = await run(datasette, browse.year_view, year)
    if not data["total"]:
        return await _missing(datasette, request, "Nothing from that year", f"The archive has no articles from {year}.")
    if _wants_json(request):
        return json_response(data)
    return await render(datasette, request, "news_year.html",
                        {"data": data, "json_url": make_url(datasette, f"/archive/{year}.json")})


@guarded
async def archive_month(request, datasette):
    year, month = int(request.url_vars["year"]), int(request.url_vars["month"])
    if not 1 <= month <= 12:
        return await _missing(datasette, request, "No such month", f"There is no month {month}.")
    notes: list[str] = []
    page = _page_arg(request, notes)
    data = await run(datasette, browse.month_view, year, month, page)
    if not data["total"]:
        return await _missing(datasette, request, "Nothing from that month",
                              f"The archive has no articles from {period_label(data['key'], 'month')}.")
    return await _dated_list(datasette, request, "news_month.html", f"/archive/{year:04d}/{month:02d}", data, page, notes)


@guarded
async def archive_day(request, datasette):
    year, month, day = (int(request.url_vars[k]) for k in ("year", "month", "day"))
    try:
        iso = Date(year, month, day).isoformat()
    except ValueError:
        return await _missing(datasette, request, "No such date", "That is not a real date.")
    notes: list[str] = []
    page = _page_arg(request, notes)
    data = await run(datasette, browse.day_view, iso, page)
    if not data["total"]:
        return await _missing(datasette, request, "Nothing on that day",
                              f"The archive has no articles from {period_label(iso, 'day')}.")
    return await _dated_list(datasette, request, "news_day.html", f"/archive/{iso.replace('-', '/')}", data, page, notes)


@guarded
async def on_this_day(request, datasette):
    """/archive/on/MM-DD: a calendar day in every year of the archive."""
    month, day = int(request.url_vars["month"]), int(request.url_vars["day"])
    try:
        shown = Date(2000, month, day)  # a leap year: 29 February is a day too
    except ValueError:
        return await _missing(datasette, request, "No such date", "That is not a day of the year.")
    notes: list[str] = []
    page = _page_arg(request, notes)
    data = await run(datasette, browse.on_this_day, month, day, page)
    data["label"] = f"{day} {shown.strftime('%B')}"
    previous = shown - timedelta(days=1) if (month, day) != (1, 1) else Date(2000, 12, 31)
    following = shown + timedelta(days=1) if (month, day) != (12, 31) else Date(2000, 1, 1)
    data["previous"], data["next"] = previous.strftime("%m-%d"), following.strftime("%m-%d")
    # The links name their days ("← 1 March"), not "the day before".
    data["previous_label"] = f"{previous.day} {previous.strftime('%B')}"
    data["next_label"] = f"{following.day} {following.strftime('%B')}"
    return await _dated_list(datasette, request, "news_on_this_day.html", f"/archive/on/{shown.strftime('%m-%d')}",
                             data, page, notes)


async def _dated_list(datasette, request, template: str, path: str, data: dict, asked: int, notes: list[str]) -> Response:
    """A month's or a day's page of articles (``data``), or its JSON: numbered pages, a note past the last."""
    _past_the_last(asked, data, notes)
    if _wants_json(request):
        return json_response(_with_urls(datasette, request, {**data, "notes": notes}))
    return await render(datasette, request, template, {
        "data": data, "notes": notes, "json_url": make_url(datasette, f"{path}.json", page=_later(data["page"])),
        "page_url": lambda number: make_url(datasette, path, page=_later(number)),
        "page_numbers": _page_numbers(data["page"], data["pages"])})


def _wants_json(request) -> bool:
    return request.path.endswith(".json")


def _later(page: int) -> int | None:
    return page if page > 1 else None


def _absolute(datasette, request, path: str) -> str:
    return datasette.absolute_url(request, datasette.urls.path(path))


def _with_urls(datasette, request, data: dict) -> dict:
    """A date page's data with the address of each article listed."""
    if "articles" in data:
        data["articles"] = [{**a, "url": _absolute(datasette, request, f"/article/{a['id']}")} for a in data["articles"]]
    return data


async def _missing(datasette, request, title: str, message: str) -> Response:
    if _wants_json(request):
        return json_response({"ok": False, "error": message}, 404)
    return await error_page(datasette, request, 404, title, message)


# --- articles ---------------------------------------------------------------------------------


async def _article(datasette, request, article_id: int) -> dict | None:
    index = ranked_index(datasette)

    def load(conn):
        row = browse.article(conn, article_id)
        if row is not None:
            row["related"] = browse.related(conn, row, index=index)
        return row

    row = await run(datasette, load)
    if row is not None and row["source_rejected"] and not await may_view(datasette, request, "rejects"):
        row["source_rejected"] = None  # why its file fails now is the rejects table's, which this visitor may not see
    return row


@guarded
async def article_page(request, datasette):
    article_id = int(request.url_vars["id"])
    row = await _article(datasette, request, article_id) if article_id < 2**63 else None
    if row is None:
        return await error_page(datasette, request, 404, "Article not found",
                                f"There is no article {article_id} in this archive.")
    db = archive_database(datasette)
    words = (request.args.get("q") or "")[:MAX_QUERY_CHARS]
    searched = _search_state(request)
    heading = {"kind": "headline", "text": row["headline"]}
    marked = _marked_blocks(datasette, [heading, *row["blocks"]], words) if words.strip() else None
    shown = marked or [{**b, "html": search.marked_html(b["text"] if b["kind"] == "table" else " ".join(b["text"].split()))}
                       for b in [heading, *row["blocks"]]]
    return await render(datasette, request, "news_article.html", {
        "article": row,
        "marked_words": parse_query(words).describe() if marked else None,
        "headline_html": shown[0]["html"],
        "blocks": shown[1:],
        "search_again": make_url(datasette, "/search", **searched) if searched else None,
        "json_url": make_url(datasette, f"/article/{article_id}.json"),
        "row_url": datasette.urls.row(db.name, "articles", str(article_id)),
        "row_json_url": datasette.urls.row(db.name, "articles", str(article_id)) + ".json",
    })


def _search_state(request) -> dict | None:
    """The search an article was opened from (as its result link carries it), to lead back to;
    None when it was not opened from one. Read as the search page reads it."""
    if not any(request.args.get(key) for key in ("q", "since", "until", "sort", "timeline", "name", "page")):
        return None
    params = SearchParams.from_request(request)
    return params.article_link_params(params.page)


def _marked_blocks(datasette, blocks: list[dict], words: str) -> list[dict] | None:
    """The article's blocks with the words of a search marked (as its snippets mark them), or None
    when nothing in it matches or there is no ranked index to say which word forms match."""
    index = ranked_index(datasette)
    if index is None:
        return None
    query = parse_query(words)
    pattern = search_index.highlighter(index, query) if not query.is_empty else None
    if pattern is None:
        return None
    marked, found = [], False
    for block in blocks:
        text = block["text"] if block["kind"] == "table" else " ".join(block["text"].split())
        with_marks = pattern.sub(search.MARK_START + r"\g<0>" + search.MARK_END, text)
        found = found or with_marks != text
        marked.append({**block, "html": search.marked_html(with_marks)})
    return marked if found else None


@guarded
async def article_json(request, datasette):
    article_id = int(request.url_vars["id"])
    row = await _article(datasette, request, article_id) if article_id < 2**63 else None
    if row is None:
        return json_response({"ok": False, "error": f"there is no article {article_id}"}, 404)

    def absolute(path: str) -> str:
        return datasette.absolute_url(request, datasette.urls.path(path))

    data = {key: row[key] for key in browse.ARTICLE_COLUMNS}
    data["url"] = absolute(f"/article/{article_id}")
    data["paragraph_texts"] = row["paragraph_texts"]
    data["copies"] = [{**c, "url": absolute(f"/article/{c['id']}")} for c in row["copies"]]
    data["source_gone"] = row["source_gone"]
    data["source_rejected"] = row["source_rejected"]
    # The texts the article held before its file changed, whole: nothing the archive keeps is hidden.
    bodies = await run(datasette, browse.earlier_texts, article_id, True) if row["earlier_texts"] else []
    data["earlier_texts"] = [{**t, "url": absolute(f"/article/{article_id}/earlier/{t['number']}")} for t in bodies]
    for key in ("previous", "next"):
        data[key] = {**row[key], "url": absolute(f"/article/{row[key]['id']}")} if row[key] else None
    data["related"] = [{**r, "url": absolute(f"/article/{r['id']}")} for r in row["related"]]
    data["names"] = [{**n, "url": absolute(f"/name/{n['id']}")} for n in row["names"]]
    data["quotes"] = row["quotes"]
    data["similar"] = [{**r, "url": absolute(f"/article/{r['id']}")} for r in row["similar"]]
    return json_response(data)


async def _earlier(request, datasette) -> tuple[int, int, dict | None]:
    article_id, number = int(request.url_vars["id"]), int(request.url_vars["number"])
    text = await run(datasette, browse.earlier_text, article_id, number) if article_id < 2**63 else None
    return article_id, number, text


@guarded
async def earlier_text_page(request, datasette):
    article_id, number, text = await _earlier(request, datasette)
    if text is None:
        return await error_page(datasette, request, 404, "Earlier text not found",
                                f"Article {article_id} has no earlier text {number} in this archive.")
    shown = [{**b, "html": search.marked_html(b["text"] if b["kind"] == "table" else " ".join(b["text"].split()))}
             for b in text["blocks"]]
    return await render(datasette, request, "news_article_earlier.html", {
        "text": text,
        "blocks": shown,
        "article_url": make_url(datasette, f"/article/{article_id}"),
        "json_url": make_url(datasette, f"/article/{article_id}/earlier/{number}.json"),
    })


@guarded
async def earlier_text_json(request, datasette):
    article_id, number, text = await _earlier(request, datasette)
    if text is None:
        return json_response({"ok": False, "error": f"article {article_id} has no earlier text {number}"}, 404)
    data = {key: text[key] for key in ("number", "date", "headline", "source", "sha256", "words", "since",
                                       "replaced_at", "body")}
    data["article"] = {**text["article"], "url": datasette.absolute_url(request, datasette.urls.path(f"/article/{article_id}"))}
    data["earlier_texts"] = text["count"]
    return json_response(data)


@guarded(tables=READS_NAMES)
async def name_page(request, datasette):
    name_id = int(request.url_vars["id"])
    index = ranked_index(datasette)
    view, notes = await _name_view(request, datasette, name_id, index)
    if view is None:
        moved = await _moved_name(request, datasette, name_id, "")
        if moved is not None:
            return moved
        return await error_page(datasette, request, 404, "Name not found", f"There is no name {name_id} in this archive.")
    standing_out = await _name_words(datasette, index, view)
    for found in standing_out.words:
        found["url"] = make_url(datasette, "/search", q=found["word"], name=[name_id])
    chart, chart_unit, chart_points = _months_chart(
        list(view["months"]), f"Articles mentioning {view['name']} per {{unit}}",
        lambda period: make_url(datasette, "/search", name=[name_id], since=parse_date_bound(period),
                                until=parse_date_bound(period, end=True)),
    )
    # How the articles write it: the name and each surname alone counted for it, in context.
    written = " OR ".join('"' + " ".join(spelled.replace('"', " ").split()) + '"'
                          for spelled in [view["name"], *view.get("surnames_alone", ())])
    return await render(datasette, request, "news_name.html", {
        "view": view, "notes": notes, "chart": chart,
        "concordance_url": make_url(datasette, "/concordance", q=written, name=[name_id]), "chart_unit": chart_unit, "chart_points": chart_points,
        "standing_out": standing_out,
        "search_url": make_url(datasette, "/search", name=[name_id]),
        "atom_url": make_url(datasette, "/search.atom", name=[name_id]),
        "json_url": make_url(datasette, f"/name/{name_id}.json", page=_later(view["page"])),
        "page_url": lambda page: make_url(datasette, f"/name/{name_id}", page=page if page > 1 else None),
    })


async def _name_words(datasette, index, view: dict) -> words.StandingOut:
    """What is written around a name: the words that stand out in its newest articles (its own left out)."""
    return await run(datasette, words.standing_out, index, parse_query(""), names=[view["id"]],
                     leave_out=[view["name"], *view.get("surnames_alone", ())])


async def _moved_name(request, datasette, name_id: int, suffix: str) -> Response | None:
    """A permanent redirect to the name that ``name_id`` was joined into, if it was."""
    current = await run(datasette, browse.name_redirect, name_id) if name_id < 2**63 else None
    if current is None:
        return None
    query = f"?{request.query_string}" if request.query_string else ""
    return Response.redirect(datasette.urls.path(f"/name/{current}{suffix}") + query, status=301)


@guarded(tables=READS_NAMES)
async def name_json(request, datasette):
    name_id = int(request.url_vars["id"])
    index = ranked_index(datasette)
    view, notes = await _name_view(request, datasette, name_id, index)
    if view is None:
        moved = await _moved_name(request, datasette, name_id, ".json")
        if moved is not None:
            return moved
        return json_response({"ok": False, "error": f"there is no name {name_id}"}, 404)
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))
    view["articles"] = [{**a, "url": f"{base}{a['id']}"} for a in view["articles"]]
    view["months"] = [{"period": m, "count": n} for m, n in view["months"]]
    found = await _name_words(datasette, index, view)
    view["words"] = found.as_json()
    view["notes"] = notes
    return json_response(view)


async def _name_view(request, datasette, name_id: int, index) -> tuple[dict | None, list[str]]:
    """A name's page of articles, and notes on a page number that is not one or past the last."""
    notes: list[str] = []
    asked = _page_arg(request, notes)
    view = await run(datasette, browse.name_view, name_id, index, asked) if name_id < 2**63 else None
    if view is not None:
        _past_the_last(asked, view, notes)
    return view, notes


NAME_KINDS = {"person": "People", "organization": "Organisations", "place": "Places"}
# How a kind is written on the pages (the data and the addresses keep "organization").
KIND_LABELS = {"person": "person", "organization": "organisation", "place": "place"}


async def _names(request, datasette) -> tuple[dict, list[str]]:
    text = (request.args.get("q") or "")[:200]
    kind = request.args.get("kind") or None
    kind = "organization" if kind == "organisation" else kind  # as the pages spell it
    notes = []
    if kind and kind not in NAME_KINDS:
        notes.append(f"kind {kind[:40]!r} is not one of {', '.join(NAME_KINDS)}: names of every kind are listed")
        kind = None
    page = _page_arg(request, notes)
    found = await run(datasette, browse.names_directory, text, kind, page, ranked_index(datasette))
    _past_the_last(page, found, notes)
    return found, notes


@guarded(tables=READS_NAMES)
async def names_page(request, datasette):
    found, notes = await _names(request, datasette)
    q, kind = found["q"], found["kind"]
    return await render(datasette, request, "news_names.html", {
        "found": found, "notes": notes, "kinds": NAME_KINDS,
        "empty_archive": not found["total"] and await run(datasette, browse.archive_is_empty),
        "json_url": make_url(datasette, "/names.json", q=q, kind=kind, page=found["page"] if found["page"] > 1 else None),
        "kind_url": lambda k: make_url(datasette, "/names", q=q, kind=k),
        "page_url": lambda page: make_url(datasette, "/names", q=q, kind=kind, page=page if page > 1 else None),
    })


@guarded(tables=READS_NAMES)
async def names_json(request, datasette):
    found, notes = await _names(request, datasette)
    base = datasette.absolute_url(request, datasette.urls.path("/name/"))
    found["names"] = [{**row, "url": f"{base}{row['id']}"} for row in found["names"]]
    return json_response({**found, "notes": notes})


def _date_problem(value: str, label: str, error: DateError) -> tuple[str, str]:
    """What is wrong with a date asked for, and the advice: (what, advice)."""
    if "implausible year" in str(error):
        return f"the {label} date {value[:64]!r} is outside the years this archive can hold", "; use 1000 to 2999"
    return f"the {label} date {value[:64]!r} is not a date", "; use YYYY-MM-DD"


def _read_dates(args, notes: list[str], ignored: list[str]) -> tuple[str | None, str | None]:
    """?since= and ?until= as the first and last day they name (search's and the quotes' alike).
    A date that is not one is left out, said in ``notes`` and listed in ``ignored`` (exports refuse
    then); dates the wrong way round are swapped, with a note."""
    bounds = []
    for key, label, end in (("since", "from", False), ("until", "to", True)):
        value = (args.get(key) or "").strip()
        try:
            bounds.append(parse_date_bound(value[:64], end=end) if value else None)
        except DateError as error:
            what, advice = _date_problem(value, label, error)
            ignored.append(what + advice)
            notes.append(f"{what}, so it was ignored{advice}")
            bounds.append(None)
    since, until = bounds
    if since and until and since > until:
        since = parse_date_bound(args["until"].strip()[:64], end=False)
        until = parse_date_bound(args["since"].strip()[:64], end=True)
        notes.append("the from date was after the to date, so they were swapped")
    return since, until


async def _quotes_asked(request, datasette) -> dict:
    """What a quotes page or export asks for. ``by`` is the name of ?name=ID, the one whose
    quotations these are; ``no_name`` says why an ID named nobody; ``ignored``, the bad dates."""
    q = (request.args.get("q") or "")[: MAX_QUERY_CHARS * 2]
    speaker = (request.args.get("speaker") or "")[:200] or None
    query = parse_query(q)
    notes, ignored = list(query.notes), []
    since, until = _read_dates(request.args, notes, ignored)
    value = request.args.get("name") or ""
    if len(request.args.getlist("name")) > 1:
        ignored.append("a quotation has one speaker: give one name")
        notes.append(f"a quotation has one speaker, so only the first name ({value[:40]}) was used")
    by = no_name = None
    if value:
        current = []
        if name_id_of(value) is not None:
            current, _ = await run(datasette, browse.resolve_names, [name_id_of(value)])
        if current:
            by = current[0]
        else:
            no_name = (f"there is no name {value[:20]}{'…' if len(value) > 20 else ''}" if value.isascii() and value.isdigit()
                       else f"{value[:40]!r} is not a name id")
    return {"q": q, "query": query, "speaker": speaker, "since": since, "until": until, "notes": notes,
            "ignored": ignored, "by": by, "no_name": no_name}


async def _quotes(request, datasette) -> tuple[dict, dict]:
    asked = await _quotes_asked(request, datasette)
    notes, by = asked["notes"], asked["by"]
    if asked["no_name"]:
        notes.append(f"{asked['no_name']}: quotations by anyone are listed")
    page = _page_arg(request, notes)
    found = await run(datasette, browse.quotes_search, asked["query"], asked["speaker"], page,
                      speaker_id=by["id"] if by else None, since=asked["since"], until=asked["until"])
    _past_the_last(page, found, notes)
    return found, asked


def _quotes_params(asked: dict) -> dict:
    return {"q": asked["q"] or None, "speaker": asked["speaker"], "name": asked["by"]["id"] if asked["by"] else None,
            "since": asked["since"], "until": asked["until"]}


@guarded(tables=READS_QUOTES)
async def quotes_page(request, datasette):
    found, asked = await _quotes(request, datasette)
    params = _quotes_params(asked)
    filtered = any(params.values())
    most = [] if filtered else await run(datasette, browse.most_quoted, 10)
    for row in found["quotes"]:
        row["marked_html"] = search.marked_html(row["marked"])
    return await render(datasette, request, "news_quotes.html", {
        "found": found, **asked, "filtered": filtered, "most_quoted": most,
        "empty_archive": not found["total"] and await run(datasette, browse.archive_is_empty),
        "understood": asked["query"].describe(),
        "json_url": make_url(datasette, "/quotes.json", **params, page=found["page"] if found["page"] > 1 else None),
        "ndjson_url": make_url(datasette, "/quotes.ndjson", **params),
        "csv_url": make_url(datasette, "/quotes.csv", **params),
        "page_url": lambda page: make_url(datasette, "/quotes", **params, page=page if page > 1 else None),
        "clear_dates_url": make_url(datasette, "/quotes", **{**params, "since": None, "until": None}),
    })


@guarded(tables=READS_QUOTES)
async def quotes_json(request, datasette):
    found, asked = await _quotes(request, datasette)
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))
    # quote_html marks the words matched, as the page does (and as a search's snippet).
    found["quotes"] = [{key: value for key, value in row.items() if key != "marked"}
                       | {"quote_html": search.marked_html(row["marked"]), "url": f"{base}{row['article_id']}"}
                       for row in found["quotes"]]
    # As the page: the most quoted names when nothing narrows the quotations.
    most = [] if any(_quotes_params(asked).values()) else await run(datasette, browse.most_quoted, 10)
    return json_response({"query": asked["q"], "speaker": asked["speaker"], "name": asked["by"],
                          "since": asked["since"], "until": asked["until"], **found, "most_quoted": most,
                          "notes": asked["notes"]})


@guarded(tables=READS_QUOTES)
async def quotes_export(request, datasette):
    """/quotes.ndjson and /quotes.csv: every quotation the page lists, in its order."""
    fmt = request.url_vars["format"]
    asked = await _quotes_asked(request, datasette)
    by = asked["by"]
    # An export is kept and passed on: rather refuse than export other quotations than asked for.
    if asked["no_name"]:
        raise BadRequest(f"cannot export these quotations: {asked['no_name']}")
    if asked["ignored"]:
        raise BadRequest("cannot export these quotations: " + "; ".join(asked["ignored"]))
    page = datasette.absolute_url(request, make_url(datasette, "/quotes", **_quotes_params(asked)))
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))
    columns = (*browse.QUOTE_EXPORT_COLUMNS, "url")

    def rows(conn):
        for row in browse.iter_quotes(conn, asked["query"], asked["speaker"], by["id"] if by else None,
                                      asked["since"], asked["until"]):
            row["url"] = f"{base}{row['article_id']}"
            yield row

    return _streamed_export(datasette, request, archive_database(datasette).path, fmt, "quotes", page, rows, columns,
                            asked["notes"])


# --- comparing searches over time ---------------------------------------------------------


@dataclass
class CompareParams:
    texts: list[str]
    since: str | None
    until: str | None
    unit: str | None
    share: bool
    notes: list[str]
    ignored: list[str]
    names: list[int] = field(default_factory=list)  # ids of names whose mentions are compared too
    chosen: list[dict] = field(default_factory=list)  # those names (id, name, kind), once resolved

    @classmethod
    def from_request(cls, request) -> "CompareParams":
        args = request.args
        notes: list[str] = []
        ignored: list[str] = []
        texts = [(value or "")[: MAX_QUERY_CHARS * 2] for value in args.getlist("q")[: compare.MAX_SERIES * 4]]
        since, until = _read_dates(args, notes, ignored)
        unit = args.get("by") or None
        if unit is not None and unit not in compare.UNITS:
            what = f"the unit {unit[:20]!r} is not one of {', '.join(compare.UNITS)}"
            ignored.append(what)
            notes.append(f"{what}, so the dates chose it")
            unit = None
        params = cls(texts, since, until, unit, args.get("timeline") == "share", notes, ignored)
        for value in args.getlist("name")[: compare.MAX_SERIES * 4]:
            name_id = name_id_of(value)
            if name_id is None:
                ignored.append(not_a_name_id(value))
                notes.append(f"{not_a_name_id(value)}, so it was ignored")
            elif name_id not in params.names:
                params.names.append(name_id)
        return params

    def url_params(self, **changes) -> dict:
        current = {"q": [t for t in self.texts if t.strip()] or None, "name": self.names or None, "since": self.since,
                   "until": self.until, "by": self.unit, "timeline": "share" if self.share else None}
        current.update(changes)
        return current


async def _comparison(request, datasette) -> tuple[CompareParams, compare.Comparison]:
    params = CompareParams.from_request(request)
    if params.names:
        params.chosen, unknown = await run(datasette, browse.resolve_names, params.names)
        params.names = [name["id"] for name in params.chosen]
        for name_id in unknown:
            params.ignored.append(f"there is no name {name_id} in this archive")
            params.notes.append(f"there is no name {name_id} in this archive, so it was ignored")
    index = ranked_index(datasette)
    found = await run(datasette, compare.compare, params.texts, since=params.since, until=params.until,
                      unit=params.unit, index=index, names=params.chosen)
    found.notes[:0] = params.notes
    if index is None and found.series:
        found.notes.append(index_note(datasette))
    return params, found


def _comparison_json(datasette, request, params: CompareParams, found: compare.Comparison) -> dict:
    return {
        "searches": [
            {**one.as_json(), "url": datasette.absolute_url(request, _series_url(datasette, params, one))}
            for one in found.series
        ],
        "since": found.since,
        "until": found.until,
        "unit": found.unit,
        "periods": found.points,
        "notes": found.notes,
    }


def _series_url(datasette, params: CompareParams, one: compare.Series) -> str:
    """The search a line of the comparison counts: its words, or the articles mentioning its name."""
    if one.name:
        return make_url(datasette, "/search", name=one.name["id"], since=params.since, until=params.until)
    return make_url(datasette, "/search", q=one.text, since=params.since, until=params.until)


@guarded
async def compare_page(request, datasette):
    params, found = await _comparison(request, datasette)
    labels = [one.text for one in found.series]
    typed = [one.text for one in found.series if not one.name]
    what = " against ".join(f"“{label}”" for label in labels)
    chart = comparison_svg(
        found.points, labels, unit=found.unit, share=params.share,
        label=f"Matches per {found.unit} of {what}" + (" as a share of all articles" if params.share else ""),
    )
    here = params.url_params()
    # The form shows every search asked for and room for more, up to the most that can be compared.
    fields = typed + [""] * max(2 - len(labels), 1 if len(labels) < compare.MAX_SERIES else 0)
    return await render(datasette, request, "news_compare.html", {
        "params": params,
        "found": found,
        "fields": fields,
        "units": compare.UNITS,
        "max_series": compare.MAX_SERIES,
        "chart": chart,
        "series": [
            {"text": one.text, "name": one.name, "total": one.total, "swatch": legend_swatch(i),
             "url": _series_url(datasette, params, one)}
            for i, one in enumerate(found.series)
        ],
        "chosen_names": [
            {**name, "remove_url": make_url(datasette, "/compare", **params.url_params(
                name=[i for i in params.names if i != name["id"]] or None))}
            for name in params.chosen
        ],
        "empty_archive": not any(one.total for one in found.series) and await run(datasette, browse.archive_is_empty),
        "share_url": lambda share: make_url(datasette, "/compare", **params.url_params(timeline="share" if share else None)),
        "json_url": make_url(datasette, "/compare.json", **here),
        "csv_url": make_url(datasette, "/compare.csv", **here),
    })


@guarded
async def compare_json(request, datasette):
    params, found = await _comparison(request, datasette)
    return json_response(_comparison_json(datasette, request, params, found))


@guarded
async def compare_csv(request, datasette):
    """/compare.csv: a row per period, its number of articles and each search's matches."""
    params, found = await _comparison(request, datasette)
    # A file is kept and passed on: rather refuse than give other dates or names than asked for.
    if params.ignored:
        raise BadRequest("cannot export this comparison: " + "; ".join(params.ignored))
    if not found.series:
        raise BadRequest("cannot export this comparison: there is nothing to compare (?q=words or ?name=ID, repeated)")
    if found.not_as_asked:
        raise BadRequest("cannot export this comparison: " + "; ".join(found.not_as_asked))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([found.unit, "all_articles", *(export.neutralise_cell(one.heading) for one in found.series)])
    for point in found.points:
        writer.writerow([point["period"], point["all"], *point["counts"]])
    exported_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    page = datasette.absolute_url(request, make_url(datasette, "/compare", **params.url_params()))
    headers = {
        "x-content-type-options": "nosniff",
        "content-disposition": f'attachment; filename="news-archive-comparison-{exported_at.replace(":", "")}.csv"',
        "x-news-archive-comparison": page,
        "x-news-archive-exported-at": exported_at,
    }
    if found.notes:  # as compare.json's notes (see _streamed_export)
        headers["x-news-archive-notes"] = json.dumps(found.notes)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8", headers=headers)


# --- keyword in context ----------------------------------------------------------------------------

CONCORDANCE_PER_PAGE = 100
# A page of lines stops reading articles after this long (a search of the pages' four SQL threads must
# not be held for minutes: the page itself gives up after VIEW_TIME_LIMIT_SECONDS, its thread would not);
# an export, which streams from a thread of its own, after CONCORDANCE_EXPORT_SECONDS.
CONCORDANCE_PAGE_SECONDS = 5.0
CONCORDANCE_EXPORT_SECONDS = 60.0
_ARRANGE_LABELS = {"text": "as read", "left": "words to the left", "right": "words to the right",
                   "match": "words matched"}
_ORDER_LABELS = {"oldest": "oldest first", "newest": "newest first", "relevance": "best first"}
_WIDTHS = (30, 50, 80, 120)


@dataclass
class ConcordanceParams:
    search: SearchParams  # q, the dates, the names and the page, read as a search reads them
    order: str = "oldest"
    arrange: str = "text"
    width: int = concordance.DEFAULT_WIDTH
    all_versions: bool = False

    @classmethod
    async def from_request(cls, request, datasette) -> "ConcordanceParams":
        searched = await _search_params(request, datasette)
        params = cls(searched)
        args = request.args
        # The search's own reading of ?sort (and its note on a bad one) stands; only its default differs.
        params.order = searched.sort if args.get("sort") in concordance.ORDERS else "oldest"
        arrange = args.get("arrange") or "text"
        if arrange not in concordance.ARRANGEMENTS:
            searched.ignore(f"the arrangement {arrange[:20]!r} is not one of {', '.join(concordance.ARRANGEMENTS)}")
            arrange = "text"
        params.arrange = arrange
        width = args.get("width") or ""
        if width:
            if re.fullmatch(r"-?[0-9]{1,30}", width):  # a number, however far out of range: the nearest width
                params.width = min(max(int(width), concordance.MIN_WIDTH), concordance.MAX_WIDTH)
                if params.width != int(width):
                    searched.problems.append(f"a line shows {concordance.MIN_WIDTH} to {concordance.MAX_WIDTH}"
                                             f" characters on each side: showing {params.width}")
            else:
                searched.ignore(f"the width {width[:20]!r} is not a number of characters")
        versions = args.get("versions")
        if versions not in (None, "", "all", "first"):
            searched.ignore(f"versions {versions[:20]!r} is not all or first")
        params.all_versions = versions == "all"
        return params

    def find(self, conn, index, most: int, seconds: float) -> concordance.Concordance:
        """The concordance these parameters ask for, up to ``most`` lines, read for at most ``seconds``."""
        return concordance.concordance(
            conn, self.search.q, since=self.search.since, until=self.search.until, names=self.search.names,
            index=index, order=self.order, arrange=self.arrange, width=self.width, most=most,
            all_versions=self.all_versions, seconds=seconds)

    def url_params(self, **changes) -> dict:
        current = {"q": self.search.q, "since": self.search.since, "until": self.search.until,
                   "name": self.search.names or None, "sort": self.order if self.order != "oldest" else None,
                   "arrange": self.arrange if self.arrange != "text" else None,
                   "width": self.width if self.width != concordance.DEFAULT_WIDTH else None,
                   "versions": "all" if self.all_versions else None}
        current.update(changes)
        return current


async def _concordance(request, datasette):
    params = await ConcordanceParams.from_request(request, datasette)
    index = ranked_index(datasette)
    found = await run(datasette, lambda conn: params.find(conn, index, concordance.PAGE_LINES,
                                                          CONCORDANCE_PAGE_SECONDS))
    if index is None:
        found.notes.append(index_note(datasette))
    return params, found


def _concordance_page(params: ConcordanceParams, found: concordance.Concordance) -> tuple[int, int, list]:
    """The page asked for (the last when past it, with a note), the number of pages, and its lines."""
    pages = max(1, -(-len(found.lines) // CONCORDANCE_PER_PAGE))
    page = params.search.page
    if page > pages and found.query.terms():  # without words there are no pages to speak of
        found.notes.append(past_the_last(pages, "lines"))
        page = pages
    start = (page - 1) * CONCORDANCE_PER_PAGE
    return page, pages, found.lines[start : start + CONCORDANCE_PER_PAGE]


@guarded
async def concordance_page(request, datasette):
    params, found = await _concordance(request, datasette)
    page, pages, lines = _concordance_page(params, found)
    here = params.url_params()
    article = datasette.urls.path("/article/")
    # An article opened from a line marks the words and leads back to this search.
    link_query = urlencode({key: value for key, value in params.search.article_link_params(1).items() if value},
                           doseq=True)
    rows = [{"line": line, "url": f"{article}{line.article_id}" + (f"?{link_query}" if link_query else "")}
            for line in lines]
    def neighbour_links(side: str) -> list[dict]:
        """The words most often right before or after, each a link to the lines of the longer phrase."""
        links = []
        for word, n in found.neighbours(side):
            phrase = found.phrase_with(word, side)
            url = make_url(datasette, "/concordance", **params.url_params(q=phrase)) if phrase else None
            links.append({"word": word, "lines": n, "url": url})
        return links

    return await render(datasette, request, "news_concordance.html", {
        "params": params,
        "found": found,
        "before": neighbour_links("left"),
        "after": neighbour_links("right"),
        "rows": rows,
        "page": page,
        "pages": pages,
        "first_line": (page - 1) * CONCORDANCE_PER_PAGE + 1,
        "notes": params.search.problems + found.notes,
        "chosen_names": params.search.chosen,
        "orders": _ORDER_LABELS,
        "arrangements": _ARRANGE_LABELS,
        "widths": sorted({*_WIDTHS, params.width}),
        "empty_archive": not found.matching and await run(datasette, browse.archive_is_empty),
        "arrange_url": lambda arrange: make_url(datasette, "/concordance", **params.url_params(
            arrange=arrange if arrange != "text" else None)),
        "page_url": lambda n: make_url(datasette, "/concordance", **here, page=n if n > 1 else None),
        "search_url": make_url(datasette, "/search", q=params.search.q, since=params.search.since,
                               until=params.search.until, name=params.search.names or None),
        "json_url": make_url(datasette, "/concordance.json", **here, page=page if page > 1 else None),
        "csv_url": make_url(datasette, "/concordance.csv", **here),
        "ndjson_url": make_url(datasette, "/concordance.ndjson", **here),
        "max_lines": concordance.MAX_LINES,
    })


@guarded
async def concordance_json(request, datasette):
    params, found = await _concordance(request, datasette)
    page, pages, lines = _concordance_page(params, found)
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))
    return json_response({
        "query": params.search.q, "since": params.search.since, "until": params.search.until,
        "names": _names_json(params.search.chosen), "all_versions": params.all_versions,
        **found.summary_json(),
        "notes": params.search.problems + found.notes,
        "page": page, "pages": pages, "per_page": CONCORDANCE_PER_PAGE,
        "lines": [{**line.as_json(), "url": f"{base}{line.article_id}"} for line in lines],
    })


@guarded
async def concordance_export(request, datasette):
    """/concordance.csv and /concordance.ndjson: every line, up to MAX_LINES, in the page's order."""
    fmt = request.url_vars["format"]
    params = await ConcordanceParams.from_request(request, datasette)
    if params.search.ignored:
        raise BadRequest("cannot export this concordance: " + "; ".join(params.search.ignored))
    index = ranked_index(datasette)
    page = datasette.absolute_url(request, make_url(datasette, "/concordance", **params.url_params()))
    base = datasette.absolute_url(request, datasette.urls.path("/article/"))

    def rows(conn):
        found = params.find(conn, index, concordance.MAX_LINES, CONCORDANCE_EXPORT_SECONDS)
        for line in found.lines:
            yield {**line.as_json(), "url": f"{base}{line.article_id}"}

    notes = [*params.search.problems, *parse_query(params.search.q).notes,
             *([index_note(datasette)] if index is None else [])]
    return _streamed_export(datasette, request, archive_database(datasette).path, fmt, "concordance", page, rows,
                            (*concordance.CSV_COLUMNS, "url"), notes)


@guarded(tables=())
async def help_page(request, datasette):
    return await render(datasette, request, "news_help.html", {})


@guarded(tables=())
async def not_found(request, datasette):
    if request.path.endswith(".json"):  # asked for data: an answer a program can read
        return json_response({"ok": False, "error": "there is no page at this address"}, 404)
    return await error_page(datasette, request, 404, "Page not found", "There is no page at this address.")

"""The news-archive Datasette plugin: a reading and search room for the archive.

Registered through the ``datasette`` entry point, so ``datasette news.db``
shows it too. Datasette's own table, SQL and JSON pages stay available.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import sqlite3
from urllib.parse import parse_qs, quote_plus

import datasette.database
from datasette import hookimpl

from ..browse import LIKE_PATTERN_BYTES
from ..query import MAX_QUERY_CHARS
from ..sources import MAX_FILE_BYTES
from . import datasette_templates, sql_functions, views

_DAY = r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})"


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", views.home),
        (r"^/index\.json$", views.home_json),
        (r"^/search$", views.search_page),
        (r"^/search\.json$", views.search_json),
        (r"^/search\.(?P<format>ndjson|csv)$", views.search_export),
        (r"^/search\.atom$", views.search_atom),
        (r"^/article/(?P<id>[0-9]{1,18})$", views.article_page),
        (r"^/article/(?P<id>[0-9]{1,18})\.json$", views.article_json),
        (r"^/article/(?P<id>[0-9]{1,18})/earlier/(?P<number>[0-9]{1,9})$", views.earlier_text_page),
        (r"^/article/(?P<id>[0-9]{1,18})/earlier/(?P<number>[0-9]{1,9})\.json$", views.earlier_text_json),
        (r"^/article/.*$", views.not_found),
        (r"^/archive(?:/?|\.json)$", views.archive_index),
        (r"^/archive/(?P<year>[0-9]{4})(?:/?|\.json)$", views.archive_year),
        (r"^/archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})(?:/?|\.json)$", views.archive_month),
        (rf"^/archive/{_DAY}(?:/?|\.json)$", views.archive_day),
        (r"^/archive/on/(?P<month>[0-9]{2})-(?P<day>[0-9]{2})(?:/?|\.json)$", views.on_this_day),
        (r"^/archive/.*$", views.not_found),
        (r"^/name/(?P<id>[0-9]{1,18})$", views.name_page),
        (r"^/name/(?P<id>[0-9]{1,18})\.json$", views.name_json),
        (r"^/name/.*$", views.not_found),
        (r"^/names$", views.names_page),
        (r"^/names\.json$", views.names_json),
        (r"^/quotes$", views.quotes_page),
        (r"^/quotes\.json$", views.quotes_json),
        (r"^/quotes\.(?P<format>ndjson|csv)$", views.quotes_export),
        (r"^/compare$", views.compare_page),
        (r"^/compare\.json$", views.compare_json),
        (r"^/compare\.csv$", views.compare_csv),
        (r"^/concordance$", views.concordance_page),
        (r"^/concordance\.json$", views.concordance_json),
        (r"^/concordance\.(?P<format>ndjson|csv)$", views.concordance_export),
        (r"^/help$", views.help_page),
    ]


@hookimpl
def prepare_jinja2_environment(env, datasette):
    datasette_templates.install(env)


@hookimpl
def extra_css_urls(datasette):
    # On Datasette's own pages only: the reading room's pages link their own style sheet.
    return [datasette.urls.static_plugins("news_archive", "datasette.css")]


# Datasette's row page of an article or a name leads to the reading room's page of it.
_READING_ROOM_PAGES = {"articles": ("/article/", "article page"), "names": ("/name/", "name page")}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column != "id" or table not in _READING_ROOM_PAGES or type(value) is not int:
        return None
    try:
        if database != views.archive_database(datasette).name:
            return None
    except views.ArchiveMissing:
        return None
    from markupsafe import Markup, escape

    path, label = _READING_ROOM_PAGES[table]
    # On the row page only: on a table page the id column is Datasette's own link to the row.
    return Markup('{} <a href="{}">({})</a>').format(value, escape(datasette.urls.path(f"{path}{value}")), label)


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/"), "label": "News search"},
        {"href": datasette.urls.path("/archive"), "label": "Browse by date"},
    ]


# SQLite's words for a LIKE or GLOB pattern over SQLITE_LIMIT_LIKE_PATTERN_LENGTH, and ours.
_PATTERN_TOO_LONG = "LIKE or GLOB pattern too complex"
LONG_PATTERN = (f"A text to find with LIKE or GLOB (a filter's __contains, __startswith, __endswith, __like or __glob)"
                f" may be at most {LIKE_PATTERN_BYTES} bytes here, its wildcards included: over a long text a longer"
                " one could run far past the time limit. Shorten it; on the SQL page, instr(column, 'text') > 0 finds"
                " a text of any length.")
# Datasette 0.65 answers a few bad parameters on its own table pages with a 500
# (a DatasetteError left at its default status). They are the visitor's mistake: 400.
_VISITOR_MISTAKES = ("Cannot sort table by", "Cannot use _sort and _sort_desc", "Invalid _through")
# What Datasette's own views raise on parameters they cannot read (our views mark theirs: a bug is a 500).
# OverflowError: a number past SQLite's 64 bits in a filter (?id__gt=9223372036854775808).
_DATASETTE_PARAMETER_ERRORS = (ValueError, KeyError, TypeError, OverflowError, sqlite3.ProgrammingError)
# The value a query may make, at most (SQLITE_LIMIT_LENGTH): an article read from a file of
# sources.MAX_FILE_BYTES decodes to at most three UTF-8 bytes a byte, and a row holds a little
# more. Without it one SQL request on Datasette's pages (zeroblob(900000000), printf('%.*c', ...), a
# string doubled in a recursive query) made values of gigabytes: 16.7 GB of memory for one request.
MAX_VALUE_BYTES = 3 * MAX_FILE_BYTES + 2**20


@hookimpl
def prepare_connection(conn):
    # The time limit stops a query between its steps, never inside one function call: the
    # functions whose one call can take longer than the limit are made linear, or bounded.
    longest = _longest_value(conn)
    sql_functions.register(conn, longest)
    if hasattr(conn, "setlimit"):  # Python 3.11 and later
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, longest)
        # LIKE and GLOB take time in proportion to the text times the pattern: over a value of
        # MAX_VALUE_BYTES, a GLOB of 25 bytes ('*[aaa...]b') took 2.0 s, of 30 bytes 4.4 s, and one
        # of SQLite's default 50,000 bytes could run for hours. Datasette's own long pattern is
        # matched in Python (_detect_fts).
        conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_BYTES)


_longest_values: dict[str, int] = {}


def _longest_value(conn: sqlite3.Connection) -> int:
    """MAX_VALUE_BYTES, or more for an archive made when files of up to 100 MB were read: an
    article of a file larger than MAX_FILE_BYTES stays readable (its page, and every search that
    shows it). Asked of the ingest ledger once per database file (0.1 s for a million files),
    since no ingest adds a larger file."""
    path = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    if path not in _longest_values:
        try:
            largest = conn.execute("SELECT max(size) FROM source_files WHERE status = 'article'").fetchone()[0]
        except sqlite3.Error:  # not an archive, or not one yet
            largest = None
        _longest_values[path] = max(MAX_VALUE_BYTES, 3 * (largest or 0) + 2**20)
    return _longest_values[path]


def _detect_fts(conn, table):
    """Datasette's detect_fts (the full-text table of ``table``, or None), whose LIKE patterns
    ('%VIRTUAL TABLE%USING FTS%content="articles"%') are longer than the web's connections take:
    the same test, made in Python on the few virtual tables' definitions."""
    for name, sql, table_name in conn.execute("SELECT name, sql, tbl_name FROM sqlite_master WHERE rootpage = 0"):
        if sql is None:
            continue
        if (_holds_in_order(sql, "VIRTUAL TABLE", "USING FTS", f'content="{table}"')
                or _holds_in_order(sql, "VIRTUAL TABLE", "USING FTS", f"content=[{table}]")
                or (table_name == table and _holds_in_order(sql, "VIRTUAL TABLE", "USING FTS"))):
            return name
    return None


def _holds_in_order(text: str, *parts: str) -> bool:
    """Whether ``text LIKE '%part%part%'``: each part after the one before, ASCII case aside as LIKE."""
    data, at = text.encode("utf-8").lower(), 0  # bytes.lower changes ASCII letters only, as LIKE
    for part in parts:
        found = data.find(part.encode("utf-8").lower(), at)
        if found < 0:
            return False
        at = found + len(part.encode("utf-8"))
    return True


# Datasette 0.65 (pinned in pyproject.toml) finds a table's full-text table through this name.
datasette.database.detect_fts = _detect_fts


def _already_prefixed(path_with):
    """Datasette 0.65's path_with_added_args (and its kin) builds on request.path, which holds the
    base_url when the request came with it, and its views then give the result to urls.path, which
    adds base_url again: next_url, the Link header and the facets' toggle_url of /news/news/...
    (simonw/datasette#2759). A path built on a request.path that held the base_url is marked as
    prefixed already (PrefixedUrlString, which urls.path leaves as it is); a request whose proxy took
    the base_url off keeps Datasette's own behaviour."""

    from datasette.utils import PrefixedUrlString

    @functools.wraps(path_with)
    def built(*args, **kwargs):
        path = path_with(*args, **kwargs)
        request = kwargs.get("request", args[0] if args else None)
        own_path = kwargs.get("path", args[2] if len(args) > 2 else None)
        if request is None or own_path is not None:
            return path
        route_path = request.scope.get("route_path")  # set by Datasette's router when it took base_url off
        if route_path is not None and route_path != request.path:
            return PrefixedUrlString(path)
        return path

    built.names_base_url_once = True
    return built


def _name_base_url_once() -> None:
    """Wrap the path_with_* helpers where Datasette's views and facets use them (once; called when the
    app is made: importing Datasette's views while Datasette loads its plugins is a circular import)."""
    import datasette.facets
    import datasette.views.base
    import datasette.views.database
    import datasette.views.table

    for module in (datasette.views.base, datasette.views.table, datasette.views.database, datasette.facets):
        for name in ("path_with_added_args", "path_with_removed_args", "path_with_replaced_args", "path_with_format"):
            helper = getattr(module, name, None)
            if helper is not None and not getattr(helper, "names_base_url_once", False):
                setattr(module, name, _already_prefixed(helper))


@hookimpl
def forbidden(datasette, request, message):
    """Datasette's refusals of data addresses (/news.json, /news/articles.csv) in JSON, as the reading
    room's own: a script reads the answer. Pages keep Datasette's page (or a login plugin's)."""
    if not views.asks_for_data(request.path):
        return None

    async def refuse():
        return views.json_response({"ok": False, "error": message, "status": 403}, 403)

    return refuse


BUG = ("Something went wrong on the server: a bug, not a mistake in the address. The server's log says what"
       " (please report it).")


@hookimpl
def handle_exception(datasette, request, exception):
    from datasette.database import QueryInterrupted
    from datasette.utils.asgi import Base400, NotFound, Response
    from datasette.views.base import DatasetteError

    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.message).startswith(_VISITOR_MISTAKES):
        exception.status = 400
    if isinstance(exception, DatasetteError) and exception.message == _PATTERN_TOO_LONG:
        # A filter's text (__contains, __startswith, __endswith, __like, __glob) over the limit: said plainly.
        exception.status, exception.title, exception.message = 400, "Text to find too long", LONG_PATTERN
    if isinstance(exception, QueryInterrupted) and not getattr(exception, "in_our_view", False):
        # Datasette answers a query stopped by its time limit with a 400, except on its CSV pages.
        async def too_slow():
            if views.asks_for_data(request.path):
                return views.json_response({"ok": False, "error": views.TOO_SLOW, "status": 400}, 400)
            return Response.text(f"{views.TOO_SLOW}\n(SQL stopped after the time limit)", status=400,
                                 headers={"x-content-type-options": "nosniff"})

        return too_slow
    if isinstance(exception, _DATASETTE_PARAMETER_ERRORS) and not getattr(exception, "in_our_view", False) \
            and (request.query_string or isinstance(exception, sqlite3.ProgrammingError)):
        # Without a query string: a row page of a table keyed by two columns given one
        # (/news/article_names/1), which Datasette 0.65 cannot bind.
        # Datasette 0.65 fails with these on some parameters of its own pages (_through=abc,
        # _timelimit=abc, _facet={...}, a NUL byte in _where, _shape=array with no rows):
        # the visitor's mistake, answered 400 in plain words rather than 500 with Python's.
        message = ("A parameter of this address is not one this page can use: check the ones that start with _"
                   " (such as _facet, _where, _through, _timelimit, _shape) and the numbers in filters.")
        if not request.query_string:
            message = ("This address does not name a row: the rows of this table are named by all the columns of"
                       " their key, separated by commas (as the table's own links to them are).")

        async def bad_request():
            if views.asks_for_data(request.path):
                return views.json_response({"ok": False, "error": message, "status": 400}, 400)
            return await views.error_page(datasette, request, 400, "Bad request", message)

        return bad_request
    missing = isinstance(exception, NotFound) or (isinstance(exception, DatasetteError) and exception.status == 404)
    if missing and not views.asks_for_data(request.path):
        # A mistyped address gets the reading room's page (menu, search box, a way back), not a bare one.
        detail = str(exception.message if isinstance(exception, DatasetteError) else exception)
        if detail == "Database not found":  # Datasette's reading of any unknown first path segment
            detail = ""

        async def page():
            message = "There is no page at this address." + (f" ({detail})" if detail else "")
            return await views.error_page(datasette, request, 404, "Page not found", message)

        return page
    if not isinstance(exception, (Base400, DatasetteError)):
        # A bug (ours or Datasette's): logged with its traceback, and not shown, since Python's words
        # ("Exceeds the limit (4300 digits) for integer string conversion") tell a visitor nothing.
        if not getattr(exception, "in_our_view", False):  # our views log their own (views.guarded)
            views.logger.error("error serving %s", request.path, exc_info=exception)

        async def bug():
            if views.asks_for_data(request.path):
                return views.json_response({"ok": False, "error": BUG, "status": 500}, 500)
            return await views.error_page(datasette, request, 500, "Server error", BUG)

        return bug
    if views.asks_for_data(request.path) and not request.path.endswith(".json"):
        # Datasette answers in JSON at .json addresses only: the same at the other data addresses
        # (/news.csv?sql=selec, /news/nosuch.csv), which a script reads as it reads their data.
        status = exception.status
        message = str(exception.message if isinstance(exception, DatasetteError) else exception.args[0])

        async def data_error():
            return views.json_response({"ok": False, "error": message, "status": status}, status)

        return data_error
    return None  # Datasette's own handler renders the error


_READ_METHODS = ("GET", "HEAD", "OPTIONS")
# Longer addresses are refused (414): no page needs one, and MAX_QUERY_CHARS
# already cuts a query short. (The h11 server refuses request heads over 16 KiB.)
MAX_URL_BYTES = 8192
# Our own CSV exports neutralise formulas as they write; Datasette's do not.
_OWN_CSV = ("/search.csv", "/quotes.csv")


def _is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_allowed(scope) -> bool:
    """A server listening on the loopback address answers only requests made to a loopback
    name. A web page cannot then reach it by pointing a name of its own at 127.0.0.1 (DNS
    rebinding) and read the archive. A server the user exposed on another address answers
    any name (the reverse proxy in front of it decides)."""
    server = scope.get("server")
    if server and not _is_loopback(str(server[0])):
        return True
    for key, value in scope.get("headers") or ():
        if key == b"host":
            name = value.decode("latin-1").strip()
            # "localhost:8001", "[::1]:8001": the name without its port.
            name = name[1 : name.find("]")] if name.startswith("[") else name.split(":")[0]
            return _is_loopback(name)
    return True  # HTTP/1.0 without a Host header: nothing names another host


TOO_LONG = f"That address is too long (over {MAX_URL_BYTES:,} bytes): shorten the query."
_DATA_ENDINGS = (".json", ".ndjson", ".csv", ".atom")


def _wants_a_page(scope) -> bool:
    """Whether a refusal goes to a browser (it asks for HTML, and not for data), which gets a page it can
    go on from rather than a line of text."""
    accept = b", ".join(value for key, value in scope.get("headers") or () if key == b"accept")
    return b"text/html" in accept and not scope["path"].endswith(_DATA_ENDINGS)


def words_that_fit(query_string: bytes, budget: int) -> str:
    """The words (q) of a query string, cut to what a search address of at most ``budget`` bytes holds once
    the browser encodes them (a character of Chinese takes 9 bytes): the search box of the page that
    refuses a long address keeps them, and sending them again is not refused."""
    words = (parse_qs(query_string.decode("latin-1"), encoding="utf-8", errors="replace").get("q") or [""])[0]
    kept, size = [], 0
    for char in words[:MAX_QUERY_CHARS]:
        size += len(quote_plus(char))
        if size > budget:
            break
        kept.append(char)
    return "".join(kept)


async def _too_long_page(datasette, scope, receive, send) -> None:
    """The reading room's error page for an address over MAX_URL_BYTES (a search of a thousand characters
    of Chinese pasted in the box is 9 KB): its menu, and a search box holding as much of the words as fits."""
    from datasette.utils.asgi import Request

    # Refused before Datasette's own middleware, which gives each request the CSRF token its templates ask
    # for: this page has no form that posts.
    request = Request({**scope, "csrftoken": lambda: ""}, receive)
    # The rest of the address the box sends (/search?q=&since=&until=, a base_url) takes far less than this.
    kept = words_that_fit(scope.get("query_string") or b"", MAX_URL_BYTES - 512)
    message = TOO_LONG + (" The search box below holds as many of your words as fit." if kept else "")
    response = await views.render(datasette, request, "news_error.html", {
        "status": 414, "title": "Address too long", "message": message, "search_text": kept}, status=414)
    await response.asgi_send(send)


async def _refuse(scope, send, status: int, message: str, headers: tuple = ()) -> None:
    """Refuse a request before Datasette sees it: in plain text, or in JSON at a data address."""
    if views.asks_for_data(scope["path"]):
        content_type = b"application/json; charset=utf-8"
        body = json.dumps({"ok": False, "error": message, "status": status}).encode()
    else:
        content_type, body = b"text/plain; charset=utf-8", message.encode() + b"\n"
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                    (b"x-content-type-options", b"nosniff"), *headers],
    })
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    """The archive is read-only over the web: refuse every method that could write,
    and addresses too long to be real. Datasette's own CSV gets formula cells neutralised."""
    _name_base_url_once()

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope["method"] not in _READ_METHODS:
                await _refuse(scope, send, 405, "This archive is read-only: only GET and HEAD requests are accepted.",
                              ((b"allow", b"GET, HEAD, OPTIONS"),))
                return
            if not _host_allowed(scope):
                await _refuse(scope, send, 421, "This archive answers to localhost only (the address asked for names "
                                         "another host).")
                return
            path_bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            if len(path_bytes) + len(scope.get("query_string") or b"") > MAX_URL_BYTES:
                if _wants_a_page(scope):
                    await _too_long_page(datasette, scope, receive, _never_framed(send))
                else:
                    await _refuse(scope, send, 414, TOO_LONG)
                return
            path, query = scope["path"], scope.get("query_string") or b""
            if path not in _OWN_CSV and (path.endswith(".csv") or b"_format=csv" in query):
                send = _neutralising_csv(send)
            await app(scope, receive, _never_framed(send))

        return read_only

    return wrap


def _never_framed(send):
    """Datasette's own pages, which show the same untrusted text as ours, are never shown in another
    site's frame either (ours send a full Content-Security-Policy; theirs have inline scripts, so
    they get only its frame-ancestors part)."""

    async def guarded_send(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {name.lower() for name, _ in headers}
            if b"content-security-policy" not in names:
                headers.append((b"content-security-policy", b"frame-ancestors 'none'"))
            if b"x-frame-options" not in names:
                headers.append((b"x-frame-options", b"DENY"))
            message = {**message, "headers": headers}
        await send(message)

    return guarded_send


def _neutralising_csv(send):
    cells = FormulaGuard()

    async def guarded_send(message):
        if message["type"] == "http.response.start":
            # Prefixing cells changes the length: let the server send it chunked.
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body":
            body = cells.feed(message.get("body", b""))
            if not message.get("more_body", False):
                body += cells.finish()
            message = {**message, "body": body}
        await send(message)

    return guarded_send


_PLAIN_END = re.compile(rb"[,\r\n]")
_QUOTE = re.compile(rb'"')
_FORMULA_UNQUOTED = frozenset(b"=@\t")
_FORMULA_QUOTED = frozenset(b"=+-@\t\r")
_SIGNS = frozenset(b"+-")
_NUMBER_BYTES = frozenset(b"0123456789.eE+-")
_NUMBER = re.compile(rb"[+-](?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # as export.SIGNED_NUMBER
_LONGEST_NUMBER = 40
_CELL_START, _PLAIN, _QUOTED_START, _QUOTED, _QUOTE_IN_QUOTED, _SIGNED = range(6)


class FormulaGuard:
    """Prefix ``'`` to every cell of a CSV byte stream that a spreadsheet would run
    as a formula, as ``export.neutralise_cell`` does for the CSV we write. A number
    with a sign (``-5``, ``-0.25``, a column of differences) is a number, not a
    formula: an unquoted cell starting with a sign is held until it is seen whole.

    Fed chunk by chunk; the state carries across chunks. It works on bytes:
    every byte that matters (``"``, ``,``, CR, LF and the formula characters)
    is ASCII, and no UTF-8 sequence contains an ASCII byte."""

    def __init__(self) -> None:
        self.state = _CELL_START
        self.signed = bytearray()  # the start of a cell beginning with + or -, held

    def finish(self) -> bytes:
        """What is held at the end of the stream (a last cell with no line end)."""
        if self.state != _SIGNED:
            return b""
        held, self.signed = bytes(self.signed), bytearray()
        self.state = _PLAIN
        return held if _NUMBER.fullmatch(held) else b"'" + held

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        at, size = 0, len(data)
        while at < size:
            state = self.state
            if state in (_PLAIN, _QUOTED):
                found = (_PLAIN_END if state == _PLAIN else _QUOTE).search(data, at)
                if found is None:
                    out += data[at:]
                    break
                out += data[at : found.end()]
                at = found.end()
                self.state = _CELL_START if state == _PLAIN else _QUOTE_IN_QUOTED
                continue
            byte = data[at]
            at += 1
            if state == _SIGNED:
                if byte in b",\r\n":  # the cell is whole: a number stays as it is
                    out += self.signed if _NUMBER.fullmatch(self.signed) else b"'" + self.signed
                    self.signed = bytearray()
                    self.state = _CELL_START
                    out.append(byte)
                elif byte in _NUMBER_BYTES and len(self.signed) < _LONGEST_NUMBER:
                    self.signed.append(byte)
                else:  # not a number ("-5 pct", "+A1"): a would-be formula
                    out += b"'" + self.signed
                    out.append(byte)
                    self.signed = bytearray()
                    self.state = _PLAIN
                continue
            if state == _CELL_START:
                if byte == 0x22:  # "
                    self.state = _QUOTED_START
                elif byte in _SIGNS:
                    self.signed.append(byte)
                    self.state = _SIGNED
                    continue
                elif byte not in b",\r\n":
                    if byte in _FORMULA_UNQUOTED:
                        out += b"'"
                    self.state = _PLAIN
            elif state == _QUOTED_START:
                if byte == 0x22:
                    self.state = _QUOTE_IN_QUOTED  # an empty cell, or an escaped quote first
                else:
                    if byte in _FORMULA_QUOTED:
                        out += b"'"
                    self.state = _QUOTED
            elif byte == 0x22:  # _QUOTE_IN_QUOTED: "" is an escaped quote
                self.state = _QUOTED
            else:
                self.state = _CELL_START if byte in b",\r\n" else _PLAIN
            out.append(byte)
        return bytes(out)

"""The ``news-archive`` command line. Thin: it parses options, calls the
library, prints results to stdout and diagnostics to stderr."""

from __future__ import annotations

import signal
import sys
import threading

INTERRUPTED = "interrupted; everything saved before this point is kept"


def _interrupted_while_loading(signum, frame) -> None:
    print(f"Error: {INTERRUPTED}", file=sys.stderr)
    sys.exit(130)


# Ctrl-C while the modules below load (a tenth of a second, more from a cold disk) would print a
# traceback from inside an import: it ends the command with its one line and status 130 instead. Only
# where Ctrl-C is Python's own (a command started in the background ignores it), and the handler is
# given back once they are loaded (the end of this module); from then on the commands turn it into
# the same line (_Commands, _library_errors).
_sigint_before = None
if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    _sigint_before = signal.signal(signal.SIGINT, _interrupted_while_loading)

import contextlib
import csv
import io
import json
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import export as exporter
from . import matches, sources, store
from .check import readable_size

if TYPE_CHECKING:
    from .query import Query
    from .search_index import SearchIndex

# The rest of the library is imported by the commands that use it: `export` and
# `stats` start without tantivy, the ranked search and the date parser (about 0.05 s).

DEFAULT_DB = "news.db"
# Not 2: click gives 2 for usage errors, and a script must tell a mistyped command from a bad file.
EXIT_REJECTED = 3
MAX_CONNECTIONS = 200  # for `serve`: open connections and requests in progress


# Article text and file names are untrusted, and a terminal obeys the control sequences in
# what it is given (set the window title, clear the screen, write to the clipboard): they are
# taken out of everything printed as text. Colour and bold (SGR: ESC [ ... m, which is all our
# own output uses, and which click drops when not on a terminal) go through; they do no harm.
# (JSON output escapes control characters itself.)
_TERMINAL_UNSAFE = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]")


def _shown(name: str) -> str:
    """A file name on one line: a name may hold a line break or a tab; other control characters
    (an escape sequence in a folder's name) are shown as the bytes of the name, as sources.display_name
    shows them in the names of files, rather than dropped (which would show another path)."""
    return sources.escape_controls(name.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    click.echo(_TERMINAL_UNSAFE.sub("", str(message)), err=err, nl=nl)


def _default_db() -> str:
    return os.environ.get("NEWS_ARCHIVE_DB") or DEFAULT_DB


def _db_file_named(ctx, param, value: str) -> str:
    if not value:
        # SQLite would open a private temporary database, which is never an archive.
        raise click.ClickException("--db needs a file name")
    return value


db_option = click.option(
    "--db",
    "db_path",
    default=_default_db,
    show_default="news.db, or $NEWS_ARCHIVE_DB",
    type=click.Path(dir_okay=False),
    callback=_db_file_named,
    help="The archive database file.",
)


class _Command(click.Command):
    """A command whose text arguments are refused in one line when they are not UTF-8 (exit status 1)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _refuse_arguments_not_utf8(self.get_params(ctx), args)
        return super().parse_args(ctx, args)


def _refuse_arguments_not_utf8(params: list[click.Parameter], args: list[str]) -> None:
    """Bytes that are not UTF-8 in an argument (`é` typed in a Latin-1 terminal) reach Python as lone
    surrogates: a search silently dropped them (`café` typed in Latin-1 searched for `caf`), compare wrote them raw
    into its CSV and JSON, other commands failed at SQLite. Every argument is looked at before click
    reads it (so --since or --format give the same error too), but file names: they are bytes to the
    system, and a name that is not UTF-8 is a file's name all the same (ingest reads such files)."""
    takes: dict[str, int] = {}
    path_options = set()
    for param in params:
        if isinstance(param, click.Option):
            for opt in (*param.opts, *param.secondary_opts):
                takes[opt] = 0 if param.is_flag or param.count else param.nargs
                if isinstance(param.type, click.Path):
                    path_options.add(opt)
    paths_given = any(isinstance(param, click.Argument) and isinstance(param.type, click.Path) for param in params)
    args = list(args)
    while args:
        arg = args.pop(0)
        if arg == "--":
            if not paths_given:
                for word in args:
                    _utf8_or_refused(word)
            return
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        if arg in takes:
            values = [args.pop(0) for _ in range(min(takes[arg], len(args)))]
            if arg not in path_options:
                for one in values:
                    _utf8_or_refused(one, arg)
        elif name in takes and (equals or (len(arg) > 2 and not arg.startswith("--"))):
            if name not in path_options:
                _utf8_or_refused(value, name)  # --since=1987, -n5
        elif not paths_given or arg.startswith("-"):
            _utf8_or_refused(arg)


def _utf8_or_refused(text: str, option: str | None = None) -> None:
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return
    shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    what = f"the value '{shown}' of {option}" if option else f"the argument '{shown}'"
    raise click.ClickException(f"{what} is not UTF-8 text: type it again as UTF-8 (a terminal set to another"
                               " encoding sends other bytes)")


class _Commands(click.Group):
    """The commands, each of which ends with one line and status 130 when interrupted, wherever it
    is: click's own answer to a KeyboardInterrupt it meets ("Aborted!", status 1) is never given."""

    command_class = _Command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted(INTERRUPTED) from None
        except BrokenPipeError:
            raise ReaderGone() from None  # not click's own answer to it, status 1 (a failure)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:  # `news-archive --help | true`
            raise ReaderGone() from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-archive")
def cli() -> None:
    """A searchable archive of news articles kept as plain-text files.

    Ingest a folder of article files, then search, export or browse them:

    \b
        news-archive ingest articles/ && news-archive serve
    """


class QueryCommand(_Command):
    """A command whose words are a search query. A word that begins with "-" excludes it from the
    matches (`-dollar`), so it is an option only when it is exactly one of the command's options
    (or a short one with a number attached, `-n5`): `-oil prices` is the query "-oil prices", never
    `-o il` (which would write an export over a file named "il prices"). The query's words may come
    anywhere, quoted as one argument or not; everything after `--` is query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _query_words_last(self.get_params(ctx), args))


def _query_words_last(params: list[click.Parameter], args: list[str]) -> list[str]:
    takes_value: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            for opt in (*param.opts, *param.secondary_opts):
                takes_value[opt] = not (param.is_flag or param.count)
    options: list[str] = []
    words: list[str] = []
    args = list(args)
    while args:
        arg = args.pop(0)
        if arg == "--":
            words += args
            break
        long_name = arg.split("=", 1)[0] if arg.startswith("--") else None
        if arg in takes_value:
            options.append(arg)
            if takes_value[arg] and args:
                options.append(args.pop(0))  # its value, whatever it looks like
        elif long_name in takes_value:
            options.append(arg)  # --since=1987-03
        elif len(arg) > 2 and not arg.startswith("--") and takes_value.get(arg[:2]) and arg[2:].isdigit():
            options.append(arg)  # -n5
        elif arg.startswith("--") and len(arg) > 2 and not arg[2].isspace():
            options.append(arg)  # an unknown --option: click says so, rather than searching for it
        else:
            words.append(arg)
    return options + (["--", *words] if words else [])


# --- ingest ------------------------------------------------------------------------


class ProgressLine:
    """Count, rate and ETA on one self-rewriting stderr line."""

    def __init__(self, stream, verb: str = "ingest", unit: str = "files") -> None:
        self.stream = stream
        self.verb, self.unit = verb, unit
        self.started = time.monotonic()
        self.last_drawn = 0.0

    def __call__(self, done: int, expected: int | None) -> None:
        now = time.monotonic()
        if now - self.last_drawn < 0.1:
            return
        self.last_drawn = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        line = f"{self.verb}: {done:,} {self.unit}, {rate:,.0f} {self.unit}/s"
        if expected:
            shown = min(done, expected)
            fraction = shown / expected
            bar = "#" * int(fraction * 24)
            eta = (expected - shown) / rate if rate else 0
            line = (
                f"{self.verb} [{bar:<24}] {shown:,}/{expected:,} {fraction:4.0%}  {rate:,.0f} {self.unit}/s"
                f"  ETA {int(eta) // 60}:{int(eta) % 60:02d}"
            )
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--glob", "pattern", default=sources.DEFAULT_GLOB, show_default=True,
              help="Which file names in folders and archives are articles (case aside: *.txt takes A.TXT)."
                   " Archives in folders are always opened.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes for reading and parsing [default: one per CPU].")
@click.option("--silent", "-s", is_flag=True, help="No progress bar.")
@click.option("--quiet", "-q", is_flag=True,
              help="Say only what needs a look (files rejected, gone, named after their folder, paths not there):"
                   " no progress, no summary. For cron, which mails whatever is printed.")
@click.option("--no-analysis", is_flag=True,
              help="Skip finding names, quotes and near-duplicates (faster; `news-archive analyse` adds them later).")
@click.option("--reread", is_flag=True,
              help="Read every file again, even those whose size and modification time are unchanged,"
                   " and parse the files rejected before again (after an upgrade of news-archive).")
@click.option("--follow-links", is_flag=True,
              help="Follow links to folders outside the folder walked (links inside it are always followed).")
def ingest(paths: tuple[str, ...], db_path: str, pattern: str, jobs: int | None, silent: bool, quiet: bool,
           no_analysis: bool, reread: bool, follow_links: bool) -> None:
    """Add article files, folders of them, or archives of them (.zip, .tar,
    .tar.gz/.tgz, .tar.bz2, .tar.xz), read without unpacking.

    Folders are walked recursively; hidden files and folders are skipped. A
    file found in a folder is named by its path in that folder; a file given
    itself, by the path as given. Unchanged files are skipped, changed files
    update their article, files gone from a folder or a changed archive are
    said (their articles stay), and files that cannot be read as articles (or are over 10 MB) are
    recorded in the rejects table with the reason. Exit status: 0 when every
    file went in (files rejected before and unchanged are summed up, not
    counted again), 3 when some were rejected or a path is not there, 1 on a
    fatal error, 2 on a mistyped command, 130 when interrupted.

    Example:

    \b
        news-archive ingest ~/clippings archive-2019.zip --db news.db
    """
    # A path that is not there is a typing mistake, not a file to keep among the rejects.
    missing = [path for path in paths if not os.path.lexists(path)]
    for path in missing:
        echo(f"cannot ingest {_shown(path)}: no such file or folder", err=True)
    paths = tuple(path for path in paths if path not in missing)
    if not paths:
        raise click.ClickException("nothing to ingest: no path given exists")
    stderr = sys.stderr
    show_progress = not (silent or quiet) and stderr.isatty()
    progress = ProgressLine(stderr) if show_progress else None
    with _library_errors(db_path), _index_errors():
        from . import ingest as ingester  # imported here: it brings numpy and the analysers along

        try:
            # Counting walks the whole tree first (a while, on a large archive): Ctrl-C then is one line too.
            expected = ingester.count_candidates(paths, pattern, db_path, follow_links) if show_progress else None
            report = ingester.ingest(db_path, paths, pattern=pattern, jobs=jobs, progress=progress, expected=expected,
                                     analyse=not no_analysis, reread=reread, follow_links=follow_links)
        finally:
            if progress:
                progress.close()
    still = set(report.still_rejected)
    for source, reason in report.rejected:
        if (source, reason) not in still:
            echo(f"rejected {_shown(source)}: {reason}", err=True)
    if still and not quiet:
        echo(f"{_count(len(still), 'file')} rejected before, unchanged, still rejected"
             " (news-archive stats lists every reject with its reason)", err=True)
    for source, alias in report.renamed[:GONE_SHOWN]:
        echo(f"named {_shown(alias)}: {_shown(source)} is the name of another folder's file in the archive", err=True)
    if len(report.renamed) > GONE_SHOWN:
        echo(f"… and {len(report.renamed) - GONE_SHOWN:,} more named after their folder", err=True)
    # An edit (its earlier text kept) and a move lose nothing: cron's -q leaves them out.
    for source, article_id in report.updated_files[:GONE_SHOWN] if not quiet else ():
        echo(f"updated {_shown(source)} (its earlier text is kept: article {article_id} lists it;"
             " news-archive stats counts earlier texts)", err=True)
    if len(report.updated_files) > GONE_SHOWN and not quiet:
        echo(f"… and {len(report.updated_files) - GONE_SHOWN:,} more updated, each keeping its earlier text", err=True)
    for moved in report.moved[:GONE_SHOWN] if not quiet else ():
        what = f"article {moved.article_id} takes the new name" if moved.article_id else "a reject, kept under the new name"
        echo(f"moved {_shown(moved.source)} → {_shown(moved.to)} (in {_shown(moved.folder)}; {what})", err=True)
    if len(report.moved) > GONE_SHOWN and not quiet:
        echo(f"… and {len(report.moved) - GONE_SHOWN:,} more moved", err=True)
    for gone in report.gone[:GONE_SHOWN]:
        echo(f"gone from {_shown(gone.folder)}: {_shown(gone.source)} ({_GONE_WAS.get(gone.was, _GONE_WAS['article'])})",
             err=True)
    if len(report.gone) > GONE_SHOWN:
        echo(f"… and {len(report.gone) - GONE_SHOWN:,} more gone (news-archive stats lists them all)", err=True)
    if not quiet:
        _say_joined_surnames(report.surnames)
    rate = report.files / report.seconds if report.seconds else 0
    if not report.files:
        echo(f"note: no article files were found in {', '.join(paths)} (looked for {pattern} and archives of them;"
             " --glob looks for others)", err=True)
    if not quiet:
        echo(f"{report.summary()} ({report.seconds:.1f}s, {rate:,.0f} files/s)", err=True)
    if len(report.rejected) > len(still) or missing:
        sys.exit(EXIT_REJECTED)


# Files gone from a folder are named one per line up to this many; stats lists every one.
GONE_SHOWN = 20
_GONE_WAS = {
    "article": "ingested before; what it held stays in the archive",
    "archive": "ingested before; what it held stays in the archive",
    "rejected": "rejected before; its bytes stay among the rejects",
    "rejected unread": "rejected before, its bytes unread; its reason stays among the rejects",
}


@cli.command()
@db_option
@click.option("--all", "everything", is_flag=True,
              help="Analyse every article again, not only those without names, quotes or a sketch.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: one per CPU].")
@click.option("--silent", "-s", is_flag=True, help="No progress bar.")
def analyse(db_path: str, everything: bool, jobs: int | None, silent: bool) -> None:
    """Find names, quotes and near-duplicates in articles already in the archive.

    By default only the articles that hold none of them are analysed: those
    ingested with --no-analysis (one in which nothing is found is not looked
    at again until it changes). With
    --all every article is analysed again, which is what an upgrade of
    news-archive needs to apply its better analysis to an existing archive.
    What the articles held before is replaced, and names no article mentions
    any more are dropped. Safe to interrupt: run it again to finish.

    It also builds the ranked search index when it is missing, and rebuilds it
    when another version of news-archive made it (`check` says so), without
    reading the article files again.

    Example:

    \b
        news-archive ingest big-folder/ --no-analysis && news-archive analyse
    """
    from . import ingest as ingester

    with _reader(db_path):
        pass  # an archive is there: analyse would otherwise make an empty one
    stderr = sys.stderr
    progress = ProgressLine(stderr, verb="analyse", unit="articles") if not silent and stderr.isatty() else None
    with _library_errors(db_path), _index_errors():
        try:
            report = ingester.analyse_archive(db_path, everything=everything, jobs=jobs, progress=progress)
        finally:
            if progress:
                progress.close()
    _say_joined_surnames(report.surnames)
    rate = report.analysed / report.seconds if report.seconds else 0
    echo(
        f"analysed {_count(report.analysed, 'article')}: {_count(report.names, 'name mention')},"
        f" {_count(report.quotes, 'quotation')}, {_count(report.near_duplicates, 'near-duplicate pair')} found;"
        f" {_count(report.names_dropped, 'name')} no longer mentioned"
        f" ({report.seconds:.1f}s, {rate:,.0f} articles/s)",
        err=True,
    )


def _say_joined_surnames(judged: list) -> None:
    """The surnames alone this run joined to a full name (name_aliases): a name's entry went."""
    joined = [j for j in judged if j.refused is None]
    for j in joined[:GONE_SHOWN]:
        echo(f"joined {j.surname!r} alone ({_count(j.articles, 'article')}) to {j.full[0][0]}, the one person of"
             " that surname the archive names often", err=True)
    if len(joined) > GONE_SHOWN:
        echo(f"… and {len(joined) - GONE_SHOWN:,} more surnames alone joined to a full name", err=True)


# --- search ------------------------------------------------------------------------


def _period(ctx, param, value: str | None) -> tuple[str, str] | None:
    """The first and last day a DATE names (a day, a month or a year): both are
    needed to swap --since and --until given the wrong way round."""
    if value is None or value == "":
        return None
    from .parse import DateError, parse_date_bound

    try:
        return parse_date_bound(value, end=False), parse_date_bound(value, end=True)
    except DateError as error:
        raise click.BadParameter(str(error)) from None


since_option = click.option("--since", callback=_period, metavar="DATE",
                            help="Only articles on or after this date (YYYY-MM-DD, or a year or month).")
until_option = click.option("--until", callback=_period, metavar="DATE",
                            help="Only articles on or before this date (YYYY-MM-DD, or a year or month).")


def _date_range(since: tuple[str, str] | None, until: tuple[str, str] | None) -> tuple[str | None, str | None]:
    """The first and last day to include. Dates the wrong way round are swapped, with a note,
    as the web page does: an empty result would not say why."""
    first = since[0] if since else None
    last = until[1] if until else None
    if first and last and first > last:
        echo("note: the --since date was after the --until date, so they were swapped", err=True)
        first, last = until[0], since[1]
    return first, last


def listing_options(what: str, *, most: int, default: int):
    """--limit, --page and --json, for the commands that list a page of something."""
    def apply(command):
        command = click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")(command)
        command = click.option("--page", type=click.IntRange(1, matches.MAX_PAGE), default=1, show_default=True,
                               help=f"Which page of {what}.")(command)
        return click.option("--limit", "-n", type=click.IntRange(1, most), default=default, show_default=True,
                            help=f"How many {what} a page (--page chooses which).")(command)
    return apply


def _span(page: int, per_page: int, shown: int) -> str:
    """ "21-40 of " for the second page of 20 listed, "" for none."""
    first = (page - 1) * per_page + 1
    return f"{first}-{first + shown - 1} of " if shown else ""


def _past_the_last(asked: int, found: dict, what: str) -> bool:
    """Whether the page asked for is past the last (the library then gives the last, as the web shows
    it). The command line lists nothing for it, so that a script reading page after page stops at an
    empty page instead of reading the last one again for ever; a note on stderr says how many there are."""
    if asked <= found["page"]:
        return False
    if found["total"]:
        pages = found["pages"]
        echo(f"note: there {'is' if pages == 1 else 'are'} only {_count(pages, 'page')} of {what}:"
             f" page {asked:,} lists nothing", err=True)
    return True


def _nothing_to_search(query: Query) -> bool:
    """A query was typed but every part of it was ignored: nothing matches (it is not "all articles")."""
    return query.is_empty and bool(query.text.strip())


NOTHING_TO_SEARCH = "the query has nothing to search for"


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1)
@since_option
@until_option
@listing_options("results", most=matches.MAX_PER_PAGE, default=20)
@click.option("--sort", type=click.Choice(matches.SORTS), default="relevance", show_default=True)
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Only articles that mention this person, organisation or place (repeat for all of several);"
                   " NAME:kind picks one kind, e.g. 'Saudi Arabia:place'.")
@click.option("--words", "with_words", is_flag=True,
              help="Also list the words that stand out in the best 200 stories found, against the whole archive.")
@db_option
def search(query, since, until, limit, page, sort, as_json, names, with_words, db_path) -> None:
    """Search the archive, best matches first.

    Words must all match; "quoted phrases" match exactly; OR between words
    matches either; -word excludes; word* matches words starting with it;
    "two words"~5 matches them at most 5 words apart, in either order.
    The query may be one quoted argument or several words. A result's
    [ID] is read whole with `news-archive show ID`.

    Example:

    \b
        news-archive search '"interest rates" bundesbank -dollar' --since 1987-03
    """
    from . import search as searcher

    query = " ".join(query)
    since, until = _date_range(since, until)
    with _reader(db_path) as conn:
        index = _ranked_index(db_path)
        chosen = _names_given(conn, names, index)
        result = searcher.search(conn, query, since=since, until=until, sort=sort, page=page, per_page=limit,
                                 with_timeline=False, with_facets=False, index=index,
                                 names=[n["id"] for n in chosen])
        standing_out = None
        if with_words:
            from .words import standing_out as words_standing_out

            standing_out = words_standing_out(conn, index, result.query, since, until, [n["id"] for n in chosen],
                                              leave_out=[n["name"] for n in chosen])
    past_the_last = _past_the_last(page, {"page": result.page, "pages": result.pages, "total": result.total},
                                   "results")
    if past_the_last:
        result.hits, result.folded = [], 0
    for note in result.notes:
        if not (past_the_last and note == matches.past_the_last(result.pages, "results")):  # said above
            echo(f"note: {note}", err=True)
    if as_json and standing_out is not None:
        click.echo(json.dumps({"results": [_hit_json(hit) for hit in result.hits],
                               "words": standing_out.as_json()}, ensure_ascii=False, indent=2))
    elif as_json:
        click.echo(json.dumps([_hit_json(hit) for hit in result.hits], ensure_ascii=False, indent=2))
    else:
        stdout_is_tty = sys.stdout.isatty()
        start, end = ("\x1b[1;33m", "\x1b[0m") if stdout_is_tty else ("**", "**")
        for hit in result.hits:
            versions = f"  (+{_count(hit.similar_versions, 'similar version')})" if hit.similar_versions else ""
            echo(f"{hit.date}  {click.style(hit.headline, bold=True)}  [{hit.id}]{versions}")
            echo(f"    {' '.join(hit.snippet_text(start, end).split())}")
            echo(f"    {hit.source}")
            echo()
    if _nothing_to_search(result.query):
        echo(f"0 matches: {NOTHING_TO_SEARCH}", err=True)
        return
    shown = _span(result.page, result.per_page, len(result.hits))
    understood = result.query.describe()
    if chosen:
        mentioning = "mentioning " + " and ".join(f"{n['name']} ({n['kind']})" for n in chosen)
        understood = f"{understood}, {mentioning}" if understood else f"articles {mentioning}"
    understood = understood or "(all articles)"
    folded = f" ({_count(result.folded, 'other version')} of stories listed left out)" if result.folded else ""
    echo(f"{shown}{result.total:,} matches{folded} for: {understood}", err=True)
    if standing_out is not None and not as_json:
        if standing_out.words:
            listed = ", ".join(f"{w['word']} ({w['sample_articles']})" for w in standing_out.words)
            echo(f"words that stand out in the {standing_out.chosen} {_count(standing_out.sample, 'story', 'stories')}:"
                 f" {listed}", err=True)
        else:
            echo(f"note: {standing_out.note}", err=True)


def _hit_json(hit) -> dict:
    return {"id": hit.id, "date": hit.date, "headline": hit.headline, "snippet": hit.snippet_html(),
            "source": hit.source, "similar_versions": hit.similar_versions}


# --- export -------------------------------------------------------------------------


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1)
@since_option
@until_option
@click.option("--format", "fmt", type=click.Choice(exporter.FORMATS), default="ndjson", show_default=True)
@click.option("--sort", type=click.Choice(matches.SORTS), default="oldest", show_default=True)
@click.option("--include-duplicates", is_flag=True, help="Also export exact copies of other articles.")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Only articles that mention this person, organisation or place (repeat for all of several);"
                   " NAME:kind picks one kind.")
@click.option("--sample", type=click.IntRange(1, matches.MAX_SAMPLE), metavar="N",
              help="Only a random sample of N of the matches (in date order), e.g. to read and code by hand.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1),
              help="The sample's seed: the same seed draws the same sample from the same archive (default: a new"
                   " one, said on stderr).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="Write to this file instead of standard output.")
@db_option
def export(query, since, until, fmt, sort, include_duplicates, names, sample, seed, output, db_path) -> None:
    """Export every matching article (all of them without a QUERY), with all fields.

    Streams: any number of articles in constant memory. CSV cells that a
    spreadsheet would run as formulas are prefixed with a quote. --sort
    relevance gives the order of `search` (best first), with every match;
    without a QUERY it gives the newest first. --sample N gives N of the
    matches drawn at random, oldest first (--sort newest: newest first).

    Example:

    \b
        news-archive export cocoa --since 1987-03-01 --format csv -o cocoa.csv
        news-archive export strike --sample 100 --seed 7 --format csv -o strike-sample.csv
    """
    from .query import parse_query

    as_bytes = fmt == "ndjson"  # each row arrives as SQLite's UTF-8 JSON text and is written as it is
    query = " ".join(query)
    since, until = _date_range(since, until)
    parsed = parse_query(query)
    for note in parsed.notes:  # the same notes as `search` gives for the same query
        echo(f"note: {note}", err=True)
    if seed is not None and sample is None:
        raise click.UsageError("--seed chooses a sample's draw: give --sample N too")
    if sample is not None and sort == "relevance":
        sort = "oldest"
        echo("note: a sample is exported by date, oldest first (--sort newest: newest first)", err=True)
    if sort == "relevance" and not parsed.text.strip():
        # Nothing to rank: the order `search` gives without a query.
        sort = "newest"
        echo("note: with no query there is nothing to rank by relevance: exported newest first", err=True)
    with _reader(db_path) as conn:
        index = _ranked_index(db_path) if names or not parsed.is_empty else None
        name_ids = [n["id"] for n in _names_given(conn, names, index)]  # before the output file: a bad name makes none
        index = None if parsed.is_empty else index
        if parsed.has_phrases and index is None and not store.fts_has_positions(conn):
            from .search import PHRASE_FALLBACK_NOTE

            echo(f"note: {PHRASE_FALLBACK_NOTE}", err=True)
        drawn = None
        if sample is not None:
            if seed is None:
                import secrets

                seed = secrets.randbelow(1_000_000)
            drawn, population = matches.sample_ids(conn, parsed, sample, seed, since=since, until=until, sort=sort,
                                                   include_duplicates=include_duplicates, index=index, names=name_ids)
            echo(f"note: a random sample of {len(drawn):,} of the {population:,} matches, seed {seed}"
                 f" (--seed {seed} draws the same sample again)", err=True)
        with _output_errors(output), _output(output, as_bytes) as out:
            if as_bytes:
                conn.text_factory = bytes
            if drawn is not None:
                rows = matches.articles_in_order(conn, drawn, as_json=fmt != "csv")
            else:
                rows = matches.iter_matches(conn, parsed, since=since, until=until, sort=sort,
                                             include_duplicates=include_duplicates, index=index,
                                             as_json=fmt != "csv", names=name_ids)
            if as_bytes:
                written = exporter.write_ndjson_bytes(rows, out)
            else:
                written = exporter.write(rows, fmt, out, matches.EXPORT_COLUMNS)
    why_none = f": {NOTHING_TO_SEARCH}" if _nothing_to_search(parsed) else ""
    echo(f"exported {_count(written, 'article')}{why_none}", err=True)


# --- names ----------------------------------------------------------------------------


@cli.command(name="names")
@click.argument("text", required=False, default="")
@click.option("--kind", type=click.Choice(["person", "organisation", "organization", "place"]), default=None,
              callback=lambda ctx, param, value: _KINDS.get(value) if value else None,
              help="Only names of this kind.")
@listing_options("names", most=10_000, default=25)
@db_option
def names_command(text: str, kind: str | None, limit: int, page: int, as_json: bool, db_path: str) -> None:
    """The people, organisations and places the articles mention, the most
    mentioned first: all of them, or those with a word starting with TEXT.

    Example:

    \b
        news-archive names volck --kind person
    """
    from .browse import names_directory

    with _reader(db_path) as conn:
        found = names_directory(conn, text, kind, page, _ranked_index(db_path), per_page=limit)
    if _past_the_last(page, found, "names"):
        found["names"] = []
    if as_json:
        click.echo(json.dumps(found["names"], ensure_ascii=False, indent=2))
    else:
        width = max((len(f"{n['articles']:,}") for n in found["names"]), default=1)
        for n in found["names"]:
            echo(f"{n['articles']:>{width},}  {n['name']}  ({n['kind']}, id {n['id']})")
    shown = _span(found["page"], limit, len(found["names"]))
    plural = {"person": "people", "organization": "organisations", "place": "places"}.get(kind or "", "names")
    if found["q"]:
        more = " (the first found: type more of the name to narrow it)" if found["limited"] else ""
        what = f"{found['total']:,} {plural} with a word starting with {found['q']!r}{more}"
    else:
        what = f"the {found['total']:,} most mentioned {plural}"
        if found["limited"]:
            what += f" among the {found['listed_at_most']:,} most mentioned names (type a name to find the others)"
    echo(f"{shown}{what}; the number is how many articles mention each", err=True)


# --- quotes ----------------------------------------------------------------------------


@cli.command(name="quotes", cls=QueryCommand)
@click.argument("text", nargs=-1)
@click.option("--speaker", default=None, metavar="WORDS",
              help="Only quotations whose speaker has every one of these words (case aside).")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Only quotations attributed to this person or organisation (as `search --name`).")
@since_option
@until_option
@listing_options("quotations", most=1_000, default=25)
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv", "ndjson")), default="text",
              show_default=True,
              help="json: the page, as /quotes.json (the same as --json); csv and ndjson: every quotation found, not a"
                   " page, with the columns of /quotes.csv (the article's url aside).")
@db_option
def quotes_command(text: str, speaker: str | None, names: tuple[str, ...], since, until, limit: int, page: int,
                   as_json: bool, fmt: str, db_path: str) -> None:
    """Quotations found in the articles: those with the words of TEXT (the
    query language of `search`), by a speaker, attributed to a name, or from
    articles of some dates. The best matches first, or the newest when no
    words are given.

    Example:

    \b
        news-archive quotes dollar --speaker baker --since 1987-03
        news-archive quotes --name 'Paul Volcker' --format csv
    """
    from .browse import QUOTE_EXPORT_COLUMNS, iter_quotes, quotes_search
    from .query import parse_query

    if len(names) > 1:  # click would keep the last one silently
        raise click.UsageError("give one --name: a quotation has one speaker")
    if as_json and fmt not in ("text", "json"):
        raise click.UsageError(f"--json is --format json: give one of them, not --format {fmt} too")
    fmt = "json" if as_json else fmt
    every = fmt in ("csv", "ndjson")
    ctx = click.get_current_context()
    paged = [f"--{name}" for name in ("limit", "page")
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
    if every and paged:
        raise click.UsageError(f"{' and '.join(paged)} choose{'s' if len(paged) == 1 else ''} a page: --format {fmt}"
                               " gives every quotation found")
    query = parse_query(" ".join(text))
    for note in query.notes:
        echo(f"note: {note}", err=True)
    if _nothing_to_search(query):
        # What the other formats give for no quotations: an empty array, CSV's header.
        if fmt == "json":
            click.echo("[]")
        elif fmt == "csv":
            exporter.write([], "csv", sys.stdout, QUOTE_EXPORT_COLUMNS)
        echo(f"0 quotations: {NOTHING_TO_SEARCH}", err=True)
        return
    since, until = _date_range(since, until)
    with _reader(db_path) as conn:
        chosen = _names_given(conn, names, _ranked_index(db_path)) if names else []
        speaker_id = chosen[0]["id"] if chosen else None
        if every:
            rows = iter_quotes(conn, query, speaker, speaker_id, since, until)
            written = exporter.write(rows, fmt, sys.stdout, QUOTE_EXPORT_COLUMNS)
        else:
            found = quotes_search(conn, query, speaker, page, per_page=limit, speaker_id=speaker_id, since=since,
                                  until=until)
    asked = [f"with {query.describe()}"] if not query.is_empty else []
    if speaker and speaker.strip():
        asked.append(f"by a speaker called {speaker.strip()!r}")
    if chosen:
        asked.append(f"attributed to {chosen[0]['name']} ({chosen[0]['kind']})")
    if since or until:
        asked.append(f"from {since or 'the first'} to {until or 'the last'}")
    if every:
        echo(f"exported {_count(written, 'quotation')} {', '.join(asked) or 'in the archive, newest first'}", err=True)
        return
    if _past_the_last(page, found, "quotations"):
        found["quotes"] = []
    if fmt == "json":
        # The keys of /quotes.json's quotations ("marked" holds the matches between control characters).
        listed = [{key: value for key, value in row.items() if key != "marked"} for row in found["quotes"]]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        for q in found["quotes"]:
            echo(f"\u201c{' '.join(q['quote'].split())}\u201d")
            said = f"{q['speaker']}, " if q["speaker"] else ""
            versions = f"  (also in {_count(q['versions'], 'other version')})" if q["versions"] else ""
            echo(f"    {said}{q['date']}, {' '.join(q['headline'].split())}  [article {q['article_id']}]"
                       + versions)
            echo()
    shown = _span(found["page"], limit, len(found["quotes"]))
    echo(f"{shown}{_count(found['total'], 'quotation')} {', '.join(asked) or 'in the archive, newest first'}", err=True)


# --- stats ----------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@db_option
def stats(as_json: bool, db_path: str) -> None:
    """What the archive holds: counts, dates, articles per month, rejects, gone files.

    Example:

    \b
        news-archive stats --json | jq .per_year
    """
    from .stats import archive_stats

    with _reader(db_path) as conn:
        data = archive_stats(conn)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    echo(f"articles    {data['articles']:,} ({data['originals']:,} originals, {data['duplicates']:,} exact duplicates)")
    echo(f"words       {data['words']:,}")
    echo(f"dates       {data['first_date'] or '-'} to {data['last_date'] or '-'}")
    stories = _count(data["near_duplicate_clusters"], "story", "stories")
    echo(f"similar     {stories} with near-duplicate versions ({_count(data['articles_in_clusters'], 'article')})")
    names = data["names"]
    echo(f"names       {_count(names['person'], 'person', 'people')}, "
               f"{_count(names['organization'], 'organisation')}, {_count(names['place'], 'place')}")
    repeated = data["quotes"] - data["quotes_listed"]
    listed = f"; {repeated:,} repeated in another version of their story, so {data['quotes_listed']:,} listed" \
        if repeated else ""
    echo(f"quotes      {data['quotes']:,} ({data['quotes_attributed']:,} with a speaker{listed})")
    echo(f"rejected    {data['rejected']:,}")
    if data["earlier_texts"]:
        echo(f"earlier     {_count(data['earlier_texts'], 'earlier text')} of"
             f" {_count(data['articles_with_earlier_texts'], 'article')} whose file changed (kept; on the article's page)")
    if data["gone"]:
        echo(f"gone        {_count(data['gone'], 'source file')} no longer in the folder or archive file"
                   " ingested (what they held stays)")
    echo(f"last ingest {data['last_ingest'] or '-'}")
    if data["per_year"]:
        echo("\nper year (originals: exact copies are counted once)")
        for row in data["per_year"]:
            echo(f"  {row['year']}  {row['count']:>9,}")
        echo("\nper month")
        peak = max(row["count"] for row in data["per_month"])
        for row in data["per_month"]:
            bar = "#" * max(1, round(40 * row["count"] / peak))
            echo(f"  {row['month']}  {row['count']:>9,}  {bar}")
    if data["reject_reasons"]:
        echo("\nrejects by reason")
        for row in data["reject_reasons"]:
            echo(f"  {row['count']:>6,}  {row['reason']}")
        echo("\nrejected files")
        for row in data["rejects"][:50]:
            where = f" (in {_shown(row['folder'])})" if row["folder"] else ""
            echo(f"  {_shown(row['source'])}{where}: {row['reason']}")
        if len(data["rejects"]) > 50:
            echo(f"  … and {len(data['rejects']) - 50:,} more (news-archive stats --json lists all)")
    if data["gone_sources"]:
        echo("\nsource files gone from their folder or archive file (noticed at an ingest of it)")
        for row in data["gone_sources"]:
            echo(f"  {_shown(row['folder'])}: {_shown(row['source'])} (since {row['noticed_at']})")


# --- show --------------------------------------------------------------------------------


@cli.command()
@click.argument("article_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON (the fields of /article/ID.json).")
@db_option
def show(article_id: int, as_json: bool, db_path: str) -> None:
    """Read one article: its text, where it came from, the names and quotations found
    in it, its copies and the other versions of its story. ID is the number that
    `search` prints in brackets.

    Example:

    \b
        news-archive show 10532
    """
    from . import browse

    with _reader(db_path) as conn:
        row = browse.article(conn, article_id)
        if row is None:
            raise click.ClickException(f"there is no article {article_id} in {db_path}")
        row["related"] = browse.related(conn, row, index=_ranked_index(db_path))
        earlier = browse.earlier_texts(conn, article_id, with_body=as_json)
    if as_json:
        data = {key: row[key] for key in browse.ARTICLE_COLUMNS}
        for key in ("paragraph_texts", "copies", "source_gone", "source_rejected", "previous", "next", "names",
                    "quotes", "similar", "related"):
            data[key] = row[key]
        data["earlier_texts"] = earlier
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    echo(click.style(" ".join(row["headline"].split()), bold=True))
    updated = f", changed {row['updated_at']}" if row["updated_at"] else ""
    echo(f"{row['date']} · {_shown(row['source'])} · article {row['id']} · {_count(row['words'], 'word')}"
         f" · ingested {row['ingested_at']}{updated}")
    echo()
    for block in row["blocks"]:
        text = block["text"] if block["kind"] == "table" else " ".join(block["text"].split())
        echo(text)
        echo()
    if row["names"]:
        echo("names   " + ", ".join(f"{n['name']} ({_KIND_SHOWN.get(n['kind'], n['kind'])}"
                                    f"{', ' + str(n['mentions']) + 'x' if n['mentions'] > 1 else ''})"
                                    for n in row["names"]))
    for quote in row["quotes"]:
        said = f" ({quote['speaker']})" if quote["speaker"] else ""
        echo(f"quote   “{' '.join(quote['quote'].split())}”{said}")
    for copy in row["copies"]:
        gone = "; its file has gone from its folder" if copy["gone"] else ""
        echo(f"copy    [{copy['id']}] {_shown(copy['source'])} (the same bytes{gone})")
    for other in row["similar"]:
        alike = f" ({other['similarity']:.0%} alike)" if other["similarity"] is not None else ""
        echo(f"version [{other['id']}] {other['date']}  {' '.join(other['headline'].split())}{alike}")
    for text in earlier:
        echo(f"earlier text {text['number']}: {text['headline']} (held {text['since'] or '?'} to {text['replaced_at']})")
    for gone in row["source_gone"]:
        echo(f"note: its file is no longer in {_shown(gone['folder'])} (since {gone['noticed_at']}); its text is kept")
    if row["source_rejected"]:
        echo(f"note: its file could not be read at the last ingest ({row['source_rejected']['reason']});"
             " the text shown is the last one read")
    for r in row["related"]:
        echo(f"related [{r['id']}] {r['date']}  {' '.join(r['headline'].split())}")
    around = [f"{label} [{row[key]['id']}] {' '.join(row[key]['headline'].split())}"
              for key, label in (("previous", "before"), ("next", "after")) if row[key]]
    if around:
        echo("by date: " + " · ".join(around), err=True)


_KIND_SHOWN = {"organization": "organisation"}


# --- compare -----------------------------------------------------------------------------


@cli.command(cls=QueryCommand)
@click.argument("searches", nargs=-1)
@since_option
@until_option
@click.option("--by", "unit", type=click.Choice(("day", "week", "month", "year")),
              help="Count per day, week, month or year (default: chosen by the dates, as on the web).")
@click.option("--share", is_flag=True,
              help="Show each count as a share of all articles of its period (csv and json: shares after the counts).")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Also count the articles that mention this person, organisation or place (repeatable;"
                   " NAME:kind picks one kind).")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
@db_option
def compare(searches, since, until, unit, share, names, fmt, db_path) -> None:
    """Compare how often several searches match over time, period by period.

    Each argument is one search, written as for `search` (quote a search of
    several words); each --name adds the articles that mention a name. Up to 6
    in all. The column `all` is the number of articles of each period, for shares.

    Example:

    \b
        news-archive compare oil gold '"interest rates"' --by month --share
    """
    from . import compare as comparing

    if not searches and not names:
        raise click.UsageError("give the searches to compare, e.g. news-archive compare oil gold")
    since, until = _date_range(since, until)
    with _reader(db_path) as conn:
        index = _ranked_index(db_path)
        chosen = _names_given(conn, names, index)
        found = comparing.compare(conn, list(searches), since=since, until=until, unit=unit, index=index,
                                  names=chosen)
    for note in found.notes:
        echo(f"note: {note}", err=True)
    # Every search left out (each with its note): as `search` with nothing to search for, a note and exit 0.
    nothing = not found.series
    columns = [one.heading for one in found.series]

    def shares(point: dict) -> list[float | None]:
        return [round(count / point["all"], 6) if point["all"] else None for count in point["counts"]]

    if fmt == "json":
        periods = [{**point, "shares": shares(point)} for point in found.points] if share else found.points
        click.echo(json.dumps({
            "searches": [one.as_json() for one in found.series],
            "since": found.since, "until": found.until, "unit": found.unit, "periods": periods,
            "notes": found.notes,
        }, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        # The columns of /compare.csv, and with --share each search's share of all articles after them.
        writer = csv.writer(sys.stdout)
        headings = [exporter.neutralise_cell(column) for column in columns]
        writer.writerow([found.unit, "all_articles", *headings,
                         *(exporter.neutralise_cell(f"{column} share") for column in columns if share)])
        for point in found.points:
            writer.writerow([point["period"], point["all"], *point["counts"],
                             *(("" if one is None else one for one in shares(point)) if share else ())])
    elif not nothing:
        def cell(count: int, everything: int) -> str:
            if not share:
                return f"{count:,}"
            return f"{count / everything:.1%}" if everything else "-"

        header = [found.unit, "all", *columns]
        rows = [[point["period"], f"{point['all']:,}", *(cell(c, point["all"]) for c in point["counts"])]
                for point in found.points]
        widths = [max(len(_shown(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            echo("  ".join(_shown(text).ljust(width) if i == 0 else _shown(text).rjust(width)
                           for i, (text, width) in enumerate(zip(row, widths))).rstrip())
    if nothing:
        echo("0 matches: none of these searches has anything to search for", err=True)
        return
    if fmt != "table":
        return
    totals = ", ".join(f"{one.text} {one.total:,}" for one in found.series)
    echo(f"matches per {found.unit}{' as shares of all articles' if share else ''}: {totals}", err=True)
    if not found.points:
        echo("none of these searches matched", err=True)


# --- keyword in context ----------------------------------------------------------------


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1)
@since_option
@until_option
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Only articles that mention this person, organisation or place (repeatable; NAME:kind picks"
                   " one kind).")
@click.option("--order", type=click.Choice(("oldest", "newest", "relevance")), default="oldest", show_default=True,
              help="Which matching articles are read first (what --sort is to search and export; --sort-by sorts"
                   " the lines).")
@click.option("--sort-by", "arrange", type=click.Choice(("text", "left", "right", "match")), default="text",
              show_default=True,
              help="Sort the lines by the words to the left of the occurrence (nearest first), to its right, or by"
                   " the words matched; text keeps the order read. Not the order the articles are read in: --order.")
@click.option("--width", type=click.IntRange(10, 200), default=50, show_default=True,
              help="Characters of context on each side.")
@click.option("--limit", "-n", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="The most lines in all, from the articles read first (concordance has no pages; in search, names"
                   " and quotes -n is the size of a page).")
@click.option("--all-versions", is_flag=True,
              help="Read every version of a story (by default only the first of a story's versions is read).")
@click.option("--format", "fmt", type=click.Choice(("text", "csv", "json")), default="text", show_default=True)
@db_option
def concordance(query, since, until, names, order, arrange, width, limit, all_versions, fmt, db_path) -> None:
    """Every occurrence of the words of a search, each on a line with the words around it.

    A keyword-in-context concordance: how a word is used, not only where.
    The query is written as for `search`; its words are found in every form
    the search matches (price, prices, priced). --sort-by left or right puts
    the same turns of phrase together. Each line ends with its article's
    [ID], read whole with `news-archive show ID`.

    Example:

    \b
        news-archive concordance '"oil prices"' --sort-by right --limit 50
    """
    from . import concordance as kwic
    from .query import parse_query

    if not " ".join(query).strip():  # as compare with nothing to compare: --name narrows, it finds no words
        raise click.UsageError("give the words to find, e.g. news-archive concordance oil")
    parsed = parse_query(" ".join(query))
    since, until = _date_range(since, until)
    with _reader(db_path) as conn:
        index = _ranked_index(db_path) if parsed.terms() else None
        chosen = _names_given(conn, names, index)
        found = kwic.concordance(conn, parsed, since=since, until=until, names=[n["id"] for n in chosen],
                                 index=index, order=order, arrange=arrange, width=width, most=limit,
                                 all_versions=all_versions)
    for note in found.notes:
        echo(f"note: {note}", err=True)
    if fmt == "json":
        data = {**found.summary_json(), "notes": found.notes, "lines": [line.as_json() for line in found.lines]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        exporter.write([line.as_json() for line in found.lines], "csv", sys.stdout, kwic.CSV_COLUMNS)
    else:
        tty = sys.stdout.isatty()
        start, end = ("\x1b[1;33m", "\x1b[0m") if tty else ("", "")
        for line in found.lines:
            echo(f"{line.date}  {_shown(line.left).rjust(width)}{start}{_shown(line.match)}{end}"
                 f"{_shown(line.right).ljust(width)}  [{line.article_id}]")
    echo(_concordance_summary(found), err=True)


def _concordance_summary(found) -> str:
    if not found.query.terms():
        return f"0 lines: {NOTHING_TO_SEARCH}"
    first = {"oldest": "oldest first", "newest": "newest first", "relevance": "best first"}[found.order]
    if found.complete:
        read = f"from all {_count(found.matching, 'matching article')}"
    else:
        read = f"(the --limit) from the first {found.read:,} of {_count(found.matching, 'matching article')}, {first}"
    folded = f"; {_count(found.folded, 'later version')} of stories left out" if found.folded else ""
    forms = ", ".join(f"{form} {n:,}" for form, n in found.forms[:8])
    summary = f"{_count(len(found.lines), 'line')} {read}{folded}" + (f"; forms: {forms}" if forms else "")
    for side, label in (("left", "most often right before"), ("right", "most often right after")):
        neighbours = ", ".join(f"{word} {n:,}" for word, n in found.neighbours(side))
        summary += f"\n{label}: {neighbours}" if neighbours else ""
    return summary


# --- check -------------------------------------------------------------------------------


@cli.command()
@click.option("--full", is_flag=True,
              help="Also check every index against its table, the full-text indexes and the references between"
                   " tables (reads more: 34 s against 8 s on the 1M-article benchmark archive).")
@db_option
def check(full: bool, db_path: str) -> None:
    """Check that the archive is sound: its database file, its contents and its ranked index.

    Reads only. Exit status 0 when every check passed, 1 when one found a problem. Run it on a
    copy or a backup too (--db). Example:

    \b
        news-archive check --db backups/news.db --full
    """
    from .check import check_archive

    if not Path(db_path).exists():
        raise click.ClickException(f"no archive at {db_path}: run `news-archive ingest PATH --db {db_path}` first")
    with _library_errors(db_path):
        checks = check_archive(db_path, full=full)
    width = max(len(one.what) for one in checks)
    for one in checks:
        echo(f"{one.what.ljust(width)}  {one.detail}")
        for problem in one.problems:
            echo(f"{' ' * width}    {_shown(problem)}")
    failed = [one.what for one in checks if not one.ok]
    if failed:
        raise click.ClickException(f"{db_path}: problems found ({', '.join(failed)})")
    echo(f"{db_path}: every check passed{'' if full else ' (--full checks more)'}", err=True)


# --- backup ------------------------------------------------------------------------------


@cli.command()
@click.argument("dest", type=click.Path())
@db_option
@click.option("--force", is_flag=True, help="Overwrite DEST (and DEST.index) if they exist.")
def backup(dest: str, db_path: str, force: bool) -> None:
    """Copy the archive to DEST, and its ranked index to DEST.index, consistently.

    Safe while an ingest or the server runs: the database is copied with
    SQLite's online backup (what is still in its WAL included), from one
    snapshot. The ranked index is copied with it when no ingest is writing
    it; otherwise it is left out, with a note, and the first ingest of the
    copy rebuilds it. DEST's folder must exist. To restore, with no ingest
    or serve running, back the backup up over the archive (its files are put
    in place only when whole; do not delete news.db-wal by hand):

    \b
        news-archive backup --db BACKUP news.db --force

    Example:

    \b
        news-archive backup /mnt/backups/news-2026-12-08.db
    """
    from .backup import BackupError, backup as make_backup

    with _library_errors(db_path):
        try:
            report = make_backup(db_path, dest, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
    index = (f" and its ranked index to {_shown(dest)}.index ({readable_size(report.index_bytes)})"
             if report.index_copied else "")
    echo(f"backed up {_shown(db_path)} to {_shown(dest)}: {_count(report.articles, 'article')},"
         f" {readable_size(report.db_bytes)}{index}", err=True)
    if not report.index_copied:
        echo(f"note: the ranked index is not in the backup: {report.index_note}", err=True)


# --- serve -------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--demo", is_flag=True,
              help="With no archive at --db yet, make one of the bundled sample articles to try the reading room.")
@click.option("--setting", "settings", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A Datasette setting, as `datasette --setting` takes it (repeatable): base_url /news/ serves under"
                   " that path behind a proxy.")
@click.option("-m", "--metadata", "metadata_file", type=click.Path(dir_okay=False), default=None,
              help="A Datasette metadata file (JSON or YAML), as `datasette -m` takes it: a title, allow blocks"
                   " for permissions; added to the archive's own.")
def serve(db_path: str, host: str, port: int, demo: bool, settings: tuple[tuple[str, str], ...],
          metadata_file: str | None) -> None:
    """Browse and search the archive in a web browser (Datasette with the news-archive plugin).

    With --demo and no database yet, the bundled sample articles are ingested first.

    Example:

    \b
        news-archive serve --db news.db --port 8001
        news-archive serve --setting base_url /news/ -m metadata.json
    """
    # Read before the web modules load (one of them reads its own at import) and before anything is made.
    head_seconds = _seconds_from_environment("NEWS_ARCHIVE_REQUEST_HEAD_SECONDS")
    _seconds_from_environment("NEWS_ARCHIVE_EXPORT_STALL_SECONDS")  # web/views.py reads it
    from .web.app import REQUEST_HEAD_SECONDS, datasette_settings, head_deadline_protocol, make_datasette, \
        read_metadata, sample_folder

    # Read before anything is made or upgraded: a mistyped option changes nothing.
    try:
        extra_settings = datasette_settings(settings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--setting'") from None
    try:
        user_metadata = read_metadata(metadata_file) if metadata_file else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'-m' / '--metadata'") from None
    _check_can_listen(host, port)  # before the archive is made or upgraded, and before "Serving" is printed
    from . import ingest as ingester

    if not Path(db_path).exists() and not demo:
        # Not made silently: an archive started with the sample would keep its two articles for good
        # (a typo in --db, or a server started before the first ingest).
        raise click.ClickException(f"no archive at {db_path}: make it with `news-archive ingest FOLDER --db {db_path}`"
                                   " (or try the bundled sample with `news-archive serve --demo`)")
    if not Path(db_path).exists():
        sample = sample_folder()
        echo(f"no archive at {db_path} yet: ingesting the sample articles in {sample}", err=True)
        with _library_errors(db_path):
            report = ingester.ingest(db_path, [str(sample)], jobs=1)
        echo(report.summary(), err=True)
    with _reader(db_path) as conn:
        outdated = store.schema_outdated(conn)
    if outdated:
        # Before serving, not while: the server itself never writes to the archive.
        echo(f"{db_path} was made by an older news-archive: bringing it up to date", err=True)
        with _library_errors(db_path), _index_errors():
            ingester.upgrade(db_path)
    import uvicorn
    import asyncio

    datasette = make_datasette(db_path, extra_settings=extra_settings, user_metadata=user_metadata)
    asyncio.run(datasette.invoke_startup())
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    echo(f"Serving {db_path} at http://{shown_host}:{port}{datasette.urls.path('/')}  (Ctrl-C to stop)", err=True)
    # Connections beyond MAX_CONNECTIONS are answered 503 at once rather than queued.
    # Connections too slow to send a request are closed (see head_deadline_protocol); the tests
    # shorten the deadline with NEWS_ARCHIVE_REQUEST_HEAD_SECONDS.
    head_seconds = head_seconds or REQUEST_HEAD_SECONDS
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on",
                limit_concurrency=MAX_CONNECTIONS, http=head_deadline_protocol(head_seconds))


def _seconds_from_environment(name: str) -> float | None:
    """A number of seconds set in the environment variable ``name`` (None when it is not set or empty),
    or one clear error line: a word there was a traceback from float() as the server started."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds < float("inf"):
        raise click.ClickException(f"{name} is {value[:40]!r}: it must be a number of seconds above 0 (or unset)")
    return seconds


def _check_can_listen(host: str, port: int) -> None:
    """One clear error line now if the server could not listen on host:port. Sockets are bound as
    asyncio binds them for uvicorn (every address of the host, SO_REUSEADDR, IPv6 only on IPv6
    sockets), then closed: only a pre-check, as another program may still take the port first."""
    import socket

    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    bound = []
    try:
        for family, kind, protocol, _, address in set(socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                         flags=socket.AI_PASSIVE)):
            try:
                listener = socket.socket(family, kind, protocol)
            except OSError:
                continue  # an address family this machine lacks: asyncio skips it too
            bound.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
    except OSError as error:  # including a host name that does not resolve
        raise click.ClickException(f"cannot serve on {shown}: {(error.strerror or str(error)).lower()}") from None
    finally:
        for listener in bound:
            listener.close()


# --- shared plumbing ---------------------------------------------------------------------


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


@contextlib.contextmanager
def _output(path: str, as_bytes: bool):
    """The file to write to (``-``: standard output), in bytes or text. A file is written under a
    temporary name beside it and takes its name only when whole, so that an export that fails or is
    interrupted leaves the file it would have replaced as it was (last night's good copy), and the
    temporary goes. What is not a regular file (``/dev/null``, a named pipe) is written to as it is.
    Errors name the file asked for, never the temporary."""
    if path == "-":
        if as_bytes:
            sys.stdout.flush()
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        else:
            yield sys.stdout
        return
    target = os.path.realpath(path)  # through a link: the file it leads to is replaced, the link kept
    if os.path.exists(target) and not os.path.isfile(target):
        with open(path, "wb") if as_bytes else open(path, "w", encoding="utf-8", newline="") as out:
            yield out
        return
    import secrets

    temporary = f"{target}.partial-{secrets.token_hex(4)}"
    try:
        out = open(temporary, "xb") if as_bytes else open(temporary, "x", encoding="utf-8", newline="")
    except OSError as error:
        raise OSError(error.errno, error.strerror, path) from None
    try:
        with out:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporary, os.stat(target).st_mode & 0o7777)  # who may read it stays as it was
            yield out
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it takes the name: a crash leaves the old or the new
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise OSError(error.errno, error.strerror, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _output_errors(path: str):
    """A failed write (a full disk) said of the file written, not of the archive read."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        if error.filename is not None:
            raise
        shown = "standard output" if path == "-" else _shown(path)
        raise click.ClickException(f"{shown}: cannot write the export: {error.strerror or error}") from None


def _ranked_index(db_path: str) -> SearchIndex | None:
    """The fast search index, or None (with a note saying why) to search with FTS5 alone: it is
    missing or damaged, built for another database, or does not hold what the archive holds."""
    from .search_index import IndexUnavailable, SearchIndex, index_problem

    try:
        index = SearchIndex.open(db_path)
    except IndexUnavailable as error:
        echo(f"note: {error.note}", err=True)
        return None
    conn = store.connect_readonly(db_path)
    try:
        problem = index_problem(index, conn)
    finally:
        conn.close()
    if problem:
        echo(f"note: {problem}", err=True)
        return None
    return index


@contextlib.contextmanager
def _reader(db_path: str):
    if not Path(db_path).exists():
        raise click.ClickException(f"no archive at {db_path}: run `news-archive ingest PATH --db {db_path}` first")
    with _library_errors(db_path):
        conn = store.connect_readonly(db_path)
        try:
            problem = store.schema_problem(conn)
            if problem:
                raise click.ClickException(f"{db_path} is {problem}")
            yield conn
        finally:
            conn.close()


@contextlib.contextmanager
def _library_errors(db_path: str):
    """Library and database failures become one clear line and exit status 1."""
    try:
        yield
    except (click.ClickException, BrokenPipeError):
        raise
    except store.NotAnArchive as error:
        raise click.ClickException(f"{db_path} is {error}") from None
    except _index_damaged() as error:
        from .search_index import index_path

        raise click.ClickException(
            f"{db_path}: the fast search index beside it is damaged ({error.detail}); move"
            f" {index_path(db_path)} aside: searches then use the slower full-text index, and `news-archive analyse`"
            " (or the next ingest) builds the index again") from None
    except sqlite3.DatabaseError as error:
        if store.on_read_only_media(db_path) and ("readonly" in str(error) or "unable to open" in str(error)):
            raise click.ClickException(f"{db_path}: the archive is on read-only media (its folder cannot be"
                                       " written to): it can be searched, exported and served, not changed") from None
        folder = os.path.dirname(os.path.abspath(db_path))
        if "unable to open" in str(error) and not os.path.isdir(folder):
            raise click.ClickException(f"{db_path}: there is no folder {folder} to make the archive in") from None
        if "database is locked" in str(error):
            raise click.ClickException(f"{db_path}: another program is writing to the archive (an ingest or"
                                       " analyse still running?); run this again when it has finished") from None
        raise click.ClickException(f"{db_path}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"{error.filename or db_path}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        raise Interrupted(INTERRUPTED) from None


def _index_damaged() -> type:
    """search_index.IndexDamaged, imported only once a reader has opened the index (the index
    module brings tantivy in, which commands that never search need not load)."""
    module = sys.modules.get("news_archive.search_index")
    return module.IndexDamaged if module is not None else _NeverRaised


class _NeverRaised(Exception):
    pass


# 128 + SIGPIPE: the status a shell reports for cat or grep when the reader of their output went away
# (`| head`), which `set -o pipefail` scripts already expect of them; 1 would say the command failed.
EXIT_READER_GONE = 141


class ReaderGone(click.ClickException):
    """The reader of the output went away (`| head`): the command ends quietly, with EXIT_READER_GONE."""

    exit_code = EXIT_READER_GONE

    def __init__(self) -> None:
        super().__init__("the reader of the output went away")

    def show(self, file=None) -> None:
        _quiet_from_now()


def _quiet_from_now() -> None:
    """Nothing more can be said (the pipe is gone, stderr too with `2>&1 | head`), and Python's own flush
    at exit must not try again: both descriptors go to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.dup2(devnull, sys.stderr.fileno())
    os.close(devnull)


class Interrupted(click.ClickException):
    """Ctrl-C or a kill: exit status 130 (128 + SIGINT), as shells report an interrupt, not 1 (a failure)."""

    exit_code = 130


_KINDS = {"person": "person", "organization": "organization", "organisation": "organization", "place": "place"}


def _names_given(conn: sqlite3.Connection, names: tuple[str, ...], index=None) -> list[dict]:
    """The names given with --name ({id, name, kind}), or a clear error that says what the archive holds.
    A name as written wins over other capitalisations ("OPEC" over "Opec")."""
    if not names:
        return []  # and browse (which brings the ranked index along) stays unimported
    from . import browse
    from .name_identity import shown_spelling

    chosen = []
    for given in names:
        text, kind = given.strip(), None
        before, _, after = text.rpartition(":")
        if before and after.strip().lower() in _KINDS:
            text, kind = before.strip(), _KINDS[after.strip().lower()]
        elif before.strip() and re.fullmatch(r"[^\W\d_]+", after.strip()) and not browse.names_called(conn, text, None):
            # "Volcker:persn": a kind mistyped, not a name of that spelling.
            raise click.ClickException(f"unknown kind {after.strip()!r} in --name {given.strip()!r}: the kinds are"
                                       " person, organisation (or organization) and place, e.g. 'Saudi Arabia:place'")
        found = browse.names_called(conn, text, kind)
        # As written, or the spelling the archive shows for it ("USA" is the United States).
        found = [n for n in found if n["name"] == text or n["name"] == shown_spelling(text, n["kind"])
                 or n.get("alias")] or found
        if not found:
            close = browse.names_like(conn, text) or browse.names_spelled_like(conn, text)
            hint = "; close: " + ", ".join(f"{n['name']} ({n['kind']})" for n in close) if close else ""
            raise click.ClickException(f"no {kind or 'person, organisation or place'} called {text!r}"
                                       f" in this archive{hint}")
        aliased = next((n for n in found if n.get("alias")), None)
        if aliased:
            # The archive judged the surname alone to be this person's (name_aliases).
            echo(f"note: {text!r} alone is counted as {aliased['name']}, the one person of that surname the archive"
                 " names often", err=True)
        if len({n["kind"] for n in found}) > 1:
            # The same words as several kinds ("OPEC", now and then taken for a person): the kind of
            # the most articles, and a note on the others.
            counts = {n["id"]: browse.articles_naming(conn, n["id"]) for n in found}
            found.sort(key=lambda n: -counts[n["id"]])
            # Each other entry by its own name: a surname joined to a full name ("Reagan" is Ronald
            # Reagan) leaves its other kinds under the surname ("Reagan", the organisation).
            others = "; ".join(f"{n['name']!r}, {'an' if n['kind'][0] in 'aeiou' else 'a'} {n['kind']} in"
                               f" {_count(counts[n['id']], 'article')} (--name '{n['name']}:{n['kind']}')"
                               for n in found[1:])
            echo(f"note: {text!r} is taken as {found[0]['name']!r}, the {found[0]['kind']} ("
                 f"{_count(counts[found[0]['id']], 'article')}); there is also {others}", err=True)
        if not aliased and found[0]["kind"] == "person" and re.fullmatch(r"[^\W\d_][^\W\d_'’-]*", text):
            # A surname alone ("Baker") is a name of its own; people named in full with it may be the ones
            # meant ("James Baker", "Howard Baker"): say so. Only of a person: "Japan", the place, is no
            # surname of "Bank of Japan".
            fuller = browse.people_with_word(conn, text, index)
            if fuller:
                echo(f"note: {text!r} is the name written so; people named in full with it: "
                     + ", ".join(f"{n['name']} ({_count(n['articles'], 'article')})" for n in fuller), err=True)
        chosen.append({key: found[0][key] for key in ("id", "name", "kind")})
    return chosen


@contextlib.contextmanager
def _index_errors():
    """The ranked index held by another writer: one clear line, not a traceback."""
    from .search_index import IndexUnavailable  # only commands that write import it

    try:
        yield
    except IndexUnavailable as error:
        raise click.ClickException(str(error)) from None


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt  # a kill (SIGTERM) ends a command as Ctrl-C does: pool stopped, batch kept


class StandardOutputClosed(Exception):
    """A write to standard output, which the command was started without (`>&-`). Not an OSError:
    no handler of a file's or the archive's errors takes it for theirs."""


class _ClosedStandardOutput(io.TextIOBase):
    """sys.stdout when the command was started with it closed: every write fails, so that a command
    with something to say there (`check`, `search`) ends with an error instead of losing its output
    and reporting success; a command that writes only to stderr (`ingest`) is not stopped."""

    encoding, errors = "utf-8", "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1

    def write(self, text) -> int:
        raise StandardOutputClosed

    @property
    def buffer(self):  # bytes (an NDJSON export) fail alike
        return self


def _hold_closed_streams() -> None:
    """A command started with stdout or stderr closed (`>&-`, `2>&-`) has no sys.stdout or sys.stderr:
    every use of them failed as a bug of ours. Their descriptors are held open on /dev/null, so that no
    file the command opens takes their number (and a report of Rust's, written to descriptor 2, into
    it); stderr's diagnostics go nowhere, quietly; a write to stdout fails (_ClosedStandardOutput)."""
    for fd, flags in ((1, os.O_RDONLY), (2, os.O_WRONLY)):  # stdout read-only: a write to it by C code fails too
        if (sys.stdout if fd == 1 else sys.stderr) is not None:
            continue
        handle = os.open(os.devnull, flags)
        if handle != fd:
            os.dup2(handle, fd)
            os.close(handle)
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    if sys.stdout is None:
        sys.stdout = _ClosedStandardOutput()


def main() -> None:
    _hold_closed_streams()
    # A reader that goes away (`| head`) raises BrokenPipeError, which _library_errors lets
    # through; the command then ends quietly with EXIT_READER_GONE (_Commands, ReaderGone).
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    # A damaged ranked index makes tantivy panic; the panic is caught and said in one line, but Rust's
    # own report of it comes first, with a backtrace of a hundred lines when RUST_BACKTRACE asks for one.
    os.environ["RUST_BACKTRACE"] = os.environ.get("NEWS_ARCHIVE_RUST_BACKTRACE", "0")
    if sys.argv[1:2] != ["serve"]:  # a server's threads keep their stderr (see search_index._rust_reports_held)
        os.environ["NEWS_ARCHIVE_HOLD_RUST_REPORTS"] = "1"
    try:
        cli()
    except UnicodeEncodeError as error:
        if "surrogates" not in str(error):
            raise
        # Arguments that are not UTF-8 reach Python as lone surrogates, which SQLite cannot
        # take. (File and folder names are fine: ingest reads them as bytes.)
        echo("Error: an argument is not valid UTF-8 text: type the words or names again", err=True)
        sys.exit(1)
    except StandardOutputClosed:
        echo("Error: cannot write to standard output: it is closed", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader went away (`2>&1 | head`) before an error could be said: nothing to say, and
        # nowhere to say it.
        _quiet_from_now()
        sys.exit(EXIT_READER_GONE)
    except Exception as error:  # noqa: BLE001 - a bug of ours: one line for the user, not a traceback
        if os.environ.get("NEWS_ARCHIVE_TRACEBACK"):
            raise
        _report_bug(error)


EXIT_BUG = 70  # sysexits.h's EX_SOFTWARE: an internal error


def _report_bug(error: Exception) -> None:
    """Say in one line that news-archive failed by its own fault, keeping the traceback in a file to
    report. Whatever the command had written (an ingest's transaction) is as a kill leaves it."""
    import tempfile
    import traceback

    try:
        handle, path = tempfile.mkstemp(prefix="news-archive-error-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8", errors="replace") as details:
            details.write(f"news-archive {_version()} {' '.join(sys.argv[1:])}\n\n{traceback.format_exc()}")
        kept = f"; the details are in {path}"
    except OSError:
        kept = ""
    summary = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    echo(f"Error: news-archive failed unexpectedly ({summary}){kept}. This is a bug: please report it"
         " (NEWS_ARCHIVE_TRACEBACK=1 shows the traceback here)", err=True)
    sys.exit(EXIT_BUG)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("news-archive")
    except PackageNotFoundError:
        return "(not installed)"


if _sigint_before is not None:  # every module is loaded: see the top of this module
    signal.signal(signal.SIGINT, _sigint_before)

if __name__ == "__main__":
    main()

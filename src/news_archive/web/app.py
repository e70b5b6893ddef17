"""Build the Datasette instance that ``news-archive serve`` runs."""

from __future__ import annotations

import html
import importlib.resources
import os
from pathlib import Path

from datasette.app import Datasette

SETTINGS = {
    # Every query, ours and Datasette's, is stopped after this long.
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    # Suggesting facets runs extra queries on every table page: costly on a big archive.
    "suggest_facets": False,
    "allow_download": False,
    "num_sql_threads": 4,
}


def metadata(database: str, base_url: str = "/") -> dict:
    return {
        "title": "News archive",
        "description_html": (
            f"A searchable archive of news articles. Start at the <a href=\"{html.escape(base_url)}\">search page</a>; "
            "the tables below are the raw data."
        ),
        "databases": {
            database: {
                "tables": {
                    "articles": {
                        "description": "One row per article file: the date, a headline derived from the text, "
                        "the body, and where it came from.",
                        # Newest first by id, not by date: Datasette 0.65 orders the first page by the sort
                        # column alone and the next pages by it and then id, so with many articles of one
                        # date, paging (_next) and streaming (_stream=on) skipped some and repeated others.
                        # A sort on the unique key pages the same way on every page.
                        "sort_desc": "id",
                        "facets": ["year", "month"],
                        "size": 50,
                        "label_column": "headline",
                        "columns": {
                            "id": "Stable identifier; the article page is /article/<id>",
                            "date": "Date from the file's date line (YYYY-MM-DD)",
                            "headline": "First paragraph if short, else the first sentence",
                            "source": "File path as given to ingest; archive members as archive!member",
                            "body": "The article text, line endings normalised",
                            "paragraphs": "Number of paragraphs",
                            "words": "Number of words",
                            "year": "Year of the date, for facets",
                            "month": "YYYY-MM of the date, for facets",
                            "sha256": "SHA-256 of the file's bytes",
                            "ingested_at": "When the article was first ingested (UTC)",
                            "updated_at": "When the file last changed and was re-ingested (UTC)",
                            "duplicate_of": "The first article with exactly the same bytes, if any",
                        },
                    },
                    "rejects": {
                        "description": "Files that could not be ingested, with the reason. The raw bytes are kept "
                        "so nothing is lost: fix the file and ingest it again.",
                        # No sort by rejected_at: a whole ingest's rejects share one moment (see articles).
                    },
                    "names": {
                        "description": "People, organisations and places found in the articles at ingest; folded"
                        " is the name as it is found by what is typed (lower case, no accents, one apostrophe).",
                        "label_column": "name",
                        "facets": ["kind"],
                    },
                    "article_names": {
                        "description": "Which article mentions which name, and how often. Facet by name_id.",
                    },
                    "name_aliases": {
                        "description": "A person's surname alone counted for the one full name the archive gives"
                        " it (\"Reagan\" for Ronald Reagan): name_id is that name, old_id the entry the surname had.",
                    },
                    "quotes": {
                        "description": "Direct quotations and who said them, where the text makes it clear.",
                        "label_column": "quote",
                    },
                    "similar_articles": {
                        "description": "Near-duplicates: pairs of articles with nearly the same words, dated at"
                        " most three days apart (MinHash estimate of their similarity).",
                    },
                    "clusters": {"description": "Stories with several near-duplicate versions, by lowest article id."},
                    "article_versions": {
                        "description": "Earlier texts of articles whose file changed: what each update replaced,"
                        " with when it was first read and when it was replaced.",
                        "label_column": "headline",
                    },
                    "source_files": {"hidden": True},
                    "archive_globs": {"hidden": True},
                    "sketches": {"hidden": True},
                    "similar_queue": {"hidden": True},
                    "surname_queue": {"hidden": True},
                    "index_queue": {"hidden": True},
                    "analysed_empty": {"hidden": True},
                    "meta": {"hidden": True},
                },
            }
        },
    }


def make_datasette(db_path: str, *, extra_settings: dict | None = None, user_metadata: dict | None = None) -> Datasette:
    """A Datasette serving the archive read-only, with our plugin and metadata, and a user's
    settings and metadata (a title, permissions) over ours."""
    from news_archive.store import on_read_only_media

    _register_plugin()
    name = Path(db_path).stem
    settings = {**SETTINGS, **(extra_settings or {})}
    # On read-only media the archive cannot change, and SQLite cannot open its WAL there but as immutable.
    files = {"immutables": [db_path]} if on_read_only_media(db_path) else {"files": [db_path]}
    return Datasette(
        **files,
        metadata=merged(metadata(name, settings.get("base_url", "/")), user_metadata or {}),
        settings=settings,
        # As `datasette` reads it: signed-in actors' cookies (a login plugin's) outlive a restart.
        secret=os.environ.get("DATASETTE_SECRET") or None,
    )


def merged(ours: dict, theirs: dict) -> dict:
    """Our metadata with a user's over it: their keys win, their tables and databases add to ours."""
    result = dict(ours)
    for key, value in theirs.items():
        result[key] = merged(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) \
            else value
    return result


def datasette_settings(pairs) -> dict:
    """`--setting NAME VALUE` pairs as Datasette's own command line reads them (names checked,
    numbers and on/off converted), or ValueError saying what is wrong."""
    from datasette.app import DEFAULT_SETTINGS
    from datasette.utils import ValueAsBooleanError, value_as_boolean

    settings = {}
    for name, value in pairs:
        default = DEFAULT_SETTINGS.get(name)
        if default is None:
            raise ValueError(f"{name!r} is not a Datasette setting (`datasette --help-settings` lists them)")
        if isinstance(default, bool):
            try:
                settings[name] = value_as_boolean(value)
            except ValueAsBooleanError:
                raise ValueError(f"setting {name} is on or off (on/off/true/false/1/0), not {value!r}") from None
        elif isinstance(default, int):
            if not value.isdigit():
                raise ValueError(f"setting {name} is a whole number, not {value!r}")
            settings[name] = int(value)
        elif name == "base_url" and not (value.startswith("/") and value.endswith("/")):
            raise ValueError(f"setting base_url starts and ends with a slash (/news/), not {value!r}")
        else:
            settings[name] = value
    return settings


def read_metadata(path: str) -> dict:
    """A Datasette metadata file (JSON or YAML), or ValueError saying what is wrong with it."""
    from datasette.utils import BadMetadataError, parse_metadata

    try:
        found = parse_metadata(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {(error.strerror or str(error)).lower()}") from None
    except (BadMetadataError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not Datasette metadata: {error}") from None
    if not isinstance(found, dict):
        raise ValueError(f"{path} is not Datasette metadata: it holds no keys and values")
    return found


def _register_plugin() -> None:
    # Installed packages register through the "datasette" entry point; when
    # running from a source tree (or under pytest, where Datasette skips entry
    # points) register the plugin by hand.
    from datasette.plugins import pm

    from news_archive import web

    if not pm.is_registered(web):
        pm.register(web, name="news_archive")


def sample_folder() -> Path:
    """The bundled sample articles: package data when installed, ``data/`` in a checkout."""
    packaged = importlib.resources.files("news_archive") / "sample"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "data"


# A connection must send a request's head (its request line and headers) within this many seconds
# of opening, or of its previous answer, or it is closed. uvicorn has no such deadline, and the
# server's cap on connections counts idle ones: 200 connections that never sent a whole request
# locked every visitor out ("slowloris"). A request being answered (a long export) is not timed.
REQUEST_HEAD_SECONDS = 10.0


def head_deadline_protocol(seconds: float = REQUEST_HEAD_SECONDS):
    """uvicorn's httptools protocol, closing connections that are too slow to send a request's head."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeadDeadlineProtocol(HttpToolsProtocol):
        _head_timer = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm_head_deadline()

        def on_headers_complete(self) -> None:
            self._disarm_head_deadline()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self.pipeline:
                self._arm_head_deadline()  # the next request on this connection has as long

        def connection_lost(self, exc) -> None:
            self._disarm_head_deadline()
            super().connection_lost(exc)

        def _arm_head_deadline(self) -> None:
            self._disarm_head_deadline()
            self._head_timer = self.loop.call_later(seconds, self._head_too_slow)

        def _disarm_head_deadline(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeadDeadlineProtocol

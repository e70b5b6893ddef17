"""The news-archive Datasette plugin: a reading and search room for the archive.

Registered through the ``datasette`` entry point, so ``datasette news.db``
shows it too. Datasette's own table, SQL and JSON pages stay available.
"""

from __future__ import annotations

from datasette import hookimpl

from . import views

_DAY = r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})"


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", views.home),
        (r"^/search$", views.search_page),
        (r"^/search\.json$", views.search_json),
        (r"^/search\.(?P<format>ndjson|csv)$", views.search_export),
        (r"^/search\.atom$", views.search_atom),
        (r"^/article/(?P<id>[0-9]{1,18})$", views.article_page),
        (r"^/article/(?P<id>[0-9]{1,18})\.json$", views.article_json),
        (r"^/article/.*$", views.not_found),
        (r"^/archive/?$", views.archive_index),
        (r"^/archive/(?P<year>[0-9]{4})/?$", views.archive_year),
        (r"^/archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/?$", views.archive_month),
        (rf"^/archive/{_DAY}/?$", views.archive_day),
        (r"^/archive/.*$", views.not_found),
        (r"^/help$", views.help_page),
    ]


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/"), "label": "News search"},
        {"href": datasette.urls.path("/archive"), "label": "Browse by date"},
    ]


_READ_METHODS = ("GET", "HEAD", "OPTIONS")


@hookimpl
def asgi_wrapper(datasette):
    """The archive is read-only over the web: refuse every method that could write."""

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in _READ_METHODS:
                body = b"This archive is read-only: only GET and HEAD requests are accepted.\n"
                await send({
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS"),
                                (b"content-length", str(len(body)).encode())],
                })
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return read_only

    return wrap

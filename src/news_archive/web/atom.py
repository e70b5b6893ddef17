"""Atom feeds (RFC 4287) of search results, so a search can be followed in a feed reader."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from ..store import utc_now

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value or ""))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value or ""))


def feed(*, title: str, feed_url: str, page_url: str, entries: list[dict], archive: str | None = None,
         feed_path: str = "") -> str:
    """Entries: {"id", "url", "title", "date" (YYYY-MM-DD), "summary"}. With the ``archive``'s id, the
    feed's and entries' ids do not depend on the address the server was reached by (localhost or
    127.0.0.1 would otherwise be two feeds of other entries to a feed reader)."""
    feed_id = f"urn:news-archive:{archive}:{feed_path}" if archive else feed_url
    updated = max((f"{e['date']}T00:00:00Z" for e in entries), default=utc_now())
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{_text(title)}</title>",
        f"  <id>{_text(feed_id)}</id>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={_attr(feed_url)}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={_attr(page_url)}/>",
        f"  <updated>{updated}</updated>",
        "  <author><name>news-archive</name></author>",
        "  <generator>news-archive</generator>",
    ]
    for entry in entries:
        entry_id = f"urn:news-archive:{archive}:article:{entry['id']}" if archive else entry["url"]
        lines += [
            "  <entry>",
            f"    <title>{_text(entry['title'])}</title>",
            f"    <id>{_text(entry_id)}</id>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={_attr(entry['url'])}/>",
            f"    <updated>{entry['date']}T00:00:00Z</updated>",
            f"    <published>{entry['date']}T00:00:00Z</published>",
            f"    <summary type=\"text\">{_text(entry['summary'])}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"

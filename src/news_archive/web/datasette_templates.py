"""Small repairs to Datasette's own pages (its table, row, database and SQL pages), which the archive serves
beside the reading room: every page says its language, has a main landmark, and names its filter controls
and SQL box for screen readers.

Datasette 0.65 (pinned) gives no block to change these in, and copying its templates whole would freeze
them at one release and its fixes. Instead its templates are changed as they are loaded, by exact
replacements of a few tags: a template whose tags are not all found as expected (another release of
Datasette) is left as it is rather than changed in part, so a page is never broken by it, only
unrepaired (tests/test_datasette.py checks every repair is made)."""

from __future__ import annotations

import logging
from pathlib import Path

import datasette
from jinja2 import BaseLoader

logger = logging.getLogger("news_archive.web")

DATASETTE_TEMPLATES = (Path(datasette.__file__).parent / "templates").resolve()

_SQL_BOX = ' aria-label="SQL query"'
REPAIRS: dict[str, list[tuple[str, str]]] = {
    "base.html": [
        ("<html>", '<html lang="en">'),
        ('<section class="content">', '<section class="content" role="main">'),
    ],
    "table.html": [
        ('<select name="_filter_column_{{ loop.index }}">',
         '<select name="_filter_column_{{ loop.index }}" aria-label="Column of filter {{ loop.index }}">'),
        ('<select name="_filter_op_{{ loop.index }}">',
         '<select name="_filter_op_{{ loop.index }}" aria-label="How filter {{ loop.index }} compares">'),
        ('name="_filter_value_{{ loop.index }}" class="filter-value"',
         'name="_filter_value_{{ loop.index }}" class="filter-value" aria-label="Value of filter {{ loop.index }}"'),
        ('<select name="_filter_column">', '<select name="_filter_column" aria-label="Column to filter">'),
        ('<select name="_filter_op">', '<select name="_filter_op" aria-label="How to compare">'),
        ('name="_filter_value" class="filter-value"', 'name="_filter_value" class="filter-value" aria-label="Value to compare with"'),
        ('<select name="_sort" id="sort_by">', '<select name="_sort" id="sort_by" aria-label="Sort by">'),
    ],
    "database.html": [('<textarea id="sql-editor" name="sql"', '<textarea id="sql-editor" name="sql"' + _SQL_BOX)],
    "query.html": [('<textarea id="sql-editor" name="sql"', '<textarea id="sql-editor" name="sql"' + _SQL_BOX)],
    # The SQL editor's script puts a text box of its own in the page's (CodeMirror 5.57, before its
    # screenReaderLabel option): it is named too.
    "_codemirror_foot.html": [("        cmResize(editor, {resizableWidth: false});",
                               '        editor.getInputField().setAttribute("aria-label", "SQL query");\n'
                               "        cmResize(editor, {resizableWidth: false});")],
}


def repaired(name: str, source: str) -> str:
    """``source`` of Datasette's template ``name`` with its repairs, or as it is unless every one applies."""
    changed = source
    for old, new in REPAIRS.get(name, ()):
        if changed.count(old) != 1:
            logger.warning("Datasette's %s is not as expected (%r): its pages are served unrepaired", name, old)
            return source
        changed = changed.replace(old, new)
    return changed


class RepairingLoader(BaseLoader):
    """A Jinja loader that repairs Datasette's own templates (found by their file, whatever name they are asked
    by: "table.html" or "default:table.html"), not a user's --template-dir copy nor a plugin's."""

    def __init__(self, inner: BaseLoader):
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if filename and Path(filename).resolve().parent == DATASETTE_TEMPLATES:
            source = repaired(Path(filename).name, source)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


def install(env) -> None:
    if not isinstance(env.loader, RepairingLoader):
        env.loader = RepairingLoader(env.loader)

"""news-archive: dated plain-text news articles -> SQLite + FTS5 -> CLI and Datasette.

Stages, with imports flowing one way:
parse (pure) -> sources (files, archives, decoding) -> store (schema, saving)
-> ingest (the pipeline) -> query/search/browse/export/stats -> cli, web.
"""

__version__ = "0.1.0"

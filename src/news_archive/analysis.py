"""What a newsroom wants beyond search, computed for each parsed article in the
ingest workers: the names it mentions, the quotations in it and who said
them, and a MinHash sketch that finds its near-duplicates.

Pure: bodies in, tuples out (tuples cross from worker processes cheaply).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from . import names, near_duplicates, quotes

# Quotation marks an article needs before it is worth looking for quotes.
_QUOTE_MARKS = ('"', "\u201c", "\u201d")


class Analysis(NamedTuple):
    names: tuple[tuple[str, str, int], ...]  # (name, kind, mentions), most mentioned first
    quotes: tuple[tuple[int, str | None, str], ...]  # (paragraph, speaker, quotation)
    signature: bytes  # packed MinHash signature; b"" for texts too short to compare


def analyse_many(bodies: Sequence[str]) -> list[Analysis]:
    """Analyse a batch of article bodies (batches make the sketches cheap)."""
    sketches = near_duplicates.sketch_many(bodies)
    results = []
    for body, (signature, _) in zip(bodies, sketches):
        mentions = names.find_mentions(body)
        found = tuple((n.name, n.kind, n.count) for n in names.count_names(mentions))
        said = ()
        if any(mark in body for mark in _QUOTE_MARKS):
            said = tuple((q.paragraph, q.speaker, q.text) for q in quotes.extract_quotes(body, mentions))
        results.append(Analysis(found, said, near_duplicates.pack_signature(signature)))
    return results

"""Near-duplicate detection: find wire stories republished with small edits.

Pure functions only: text in, numbers out. No database.

The method is MinHash over word shingles with LSH banding:

1. The text is lower-cased and cut into words (runs of ASCII letters and
   digits, and of non-ASCII letters; punctuation, curly quotes and dashes
   separate words). Every ``SHINGLE_WORDS`` consecutive words form a shingle.
   Each number (a word that starts with a digit) also adds ``NUMBER_WEIGHT``
   elements of its own to the set: recurring templated reports ("Fed adds
   reserves via customer repurchases", the same words every day with other
   figures) differ mostly in their numbers, and this keeps them apart, while a
   republished story keeps its numbers.
2. Each element is hashed to 32 bits, and ``NUM_PERM`` hash functions
   ``a*x + b mod 2**32`` are applied; the minimum of each over all elements is
   one value of the signature. The share of positions where two signatures
   agree estimates the Jaccard similarity of the two sets.
3. The signature is cut into ``BANDS`` bands of ``ROWS`` values. Each band is
   hashed to one non-negative integer below ``2**63`` (a band key), which fits
   an indexed SQLite INTEGER column. Two articles become candidates when they
   share at least one band key; a candidate pair is a near-duplicate when
   :func:`similarity` reaches ``NEAR_DUPLICATE_THRESHOLD``.

The archive also asks :func:`figures_replaced` of a pair dated on different
days (similar.py): a recurring report keeps its words and replaces its figures, and even the
number weighting leaves some of them above the threshold.

Texts with fewer than ``MIN_WORDS`` words get an empty signature and no band
keys: one-line briefs ("Tokyo stock index up 1,214.68") share most of their
few shingles with every other brief of the same kind, so comparing them says
nothing about republication.

Every constant is derived from fixed seeds with splitmix64 in this module, not
from Python's per-process ``hash()`` or from numpy's random streams (whose
output may change between numpy versions), so signatures and band keys stored
in a database stay comparable across processes, runs and upgrades. Changing
any constant here changes the signatures: bump ``SIGNATURE_VERSION`` then.

Speed: the hashing runs in numpy over the bytes of many texts at once, and
numpy's cost per call (microseconds) dominates for one short text. So
:func:`sketch_many` (a batch of about 128 to 256 texts) is the one to use in
bulk; :func:`signature` and :func:`band_keys` give the same values for a single
text, about ten times slower per text.
"""

from __future__ import annotations

import re
import struct
from collections import Counter, defaultdict
from itertools import combinations
from typing import Iterable, Sequence

import numpy as np

SIGNATURE_VERSION = 1
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4
SHINGLE_WORDS = 4
NUMBER_WEIGHT = 4
MIN_WORDS = 40
# Estimated Jaccard similarity at or above which two articles count as
# near-duplicates. With 16 bands of 4 rows, a pair at 0.5 shares a band key
# with probability 1 - (1 - 0.5**4)**16 = 0.64, at 0.7 with probability 0.98,
# at 0.8 with probability 0.9998. Between 0.6 and 0.7 Reuters-21578 still has
# many recurring templated reports; docs/quality.md has the precision measured
# at this threshold.
NEAR_DUPLICATE_THRESHOLD = 0.7

_MASK64 = (1 << 64) - 1


def _splitmix64(seed: int) -> Iterable[int]:
    state = seed & _MASK64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        yield z ^ (z >> 31)


def _constants(seed: int, count: int) -> np.ndarray:
    stream = _splitmix64(seed)
    return np.array([next(stream) for _ in range(count)], dtype=np.uint64)


# Odd multipliers: two for the 8-byte chunks of a word, then one per word of
# a shingle.
_WORD_MULT = _constants(0x6E6577732D617263, 2) | np.uint64(1)
_SHINGLE_MULT = _constants(0x7368696E676C6573, SHINGLE_WORDS) | np.uint64(1)
_PERM_A = ((_constants(0x7065726D2D61, NUM_PERM) >> np.uint64(32)).astype(np.uint32) | np.uint32(1))[:, None]
_PERM_B = (_constants(0x7065726D2D62, NUM_PERM) >> np.uint64(32)).astype(np.uint32)[:, None]
_BAND_SALT = _constants(0x62616E64, BANDS)
_NUMBER_SALT = _constants(0x6E756D, NUMBER_WEIGHT)
# Permutations hashed at a time: 16 rows of a batch's elements stay in cache.
_PERM_BLOCK = 16

# Bytes that are part of a word: ASCII letters and digits, and the bytes of
# non-ASCII characters except the UTF-8 encodings of U+0080..U+00BF (no-break
# space, guillemets, degree sign, ...) and U+2000..U+206F (curly quotes,
# dashes, ellipsis, ...), which are removed before the bytes are classified.
_WORD_BYTE = bytes(
    1 if (ord("a") <= b <= ord("z") or ord("0") <= b <= ord("9") or b >= 0x80) else 0 for b in range(256)
)
_NOT_WORDS = {chr(c): " " for c in [*range(0x80, 0xC0), *range(0x2000, 0x2070)]}
_PUNCTUATION = str.maketrans(_NOT_WORDS)
# Words are hashed from their first 16 bytes and their length: longer words
# that differ only after that are rare enough to share a hash.
_WORD_PREFIX = 16
# _CHUNK_MASK[part, n] keeps, of the 8 bytes read at 8 * part bytes into a word
# of n bytes, those that belong to the word.
_CHUNK_MASK = np.array(
    [
        [(1 << (8 * min(max(n - 8 * part, 0), 8))) - 1 for n in range(_WORD_PREFIX + 1)]
        for part in range(_WORD_PREFIX // 8)
    ],
    dtype=np.uint64,
)

_SEPARATOR = b"\n"


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, so every output bit depends on every input bit."""
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _normalise(text: str) -> bytes:
    text = text.lower()
    if not text.isascii():
        text = text.translate(_PUNCTUATION)
    return text.encode("utf-8")


def _signature_matrix(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of ``texts`` as a (NUM_PERM, number kept) uint32 matrix, and
    the indexes of the texts kept (those with at least ``MIN_WORDS`` words)."""
    empty = (np.empty((NUM_PERM, 0), dtype=np.uint32), np.empty(0, dtype=np.int64))
    encoded = [_normalise(text) for text in texts]
    if not encoded:
        return empty
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    starts_of_texts = np.cumsum(lengths) - lengths
    # A separator before every text (it is not a word byte, so no word runs
    # across two texts and every word has a byte before it), and padding after
    # the last one so that 8-byte reads past a word's end stay in the buffer.
    joined = _SEPARATOR + _SEPARATOR.join(encoded) + _SEPARATOR * (_WORD_PREFIX + 1)
    is_word = np.frombuffer(joined.translate(_WORD_BYTE), dtype=np.int8)
    edges = np.diff(is_word)
    word_starts = np.flatnonzero(edges == 1) + 1
    if word_starts.size == 0:
        return empty
    word_lengths = np.flatnonzero(edges == -1) + 1 - word_starts
    # Every position of the buffer read as a little-endian 64-bit integer.
    chunks = np.ndarray(shape=(len(joined) - 8,), dtype="<u8", buffer=joined, strides=(1,))
    word_hash = word_lengths.astype(np.uint64)
    prefix = np.minimum(word_lengths, _WORD_PREFIX)
    for part in range(_WORD_PREFIX // 8):
        word_hash += (chunks[word_starts + 8 * part] & _CHUNK_MASK[part, prefix]) * _WORD_MULT[part]
    word_hash = _mix64(word_hash)
    # word_starts count the leading separator; starts_of_texts do not.
    word_text = np.searchsorted(starts_of_texts, word_starts - 1, side="right") - 1

    words_per_text = np.bincount(word_text, minlength=len(texts))
    kept = np.flatnonzero(words_per_text >= MIN_WORDS)
    if kept.size == 0:
        return empty[0], kept

    count = word_hash.size - SHINGLE_WORDS + 1
    shingle = word_hash[:count] * _SHINGLE_MULT[0]
    for j in range(1, SHINGLE_WORDS):
        shingle += word_hash[j : j + count] * _SHINGLE_MULT[j]
    shingle_text = word_text[:count]
    # Keep shingles that lie inside one text that is long enough.
    inside = (shingle_text == word_text[SHINGLE_WORDS - 1 :]) & (words_per_text[shingle_text] >= MIN_WORDS)
    shingle = (_mix64(shingle[inside]) >> np.uint64(32)).astype(np.uint32)
    shingle_text = shingle_text[inside]

    if NUMBER_WEIGHT:
        first_byte = np.frombuffer(joined, dtype=np.uint8)[word_starts]
        numeric = np.flatnonzero(
            (first_byte >= ord("0")) & (first_byte <= ord("9")) & (words_per_text[word_text] >= MIN_WORDS)
        )
        extra = (_mix64(word_hash[numeric][:, None] ^ _NUMBER_SALT) >> np.uint64(32)).astype(np.uint32)
        shingle = np.concatenate([shingle, extra.ravel()])
        shingle_text = np.concatenate([shingle_text, np.repeat(word_text[numeric], NUMBER_WEIGHT)])
        order = np.argsort(shingle_text, kind="stable")
        shingle = shingle[order]
        shingle_text = shingle_text[order]

    # Elements are now in text order, so each kept text's elements are one run.
    per_text = np.bincount(shingle_text, minlength=len(texts))[kept]
    run_starts = np.cumsum(per_text) - per_text
    # The uint32 products wrap modulo 2**32, which is the hash family. A few
    # permutations at a time keep the (permutations, shingles) block in cache,
    # and the rows keep each reduction over contiguous memory.
    signatures = np.empty((NUM_PERM, kept.size), dtype=np.uint32)
    block = np.empty((_PERM_BLOCK, shingle.size), dtype=np.uint32)
    for first in range(0, NUM_PERM, _PERM_BLOCK):
        rows = slice(first, first + _PERM_BLOCK)
        np.multiply(_PERM_A[rows], shingle, out=block)
        block += _PERM_B[rows]
        np.minimum.reduceat(block, run_starts, axis=1, out=signatures[rows])
    return signatures, kept


def band_key_matrix(signatures: np.ndarray) -> np.ndarray:
    """Band keys for a (NUM_PERM, n) uint32 signature matrix, as (n, BANDS) int64."""
    values = signatures.T.astype(np.uint64).reshape(-1, BANDS, ROWS)
    low = values[:, :, 0] | (values[:, :, 1] << np.uint64(32))
    high = values[:, :, 2] | (values[:, :, 3] << np.uint64(32))
    key = _mix64(_mix64(low ^ _BAND_SALT) + high)
    # Drop the top bit: every key is a non-negative signed 64-bit integer.
    return (key >> np.uint64(1)).astype(np.int64)


def sketch_many(texts: Sequence[str]) -> list[tuple[tuple[int, ...], list[int]]]:
    """``(signature(text), band_keys(signature(text)))`` for each text, computed
    in one pass. Use this in bulk: a batch of a few hundred texts costs a
    fraction of calling :func:`signature` on each."""
    matrix, kept = _signature_matrix(texts)
    results: list[tuple[tuple[int, ...], list[int]]] = [((), [])] * len(texts)
    if kept.size:
        signatures = matrix.T.tolist()
        keys = band_key_matrix(matrix).tolist()
        for index, sig, band in zip(kept.tolist(), signatures, keys):
            results[index] = (tuple(sig), band)
    return results


def signature(text: str) -> tuple[int, ...]:
    """The MinHash signature of ``text``: ``NUM_PERM`` integers in
    ``[0, 2**32)``, or ``()`` when the text has fewer than ``MIN_WORDS`` words."""
    return sketch_many([text])[0][0]


def band_keys(sig: Sequence[int]) -> list[int]:
    """One key per LSH band of ``sig``, each in ``[0, 2**63)``; ``[]`` for an
    empty signature. Articles that share any key are candidate near-duplicates."""
    if not sig:
        return []
    if len(sig) != NUM_PERM:
        raise ValueError(f"a signature has {NUM_PERM} values, not {len(sig)}")
    matrix = np.array(sig, dtype=np.uint32).reshape(NUM_PERM, 1)
    return band_key_matrix(matrix)[0].tolist()


def similarity(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets, in [0, 1].
    0.0 when either signature is empty (a text too short to compare)."""
    if not sig_a or not sig_b:
        return 0.0
    if len(sig_a) != len(sig_b):
        raise ValueError("signatures of different lengths cannot be compared")
    return sum(a == b for a, b in zip(sig_a, sig_b)) / len(sig_a)


def is_near_duplicate(sig_a: Sequence[int], sig_b: Sequence[int]) -> bool:
    """Whether two signatures are similar enough to call the texts near-duplicates."""
    return similarity(sig_a, sig_b) >= NEAR_DUPLICATE_THRESHOLD


_PACKING = struct.Struct(f"<{NUM_PERM}I")


def pack_signature(sig: Sequence[int]) -> bytes:
    """A signature as a little-endian BLOB (256 bytes), ``b""`` when empty."""
    return _PACKING.pack(*sig) if sig else b""


def unpack_signature(blob: bytes) -> tuple[int, ...]:
    """The inverse of :func:`pack_signature`."""
    return _PACKING.unpack(blob) if blob else ()


def near_duplicate_pairs(
    signatures: Sequence[Sequence[int]], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Every pair ``(i, j, similarity)`` with ``i < j`` among ``signatures``
    whose similarity reaches ``threshold``, found through shared band keys,
    as an index would find them. In memory: for tests, evaluation and small
    collections."""
    buckets: dict[int, list[int]] = defaultdict(list)
    for index, sig in enumerate(signatures):
        for key in band_keys(sig):
            buckets[key].append(index)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) > 1:
            candidates.update(combinations(members, 2))
    pairs = []
    for i, j in sorted(candidates):
        score = similarity(signatures[i], signatures[j])
        if score >= threshold:
            pairs.append((i, j, score))
    return pairs


# A figure: digits, with the separators of decimals, thousands, fractions and
# ranges inside it ("1.5", "4,403,852", "6-1/16"). Figures in words count as
# the same figure written in digits ("two billion" is "2 billion").
_FIGURE_OR_WORD = re.compile(r"\d+(?:[.,/-]\d+)*|[a-z]+")
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        " sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({word: str(10 * tens) for tens, word in enumerate(
    "thirty forty fifty sixty seventy eighty ninety".split(), start=3)})


def figures(text: str) -> Counter:
    """The figures of ``text``, each with how often it occurs: numbers as written
    (without thousands commas) and the numbers written as words up to ninety."""
    found: Counter = Counter()
    for word in _FIGURE_OR_WORD.findall(text.lower()):
        if word[0].isdigit():
            found[word.replace(",", "")] += 1
        elif word in _NUMBER_WORDS:
            found[_NUMBER_WORDS[word]] += 1
    return found


def figures_replaced(figures_a: Counter, figures_b: Counter) -> bool:
    """Whether each of two texts' :func:`figures` has one that the other lacks:
    figures were replaced, not only cut or added. A recurring report (the Fed's
    daily "adds reserves via customer repurchases" with another amount, a weekly
    price table) does that from one day to the next; a story republished later,
    shortened or extended, keeps the figures it still has. (A correction of a
    figure does it too, mostly on the same day.)"""
    return bool(figures_a - figures_b) and bool(figures_b - figures_a)

"""Keyed blind indexes of the text that is encrypted at rest (issue 12.2).

Search and related-case matching cannot read sealed text in the database, so each case also
gets a set of ``(kind, HMAC-SHA256(index key, kind || 0x00 || normalised term))`` rows: its
author handles, its links, the words of its description. A search hashes its words the same
way and looks the hashes up. Without the index key (kept with the other secrets, never in the
database) a hash says nothing about the term; with the database alone an attacker learns how
many terms a case has and which cases share one, not what they are.

Normalisation (the same for indexing and searching): NFKC, case-folded, accents dropped; a
handle loses its leading "@"; a link loses its scheme, "www.", a trailing "/" and its fragment;
words are runs of letters and digits of at least two characters. A handle is indexed with each
of its prefixes of three characters or more, a link with its host and each longer path prefix,
so that a search for the start of a handle or a link finds it (and an attacker with the database
learns that two cases share such a prefix, not what it is).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

HANDLE, URL, WORD = "handle", "url", "word"
KINDS = (HANDLE, URL, WORD)
DIGEST_BYTES = 16
MIN_WORD = 2
MAX_TERMS = 2000  # per case: a long description indexes its first distinct words
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_handle(handle: str) -> str:
    return fold(handle).strip().lstrip("@").strip()


def normalise_url(url: str) -> str:
    value = fold(url).strip()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("#", 1)[0]
    if value.startswith("www."):
        value = value[4:]
    return value.rstrip("/")


def words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in _WORD.finditer(fold(text)):
        seen.setdefault(match.group(0), None)
    return list(seen)


def digest(key: bytes, kind: str, term: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown blind index kind {kind!r}")
    return hmac.new(key, kind.encode() + b"\x00" + term.encode(), hashlib.sha256).digest()[
        :DIGEST_BYTES]


def case_terms(key: bytes, description: str, handles: Iterable[str],
               urls: Iterable[str]) -> set[tuple[str, bytes]]:
    """The (kind, digest) rows of one case."""
    terms: set[tuple[str, bytes]] = set()
    for handle in handles:
        if value := normalise_handle(handle):
            # Every prefix of three characters or more: "luc_du" finds "@luc_du_93".
            terms.update((HANDLE, digest(key, HANDLE, value[:n]))
                         for n in range(min(3, len(value)), len(value) + 1))
            terms.update((WORD, digest(key, WORD, w)) for w in words(value))
    for url in urls:
        if value := normalise_url(url):
            # The host, then each longer path: "tiktok.com/@x" finds its videos.
            parts = value.split("/")
            terms.update((URL, digest(key, URL, "/".join(parts[:n])))
                         for n in range(1, len(parts) + 1))
    for word in words(description)[:MAX_TERMS]:
        terms.add((WORD, digest(key, WORD, word)))
    return terms


def query_terms(key: bytes, word: str) -> set[tuple[str, bytes]]:
    """What one searched word may match: a handle or a link exactly, or, if it is one plain
    word, that word in the text (or in a handle)."""
    found: set[tuple[str, bytes]] = set()
    if handle := normalise_handle(word):
        found.add((HANDLE, digest(key, HANDLE, handle)))
    if url := normalise_url(word):
        found.add((URL, digest(key, URL, url)))
    plain = words(word)
    if len(plain) == 1 and plain[0] == normalise_handle(word):
        found.add((WORD, digest(key, WORD, plain[0])))
    return found

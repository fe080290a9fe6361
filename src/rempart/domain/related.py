"""What links cases together: the same author account, the same link, the same file or a near
copy of an image, and a "raid" (several cases against one account within a few days).

Pure rules, no I/O: the service reads the keys of the cases and asks these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

RAID_WINDOW = timedelta(days=7)
RAID_MIN_CASES = 3
# PDQ distance within which two images are near copies: the hash banks' default threshold
# (rempart.detect.signals.PDQ_MAX_DISTANCE, HMA's confident match); kept here as a number
# because the domain imports nothing else of the project (a unit test checks they agree).
NEAR_PDQ_DISTANCE = 31


def handle_key(handle: str) -> str:
    """One spelling per account: "@Luc_93 ", "luc_93" and "https://x.com/Luc_93/" agree."""
    value = handle.strip().lower()
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        value = parts.path.strip("/").rsplit("/", 1)[-1] or parts.netloc
    return value.lstrip("@").rstrip("/")


def url_key(url: str) -> str:
    """A link without its scheme, "www.", fragment and trailing slash; host in lower case."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def near_groups(items: Iterable[tuple[str, str]], max_distance: int = NEAR_PDQ_DISTANCE
                ) -> list[list[str]]:
    """Groups (of two or more) of item ids whose PDQ hashes are within ``max_distance`` of
    one another, directly or through a chain; in the order the items came."""
    listed = list(items)
    parent = list(range(len(listed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, a) in enumerate(listed):
        for j in range(i + 1, len(listed)):
            if hamming(a, listed[j][1]) <= max_distance:
                parent[root(j)] = root(i)
    groups: dict[int, list[str]] = {}
    for i, (item_id, _) in enumerate(listed):
        groups.setdefault(root(i), []).append(item_id)
    return [g for g in groups.values() if len(g) > 1]


@dataclass(frozen=True)
class CaseKeys:
    case_id: str
    code: str
    handles: tuple[str, ...]
    received: datetime


@dataclass(frozen=True)
class Raid:
    handle: str
    case_ids: tuple[str, ...]
    codes: tuple[str, ...]
    first: datetime
    last: datetime


def raids(cases: Iterable[CaseKeys], window: timedelta = RAID_WINDOW,
          min_cases: int = RAID_MIN_CASES) -> list[Raid]:
    """For each account named in at least ``min_cases`` cases received within ``window`` of
    one another, the latest such run of cases; the largest raids first."""
    by_handle: dict[str, list[CaseKeys]] = {}
    for keys in cases:
        for handle in {handle_key(h) for h in keys.handles if handle_key(h)}:
            by_handle.setdefault(handle, []).append(keys)
    found = []
    for handle, named in by_handle.items():
        named.sort(key=lambda k: (k.received, k.case_id))
        best: list[CaseKeys] = []
        start = 0
        for end in range(len(named)):
            while named[end].received - named[start].received > window:
                start += 1
            size = end - start + 1
            if size >= min_cases and size >= len(best):
                best = named[start:end + 1]
        if best:
            found.append(Raid(handle, tuple(k.case_id for k in best),
                              tuple(k.code for k in best), best[0].received,
                              best[-1].received))
    return sorted(found, key=lambda r: (-len(r.case_ids), r.handle))

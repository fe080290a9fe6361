"""Match queries against the banks: exact index lookups, then bank rules from the database.

The index answers "which entries are within distance 31 (or the widest bank distance)"; the
database then supplies each entry's bank, status and case reference, so bank filters, per-bank
distances and withdrawals are always current. A query that also matches a negative bank (known
false positives) gets no positive matches: the negative bank suppresses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.detect import signal_types
from rempart.detect.bank_index import BankIndex
from rempart.detect.banks import BankError, HashInput
from rempart.detect.signal_types import InvalidSignal, SignalType
from rempart.store.bank_tables import BankEntry, HashBank


@dataclass(frozen=True)
class Match:
    bank: str
    distance: int
    case_reference: str
    signal_type: str
    content_id: str
    entry_id: int


@dataclass
class QueryResult:
    matches: list[Match] = field(default_factory=list)
    suppressed: bool = False  # a negative bank (known false positive) matched
    skipped: str = ""  # why the query was not matched (e.g. low quality)


def parse_queries(queries: list[HashInput]) -> list[tuple[SignalType, str]]:
    parsed = []
    for row, query in enumerate(queries, start=1):
        try:
            signal_type = signal_types.get(query.signal_type)
            parsed.append((signal_type, signal_type.normalise(query.hash)))
        except InvalidSignal as exc:
            raise BankError(f"query {row}: {exc}") from None
    return parsed


def match(session: Session, index: BankIndex, queries: list[HashInput],
          bank_names: list[str] | None = None, threads: int = 1) -> list[QueryResult]:
    parsed = parse_queries(queries)
    banks = _banks(session, bank_names)
    radius = max((b.max_distance for b in banks.values()), default=0)
    results = [QueryResult() for _ in parsed]
    by_type: dict[str, list[int]] = {}  # signal type name -> query rows, in order
    for row, (signal_type, _) in enumerate(parsed):
        problem = signal_type.quality_problem(queries[row].quality)
        if problem:
            results[row].skipped = problem
        else:
            by_type.setdefault(signal_type.name, []).append(row)
    hits: list[tuple[int, int, int]] = []  # (query row, entry id, distance)
    if banks:
        for name, rows in by_type.items():
            found = index.search(name, [parsed[r][1] for r in rows], radius, threads)
            hits.extend((rows[q], e, d) for q, e, d in found)
    _resolve(session, hits, banks, results)
    return results


def _banks(session: Session, names: list[str] | None) -> dict[int, HashBank]:
    """Banks searched: the filter (if any) plus every negative bank, which always applies."""
    query = select(HashBank)
    banks = {b.id: b for b in session.scalars(query)}
    if names:
        unknown = set(names) - {b.name for b in banks.values()}
        if unknown:
            raise BankError(f"unknown bank {sorted(unknown)[0]!r}")
        banks = {i: b for i, b in banks.items() if b.name in names or b.kind == "negative"}
    return banks


def _resolve(session: Session, hits: list[tuple[int, int, int]], banks: dict[int, HashBank],
             results: list[QueryResult]) -> None:
    if not hits:
        return
    entries = {}
    ids = sorted({entry_id for _, entry_id, _ in hits})
    for chunk in range(0, len(ids), 5000):
        rows = session.scalars(select(BankEntry).where(
            BankEntry.id.in_(ids[chunk:chunk + 5000]), BankEntry.status == "active"))
        entries.update({e.id: e for e in rows})
    for row, entry_id, distance in sorted(hits, key=lambda h: (h[0], h[2], h[1])):
        entry = entries.get(entry_id)
        bank = banks.get(entry.bank_id) if entry else None
        if entry is None or bank is None or distance > bank.max_distance:
            continue
        if bank.kind == "negative":
            results[row].suppressed = True
        else:
            results[row].matches.append(Match(bank.name, distance, entry.case_reference,
                                              entry.signal_type, entry.content_id, entry.id))
    for result in results:
        if result.suppressed:
            result.matches.clear()

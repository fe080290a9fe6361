"""Evidence rows against the custody ledger (issue 12.10), both directions.

Every ``evidence_items`` row must have its "received" leaf (same case, same SHA-256): a row added
or a hash changed outside Rempart shows. Every "received" leaf must still have its row unless
the case was shredded afterwards (withdrawal, retention): a row deleted outside Rempart shows.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.domain.custody import CustodyAction, CustodyEvent, InvalidCustodyEvent
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import EvidenceRecord

MAX_PROBLEMS = 50


def evidence_problems(session: Session) -> tuple[int, list[str]]:
    """(evidence rows checked, problems)."""
    problems: list[str] = []

    def problem(text: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(text)

    received: dict[str, tuple[str, str, int]] = {}  # item -> (case, sha256, leaf index)
    shredded: dict[str, int] = {}  # case -> index of its last shredded leaf
    leaves = session.execute(select(LedgerLeaf.idx, LedgerLeaf.leaf)
                             .where(LedgerLeaf.case_id.is_not(None))
                             .order_by(LedgerLeaf.idx)).yield_per(10_000)
    for index, leaf in leaves:
        try:
            event = CustodyEvent.from_leaf(bytes(leaf))
        except InvalidCustodyEvent:
            continue  # reported by the ledger audit
        if event.action is CustodyAction.RECEIVED and event.item_id and event.sha256:
            received.setdefault(event.item_id, (str(event.case_id), event.sha256, int(index)))
        elif event.action is CustodyAction.SHREDDED and event.case_id:
            shredded[event.case_id] = int(index)
    checked = 0
    seen: set[str] = set()
    rows = session.execute(select(EvidenceRecord.id, EvidenceRecord.case_id,
                                  EvidenceRecord.sha256)).yield_per(10_000)
    for item_id, case_id, sha256 in rows:
        checked += 1
        seen.add(item_id)
        logged = received.get(item_id)
        if logged is None:
            problem(f"evidence {item_id}: no 'received' entry in the ledger (row added "
                    "outside Rempart)")
        elif logged[0] != case_id:
            problem(f"evidence {item_id}: in case {case_id}, but received in case {logged[0]}")
        elif logged[1] != sha256:
            problem(f"evidence {item_id}: SHA-256 is not the one logged at receipt "
                    f"(ledger entry {logged[2]})")
    for item_id, (case_id, _sha, index) in received.items():
        if item_id not in seen and shredded.get(case_id, -1) < index:
            problem(f"evidence {item_id} (ledger entry {index}) was received but its row is "
                    "gone without the case being shredded")
    return checked, problems

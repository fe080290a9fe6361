"""The custody ledger as a repository of the unit of work (``uow.ledger``).

Services append custody events and ask for checkpoints, proofs and bundles through this
interface, inside the unit of work's transaction, so that "store the evidence + log its receipt"
commits or fails together and no service reaches for the SQL session. The SQL implementation
wraps ``rempart.evidence.custody_log``; the in-memory fake (``rempart.store.uow``) keeps events
in a list for the services' unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import BinaryIO, Protocol

from sqlalchemy.orm import Session

from rempart.config import Settings
from rempart.domain.custody import ActorRole, CustodyEvent
from rempart.evidence import custody_log
from rempart.evidence.custody_log import ItemProof
from rempart.evidence.interface import EvidenceStore
from rempart.evidence.ledger import Ledger

__all__ = ["LedgerRepository", "SqlLedgerRepository", "ItemProof", "CaseToExportNotFound"]


class CaseToExportNotFound(LookupError):
    """The case of a bundle export does not exist (any more)."""


class LedgerRepository(Protocol):
    def append(self, event: CustodyEvent) -> int:
        """Append one event in the caller's transaction; its leaf index."""
        ...

    def append_many(self, events: Sequence[CustodyEvent]) -> list[int]: ...

    def received_indexes(self, case_id: str) -> dict[str, int]:
        """Leaf index of each item's "received" event."""
        ...

    def received_roles(self, case_id: str) -> dict[str, ActorRole]:
        """Who brought each item, by custody role (from its "received" event)."""
        ...

    def sign_pending(self, settings: Settings) -> str | None:
        """Sign a checkpoint if events were appended since the last; its note, or None."""
        ...

    def latest_note(self, settings: Settings) -> str:
        """The latest signed checkpoint's note (signing one first if events are pending)."""
        ...

    def receipt_proof(self, settings: Settings, leaf_index: int) -> ItemProof:
        """Proof of one entry against the first checkpoint covering it; LedgerError if none."""
        ...

    def export_bundle(self, settings: Settings, store: EvidenceStore, case_id: str,
                      out: BinaryIO, role: ActorRole) -> int:
        """Write the case's verifiable bundle to ``out`` (its export events are appended);
        the size of the log it is proven against. CaseToExportNotFound if no such case."""
        ...


class SqlLedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, event: CustodyEvent) -> int:
        return Ledger(self.session).append(event).index

    def append_many(self, events: Sequence[CustodyEvent]) -> list[int]:
        return [receipt.index for receipt in Ledger(self.session).append_many(events)]

    def received_indexes(self, case_id: str) -> dict[str, int]:
        return custody_log.received_indexes(self.session, case_id)

    def received_roles(self, case_id: str) -> dict[str, ActorRole]:
        return custody_log.received_roles(self.session, case_id)

    def sign_pending(self, settings: Settings) -> str | None:
        checkpoint = custody_log.sign_pending(self.session, settings, datetime.now(UTC))
        return checkpoint.note if checkpoint is not None else None

    def latest_note(self, settings: Settings) -> str:
        return custody_log.latest_note(self.session, settings)

    def receipt_proof(self, settings: Settings, leaf_index: int) -> ItemProof:
        return custody_log.receipt_proof(self.session, settings, leaf_index)

    def export_bundle(self, settings: Settings, store: EvidenceStore, case_id: str,
                      out: BinaryIO, role: ActorRole) -> int:
        from rempart.evidence import export

        try:
            head = export.export_case_bundle(self.session, settings, store, case_id, out, role)
        except export.CaseToExportNotFound as missing:
            raise CaseToExportNotFound(case_id) from missing
        return int(head.size)

"""The narrow interface between the case services and wherever evidence bytes live.

Issue 2 ships a plain filesystem implementation; the encrypted vault (issue 3) replaces it without
the services changing. Implementations must be atomic: after ``put`` returns, the item is fully
readable; if it raises, nothing of it is visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class StoredBlob:
    item_id: str
    sha256: str  # hex digest of the plaintext, computed while storing
    size: int  # plaintext bytes


class EvidenceIntegrityError(Exception):
    """The stored bytes no longer match what was received (tampering or corruption)."""


class EvidenceNotFound(KeyError):
    """No stored item with that id (never stored, or shredded)."""


class EvidenceStore(Protocol):
    def put(self, case_id: str, item_id: str, source: BinaryIO) -> StoredBlob:
        """Store the whole stream for this item of this case and return its hash and size."""
        ...

    def open(self, case_id: str, item_id: str) -> Iterator[bytes]:
        """Yield the plaintext in chunks; raise EvidenceIntegrityError if it does not verify."""
        ...

    def delete_case(self, case_id: str) -> None:
        """Make every item of the case unreadable for good (withdrawal, retention expiry)."""
        ...

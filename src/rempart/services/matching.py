"""Matching and partners: the use cases of the matching API, the classify API and /stop-images.

Everything runs on the application's one engine (``bootstrap.build``): ``start`` takes its
session factory and builds the process's bank index (refreshed from the database's change
sequence) and the rate limiter shared by every process through the database. Web handlers and
the CLI parse input, call one function here and render its answer.

- Partners: ``authenticate`` (``Authorization: Bearer <key>``), ``charge`` (one token per query,
  hash or text), both raising ``PartnerRefused`` with the HTTP status to answer.
- ``match``, ``feedback``, ``add_hashes``: one transaction each, audited (who, what, how many;
  never a hash). A partner may give feedback only on entries it was shown or added.
- ``submit_self_hashes``, ``follow_self_case``: a person's own hashes (``/stop-images``).
Bad input raises ``BankError`` (HTTP 400, CLI exit 2).
"""

from __future__ import annotations

import math
import threading
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from rempart.detect import banks, partners
from rempart.detect import matching as bank_matching
from rempart.detect.bank_index import BankIndex
from rempart.detect.banks import BankError, HashInput, SelfCaseStatus
from rempart.detect.matching import QueryResult
from rempart.detect.partners import Caller, SharedRateLimiter
from rempart.domain.audit import Actor, AuditAction
from rempart.services import audit

__all__ = ["BankError", "Caller", "HashInput", "Matching", "PartnerRefused", "QueryResult",
           "SelfCaseStatus", "Wiring", "add_hashes", "authenticate", "charge", "feedback",
           "follow_self_case", "match", "start", "submit_self_hashes"]


class Wiring(Protocol):
    """What these use cases need of the application's wiring (``bootstrap.build``)."""

    session_factory: sessionmaker[Session]


class PartnerRefused(Exception):
    """A partner call refused before any work: the HTTP status, reason and Retry-After."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.retry_after = status, reason, retry_after


class Matching:
    """The process's partner and matching state on the application's session factory.

    The bank index is loaded on the first match (a large bank takes a while), not for the
    callers of the classify API, which only need keys and rate limits.
    """

    def __init__(self, session_factory: sessionmaker[Session], poll: bool = True) -> None:
        self.sessions = session_factory
        self.limiter = SharedRateLimiter(session_factory)
        self._poll = poll
        self._index: BankIndex | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> BankIndex:
        with self._lock:
            if self._index is None:
                index = BankIndex(self.sessions)
                index.refresh()
                if self._poll:
                    index.start_polling()
                self._index = index
            return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.stop()


def start(app: Wiring, poll: bool = True) -> Matching:
    """Partners and matching on the application's engine (``poll``: keep the index fresh)."""
    return Matching(app.session_factory, poll)


def authenticate(matching: Matching, authorization: str) -> Caller:
    """The caller of an ``Authorization: Bearer <key>`` header, or PartnerRefused(401)."""
    scheme, _, key = authorization.partition(" ")
    caller = None
    if scheme.lower() == "bearer":
        with matching.sessions() as session:
            caller = partners.authenticate(session, key.strip())
    if caller is None:
        raise PartnerRefused(401, "missing or invalid API key")
    return caller


def charge(matching: Matching, caller: Caller, cost: int) -> None:
    """Take ``cost`` tokens (one per query) from the key's shared bucket, or PartnerRefused(429)."""
    wait = matching.limiter.take(caller.key_id, caller.rate_per_minute, max(1, cost))
    if wait:
        raise PartnerRefused(429, "rate limit exceeded", retry_after=math.ceil(wait))


def match(matching: Matching, caller: Caller, queries: list[HashInput],
          bank_names: list[str] | None = None) -> list[QueryResult]:
    """Per query, the matches (bank, distance, case reference, ...); audited, never the hashes."""
    with matching.sessions() as session:
        found = bank_matching.match(session, matching.index, queries, bank_names)
    with matching.sessions.begin() as session:
        partners.grant_entries(session, caller.partner_id,
                               (m.entry_id for result in found for m in result.matches))
        _audit(session, caller, AuditAction.MATCH_QUERIED, queries=len(queries),
               matches=sum(len(r.matches) for r in found))
    return found


def feedback(matching: Matching, caller: Caller, entry_id: int, verdict: str,
             content_id: str = "") -> None:
    with matching.sessions.begin() as session:
        partners.record_feedback(session, caller, entry_id, verdict, content_id)
        _audit(session, caller, AuditAction.MATCH_FEEDBACK, entry_id=entry_id,
               verdict=verdict[:40])


def add_hashes(matching: Matching, caller: Caller, bank_name: str,
               items: list[HashInput]) -> list[int]:
    """Add hashes to a bank, all or nothing (keys allowed to write only: else 403)."""
    if not caller.can_write:
        raise PartnerRefused(403, "this key may not add hashes")
    with matching.sessions.begin() as session:
        ids = banks.add_hashes(session, bank_name, items,
                               provenance=f"api:{caller.partner_name}")
        partners.grant_entries(session, caller.partner_id, ids)
        _audit(session, caller, AuditAction.BANK_HASHES_ADDED, bank=bank_name[:100],
               hashes=len(ids))
    return ids


def _audit(session: Session, caller: Caller, action: AuditAction, **detail: str | int) -> None:
    """Every use of a partner key is in the audit log: who, what, how many (never the hashes)."""
    audit.record_in_session(session, Actor.PARTNER, action, detail={
        "partner_id": caller.partner_id, "key_id": caller.key_id, **detail})


def submit_self_hashes(app: Wiring, items: list[HashInput], bank_name: str) -> tuple[str, str]:
    """A person's own hashes into a bank: (case reference, PIN shown once)."""
    with app.session_factory.begin() as session:
        return banks.submit_self_hashes(session, items, bank_name)


def follow_self_case(app: Wiring, reference: str, pin: str, withdraw: bool = False
                     ) -> tuple[SelfCaseStatus | None, int | None]:
    """The case's status (and the hashes withdrawn, if asked), or (None, None) if refused.

    Committed even when refused, so that wrong PINs are counted.
    """
    with app.session_factory.begin() as session:
        withdrawn = None
        if withdraw:
            withdrawn = banks.withdraw_self_case(session, reference, pin)
            if withdrawn is None:
                return None, None
        return banks.self_case_status(session, reference, pin), withdrawn

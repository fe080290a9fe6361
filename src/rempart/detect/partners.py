"""Partners of the matching API: API keys (hashed at rest), rate limits and match feedback.

A key is 32 random bytes shown once. Only its SHA-256 is stored: with 256 bits of entropy a fast
hash is safe (argon2 is for low-entropy secrets such as PINs) and lets every request be checked
by one indexed lookup.

Rate limits are one token bucket per key in the database (``partner_rate_buckets``), so every
server process draws from the same bucket; each query (hash or text) costs one token, and the
bucket is taken with one conditional ``UPDATE``, atomic on SQLite and PostgreSQL. A partner gives
feedback only on the entries it was shown as matches or added itself (``partner_entry_access``):
any other id, existing or not, gets the same refusal, so feedback reveals no entry ids.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from rempart.detect.banks import BankError, now
from rempart.store.bank_tables import (
    ApiKey,
    EntryAccess,
    MatchFeedback,
    Partner,
    RateBucket,
)

KEY_PREFIX = "rmp_"
VERDICTS = ("blocked", "not_blocked", "false_positive")


@dataclass(frozen=True)
class Caller:
    partner_id: int
    partner_name: str
    key_id: int
    can_write: bool
    rate_per_minute: int


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_partner(session: Session, name: str, can_write: bool = False,
                   rate_per_minute: int = 600) -> tuple[Partner, str]:
    """A partner and its first API key (returned in clear once, never stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise BankError("partner name is 1-100 characters")
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise BankError(f"partner {name!r} already exists")
    partner = Partner(name=name, can_write=can_write, created_at=now())
    session.add(partner)
    session.flush()
    return partner, issue_key(session, partner, rate_per_minute)


def issue_key(session: Session, partner: Partner, rate_per_minute: int = 600) -> str:
    if rate_per_minute < 1:
        raise BankError("rate limit must be at least 1 request per minute")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(partner_id=partner.id, key_hash=_digest(key), prefix=key[:10],
                       rate_per_minute=rate_per_minute, created_at=now()))
    session.flush()
    return key


def authenticate(session: Session, key: str) -> Caller | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = session.execute(select(ApiKey, Partner).join(Partner, Partner.id == ApiKey.partner_id)
                          .where(ApiKey.key_hash == _digest(key),
                                 ApiKey.revoked_at.is_(None))).first()
    if row is None:
        return None
    api_key, partner = row
    return Caller(partner.id, partner.name, api_key.id, partner.can_write,
                  api_key.rate_per_minute)


def grant_entries(session: Session, partner_id: int, entry_ids: Iterable[int]) -> None:
    """Let the partner give feedback on these entries (matches shown to it, hashes it added)."""
    at = now()
    for entry_id in sorted(set(entry_ids)):
        _insert_if_absent(session, EntryAccess, partner_id=partner_id, entry_id=entry_id,
                          granted_at=at)


def record_feedback(session: Session, caller: Caller, entry_id: int, verdict: str,
                    content_id: str = "") -> MatchFeedback:
    """Feedback on an entry the partner was shown or added; any other id gets one answer."""
    if verdict not in VERDICTS:
        raise BankError(f"verdict must be one of {', '.join(VERDICTS)}")
    granted = session.get(EntryAccess, (caller.partner_id, entry_id))
    if granted is None:  # absent, or never shown to this partner: the same words for both
        raise BankError(f"no bank entry {entry_id} among this partner's matches")
    feedback = MatchFeedback(partner_id=caller.partner_id, entry_id=entry_id, verdict=verdict,
                             content_id=content_id[:200], created_at=now())
    session.add(feedback)
    session.flush()
    return feedback


def _insert_if_absent(session: Session, table: type[Any], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on either engine; True if the row was inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    columns = table.__table__.primary_key.columns
    statement = (dialect.insert(table.__table__).values(**values).on_conflict_do_nothing()
                 .returning(*columns))
    return session.execute(statement).first() is not None  # rowcount is -1 here on psycopg


class SharedRateLimiter:
    """Token bucket per API key in the database: every server process shares it.

    A request of ``cost`` queries passes when the bucket holds ``min(cost, burst)`` tokens and
    then takes all ``cost`` of them, so the bucket may go below zero: a request larger than the
    per-minute limit is served once, and the key waits until the debt is paid back.
    """

    def __init__(self, session_factory: sessionmaker[Session],
                 clock: Callable[[], float] = time.time) -> None:
        self._sessions = session_factory
        self._clock = clock  # wall clock: shared by the processes, unlike time.monotonic

    def take(self, key_id: int, per_minute: int, cost: int = 1) -> float:
        """0 if allowed (and the tokens taken), else the seconds to wait before retrying."""
        rate, burst = per_minute / 60.0, float(per_minute)
        need, t = min(float(cost), burst), self._clock()
        level = _level(RateBucket.tokens, RateBucket.updated_at, t, rate, burst)
        for _ in range(2):  # a second pass only if another process created the row meanwhile
            with self._sessions.begin() as session:
                taken = session.execute(
                    update(RateBucket).where(RateBucket.key_id == key_id, level >= need)
                    .values(tokens=level - cost, updated_at=case(
                        (RateBucket.updated_at < t, t), else_=RateBucket.updated_at)))
                if int(taken.rowcount) == 1:  # type: ignore[attr-defined]
                    return 0.0
                if _insert_if_absent(session, RateBucket, key_id=key_id,
                                     tokens=burst - cost, updated_at=t):
                    return 0.0
                row = session.execute(select(RateBucket.tokens, RateBucket.updated_at)
                                      .where(RateBucket.key_id == key_id)).first()
            if row is not None:
                current = min(burst, row.tokens + max(0.0, t - row.updated_at) * rate)
                if current < need:
                    return max((need - current) / rate, 1e-3)
        return 1.0 / rate  # the row changed under us twice: ask for one token's wait


def _level(tokens: Any, updated_at: Any, t: float, rate: float, burst: float) -> Any:
    """SQL for the bucket's level at time ``t``: refilled at ``rate``, capped at ``burst``."""
    refilled = tokens + case((updated_at < t, t - updated_at), else_=0.0) * rate
    return case((refilled > burst, burst), else_=refilled)

"""Partners of the matching API: API keys (hashed at rest), rate limits and match feedback.

A key is 32 random bytes shown once. Only its SHA-256 is stored: with 256 bits of entropy a fast
hash is safe (argon2 is for low-entropy secrets such as PINs) and lets every request be checked
by one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.detect.banks import BankError, now
from rempart.store.bank_tables import ApiKey, BankEntry, MatchFeedback, Partner

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


def record_feedback(session: Session, caller: Caller, entry_id: int, verdict: str,
                    content_id: str = "") -> MatchFeedback:
    if verdict not in VERDICTS:
        raise BankError(f"verdict must be one of {', '.join(VERDICTS)}")
    if session.get(BankEntry, entry_id) is None:
        raise BankError(f"no bank entry {entry_id}")
    feedback = MatchFeedback(partner_id=caller.partner_id, entry_id=entry_id, verdict=verdict,
                             content_id=content_id[:200], created_at=now())
    session.add(feedback)
    session.flush()
    return feedback


class RateLimiter:
    """Token bucket per API key, in this process (each server process limits its own share)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: int, per_minute: int, cost: float = 1.0) -> float:
        """0 if allowed, else the seconds to wait before retrying."""
        rate, burst = per_minute / 60.0, float(per_minute)
        with self._lock:
            t = self._clock()
            tokens, last = self._buckets.get(key_id, (burst, t))
            tokens = min(burst, tokens + (t - last) * rate)
            if tokens >= cost:
                self._buckets[key_id] = (tokens - cost, t)
                return 0.0
            self._buckets[key_id] = (tokens, t)
            return (cost - tokens) / rate

"""argon2id hashing of reporters' passphrases and staff passwords (argon2-cffi)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106 second recommended option (64 MiB, 3 passes), the argon2-cffi default profile.
_HASHER = PasswordHasher()


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("rempart-no-such-account")


def burn_verify_time(secret: str) -> None:
    """Spend the time of one verification when there is nothing to verify against, so that the
    response time does not reveal whether a case code or an account exists."""
    verify_secret(_dummy_hash(), secret)


def token_digest(token: str) -> str:
    """What is stored of a random bearer token (case API tokens, staff sessions): its SHA-256.
    The token has 256 random bits, so a fast hash is enough and lookups stay indexed."""
    return hashlib.sha256(token.encode()).hexdigest()

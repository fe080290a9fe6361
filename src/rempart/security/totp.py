"""Time-based one-time passwords (RFC 6238) for staff logins, with replay protection."""

from __future__ import annotations

import time

import pyotp

ISSUER = "Rempart"
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, last_step: int | None,
                  now: float | None = None) -> int | None:
    """The time step the code belongs to (current one or one either side for clock drift), or
    None if the code is wrong or that step (or a later one) was already used."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    at = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    current = int(at // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if totp.verify(code, for_time=step * STEP_SECONDS) and (last_step is None
                                                                or step > last_step):
            return step
    return None

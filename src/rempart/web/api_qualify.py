"""``POST /api/v1/qualify``: the offences some facts may constitute, penalties and deadlines.

Public (counsellors, partner organisations, the rights page's simulator), stores nothing and logs
nothing of the facts. The body is a JSON object with the fact names of
``rempart.domain.facts.ReportFacts`` plus ``kinds`` (case kinds), optional ``labels`` (classifier
labels) and ``today`` (ISO date the deadlines are assessed on, default: today). The answer is in
the request's language (``?lang=`` first, then ``Accept-Language``, else French).

Rate limit: a token bucket per client address, kept in this process's memory (each server
process limits its own share, and a restart forgets the buckets); the address is hashed and
never logged. Behind a reverse proxy every client shares the proxy's address unless the server
is started with the proxy's forwarded-address support, so the limit is per proxy then. Too many
requests get 429 ``{"error": reason}`` with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from rempart.domain.facts import InvalidFacts
from rempart.services import legal

MAX_BODY_BYTES = 64 * 1024
PER_MINUTE = 30
LANGUAGES = ("fr", "en")

router = APIRouter(prefix="/api/v1", tags=["qualification"])
_lock = threading.Lock()
MAX_CLIENTS = 100_000  # buckets kept; the oldest are forgotten beyond (memory stays bounded)


class ClientLimiter:
    """Token bucket per client key, in this process's memory."""

    def __init__(self, per_minute: int = PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: int) -> float:
        """0 if allowed, else the seconds to wait before retrying."""
        rate, burst = self.per_minute / 60.0, float(self.per_minute)
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.pop(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                del self._buckets[next(iter(self._buckets))]
            return 0.0 if allowed else (1.0 - tokens) / rate

_EXAMPLE = {"victim_age": 13, "repeated": True, "school": True, "public": False, "authors": 3,
            "started_on": "2026-10-25", "last_on": "2026-11-25", "kinds": ["insults"]}


def _limiter(request: Request) -> ClientLimiter:
    with _lock:
        found = getattr(request.app.state, "qualify_limiter", None)
        if found is None:
            found = ClientLimiter()
            request.app.state.qualify_limiter = found
    limiter: ClientLimiter = found
    return limiter


def _client_key(request: Request) -> int:
    host = request.client.host if request.client else "unknown"
    return int.from_bytes(hashlib.blake2b(host.encode(), digest_size=8).digest(), "big")


def request_language(request: Request) -> str:
    """``?lang=`` if it names a language, else the best of ``Accept-Language``, else French."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    best, best_q = "fr", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower()[:2]
        if language not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = language, q
    return best


def _error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


@router.post("/qualify", openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"example": _EXAMPLE}}}})
async def qualify(request: Request) -> JSONResponse:
    """Offences (``id`` as in the legal base), maximum penalties, aggravations, prescription
    end (``prescription_ends``, estimated or unknown), ``expired``, and what remains possible."""
    wait = _limiter(request).take(_client_key(request))
    if wait:
        return _error(429, "too many requests: try again in a minute",
                      {"Retry-After": str(math.ceil(wait))})
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, f"request body too large (at most {MAX_BODY_BYTES} bytes)")
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"invalid JSON: {str(exc)[:120]}")
    try:
        parsed = legal.parse_qualify_request(data, datetime.now(UTC).date())
    except InvalidFacts as exc:
        return _error(400, str(exc))
    return JSONResponse(legal.qualify(parsed, request_language(request)))

"""``POST /api/v1/classify``: labels and scores of up to 100 messages.

Callers authenticate with a partner API key (``Authorization: Bearer <key>``, keys from
``rempart partner add``), verified by ``rempart.detect.partners.authenticate`` and rate limited per
key (each message costs one token). Bad input gets 4xx ``{"error": reason}``. Message texts are
never logged.
"""

from __future__ import annotations

import math
import threading

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from rempart.detect import partners
from rempart.detect.partners import Caller, RateLimiter

MAX_BODY_BYTES = 1024 * 1024
MAX_MESSAGES = 100
MAX_TEXT_CHARS = 5000

router = APIRouter(prefix="/api/v1", tags=["classifier"])


class ClassifyRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=MAX_MESSAGES)


class _State:
    def __init__(self, database_url: str) -> None:
        from rempart.store.db import make_engine, make_session_factory

        self.sessions: sessionmaker[Session] = make_session_factory(make_engine(database_url))
        self.limiter = RateLimiter()


_lock = threading.Lock()


def _state(request: Request) -> _State:
    with _lock:
        if getattr(request.app.state, "classify_state", None) is None:
            url = request.app.state.settings.resolved_database_url
            request.app.state.classify_state = _State(url)
    found: _State = request.app.state.classify_state
    return found


def _error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


def _caller(state: _State, request: Request) -> Caller | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    with state.sessions() as session:
        return partners.authenticate(session, key.strip())


def _parse(body: bytes) -> ClassifyRequest | str:
    if len(body) > MAX_BODY_BYTES:
        return "request body too large"
    try:
        request = ClassifyRequest.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"invalid request: {where} {first['msg']}".strip()
    if any(len(text) > MAX_TEXT_CHARS for text in request.texts):
        return f"each text must be at most {MAX_TEXT_CHARS} characters"
    return request


@router.post("/classify", openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": ClassifyRequest.model_json_schema()}}}})
async def classify(request: Request) -> JSONResponse:
    """Per message: ``labels`` (``neutral`` when none applies), ``scores`` and ``traits``."""
    state = await run_in_threadpool(_state, request)
    caller = await run_in_threadpool(_caller, state, request)
    if caller is None:
        return _error(401, "missing or invalid API key",
                      {"WWW-Authenticate": 'Bearer realm="rempart"'})
    parsed = _parse(await request.body())
    if isinstance(parsed, str):
        return _error(413 if "too large" in parsed else 400, parsed)
    wait = state.limiter.take(caller.key_id, caller.rate_per_minute, cost=len(parsed.texts))
    if wait:
        return _error(429, "rate limit exceeded", {"Retry-After": str(math.ceil(wait))})
    from rempart.detect.classifier.model import default_classifier

    predictions = await run_in_threadpool(default_classifier().predict, parsed.texts)
    return JSONResponse({"results": [p.as_dict() for p in predictions]})

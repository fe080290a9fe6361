"""Matching API for partner platforms: ``/api/v1/match``, feedback, and bank writes.

Every call needs ``Authorization: Bearer <key>`` (keys from ``rempart partner add``), is rate
limited per key and per request, each carrying up to 1,000 queries (token bucket; 429 with
``Retry-After``) and answers bad input with 400
``{"error": reason}``. Bodies are parsed here rather than by FastAPI so that malformed JSON gets
the same 400 answer as a malformed hash. Each server process keeps its own ``BankIndex``,
refreshed from the database every 0.25 s, so several processes can serve the same banks.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from rempart.detect import banks, matching, partners
from rempart.detect.bank_index import BankIndex
from rempart.detect.banks import BankError, HashInput
from rempart.detect.partners import Caller, RateLimiter
from rempart.domain.audit import Actor, AuditAction
from rempart.services import audit

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_QUERIES = 1000

router = APIRouter(prefix="/api/v1", tags=["matching"])


class HashQuery(BaseModel):
    signal_type: str = Field(max_length=16, examples=["pdq"])
    hash: str = Field(max_length=200_000)
    quality: int | None = Field(default=None, ge=0, le=100)


class MatchRequest(BaseModel):
    queries: list[HashQuery] = Field(min_length=1, max_length=MAX_QUERIES)
    banks: list[str] | None = Field(default=None, description="only these banks")


class FeedbackRequest(BaseModel):
    entry_id: int
    verdict: str = Field(examples=["blocked", "not_blocked", "false_positive"])
    content_id: str = Field(default="", max_length=200)


class NewHash(HashQuery):
    case_reference: str = Field(default="", max_length=64)
    content_id: str = Field(default="", max_length=200)


class AddHashesRequest(BaseModel):
    hashes: list[NewHash] = Field(min_length=1, max_length=10_000)


class Services:
    """Per-app state: database sessions, the refreshed bank index and the rate limiter."""

    def __init__(self, database_url: str) -> None:
        from rempart.store.db import make_engine, make_session_factory

        self.sessions: sessionmaker[Session] = make_session_factory(make_engine(database_url))
        self.index = BankIndex(self.sessions)
        self.limiter = RateLimiter()
        self.index.refresh()
        self.index.start_polling()


_init_lock = threading.Lock()


def services(request: Request) -> Services:
    """The app's matching services, created on first use (the first index load can be long)."""
    state = request.app.state
    with _init_lock:
        if getattr(state, "match_services", None) is None:
            state.match_services = Services(state.settings.resolved_database_url)
    found: Services = state.match_services
    return found


def error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


async def _authorised_body(request: Request, model: type[BaseModel]) -> tuple[Caller, Any]:
    svc = await run_in_threadpool(services, request)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    with svc.sessions() as session:
        caller = partners.authenticate(session, key.strip()) if scheme.lower() == "bearer" \
            else None
    if caller is None:
        raise Refused(error(401, "missing or invalid API key",
                            {"WWW-Authenticate": 'Bearer realm="rempart"'}))
    wait = svc.limiter.take(caller.key_id, caller.rate_per_minute)
    if wait:
        raise Refused(error(429, "rate limit exceeded", {"Retry-After": str(math.ceil(wait))}))
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Refused(error(413, "request body too large"))
    try:
        return caller, model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Refused(error(400, f"invalid request: {where} {first['msg']}".strip())) from None


def _audit(session: Session, caller: Caller, action: AuditAction, **detail: str | int) -> None:
    """Every use of a partner key is in the audit log: who, what, how many (never the hashes)."""
    audit.record_in_session(session, Actor.PARTNER, action, detail={
        "partner_id": caller.partner_id, "key_id": caller.key_id, **detail})


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


@router.post("/match", openapi_extra=_schema(MatchRequest))
async def match(request: Request) -> JSONResponse:
    """Match hashes: per query, the bank, distance, case reference, signal type, content id."""
    try:
        caller, req = await _authorised_body(request, MatchRequest)
    except Refused as refused:
        return refused.response
    svc = services(request)
    queries = [HashInput(q.signal_type, q.hash, quality=q.quality) for q in req.queries]

    def run() -> list[matching.QueryResult]:
        with svc.sessions() as session:
            found = matching.match(session, svc.index, queries, req.banks)
        with svc.sessions.begin() as session:
            _audit(session, caller, AuditAction.MATCH_QUERIED, queries=len(queries),
                   matches=sum(len(r.matches) for r in found))
        return found

    try:
        results = await run_in_threadpool(run)
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"results": [
        {"matches": [asdict(m) for m in r.matches], "suppressed": r.suppressed,
         **({"skipped": r.skipped} if r.skipped else {})} for r in results]})


@router.post("/match/feedback", openapi_extra=_schema(FeedbackRequest))
async def feedback(request: Request) -> JSONResponse:
    """Tell the bank what happened to a match: blocked, not_blocked or false_positive."""
    try:
        caller, req = await _authorised_body(request, FeedbackRequest)
    except Refused as refused:
        return refused.response
    try:
        with services(request).sessions.begin() as session:
            partners.record_feedback(session, caller, req.entry_id, req.verdict, req.content_id)
            _audit(session, caller, AuditAction.MATCH_FEEDBACK, entry_id=req.entry_id,
                   verdict=req.verdict[:40])
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"recorded": True}, status_code=201)


@router.post("/banks/{name}/hashes", openapi_extra=_schema(AddHashesRequest))
async def add_hashes(name: str, request: Request) -> JSONResponse:
    """Add hashes to a bank (partners allowed to write only); all or nothing."""
    try:
        caller, req = await _authorised_body(request, AddHashesRequest)
    except Refused as refused:
        return refused.response
    if not caller.can_write:
        return error(403, "this key may not add hashes")
    items = [HashInput(h.signal_type, h.hash, h.case_reference, h.content_id, h.quality)
             for h in req.hashes]
    try:
        with services(request).sessions.begin() as session:
            ids = banks.add_hashes(session, name, items, provenance=f"api:{caller.partner_name}")
            _audit(session, caller, AuditAction.BANK_HASHES_ADDED, bank=name[:100],
                   hashes=len(ids))
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"added": len(ids), "entry_ids": ids}, status_code=201)

"""Matching API for partner platforms: ``/api/v1/match``, feedback, and bank writes.

Every call needs ``Authorization: Bearer <key>`` (keys from ``rempart partner add``) and is rate
limited per key, each query costing one token from a bucket shared by every server process
(429 with ``Retry-After``); bad input gets 400 ``{"error": reason}``. Bodies are parsed by
``api_partners.partner_call`` rather than by FastAPI so that malformed JSON gets the same 400
answer as a malformed hash. The use cases are in ``rempart.services.matching``.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rempart.services import matching as service
from rempart.services.matching import BankError, HashInput, PartnerRefused
from rempart.web.api_partners import body_schema, error, partner_call, refused

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


@router.post("/match", openapi_extra=body_schema(MatchRequest))
async def match(request: Request) -> JSONResponse:
    """Match hashes: per query, the bank, distance, case reference, signal type, content id."""
    try:
        matching, caller, req = await partner_call(request, MatchRequest,
                                                   lambda r: len(r.queries), MAX_BODY_BYTES)
        queries = [HashInput(q.signal_type, q.hash, quality=q.quality) for q in req.queries]
        results = await run_in_threadpool(service.match, matching, caller, queries, req.banks)
    except PartnerRefused as exc:
        return refused(exc)
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"results": [
        {"matches": [asdict(m) for m in r.matches], "suppressed": r.suppressed,
         **({"skipped": r.skipped} if r.skipped else {})} for r in results]})


@router.post("/match/feedback", openapi_extra=body_schema(FeedbackRequest))
async def feedback(request: Request) -> JSONResponse:
    """Tell the bank what happened to a match: blocked, not_blocked or false_positive."""
    try:
        matching, caller, req = await partner_call(request, FeedbackRequest, lambda r: 1,
                                                   MAX_BODY_BYTES)
        await run_in_threadpool(service.feedback, matching, caller, req.entry_id, req.verdict,
                                req.content_id)
    except PartnerRefused as exc:
        return refused(exc)
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"recorded": True}, status_code=201)


@router.post("/banks/{name}/hashes", openapi_extra=body_schema(AddHashesRequest))
async def add_hashes(name: str, request: Request) -> JSONResponse:
    """Add hashes to a bank (partners allowed to write only); all or nothing."""
    try:
        matching, caller, req = await partner_call(request, AddHashesRequest,
                                                   lambda r: len(r.hashes), MAX_BODY_BYTES)
        items = [HashInput(h.signal_type, h.hash, h.case_reference, h.content_id, h.quality)
                 for h in req.hashes]
        ids = await run_in_threadpool(service.add_hashes, matching, caller, name, items)
    except PartnerRefused as exc:
        return refused(exc)
    except BankError as exc:
        return error(400, str(exc))
    return JSONResponse({"added": len(ids), "entry_ids": ids}, status_code=201)

"""Partner calls of the JSON API, written once: the key, the body, the rate limit.

``partner_call`` authenticates ``Authorization: Bearer <key>``, reads and validates the JSON body
with a pydantic model (malformed JSON and malformed fields get the same 400 ``{"error": ...}``),
then charges the key one token per query (``cost``) in the bucket every server process shares.
Refusals are ``PartnerRefused``; ``refused`` turns one into its JSON answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from rempart.services import matching as service
from rempart.services.matching import Caller, Matching, PartnerRefused
from rempart.web.pages.runtime import runtime

Body = TypeVar("Body", bound=BaseModel)
_lock = threading.Lock()


def matching_of(request: Request) -> Matching:
    """The app's matching state on its one engine, built on first use (the index load is long)."""
    state = request.app.state
    with _lock:
        if getattr(state, "matching", None) is None:
            state.matching = service.start(runtime(request))
    found: Matching = state.matching
    return found


def error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


def refused(exc: PartnerRefused) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="rempart"'} if exc.status == 401 else {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return error(exc.status, exc.reason, headers)


async def partner_call(request: Request, model: type[Body], cost: Callable[[Body], int],
                       max_bytes: int) -> tuple[Matching, Caller, Body]:
    """The caller and its validated body, its queries charged; raises PartnerRefused."""
    matching = await run_in_threadpool(matching_of, request)
    caller = await run_in_threadpool(service.authenticate, matching,
                                     request.headers.get("authorization", ""))
    body = await request.body()
    if len(body) > max_bytes:
        await run_in_threadpool(service.charge, matching, caller, 1)
        raise PartnerRefused(413, "request body too large")
    try:
        parsed = model.model_validate_json(body)
    except ValidationError as exc:
        await run_in_threadpool(service.charge, matching, caller, 1)  # bad calls cost too
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise PartnerRefused(400, f"invalid request: {where} {first['msg']}".strip()) from None
    await run_in_threadpool(service.charge, matching, caller, cost(parsed))
    return matching, caller, parsed


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that parses its body itself."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}

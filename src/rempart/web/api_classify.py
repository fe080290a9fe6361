"""``POST /api/v1/classify``: labels and scores of up to 100 messages.

Callers authenticate with a partner API key (``Authorization: Bearer <key>``, keys from
``rempart partner add``) and are rate limited per key, each message costing one token from the
bucket the matching API shares (``api_partners.partner_call``). Bad input gets 4xx
``{"error": reason}``. Message texts are never logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rempart.services.matching import PartnerRefused
from rempart.web.api_partners import body_schema, partner_call, refused

MAX_BODY_BYTES = 1024 * 1024
MAX_MESSAGES = 100
MAX_TEXT_CHARS = 5000

router = APIRouter(prefix="/api/v1", tags=["classifier"])


class ClassifyRequest(BaseModel):
    texts: list[Annotated[str, Field(max_length=MAX_TEXT_CHARS)]] = Field(
        min_length=1, max_length=MAX_MESSAGES)
    conversation: bool = Field(
        default=False, description="the texts are consecutive messages of one conversation: "
                                   "each is classified with the messages before it")


@router.post("/classify", openapi_extra=body_schema(ClassifyRequest))
async def classify(request: Request) -> JSONResponse:
    """Per message: ``labels`` (``neutral`` when none applies), ``scores``, ``traits`` and
    ``explanations`` (each label's name and a one-line reason in the request's language,
    ``?lang=en`` or ``Accept-Language``); ``model`` says which model version answered."""
    try:
        _, _, parsed = await partner_call(request, ClassifyRequest, lambda r: len(r.texts),
                                          MAX_BODY_BYTES)
    except PartnerRefused as exc:
        return refused(exc)
    from rempart.detect.classifier.context import predict_conversation
    from rempart.detect.classifier.model import default_classifier

    classifier = default_classifier()
    if parsed.conversation:
        predictions = await run_in_threadpool(predict_conversation, classifier, parsed.texts)
    else:
        predictions = await run_in_threadpool(classifier.predict, parsed.texts)
    language = _language(request)
    model = {k: v for k, v in classifier.describe().items() if k != "held_out"}
    return JSONResponse({"model": model, "results": [
        {**p.as_dict(), "explanations": p.explain(language)} for p in predictions]})


def _language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "en" if asked.strip().lower().startswith("en") else "fr"

"""Background classification of every message of a case, and the labels it stored.

The case's messages (the text typed in the report, later the text OCR'd from screenshots) are read
by a loader that the case service registers with ``register_message_loader``: the job queue then
carries only the case id, never the messages, which are evidence and stay in their encrypted store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.config import get_settings
from rempart.jobs.queue import get_huey
from rempart.store.classifier_tables import MessageClassification

MODEL_VERSION = "classifier-1"
# (reference, text) pairs: reference is "report", "message:<id>" or "ocr:<evidence id>".
CaseMessages = Sequence[tuple[str, str]]
MessageLoader = Callable[[Session, str], CaseMessages]

_loaders: list[MessageLoader] = []


def register_message_loader(loader: MessageLoader) -> None:
    """Called once by the case service: how to read a case's messages inside a session."""
    if loader not in _loaders:
        _loaders.append(loader)


def classify_messages(session: Session, case_id: str, messages: CaseMessages) -> int:
    """Classify the messages and store (or replace) their labels; returns how many were stored."""
    from rempart.detect.classifier.model import default_classifier

    messages = [(ref, text) for ref, text in messages if text.strip()]
    if not messages:
        return 0
    predictions = default_classifier().predict([text for _, text in messages])
    now = datetime.now(UTC)
    for (ref, text), prediction in zip(messages, predictions, strict=True):
        row = session.scalar(select(MessageClassification).where(
            MessageClassification.case_id == str(case_id),
            MessageClassification.message_ref == ref))
        if row is None:
            row = MessageClassification(case_id=str(case_id), message_ref=ref)
            session.add(row)
        row.text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        row.labels = ",".join(prediction.labels)
        row.traits = ",".join(prediction.traits)
        row.scores_json = json.dumps(prediction.scores, sort_keys=True)
        row.model_version = MODEL_VERSION
        row.classified_at = now
    session.flush()
    return len(messages)


def labels_for_case(session: Session, case_id: str | int) -> set[str]:
    """Every label found in the case's messages, without "neutral" (for triage and the letter)."""
    rows = session.scalars(select(MessageClassification.labels).where(
        MessageClassification.case_id == str(case_id)))
    labels = {label for row in rows for label in row.split(",") if label}
    labels.discard("neutral")
    return labels


def classifications_for_case(session: Session, case_id: str | int
                             ) -> dict[str, dict[str, object]]:
    """Per message reference: labels, traits and scores (for the complaint letter)."""
    rows = session.scalars(select(MessageClassification).where(
        MessageClassification.case_id == str(case_id)).order_by(MessageClassification.id))
    return {row.message_ref: {"labels": [x for x in row.labels.split(",") if x],
                              "traits": [x for x in row.traits.split(",") if x],
                              "scores": json.loads(row.scores_json),
                              "text_sha256": row.text_sha256} for row in rows}


def _classify_case(case_id: str) -> int:
    if not _loaders:
        raise RuntimeError("no message loader registered: the case service registers one")
    from rempart.store.db import make_engine, make_session_factory

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            messages = [m for loader in _loaders for m in loader(session, str(case_id))]
            return classify_messages(session, str(case_id), messages)
    finally:
        engine.dispose()


# Retried because a case may be written by another process while the job starts.
classify_case = get_huey().task(retries=2, retry_delay=10, name="classify_case")(_classify_case)

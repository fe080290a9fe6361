"""Classification of a case's messages, and the labels it stored (one row per message).

The job itself is ``rempart.services.classification`` (classify, then raise the triage
priority): it reads the case's messages inside the worker, so the queue carries only the case
id, never the messages, which are evidence and stay in their encrypted store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.store.classifier_tables import MessageClassification

# Written with each label: the model's own version (``Classifier.version``) since format 2.
# (reference, text) pairs: reference is "report", "message:<id>" or "ocr:<evidence id>".
CaseMessages = Sequence[tuple[str, str]]


def _conversation_of(ref: str) -> str | None:
    """Messages read from one screenshot or chat export ("ocr:<item>:<n>") form a conversation;
    the report and the reporter's messages are read alone."""
    parts = ref.split(":")
    return ":".join(parts[:2]) if len(parts) >= 3 and parts[0] in ("ocr", "chat") else None


def _predict(classifier: Any, messages: CaseMessages) -> list[Any]:
    from rempart.detect.classifier.context import predict_conversation

    predictions: list[Any] = [None] * len(messages)
    groups: dict[str | None, list[int]] = {}
    for i, (ref, _) in enumerate(messages):
        groups.setdefault(_conversation_of(ref), []).append(i)
    for key, rows in groups.items():
        texts = [messages[i][1] for i in rows]
        found = classifier.predict(texts) if key is None else predict_conversation(classifier,
                                                                                   texts)
        for i, prediction in zip(rows, found, strict=True):
            predictions[i] = prediction
    return predictions


def classify_messages(session: Session, case_id: str, messages: CaseMessages) -> int:
    """Classify the messages and store (or replace) their labels; returns how many were stored."""
    from rempart.detect.classifier.model import default_classifier

    messages = [(ref, text) for ref, text in messages if text.strip()]
    if not messages:
        return 0
    classifier = default_classifier()
    predictions = _predict(classifier, messages)
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
        row.model_version = classifier.version
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

"""One timeline of everything done for the reporter: the report received, each reply of the
team, each takedown request and its decision, each referral, each document produced, with what
comes next and when.

Entries carry a kind and the values the page needs; the page words them in the reader's
language. Internal notes, staff names and the ledger are never part of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rempart.domain import takedowns as rules
from rempart.domain.audit import AuditAction
from rempart.domain.cases import MessageAuthor
from rempart.domain.referrals import TARGETS, ReferralTarget, TargetInfo
from rempart.services.errors import CaseNotFound
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import workbench

MAX_DOCUMENT_EVENTS = 200


class Kind:
    RECEIVED = "received"
    REPLY = "reply"
    TAKEDOWN = "takedown"  # with status
    REFERRAL = "referral"  # with target
    DOCUMENT = "document"  # with document


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    status: str = ""  # a takedown's status, a referral's target, a document's kind
    platform: str = ""
    reference: str = ""
    next_at: datetime | None = None  # when the next step is expected (a platform's decision)
    next_steps: tuple[rules.NextStep, ...] = field(default_factory=tuple)  # after a refusal
    recipient: TargetInfo | None = None  # a referral's recipient, and what it does next


@dataclass(frozen=True)
class Activity:
    entries: list[TimelineEntry]  # oldest first
    has_contact: bool
    school_consent: bool
    victim_is_minor: bool


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def reporter_activity(uow_factory: Callable[[], UnitOfWork], case_id: str) -> Activity:
    """The case's timeline as its reporter sees it, and what they can change (contact,
    consent). Needs the database-backed unit of work."""
    from rempart.services.referrals import school_consent

    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        entries = [TimelineEntry(_aware(case.created_at), Kind.RECEIVED)]
        entries += [TimelineEntry(_aware(m.created_at), Kind.REPLY)
                    for m in uow.cases.messages(case_id, include_internal=False)
                    if m.author == MessageAuthor.STAFF.value]
        repo = workbench(uow)
        takedowns = {t.id: t for t in repo.takedowns(case_id)}
        for event in repo.takedown_events(case_id):
            row = takedowns.get(event.takedown_id)
            if row is None:
                continue
            status = rules.TakedownStatus(event.status)
            due = None
            if status in rules.WAITING and row.sent_at is not None:
                due = _aware(row.sent_at) + timedelta(hours=row.service_level_hours)
            entries.append(TimelineEntry(
                _aware(event.at), Kind.TAKEDOWN, status.value, row.platform,
                next_at=due if row.status == event.status else None,
                next_steps=rules.next_steps(status) if row.status == event.status else ()))
        for referral in repo.referrals(case_id):
            target = ReferralTarget(referral.target)
            reference = referral.reference or ""
            entries.append(TimelineEntry(_aware(referral.created_at), Kind.REFERRAL,
                                         target.value, reference=reference,
                                         recipient=TARGETS[target]))
        for record in uow.audit.latest(MAX_DOCUMENT_EVENTS, case_id):
            if record.action == AuditAction.DOCUMENT_GENERATED.value:
                entries.append(TimelineEntry(_aware(record.at), Kind.DOCUMENT,
                                             str(record.detail.get("document", ""))))
        consent = school_consent(uow, case_id)
        entries.sort(key=lambda e: e.at)
        return Activity(entries, bool(case.contact), consent, case.victim_is_minor)

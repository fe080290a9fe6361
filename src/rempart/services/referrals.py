"""Referral use cases: record that the case went to PHAROS, the police or gendarmerie, the
school (with the reporter's consent, given from the portal), the 119 or France Victimes.

Each referral is a custody event in the ledger (the referral id, a SHA-256 of what was recorded,
the recipient: no reference number or name in the leaf), an audit entry, a line on the
reporter's timeline and a notification to the reporter.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.referrals import (
    TARGETS,
    InvalidReferral,
    ReferralFields,
    ReferralTarget,
    validate_referral,
)
from rempart.domain.staff import Permission
from rempart.services import audit, notifications
from rempart.services.errors import CaseNotFound, ServiceError
from rempart.services.staff import StaffMember, require_permission
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import ConsentRecord, ReferralRecord, workbench

SCHOOL_CONSENT = "school"


class ReferralError(ServiceError):
    """A referral refused; the reason is safe to show to staff."""


@dataclass(frozen=True)
class Referral:
    id: str
    case_id: str
    target: ReferralTarget
    sent_on: date
    reference: str | None
    service: str | None
    note: str | None
    created_at: datetime
    leaf_index: int | None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "target": self.target.value, "sent_on": self.sent_on.isoformat(),
                "reference": self.reference, "service": self.service,
                "created_at": self.created_at.isoformat(), "leaf_index": self.leaf_index}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _view(row: ReferralRecord) -> Referral:
    return Referral(row.id, row.case_id, ReferralTarget(row.target), row.sent_on, row.reference,
                    row.service, row.note, _aware(row.created_at), row.leaf_index)


def _digest(row: ReferralRecord) -> str:
    state = {"id": row.id, "case": row.case_id, "target": row.target,
             "sent_on": row.sent_on.isoformat(), "reference": row.reference,
             "service": row.service}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def school_consent(uow: UnitOfWork, case_id: str) -> bool:
    """Inside an open unit of work: has the reporter consented to the school being told?"""
    row = workbench(uow).consent(case_id, SCHOOL_CONSENT)
    return row is not None and row.withdrawn_at is None


def record_referral(uow_factory: Callable[[], UnitOfWork], case_id: str, fields: ReferralFields,
                    staff: StaffMember | None = None, today: date | None = None) -> Referral:
    now = datetime.now(UTC)
    with uow_factory() as uow:
        if staff is not None:
            require_permission(uow, staff, Permission.SET_STATUS)
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        try:
            clean = validate_referral(fields, victim_is_minor=case.victim_is_minor,
                                      school_consent=school_consent(uow, case_id),
                                      today=today or now.date())
        except InvalidReferral as refused:
            raise ReferralError(str(refused)) from None
        repo = workbench(uow)
        row = ReferralRecord(id=str(uuid.uuid4()), case_id=case_id, target=clean.target.value,
                             sent_on=clean.sent_on, reference=clean.reference,
                             service=clean.service, note=clean.note, created_at=now,
                             created_by=staff.id if staff else None, leaf_index=None)
        role = custody.ActorRole.STAFF if staff else custody.ActorRole.OPERATOR
        event = custody.CustodyEvent(custody.CustodyAction.REFERRAL_MADE, case_id, role, now,
                                     item_id=row.id, sha256=_digest(row),
                                     target=clean.target.value)
        row.leaf_index = int(uow.ledger.append(event))
        repo.add_referral(row)
        actor = Actor.STAFF if staff else Actor.OPERATOR
        audit.record(uow, actor, AuditAction.REFERRAL_RECORDED, case_id=case_id,
                     staff_id=staff.id if staff else None,
                     detail={"referral": row.id, "target": row.target})
        notifications.queue_notification(uow, case_id, "referral")
        uow.commit()
        view = _view(row)
    return view


def case_referrals(uow_factory: Callable[[], UnitOfWork], case_id: str,
                   staff: StaffMember | None = None) -> tuple[list[Referral], bool]:
    """The case's referrals (oldest first) and whether the school consent is on record."""
    with uow_factory() as uow:
        if staff is not None:
            require_permission(uow, staff, Permission.VIEW_CASE)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        return [_view(r) for r in workbench(uow).referrals(case_id)], school_consent(uow, case_id)


def set_school_consent(uow_factory: Callable[[], UnitOfWork], case_id: str,
                       given: bool) -> None:
    """The reporter gives (or withdraws) consent to the pupil's school being told."""
    now = datetime.now(UTC)
    with uow_factory() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        repo = workbench(uow)
        row = repo.consent(case_id, SCHOOL_CONSENT)
        if given:
            if row is None:
                repo.add_consent(ConsentRecord(case_id=case_id, kind=SCHOOL_CONSENT,
                                               given_at=now, withdrawn_at=None))
            else:
                row.given_at, row.withdrawn_at = now, None
        elif row is not None and row.withdrawn_at is None:
            row.withdrawn_at = now
        audit.record(uow, Actor.REPORTER, AuditAction.CONSENT_CHANGED, case_id=case_id,
                     detail={"consent": SCHOOL_CONSENT, "given": given})
        uow.commit()


def target_name(target: ReferralTarget, language: str) -> str:
    return TARGETS[target].name(language)


def pharos_form_fields(services: object, case_id: str, staff: StaffMember,
                       language: str = "fr") -> list[tuple[str, str]]:
    """The values to paste into the PHAROS form (``rempart.documents.pharos``), label and
    value; showing them is audited as a view of the case."""
    from rempart.documents.pharos import pharos_fields
    from rempart.services import documents

    uow_factory = services.uow  # type: ignore[attr-defined]
    with uow_factory() as uow:
        require_permission(uow, staff, Permission.VIEW_CASE)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
    case, _detail = documents._gather(services, case_id, language,  # type: ignore[arg-type]
                                      thumbnails=False)
    with uow_factory() as uow:
        audit.record(uow, Actor.STAFF, AuditAction.CASE_VIEWED, case_id=case_id,
                     staff_id=staff.id, detail={"page": "referrals"})
        uow.commit()
    return [(f.label, f.value) for f in pharos_fields(case, language)]

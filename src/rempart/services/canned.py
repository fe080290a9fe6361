"""Canned replies: the organisation's ready-made answers, in French and English, written by
admins and inserted by counsellors in the reply form (then edited before sending)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import InvalidReportFields, validate_message
from rempart.domain.staff import Permission, can
from rempart.services import audit
from rempart.services.errors import CaseNotFound, InvalidReport
from rempart.services.staff import StaffMember, require_permission
from rempart.store.staff_desk import desk
from rempart.store.staff_tables import CannedReplyRecord
from rempart.store.uow import UnitOfWork

LANGUAGES = ("fr", "en")
MAX_TITLE_CHARS = 120


@dataclass(frozen=True)
class CannedReply:
    id: str
    language: str
    title: str
    body: str
    updated_at: datetime


def _reply(record: CannedReplyRecord) -> CannedReply:
    at = record.updated_at
    return CannedReply(record.id, record.language, record.title, record.body,
                       at if at.tzinfo else at.replace(tzinfo=UTC))


def list_replies(uow: UnitOfWork, staff: StaffMember, language: str | None = None
                 ) -> list[CannedReply]:
    """Every reply (or those of one language), by language then title."""
    with uow:
        if not can(staff.role, Permission.MANAGE_CANNED_REPLIES):
            require_permission(uow, staff, Permission.USE_CANNED_REPLIES)
        else:
            require_permission(uow, staff, Permission.MANAGE_CANNED_REPLIES)
        return [_reply(r) for r in desk(uow).canned_replies(language)]


def _checked(language: str, title: str, body: str) -> tuple[str, str, str]:
    if language not in LANGUAGES:
        raise InvalidReport("the language must be fr or en")
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InvalidReport(f"the title needs 1 to {MAX_TITLE_CHARS} characters")
    try:
        text = validate_message(body)
    except InvalidReportFields as problem:
        raise InvalidReport(str(problem)) from None
    return language, title, text


def save_reply(uow: UnitOfWork, staff: StaffMember, reply_id: str | None, language: str,
               title: str, body: str) -> CannedReply:
    """Create a reply (``reply_id`` None) or change one (admins only)."""
    language, title, text = _checked(language, title, body)
    with uow:
        require_permission(uow, staff, Permission.MANAGE_CANNED_REPLIES)
        repo, now = desk(uow), datetime.now(UTC)
        if reply_id is None:
            record = CannedReplyRecord(id=str(uuid.uuid4()), language=language, title=title,
                                       body=text, updated_by=staff.id, updated_at=now)
            repo.add_canned_reply(record)
        else:
            found = repo.canned_reply(reply_id)
            if found is None:
                raise CaseNotFound("canned reply")
            record = found
            record.language, record.title, record.body = language, title, text
            record.updated_by, record.updated_at = staff.id, now
        audit.record(uow, Actor.STAFF, AuditAction.CANNED_REPLY_CHANGED, staff_id=staff.id,
                     detail={"reply_id": record.id, "change": "created" if reply_id is None
                             else "edited"})
        uow.commit()
        return _reply(record)


def delete_reply(uow: UnitOfWork, staff: StaffMember, reply_id: str) -> None:
    with uow:
        require_permission(uow, staff, Permission.MANAGE_CANNED_REPLIES)
        repo = desk(uow)
        record = repo.canned_reply(reply_id)
        if record is None:
            raise CaseNotFound("canned reply")
        repo.delete_canned_reply(record)
        audit.record(uow, Actor.STAFF, AuditAction.CANNED_REPLY_CHANGED, staff_id=staff.id,
                     detail={"reply_id": reply_id, "change": "deleted"})
        uow.commit()

"""Takedown use cases: draft a request from the case, send it (e-mail to the platform's DSA
contact, or through its form with the reference it gave), record the acknowledgement and the
decision with its statement of reasons, list them, flag the overdue ones.

Each state change is one row of history, one custody event in the ledger (the takedown id, a
SHA-256 of its recorded state and "<platform>:<status>": never the URL or any content), one
audit entry, and for a decision a notification to the reporter ("something new in your case").
The web pages, the CLI and the overdue job all call these functions. Staff access is checked
here (the role may work on cases, the account is active); ``staff=None`` is the operator on the
command line.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import structlog

from rempart.config import Settings
from rempart.domain import custody
from rempart.domain import takedowns as rules
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.notices import NoticeDraft, NoticeError, Notifier, as_json
from rempart.domain.staff import Permission
from rempart.evidence.interface import EvidenceStore
from rempart.services import audit, notifications
from rempart.services.errors import CaseNotFound, ServiceError
from rempart.services.staff import StaffMember, require_permission
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import (
    TakedownEventRecord,
    TakedownRecord,
    WorkbenchRepository,
    workbench,
)

log = structlog.get_logger(__name__)
MAX_LIST = 1000


class TakedownError(ServiceError):
    """A takedown request or change refused; the reason is safe to show to staff."""


class AppServices(Protocol):
    """What these use cases need of the wired services (``rempart.bootstrap.Wiring``)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> EvidenceStore: ...

    def uow(self) -> UnitOfWork: ...


@dataclass(frozen=True)
class TakedownEvent:
    status: rules.TakedownStatus
    at: datetime
    actor: str
    leaf_index: int | None


@dataclass(frozen=True)
class Takedown:
    id: str
    case_id: str
    case_code: str
    url: str
    platform: str
    status: rules.TakedownStatus
    channel: rules.SendChannel | None
    reference: str | None
    trusted_flagger: bool
    created_at: datetime
    sent_at: datetime | None
    due_at: datetime | None
    acknowledged_at: datetime | None
    decided_at: datetime | None
    overdue: bool
    statement: rules.StatementOfReasons
    notice: dict[str, Any]
    form_url: str | None
    can_email: bool
    events: list[TakedownEvent] = field(default_factory=list)

    @property
    def allowed_next(self) -> list[rules.TakedownStatus]:
        return sorted(rules.allowed_next(self.status), key=list(rules.TakedownStatus).index)

    @property
    def next_steps(self) -> tuple[rules.NextStep, ...]:
        return rules.next_steps(self.status)

    @property
    def decided(self) -> bool:
        return rules.is_decision(self.status)

    def as_json(self) -> dict[str, Any]:
        def ts(at: datetime | None) -> str | None:
            return at.isoformat() if at else None
        return {"id": self.id, "case_code": self.case_code, "url": self.url,
                "platform": self.platform, "status": self.status.value,
                "channel": self.channel.value if self.channel else None,
                "reference": self.reference, "trusted_flagger": self.trusted_flagger,
                "created_at": ts(self.created_at), "sent_at": ts(self.sent_at),
                "due_at": ts(self.due_at), "acknowledged_at": ts(self.acknowledged_at),
                "decided_at": ts(self.decided_at), "overdue": self.overdue,
                "statement_of_reasons": self.statement.as_dict(),
                "allowed_next": [s.value for s in self.allowed_next],
                "next_steps": [s.id for s in self.next_steps]}


# The directory of platforms ------------------------------------------------------------------

def platform_directory(settings: Settings) -> rules.PlatformDirectory:
    """The shipped directory, extended or overridden by ``REMPART_PLATFORMS_FILE``."""
    path = settings.platforms_file
    if path is None:
        return _default_directory()
    try:
        stat = Path(path).stat()
    except OSError as missing:
        raise TakedownError(f"the platforms file {path} cannot be read: "
                            f"{missing.strerror}") from None
    return _directory_at(str(path), stat.st_mtime_ns)


@lru_cache(maxsize=1)
def _default_directory() -> rules.PlatformDirectory:
    return rules.parse_platforms_text(rules.default_platforms_text())


@lru_cache(maxsize=8)
def _directory_at(path: str, _mtime_ns: int) -> rules.PlatformDirectory:
    try:
        return rules.parse_organisation_platforms(rules.default_platforms_text(),
                                                  Path(path).read_text("utf-8"))
    except rules.InvalidTakedown as bad:
        raise TakedownError(f"{path}: {bad}") from None
    except (OSError, UnicodeDecodeError) as unreadable:
        raise TakedownError(f"the platforms file {path} cannot be read: {unreadable}") from None


def _platform(settings: Settings, name: str) -> rules.Platform:
    try:
        return platform_directory(settings).get(name)
    except rules.InvalidTakedown as unknown:
        raise TakedownError(str(unknown)) from None


# Helpers -------------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _check_staff(uow: UnitOfWork, staff: StaffMember | None) -> None:
    if staff is not None:
        require_permission(uow, staff, Permission.SET_STATUS)


def _actor(staff: StaffMember | None) -> tuple[Actor, custody.ActorRole]:
    if staff is None:
        return Actor.OPERATOR, custody.ActorRole.OPERATOR
    return Actor.STAFF, custody.ActorRole.STAFF


def _state_digest(row: TakedownRecord) -> str:
    """SHA-256 of the takedown's recorded state: the ledger commits to it without holding it."""
    state = {"id": row.id, "case": row.case_id, "url": row.url, "platform": row.platform,
             "status": row.status, "channel": row.channel, "reference": row.reference,
             "statement": row.statement,
             "decided_at": _iso(row.decided_at), "sent_at": _iso(row.sent_at)}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _iso(at: datetime | None) -> str | None:
    aware = _aware(at)
    return aware.isoformat() if aware else None


def ledger_target(platform: str, status: str) -> str:
    name = "".join(c if c.isalnum() or c in "_.-" else "-" for c in platform).strip("-")
    return f"{(name or 'platform')[:60]}:{status}"


def _append_custody(uow: UnitOfWork, event: custody.CustodyEvent) -> int:
    return int(uow.ledger.append(event))  # commits with the rows it describes


def _record_event(uow: UnitOfWork, repo: WorkbenchRepository, row: TakedownRecord,
                  staff: StaffMember | None, at: datetime) -> int:
    actor, role = _actor(staff)
    leaf = _append_custody(uow, custody.CustodyEvent(
        custody.CustodyAction.TAKEDOWN_STATUS, row.case_id, role, at, item_id=row.id,
        sha256=_state_digest(row), target=ledger_target(row.platform, row.status)))
    repo.add_takedown_event(TakedownEventRecord(
        takedown_id=row.id, case_id=row.case_id, status=row.status, at=at, actor=actor.value,
        staff_id=staff.id if staff else None, leaf_index=leaf))
    audit.record(uow, actor, AuditAction.TAKEDOWN_CREATED
                 if row.status == rules.TakedownStatus.DRAFTED else AuditAction.TAKEDOWN_UPDATED,
                 case_id=row.case_id, staff_id=staff.id if staff else None,
                 detail={"takedown": row.id, "status": row.status,
                         "platform": row.platform[:100]})
    return leaf


def _view(uow: UnitOfWork, repo: WorkbenchRepository, row: TakedownRecord, settings: Settings,
          now: datetime, events: list[TakedownEventRecord] | None = None) -> Takedown:
    case = uow.cases.get(row.case_id)
    status = rules.TakedownStatus(row.status)
    due = _aware(row.due_at)
    try:
        platform: rules.Platform | None = platform_directory(settings).get(row.platform)
    except (rules.InvalidTakedown, TakedownError):
        platform = None  # the platform left the directory since: the request stays
    return Takedown(
        id=row.id, case_id=row.case_id, case_code=case.code if case else "",
        url=row.url, platform=row.platform, status=status,
        channel=rules.SendChannel(row.channel) if row.channel else None,
        reference=row.reference, trusted_flagger=row.trusted_flagger,
        created_at=_aware(row.created_at) or now, sent_at=_aware(row.sent_at), due_at=due,
        acknowledged_at=_aware(row.acknowledged_at), decided_at=_aware(row.decided_at),
        overdue=status in rules.WAITING and due is not None and now >= due,
        statement=rules.StatementOfReasons.from_dict(row.statement), notice=dict(row.notice),
        form_url=platform.form_url if platform else None,
        can_email=bool(platform and platform.dsa_email),
        events=[TakedownEvent(rules.TakedownStatus(e.status), _aware(e.at) or now, e.actor,
                              e.leaf_index) for e in (events or [])])


# Drafting ------------------------------------------------------------------------------------

def _notifier(settings: Settings, platform: rules.Platform) -> Notifier:
    return Notifier(settings.organisation_name, settings.organisation_email,
                    settings.organisation_name,
                    trusted_flagger=settings.trusted_flagger and platform.trusted_flagger)


def _notice_draft(services: AppServices, case_id: str, url: str, platform: rules.Platform,
                  language: str) -> NoticeDraft:
    """The Art. 16 notice for this one URL, built as the documents service builds notices."""
    from rempart.documents.notice import draft_from_case
    from rempart.services import documents

    case, _detail = documents._gather(services, case_id, language, thumbnails=False)  # type: ignore[arg-type]
    draft = draft_from_case(case, platform.name, _notifier(services.settings, platform),
                            documents._explanation(case, language),
                            tuple(o.reference for o in case.offences), language)
    return replace(draft, urls=(url,))


def draft_takedown(services: AppServices, case_id: str, url: str, platform_name: str,
                   staff: StaffMember | None = None, language: str = "fr") -> Takedown:
    """A new takedown request in the "drafted" state, with its Art. 16 notice."""
    if language not in ("fr", "en"):
        raise TakedownError("the notice language is fr or en")
    try:
        clean_url = rules.validate_url(url)
    except rules.InvalidTakedown as bad:
        raise TakedownError(str(bad)) from None
    platform = _platform(services.settings, platform_name)
    with services.uow() as uow:
        _check_staff(uow, staff)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
    try:
        notice = as_json(_notice_draft(services, case_id, clean_url, platform, language))
    except NoticeError as missing:
        raise TakedownError(f"the Article 16 notice is incomplete: {missing} (the notifier is "
                            "REMPART_ORGANISATION_NAME / REMPART_ORGANISATION_EMAIL)") from None
    now = _now()
    with services.uow() as uow:
        repo = workbench(uow)
        row = TakedownRecord(
            id=str(uuid.uuid4()), case_id=case_id, url=clean_url, platform=platform.name,
            status=rules.TakedownStatus.DRAFTED.value, channel=None, reference=None,
            trusted_flagger=notice.get("source_type") == "SOURCE_TRUSTED_FLAGGER",
            language=language, notice=notice, statement={},
            service_level_hours=platform.service_level_hours, created_at=now, updated_at=now,
            sent_at=None, due_at=None, acknowledged_at=None, decided_at=None,
            overdue_since=None, created_by=staff.id if staff else None)
        repo.add_takedown(row)
        _record_event(uow, repo, row, staff, now)
        uow.commit()
        return _view(uow, repo, row, services.settings, now, repo_events(repo, row))


def repo_events(repo: WorkbenchRepository, row: TakedownRecord) -> list[TakedownEventRecord]:
    return [e for e in repo.takedown_events(row.case_id) if e.takedown_id == row.id]


# State changes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    status: rules.TakedownStatus
    reference: str | None = None
    at: datetime | None = None  # when it happened (default: now); decided_at for a decision
    statement: rules.StatementOfReasons | None = None
    channel: rules.SendChannel | None = None


def set_status(services: AppServices, takedown_id: str, change: Change,
               staff: StaffMember | None = None) -> Takedown:
    """Move a takedown to its next state (see ``rempart.domain.takedowns``)."""
    now = _now()
    at = _aware(change.at) or now
    if at > now:
        raise TakedownError("the date cannot be in the future")
    try:
        reference = rules.validate_reference(change.reference)
    except rules.InvalidTakedown as bad:
        raise TakedownError(str(bad)) from None
    with services.uow() as uow:
        _check_staff(uow, staff)
        repo = workbench(uow)
        row = repo.takedown(takedown_id)
        if row is None or uow.cases.get(row.case_id) is None:
            raise CaseNotFound("takedown")
        current = rules.TakedownStatus(row.status)
        try:
            rules.check_transition(current, change.status)
        except rules.InvalidTakedown as refused:
            raise TakedownError(str(refused)) from None
        if change.status is rules.TakedownStatus.SENT:
            channel = change.channel or rules.SendChannel.FORM
            if channel is rules.SendChannel.FORM and not reference:
                raise TakedownError("a request sent through the platform's form needs the "
                                    "reference the platform gave (--reference)")
            created = _aware(row.created_at)
            if created is not None and at < created - _CLOCK_SLACK:
                raise TakedownError("a request cannot be sent before it was drafted")
            row.channel, row.sent_at = channel.value, at
            row.due_at = rules.due_at(at, _sla_platform(row))
        elif change.status is rules.TakedownStatus.ACKNOWLEDGED:
            row.acknowledged_at = at
        else:
            sent = _aware(row.sent_at)
            if sent is not None and at < sent:
                raise TakedownError("the decision cannot come before the request was sent")
            row.decided_at = at
            if change.statement is not None:
                row.statement = change.statement.as_dict()
        if reference:
            row.reference = reference
        row.status, row.updated_at = change.status.value, now
        if change.status not in rules.WAITING:
            row.overdue_since = None
        _record_event(uow, repo, row, staff, at)
        if rules.is_decision(change.status):
            notifications.queue_notification(uow, row.case_id, "takedown")
        uow.commit()
        view = _view(uow, repo, row, services.settings, now, repo_events(repo, row))
    notifications.dispatch_pending(services.settings)
    return view


_CLOCK_SLACK = timedelta(minutes=5)  # the drafting server and the typed time may differ a little


def _sla_platform(row: TakedownRecord) -> rules.Platform:
    """The service level as recorded when drafted (a later directory change does not move it)."""
    return rules.Platform(row.platform, None, None, row.service_level_hours, row.trusted_flagger)


def send_by_email(services: AppServices, takedown_id: str,
                  staff: StaffMember | None = None) -> Takedown:
    """E-mail the notice (PDF and JSON attached) to the platform's DSA contact, then mark the
    takedown sent with the message id as its reference. Nothing changes if sending fails."""
    from rempart.documents.notice import render_notice

    settings = services.settings
    with services.uow() as uow:
        _check_staff(uow, staff)
        row = workbench(uow).takedown(takedown_id)
        if row is None or uow.cases.get(row.case_id) is None:
            raise CaseNotFound("takedown")
        if row.status != rules.TakedownStatus.DRAFTED.value:
            raise TakedownError(f"this takedown is already {row.status}")
        case_id, url, name, language = row.case_id, row.url, row.platform, row.language
    platform = _platform(settings, name)
    if not platform.dsa_email:
        raise TakedownError(f"no DSA contact e-mail is known for {platform.name}: send the "
                            "notice through its form and mark it as sent with its reference")
    try:
        draft = _notice_draft(services, case_id, url, platform, language)
        pdf, data = render_notice(draft), as_json(draft)
    except NoticeError as missing:
        raise TakedownError(f"the Article 16 notice is incomplete: {missing}") from None
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = platform.dsa_email
    if settings.organisation_email:
        message["Reply-To"] = settings.organisation_email
    message_id = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "rempart.local")
    message["Message-ID"] = message_id
    subject = {"fr": "Notification de contenu illicite (article 16 DSA)",
               "en": "Notice of illegal content (Article 16 DSA)"}[language]
    if draft.notifier and draft.notifier.trusted_flagger:
        subject += " — " + {"fr": "signaleur de confiance", "en": "trusted flagger"}[language]
    message["Subject"] = f"{subject} — {draft.case_reference}"
    message.set_content(_email_body(draft, language))
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"notice-{draft.case_reference}.pdf")
    message.add_attachment(json.dumps(data, indent=2, ensure_ascii=False).encode(),
                           maintype="application", subtype="json",
                           filename=f"notice-{draft.case_reference}.json")
    try:
        notifications.smtp_send(settings, message)
    except notifications.MailError as failed:
        raise TakedownError(f"the notice could not be sent: {failed}") from None
    log.info("takedown.emailed", takedown_id=takedown_id)
    view = set_status(services, takedown_id, Change(rules.TakedownStatus.SENT,
                                                    reference=message_id.strip("<>")[:200],
                                                    channel=rules.SendChannel.EMAIL), staff)
    _log_shared(services, case_id, platform.name, staff)
    return view


def _email_body(draft: NoticeDraft, language: str) -> str:
    if language == "fr":
        return ("Madame, Monsieur,\n\nVeuillez trouver ci-joint une notification au titre de "
                "l'article 16 du règlement (UE) 2022/2065 concernant le contenu suivant :\n"
                f"{chr(10).join(draft.urls)}\n\nMerci d'en accuser réception (article 16(4)) et "
                "de nous informer de votre décision (article 16(5)).\n\n"
                f"Référence : {draft.case_reference}\n")
    return ("Dear Sir or Madam,\n\nPlease find attached a notice under Article 16 of "
            "Regulation (EU) 2022/2065 about the following content:\n"
            f"{chr(10).join(draft.urls)}\n\nPlease confirm receipt (Article 16(4)) and inform "
            "us of your decision (Article 16(5)).\n\n"
            f"Reference: {draft.case_reference}\n")


def _log_shared(services: AppServices, case_id: str, platform: str,
                staff: StaffMember | None) -> None:
    """The notice lists the exhibits' digests: each is on record as shared with the platform."""
    from rempart.services.cases import load_detail

    _, role = _actor(staff)
    now = _now()
    with services.uow() as uow:
        detail = load_detail(uow, case_id)
        for receipt in detail.evidence:
            _append_custody(uow, custody.shared(
                case_id, receipt.item_id, receipt.sha256, role, now,
                ledger_target(platform, "notice").rsplit(":", 1)[0], police=False))
        uow.commit()


# Reading -------------------------------------------------------------------------------------

def case_takedowns(services: AppServices, case_id: str, staff: StaffMember | None = None
                   ) -> list[Takedown]:
    """The case's takedowns, oldest first (reading them is audited for staff)."""
    now = _now()
    with services.uow() as uow:
        _check_staff(uow, staff)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        repo = workbench(uow)
        events = repo.takedown_events(case_id)
        found = [_view(uow, repo, row, services.settings, now,
                       [e for e in events if e.takedown_id == row.id])
                 for row in repo.takedowns(case_id)]
        if staff is not None:
            audit.record(uow, Actor.STAFF, AuditAction.TAKEDOWNS_VIEWED, case_id=case_id,
                         staff_id=staff.id)
            uow.commit()
        return found


def takedown(services: AppServices, takedown_id: str, staff: StaffMember | None = None
             ) -> Takedown:
    now = _now()
    with services.uow() as uow:
        _check_staff(uow, staff)
        repo = workbench(uow)
        row = repo.takedown(takedown_id)
        if row is None:
            raise CaseNotFound("takedown")
        return _view(uow, repo, row, services.settings, now, repo_events(repo, row))


def list_takedowns(services: AppServices, overdue_only: bool = False,
                   staff: StaffMember | None = None, now: datetime | None = None
                   ) -> list[Takedown]:
    """Every takedown (newest first), or the overdue ones: trusted flaggers' notices first,
    then the longest overdue."""
    now = now or _now()
    with services.uow() as uow:
        _check_staff(uow, staff)
        repo = workbench(uow)
        if overdue_only:
            rows = repo.waiting_takedowns([s.value for s in rules.WAITING])
            views = [_view(uow, repo, r, services.settings, now) for r in rows]
            found = [v for v in views if v.overdue]
            found.sort(key=lambda v: (not v.trusted_flagger, v.due_at or now, v.id))
            return found
        return [_view(uow, repo, r, services.settings, now) for r in repo.all_takedowns(MAX_LIST)]


def flag_overdue(services: AppServices, now: datetime | None = None) -> list[Takedown]:
    """Mark the takedowns whose service level just ran out (the overdue job, every few minutes);
    returns those newly flagged, trusted flaggers' first. Flagging is audited by the system."""
    now = now or _now()
    with services.uow() as uow:
        repo = workbench(uow)
        flagged = []
        for row in repo.waiting_takedowns([s.value for s in rules.WAITING]):
            due = _aware(row.due_at)
            if due is not None and now >= due and row.overdue_since is None:
                row.overdue_since = now
                audit.record(uow, Actor.SYSTEM, AuditAction.TAKEDOWN_UPDATED,
                             case_id=row.case_id,
                             detail={"takedown": row.id, "overdue": True})
                flagged.append(row)
        uow.commit()
        views = [_view(uow, repo, r, services.settings, now) for r in flagged]
    views.sort(key=lambda v: (not v.trusted_flagger, v.due_at or now))
    return views


def case_id_for_code(services: AppServices, code: str) -> str:
    """The case of a code typed on the command line; CaseNotFound otherwise."""
    from rempart.security.passphrase import normalize_case_code

    normalized = normalize_case_code(code)
    with services.uow() as uow:
        case = uow.cases.get_by_code(normalized) if normalized else None
        if case is None:
            raise CaseNotFound()
        return case.id

"""Keeping the reporter informed: an e-mail that only says "there is something new in your case,
open it with your code" (never the content, never the code), sent through SMTP by the job queue
with retries, to the optional contact the reporter gave, which they can remove at any time.

A notification is a row (case, reason, status: no address, no content) added in the transaction
of what caused it (a reply, a takedown decision, a referral); the job reads the contact only when
it sends, so a contact removed in between is never written to. SMTP: ``REMPART_SMTP_URL``
``smtp://[user:password@]host[:port][?starttls=auto|require|never&cafile=PATH]`` or
``smtps://...`` (TLS from the start), from ``REMPART_SMTP_FROM``.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from rempart.config import Settings
from rempart.domain.audit import Actor, AuditAction
from rempart.services import audit
from rempart.services.errors import CaseNotFound
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import NotificationRecord, has_workbench, workbench

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 6
REASONS = ("reply", "takedown", "referral")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class MailError(Exception):
    """SMTP refused or failed; the text names the server's answer, never an address."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    starttls: str  # auto, require, never
    username: str | None
    password: str | None
    cafile: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("REMPART_SMTP_URL must look like smtp://host:port or smtps://host:port")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "auto")
    if starttls not in ("auto", "require", "never"):
        raise MailError("starttls must be auto, require or never")
    tls = parts.scheme == "smtps"
    return SmtpTarget(parts.hostname, parts.port or (465 if tls else 25), tls, starttls,
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None,
                      query.get("cafile"))


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    """Send one message through the configured server; MailError if it cannot be sent."""
    if not settings.smtp_url:
        raise MailError("no SMTP server is configured (REMPART_SMTP_URL)")
    target = parse_smtp_url(settings.smtp_url)
    context = ssl.create_default_context(cafile=target.cafile)
    try:
        client: smtplib.SMTP
        if target.tls:
            client = smtplib.SMTP_SSL(target.host, target.port, context=context,
                                      timeout=settings.smtp_timeout_seconds)
        else:
            client = smtplib.SMTP(target.host, target.port,
                                  timeout=settings.smtp_timeout_seconds)
        with client:
            client.ehlo()
            if not target.tls and target.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif target.starttls == "require":
                    raise MailError("the SMTP server does not offer STARTTLS")
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)
    except smtplib.SMTPResponseException as refused:
        raise MailError(f"SMTP {refused.smtp_code}: "
                        f"{_short(refused.smtp_error)}") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as failed:
        raise MailError(f"{type(failed).__name__}: {_short(str(failed))}") from None


def _short(text: bytes | str) -> str:
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return _EMAIL_IN_TEXT.sub("<address>", value)[:150]


_EMAIL_IN_TEXT = re.compile(r"[^@\s<>]+@[^@\s<>]+")


# Queueing (inside the caller's unit of work) -------------------------------------------------

def queue_notification(uow: UnitOfWork, case_id: str, reason: str) -> str | None:
    """Owe the reporter a notification, if they left a contact; its id, or None."""
    if reason not in REASONS:
        raise ValueError(f"unknown notification reason {reason!r}")
    if not has_workbench(uow):
        return None  # the in-memory unit of work of unit tests has no notification table
    case = uow.cases.get(case_id)
    if case is None or not case.contact:
        return None
    repo = workbench(uow)
    # One pending notice is enough: three replies in a row make one e-mail, not three.
    if any(n.status == "pending" for n in repo.notifications(case_id)):
        return None
    row = NotificationRecord(id=str(uuid.uuid4()), case_id=case_id, reason=reason,
                             created_at=datetime.now(UTC), status="pending", attempts=0,
                             sent_at=None, last_error=None)
    repo.add_notification(row)
    return row.id


def notify_reporter(uow_factory: Callable[[], UnitOfWork], settings: Settings, case_id: str,
                    reason: str) -> str | None:
    """Queue a notification in its own transaction and hand it to the job queue (after a
    reply: called once the reply is committed)."""
    with uow_factory() as uow:
        found = queue_notification(uow, case_id, reason)
        uow.commit()
    if found:
        dispatch_pending(settings)
    return found


def dispatch_pending(settings: Settings | None) -> None:
    """Ask the job queue to deliver pending notifications now (a periodic job catches any
    this misses). Never fails the caller: the notification row is already committed.
    ``None``: the instance's settings (``get_settings()``)."""
    try:
        from rempart.jobs.notify import deliver_notifications

        deliver_notifications(settings)
    except Exception as problem:  # noqa: BLE001 - the row stays pending; the periodic job retries
        log.warning("notifications.enqueue_failed", reason=type(problem).__name__)


def dispatch_if_pending(uow: UnitOfWork, case_id: str, settings: Settings | None = None) -> None:
    """After a committed change: hand the case's pending notification to the job queue."""
    if not has_workbench(uow):
        return
    with uow:
        pending = any(n.status == "pending" for n in workbench(uow).notifications(case_id))
    if pending:
        dispatch_pending(settings)


# Delivery (the job) --------------------------------------------------------------------------

SUBJECT = "Rempart : du nouveau dans votre dossier / something new in your case"


def reporter_message(settings: Settings, to: str) -> EmailMessage:
    """The whole e-mail: no content of the case, no code, no name."""
    link = settings.public_url.rstrip("/") + "/dossier"
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = SUBJECT
    message.set_content(
        "Bonjour,\n\nVous avez du nouveau dans votre dossier Rempart (un message ou une "
        f"démarche). Ouvrez votre dossier avec votre code et votre phrase secrète :\n{link}\n\n"
        "Pour ne plus recevoir ces e-mails, retirez votre adresse depuis votre dossier.\n\n"
        "---\n\nHello,\n\nThere is something new in your Rempart case (a message or a step "
        f"taken). Open your case with your code and passphrase:\n{link}\n\n"
        "To stop these e-mails, remove your address from your case page.\n")
    return message


@dataclass(frozen=True)
class Delivery:
    sent: int
    skipped: int
    failed: int  # failed this time (retried later unless out of attempts)


def deliver_pending(uow_factory: Callable[[], UnitOfWork], settings: Settings,
                    limit: int = 100) -> Delivery:
    """Send every pending notification, each in its own transaction."""
    with uow_factory() as uow:
        ids = [n.id for n in workbench(uow).pending_notifications(limit)]
    sent = skipped = failed = 0
    for notification_id in ids:
        outcome = _deliver_one(uow_factory, settings, notification_id)
        sent += outcome == "sent"
        skipped += outcome == "skipped"
        failed += outcome == "failed"
    return Delivery(sent, skipped, failed)


def _deliver_one(uow_factory: Callable[[], UnitOfWork], settings: Settings,
                 notification_id: str) -> str:
    with uow_factory() as uow:
        row = workbench(uow).notification(notification_id)
        if row is None or row.status != "pending":
            return "gone"
        case = uow.cases.get(row.case_id)
        contact = (case.contact or "").strip() if case else ""
        now = datetime.now(UTC)
        if not contact or not _EMAIL.match(contact):
            row.status, row.last_error = "skipped", "no e-mail contact"
            uow.commit()
            return "skipped"
        row.attempts += 1
        try:
            smtp_send(settings, reporter_message(settings, contact))
        except MailError as problem:
            row.last_error = str(problem)[:200]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            uow.commit()
            log.warning("notification.failed", notification_id=row.id,
                        attempts=row.attempts, reason=row.last_error)
            return "failed"
        row.status, row.sent_at, row.last_error = "sent", now, None
        audit.record(uow, Actor.SYSTEM, AuditAction.NOTIFICATION_SENT, case_id=row.case_id,
                     detail={"reason": row.reason, "notification": row.id})
        uow.commit()
        log.info("notification.sent", notification_id=row.id)
        return "sent"


# The reporter's contact ----------------------------------------------------------------------

def has_contact(uow: UnitOfWork, case_id: str) -> bool:
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        return bool(case.contact)


def remove_contact(uow: UnitOfWork, case_id: str) -> None:
    """The reporter removes their contact: it is erased, and pending notifications dropped."""
    with uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        case.contact = None
        for row in workbench(uow).notifications(case_id):
            if row.status == "pending":
                row.status, row.last_error = "skipped", "contact removed"
        audit.record(uow, Actor.REPORTER, AuditAction.CONTACT_REMOVED, case_id=case_id)
        uow.commit()

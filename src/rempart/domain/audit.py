"""What goes into the audit log: who (a staff id or a role), did what, to which case.

Audit details hold ids and enum values only: never message or report contents, passphrases,
e-mail addresses of reporters or IP addresses.
"""

from __future__ import annotations

from enum import StrEnum


class Actor(StrEnum):
    REPORTER = "reporter"
    STAFF = "staff"
    OPERATOR = "operator"  # the command line
    PARTNER = "partner"  # a platform calling the matching API with its key
    SYSTEM = "system"
    WITNESS = "witness"  # someone the victim invited to add to the case (issue 14.5)


class AuditAction(StrEnum):
    CASE_SUBMITTED = "case.submitted"
    CASE_OPENED = "case.opened"
    CASE_OPEN_REFUSED = "case.open_refused"
    CASE_LOCKED = "case.locked"
    CASE_VIEWED = "case.viewed"
    CASE_WITHDRAWN = "case.withdrawn"
    CASE_CLOSED = "case.closed"  # every session of the case ended (issue 12.4)
    PASSPHRASE_CHANGED = "case.passphrase_changed"  # noqa: S105 (an audit action name)
    EVIDENCE_ADDED = "evidence.added"
    EVIDENCE_VIEWED = "evidence.viewed"
    EVIDENCE_EXPORTED = "evidence.exported"  # verifiable bundle downloaded (portal, back-office)
    MESSAGE_POSTED = "message.posted"
    FACTS_UPDATED = "case.facts_updated"  # the reporter changed answers (names only, no values)
    NOTE_ADDED = "note.added"
    STATUS_CHANGED = "status.changed"
    QUEUE_VIEWED = "queue.viewed"
    STAFF_CREATED = "staff.created"
    STAFF_DISABLED = "staff.disabled"
    STAFF_LOGIN = "staff.login"
    STAFF_LOGIN_FAILED = "staff.login_failed"
    STAFF_LOGOUT = "staff.logout"
    AUDIT_READ = "audit.read"
    DOCUMENT_GENERATED = "document.generated"  # complaint, notice, PHAROS fields, report
    MATCH_QUERIED = "match.queried"
    MATCH_FEEDBACK = "match.feedback"
    BANK_HASHES_ADDED = "bank.hashes_added"
    # The counsellors' workbench (issue 13.3, 13.5).
    CASE_ASSIGNED = "case.assigned"  # taken, handed over or released
    CANNED_REPLY_CHANGED = "canned_reply.changed"
    STATS_READ = "stats.read"
    AUDIT_EXPORTED = "audit.exported"
    # Follow-through (issue 13): takedowns, referrals, reporter consents and notifications.
    TAKEDOWN_CREATED = "takedown.created"
    TAKEDOWN_UPDATED = "takedown.updated"
    TAKEDOWNS_VIEWED = "takedown.viewed"
    REFERRAL_RECORDED = "referral.recorded"
    CONSENT_CHANGED = "consent.changed"
    CONTACT_REMOVED = "contact.removed"
    NOTIFICATION_SENT = "notification.sent"
    # Page capture (issue 14.3): asked from the portal, the back-office or the command line.
    CAPTURE_REQUESTED = "capture.requested"
    # Witnesses (issue 14.5): ids and counts only, never the witness's words or name.
    WITNESS_INVITED = "witness.invited"
    WITNESS_INVITATION_REVOKED = "witness.invitation_revoked"
    WITNESS_CODE_REFUSED = "witness.code_refused"
    WITNESS_CONTRIBUTED = "witness.contributed"
    WITNESS_FILE_VIEWED = "witness.file_viewed"
    WITNESS_ACCEPTED = "witness.accepted"
    WITNESS_DECLINED = "witness.declined"


AuditDetail = dict[str, str | int | bool | None]


def safe_detail(detail: AuditDetail) -> AuditDetail:
    """Refuse long strings so that contents cannot slip into the log by mistake."""
    for key, value in detail.items():
        if isinstance(value, str) and len(value) > 100:
            raise ValueError(f"audit detail {key!r} is too long to be an id or an enum value")
    return detail

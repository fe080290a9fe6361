"""Staff roles and what each may do; checked server-side on every staff action."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    COUNSELOR = "counselor"  # talks with reporters, follows cases
    ANALYST = "analyst"  # examines evidence, prepares notices and referrals
    ADMIN = "admin"  # everything, including the audit log


class Permission(StrEnum):
    VIEW_QUEUE = "view_queue"
    VIEW_CASE = "view_case"
    VIEW_EVIDENCE = "view_evidence"
    ADD_NOTE = "add_note"
    SET_STATUS = "set_status"
    REPLY = "reply"
    TAKE_CASE = "take_case"  # take a case, hand it over, release it
    USE_CANNED_REPLIES = "use_canned_replies"
    READ_AUDIT = "read_audit"
    EXPORT_AUDIT = "export_audit"
    MANAGE_STAFF = "manage_staff"
    MANAGE_CANNED_REPLIES = "manage_canned_replies"
    VIEW_STATS = "view_stats"
    CLASSIFY_TEXT = "classify_text"  # paste messages into the classifier (stores nothing)
    ADD_EVIDENCE = "add_evidence"  # add evidence to a case (a page captured at its source)


_CASEWORK = frozenset({Permission.VIEW_QUEUE, Permission.VIEW_CASE, Permission.VIEW_EVIDENCE,
                       Permission.ADD_NOTE, Permission.SET_STATUS, Permission.TAKE_CASE,
                       Permission.VIEW_STATS, Permission.CLASSIFY_TEXT,
                       Permission.ADD_EVIDENCE})

ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.COUNSELOR: _CASEWORK | {Permission.REPLY, Permission.USE_CANNED_REPLIES},
    # Analysts work on the evidence; talking with the reporter stays with counselors.
    StaffRole.ANALYST: _CASEWORK,
    StaffRole.ADMIN: frozenset(Permission),
}


def can(role: StaffRole, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024


def normalize_email(email: str) -> str:
    """Lower-case and trimmed; raises ValueError if it does not look like an address."""
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254:
        raise ValueError(f"not an e-mail address: {email!r}")
    return value


def password_problem(password: str) -> str | None:
    """Why a staff password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"the password needs at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return "the password is too long"
    return None

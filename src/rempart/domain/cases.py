"""Cases as the reporter files them: kinds of harassment, roles, statuses and report rules.

Pure rules, no I/O. The service layer turns a validated ``ReportFields`` into rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CaseKind(StrEnum):
    INSULTS = "insults"
    THREATS = "threats"
    INTIMATE_IMAGES = "intimate_images"
    PERSONAL_INFO_EXPOSURE = "personal_info_exposure"
    IDENTITY_THEFT = "identity_theft"
    GROUP_HARASSMENT = "group_harassment"
    OTHER = "other"


class ReporterRole(StrEnum):
    VICTIM = "victim"
    WITNESS = "witness"
    ADULT = "adult"  # a parent or another trusted adult


class CaseStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    ACTION_TAKEN = "action_taken"
    REFERRED_TO_POLICE = "referred_to_police"
    CLOSED = "closed"


class MessageAuthor(StrEnum):
    REPORTER = "reporter"
    STAFF = "staff"


# Generous bounds: they stop abuse (megabytes of text in a form) without refusing real stories.
MAX_DESCRIPTION_CHARS = 20_000
MAX_MESSAGE_CHARS = 10_000
MAX_LIST_ITEMS = 50
MAX_SHORT_TEXT_CHARS = 500
MAX_URL_CHARS = 2_000
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class InvalidReportFields(ValueError):
    """The report breaks a rule; the message is a human reason safe to show to the reporter."""


@dataclass(frozen=True)
class ReportFields:
    description: str
    kinds: tuple[CaseKind, ...]
    platforms: tuple[str, ...] = ()
    other_platform: str | None = None
    urls: tuple[str, ...] = ()
    incident_dates: str | None = None
    author_handles: tuple[str, ...] = ()
    victim_is_minor: bool = False
    reporter_role: ReporterRole = ReporterRole.VICTIM
    contact: str | None = None


def _clean_list(values: tuple[str, ...], what: str, max_chars: int) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(cleaned) > MAX_LIST_ITEMS:
        raise InvalidReportFields(f"too many {what} (at most {MAX_LIST_ITEMS})")
    if any(len(v) > max_chars for v in cleaned):
        raise InvalidReportFields(f"{what}: an entry is too long (at most {max_chars} characters)")
    return cleaned


def _clean_optional(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) > MAX_SHORT_TEXT_CHARS:
        raise InvalidReportFields(f"{what} is too long (at most {MAX_SHORT_TEXT_CHARS} characters)")
    return value.strip()


def validate_report(fields: ReportFields) -> ReportFields:
    """Return the report with whitespace trimmed and duplicates removed, or raise with a reason."""
    description = fields.description.strip()
    if not description:
        raise InvalidReportFields("describe what happened")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidReportFields(
            f"the description is too long (at most {MAX_DESCRIPTION_CHARS} characters)")
    if not fields.kinds:
        raise InvalidReportFields("choose at least one kind of harassment")
    urls = _clean_list(fields.urls, "links", MAX_URL_CHARS)
    for url in urls:
        if not _URL.match(url):
            raise InvalidReportFields(f"not a web link (http or https): {url[:80]}")
    return ReportFields(
        description=description,
        kinds=tuple(dict.fromkeys(fields.kinds)),
        platforms=_clean_list(fields.platforms, "platforms", 100),
        other_platform=_clean_optional(fields.other_platform, "the other platform"),
        urls=urls,
        incident_dates=_clean_optional(fields.incident_dates, "the dates"),
        author_handles=_clean_list(fields.author_handles, "author handles", 200),
        victim_is_minor=fields.victim_is_minor,
        reporter_role=fields.reporter_role,
        contact=_clean_optional(fields.contact, "the contact"),
    )


def validate_message(body: str) -> str:
    text = body.strip()
    if not text:
        raise InvalidReportFields("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidReportFields(
            f"the message is too long (at most {MAX_MESSAGE_CHARS} characters)")
    return text

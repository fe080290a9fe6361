"""Cases as the reporter files them: kinds of harassment, roles, statuses and report rules.

Pure rules, no I/O. The service layer turns a validated ``ReportFields`` into rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rempart.domain import text
from rempart.domain.facts import InvalidFacts, ReportFacts, validate_facts


class CaseKind(StrEnum):
    INSULTS = "insults"
    THREATS = "threats"
    INTIMATE_IMAGES = "intimate_images"
    PERSONAL_INFO_EXPOSURE = "personal_info_exposure"
    IDENTITY_THEFT = "identity_theft"
    GROUP_HARASSMENT = "group_harassment"
    OTHER = "other"


# The one table of the kinds' names (French, English): the report form, the case pages, the
# back-office and the documents all read it through ``kind_label``.
KIND_LABELS: dict[CaseKind, tuple[str, str]] = {
    CaseKind.INSULTS: ("Insultes, moqueries", "Insults, mockery"),
    CaseKind.THREATS: ("Menaces", "Threats"),
    CaseKind.INTIMATE_IMAGES: ("Images intimes diffusées sans consentement",
                               "Intimate images shared without consent"),
    CaseKind.PERSONAL_INFO_EXPOSURE: ("Divulgation d’informations personnelles (adresse, "
                                      "téléphone…)",
                                      "Exposure of personal information (address, phone…)"),
    CaseKind.IDENTITY_THEFT: ("Usurpation d’identité, faux compte",
                              "Identity theft, fake account"),
    CaseKind.GROUP_HARASSMENT: ("Harcèlement en groupe, « raid »", "Group harassment, “raid”"),
    CaseKind.OTHER: ("Autre chose", "Something else"),
}


def kind_label(kind: CaseKind | str, language: str) -> str:
    """The kind's name in ``language`` ("fr" unless "en"); an unknown value is returned as is."""
    try:
        french, english = KIND_LABELS[CaseKind(kind)]
    except ValueError:
        return str(kind)
    return english if language == "en" else french


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
    """The one shape of what a reporter files: the form, the JSON API and the CLI build it, the
    case services store it, and ``CaseDetail`` (the case as shown) extends it."""

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
    facts: ReportFacts = field(default_factory=ReportFacts)

    @property
    def platform_names(self) -> tuple[str, ...]:
        """The platforms chosen, then the one typed in."""
        return self.platforms + ((self.other_platform,) if self.other_platform else ())


MINOR_AGE = 18


def minor_from_facts(victim_is_minor: bool, facts: ReportFacts) -> bool:
    """A given age decides; without one, the box the reporter ticked."""
    if facts.victim_age is not None:
        return facts.victim_age < MINOR_AGE
    return victim_is_minor


def incident_text(fields: ReportFields) -> str | None:
    """The dates as one line for the documents: the facts' dates, else the text typed."""
    facts = fields.facts
    dates = " → ".join(d.isoformat() for d in (facts.started_on, facts.last_on) if d)
    return dates or fields.incident_dates or facts.approximately


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
    _no_control_characters(fields)
    description = fields.description.strip()
    if not description:
        raise InvalidReportFields("describe what happened")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidReportFields(
            f"the description is too long (at most {MAX_DESCRIPTION_CHARS} characters)")
    if not fields.kinds:
        raise InvalidReportFields("choose at least one kind of harassment")
    urls = tuple(dict.fromkeys(with_scheme(u) for u in
                               _clean_list(fields.urls, "links", MAX_URL_CHARS)))
    for url in urls:
        if not _URL.match(url):
            raise InvalidReportFields(f"not a web link (http or https): {url[:80]}")
    try:
        facts = validate_facts(fields.facts)
    except InvalidFacts as problem:
        raise InvalidReportFields(str(problem)) from None
    return replace(
        fields,
        description=description,
        kinds=tuple(dict.fromkeys(fields.kinds)),
        platforms=_clean_list(fields.platforms, "platforms", 100),
        other_platform=_clean_optional(fields.other_platform, "the other platform"),
        urls=urls,
        incident_dates=_clean_optional(fields.incident_dates, "the dates"),
        author_handles=_clean_list(fields.author_handles, "author handles", 200),
        victim_is_minor=minor_from_facts(fields.victim_is_minor, facts),
        reporter_role=fields.reporter_role,
        contact=_clean_optional(fields.contact, "the contact"),
        facts=facts,
    )


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def is_web_link(url: str) -> bool:
    """A link the report accepts (after ``with_scheme``)."""
    return bool(_URL.match(with_scheme(url)))


def with_scheme(url: str) -> str:
    """A link pasted without its scheme (``www.tiktok.com/@x``) gets ``https://``; one with
    another scheme is left as typed (and refused by the check)."""
    url = url.strip()
    if url and not _SCHEME.match(url) and not url.startswith("//"):
        return "https://" + url
    if url.startswith("//"):
        return "https:" + url
    return url


def _no_control_characters(fields: ReportFields) -> None:
    """The text rule (rempart.domain.text) on every text field of a report (issue 12.1)."""
    try:
        text.check({"description": fields.description, "platforms": fields.platforms,
                    "other platform": fields.other_platform, "links": fields.urls,
                    "dates": fields.incident_dates, "author handles": fields.author_handles,
                    "contact": fields.contact, "approximately": fields.facts.approximately},
                   multiline=("description", "dates", "approximately"))
    except text.ControlCharacters as problem:
        raise InvalidReportFields(str(problem)) from None


def validate_message(body: str) -> str:
    reason = text.problem("the message", body, multiline=True)
    if reason:
        raise InvalidReportFields(reason)
    text_ = body.strip()
    if not text_:
        raise InvalidReportFields("the message is empty")
    if len(text_) > MAX_MESSAGE_CHARS:
        raise InvalidReportFields(
            f"the message is too long (at most {MAX_MESSAGE_CHARS} characters)")
    return text_

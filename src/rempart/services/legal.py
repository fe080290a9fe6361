"""The legal knowledge base applied to a stored case: facts, suggested offences, deadlines.

The rules are pure (``rempart.domain.qualification``); this module only reads a case's fields
into ``Facts`` and turns suggestions into lines for documents and pages. Information, not legal
advice: every display carries ``offences.disclaimer(language)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rempart.documents.casefile import OffenceLine
from rempart.domain import offences, qualification
from rempart.domain.cases import CaseKind
from rempart.services.cases import CaseDetail

_KIND_LABELS = {
    CaseKind.INSULTS: ("insultes", "insults"),
    CaseKind.THREATS: ("menaces", "threats"),
    CaseKind.INTIMATE_IMAGES: ("images intimes diffusées sans consentement",
                               "intimate images shared without consent"),
    CaseKind.PERSONAL_INFO_EXPOSURE: ("exposition d'informations personnelles",
                                      "exposure of personal information"),
    CaseKind.IDENTITY_THEFT: ("usurpation d'identité", "identity theft"),
    CaseKind.GROUP_HARASSMENT: ("harcèlement en groupe (raid)", "group harassment (raid)"),
    CaseKind.OTHER: ("autre", "other"),
}


def kind_label(kind: CaseKind, language: str) -> str:
    french, english = _KIND_LABELS[kind]
    return english if language == "en" else french


def facts_of(detail: CaseDetail, labels: Iterable[str] = ()) -> qualification.Facts:
    """What the report tells: kinds, minor, number of known authors, classifier labels.

    The report's dates are free text, so the prescription is counted from the day the case was
    filed: the facts went on at least until then (the page says so next to each deadline).
    """
    kinds = frozenset(k.value for k in detail.kinds)
    several = len(detail.author_handles) >= 2 or CaseKind.GROUP_HARASSMENT in detail.kinds
    return qualification.Facts(
        kinds=kinds, victim_minor=detail.victim_is_minor,
        authors=len(detail.author_handles) or None, online=True,
        repeated=True if several or len(detail.evidence) >= 2 else None,
        last_fact=detail.created_at.date(), labels=frozenset(labels),
    )


def offence_lines(detail: CaseDetail, language: str, labels: Iterable[str] = ()
                  ) -> list[OffenceLine]:
    facts = facts_of(detail, labels)
    expiry = {d.offence.id: d.expires for d in qualification.deadlines(facts)}
    lines = []
    for suggestion in qualification.suggest(facts):
        offence = suggestion.offence
        expires = expiry.get(offence.id)
        lines.append(OffenceLine(
            reference=offence.article, title=offence.title(language),
            max_penalty=suggestion.penalty.describe(language),
            derivation=suggestion.derivation(language),
            prescription=_prescription(expires, language)))
    return lines


def reminders(detail: CaseDetail, today: date, labels: Iterable[str] = ()
              ) -> list[qualification.Reminder]:
    """Deadline reminders for the case page, soonest first."""
    return qualification.reminders(facts_of(detail, labels), today)


def disclaimer(language: str) -> str:
    return offences.disclaimer(language)


def _prescription(expires: date | None, language: str) -> str:
    if expires is None:
        return ""
    day = expires.isoformat()
    return f"prescription estimée le {day}" if language == "fr" else f"time limit around {day}"

"""The legal knowledge base applied to facts: suggested offences, penalties and deadlines.

The rules are pure (``rempart.domain.qualification``); this module turns what a reporter said
(``rempart.domain.facts.ReportFacts``, with the case's kinds and classifier labels) into
``qualification.Facts``, and the result into what pages, documents, the JSON API
(``POST /api/v1/qualify``) and the CLI (``rempart qualify``) show. ``qualify`` stores nothing.
Information, not legal advice: every display carries ``offences.disclaimer(language)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rempart.documents.casefile import OffenceLine
from rempart.domain import cases as cases_domain
from rempart.domain import offences, qualification
from rempart.domain.cases import CaseKind
from rempart.domain.facts import InvalidFacts, ReportFacts
from rempart.services.cases import CaseDetail

# The classifier's labels (rempart.detect.classifier.labels.MODEL_LABELS), spelled here so that
# a qualification does not load the classifier package.
KNOWN_LABELS = frozenset({"insult", "threat", "denigration", "identity_hate", "sexual",
                          "doxxing", "self_harm_incitement", "neutral"})
REQUEST_KEYS = frozenset({"kinds", "labels", "today"})
MAX_KINDS = 20

def kind_label(kind: CaseKind, language: str) -> str:
    """The one table of kind names is the domain's (``rempart.domain.cases.KIND_LABELS``)."""
    return cases_domain.kind_label(kind, language)


@dataclass(frozen=True)
class QualifyRequest:
    """What ``POST /api/v1/qualify`` and ``rempart qualify`` take: the report's facts (the names
    of ``ReportFacts``), the kinds of the report, optional classifier labels and the day to
    assess the deadlines on."""

    facts: ReportFacts
    kinds: frozenset[str]
    labels: frozenset[str]
    today: date


def parse_qualify_request(data: object, today: date) -> QualifyRequest:
    """Validates a decoded JSON object; InvalidFacts with a reason safe to show otherwise."""
    if not isinstance(data, Mapping):
        raise InvalidFacts("a JSON object is expected")
    raw = dict(data)
    kinds = _strings(raw.pop("kinds", None), "kinds")
    valid_kinds = {kind.value for kind in CaseKind}
    unknown = sorted(kinds - valid_kinds)
    if unknown:
        raise InvalidFacts(f"kinds: unknown kind {unknown[0][:40]!r} "
                           f"(one of {', '.join(sorted(valid_kinds))})")
    labels = _strings(raw.pop("labels", None), "labels")
    unknown = sorted(labels - KNOWN_LABELS)
    if unknown:
        raise InvalidFacts(f"labels: unknown label {unknown[0][:40]!r}")
    day = raw.pop("today", None)
    if day is not None:
        if not isinstance(day, str):
            raise InvalidFacts("today: a date (YYYY-MM-DD) is expected")
        try:
            today = date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidFacts(f"today: not a date (YYYY-MM-DD): {day[:40]}") from None
    facts = ReportFacts.from_dict({str(key): value for key, value in raw.items()})
    return QualifyRequest(facts=facts, kinds=kinds, labels=labels, today=today)


def _strings(value: object, name: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidFacts(f"{name}: a list of strings is expected")
    if len(value) > MAX_KINDS:
        raise InvalidFacts(f"{name}: at most {MAX_KINDS} values")
    return frozenset(value)


def facts_from(report: ReportFacts, kinds: Iterable[str], labels: Iterable[str], as_of: date,
               *, victim_minor: bool | None = None, handles: Iterable[str] = (),
               incident_text: str = "", chronology: tuple[date, date] | None = None
               ) -> qualification.Facts:
    """The facts the rules need, from what the reporter said on ``as_of``.

    Nothing is invented: an unknown answer stays unknown (no aggravation, no repetition), the
    number of authors is the one given (else the number of distinct accounts named), and the
    dates are the ones given, else an approximation ("depuis environ un mois", estimated), else
    calendar dates written in the free text, else the first and last days of the case's
    chronology (``chronology``: dated evidence and the reporter's corrections, estimated), else
    none (the deadlines are then unknown). A date the reporter left empty while giving the
    other one is also taken from the chronology, and the dates are then estimated.
    """
    first, last, estimated = report.started_on, report.last_on, False
    if first is None and last is None:
        span = None
        for text in (report.approximately or "", incident_text):
            span = qualification.approximate_period(text, as_of) if text else None
            if span:
                break
        written = qualification.dates_in(incident_text)
        if span is not None:
            first, last = span
            estimated = True
        elif written:
            first, last = min(written), max(written)
        elif chronology is not None:
            (first, last), estimated = chronology, True
    elif chronology is not None and (first is None or last is None):
        first = first or min(chronology[0], last or chronology[0])
        last = max(last or chronology[1], first)
        estimated = True
    named = len({handle.strip().lower() for handle in handles if handle.strip()})
    minor = victim_minor if report.victim_age is None else None
    return qualification.Facts(
        kinds=frozenset(kinds), labels=frozenset(labels), victim_age=report.victim_age,
        victim_minor=minor, age_on=as_of, authors=report.authors or named or None,
        public=report.public, online=True, repeated=report.repeated, first_fact=first,
        last_fact=last, dates_estimated=estimated, school=bool(report.school),
        partner=bool(report.partner), death_threat=bool(report.death_threat),
        threat_with_demand=bool(report.threat_with_demand), deepfake=bool(report.deepfake),
        sexual=bool(report.sexual), discriminatory=bool(report.discriminatory),
        itt_over_8_days=bool(report.itt_over_8_days),
        suicide_or_attempt=bool(report.suicide_or_attempt))


def facts_of(detail: CaseDetail, labels: Iterable[str] = (),
             given: ReportFacts | None = None, *,
             chronology: tuple[date, date] | None = None) -> qualification.Facts:
    """The facts of a stored case: what the reporter answered (``detail.facts``, stored with the
    report), the case's kinds, minor flag and named accounts, and the classifier labels.

    Nothing is inferred from the number of files, and no deadline is counted from the day the
    case was filed: without a date of the facts, the deadlines say they are unknown. ``given``
    replaces the stored answers (a complaint written with facts typed in at that moment);
    ``chronology`` is the first and last days of the case's chronology
    (``services.chronology.span``), used only for dates the reporter left empty.
    """
    report = given if given is not None else detail.facts
    return facts_from(report, (k.value for k in detail.kinds), labels,
                      detail.created_at.date(), victim_minor=detail.victim_is_minor,
                      handles=detail.author_handles, incident_text=detail.incident_dates or "",
                      chronology=chronology)


def qualify(request: QualifyRequest, language: str) -> dict[str, Any]:
    """The offences the facts may constitute, their maximum penalties and deadlines as of
    ``request.today``, in ``language`` ("fr" or "en"), ready for JSON. Stores nothing."""
    facts = facts_from(request.facts, request.kinds, request.labels, request.today)
    assessments = qualification.assess(facts, request.today)
    legal = offences.load_legal_base()
    return {
        "offences": [_offence_json(a, legal, language) for a in assessments],
        "remedies": qualification.remedies(assessments, language),
        "urgent_help": _urgent_help(request.facts, language),
        "warnings": _warnings(request.facts, request.today, language),
        "disclaimer": legal.disclaimer(language),
        "law_checked_on": legal.last_checked.isoformat(),
        "language": language,
        "today": request.today.isoformat(),
    }


def _offence_json(assessment: qualification.OffenceAssessment, legal: offences.LegalBase,
                  language: str) -> dict[str, Any]:
    suggestion, deadline = assessment.suggestion, assessment.deadline
    offence = suggestion.offence
    ordered = [a for a in offence.aggravations if a in suggestion.aggravations]
    return {
        "id": offence.id, "article": offence.article, "title": offence.title(language),
        "max_prison_months": suggestion.penalty.prison_months,
        "max_fine_eur": suggestion.penalty.fine_eur,
        "max_penalty": suggestion.penalty.describe(language),
        "aggravations": [{"id": key, "label": legal.aggravation_label(key, language)}
                         for key in ordered],
        "derivation": suggestion.derivation(language),
        "why": suggestion.why(language),
        "prescription_ends": deadline.expires.isoformat() if deadline else None,
        "prescription_ends_last_act": deadline.latest_expires.isoformat() if deadline else None,
        "prescription_estimated": bool(deadline and deadline.estimated),
        "prescription_unknown": deadline is None,
        "prescription_from_majority": bool(deadline and deadline.from_majority),
        "prescription": assessment.explanation(language),
        "status": assessment.status,
        "expired": assessment.expired,
        "account_suspension": suggestion.suspends_accounts,
        "notes": offence.notes(language),
        "law_checked_on": (offence.last_checked or legal.last_checked).isoformat(),
    }


def _urgent_help(report: ReportFacts, language: str) -> list[str]:
    lines = []
    if report.suicide_or_attempt:
        lines.append("Thoughts of suicide: 3114, free, 24/7; in immediate danger: 112."
                     if language == "en" else
                     "Idées suicidaires : 3114, gratuit, 24 h/24 ; en danger immédiat : 112.")
    if report.death_threat:
        lines.append("A threat to life: in immediate danger, 17 or 112." if language == "en"
                     else "Menace de mort : en danger immédiat, 17 ou 112.")
    return lines


def _warnings(report: ReportFacts, today: date, language: str) -> list[str]:
    """Facts that contradict each other are pointed out, never silently corrected."""
    en = language == "en"
    found = []
    if report.started_on and report.last_on and report.last_on < report.started_on:
        found.append("last_on is before started_on." if en else
                     "La date du dernier fait (last_on) est avant la date de début (started_on).")
    for name in ("started_on", "last_on"):
        day = getattr(report, name)
        if day is not None and day > today:
            found.append(f"{name} is in the future." if en else
                         f"La date {name} est dans le futur.")
    if report.approximately and (report.started_on or report.last_on):
        found.append("Both dates and an approximation were given: the dates are used." if en
                     else "Des dates et une approximation ont été données : les dates sont "
                          "utilisées.")
    return found


def offence_lines(detail: CaseDetail, language: str, labels: Iterable[str] = (),
                  given: ReportFacts | None = None, *,
                  chronology: tuple[date, date] | None = None) -> list[OffenceLine]:
    """The offences of a stored case for documents (complaint letter, notices, reports)."""
    facts = facts_of(detail, labels, given, chronology=chronology)
    lines = []
    for suggestion in qualification.suggest(facts):
        offence = suggestion.offence
        deadline = qualification.deadline_of(suggestion, facts)
        lines.append(OffenceLine(
            reference=offence.article, title=offence.title(language),
            max_penalty=suggestion.penalty.describe(language),
            derivation=suggestion.derivation(language),
            prescription=_prescription(deadline, language),
            account_suspension=suggestion.suspends_accounts))
    return lines


def reminders(detail: CaseDetail, today: date, labels: Iterable[str] = (), *,
              chronology: tuple[date, date] | None = None) -> list[qualification.Reminder]:
    """Deadline reminders for the case page, soonest first; an offence whose facts have no date
    says its time limit cannot be computed (it is never counted from the day of the report).
    Dates taken from the chronology make the reminders say they are estimated."""
    return qualification.reminders(facts_of(detail, labels, chronology=chronology), today,
                                   include_unknown=True)


def disclaimer(language: str) -> str:
    return offences.disclaimer(language)


def law_checked(language: str) -> tuple[str, str]:
    """(which texts were checked, on which day) for the pages that show them."""
    legal = offences.load_legal_base()
    return legal.law_sources(language), qualification.format_day(legal.last_checked, language)


def _prescription(deadline: qualification.Deadline | None, language: str) -> str:
    if deadline is None:
        return ("date of the facts unknown: time limit not computed" if language == "en" else
                "date des faits inconnue : délai non calculé")
    day = qualification.format_day(deadline.expires, language)
    if language == "en":
        return f"time limit {'estimated on' if deadline.estimated else 'on'} {day}"
    return f"prescription {'estimée au' if deadline.estimated else 'le'} {day}"

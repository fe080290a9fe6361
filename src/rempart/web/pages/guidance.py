"""Guided pages: victim, witness and parent paths, helplines, rights, and the self-assessment.

Long texts are per-language templates (``guide/<name>.<lang>.html``); short strings go through
gettext (domain ``guidance``). Every list of services says "open now" or "opens at ...".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_datetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rempart.domain import offences
from rempart.domain.cases import CaseKind
from rempart.domain.facts import InvalidFacts
from rempart.domain.helplines import (
    PARIS,
    Service,
    closes_at,
    is_open,
    load_directory,
    next_opening,
)
from rempart.domain.qualification import Facts, suggest
from rempart.domain.self_assessment import WHAT, Answers, assess
from rempart.services import legal
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import checked_form, csrf_failure, render

router = APIRouter(include_in_schema=False)

PATH_SERVICES = {"victim": ("3018", "17", "112", "114", "3114", "pharos", "stopncii", "takeitdown"),
                 "witness": ("3018", "pharos", "112", "114"),
                 "adult": ("3018", "119", "17", "112", "3114", "takeitdown")}
# The worked example on the rights page: the seed's "up to 3 years and €45,000".
SEED_EXAMPLE = Facts(kinds=frozenset({"insults"}), repeated=True, victim_age=14, online=True)


def now() -> datetime:
    return datetime.now(UTC)


def service_views(ids: tuple[str, ...] | None, at: datetime) -> list[dict[str, Any]]:
    directory = load_directory()
    chosen = directory.services if ids is None else tuple(directory.get(i) for i in ids)
    return [_service_view(service, at) for service in chosen]


def _service_view(service: Service, at: datetime) -> dict[str, Any]:
    language = current_language()
    return {"id": service.id, "name": service.name, "description": service.description(language),
            "contact": service.contact, "status": _status(service, at, language),
            "open": is_open(service, at), "replaced_by": service.replaced_by,
            "emergency": service.emergency}


def _status(service: Service, at: datetime, language: str) -> str:
    if service.replaced_by:
        return _("Replaced by %(number)s: call %(number)s instead") % {
            "number": service.replaced_by}
    if service.web_form:
        return _("Online form, available at any time")
    if service.always_open:
        return _("Open now, 24 hours a day")
    if is_open(service, at):
        closing = closes_at(service, at)
        return _("Open now, until %(time)s") % {"time": _clock(closing, language)}
    opening = next_opening(service, at)
    if opening is None:
        return _("Closed")
    return _("Closed, opens %(when)s") % {"when": format_datetime(
        opening, "EEEE d MMMM, HH:mm", tzinfo=PARIS, locale=language)}


def _clock(moment: datetime | None, language: str) -> str:
    return format_datetime(moment, "HH:mm", tzinfo=PARIS, locale=language) if moment else ""


def _guide(request: Request, role: str, heading: str) -> HTMLResponse:
    return render(request, "guide/path.html", {
        "role": role, "heading": heading, "body": f"guide/{role}.{current_language()}.html",
        "services": service_views(PATH_SERVICES[role], now())})


@router.get("/victime", response_class=HTMLResponse)
def victim(request: Request) -> HTMLResponse:
    return _guide(request, "victim", _("I am a victim"))


@router.get("/temoin", response_class=HTMLResponse)
def witness(request: Request) -> HTMLResponse:
    return _guide(request, "witness", _("I am a witness"))


@router.get("/parent", response_class=HTMLResponse)
def parent(request: Request) -> HTMLResponse:
    return _guide(request, "adult", _("I am a parent / a trusted adult"))


@router.get("/aide", response_class=HTMLResponse)
@router.get("/numeros", response_class=HTMLResponse)
def helplines(request: Request) -> HTMLResponse:
    return render(request, "guide/helplines.html", {
        "services": service_views(None, now()), "checked": load_directory().last_checked})


@router.get("/vos-droits", response_class=HTMLResponse)
def rights(request: Request) -> HTMLResponse:
    return _rights_page(request, {})


@router.post("/vos-droits/simulateur", response_class=HTMLResponse)
async def rights_simulator(request: Request) -> HTMLResponse:
    """The "what does my situation risk" simulator: the same service as POST /api/v1/qualify,
    from a plain form (no JavaScript). Nothing is stored."""
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    values = {name: str(form.get(name, ""))[:MAX_FIELD_CHARS] for name in SIMULATOR_FIELDS}
    kinds = [str(kind) for kind in form.getlist("kinds")][:20]
    data, error = _simulator_facts(values, kinds)
    context: dict[str, Any] = {"values": values, "checked_kinds": kinds}
    if error is None:
        try:
            parsed = legal.parse_qualify_request(data, now().date())
        except InvalidFacts:
            error = _("Some answers could not be read: check the ages, numbers and dates.")
        else:
            context["result"] = legal.qualify(parsed, current_language())
    context["error"] = error
    return _rights_page(request, context, status_code=200 if error is None else 400)


# The simulator's questions: yes / no / "je ne sais pas" (empty), numbers, dates, a text.
SIMULATOR_CHOICES = ("repeated", "school", "public", "partner", "death_threat",
                     "threat_with_demand", "deepfake", "sexual", "discriminatory",
                     "itt_over_8_days", "suicide_or_attempt")
SIMULATOR_FIELDS = ("victim_age", "authors", "started_on", "last_on", "approximately",
                    *SIMULATOR_CHOICES)
MAX_FIELD_CHARS = 200


def _simulator_facts(values: dict[str, str], kinds: list[str]
                     ) -> tuple[dict[str, object], str | None]:
    """The form's answers as the JSON facts of the service, or an error in the reader's
    language (nothing typed is lost: the page shows the answers again)."""
    data: dict[str, object] = {"kinds": kinds}
    for name, label, low, high in (("victim_age", _("Age"), 0, 120),
                                   ("authors", _("Number of people"), 1, 10_000)):
        text = values[name].strip()
        if not text:
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            return data, _("%(field)s: a whole number between %(low)d and %(high)d.") % {
                "field": label, "low": low, "high": high}
        data[name] = int(text)
    for name in ("started_on", "last_on"):
        text = values[name].strip()
        if text:
            try:
                date.fromisoformat(text)
            except ValueError:
                return data, _("%(field)s: a date is expected (day, month, year).") % {
                    "field": _("Since when?") if name == "started_on" else _("Until when?")}
            data[name] = text
    if values["approximately"].strip():
        data["approximately"] = values["approximately"].strip()
    for name in SIMULATOR_CHOICES:
        if values[name] in ("yes", "no"):
            data[name] = values[name] == "yes"
    return data, None


def _rights_page(request: Request, extra: dict[str, Any], status_code: int = 200
                 ) -> HTMLResponse:
    language = current_language()
    base = offences.load_legal_base()
    sources, checked_on = legal.law_checked(language)
    context: dict[str, Any] = {
        "offences": list(base.offences.values()), "language": language,
        "labels": {key: base.aggravation_label(key, language)
                   for key in base.aggravation_labels},
        "example": suggest(SEED_EXAMPLE)[0], "disclaimer": offences.disclaimer(language),
        "law_sources": sources, "law_checked_on": checked_on,
        "summary": f"guide/rights_summary.{language}.html",
        "choices": SIMULATOR_CHOICES, "kinds": [kind.value for kind in CaseKind],
        "kind_names": {kind.value: legal.kind_label(kind, language) for kind in CaseKind},
        "values": {name: "" for name in SIMULATOR_FIELDS}, "checked_kinds": [],
        "result": None, "error": None}
    context.update(extra)
    return render(request, "guide/rights.html", context, status_code=status_code)


@router.get("/auto-evaluation", response_class=HTMLResponse)
def self_assessment_form(request: Request) -> HTMLResponse:
    return render(request, "guide/self_assessment.html", {"what": WHAT})


@router.post("/auto-evaluation", response_class=HTMLResponse)
async def self_assessment_result(request: Request) -> HTMLResponse:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    answers = Answers(
        role=str(form.get("role", "victim")),
        what=frozenset(str(v) for v in form.getlist("what")),
        **{name: form.get(name) == "yes" for name in (
            "repeated", "several_people", "public", "under_18", "affects_health", "danger_now",
            "suicidal_thoughts")})
    result = assess(answers)
    at, language = now(), current_language()
    return render(request, "guide/self_assessment_result.html", {
        "result": result, "emergency": service_views(result.emergency_first, at),
        "services": service_views(result.services, at),
        "suggestions": suggest(result.facts), "language": language,
        "disclaimer": offences.disclaimer(language)})

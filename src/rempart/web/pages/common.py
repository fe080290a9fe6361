"""What every HTML page needs: the Jinja2 environment, rendering, CSRF checks, error pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
import qrcode
import qrcode.constants
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from qrcode.image.svg import SvgPathImage
from starlette.datastructures import FormData

from rempart.domain import after_report, helplines
from rempart.domain.facts import ReportFacts
from rempart.web import i18n
from rempart.web.protection import CSRF_FIELD, csrf_token, csrf_valid, refuse_control_characters

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Autoescaping on every template; gettext reads the request's language from a context variable.
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                          extensions=["jinja2.ext.i18n"])
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
templates = Jinja2Templates(env=_env)
templates.env.globals["csrf_field_name"] = CSRF_FIELD


PARIS = ZoneInfo("Europe/Paris")
_BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale() -> str:
    return _BABEL_LOCALES.get(i18n.current_language(), "fr_FR")


def _filesize(size: int) -> str:
    """A size for people: o/Ko/Mo/Go in French (KB/MB/GB in English), 1,024 apart as file
    managers count, numbers formatted by Babel (``1,5\u00a0Mo``)."""
    french = i18n.current_language() == "fr"
    units = [("Go" if french else "GB", 1024 ** 3), ("Mo" if french else "MB", 1024 ** 2),
             ("Ko" if french else "KB", 1024)]
    for unit, factor in units:
        if size >= factor:
            number = format_decimal(size / factor, format="#,##0.#", locale=_locale())
            return f"{number}\u00a0{unit}"
    return f"{format_decimal(size, locale=_locale())}\u00a0{'o' if french else 'B'}"


def _as_paris(moment: datetime) -> datetime:
    """Stored times are UTC (naive ones too); people read them in Europe/Paris."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def _localdate(day: date | datetime | None) -> str:
    """``1 décembre 2026`` / ``1 December 2026`` (a datetime is read in Paris time first)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = _as_paris(day).date()
    return format_date(day, format="d MMMM y", locale=_locale())


def _localdatetime(moment: datetime | None) -> str:
    """``1 décembre 2026 à 23:05`` in Europe/Paris time (``1 December 2026, 23:05``)."""
    if moment is None:
        return ""
    pattern = "d MMMM y 'à' HH:mm" if i18n.current_language() == "fr" else "d MMMM y, HH:mm"
    return format_datetime(_as_paris(moment), format=pattern, tzinfo=PARIS, locale=_locale())


def qr_svg(text: str, label: str) -> Markup:
    """A QR code of ``text`` as inline SVG (no script, no style attribute: CSP-safe); ``label``
    is what a screen reader says (not the secret it encodes)."""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=10,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    name = escape(label)
    # The SVG is qrcode's own output (paths only, nothing of the reader's); the label is escaped.
    return Markup(  # noqa: S704
        svg.replace("<svg ", f'<svg role="img" aria-label="{name}" class="qr" ', 1))


def _after_report(report: Any) -> dict[str, Any]:
    """The steps after a report (``domain.after_report``) and the register of its reader."""
    role = str(getattr(getattr(report, "reporter_role", None), "value", "") or "victim")
    kinds = [str(getattr(k, "value", k)) for k in getattr(report, "kinds", None) or []]
    facts = getattr(report, "facts", None)
    return {"steps": after_report.next_steps(kinds, role,
                                             facts if isinstance(facts, ReportFacts) else None),
            "register": after_report.register(role), "role": role}


def in_register(register: str, message: str, **values: Any) -> str:
    """``message`` in the reader's register: the ``tu`` form (``msgctxt "tu"``) on the youth
    path, the plain (``vous``) translation elsewhere, and when a ``tu`` form is missing."""
    text = i18n.gettext(message)
    if register == "tu":
        familiar = str(i18n.translations(i18n.current_language()).pgettext("tu", message))
        if familiar != message:
            text = familiar
    return text % values if values else text


templates.env.filters["filesize"] = _filesize
templates.env.filters["dial"] = helplines.dial_uri
templates.env.globals["in_register"] = in_register
templates.env.filters["localdate"] = _localdate
templates.env.filters["localdatetime"] = _localdatetime
templates.env.globals["qr_svg"] = qr_svg
templates.env.globals["after_report"] = _after_report


def _with_language(request: Request, language: str) -> str:
    """This page's path and query with ``lang`` set (a relative URL: no host ever echoed)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "ok")]
    return f"{request.url.path}?{urlencode(query + [('lang', language)])}"


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    other = "en" if i18n.current_language() == "fr" else "fr"
    values = {"lang": i18n.current_language(), "csrf_token": csrf_token(request),
              "settings": request.app.state.settings,
              "switch_language_url": _with_language(request, other)}
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def error_page(request: Request, status_code: int, reason: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status_code, "reason": reason},
                  status_code=status_code)


async def checked_form(request: Request) -> FormData | None:
    """The posted form when its CSRF token matches the cookie, else None."""
    form = await request.form()
    if not csrf_valid(request, form):
        return None
    refuse_control_characters(form)  # 400 with the reason (issue 12.1)
    return form


def csrf_failure(request: Request) -> HTMLResponse:
    return error_page(request, 403, i18n.gettext(
        "This form has expired or was not sent from this site. Go back, reload the page and "
        "try again."))

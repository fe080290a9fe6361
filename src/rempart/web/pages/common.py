"""What every HTML page needs: the Jinja2 environment, rendering, CSRF checks, error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from rempart.web import i18n
from rempart.web.security import CSRF_FIELD, csrf_token, csrf_valid

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Autoescaping on every template; gettext reads the request's language from a context variable.
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                          extensions=["jinja2.ext.i18n"])
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
templates = Jinja2Templates(env=_env)
templates.env.globals["csrf_field_name"] = CSRF_FIELD


def _filesize(size: int) -> str:
    """A size for people: binary units, French decimal comma and units in French."""
    french = i18n.current_language() == "fr"
    units = [("Gio" if french else "GiB", 1024 ** 3), ("Mio" if french else "MiB", 1024 ** 2),
             ("kio" if french else "KiB", 1024)]
    for unit, factor in units:
        if size >= factor:
            number = f"{size / factor:.1f}".removesuffix(".0")
            return f"{number.replace('.', ',') if french else number}\u00a0{unit}"
    return f"{size}\u00a0o" if french else f"{size}\u00a0B"


templates.env.filters["filesize"] = _filesize


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
    return form if csrf_valid(request, form) else None


def csrf_failure(request: Request) -> HTMLResponse:
    return error_page(request, 403, i18n.gettext(
        "This form has expired or was not sent from this site. Go back, reload the page and "
        "try again."))

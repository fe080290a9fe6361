"""The reporter's case code and passphrase as a small file or a QR code, right after a report.

The report-received page (``report_done.html``) is the only place that shows the passphrase; its
"Download" buttons post the code and passphrase back here (with the CSRF token and a ticket
signed for that code, valid ``TICKET_SECONDS``), and the answer is an attachment that no cache
keeps (``Cache-Control: no-store``). Nothing is stored or logged: the route only checks that
what comes back has the shape of a code and a passphrase, so it cannot be used to serve
arbitrary text from Rempart's origin.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from rempart.config import Settings
from rempart.security import passphrase
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import (
    checked_form,
    csrf_failure,
    error_page,
    in_register,
    qr_svg,
    templates,
)

router = APIRouter(include_in_schema=False)
TICKET_SECONDS = 30 * 60
_SALT = "secret-card"


def card_ticket(settings: Settings, code: str) -> str:
    """Signed for this code: the download works only from the page shown after the report."""
    return str(URLSafeTimedSerializer(settings.secret_bytes("session_key"), salt=_SALT)
               .dumps(code))


def _ticket_code(settings: Settings, ticket: str) -> str | None:
    try:
        value = URLSafeTimedSerializer(settings.secret_bytes("session_key"), salt=_SALT).loads(
            ticket, max_age=TICKET_SECONDS)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def is_passphrase(typed: str) -> bool:
    words = passphrase.normalize_passphrase(typed).split()
    known = {passphrase.normalize_passphrase(w) for w in passphrase.wordlist()}
    return len(words) == passphrase.words_needed() and all(w in known for w in words)


def card_text(code: str, secret: str, register: str) -> str:
    """The file's text, in the reader's language and register (``tu`` for a victim)."""
    if register == "tu":
        keep = in_register("tu", "Keep this file where the person harassing you cannot see it.")
    else:
        keep = _("Keep this file where nobody else can see it.")
    colon = "\u00a0: " if current_language() == "fr" else ": "  # French puts a space before
    lines = [
        _("Rempart: my case"),
        "",
        f"{_('Case code')}{colon}{code}",
        f"{_('Secret passphrase')}{colon}{secret}",
        "",
        in_register(register, "To come back to your case: open Rempart, “Find my case”, then "
                              "type the code and the passphrase."),
        keep,
    ]
    return "\r\n".join(lines) + "\r\n"


templates.env.globals["card_ticket"] = card_ticket


@router.post("/signaler/fiche")
async def download_card(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    settings: Settings = request.app.state.settings
    code = passphrase.normalize_case_code(str(form.get("code", ""))[:40])
    secret = str(form.get("passphrase", ""))[:300].strip()
    register = "tu" if form.get("register") == "tu" else "vous"
    if (code is None or not is_passphrase(secret)
            or _ticket_code(settings, str(form.get("ticket", ""))[:500]) != code):
        return error_page(request, 400, _(
            "This download is only offered on the page shown right after a report. Copy the "
            "code and the passphrase by hand instead."))
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if form.get("format") == "qr":
        svg = str(qr_svg(f"{code}\n{secret}", _("QR code of the case")))
        headers["Content-Disposition"] = 'attachment; filename="rempart-qr.svg"'
        return Response(svg, media_type="image/svg+xml", headers=headers)
    headers["Content-Disposition"] = 'attachment; filename="rempart-dossier.txt"'
    return Response(card_text(code, secret, register), media_type="text/plain; charset=utf-8",
                    headers=headers)

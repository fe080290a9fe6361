"""Parsing the forms of the "Documents" page: the complainant's identity, the DSA notifier.

The identity typed for a complaint letter goes into the PDF only: it is never stored or logged.
A notice is checked against Article 16 *before* the documents service runs, so that a refused
notice leaves no audit or custody entry behind (the service records before it validates).
"""

from __future__ import annotations

import re

from starlette.datastructures import FormData

from rempart.documents.casefile import CaseFile, Person
from rempart.documents.complaint import ComplaintParties
from rempart.documents.notice import draft_from_case
from rempart.domain.notices import NoticeError, Notifier, validate
from rempart.services import legal
from rempart.services.cases import CaseDetail
from rempart.web import i18n

LANGUAGES = ("fr", "en")
SHORT_FIELD = 200
# The custody ledger names the platform a notice shares the evidence with in these characters.
PLATFORM_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")
LONG_FIELD = 5000


def text(form: FormData, name: str, limit: int = SHORT_FIELD) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("1", "on", "yes")


def language(form: FormData) -> str:
    """The document's language: the one asked for, else the page's."""
    asked = text(form, "language", 5)
    return asked if asked in LANGUAGES else i18n.current_language()


def complaint_parties(form: FormData) -> ComplaintParties:
    complainant = Person(text(form, "name"), text(form, "birth"), text(form, "address", 500),
                         text(form, "phone", 40), text(form, "email", 254))
    minor_name, role = text(form, "minor_name"), text(form, "representative_role", 80)
    minor = Person(full_name=minor_name, birth_date=text(form, "minor_birth")) \
        if minor_name or role else None
    return ComplaintParties(complainant=complainant, minor=minor, representative_role=role,
                            court_city=text(form, "court_city", 80), place=text(form, "place", 80))


def notifier(form: FormData, trusted_flagger_allowed: bool) -> Notifier | None:
    """None when neither a name nor an e-mail was given (an exempt notice, Art. 16(2)(c))."""
    name, email = text(form, "notifier_name"), text(form, "notifier_email", 254)
    if not name and not email:
        return None
    return Notifier(name, email, text(form, "organisation"),
                    trusted_flagger_allowed and checked(form, "trusted_flagger"))


def notifiable(platform: str) -> bool:
    return bool(PLATFORM_NAME.match(platform))


def check_notice(detail: CaseDetail, platform: str, who: Notifier | None, explanation: str,
                 lang: str) -> None:
    """Raise NoticeError as the service would, without touching the database."""
    if not notifiable(platform):
        raise NoticeError(i18n.gettext(
            "the platform's name may hold only letters, digits and . _ : - (for example "
            "Instagram or TikTok)"))
    extra = (detail.other_platform,) if detail.other_platform else ()
    case = CaseFile(code=detail.code, created_at=detail.created_at,
                    kinds=tuple(legal.kind_label(k, lang) for k in detail.kinds),
                    description=detail.description,
                    platforms=tuple(detail.platforms) + extra, urls=tuple(detail.urls),
                    victim_is_minor=detail.victim_is_minor)
    # The service writes a default explanation from the case's offences when none is typed.
    validate(draft_from_case(case, platform, who, explanation or "-", (), lang))


def safe_file_part(value: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in value)[:40] or "dossier"

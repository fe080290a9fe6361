"""Complaint letter to the procureur de la République (plainte simple, by registered letter).

Article 40 of the Code de procédure pénale lets anyone write directly to the prosecutor. The
letter follows the model that service-public.fr gives: identity (for a minor, the legal
representative or referent adult acting for them), the facts in order, the offences they may
constitute, "contre X" when the authors are unknown, and the numbered list of exhibits. Each
exhibit carries its SHA-256 and its position in Rempart's custody ledger, so the prosecutor's
expert can check it against the evidence bundle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rempart.documents.casefile import CaseFile, Person
from rempart.documents.pdf import RempartPdf
from rempart.documents.text import TEXTS, format_date, human_size


@dataclass(frozen=True)
class ComplaintParties:
    complainant: Person  # the victim, or the legal representative / referent adult of a minor
    minor: Person | None = None  # the minor victim, when the complainant acts for them
    representative_role: str = ""  # "mère", "père", "tuteur", "adulte référent", ...
    court_city: str = ""  # tribunal judiciaire of the victim's home or of the facts
    place: str = ""


def render_complaint(case: CaseFile, parties: ComplaintParties, language: str = "fr",
                     today: dt.date | None = None) -> bytes:
    t = TEXTS[language]
    today = today or dt.date.today()
    pdf = RempartPdf(t["complaint_title"], footer_note=t["disclaimer_short"])
    pdf.alias_nb_pages()
    pdf.add_page()
    _identity_block(pdf, parties, t)
    pdf.ln(4)
    pdf.paragraph(t["to_prosecutor"] + "\n" + t["court"].format(
        city=parties.court_city or "____________________"))
    pdf.paragraph(t["place_date"].format(place=parties.place or "____________",
                                         date=format_date(today, language)))
    pdf.heading(_subject(case, t), level=2)
    pdf.paragraph(t["registered_letter"], size=9)
    pdf.paragraph(t["salutation"])
    pdf.paragraph(_opening(case, parties, t))
    _facts(pdf, case, t, language)
    _offences(pdf, case, t)
    _exhibits(pdf, case, t, language)
    _requests(pdf, case, t)
    pdf.paragraph(t["civil_party"])
    pdf.paragraph(t["closing"])
    pdf.ln(6)
    pdf.paragraph(t["signature"])
    pdf.ln(8)
    pdf.paragraph(t["disclaimer"], size=8)
    return pdf.to_bytes()


def _identity_block(pdf: RempartPdf, parties: ComplaintParties, t: dict[str, str]) -> None:
    person = parties.complainant
    rows = [(t["name"], person.full_name or _blank()), (t["birth"], person.birth_date or _blank()),
            (t["address"], person.address or _blank()), (t["phone"], person.phone or _blank()),
            (t["email"], person.email or _blank())]
    if parties.minor is not None:
        rows.insert(0, (t["acting_as"], parties.representative_role or t["legal_rep"]))
        rows += [(t["minor_name"], parties.minor.full_name or _blank()),
                 (t["minor_birth"], parties.minor.birth_date or _blank())]
    pdf.key_values(rows)


def _blank() -> str:
    return "________________________________"


def _subject(case: CaseFile, t: dict[str, str]) -> str:
    against = t["against_x"] if not case.authors_known else t["against_accounts"].format(
        accounts=", ".join(case.author_handles))
    offences = ", ".join(o.title[:1].lower() + o.title[1:] for o in case.offences[:3]) \
        or t["harassment"]
    return t["subject"].format(against=against, offences=offences)


def _opening(case: CaseFile, parties: ComplaintParties, t: dict[str, str]) -> str:
    if parties.minor is not None:
        opening = t["opening_minor"].format(role=parties.representative_role or t["legal_rep"])
    else:
        opening = t["opening"]
    against = t["against_x_long"] if not case.authors_known else t["against_accounts_long"].format(
        accounts=", ".join(case.author_handles))
    return f"{opening} {against}"


def _facts(pdf: RempartPdf, case: CaseFile, t: dict[str, str], language: str) -> None:
    pdf.heading(t["facts"], level=2)
    if case.incident_dates:
        pdf.paragraph(t["dates"].format(dates=case.incident_dates))
    pdf.paragraph(case.description.strip() or t["see_exhibits"])
    for entry in case.timeline:
        pdf.paragraph(f"• {entry.when} — {entry.what}")
    if case.platforms:
        pdf.paragraph(t["platforms"].format(platforms=", ".join(case.platforms)))
    if case.urls:
        pdf.paragraph(t["urls"] + "\n" + "\n".join(f"  {url}" for url in case.urls))
    if case.author_handles:
        pdf.paragraph(t["handles"].format(handles=", ".join(case.author_handles)))
    if case.victim_is_minor:
        pdf.paragraph(t["minor_fact"])
    pdf.paragraph(t["reported_on"].format(code=case.code,
                                          date=format_date(case.created_at.date(), language)))


def _offences(pdf: RempartPdf, case: CaseFile, t: dict[str, str]) -> None:
    if not case.offences:
        return
    pdf.heading(t["qualification"], level=2)
    pdf.paragraph(t["qualification_intro"])
    for offence in case.offences:
        text = f"• {offence.title} ({offence.reference}) — {t['max']} {offence.max_penalty}"
        if offence.derivation:
            text += f"\n   {offence.derivation}"
        pdf.paragraph(text)


def requests(case: CaseFile, t: dict[str, str]) -> list[str]:
    """What the complainant asks for beyond the prosecution ("je demande…")."""
    found = []
    if any(offence.account_suspension for offence in case.offences):
        found.append(t["request_suspension"])
    return found


def _requests(pdf: RempartPdf, case: CaseFile, t: dict[str, str]) -> None:
    for text in requests(case, t):
        pdf.paragraph(text)


def _exhibits(pdf: RempartPdf, case: CaseFile, t: dict[str, str], language: str) -> None:
    pdf.heading(t["exhibits"], level=2)
    if not case.exhibits:
        pdf.paragraph(t["no_exhibits"])
        return
    pdf.paragraph(t["exhibits_intro"], size=9)
    for exhibit in case.exhibits:
        ledger = f", {t['ledger_leaf']} {exhibit.leaf_index}" if exhibit.leaf_index is not None \
            else ""
        pdf.paragraph(
            f"{t['exhibit']} {exhibit.number} — {exhibit.file_name} ({exhibit.media_type}, "
            f"{human_size(exhibit.size)}), {t['received']} "
            f"{exhibit.received_at.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}{ledger}\n"
            f"   SHA-256 : {exhibit.sha256}", size=9)

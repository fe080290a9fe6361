"""DSA Article 16 notice to a platform, as a PDF to attach and as JSON for notice APIs.

The rules (four required elements, Transparency Database taxonomy) are in
``rempart.domain.notices``; this module only lays them out.
"""

from __future__ import annotations

import datetime as dt

from rempart.documents.casefile import CaseFile
from rempart.documents.pdf import RempartPdf
from rempart.documents.text import format_date
from rempart.domain.notices import NoticeDraft, Notifier, as_json, classify

_TEXT = {
    "fr": {
        "title": "Notification de contenu illicite — article 16 du règlement (UE) 2022/2065 (DSA)",
        "to": "À l'attention de {platform} — mécanisme de notification et d'action",
        "a": "a) Motifs pour lesquels le contenu est illicite",
        "b": "b) Emplacement électronique exact du contenu",
        "c": "c) Auteur de la notification",
        "c_exempt": "Non requis : contenu relevant des articles 3 à 7 de la directive 2011/93/UE "
                    "(article 16, paragraphe 2, point c, du DSA).",
        "trusted": "Signaleur de confiance au sens de l'article 22 du DSA : ce signalement doit "
                   "être traité en priorité et sans retard injustifié.",
        "d": "d) Déclaration de bonne foi",
        "classification": "Catégorie (base de données de transparence du DSA)",
        "grounds": "Fondements juridiques",
        "evidence": "Empreintes SHA-256 des preuves conservées",
        "date": "Date",
        "reference": "Référence",
        "intro": "Je vous notifie, en application de l'article 16 du règlement (UE) 2022/2065 sur "
                 "les services numériques, le contenu illicite décrit ci-dessous et vous demande "
                 "de le retirer ou d'en rendre l'accès impossible. Merci de m'informer de votre "
                 "décision et des voies de recours (articles 16(5) et 17).",
    },
    "en": {
        "title": "Notice of illegal content — Article 16 of Regulation (EU) 2022/2065 (DSA)",
        "to": "To {platform} — notice and action mechanism",
        "a": "a) Reasons why the content is illegal",
        "b": "b) Exact electronic location of the content",
        "c": "c) Notifier",
        "c_exempt": "Not required: content covered by Articles 3 to 7 of Directive 2011/93/EU "
                    "(Article 16(2)(c) DSA).",
        "trusted": "Trusted flagger within the meaning of Article 22 DSA: this notice is to be "
                   "processed with priority and without undue delay.",
        "d": "d) Statement of good faith",
        "classification": "Category (DSA Transparency Database)",
        "grounds": "Legal grounds",
        "evidence": "SHA-256 digests of the preserved evidence",
        "date": "Date",
        "reference": "Reference",
        "intro": "Under Article 16 of Regulation (EU) 2022/2065 (Digital Services Act) I notify "
                 "you of the illegal content described below and ask you to remove it or disable "
                 "access to it. Please inform me of your decision and of the means of redress "
                 "(Articles 16(5) and 17).",
    },
}


def draft_from_case(case: CaseFile, platform: str, notifier: Notifier | None,
                    explanation: str, legal_grounds: tuple[str, ...],
                    language: str = "fr") -> NoticeDraft:
    """A notice for the URLs of the case that belong to ``platform`` (all URLs if none match)."""
    return NoticeDraft(
        platform=platform,
        urls=_platform_urls(case.urls, platform),
        explanation=explanation,
        legal_grounds=legal_grounds,
        classification=classify(case.kinds, case.victim_is_minor),
        notifier=notifier,
        language=language,
        case_reference=case.code,
        evidence_hashes=tuple(e.sha256 for e in case.exhibits),
    )


def _platform_urls(urls: tuple[str, ...], platform: str) -> tuple[str, ...]:
    key = platform.lower().replace(" ", "")
    matching = tuple(u for u in urls if key and key in u.lower())
    return matching or urls


def render_notice(draft: NoticeDraft, today: dt.date | None = None) -> bytes:
    data = as_json(draft)  # validates the four elements first
    t = _TEXT[draft.language]
    pdf = RempartPdf(t["title"])
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(t["title"], level=1)
    pdf.paragraph(t["to"].format(platform=draft.platform))
    pdf.key_values([(t["date"], format_date(today or dt.date.today(), draft.language)),
                    (t["reference"], draft.case_reference)])
    pdf.paragraph(t["intro"])
    pdf.heading(t["a"], level=2)
    pdf.paragraph(draft.explanation)
    if draft.legal_grounds:
        pdf.paragraph(f"{t['grounds']} : " + " ; ".join(draft.legal_grounds))
    keywords = "\n".join(draft.classification.keywords)
    pdf.key_values([(t["classification"], f"{data['category']}\n{keywords}")])
    pdf.heading(t["b"], level=2)
    pdf.paragraph("\n".join(draft.urls))
    pdf.heading(t["c"], level=2)
    _notifier(pdf, draft, t)
    pdf.heading(t["d"], level=2)
    pdf.paragraph(draft.good_faith_statement)
    if draft.evidence_hashes:
        pdf.heading(t["evidence"], level=2)
        pdf.paragraph("\n".join(draft.evidence_hashes), size=8)
    return pdf.to_bytes()


def _notifier(pdf: RempartPdf, draft: NoticeDraft, t: dict[str, str]) -> None:
    if draft.notifier_exempt and draft.notifier is None:
        pdf.paragraph(t["c_exempt"])
        return
    assert draft.notifier is not None  # as_json validated it
    rows = [("Nom / Name", draft.notifier.name), ("E-mail", draft.notifier.email)]
    if draft.notifier.organisation:
        rows.append(("Organisation", draft.notifier.organisation))
    pdf.key_values(rows)
    if draft.notifier.trusted_flagger:
        pdf.paragraph(t["trusted"])

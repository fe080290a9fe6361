"""The fields that the PHAROS reporting form (internet-signalement.gouv.fr) asks for.

PHAROS, the French police platform, handles PUBLIC content only (a public post, profile or
video): private messages go to a complaint or to the 3018. Rempart prepares the values so that a
victim or a responder can paste them; the form itself must be filled on the official site (it has
no public API).
"""

from __future__ import annotations

from dataclasses import dataclass

from rempart.documents.casefile import CaseFile

PHAROS_URL = "https://www.internet-signalement.gouv.fr"

# The closest reason on the form for each kind of harassment (the person confirms on the site).
_REASONS = {
    "fr": {
        "insults": "Injures, diffamation ou harcèlement",
        "threats": "Menaces ou incitation à la violence",
        "intimate_images": "Diffusion d'images intimes sans consentement",
        "personal_info_exposure": "Divulgation d'informations personnelles mettant en danger",
        "identity_theft": "Usurpation d'identité",
        "group_harassment": "Harcèlement (raid, cyberharcèlement en meute)",
        "other": "Autre contenu illicite",
        "minor_images": "Atteinte aux mineurs (images d'un mineur)",
    },
    "en": {
        "insults": "Insults, defamation or harassment",
        "threats": "Threats or incitement to violence",
        "intimate_images": "Intimate images shared without consent",
        "personal_info_exposure": "Exposure of personal information that puts someone in danger",
        "identity_theft": "Identity theft",
        "group_harassment": "Harassment (raid, group cyberharassment)",
        "other": "Other illegal content",
        "minor_images": "Harm to minors (images of a minor)",
    },
}
_LABELS = {
    "fr": ("Adresse (URL) du contenu", "Motif du signalement (à choisir sur le site)",
           "Plateforme", "Date(s) des faits", "Description", "Comptes concernés",
           "Empreintes des preuves conservées (SHA-256)", "Référence Rempart"),
    "en": ("Address (URL) of the content", "Reason (choose it on the site)", "Platform",
           "Date(s) of the facts", "Description", "Accounts concerned",
           "Digests of the preserved evidence (SHA-256)", "Rempart reference"),
}


@dataclass(frozen=True)
class PharosField:
    label: str
    value: str


def pharos_fields(case: CaseFile, language: str = "fr") -> list[PharosField]:
    """One field per line of the form, in the order the form asks for them."""
    reasons = _REASONS[language]
    kinds = list(case.kinds) or ["other"]
    chosen = [reasons.get(k, reasons["other"]) for k in kinds]
    if case.victim_is_minor and "intimate_images" in kinds:
        chosen.insert(0, reasons["minor_images"])
    labels = _LABELS[language]
    values = (
        "\n".join(case.urls),
        "; ".join(dict.fromkeys(chosen)),
        ", ".join(case.platforms),
        case.incident_dates,
        case.description.strip(),
        ", ".join(case.author_handles),
        "\n".join(e.sha256 for e in case.exhibits),
        case.code,
    )
    return [PharosField(label, value) for label, value in zip(labels, values, strict=True)]


def pharos_text(case: CaseFile, language: str = "fr") -> str:
    """Plain text, ready to paste, with the reminder that PHAROS is for public content only."""
    intro = {
        "fr": f"À coller dans le formulaire de {PHAROS_URL} (contenus publics uniquement).",
        "en": f"To paste into the form at {PHAROS_URL} (public content only).",
    }[language]
    lines = [intro, ""]
    for field in pharos_fields(case, language):
        lines.append(f"{field.label} :" if language == "fr" else f"{field.label}:")
        lines.append(field.value or "—")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

"""Referrals: a case handed on to PHAROS, the police or gendarmerie, the pupil's school, the 119
or France Victimes, with what each needs recorded.

- PHAROS (internet-signalement.gouv.fr): public content only; the date it was sent and the
  reference PHAROS gave.
- Police or gendarmerie: a complaint filed (plainte), its date, the service (commissariat or
  brigade) and the procès-verbal number.
- The pupil's school: only with the reporter's recorded consent (as the 3018 does); the school.
- The 119 (Allô Enfance en Danger): a minor in danger; the date of the call.
- France Victimes (116 006): victim support; the date.

Pure rules, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ReferralTarget(StrEnum):
    PHAROS = "pharos"
    POLICE = "police"  # police or gendarmerie: a complaint was filed
    SCHOOL = "school"
    CHILD_HELPLINE = "119"  # Allô Enfance en Danger, for a minor in danger
    FRANCE_VICTIMES = "france_victimes"  # 116 006


class InvalidReferral(ValueError):
    """A referral that breaks a rule; the message is safe to show to staff."""


MAX_FIELD_CHARS = 200


@dataclass(frozen=True)
class ReferralFields:
    target: ReferralTarget
    sent_on: date
    reference: str | None = None  # PHAROS reference, or the procès-verbal number
    service: str | None = None  # police station / gendarmerie brigade, or the school's name
    note: str | None = None  # staff only

    def as_dict(self) -> dict[str, str | None]:
        return {"target": self.target.value, "sent_on": self.sent_on.isoformat(),
                "reference": self.reference, "service": self.service}


def _clean(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > MAX_FIELD_CHARS:
        raise InvalidReferral(f"{what} is at most {MAX_FIELD_CHARS} characters")
    return text or None


def validate_referral(fields: ReferralFields, *, victim_is_minor: bool,
                      school_consent: bool, today: date) -> ReferralFields:
    """The referral, cleaned; InvalidReferral says what is missing or not allowed."""
    reference = _clean(fields.reference, "the reference")
    service = _clean(fields.service, "the service")
    note = fields.note.strip()[:2000] if fields.note and fields.note.strip() else None
    if fields.sent_on > today:
        raise InvalidReferral("the date cannot be in the future")
    if fields.target is ReferralTarget.POLICE:
        if not service:
            raise InvalidReferral("say which police station or gendarmerie took the complaint")
        if not reference:
            raise InvalidReferral("the procès-verbal number of the complaint is required")
    if fields.target is ReferralTarget.SCHOOL:
        if not school_consent:
            raise InvalidReferral("the school can be told only with the reporter's consent, "
                                  "given from their case page")
        if not service:
            raise InvalidReferral("name the school")
    if fields.target is ReferralTarget.CHILD_HELPLINE and not victim_is_minor:
        raise InvalidReferral("the 119 is for a minor in danger: this case is not a minor's")
    return ReferralFields(fields.target, fields.sent_on, reference, service, note)


@dataclass(frozen=True)
class TargetInfo:
    target: ReferralTarget
    name_fr: str
    name_en: str
    contact: str
    what_next_fr: str
    what_next_en: str

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en

    def what_next(self, language: str) -> str:
        return self.what_next_fr if language == "fr" else self.what_next_en


TARGETS: dict[ReferralTarget, TargetInfo] = {
    ReferralTarget.PHAROS: TargetInfo(
        ReferralTarget.PHAROS, "PHAROS (plateforme de signalement de la police)",
        "PHAROS (police reporting platform)", "https://www.internet-signalement.gouv.fr",
        "PHAROS examine les contenus publics signalés et peut demander leur retrait ou "
        "transmettre à un service d'enquête.",
        "PHAROS examines the public content reported and can ask for its removal or pass it "
        "on to investigators."),
    ReferralTarget.POLICE: TargetInfo(
        ReferralTarget.POLICE, "Plainte à la police ou à la gendarmerie",
        "Complaint to the police or gendarmerie", "17 (urgence) · www.masecurite.interieur.gouv.fr",
        "Le procureur de la République décide des suites ; le numéro de procès-verbal permet "
        "de suivre la plainte et de demander un récépissé.",
        "The public prosecutor decides what follows; the report number lets you follow the "
        "complaint and ask for a receipt."),
    ReferralTarget.SCHOOL: TargetInfo(
        ReferralTarget.SCHOOL, "Établissement scolaire", "School",
        "chef d'établissement · 3018",
        "L'établissement peut engager son protocole de lutte contre le harcèlement (pHARe) et "
        "protéger l'élève.",
        "The school can start its anti-bullying protocol (pHARe) and protect the pupil."),
    ReferralTarget.CHILD_HELPLINE: TargetInfo(
        ReferralTarget.CHILD_HELPLINE, "119 — Allô Enfance en Danger",
        "119 — child protection helpline", "119 (gratuit, 24 h/24)",
        "Le 119 évalue la situation et peut transmettre une information préoccupante au "
        "département (cellule de recueil des informations préoccupantes).",
        "The 119 assesses the situation and can pass a concern report to the département's "
        "child protection unit."),
    ReferralTarget.FRANCE_VICTIMES: TargetInfo(
        ReferralTarget.FRANCE_VICTIMES, "France Victimes (116 006)",
        "France Victimes (116 006)", "116 006 (gratuit, 7 j/7)",
        "Une association d'aide aux victimes propose un accompagnement juridique et "
        "psychologique gratuit.",
        "A victim support association offers free legal and psychological support."),
}

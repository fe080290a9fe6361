"""Takedown requests: one content URL at one platform, followed from the draft to the decision.

A takedown is drafted from the case (the Article 16 notice of Regulation (EU) 2022/2065, the
Digital Services Act), sent to the platform (by e-mail to its DSA contact, or through its own
form, with the reference it gave), acknowledged (Art. 16(4): the platform confirms receipt) and
decided (removed, disabled, demoted, restricted, account suspended, refused, or no answer).
The platform's statement of reasons (Art. 17) is recorded with the field names and values of the
DSA Transparency Database (statement of reasons API, taxonomy version 2, checked 2026-12-01):
``decision_visibility``, ``decision_account``, ``decision_monetary``, ``decision_provision``,
``decision_ground``, ``category``, ``category_specification`` (the keywords) and ``puid``.

Pure rules, no I/O: the directory of platforms is parsed here from data the caller reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml


class TakedownStatus(StrEnum):
    DRAFTED = "drafted"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"  # Art. 16(4): the platform confirmed receipt
    # Decisions (the platform's answer; Art. 16(5), statement of reasons Art. 17).
    REMOVED = "removed"
    DISABLED = "disabled"
    DEMOTED = "demoted"
    RESTRICTED = "restricted"
    ACCOUNT_SUSPENDED = "account_suspended"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"


DECISIONS = frozenset({TakedownStatus.REMOVED, TakedownStatus.DISABLED, TakedownStatus.DEMOTED,
                       TakedownStatus.RESTRICTED, TakedownStatus.ACCOUNT_SUSPENDED,
                       TakedownStatus.REFUSED, TakedownStatus.NO_ANSWER})
# Decisions that took the content (or its account) out of view, fully or partly.
ACTED = frozenset({TakedownStatus.REMOVED, TakedownStatus.DISABLED, TakedownStatus.DEMOTED,
                   TakedownStatus.RESTRICTED, TakedownStatus.ACCOUNT_SUSPENDED})
# Still waiting for the platform: these can be overdue.
WAITING = frozenset({TakedownStatus.SENT, TakedownStatus.ACKNOWLEDGED})

_TRANSITIONS: dict[TakedownStatus, frozenset[TakedownStatus]] = {
    TakedownStatus.DRAFTED: frozenset({TakedownStatus.SENT}),
    TakedownStatus.SENT: frozenset({TakedownStatus.ACKNOWLEDGED}) | DECISIONS,
    TakedownStatus.ACKNOWLEDGED: DECISIONS,
    # A refusal or a silence can be reversed after an Art. 20 complaint or an Art. 21 settlement.
    TakedownStatus.REFUSED: ACTED,
    TakedownStatus.NO_ANSWER: ACTED | {TakedownStatus.REFUSED},
}


class SendChannel(StrEnum):
    EMAIL = "email"  # sent by Rempart to the platform's DSA contact address
    FORM = "form"  # sent by a responder through the platform's own form (with its reference)


class InvalidTakedown(ValueError):
    """A takedown or a change that breaks a rule; the message is safe to show to staff."""


def allowed_next(status: TakedownStatus) -> frozenset[TakedownStatus]:
    return _TRANSITIONS.get(status, frozenset())


def check_transition(current: TakedownStatus, new: TakedownStatus) -> None:
    if new not in allowed_next(current):
        allowed = ", ".join(sorted(s.value for s in allowed_next(current))) or "none"
        raise InvalidTakedown(f"a takedown that is {current.value} cannot become {new.value} "
                              f"(allowed: {allowed})")


def is_decision(status: TakedownStatus) -> bool:
    return status in DECISIONS


# The statement of reasons (Art. 17 DSA), spelled as the DSA Transparency Database spells it. ---

DECISION_VISIBILITY = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_ACCOUNT = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
DECISION_MONETARY = ("DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION",
                     "DECISION_MONETARY_OTHER")
DECISION_PROVISION = ("DECISION_PROVISION_PARTIAL_SUSPENSION",
                      "DECISION_PROVISION_TOTAL_SUSPENSION",
                      "DECISION_PROVISION_PARTIAL_TERMINATION",
                      "DECISION_PROVISION_TOTAL_TERMINATION")
DECISION_GROUND = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
CATEGORIES = (
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_VIOLENCE",
)
KEYWORD_CYBER_HARASSMENT = "KEYWORD_CYBER_HARASSMENT"
KEYWORD_NON_CONSENSUAL_IMAGE_SHARING = "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"
KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE = "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"
# The keywords (category_specification) that cyberharassment decisions are filed under.
KEYWORDS = (
    "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    KEYWORD_CYBER_HARASSMENT,
    "KEYWORD_CYBER_INCITEMENT",
    "KEYWORD_CYBER_STALKING",
    KEYWORD_NON_CONSENSUAL_IMAGE_SHARING,
    KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE,
    "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_DEFAMATION",
    "KEYWORD_DISCRIMINATION",
    "KEYWORD_HATE_SPEECH",
    "KEYWORD_ONLINE_BULLYING_INTIMIDATION",
    "KEYWORD_STALKING",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
    "KEYWORD_SUICIDE",
    "KEYWORD_OTHER",
)
# The Transparency Database's "platform unique identifier" of a statement: free text, bounded.
MAX_PUID_CHARS = 500
MAX_REFERENCE_CHARS = 200
MAX_URL_CHARS = 2_000


@dataclass(frozen=True)
class StatementOfReasons:
    """The platform's Art. 17 statement, as far as it was given (every field is optional)."""

    decision_visibility: tuple[str, ...] = ()
    decision_account: str | None = None
    decision_monetary: str | None = None
    decision_provision: str | None = None
    decision_ground: str | None = None
    category: str | None = None
    category_specification: tuple[str, ...] = ()
    puid: str | None = None

    def __post_init__(self) -> None:
        _check_all(self.decision_visibility, DECISION_VISIBILITY, "decision_visibility")
        _check_one(self.decision_account, DECISION_ACCOUNT, "decision_account")
        _check_one(self.decision_monetary, DECISION_MONETARY, "decision_monetary")
        _check_one(self.decision_provision, DECISION_PROVISION, "decision_provision")
        _check_one(self.decision_ground, DECISION_GROUND, "decision_ground")
        _check_one(self.category, CATEGORIES, "category")
        _check_all(self.category_specification, KEYWORDS, "category_specification")
        if self.puid is not None and (not self.puid.strip() or len(self.puid) > MAX_PUID_CHARS):
            raise InvalidTakedown(f"puid must be 1 to {MAX_PUID_CHARS} characters")

    @property
    def empty(self) -> bool:
        return self == StatementOfReasons()

    def as_dict(self) -> dict[str, Any]:
        return {"decision_visibility": list(self.decision_visibility),
                "decision_account": self.decision_account,
                "decision_monetary": self.decision_monetary,
                "decision_provision": self.decision_provision,
                "decision_ground": self.decision_ground, "category": self.category,
                "category_specification": list(self.category_specification),
                "puid": self.puid}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> StatementOfReasons:
        raw = raw or {}
        try:
            return cls(
                decision_visibility=tuple(str(v) for v in raw.get("decision_visibility") or ()),
                decision_account=_opt(raw.get("decision_account")),
                decision_monetary=_opt(raw.get("decision_monetary")),
                decision_provision=_opt(raw.get("decision_provision")),
                decision_ground=_opt(raw.get("decision_ground")),
                category=_opt(raw.get("category")),
                category_specification=tuple(
                    str(v) for v in raw.get("category_specification") or ()),
                puid=_opt(raw.get("puid")))
        except TypeError as bad:
            raise InvalidTakedown(f"malformed statement of reasons: {bad}") from None


def _opt(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _check_one(value: str | None, allowed: tuple[str, ...], name: str) -> None:
    if value is not None and value not in allowed:
        raise InvalidTakedown(f"{name}: {value!r} is not a value of the DSA Transparency "
                              "Database")


def _check_all(values: tuple[str, ...], allowed: tuple[str, ...], name: str) -> None:
    for value in values:
        _check_one(value, allowed, name)
    if len(set(values)) != len(values):
        raise InvalidTakedown(f"{name}: a value is repeated")


def suggested_visibility(status: TakedownStatus) -> tuple[str, ...]:
    """The decision_visibility a decision usually comes with (a default for the form)."""
    return {TakedownStatus.REMOVED: ("DECISION_VISIBILITY_CONTENT_REMOVED",),
            TakedownStatus.DISABLED: ("DECISION_VISIBILITY_CONTENT_DISABLED",),
            TakedownStatus.DEMOTED: ("DECISION_VISIBILITY_CONTENT_DEMOTED",),
            TakedownStatus.RESTRICTED: ("DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",),
            }.get(status, ())


# Next steps after a refusal (or a silence). --------------------------------------------------

@dataclass(frozen=True)
class NextStep:
    id: str
    title_fr: str
    title_en: str
    text_fr: str
    text_en: str
    url: str = ""

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def text(self, language: str) -> str:
        return self.text_fr if language == "fr" else self.text_en


NEXT_STEPS_AFTER_REFUSAL = (
    NextStep("internal_complaint",
             "Réclamation interne (article 20 du DSA)",
             "Internal complaint (Article 20 DSA)",
             "La plateforme doit offrir, pendant au moins six mois après sa décision, un système "
             "gratuit de traitement des réclamations : contestez le refus en y joignant la "
             "notification et les preuves.",
             "The platform must offer, for at least six months after its decision, a free "
             "complaint-handling system: contest the refusal there, with the notice and the "
             "evidence."),
    NextStep("out_of_court",
             "Règlement extrajudiciaire des litiges (article 21 du DSA)",
             "Out-of-court dispute settlement (Article 21 DSA)",
             "Un organisme certifié par un coordinateur pour les services numériques peut être "
             "saisi ; la plateforme doit participer de bonne foi.",
             "A body certified by a Digital Services Coordinator can be seized; the platform "
             "must engage in good faith."),
    NextStep("arcom",
             "Plainte auprès de l'Arcom (article 53 du DSA)",
             "Complaint to Arcom (Article 53 DSA)",
             "L'Arcom, coordinateur pour les services numériques en France, reçoit les plaintes "
             "contre les plateformes qui ne respectent pas le DSA.",
             "Arcom, the French Digital Services Coordinator, receives complaints against "
             "platforms that breach the DSA.",
             "https://www.arcom.fr"),
    NextStep("pharos",
             "Signalement à PHAROS",
             "Report to PHAROS",
             "Pour un contenu public illicite, la plateforme PHAROS de la police peut demander "
             "le retrait et ouvrir une enquête.",
             "For illegal public content, the police's PHAROS platform can request removal and "
             "open an investigation.",
             "https://www.internet-signalement.gouv.fr"),
)


def next_steps(status: TakedownStatus) -> tuple[NextStep, ...]:
    """What can be done when the platform refused or did not answer."""
    if status in (TakedownStatus.REFUSED, TakedownStatus.NO_ANSWER):
        return NEXT_STEPS_AFTER_REFUSAL
    return ()


# The directory of platforms. -----------------------------------------------------------------

DEFAULT_SERVICE_LEVEL_HOURS = 72
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Platform:
    name: str
    dsa_email: str | None  # the address its Art. 16 notices are sent to by e-mail, if any
    form_url: str | None  # its own notice-and-action form
    service_level_hours: int  # the time within which a decision is expected
    trusted_flagger: bool  # the organisation's notices go in as an Art. 22 trusted flagger
    domains: tuple[str, ...] = field(default_factory=tuple)

    def matches(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass(frozen=True)
class PlatformDirectory:
    platforms: tuple[Platform, ...]

    def get(self, name: str) -> Platform:
        key = name.strip().casefold()
        for platform in self.platforms:
            if platform.name.casefold() == key:
                return platform
        known = ", ".join(p.name for p in self.platforms)
        raise InvalidTakedown(f"unknown platform {name!r} (known: {known})")

    def for_url(self, url: str) -> Platform | None:
        return next((p for p in self.platforms if p.matches(url)), None)

    def names(self) -> list[str]:
        return [p.name for p in self.platforms]


def parse_platforms(raw: object) -> PlatformDirectory:
    """The directory from its YAML data; InvalidTakedown names the entry at fault."""
    items = raw.get("platforms") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidTakedown("the platforms file needs a non-empty 'platforms' list")
    found: list[Platform] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise InvalidTakedown(f"platform {n}: a name is required")
        name = str(item["name"]).strip()
        email = _opt(item.get("dsa_email"))
        if email is not None and not _EMAIL.match(email):
            raise InvalidTakedown(f"platform {name}: dsa_email is not an e-mail address")
        form_url = _opt(item.get("form_url"))
        if form_url is not None and not form_url.startswith("https://"):
            raise InvalidTakedown(f"platform {name}: form_url must be an https:// address")
        hours = item.get("service_level_hours", DEFAULT_SERVICE_LEVEL_HOURS)
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 24 * 365:
            raise InvalidTakedown(f"platform {name}: service_level_hours must be 1 to 8760")
        domains = item.get("domains") or []
        if not isinstance(domains, list):
            raise InvalidTakedown(f"platform {name}: domains must be a list")
        if any(p.name.casefold() == name.casefold() for p in found):
            raise InvalidTakedown(f"platform {name}: listed twice")
        found.append(Platform(name, email, form_url, hours, bool(item.get("trusted_flagger")),
                              tuple(str(d).lower().strip() for d in domains)))
    return PlatformDirectory(tuple(found))


def parse_platforms_text(text: str) -> PlatformDirectory:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as bad:
        raise InvalidTakedown(f"the platforms file is not valid YAML: {bad}") from None
    return parse_platforms(raw)


def parse_organisation_platforms(shipped_text: str, organisation_text: str
                                 ) -> PlatformDirectory:
    """The shipped directory extended by the organisation's file: an entry with a shipped name
    overrides only the fields it gives (e.g. its own ``dsa_email`` or ``trusted_flagger``), a
    new name is added; ``replace_shipped: true`` at the top keeps the organisation's list only."""
    try:
        shipped, own = yaml.safe_load(shipped_text), yaml.safe_load(organisation_text)
    except yaml.YAMLError as bad:
        raise InvalidTakedown(f"the platforms file is not valid YAML: {bad}") from None
    own_items = own.get("platforms") if isinstance(own, dict) else None
    if not isinstance(own_items, list) or not own_items:
        raise InvalidTakedown("the platforms file needs a non-empty 'platforms' list")
    if own.get("replace_shipped") is True:
        return parse_platforms(own)
    merged = [dict(item) for item in shipped["platforms"]]
    for item in own_items:
        name = str(item.get("name") or "").strip().casefold() if isinstance(item, dict) else ""
        same = next((m for m in merged if str(m["name"]).casefold() == name), None)
        if same is not None and isinstance(item, dict):
            same.update(item)
        else:
            merged.append(item)
    return parse_platforms({"platforms": merged})


def default_platforms_text() -> str:
    return resources.files("rempart.domain").joinpath("data/platforms.yaml").read_text("utf-8")


# Deadlines. ----------------------------------------------------------------------------------

def due_at(sent_at: datetime, platform: Platform) -> datetime:
    """When the platform's decision is expected (its service level, counted from sending)."""
    return sent_at + timedelta(hours=platform.service_level_hours)


def is_overdue(status: TakedownStatus, sent_at: datetime | None, platform: Platform,
               now: datetime) -> bool:
    return status in WAITING and sent_at is not None and now >= due_at(sent_at, platform)


def validate_url(url: str) -> str:
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > MAX_URL_CHARS \
            or any(c.isspace() for c in value):
        raise InvalidTakedown("the content address must be a full http(s):// URL")
    return value


def validate_reference(reference: str | None) -> str | None:
    value = _opt(reference)
    if value is not None and len(value) > MAX_REFERENCE_CHARS:
        raise InvalidTakedown(f"the platform's reference is at most {MAX_REFERENCE_CHARS} "
                              "characters")
    return value

"""From the facts of a case to the offences they may constitute, penalties and deadlines.

Pure functions over ``Facts``:

- ``suggest(facts)`` lists the offences the facts may constitute, each with the aggravating
  circumstances found, the maximum penalty and a readable derivation of it;
- ``deadlines(facts)`` gives, per suggested offence, the date the prescription is reached;
- ``reminders(facts, today)`` turns those deadlines into reminders for the case page.

Everything here is information, not legal advice: show ``offences.disclaimer(language)`` with it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from rempart.domain.cases import ReportFields
from rempart.domain.offences import LegalBase, Offence, Penalty, load_legal_base

HARASSMENT = "222-33-2-2"
SCHOOL_HARASSMENT = "222-33-2-3"
# Reminder offsets in days before a deadline: short deadlines get closer reminders.
SHORT_DEADLINE_REMINDERS = (30, 14, 3)
LONG_DEADLINE_REMINDERS = (180, 30)
URGENT_DAYS = 30


@dataclass(frozen=True)
class Facts:
    """What is known about a case. ``None`` means unknown; kinds are ``CaseKind`` values."""

    kinds: frozenset[str] = frozenset()
    victim_age: int | None = None
    victim_minor: bool | None = None
    authors: int | None = None
    public: bool | None = None
    online: bool = True
    repeated: bool | None = None
    first_fact: date | None = None
    last_fact: date | None = None
    labels: frozenset[str] = frozenset()  # text classifier labels (rempart.detect.classifier)
    school: bool = False  # authors study or work at the victim's school
    vulnerable_victim: bool = False
    partner: bool = False  # the author is the victim's spouse or partner
    death_threat: bool = False
    threat_with_demand: bool = False
    deepfake: bool = False
    false_allegations: bool = False  # precise facts alleged against the victim (defamation)
    discriminatory: bool = False
    public_office: bool = False
    itt_over_8_days: bool = False
    suicide_or_attempt: bool = False
    minor_witness: bool = False

    @property
    def minor(self) -> bool:
        if self.victim_age is not None:
            return self.victim_age < 18
        return bool(self.victim_minor)

    @property
    def under_15(self) -> bool:
        return self.victim_age is not None and self.victim_age < 15

    @property
    def several_authors(self) -> bool:
        return (self.authors or 0) >= 2 or "group_harassment" in self.kinds


@dataclass(frozen=True)
class Suggestion:
    offence: Offence
    aggravations: frozenset[str]
    penalty: Penalty
    why_fr: str
    why_en: str
    derivation_fr: str
    derivation_en: str

    def derivation(self, language: str = "fr") -> str:
        return self.derivation_en if language == "en" else self.derivation_fr

    def why(self, language: str = "fr") -> str:
        return self.why_en if language == "en" else self.why_fr


@dataclass(frozen=True)
class Deadline:
    """Prescription of one offence: acts of ``first_start`` expire on ``first_expires``.

    For offences whose prescription runs from each act (public insult: each publication), the
    earliest acts expire first; for continuing harassment only the last act counts.
    """

    offence: Offence
    start: date
    expires: date
    article: str
    period_fr: str
    period_en: str
    latest_expires: date


@dataclass(frozen=True)
class Reminder:
    offence_id: str
    title_fr: str
    title_en: str
    deadline: date
    days_left: int
    remind_on: tuple[date, ...]
    article: str
    expired: bool
    urgent: bool
    due_today: bool = field(default=False)

    def title(self, language: str = "fr") -> str:
        return self.title_en if language == "en" else self.title_fr

    def message(self, language: str = "fr") -> str:
        day = self.deadline.isoformat()
        if language == "en":
            if self.expired:
                return f"{self.title_en}: the prescription was reached on {day} ({self.article})."
            return (f"{self.title_en}: act before {day} ({self.days_left} days left, "
                    f"{self.article}).")
        if self.expired:
            return (f"{self.title_fr} : la prescription est atteinte depuis le {day} "
                    f"({self.article}).")
        return (f"{self.title_fr} : agir avant le {day} (encore {self.days_left} jours, "
                f"{self.article}).")


def aggravations_of(facts: Facts) -> frozenset[str]:
    """Every aggravating circumstance the facts establish (each offence keeps its own)."""
    flags = {
        "online": facts.online,
        "victim_under_15": facts.under_15,
        "minor_victim": facts.minor,
        "vulnerable_victim": facts.vulnerable_victim,
        "itt_over_8_days": facts.itt_over_8_days,
        "minor_witness": facts.minor_witness,
        "suicide_or_attempt": facts.suicide_or_attempt,
        "partner": facts.partner,
        "death_threat": facts.death_threat,
        "public_office": facts.public_office,
        "public_network": bool(facts.public) and facts.online,
        "discriminatory": _discriminatory(facts),
        "several_authors": facts.several_authors,
        "sexual_images_online": facts.online and _sexual(facts),
    }
    return frozenset(name for name, present in flags.items() if present)


def suggest(facts: Facts, base: LegalBase | None = None) -> list[Suggestion]:
    """The offences the facts may constitute, most serious first."""
    legal = base or load_legal_base()
    found = aggravations_of(facts)
    suggestions = [_suggestion(legal, legal.offences[offence_id], found, why)
                   for offence_id, why in _candidates(facts).items()]
    return sorted(suggestions, key=lambda s: s.penalty, reverse=True)


def deadlines(facts: Facts, base: LegalBase | None = None) -> list[Deadline]:
    """Prescription per suggested offence, earliest first; empty when no date is known."""
    first = facts.first_fact or facts.last_fact
    last = facts.last_fact or facts.first_fact
    if first is None or last is None:
        return []
    result = []
    for suggestion in suggest(facts, base):
        rule = suggestion.offence.prescription
        discriminatory = ("discriminatory" in suggestion.aggravations
                          and rule.discriminatory_years is not None)
        years = rule.discriminatory_years if discriminatory and rule.discriminatory_years \
            else rule.years
        months = 0 if discriminatory else rule.months
        article = (rule.discriminatory_article or rule.article) if discriminatory else rule.article
        start = last if rule.start == "last_act" else first
        result.append(Deadline(
            offence=suggestion.offence, start=start,
            expires=add_months(start, years * 12 + months), article=article,
            period_fr=_period(years, months, "fr"), period_en=_period(years, months, "en"),
            latest_expires=add_months(last, years * 12 + months)))
    return sorted(result, key=lambda d: d.expires)


def reminders(facts: Facts, today: date, base: LegalBase | None = None) -> list[Reminder]:
    """One reminder per deadline, soonest first: days left, reminder dates, urgent or expired."""
    result = []
    for deadline in deadlines(facts, base):
        days_left = (deadline.expires - today).days
        offsets = SHORT_DEADLINE_REMINDERS if (deadline.expires - deadline.start).days < 366 \
            else LONG_DEADLINE_REMINDERS
        remind_on = tuple(deadline.expires - timedelta(days=offset) for offset in offsets)
        result.append(Reminder(
            offence_id=deadline.offence.id, title_fr=deadline.offence.title_fr,
            title_en=deadline.offence.title_en, deadline=deadline.expires,
            days_left=days_left, remind_on=remind_on, article=deadline.article,
            expired=days_left < 0, urgent=0 <= days_left <= URGENT_DAYS,
            due_today=today in remind_on))
    return result


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def facts_from_report(fields: ReportFields, labels: frozenset[str] = frozenset(),
                      public: bool | None = None) -> Facts:
    """Facts from a report as filed (CORE's ``ReportFields``): kinds, minor flag, authors, dates.

    Dates are read from the free-text ``incident_dates`` (see ``dates_in``); the number of
    authors is the number of handles given (unknown when none).
    """
    found = dates_in(fields.incident_dates or "")
    handles = len(set(fields.author_handles))
    return Facts(kinds=frozenset(str(kind) for kind in fields.kinds),
                 victim_minor=fields.victim_is_minor, authors=handles or None, public=public,
                 first_fact=min(found) if found else None,
                 last_fact=max(found) if found else None, labels=labels)


_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in(text: str) -> list[date]:
    """Calendar dates written as 31/12/2026, 31.12.2026 or 2026-12-31; impossible ones skipped."""
    found = []
    candidates = [(int(y), int(m), int(d)) for y, m, d in _ISO.findall(text)]
    candidates += [(int(y), int(m), int(d)) for d, m, y in _DMY.findall(_ISO.sub(" ", text))]
    for year, month, day in candidates:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return sorted(found)


def _candidates(facts: Facts) -> dict[str, tuple[str, str]]:
    """Offence id -> (why in French, why in English), in the order they were found."""
    found: dict[str, tuple[str, str]] = {}
    kinds, labels = facts.kinds, facts.labels
    harassing = bool(facts.repeated) or facts.several_authors or "denigration" in labels
    if harassing:
        found[SCHOOL_HARASSMENT if facts.school else HARASSMENT] = _harassment_why(facts)
    if "insults" in kinds or labels & {"insult", "identity_hate"}:
        if facts.public:
            found["33-loi-1881"] = ("propos injurieux publics", "insulting words in public")
        elif not harassing and _discriminatory(facts):
            found["R625-8-1"] = ("injure discriminatoire en privé",
                                 "discriminatory insult in private")
        elif not harassing:
            found["R621-2"] = ("injure en privé", "insult in private")
    if facts.false_allegations and facts.public:
        found["32-loi-1881"] = ("faits précis imputés publiquement", "precise facts alleged "
                                                                      "in public")
    if "threats" in kinds or "threat" in labels:
        found["222-18" if facts.threat_with_demand else "222-17"] = (
            "menace écrite ou réitérée", "threat in writing or repeated")
    if "intimate_images" in kinds or ("sexual" in labels and facts.deepfake):
        _intimate(facts, found)
    _sexual_messages(facts, harassing, found)
    if "personal_info_exposure" in kinds or "doxxing" in labels:
        found["223-1-1"] = ("informations permettant de localiser la victime",
                            "information that locates the victim")
    if "identity_theft" in kinds:
        found["226-4-1"] = ("usage de l'identité de la victime", "use of the victim's identity")
    if facts.repeated and not facts.public and facts.online:
        found["222-16"] = ("messages malveillants répétés", "repeated malicious messages")
    if "self_harm_incitement" in labels and facts.suicide_or_attempt:
        found["223-13"] = ("incitation au suicide suivie d'un passage à l'acte",
                           "incitement followed by an attempt")
    return found


def _intimate(facts: Facts, found: dict[str, tuple[str, str]]) -> None:
    if facts.deepfake:
        found["226-8-1"] = ("montage sexuel sans consentement", "sexual montage without consent")
    else:
        found["226-2-1"] = ("image intime diffusée sans consentement",
                            "intimate image shared without consent")
    if facts.minor:
        found["227-23"] = ("image sexuelle d'une personne mineure", "sexual image of a minor")


def _sexual_messages(facts: Facts, harassing: bool, found: dict[str, tuple[str, str]]) -> None:
    """Sexual harassment, sextortion and online sexual propositions to a child under 15."""
    sexual = "sexual" in facts.labels
    if sexual and harassing:
        found["222-33"] = ("propos à connotation sexuelle ou sexiste, répétés ou de plusieurs "
                           "auteurs", "sexual or sexist words, repeated or from several authors")
    if facts.threat_with_demand and _sexual(facts):
        found["312-10"] = ("menace de révéler des images intimes pour obtenir quelque chose",
                           "threat to reveal intimate images to obtain something")
    if sexual and facts.under_15 and facts.online:
        found["227-22-1"] = ("propositions sexuelles en ligne à un mineur de 15 ans, si l'auteur "
                             "est majeur", "online sexual propositions to a child under 15, if "
                                           "the author is an adult")


def _sexual(facts: Facts) -> bool:
    return "sexual" in facts.labels or "intimate_images" in facts.kinds


def _discriminatory(facts: Facts) -> bool:
    return facts.discriminatory or "identity_hate" in facts.labels


def _harassment_why(facts: Facts) -> tuple[str, str]:
    if facts.several_authors:
        return ("plusieurs auteurs : clause du « raid » (article 222-33-2-2, alinéas 2 et 3)",
                "several authors: the \"raid\" clause (article 222-33-2-2, paragraphs 2-3)")
    return ("propos ou comportements répétés", "repeated words or behaviour")


def _suggestion(legal: LegalBase, offence: Offence, found: frozenset[str],
                why: tuple[str, str]) -> Suggestion:
    present = offence.relevant(found)
    penalty = offence.penalty(present)
    return Suggestion(offence=offence, aggravations=present, penalty=penalty,
                      why_fr=why[0], why_en=why[1],
                      derivation_fr=_derivation(legal, offence, present, penalty, "fr"),
                      derivation_en=_derivation(legal, offence, present, penalty, "en"))


def _derivation(legal: LegalBase, offence: Offence, present: frozenset[str], penalty: Penalty,
                language: str) -> str:
    """"base 1 an / 15 000 €; + en ligne; + victime de moins de 15 ans → 3 ans / 45 000 €"."""
    ordered = [a for a in offence.aggravations if a in present]
    parts = [f"base {offence.base.describe(language)} ({offence.article})"]
    parts += [f"+ {legal.aggravation_label(a, language, short=True)}" for a in ordered]
    return "; ".join(parts) + f" → {penalty.describe(language)}"


def _period(years: int, months: int, language: str) -> str:
    if years:
        if language == "fr":
            return f"{years} an" + ("s" if years > 1 else "")
        return f"{years} year" + ("s" if years > 1 else "")
    return f"{months} mois" if language == "fr" else f"{months} months"

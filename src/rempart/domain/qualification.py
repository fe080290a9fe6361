"""From the facts of a case to the offences they may constitute, penalties and deadlines.

Pure functions over ``Facts``:

- ``suggest(facts)`` lists the offences the facts may constitute, each with the aggravating
  circumstances found, the maximum penalty and a readable derivation of it;
- ``deadlines(facts)`` gives, per suggested offence whose dates are known, the day the
  prescription is reached (from the last act, from each act, or from the victim's majority);
- ``assess(facts, today)`` says for every suggested offence whether it is still open, partly or
  wholly time-barred, or cannot be dated, and ``remedies`` what can still be done;
- ``reminders(facts, today)`` turns the deadlines into reminders for the case page.

Dates the reporter only gave approximately ("depuis environ un mois", see ``approximate_period``)
make the deadlines *estimated*; no date at all makes them *unknown*: nothing is ever counted from
the day of the report as if it were the day of the facts.

Everything here is information, not legal advice: show ``offences.disclaimer(language)`` with it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from rempart.domain.offences import LegalBase, Offence, Penalty, load_legal_base

HARASSMENT = "222-33-2-2"
PARTNER_HARASSMENT = "222-33-2-1"
SCHOOL_HARASSMENT = "222-33-2-3"
# Reminder offsets in days before a deadline: short deadlines get closer reminders.
SHORT_DEADLINE_REMINDERS = (30, 14, 3)
LONG_DEADLINE_REMINDERS = (180, 30)
URGENT_DAYS = 30
MAJORITY_AGE = 18

Status = Literal["open", "partly_expired", "expired", "unknown"]


@dataclass(frozen=True)
class Facts:
    """What is known about a case. ``None`` means unknown; kinds are ``CaseKind`` values.

    ``victim_age`` is the victim's age on ``age_on`` (the day the facts were given); dates are
    ``first_fact`` and ``last_fact``, ``dates_estimated`` when they come from an approximation.
    """

    kinds: frozenset[str] = frozenset()
    victim_age: int | None = None
    victim_minor: bool | None = None
    age_on: date | None = None
    authors: int | None = None
    public: bool | None = None
    online: bool = True
    repeated: bool | None = None
    first_fact: date | None = None
    last_fact: date | None = None
    dates_estimated: bool = False
    labels: frozenset[str] = frozenset()  # text classifier labels (rempart.detect.classifier)
    school: bool = False  # authors study or work at the victim's school
    vulnerable_victim: bool = False
    partner: bool = False  # the author is (or was) the victim's spouse or partner
    death_threat: bool = False
    threat_with_demand: bool = False
    deepfake: bool = False
    sexual: bool = False  # sexual messages or propositions
    false_allegations: bool = False  # precise facts alleged against the victim (defamation)
    discriminatory: bool = False
    public_office: bool = False
    elected_official: bool = False
    itt_over_8_days: bool = False
    suicide_or_attempt: bool = False
    minor_witness: bool = False

    @property
    def minor(self) -> bool:
        """The victim was a minor when the facts began (as far as the facts tell)."""
        return self._younger_than(MAJORITY_AGE, bool(self.victim_minor))

    @property
    def under_15(self) -> bool:
        return self._younger_than(15, False)

    @property
    def several_authors(self) -> bool:
        return (self.authors or 0) >= 2 or "group_harassment" in self.kinds

    def birthday(self, years: int) -> date | None:
        """The earliest day the victim can turn ``years`` (birth date unknown), or None."""
        if self.victim_age is None or self.age_on is None:
            return None
        return add_months(self.age_on, (years - 1 - self.victim_age) * 12) + timedelta(days=1)

    def _younger_than(self, years: int, otherwise: bool) -> bool:
        if self.victim_age is None:
            return otherwise
        start = self.first_fact or self.last_fact
        turned = self.birthday(years)
        if start is None or turned is None:
            return self.victim_age < years
        return start < turned


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

    @property
    def suspends_accounts(self) -> bool:
        """Article 131-35-1 (suspension of the author's accounts) may be asked for."""
        return self.offence.suspends_accounts(self.aggravations)


@dataclass(frozen=True)
class Deadline:
    """Prescription of one offence: acts of ``start`` expire on ``expires``.

    For offences whose prescription runs from each act (public insult: each publication), the
    earliest acts expire first and the last one on ``latest_expires``; for continuing harassment
    only the last act counts; ``from_majority`` when it runs from the victim's majority.
    """

    offence: Offence
    start: date
    expires: date
    article: str
    period_fr: str
    period_en: str
    latest_expires: date
    estimated: bool = False
    from_majority: bool = False
    at_least: bool = False  # the real time limit may be longer (minor victim, age unknown)

    def period(self, language: str = "fr") -> str:
        return self.period_en if language == "en" else self.period_fr

    def rule(self, language: str = "fr") -> str:
        """"6 ans à compter du dernier acte (article 8 du Code de procédure pénale)"."""
        start = self.offence.prescription.start
        if language == "en":
            since = ("from the victim's majority" if self.from_majority else
                     "from the last act" if start == "last_act" else
                     "from each publication" if self.offence.press_law else "from each act")
            return f"{self.period_en} {since} ({self.article})"
        since = ("à compter de la majorité de la victime" if self.from_majority else
                 "à compter du dernier acte" if start == "last_act" else
                 "à compter de chaque publication" if self.offence.press_law else
                 "à compter de chaque acte")
        return f"{self.period_fr} {since} ({self.article})"


@dataclass(frozen=True)
class OffenceAssessment:
    """One suggested offence as of ``today``: penalty, deadline and whether it is still open."""

    suggestion: Suggestion
    deadline: Deadline | None
    status: Status
    today: date

    @property
    def expired(self) -> bool:
        return self.status == "expired"

    def explanation(self, language: str = "fr") -> str:
        """The deadline in a sentence, saying when it is estimated, unknown or reached."""
        deadline = self.deadline
        rule = self.suggestion.offence.prescription
        if deadline is None:
            period = _period(rule.years, rule.months, language)
            if language == "en":
                return (f"Date of the facts unknown: the time limit cannot be computed ({period} "
                        f"{'from the last act' if rule.start == 'last_act' else 'from each act'}"
                        f", {rule.article}). A date, even an approximate one, lets it be "
                        f"computed.")
            since = "à compter du dernier acte" if rule.start == "last_act" else \
                "à compter de chaque acte"
            return (f"Date des faits inconnue : le délai ne peut pas être calculé ({period} "
                    f"{since}, {rule.article}). Il suffit d'une date, même approximative, pour "
                    f"le calculer.")
        first, last = _day(deadline.expires, language), _day(deadline.latest_expires, language)
        if language == "en":
            text = {"expired": f"Time-barred since {last}: a complaint for this offence can no "
                               f"longer be prosecuted.",
                    "partly_expired": f"The earliest acts have been time-barred since {first}; "
                                      f"the last one can be prosecuted until {last}.",
                    "open": f"Act before {first}" + (f" (last act: {last})." if last != first
                                                     else ".")}[self.status]
            text += f" Time limit: {deadline.rule('en')}."
            if deadline.at_least:
                text += " It may be longer for a minor victim."
            if deadline.estimated:
                text += " Estimated date: the exact dates of the facts are not known."
            return text
        text = {"expired": f"Prescrit depuis le {last} : une plainte pour cette infraction ne "
                           f"peut plus aboutir.",
                "partly_expired": f"Les premiers faits sont prescrits depuis le {first} ; le "
                                  f"dernier peut encore être poursuivi jusqu'au {last}.",
                "open": f"Agir avant le {first}" + (f" (dernier fait : {last})." if last != first
                                                    else ".")}[self.status]
        text += f" Délai : {deadline.rule('fr')}."
        if deadline.at_least:
            text += " Il peut être plus long pour une victime mineure."
        if deadline.estimated:
            text += " Date estimée : les dates exactes des faits ne sont pas connues."
        return text


@dataclass(frozen=True)
class Reminder:
    """A deadline for the case page; ``unknown`` (no ``deadline``) when no date of the facts is
    known: the page says the time limit cannot be computed rather than guessing one."""

    offence_id: str
    title_fr: str
    title_en: str
    deadline: date | None
    days_left: int | None
    remind_on: tuple[date, ...]
    article: str
    expired: bool
    urgent: bool
    due_today: bool = field(default=False)
    estimated: bool = field(default=False)
    unknown: bool = field(default=False)
    period_fr: str = ""
    period_en: str = ""

    def title(self, language: str = "fr") -> str:
        return self.title_en if language == "en" else self.title_fr

    def message(self, language: str = "fr") -> str:
        if self.deadline is None:
            if language == "en":
                return (f"{self.title_en}: date of the facts unknown, the time limit "
                        f"({self.period_en}, {self.article}) cannot be computed.")
            return (f"{self.title_fr} : date des faits inconnue, le délai ({self.period_fr}, "
                    f"{self.article}) ne peut pas être calculé.")
        day = self.deadline.isoformat()
        if language == "en":
            if self.expired:
                text = f"{self.title_en}: the prescription was reached on {day} ({self.article})."
            else:
                text = (f"{self.title_en}: act before {day} ({self.days_left} days left, "
                        f"{self.article}).")
            return text + (" Estimated date." if self.estimated else "")
        if self.expired:
            text = (f"{self.title_fr} : la prescription est atteinte depuis le {day} "
                    f"({self.article}).")
        else:
            text = (f"{self.title_fr} : agir avant le {day} (encore {self.days_left} jours, "
                    f"{self.article}).")
        return text + (" Date estimée." if self.estimated else "")


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
        "public_office": facts.public_office or facts.elected_official,
        "elected_official": facts.elected_official,
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


def deadline_of(suggestion: Suggestion, facts: Facts) -> Deadline | None:
    """The prescription of one suggested offence; None when no date of the facts is known."""
    first = facts.first_fact or facts.last_fact
    last = facts.last_fact or facts.first_fact
    if first is None or last is None:
        return None
    one_date = facts.first_fact is None or facts.last_fact is None
    estimated = facts.dates_estimated or (one_date and facts.repeated is not False)
    rule = suggestion.offence.prescription
    majority = facts.birthday(MAJORITY_AGE)
    if rule.minor_years and facts.minor and majority is not None and first < majority:
        # Article 8, paragraph 2, CPP: 10 years from majority; the birth date is unknown, so the
        # earliest possible majority is used (never a later day than the real one).
        expires = add_months(majority, rule.minor_years * 12)
        return Deadline(offence=suggestion.offence, start=majority, expires=expires,
                        article=rule.minor_article or rule.article,
                        period_fr=_period(rule.minor_years, 0, "fr"),
                        period_en=_period(rule.minor_years, 0, "en"),
                        latest_expires=expires, estimated=True, from_majority=True)
    at_least = bool(rule.minor_years) and facts.minor and majority is None
    discriminatory = ("discriminatory" in suggestion.aggravations
                      and rule.discriminatory_years is not None)
    years = rule.discriminatory_years if discriminatory and rule.discriminatory_years \
        else rule.years
    months = 0 if discriminatory else rule.months
    article = (rule.discriminatory_article or rule.article) if discriminatory else rule.article
    start = last if rule.start == "last_act" else first
    return Deadline(offence=suggestion.offence, start=start,
                    expires=add_months(start, years * 12 + months), article=article,
                    period_fr=_period(years, months, "fr"), period_en=_period(years, months, "en"),
                    latest_expires=add_months(last, years * 12 + months), estimated=estimated,
                    at_least=at_least)


def deadlines(facts: Facts, base: LegalBase | None = None) -> list[Deadline]:
    """Prescription per suggested offence, earliest first; empty when no date is known."""
    found = [deadline_of(suggestion, facts) for suggestion in suggest(facts, base)]
    return sorted((d for d in found if d is not None), key=lambda d: d.expires)


def assess(facts: Facts, today: date, base: LegalBase | None = None) -> list[OffenceAssessment]:
    """Every suggested offence, most serious first, with its deadline and status on ``today``."""
    result = []
    for suggestion in suggest(facts, base):
        deadline = deadline_of(suggestion, facts)
        status: Status
        if deadline is None:
            status = "unknown"
        elif deadline.latest_expires < today:
            status = "expired"
        elif deadline.expires < today:
            status = "partly_expired"
        else:
            status = "open"
        result.append(OffenceAssessment(suggestion=suggestion, deadline=deadline, status=status,
                                        today=today))
    return result


def remedies(assessments: list[OffenceAssessment], language: str = "fr") -> list[str]:
    """What can still be done when some offence is time-barred (empty otherwise)."""
    expired = [a for a in assessments if a.expired]
    if not expired:
        return []
    still_open = [a for a in assessments if a.status in ("open", "partly_expired", "unknown")]
    press = any(a.suggestion.offence.press_law for a in expired)
    other = any(not a.suggestion.offence.press_law for a in expired)
    en = language == "en"
    lines = []
    if still_open:
        names = ", ".join(f"{a.suggestion.offence.title(language)} "
                          f"({a.suggestion.offence.article})" for a in still_open)
        lines.append(f"Other offences can still be prosecuted: {names}." if en else
                     f"D'autres infractions peuvent encore être poursuivies : {names}.")
    lines.append(
        "The platform can be asked to remove the content at any time: a report to the "
        "platform has no time limit (article 16 of the EU Digital Services Act)." if en else
        "La plateforme peut être saisie à tout moment pour retirer le contenu : le signalement "
        "n'a pas de délai (article 16 du règlement européen sur les services numériques).")
    if other:
        lines.append(
            "A claim for damages before a civil court is still possible: it follows the time "
            "limits of the Code civil, not those of the criminal law (article 10 of the Code de "
            "procédure pénale; in general 5 years from the day the victim knew the facts, "
            "article 2224 of the Code civil)." if en else
            "Une demande de réparation devant le juge civil reste possible : elle suit les "
            "délais du Code civil et non ceux de la loi pénale (article 10 du Code de procédure "
            "pénale ; en général 5 ans à compter du jour où la victime a connu les faits, "
            "article 2224 du Code civil).")
    if press:
        lines.append(
            "For insults and defamation, the 3-month (or 1-year) time limit also applies to a "
            "civil claim (article 65 of the law of 29 July 1881): new publications start a new "
            "time limit." if en else
            "Pour l'injure et la diffamation, le délai de 3 mois (ou d'un an) vaut aussi pour "
            "l'action civile (article 65 de la loi du 29 juillet 1881) : chaque nouvelle "
            "publication fait courir un nouveau délai.")
    return lines


def reminders(facts: Facts, today: date, base: LegalBase | None = None,
              include_unknown: bool = False) -> list[Reminder]:
    """One reminder per deadline, soonest first: days left, reminder dates, urgent or expired;
    with ``include_unknown``, then one per offence whose facts have no date."""
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
            due_today=today in remind_on, estimated=deadline.estimated,
            period_fr=deadline.period_fr, period_en=deadline.period_en))
    if include_unknown:
        for suggestion in suggest(facts, base):
            if deadline_of(suggestion, facts) is not None:
                continue
            rule = suggestion.offence.prescription
            since = {"fr": "à compter du dernier acte" if rule.start == "last_act" else
                     "à compter de chaque acte",
                     "en": "from the last act" if rule.start == "last_act" else "from each act"}
            result.append(Reminder(
                offence_id=suggestion.offence.id, title_fr=suggestion.offence.title_fr,
                title_en=suggestion.offence.title_en, deadline=None, days_left=None,
                remind_on=(), article=rule.article, expired=False, urgent=False, unknown=True,
                period_fr=f"{_period(rule.years, rule.months, 'fr')} {since['fr']}",
                period_en=f"{_period(rule.years, rule.months, 'en')} {since['en']}"))
    return result


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


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


_NUMBERS = {"un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3,
            "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7,
            "seven": 7, "huit": 8, "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10,
            "quelques": 3, "few": 3, "several": 3, "plusieurs": 3}
_UNITS = {"jour": 1, "day": 1, "semaine": 7, "week": 7, "mois": 30, "month": 30, "an": 365,
          "année": 365, "annee": 365, "year": 365}
_SPAN = re.compile(
    r"(?P<how>depuis|ça fait|ca fait|cela fait|il y a|for|since|ago)?\s*"
    r"(?:environ|à peu près|a peu pres|presque|plus d'|moins d'|about|around|almost|nearly|"
    r"over|more than)?\s*(?:un peu plus d'|a little over )?"
    r"(?P<n>\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quelques|plusieurs|a|"
    r"an|one|two|three|four|five|six|seven|eight|nine|ten|few|several)\s+"
    r"(?P<unit>jours?|semaines?|mois|ans|an|années?|annees?|days?|weeks?|months?|years?)"
    r"(?P<ago>\s+ago)?", re.IGNORECASE)


def approximate_period(text: str, today: date) -> tuple[date, date] | None:
    """The period an approximation describes, relative to ``today``: "depuis environ un mois"
    is (a month ago, today), "il y a deux semaines" is (two weeks ago, two weeks ago); None when
    the text gives no duration ("depuis la rentrée")."""
    match = _SPAN.search(text.strip())
    if match is None:
        return None
    count = match.group("n").lower()
    number = int(count) if count.isdigit() else _NUMBERS[count]
    unit = match.group("unit").lower().rstrip("s")
    unit = "année" if unit.startswith("ann") else unit
    days = number * _UNITS.get(unit, _UNITS.get(unit + "s", 1))
    if unit in ("mois", "month"):
        start = add_months(today, -number)
    elif unit in ("an", "année", "year"):
        start = add_months(today, -12 * number)
    else:
        start = today - timedelta(days=days)
    how = (match.group("how") or "").lower()
    single = how in ("il y a", "ago") or bool(match.group("ago"))
    return (start, start) if single else (start, today)


def _candidates(facts: Facts) -> dict[str, tuple[str, str]]:
    """Offence id -> (why in French, why in English), in the order they were found."""
    found: dict[str, tuple[str, str]] = {}
    kinds, labels = facts.kinds, facts.labels
    harassing = bool(facts.repeated) or facts.several_authors or "denigration" in labels
    if harassing:
        if facts.partner:
            found[PARTNER_HARASSMENT] = ("harcèlement par le conjoint ou l'ex-conjoint",
                                         "harassment by a spouse or former partner")
        else:
            found[SCHOOL_HARASSMENT if facts.school else HARASSMENT] = _harassment_why(facts)
    if "insults" in kinds or labels & {"insult", "identity_hate"}:
        unsure = facts.public is None  # not said: both forms, each with its condition
        if facts.public or unsure:
            found["33-loi-1881"] = (
                ("propos injurieux, s'ils ont été publiés (publication, story, groupe ouvert)",
                 "insulting words, if they were published (post, story, open group)") if unsure
                else ("propos injurieux publics", "insulting words in public"))
        if facts.public is not True and not harassing:
            if _discriminatory(facts):
                found["R625-8-1"] = (
                    ("injure discriminatoire, si elle a été adressée en privé",
                     "discriminatory insult, if it was sent in private") if unsure
                    else ("injure discriminatoire en privé", "discriminatory insult in private"))
            else:
                found["R621-2"] = (("injure, si elle a été adressée en privé",
                                    "insult, if it was sent in private") if unsure
                                   else ("injure en privé", "insult in private"))
    if facts.false_allegations and facts.public:
        found["32-loi-1881"] = ("faits précis imputés publiquement",
                                "precise facts alleged in public")
    if ("threats" in kinds or "threat" in labels or facts.death_threat
            or facts.threat_with_demand):
        if facts.threat_with_demand:
            found["222-18"] = ("menace accompagnée d'un ordre (« fais ceci, sinon… »)",
                               "threat with a demand (\"do this or else…\")")
        else:
            found["222-17"] = ("menace écrite ou réitérée", "threat in writing or repeated")
    if "intimate_images" in kinds or facts.deepfake:
        _intimate(facts, found)
    _sexual_messages(facts, harassing, found)
    if "personal_info_exposure" in kinds or "doxxing" in labels:
        found["223-1-1"] = ("informations permettant d'identifier ou de localiser la victime",
                            "information that identifies or locates the victim")
    if "identity_theft" in kinds:
        found["226-4-1"] = ("usage de l'identité de la victime", "use of the victim's identity")
    if facts.repeated and facts.public is not True and facts.online:
        found["222-16"] = ("messages malveillants répétés", "repeated malicious messages")
    if "self_harm_incitement" in labels and facts.suicide_or_attempt:
        found["223-13"] = ("incitation au suicide suivie d'un passage à l'acte",
                           "incitement followed by an attempt")
    return found


def _intimate(facts: Facts, found: dict[str, tuple[str, str]]) -> None:
    if facts.deepfake:
        found["226-8-1"] = ("montage sexuel diffusé sans consentement",
                            "sexual montage shared without consent")
    else:
        found["226-2-1"] = ("image intime diffusée sans consentement",
                            "intimate image shared without consent")
    if facts.minor:
        found["227-23"] = ("image sexuelle d'une personne mineure, même fabriquée",
                           "sexual image of a minor, even a fabricated one")


def _sexual_messages(facts: Facts, harassing: bool, found: dict[str, tuple[str, str]]) -> None:
    """Sexual harassment, sextortion, online sexual propositions to a child under 15 and asking a
    minor for sexual images."""
    words = facts.sexual or "sexual" in facts.labels
    if words and harassing:
        found["222-33"] = ("propos à connotation sexuelle ou sexiste, répétés ou venant de "
                           "plusieurs auteurs",
                           "sexual or sexist words, repeated or from several authors")
    if facts.threat_with_demand and _sexual(facts):
        found["312-10"] = ("menace de révéler des images intimes pour obtenir quelque chose",
                           "threat to reveal intimate images to obtain something")
        if facts.minor:
            found["227-23-1"] = ("images sexuelles exigées d'une personne mineure, si l'auteur "
                                 "est majeur", "sexual images demanded from a minor, if the "
                                               "author is an adult")
    if words and facts.under_15 and facts.online:
        found["227-22-1"] = ("propositions sexuelles en ligne à un mineur de moins de 15 ans, si "
                             "l'auteur est majeur", "online sexual propositions to a child under "
                                                    "15, if the author is an adult")


def _sexual(facts: Facts) -> bool:
    return (facts.sexual or facts.deepfake or "sexual" in facts.labels
            or "intimate_images" in facts.kinds)


def _discriminatory(facts: Facts) -> bool:
    return facts.discriminatory or "identity_hate" in facts.labels


def _harassment_why(facts: Facts) -> tuple[str, str]:
    if facts.several_authors and not facts.repeated:
        why = ("plusieurs auteurs : clause du « raid » (propos imposés par plusieurs personnes, "
               "même si chacune n'a pas agi de façon répétée)",
               "several authors: the \"raid\" clause (words imposed by several people, even if "
               "none of them acted repeatedly)")
    elif facts.several_authors:
        why = ("propos ou comportements répétés, venant de plusieurs auteurs",
               "repeated words or behaviour from several authors")
    else:
        why = ("propos ou comportements répétés", "repeated words or behaviour")
    if facts.school:
        return (why[0] + " ; auteurs élèves ou personnels du même établissement",
                why[1] + "; the authors are pupils or staff of the same school")
    return why


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
    """"base 1 an / 15 000 €; + en ligne; + victime mineure → 3 ans / 45 000 €"."""
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


_MONTHS = {"fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")}


def format_day(day: date, language: str = "fr") -> str:
    """"1er décembre 2032" / "1 December 2032"."""
    month = _MONTHS["en" if language == "en" else "fr"][day.month - 1]
    if language == "en":
        return f"{day.day} {month} {day.year}"
    return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"


def _day(day: date, language: str) -> str:
    return format_day(day, language)

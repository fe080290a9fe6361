"""The facts of a report that the law needs, as the reporter gives them.

Every answer may be unknown (``None``): the form offers "je ne sais pas", and the qualification
must never invent what was not said. The names are the public contract of the report form, the
JSON API (``POST /api/v1/reports``), the CLI (``rempart case create``) and
``POST /api/v1/qualify``.

Pure rules, no I/O. ``rempart.services.legal`` turns these facts (with the case's kinds and
classifier labels) into ``rempart.domain.qualification.Facts``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date

MAX_VICTIM_AGE = 120
MAX_AUTHORS = 10_000
MAX_APPROXIMATE_CHARS = 200

# The yes/no/unknown questions, in the order the form asks them.
BOOLEAN_FACTS: tuple[str, ...] = (
    "repeated",            # it happens again and again
    "public",              # a post, a story, a public group (not private messages, closed group)
    "school",              # the authors are pupils or staff of the victim's school
    "known_authors",       # the victim knows who they are
    "partner",             # the author is (or was) the victim's partner
    "death_threat",        # a threat to the victim's life
    "threat_with_demand",  # a threat with an order ("fais ceci ou…")
    "deepfake",            # intimate images that are fake (montage, deepfake)
    "sexual",              # sexual messages or propositions
    "discriminatory",      # about origin, religion, sex, orientation, gender identity, disability
    "itt_over_8_days",     # effects on health: doctor, more than 8 days off (ITT)
    "suicide_or_attempt",  # thoughts of suicide or an attempt: 3114 and 112 before anything else
)


class InvalidFacts(ValueError):
    """A fact breaks a rule; the message is a reason safe to show to the reporter."""


@dataclass(frozen=True)
class ReportFacts:
    """What the reporter said; ``None`` everywhere means "not asked" or "je ne sais pas"."""

    victim_age: int | None = None
    authors: int | None = None          # how many people: 1, several, many accounts (a raid)
    started_on: date | None = None      # since when
    last_on: date | None = None         # until when (the last act so far)
    approximately: str | None = None    # "depuis environ un mois" when no date is known
    repeated: bool | None = None
    public: bool | None = None
    school: bool | None = None
    known_authors: bool | None = None
    partner: bool | None = None
    death_threat: bool | None = None
    threat_with_demand: bool | None = None
    deepfake: bool | None = None
    sexual: bool | None = None
    discriminatory: bool | None = None
    itt_over_8_days: bool | None = None
    suicide_or_attempt: bool | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO strings, unknown facts left out."""
        out: dict[str, object] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            out[field.name] = value.isoformat() if isinstance(value, date) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ReportFacts:
        """The inverse of ``as_dict``; unknown keys are refused (a typo must not be lost)."""
        names = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InvalidFacts(f"unknown fact: {unknown[0]}")
        values: dict[str, object] = {}
        for name, value in data.items():
            if value is None:
                continue
            if name in ("started_on", "last_on"):
                values[name] = _parse_date(value, name)
            elif name in ("victim_age", "authors"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidFacts(f"{name}: a whole number is expected")
                values[name] = value
            elif name == "approximately":
                if not isinstance(value, str):
                    raise InvalidFacts("approximately: a text is expected")
                values[name] = value
            else:
                if not isinstance(value, bool):
                    raise InvalidFacts(f"{name}: true or false is expected")
                values[name] = value
        return validate_facts(cls(**values))  # type: ignore[arg-type]

    @property
    def known(self) -> bool:
        return bool(self.as_dict())

    def updated(self, **changes: object) -> ReportFacts:
        return validate_facts(replace(self, **changes))  # type: ignore[arg-type]


def _parse_date(value: object, name: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidFacts(f"{name}: a date (YYYY-MM-DD) is expected")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidFacts(f"{name}: not a date (YYYY-MM-DD): {value[:40]}") from None


def validate_facts(facts: ReportFacts) -> ReportFacts:
    """Bounds only (an age of 300, a negative count); contradictions are not errors here but are
    pointed out by ``contradictions``, so that nothing the reporter typed is refused or lost."""
    if facts.victim_age is not None and not 0 <= facts.victim_age <= MAX_VICTIM_AGE:
        raise InvalidFacts(f"victim_age: between 0 and {MAX_VICTIM_AGE}")
    if facts.authors is not None and not 1 <= facts.authors <= MAX_AUTHORS:
        raise InvalidFacts(f"authors: between 1 and {MAX_AUTHORS}")
    approximately = facts.approximately.strip() if facts.approximately else None
    if approximately and len(approximately) > MAX_APPROXIMATE_CHARS:
        raise InvalidFacts(f"approximately: at most {MAX_APPROXIMATE_CHARS} characters")
    return replace(facts, approximately=approximately or None)


# Contradictions: what the text says against what the answers say --------------------------------

@dataclass(frozen=True)
class Contradiction:
    """One place where the answers and the text (or two answers) disagree. ``code`` is stable
    (pages translate it), ``fact`` names the answer concerned (shown next to it), ``detail`` is a
    short English reason for the API and the CLI. Pointed out to the reporter and to staff,
    never corrected silently."""

    code: str
    fact: str
    detail: str


# Durations ("depuis un mois", "for three weeks") in a text, as a number of days.
_NUMBERS = {"un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3,
            "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7,
            "seven": 7, "huit": 8, "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10,
            "quelques": 3, "plusieurs": 3, "few": 3, "several": 3, "des": 3}
_UNITS = {"jour": 1, "day": 1, "semaine": 7, "week": 7, "mois": 30, "month": 30, "an": 365,
          "annee": 365, "year": 365}
_DURATION = re.compile(
    r"\b(?:depuis|ca fait|cela fait|pendant|since|for)\s+(?:environ\s+|about\s+|presque\s+)?"
    r"(?:(\d{1,3})|(un|une|a|an|one|deux|two|trois|three|quatre|four|cinq|five|six|sept|seven|"
    r"huit|eight|neuf|nine|dix|ten|quelques|plusieurs|few|several|des))\s+"
    r"(jours?|days?|semaines?|weeks?|mois|months?|ans|annees?|years?)\b")
_ADULT = re.compile(r"\b(?:je suis (?:majeure?|adulte)|i am an adult|i'm an adult|"
                    r"elle est majeure|il est majeur)\b")
_MINOR = re.compile(r"\b(?:je suis mineure?|i am a minor|i'm a minor|elle est mineure|"
                    r"il est mineur)\b")
_AGE = re.compile(r"\b(?:j'ai|j ai|i am|i'm|elle a|il a|she is|he is)\s+(\d{1,2})\s*"
                  r"(?:ans|years)\b")
_AGAIN = re.compile(r"\b(?:tous les jours|chaque (?:jour|soir|matin|semaine)|tout le temps|"
                    r"sans arret|encore et encore|every (?:day|night|week)|all the time|"
                    r"again and again)\b")
_TO_KILL = re.compile(r"\b(?:(?:te|vous|me) (?:tuer|buter|egorger)|kill (?:you|me)|"
                      r"t'es mort|tu es mort|you're dead)\b")
_SUICIDE = re.compile(r"\b(?:suicide|suicider|en finir|plus envie de vivre|kill myself|"
                      r"end my life)\b")


def _plain(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe: what the patterns above expect."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stated_duration_days(text: str) -> int | None:
    """The first duration of the text ("depuis un mois": 30), or None."""
    match = _DURATION.search(_plain(text))
    if match is None:
        return None
    count = int(match.group(1)) if match.group(1) else _NUMBERS[match.group(2)]
    unit = match.group(3).rstrip("s") if match.group(3) != "mois" else "mois"
    return count * _UNITS[unit]


def contradictions(facts: ReportFacts, description: str, today: date) -> list[Contradiction]:
    """What disagrees, in the order of the form; an empty list when nothing does."""
    text = _plain(description)
    found: list[Contradiction] = []
    if facts.started_on and facts.last_on and facts.last_on < facts.started_on:
        found.append(Contradiction("end_before_start", "last_on",
                                   "the most recent time is before the start"))
    for name in ("started_on", "last_on"):
        day = getattr(facts, name)
        if day is not None and day > today:
            found.append(Contradiction("date_in_future", name, f"{name} is in the future"))
    days = stated_duration_days(description)
    if days is not None:
        if facts.started_on is None and facts.approximately is None:
            found.append(Contradiction("duration_without_dates", "started_on",
                                       "the text gives a duration but no start date is given"))
        elif facts.started_on is not None and facts.started_on <= today:
            said = (today - facts.started_on).days
            if abs(said - days) > max(7, days // 2):
                found.append(Contradiction(
                    "duration_differs", "started_on",
                    f"the text says about {days} days, the start date {said} days ago"))
    age_match = _AGE.search(text)
    if facts.victim_age is not None:
        if facts.victim_age < 18 and _ADULT.search(text):
            found.append(Contradiction("minor_but_adult", "victim_age",
                                       "the age is under 18 but the text says adult"))
        if facts.victim_age >= 18 and _MINOR.search(text):
            found.append(Contradiction("adult_but_minor", "victim_age",
                                       "the age is 18 or more but the text says minor"))
        if age_match and int(age_match.group(1)) != facts.victim_age:
            found.append(Contradiction("age_differs", "victim_age",
                                       f"the text says {age_match.group(1)} years old"))
    if facts.repeated is False and _AGAIN.search(text):
        found.append(Contradiction("not_repeated_but_text", "repeated",
                                   "answered 'not repeated' but the text says it happens often"))
    if facts.death_threat is False and _TO_KILL.search(text):
        found.append(Contradiction("death_threat_in_text", "death_threat",
                                   "answered 'no threat to life' but the text quotes one"))
    if facts.suicide_or_attempt is False and _SUICIDE.search(text):
        found.append(Contradiction("suicide_in_text", "suicide_or_attempt",
                                   "answered 'no' but the text speaks of suicide"))
    return found

"""The facts questions of the report form and of the case portal, in plain words.

Every question can stay unanswered ("je ne sais pas"); the names of the fields are the names of
``rempart.domain.facts.ReportFacts`` (the same as the JSON API and the CLI). The wording follows
who reports: the person harassed is "vous"; a witness or a parent reads "la personne harcelée".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.datastructures import FormData

from rempart.domain.cases import ReporterRole
from rempart.domain.facts import (
    BOOLEAN_FACTS,
    MAX_APPROXIMATE_CHARS,
    MAX_VICTIM_AGE,
    Contradiction,
    ReportFacts,
    contradictions,
)
from rempart.services.cases import CaseDetail
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import templates

YES, NO, UNKNOWN = "yes", "no", ""


@dataclass(frozen=True)
class Question:
    name: str
    text: str
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); the value "" is "I don't know"


def _yes_no(yes: str | None = None, no: str | None = None) -> tuple[tuple[str, str], ...]:
    return ((YES, yes or _("Yes")), (NO, no or _("No")), (UNKNOWN, _("I don't know")))


def questions(role: str) -> list[Question]:
    """The yes/no/unknown questions, in the order of ``BOOLEAN_FACTS``, worded for ``role``."""
    me = role == ReporterRole.VICTIM.value
    found = [
        Question("repeated", _("Does it happen again and again?"),
                 _("Several messages, posts or times, even by different people.")),
        Question("public", _("Is it public or private?"),
                 _("Public: a post, a story, a public group. Private: messages, a closed "
                   "group."), _yes_no(_("Public"), _("Private"))),
        Question("school", _("Are they at your school (pupils or staff)?") if me else
                 _("Are they at the school of the person being harassed (pupils or staff)?")),
        Question("known_authors", _("Do you know who they are?") if me else
                 _("Does the person being harassed know who they are?")),
        Question("partner", _("Is it your boyfriend or girlfriend, or an ex?") if me else
                 _("Is it the partner or an ex-partner of the person being harassed?")),
        Question("death_threat", _("Is it a threat to your life?") if me else
                 _("Is it a threat to the life of the person being harassed?")),
        Question("threat_with_demand", _("Is it a threat with a demand (“do this or else…”)?")),
        Question("deepfake", _("If there are intimate images: are they real or fake?"),
                 _("Fake: a montage, a deepfake made with an app."),
                 _yes_no(_("Fake (montage, deepfake)"), _("Real images"))),
        Question("sexual", _("Are there sexual messages or propositions?")),
        Question("discriminatory", _("Are there insults about origin, religion, sex, sexual "
                                     "orientation, gender identity or disability?")),
        Question("itt_over_8_days", _("Has it affected your health (doctor, more than 8 days "
                                      "off school or work)?") if me else
                 _("Has it affected the health of the person being harassed (doctor, more "
                   "than 8 days off school or work)?"),
                 _("A doctor may write an ITT (incapacité totale de travail).")),
        Question("suicide_or_attempt", _("Have you had thoughts of suicide, or tried?") if me
                 else _("Has the person being harassed had thoughts of suicide, or tried?"),
                 _("If there is danger now, call 112. The 3114 answers day and night, free.")),
    ]
    assert [q.name for q in found] == list(BOOLEAN_FACTS)
    return [q if q.choices else Question(q.name, q.text, q.hint, _yes_no()) for q in found]


def age_question(role: str) -> Question:
    me = role == ReporterRole.VICTIM.value
    return Question("victim_age", _("How old are you?") if me else
                    _("How old is the person being harassed?"),
                    _("The law protects minors, and children under 15 even more."))


def authors_question() -> Question:
    return Question("authors", _("How many people are doing it?"), "", (
        ("1", _("One person")), ("2", _("Several people")),
        ("10", _("Many accounts at once (a raid)")), (UNKNOWN, _("I don't know"))))


def _authors_choice(count: int | None) -> str:
    if count is None:
        return UNKNOWN
    return "1" if count == 1 else "2" if count < 10 else "10"


@dataclass
class FactsForm:
    """The facts as typed (strings, to re-fill the form) and their reading."""

    answers: dict[str, str] = field(default_factory=dict)  # boolean facts: "yes", "no", ""
    victim_age: str = ""
    authors: str = ""
    started_on: str = ""
    last_on: str = ""
    approximately: str = ""

    @classmethod
    def from_form(cls, form: FormData) -> FactsForm:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value.strip() if isinstance(value, str) else ""

        return cls(answers={name: text(name) for name in BOOLEAN_FACTS},
                   victim_age=text("victim_age"), authors=text("authors"),
                   started_on=text("started_on"), last_on=text("last_on"),
                   approximately=text("approximately"))

    @classmethod
    def from_facts(cls, facts: ReportFacts) -> FactsForm:
        """The stored answers, to edit them (case portal)."""
        def answer(value: bool | None) -> str:
            return UNKNOWN if value is None else YES if value else NO

        return cls(answers={name: answer(getattr(facts, name)) for name in BOOLEAN_FACTS},
                   victim_age="" if facts.victim_age is None else str(facts.victim_age),
                   authors=_authors_choice(facts.authors),
                   started_on=facts.started_on.isoformat() if facts.started_on else "",
                   last_on=facts.last_on.isoformat() if facts.last_on else "",
                   approximately=facts.approximately or "")

    def answer(self, name: str) -> str:
        return self.answers.get(name, UNKNOWN)

    def problems(self) -> dict[str, str]:
        """Field name → reason in the reader's language; empty when every answer reads."""
        found: dict[str, str] = {}
        for name, value in self.answers.items():
            if value not in (YES, NO, UNKNOWN):
                found[name] = _("Choose yes, no or “I don't know”.")
        if self.victim_age and not (self.victim_age.isdigit()
                                    and int(self.victim_age) <= MAX_VICTIM_AGE):
            found["victim_age"] = _("Write the age as a number of years, for example 14.")
        if self.authors and not (self.authors.isdigit() and int(self.authors) >= 1):
            found["authors"] = _("Choose one of the answers.")
        for name in ("started_on", "last_on"):
            if getattr(self, name) and _date(getattr(self, name)) is None:
                found[name] = _("Write the date as day, month and year, for example "
                                "2026-11-03.")
        if len(self.approximately) > MAX_APPROXIMATE_CHARS:
            found["approximately"] = _("At most %(count)d characters.") % {
                "count": MAX_APPROXIMATE_CHARS}
        return found

    def to_facts(self) -> ReportFacts:
        """The facts (call ``problems`` first: unreadable answers are left unknown here)."""
        def answer(name: str) -> bool | None:
            value = self.answer(name)
            return True if value == YES else False if value == NO else None

        def number(text: str) -> int | None:
            return int(text) if text.isdigit() else None

        return ReportFacts(victim_age=number(self.victim_age), authors=number(self.authors),
                           started_on=_date(self.started_on), last_on=_date(self.last_on),
                           approximately=self.approximately or None,
                           **{name: answer(name) for name in BOOLEAN_FACTS})


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def contradiction_text(found: Contradiction, role: str) -> str:
    """What the reader sees: what disagrees, and that nothing was changed."""
    me = role == ReporterRole.VICTIM.value
    texts = {
        "end_before_start": _("The most recent time is before the start date."),
        "date_in_future": _("A date is in the future."),
        "duration_without_dates": _("The text says how long it has lasted, but no date is "
                                    "given: add the start date, or “since about…”."),
        "duration_differs": _("The text and the start date do not give the same duration."),
        "minor_but_adult": _("The age is under 18, but the text says adult."),
        "adult_but_minor": _("The age is 18 or more, but the text says minor."),
        "age_differs": _("The text gives another age."),
        "not_repeated_but_text": _("You answered that it does not happen again, but the text "
                                   "says it does."),
        "death_threat_in_text": _("You answered that there is no threat to life, but the text "
                                  "quotes one.") if me else
        _("The answer says there is no threat to life, but the text quotes one."),
        "suicide_in_text": _("The text speaks of suicide. If there is danger now, call 112; "
                             "the 3114 answers day and night."),
    }
    return texts.get(found.code, found.detail)


def _answer_label(question: Question, value: bool) -> str:
    wanted = YES if value else NO
    return next(label for choice, label in question.choices if choice == wanted)


def facts_summary(detail: CaseDetail, today: date | None = None) -> dict[str, Any]:
    """What the reporter said, as (question, answer) pairs of the known facts only, and what
    the answers and the text disagree on: for ``_facts.html`` (portal and back-office)."""
    role = detail.reporter_role.value
    facts = detail.facts
    rows: list[tuple[str, str]] = []
    if facts.started_on or facts.last_on or facts.approximately:
        rows.append((_("Since when?"), " → ".join(
            d.isoformat() for d in (facts.started_on, facts.last_on) if d)
            or facts.approximately or ""))
        if facts.approximately and (facts.started_on or facts.last_on):
            rows.append((_("Or roughly, in your own words"), facts.approximately))
    if facts.victim_age is not None:
        rows.append((age_question(role).text, str(facts.victim_age)))
    if facts.authors is not None:
        labels = dict(authors_question().choices)
        rows.append((authors_question().text, labels[_authors_choice(facts.authors)]
                     if facts.authors in (1, 2, 10) else str(facts.authors)))
    for question in questions(role):
        value = getattr(facts, question.name)
        if value is not None:
            rows.append((question.text, _answer_label(question, value)))
    found = contradictions(facts, detail.description, today or datetime.now(UTC).date())
    return {"rows": rows, "warnings": [contradiction_text(c, role) for c in found]}


templates.env.globals["facts_summary"] = facts_summary

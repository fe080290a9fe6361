"""Triage: which case a responder should open first, and why, in words.

Order: a life at stake first (incitement to self-harm, thoughts of suicide), then a minor
victim, then threats (a death threat among them), then intimate images, then exposed personal
details, then the case waiting longest for an answer. Signals found later (classifier labels on
the report or its evidence) raise a case to the level of the kind they reveal, so that a
"threat" label found in an "insults" report ranks like a threat.

``reasons`` spells the priority out as short phrases ("menace de mort · victime de 13 ans"):
English message ids that the web layer translates (gettext), with their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from rempart.domain.cases import CaseKind
from rempart.domain.facts import ReportFacts

# Bit weights: each criterion outranks every combination of those below it.
SELF_HARM = 16  # incitement to self-harm or suicide: a life may be at stake
MINOR = 8
THREAT = 4
INTIMATE = 2
EXPOSURE = 1  # personal information exposed (doxxing): physical safety

_LABEL_WEIGHTS = {
    "self_harm_incitement": SELF_HARM,
    "threat": THREAT,
    "sexual": INTIMATE,
    "doxxing": EXPOSURE,
    "sextortion": THREAT | INTIMATE,  # blackmail with intimate images
    "grooming": MINOR | INTIMATE,  # an adult's approach of a child: a child is involved
}
_KIND_WEIGHTS = {
    CaseKind.THREATS: THREAT,
    CaseKind.INTIMATE_IMAGES: INTIMATE,
    CaseKind.PERSONAL_INFO_EXPOSURE: EXPOSURE,
}
_FACT_WEIGHTS = {
    "suicide_or_attempt": SELF_HARM,
    "death_threat": THREAT,
    "threat_with_demand": THREAT,
    "deepfake": INTIMATE,
}

# How long a case may wait for a first answer (or a reporter's message for a reply).
URGENT_RESPONSE = timedelta(hours=4)  # a life at stake or a minor victim
USUAL_RESPONSE = timedelta(hours=24)
URGENT_FROM = MINOR  # priorities at or above this answer within URGENT_RESPONSE


def priority(victim_is_minor: bool, kinds: Iterable[CaseKind],
             labels: Iterable[str] | None = None, facts: ReportFacts | None = None) -> int:
    """A score, higher is more urgent; unknown labels are ignored."""
    minor = victim_is_minor or (facts is not None and facts.victim_age is not None
                                and facts.victim_age < 18)
    score = MINOR if minor else 0
    for kind in kinds:
        score |= _KIND_WEIGHTS.get(kind, 0)
    for label in labels or ():
        score |= _LABEL_WEIGHTS.get(label, 0)
    if facts is not None:
        for name, weight in _FACT_WEIGHTS.items():
            if getattr(facts, name) is True:
                score |= weight
    return score


def response_due(score: int) -> timedelta:
    """The time within which a case of this priority should be answered."""
    return URGENT_RESPONSE if score >= URGENT_FROM else USUAL_RESPONSE


def N_(message: str) -> str:  # noqa: N802  (the gettext marker for extraction)
    return message


@dataclass(frozen=True)
class Reason:
    """One phrase of the priority, as an English message id and the values it takes."""

    message: str
    values: dict[str, int] = field(default_factory=dict)


def reasons(victim_is_minor: bool, kinds: Iterable[CaseKind],
            labels: Iterable[str] | None = None, facts: ReportFacts | None = None
            ) -> list[Reason]:
    """Why a case ranks where it does, most serious first (empty for an ordinary case)."""
    kinds, labels = set(kinds), set(labels or ())
    known = facts or ReportFacts()
    found: list[Reason] = []
    if known.suicide_or_attempt:
        found.append(Reason(N_("thoughts of suicide")))
    if "self_harm_incitement" in labels:
        found.append(Reason(N_("incitement to self-harm")))
    if known.death_threat:
        found.append(Reason(N_("death threat")))
    elif known.threat_with_demand:
        found.append(Reason(N_("threat with a demand")))
    elif CaseKind.THREATS in kinds or "threat" in labels:
        found.append(Reason(N_("threats")))
    if "sextortion" in labels:
        found.append(Reason(N_("sextortion")))
    if "grooming" in labels:
        found.append(Reason(N_("grooming of a minor")))
    if known.victim_age is not None and known.victim_age < 18:
        found.append(Reason(N_("victim aged %(age)s"), {"age": known.victim_age}))
    elif victim_is_minor:
        found.append(Reason(N_("minor victim")))
    if known.deepfake:
        found.append(Reason(N_("sexual deepfake")))
    elif CaseKind.INTIMATE_IMAGES in kinds or "sexual" in labels:
        found.append(Reason(N_("intimate images")))
    if CaseKind.PERSONAL_INFO_EXPOSURE in kinds or "doxxing" in labels:
        found.append(Reason(N_("personal details exposed")))
    return found

"""Triage: which case a responder should open first.

Order: a minor victim first, then threats, then intimate images, then the oldest case. Signals
found later (classifier labels on the report or its evidence) raise a case to the level of the
kind they reveal, so that a "threat" label found in an "insults" report ranks like a threat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rempart.domain.cases import CaseKind

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
}
_KIND_WEIGHTS = {
    CaseKind.THREATS: THREAT,
    CaseKind.INTIMATE_IMAGES: INTIMATE,
    CaseKind.PERSONAL_INFO_EXPOSURE: EXPOSURE,
}


def priority(victim_is_minor: bool, kinds: Iterable[CaseKind],
             labels: Iterable[str] | None = None) -> int:
    """A score, higher is more urgent; unknown labels are ignored."""
    score = MINOR if victim_is_minor else 0
    for kind in kinds:
        score |= _KIND_WEIGHTS.get(kind, 0)
    for label in labels or ():
        score |= _LABEL_WEIGHTS.get(label, 0)
    return score


def queue_key(score: int, created_at: datetime) -> tuple[int, float]:
    """Sort key putting the most urgent first, then the oldest first."""
    return (-score, created_at.timestamp())

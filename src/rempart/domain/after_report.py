"""What a reporter should do right after a report, fitted to what the report says.

Pure rules, no I/O: the report's kinds (``CaseKind`` values), the reporter's role and the facts
(``ReportFacts``, every answer possibly unknown) in, an ordered tuple of step ids out. The pages
turn each id into text in the reader's register (``tu`` for a victim, ``vous`` for a witness or a
parent) and language.

Order matters: a life in danger comes first (3114 and 112 for suicidal thoughts, 17 or 112 for
a threat to life), then what stops the harm fastest (stop-images for intimate images, PHAROS for
public illegal content), then the people who help (3018), then the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from rempart.domain.facts import ReportFacts

SUICIDE = "suicide"          # 3114 (suicide prevention) and 112, before anything else
EMERGENCY = "emergency"      # 17 (police) or 112, 114 by SMS, for a threat to life
STOP_IMAGES = "stop_images"  # /stop-images: hashes of intimate images to the platforms
PHAROS = "pharos"            # internet-signalement.gouv.fr for public illegal content
HELPLINE = "3018"            # 3018, the national number against online harassment
SUPPORT = "support"          # witness and parent: be with the person harassed, don't share
EVIDENCE = "evidence"        # keep screenshots with date and link, don't answer the authors

_THREATS = "threats"
_INTIMATE = "intimate_images"
_PUBLIC_KINDS = {"insults", "threats", "personal_info_exposure", "group_harassment",
                 "intimate_images"}


def next_steps(kinds: Iterable[str], role: str, facts: ReportFacts | None = None
               ) -> tuple[str, ...]:
    """The steps to show after a report, most urgent first."""
    facts = facts or ReportFacts()
    kinds = set(kinds)
    steps: list[str] = []
    if facts.suicide_or_attempt:
        steps.append(SUICIDE)
    if facts.death_threat or (_THREATS in kinds and facts.death_threat is not False):
        steps.append(EMERGENCY)
    if _INTIMATE in kinds or facts.deepfake:
        steps.append(STOP_IMAGES)
    if facts.public or (facts.public is None and kinds & _PUBLIC_KINDS):
        steps.append(PHAROS)
    steps.append(HELPLINE)
    if role in ("witness", "adult"):
        steps.append(SUPPORT)
    steps.append(EVIDENCE)
    return tuple(steps)


def register(role: str) -> str:
    """``tu`` on the youth path (the victim), ``vous`` for a witness or a parent."""
    return "tu" if role == "victim" else "vous"

"""The "Suis-je harcelé·e ?" self-assessment: answers in, the right path and urgency out.

Pure: the web page parses the form into ``Answers`` and renders the ``Assessment``. Immediate
danger or thoughts of suicide always put the emergency numbers (112, 3114) first, and then the
verdict is ``"safety_first"``: such an answer never reads "this may not be harassment yet",
whatever else was answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from rempart.domain.qualification import Facts

ROLES = ("victim", "witness", "adult")
WHAT = ("insults", "threats", "intimate_images", "personal_info_exposure", "identity_theft",
        "group_harassment")
PATHS = {"victim": "/victime", "witness": "/temoin", "adult": "/parent"}


@dataclass(frozen=True)
class Answers:
    role: str = "victim"
    what: frozenset[str] = frozenset()
    repeated: bool = False
    several_people: bool = False
    public: bool = False
    under_18: bool = False
    affects_health: bool = False  # fear, sleep, not going to school or work any more
    danger_now: bool = False
    suicidal_thoughts: bool = False


@dataclass(frozen=True)
class Assessment:
    path: str
    emergency_first: tuple[str, ...]  # service ids to show before anything else, in order
    looks_like_harassment: bool
    services: tuple[str, ...]  # further services that fit, in order
    facts: Facts
    verdict: str = "not_yet"  # "safety_first", "harassment" or "not_yet"

    @property
    def safety_first(self) -> bool:
        return self.verdict == "safety_first"


def assess(answers: Answers) -> Assessment:
    role = answers.role if answers.role in ROLES else "victim"
    emergency: list[str] = []
    if answers.danger_now:
        emergency += ["112", "17", "114"]
    if answers.suicidal_thoughts:
        emergency.insert(1 if answers.danger_now else 0, "3114")
    if answers.suicidal_thoughts and not answers.danger_now:
        emergency.insert(0, "112")
    what = frozenset(w for w in answers.what if w in WHAT)
    harassment = (answers.repeated or answers.several_people or "group_harassment" in what
                  or (answers.affects_health and bool(what)))
    services = ["3018"]
    if answers.under_18:
        services.append("119")
    if "intimate_images" in what:
        services.append("takeitdown" if answers.under_18 else "stopncii")
    if answers.public:
        services.append("pharos")
    if "personal_info_exposure" in what:
        services.append("cnil")
    facts = Facts(kinds=what, victim_minor=answers.under_18, public=answers.public,
                  repeated=answers.repeated, authors=2 if answers.several_people else None)
    if answers.suicidal_thoughts or answers.danger_now:
        verdict = "safety_first"
    else:
        verdict = "harassment" if harassment else "not_yet"
    return Assessment(path=PATHS[role], emergency_first=tuple(dict.fromkeys(emergency)),
                      looks_like_harassment=harassment, services=tuple(services), facts=facts,
                      verdict=verdict)

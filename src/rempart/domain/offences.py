"""The offences that cover cyberharassment in French law, loaded from ``data/offences.yaml``.

Pure data and arithmetic: each ``Offence`` knows its article, elements, base maximum penalty,
aggravating circumstances and prescription; ``Offence.penalty(aggravations)`` returns the
maximum that applies. ``OFFENCES`` maps article ids (``"222-33-2-2"``, ``"33-loi-1881"``, ...)
to offences; the text classifier uses its keys. Information, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

PrescriptionStart = Literal["last_act", "each_act"]
AccountSuspension = Literal["always", "discriminatory", "never"]


@dataclass(frozen=True, order=True)
class Penalty:
    """A maximum penalty: prison in months (0 when a fine only) and a fine in euros."""

    prison_months: int
    fine_eur: int

    def describe(self, language: str = "fr") -> str:
        fine = f"{self.fine_eur:,}".replace(",", "\u202f") + " €"
        if self.prison_months == 0:
            return (f"amende de {fine}" if language == "fr" else f"a fine of {fine}")
        return f"{_duration(self.prison_months, language)} / {fine}"


@dataclass(frozen=True)
class Tier:
    minimum: int
    among: frozenset[str]
    penalty: Penalty


@dataclass(frozen=True)
class Prescription:
    """How long a victim has to act: ``years`` or ``months``, counted ``start``-wise."""

    years: int
    months: int
    start: PrescriptionStart
    article: str
    discriminatory_years: int | None = None
    discriminatory_article: str | None = None
    minor_years: int | None = None  # from the victim's majority (article 8, paragraph 2, CPP)
    minor_article: str | None = None


@dataclass(frozen=True)
class Offence:
    id: str
    article: str
    title_fr: str
    title_en: str
    elements_fr: str
    elements_en: str
    base: Penalty
    aggravations: tuple[str, ...]
    tiers: tuple[Tier, ...]
    prescription: Prescription
    raid_clause_fr: str | None = None
    raid_clause_en: str | None = None
    notes_fr: str | None = None
    notes_en: str | None = None
    last_checked: date | None = None
    source_note: str = ""  # for maintainers only: never shown to the public
    account_suspension: AccountSuspension = "never"  # article 131-35-1 of the Code pénal
    press_law: bool = False  # law of 29 July 1881: its time limit binds the civil claim too

    def title(self, language: str = "fr") -> str:
        return self.title_en if language == "en" else self.title_fr

    def elements(self, language: str = "fr") -> str:
        return self.elements_en if language == "en" else self.elements_fr

    def notes(self, language: str = "fr") -> str | None:
        return self.notes_en if language == "en" else self.notes_fr

    def suspends_accounts(self, aggravations: frozenset[str] | set[str] = frozenset()) -> bool:
        """Whether the complementary penalty of article 131-35-1 (suspension of the accounts
        used to commit the offence) applies, given the aggravations present."""
        if self.account_suspension == "always":
            return True
        return self.account_suspension == "discriminatory" and "discriminatory" in aggravations

    def raid_clause(self, language: str = "fr") -> str | None:
        return self.raid_clause_en if language == "en" else self.raid_clause_fr

    def relevant(self, aggravations: frozenset[str] | set[str]) -> frozenset[str]:
        """The given aggravations that this offence's article knows."""
        return frozenset(a for a in aggravations if a in self.aggravations)

    def penalty(self, aggravations: frozenset[str] | set[str] = frozenset()) -> Penalty:
        """The maximum penalty with these aggravating circumstances (unknown ones ignored)."""
        present = self.relevant(aggravations)
        best = self.base
        for tier in self.tiers:
            pool = tier.among or frozenset(self.aggravations)
            if len(present & pool) >= tier.minimum:
                best = max(best, tier.penalty)
        return best


@dataclass(frozen=True)
class LegalBase:
    last_checked: date
    disclaimer_fr: str
    disclaimer_en: str
    aggravation_labels: dict[str, dict[str, str]]
    offences: dict[str, Offence]
    law_sources_fr: str = ""
    law_sources_en: str = ""

    def law_sources(self, language: str = "fr") -> str:
        """Which texts were checked (shown with ``last_checked``)."""
        return self.law_sources_en if language == "en" else self.law_sources_fr

    def disclaimer(self, language: str = "fr") -> str:
        text = self.disclaimer_en if language == "en" else self.disclaimer_fr
        return text.format(date=_day(self.last_checked, language))

    def aggravation_label(self, key: str, language: str = "fr", short: bool = False) -> str:
        field = "en" if language == "en" else "fr"
        return self.aggravation_labels[key][f"short_{field}" if short else field]


@lru_cache(maxsize=1)
def load_legal_base() -> LegalBase:
    """The packaged, reviewed legal knowledge base."""
    text = resources.files("rempart.domain").joinpath("data/offences.yaml").read_text("utf-8")
    return parse_legal_base(yaml.safe_load(text))


def get(offence_id: str) -> Offence:
    """The offence with this article id; KeyError if unknown."""
    return load_legal_base().offences[offence_id]


def disclaimer(language: str = "fr") -> str:
    """"Information, not legal advice", with the date the texts were last checked."""
    return load_legal_base().disclaimer(language)


def parse_legal_base(raw: dict[str, Any]) -> LegalBase:
    labels = {str(k): {"fr": str(v["fr"]), "en": str(v["en"]), "short_fr": str(v["short_fr"]),
                       "short_en": str(v["short_en"])} for k, v in raw["aggravations"].items()}
    offences: dict[str, Offence] = {}
    for item in raw["offences"]:
        offence = _parse_offence(item)
        unknown = set(offence.aggravations) - set(labels)
        if unknown:
            raise ValueError(f"{offence.id}: unknown aggravations {sorted(unknown)}")
        if offence.id in offences:
            raise ValueError(f"duplicate offence {offence.id}")
        offences[offence.id] = offence
    return LegalBase(last_checked=date.fromisoformat(str(raw["last_checked"])),
                     disclaimer_fr=str(raw["disclaimer_fr"]),
                     disclaimer_en=str(raw["disclaimer_en"]),
                     aggravation_labels=labels, offences=offences,
                     law_sources_fr=str(raw.get("law_sources_fr", "")),
                     law_sources_en=str(raw.get("law_sources_en", "")))


def _parse_offence(item: dict[str, Any]) -> Offence:
    def optional(key: str) -> str | None:
        return str(item[key]) if item.get(key) else None

    tiers = tuple(Tier(minimum=int(t["min"]), among=frozenset(t.get("among", [])),
                       penalty=_penalty(t)) for t in item.get("tiers", []))
    suspension = item.get("account_suspension", False)
    checked = item.get("last_checked")
    return Offence(
        id=str(item["id"]), article=str(item["article"]),
        title_fr=str(item["title_fr"]), title_en=str(item["title_en"]),
        elements_fr=str(item["elements_fr"]), elements_en=str(item["elements_en"]),
        base=_penalty(item["base"]), aggravations=tuple(item.get("aggravations", [])),
        tiers=tiers,
        prescription=_prescription(item["prescription"], item.get("minor_prescription")),
        raid_clause_fr=optional("raid_clause_fr"), raid_clause_en=optional("raid_clause_en"),
        notes_fr=optional("notes_fr"), notes_en=optional("notes_en"),
        last_checked=date.fromisoformat(str(checked)) if checked else None,
        source_note=str(item.get("source_note", "")),
        account_suspension=("always" if suspension is True else
                            "discriminatory" if suspension == "discriminatory" else "never"),
        press_law=bool(item.get("press_law", False)))


def _penalty(raw: dict[str, Any]) -> Penalty:
    return Penalty(prison_months=int(raw["prison_months"]), fine_eur=int(raw["fine_eur"]))


def _prescription(raw: dict[str, Any], minor: dict[str, Any] | None = None) -> Prescription:
    start = raw["from"]
    if start not in ("last_act", "each_act"):
        raise ValueError(f"unknown prescription start {start!r}")
    years, months = int(raw.get("years", 0)), int(raw.get("months", 0))
    if not years and not months:
        raise ValueError("a prescription needs years or months")
    discriminatory = raw.get("discriminatory_years")
    return Prescription(years=years, months=months, start=start, article=str(raw["article"]),
                        discriminatory_years=int(discriminatory) if discriminatory else None,
                        discriminatory_article=raw.get("discriminatory_article"),
                        minor_years=int(minor["years"]) if minor else None,
                        minor_article=str(minor["article"]) if minor else None)


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")


def _day(day: date, language: str) -> str:
    """"1er décembre 2026" / "1 December 2026"."""
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]} {day.year}"


def _duration(months: int, language: str) -> str:
    if months % 12 == 0:
        years = months // 12
        if language == "en":
            return f"{years} year" + ("s" if years > 1 else "")
        return f"{years} an" + ("s" if years > 1 else "")
    return f"{months} mois" if language == "fr" else f"{months} months"


OFFENCES: dict[str, Offence] = load_legal_base().offences

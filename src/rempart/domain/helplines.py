"""Helplines and reporting services, with their opening hours in Europe/Paris.

The reviewed data lives in ``data/helplines.yaml``. ``is_open`` and ``next_opening`` are pure
functions of a service and an aware datetime; they work on Paris wall-clock time, so they stay
right across daylight-saving changes, and they honour French public holidays (``holidays``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays
import yaml

PARIS = ZoneInfo("Europe/Paris")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HolidayRule = Literal["as_usual", "closed", "sunday"]
_SEARCH_DAYS = 15  # a weekly schedule opens within 8 days; a little more covers holiday runs


@dataclass(frozen=True)
class OpeningSlot:
    """Open from ``opens`` to ``closes`` (Paris wall-clock) on each weekday in ``days`` (0=Mon).

    ``closes`` may be 24:00 (end of day), written as ``time(0)`` with ``until_midnight`` set.
    """

    days: frozenset[int]
    opens: time
    closes: time
    until_midnight: bool = False

    def covers(self, clock: time) -> bool:
        return self.opens <= clock and (self.until_midnight or clock < self.closes)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    description_fr: str
    description_en: str
    contact: dict[str, str]
    free: bool
    anonymous: bool
    slots: tuple[OpeningSlot, ...]
    holidays: HolidayRule
    always_open: bool
    emergency: bool
    web_form: bool
    replaced_by: str | None
    replaced_in: int | None
    last_checked: date
    sources: tuple[str, ...]

    @property
    def replaced(self) -> bool:
        return self.replaced_by is not None

    def description(self, language: str) -> str:
        return self.description_en if language == "en" else self.description_fr


@dataclass(frozen=True)
class Directory:
    last_checked: date
    services: tuple[Service, ...]

    def get(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)


def is_open(service: Service, at: datetime) -> bool:
    """True when the service answers at the instant ``at`` (an aware datetime)."""
    if service.replaced:
        return False
    if service.always_open:
        return True
    local = _paris(at)
    return any(slot.covers(local.time()) for slot in _slots_on(service, local.date()))


def next_opening(service: Service, at: datetime) -> datetime | None:
    """The instant the service is next open, at or after ``at`` (aware, Europe/Paris).

    Returns ``at`` itself (in Paris time) when the service is open then, and None when it never
    opens again (a replaced service, or a service without hours).
    """
    if service.replaced:
        return None
    local = _paris(at)
    if is_open(service, at):
        return local
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        for slot in sorted(_slots_on(service, day), key=lambda s: s.opens):
            start = _wall_clock(day, slot.opens)
            if start > local:
                return start
    return None


def closes_at(service: Service, at: datetime) -> datetime | None:
    """When the current opening ends, or None if it is closed or never closes."""
    if service.always_open or not is_open(service, at):
        return None
    local = _paris(at)
    for slot in _slots_on(service, local.date()):
        if slot.covers(local.time()):
            if slot.until_midnight:
                return _wall_clock(local.date() + timedelta(days=1), time(0))
            return _wall_clock(local.date(), slot.closes)
    return None


def is_public_holiday(day: date) -> bool:
    return day in _french_holidays(day.year)


def _slots_on(service: Service, day: date) -> list[OpeningSlot]:
    weekday = day.weekday()
    if is_public_holiday(day):
        if service.holidays == "closed":
            return []
        if service.holidays == "sunday":
            weekday = 6
    return [slot for slot in service.slots if weekday in slot.days]


def _paris(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a time zone is required (naive datetime)")
    return at.astimezone(PARIS)


def _wall_clock(day: date, clock: time) -> datetime:
    # Round-trip through UTC so that a wall-clock time skipped by the spring DST change
    # (02:00-03:00) lands on the real instant after the gap.
    naive = datetime.combine(day, clock, tzinfo=PARIS)
    return naive.astimezone(ZoneInfo("UTC")).astimezone(PARIS)


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", years=year)


@lru_cache(maxsize=1)
def load_directory() -> Directory:
    """The packaged, reviewed directory of services."""
    text = resources.files("rempart.domain").joinpath("data/helplines.yaml").read_text("utf-8")
    return parse_directory(yaml.safe_load(text))


def parse_directory(raw: dict[str, Any]) -> Directory:
    services = tuple(_parse_service(item) for item in raw["services"])
    ids = [service.id for service in services]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate service id")
    for service in services:
        if service.replaced_by is not None and service.replaced_by not in ids:
            raise ValueError(f"{service.id} is replaced by an unknown service")
    return Directory(last_checked=date.fromisoformat(str(raw["last_checked"])),
                     services=services)


def _parse_service(item: dict[str, Any]) -> Service:
    holiday_rule = item.get("holidays", "as_usual")
    if holiday_rule not in ("as_usual", "closed", "sunday"):
        raise ValueError(f"{item['id']}: unknown holiday rule {holiday_rule!r}")
    slots = tuple(_parse_slot(slot) for slot in item.get("hours", []))
    always_open = bool(item.get("always_open", False))
    if not slots and not always_open and not item.get("replaced_by"):
        raise ValueError(f"{item['id']}: no hours")
    if not item.get("sources"):
        raise ValueError(f"{item['id']}: no sources")
    replaced_in = item.get("replaced_in")
    return Service(
        id=str(item["id"]), name=str(item["name"]),
        description_fr=str(item["description_fr"]), description_en=str(item["description_en"]),
        contact={str(k): str(v) for k, v in item.get("contact", {}).items()},
        free=bool(item.get("free", False)), anonymous=bool(item.get("anonymous", False)),
        slots=slots, holidays=holiday_rule, always_open=always_open,
        emergency=bool(item.get("emergency", False)), web_form=bool(item.get("web_form", False)),
        replaced_by=item.get("replaced_by"),
        replaced_in=int(replaced_in) if replaced_in is not None else None,
        last_checked=date.fromisoformat(str(item["last_checked"])),
        sources=tuple(str(source) for source in item["sources"]))


def _parse_slot(raw: dict[str, Any]) -> OpeningSlot:
    days = frozenset(DAYS.index(day) for day in raw["days"])
    opens = time.fromisoformat(str(raw["open"]))
    until_midnight = str(raw["close"]) == "24:00"
    closes = time(0) if until_midnight else time.fromisoformat(str(raw["close"]))
    if not until_midnight and closes <= opens:
        raise ValueError(f"slot closes before it opens: {raw}")
    return OpeningSlot(days=days, opens=opens, closes=closes, until_midnight=until_midnight)


def dial_uri(number: str, scheme: str = "tel") -> str:
    """``tel:``/``sms:`` link of a number as written for people (``01 23 45 67 89``,
    ``+33 1 23…``): digits only, a leading ``+`` kept, so a phone dials it as one tap."""
    digits = "".join(c for c in number if c.isdigit())
    return f"{scheme}:{'+' if number.strip().startswith('+') else ''}{digits}"

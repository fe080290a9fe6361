"""Statistics for the organisation and its funders: cases per week by kind, time to first
response, share of minors, takedown outcomes and decision times per platform, referrals.

One function computes the figures (``figures``) for the page, its CSV export and
``rempart stats --json``. Exports never show a count from 1 to 4 (the cases are minors, and a
small count can point to one person): they say "< 5" (``masked``).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rempart.domain.audit import Actor, AuditAction
from rempart.domain.cases import CaseKind
from rempart.domain.staff import Permission
from rempart.domain.takedowns import DECISIONS, TakedownStatus
from rempart.services import audit
from rempart.services.errors import StaffError
from rempart.services.staff import StaffMember, require_permission
from rempart.store.staff_desk import desk
from rempart.store.uow import UnitOfWork

SMALL_COUNT = 5  # counts from 1 to SMALL_COUNT - 1 are shown as "< 5" in exports
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class PlatformTakedowns:
    platform: str
    outcomes: dict[str, int]  # status -> count (decisions, and the ones still waiting)
    median_decision_hours: float | None  # from sent to decided


@dataclass(frozen=True)
class Figures:
    since: date | None
    until: date | None  # exclusive
    cases: int
    minors: int
    cases_per_week: dict[str, dict[str, int]]  # Monday (ISO) -> kind -> count
    first_response_hours_per_week: dict[str, float | None]  # Monday -> median
    median_first_response_hours: float | None
    answered: int
    takedowns: list[PlatformTakedowns] = field(default_factory=list)
    referrals: dict[str, int] = field(default_factory=dict)

    @property
    def takedown_count(self) -> int:
        return sum(sum(t.outcomes.values()) for t in self.takedowns)

    @property
    def share_of_minors(self) -> float | None:
        return self.minors / self.cases if self.cases else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _monday(at: datetime) -> str:
    day = at.date()
    return (day - timedelta(days=day.weekday())).isoformat()


def _median_hours(values: list[timedelta]) -> float | None:
    if not values:
        return None
    return round(statistics.median(v.total_seconds() for v in values) / 3600, 1)


def parse_range(since: str, until: str) -> tuple[date | None, date | None]:
    """Dates typed as YYYY-MM-DD (either may be empty); ``until`` is included. StaffError
    with the reason for a bad date, a range that ends before it starts or is too long."""
    try:
        start = date.fromisoformat(since.strip()) if since.strip() else None
        end = date.fromisoformat(until.strip()) if until.strip() else None
    except ValueError:
        raise StaffError("dates are written YYYY-MM-DD") from None
    if start and end and end < start:
        raise StaffError("the end date is before the start date")
    if start and end and (end - start).days > MAX_RANGE_DAYS:
        raise StaffError("a range covers at most three years")
    return start, (end + timedelta(days=1)) if end else None


def _bound(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def compute(uow: UnitOfWork, since: date | None, until: date | None) -> Figures:
    """The figures (inside an open unit of work); ``until`` is exclusive."""
    repo = desk(uow)
    rows = repo.stats_rows(_bound(since), _bound(until))
    per_week: dict[str, Counter[str]] = {}
    delays: dict[str, list[timedelta]] = {}
    all_delays = []
    for _, kinds, _, _, received, first_reply in rows:
        week = _monday(_aware(received))
        per_week.setdefault(week, Counter()).update(kinds)
        delays.setdefault(week, [])
        if first_reply is not None:
            delay = _aware(first_reply) - _aware(received)
            delays[week].append(delay)
            all_delays.append(delay)
    takedowns: dict[str, tuple[Counter[str], list[timedelta]]] = {}
    for platform, status, sent, decided in repo.takedown_rows(_bound(since), _bound(until)):
        outcomes, times = takedowns.setdefault(platform, (Counter(), []))
        outcomes[status] += 1
        if sent is not None and decided is not None and TakedownStatus(status) in DECISIONS:
            times.append(_aware(decided) - _aware(sent))
    return Figures(
        since=since, until=until, cases=len(rows), minors=sum(1 for r in rows if r[2]),
        cases_per_week={w: {k.value: per_week[w][k.value] for k in CaseKind
                            if per_week[w][k.value]} for w in sorted(per_week)},
        first_response_hours_per_week={w: _median_hours(delays[w]) for w in sorted(delays)},
        median_first_response_hours=_median_hours(all_delays), answered=len(all_delays),
        takedowns=[PlatformTakedowns(p, dict(sorted(o.items())), _median_hours(t))
                   for p, (o, t) in sorted(takedowns.items())],
        referrals=dict(sorted(Counter(repo.referral_rows(_bound(since), _bound(until))).items())))


def figures(uow: UnitOfWork, staff: StaffMember, since: date | None = None,
            until: date | None = None, export: bool = False) -> Figures:
    """The figures of a date range for a staff member (reading them is audited)."""
    with uow:
        require_permission(uow, staff, Permission.VIEW_STATS)
        found = compute(uow, since, until)
        audit.record(uow, Actor.STAFF, AuditAction.STATS_READ, staff_id=staff.id, detail={
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None, "export": export})
        uow.commit()
        return found


def operator_figures(uow: UnitOfWork, since: date | None = None, until: date | None = None
                     ) -> Figures:
    """The figures for the command line (the operator acts; audited as such)."""
    with uow:
        found = compute(uow, since, until)
        audit.record(uow, Actor.OPERATOR, AuditAction.STATS_READ, detail={
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None, "export": True})
        uow.commit()
        return found


def compute_for(uow: UnitOfWork, staff: StaffMember, since: date | None = None,
                until: date | None = None) -> Figures:
    """The same figures for one chart of the page (the page view is the audited read)."""
    with uow:
        require_permission(uow, staff, Permission.VIEW_STATS)
        return compute(uow, since, until)


def masked(count: int) -> int | str:
    """A count as an export shows it: 0, "< 5", or the number from 5 up."""
    return f"< {SMALL_COUNT}" if 0 < count < SMALL_COUNT else count


def as_json(found: Figures) -> dict[str, Any]:
    """The exported figures (small counts masked), for ``rempart stats --json``."""
    share = found.share_of_minors
    return {
        "since": found.since.isoformat() if found.since else None,
        "until": (found.until - timedelta(days=1)).isoformat() if found.until else None,
        "cases": masked(found.cases),
        "minors": masked(found.minors),
        "share_of_minors": None if share is None or 0 < found.minors < SMALL_COUNT
        else round(share, 3),
        "cases_per_week": {w: {k: masked(n) for k, n in kinds.items()}
                           for w, kinds in found.cases_per_week.items()},
        "median_first_response_hours": found.median_first_response_hours,
        "first_response_hours_per_week": found.first_response_hours_per_week,
        "answered": masked(found.answered),
        "takedowns": [{"platform": t.platform,
                       "outcomes": {s: masked(n) for s, n in t.outcomes.items()},
                       "median_decision_hours": t.median_decision_hours}
                      for t in found.takedowns],
        "referrals": {target: masked(n) for target, n in found.referrals.items()},
    }


def as_csv(found: Figures) -> str:
    """One row per figure: section, key, sub-key, value (small counts masked)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "key", "detail", "value"])
    data = as_json(found)
    writer.writerow(["range", "since", "", data["since"] or ""])
    writer.writerow(["range", "until", "", data["until"] or ""])
    for name in ("cases", "minors", "share_of_minors", "answered",
                 "median_first_response_hours"):
        value = data[name]
        writer.writerow([name, "", "", "" if value is None else value])
    for week, kinds in data["cases_per_week"].items():
        for kind, count in kinds.items():
            writer.writerow(["cases_per_week", week, kind, count])
    for week, hours in data["first_response_hours_per_week"].items():
        writer.writerow(["first_response_hours_per_week", week, "",
                         "" if hours is None else hours])
    for entry in data["takedowns"]:
        for status, count in entry["outcomes"].items():
            writer.writerow(["takedown_outcomes", entry["platform"], status, count])
        hours = entry["median_decision_hours"]
        writer.writerow(["takedown_median_decision_hours", entry["platform"], "",
                         "" if hours is None else hours])
    for target, count in data["referrals"].items():
        writer.writerow(["referrals", target, "", count])
    return out.getvalue()

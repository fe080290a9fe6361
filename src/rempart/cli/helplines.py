"""``rempart helplines [--at ISO-DATETIME] [--json]``: who answers now, and when the others open.

A datetime without a time zone is read as Paris time, the time zone of every service.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from rempart.domain.helplines import (
    PARIS,
    Service,
    closes_at,
    is_open,
    load_directory,
    next_opening,
)


def register(app: typer.Typer) -> None:
    app.command("helplines")(helplines)


def helplines(
    at: Annotated[str | None, typer.Option(help="ISO datetime (Paris time if no offset).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """List helplines and reporting services, open now or when they open."""
    from rempart.cli import fail

    moment = datetime.now(UTC).astimezone(PARIS)
    if at is not None:
        try:
            moment = parse_moment(at)
        except ValueError:
            fail(f"--at: not an ISO 8601 datetime: {at!r}")
    rows = [status_of(service, moment) for service in load_directory().services]
    if as_json:
        typer.echo(json.dumps({"at": moment.isoformat(), "services": rows}, ensure_ascii=False,
                              indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']:<28} {describe(row)}")


def parse_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(PARIS)


def status_of(service: Service, moment: datetime) -> dict[str, Any]:
    opening = next_opening(service, moment)
    closing = closes_at(service, moment)
    return {"id": service.id, "name": service.name, "contact": service.contact,
            "open": is_open(service, moment), "always_open": service.always_open,
            "web_form": service.web_form,
            "opens_at": opening.isoformat() if opening and opening != moment else None,
            "closes_at": closing.isoformat() if closing else None,
            "replaced_by": service.replaced_by, "last_checked": service.last_checked.isoformat(),
            "sources": list(service.sources)}


def describe(row: dict[str, Any]) -> str:
    if row["replaced_by"]:
        return f"replaced by {row['replaced_by']}"
    if row["web_form"]:
        return "web form, any time"
    if row["always_open"]:
        return "open 24/7"
    if row["open"]:
        return f"open now, until {row['closes_at'][11:16]}"
    if row["opens_at"]:
        return f"closed, opens {row['opens_at'][:16].replace('T', ' ')}"
    return "closed"

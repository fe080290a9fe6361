"""``rempart takedown add|set|list``: takedown requests for teams that script.

    rempart takedown add CODE --url URL --platform NAME [--json]
    rempart takedown set ID --status STATUS [--reference REF] [--decided-at ISO]
    rempart takedown list [--overdue] --json

The operator acts (custody role "operator"); every change is in the ledger and the audit log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from rempart.domain.takedowns import TakedownStatus

takedown_app = typer.Typer(help="Takedown requests to platforms (DSA Art. 16 notices).",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(takedown_app, name="takedown")


def _print(view, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        typer.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    due = f" due {view.due_at:%Y-%m-%d %H:%M} UTC" if view.due_at else ""
    late = " OVERDUE" if view.overdue else ""
    typer.echo(f"{view.id}  {view.case_code}  {view.platform}  {view.status.value}{due}{late}"
               f"  {view.url}")


def _parse_time(text: str | None) -> datetime | None:
    from rempart.cli import fail

    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        fail(f"not an ISO date or time: {text!r} (e.g. 2026-12-01 or 2026-12-01T14:30+01:00)")
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@takedown_app.command("add")
def add(code: str = typer.Argument(..., help="The case code."),
        url: str = typer.Option(..., "--url", help="The content's address."),
        platform: str = typer.Option(..., "--platform", help="A platform of the directory."),
        language: str = typer.Option("fr", "--language", help="Notice language: fr or en."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Draft a takedown request for one URL of a case (prints it, with its id)."""
    from rempart.cli import fail, open_services
    from rempart.services import takedowns
    from rempart.services.errors import ServiceError

    services = open_services()
    try:
        view = takedowns.draft_takedown(services, takedowns.case_id_for_code(services, code),
                                        url, platform, language=language)
    except ServiceError as refused:
        fail(str(refused))
    finally:
        services.dispose()
    _print(view, as_json)


@takedown_app.command("set")
def set_status(takedown_id: str = typer.Argument(..., help="The takedown's id."),
               status: TakedownStatus = typer.Option(..., "--status", case_sensitive=False),
               reference: str | None = typer.Option(None, "--reference",
                                                    help="The platform's reference."),
               decided_at: str | None = typer.Option(None, "--decided-at",
                                                     help="When it happened (ISO 8601)."),
               as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Move a takedown on: sent (with --reference), acknowledged, or a decision."""
    from rempart.cli import fail, open_services
    from rempart.services import takedowns
    from rempart.services.errors import ServiceError

    at = _parse_time(decided_at)
    services = open_services()
    try:
        view = takedowns.set_status(services, takedown_id[:36], takedowns.Change(
            status, reference=reference, at=at))
    except ServiceError as refused:
        fail(str(refused))
    finally:
        services.dispose()
    _print(view, as_json)


@takedown_app.command("list")
def list_all(overdue: bool = typer.Option(False, "--overdue", help="Only the overdue ones."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every takedown (newest first), or the overdue ones (trusted flaggers' first)."""
    from rempart.cli import fail, open_services
    from rempart.services import takedowns
    from rempart.services.errors import ServiceError

    services = open_services()
    try:
        found = takedowns.list_takedowns(services, overdue_only=overdue)
    except ServiceError as refused:
        fail(str(refused))
    finally:
        services.dispose()
    if as_json:
        typer.echo(json.dumps([v.as_json() for v in found], ensure_ascii=False, indent=2))
        return
    for view in found:
        _print(view, False)

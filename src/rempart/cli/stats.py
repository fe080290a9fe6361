"""``rempart stats [--since DATE] [--until DATE] --json``: the figures of the statistics page,
with the same masking of small counts as its CSV export ("< 5")."""

from __future__ import annotations

import json

import typer


def stats_command(
    since: str = typer.Option("", "--since", help="first day, YYYY-MM-DD"),
    until: str = typer.Option("", "--until", help="last day (included), YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Cases per week by kind, time to first response, minors, takedowns, referrals."""
    from rempart.cli import fail, open_services
    from rempart.services import stats
    from rempart.services.errors import StaffError

    try:
        start, end = stats.parse_range(since, until)
    except StaffError as problem:
        fail(str(problem))
    services = open_services()
    try:
        figures = stats.operator_figures(services.uow(), start, end)
    finally:
        services.dispose()
    data = stats.as_json(figures)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(stats.as_csv(figures), nl=False)


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)

"""``rempart audit verify``: the audit log's hash chain (a changed, deleted or slipped-in row)."""

from __future__ import annotations

import typer

from rempart.cli import session_factory
from rempart.config import get_settings

audit_app = typer.Typer(help="Audit log of staff and operator actions.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Check every audit row against its hash chain link, and the chain against the witness."""
    from rempart.cli import fail
    from rempart.services.integrity import verify_audit

    report = verify_audit(get_settings(), session_factory())
    for problem in report.problems:
        typer.echo(f"FAIL {problem}", err=True)
    if report.problems:
        fail(f"audit log does not verify ({len(report.problems)} problems)", code=1)
    typer.echo(f"audit log OK: {report.audit_links} rows chained")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")

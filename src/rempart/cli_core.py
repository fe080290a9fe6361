"""``rempart staff`` (accounts of the back-office) and ``rempart case create``.

Other capabilities may add commands to ``case_app`` (``from rempart.cli_core import case_app``).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

import typer

from rempart.domain.cases import CaseKind, ReporterRole
from rempart.domain.staff import StaffRole

staff_app = typer.Typer(help="Back-office accounts (password + TOTP).", no_args_is_help=True)
case_app = typer.Typer(help="Cases.", no_args_is_help=True)


def _services():  # type: ignore[no-untyped-def]
    from rempart.cli import open_services

    return open_services()


def _read_password(password_file: Path | None) -> str:
    from rempart.cli import fail

    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as problem:
            fail(f"cannot read the password file: {problem}")
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password (again)", hide_input=True) != first:
        fail("the two passwords differ")
    return str(first)


@staff_app.command("add")
def staff_add(
    email: str,
    role: StaffRole = typer.Option(..., "--role", case_sensitive=False),
    password_file: Path | None = typer.Option(None, "--password-file",
                                              help="read the password from this file"),
) -> None:
    """Create an account; prints its TOTP secret and otpauth:// URI once."""
    from rempart.cli import fail
    from rempart.security import totp
    from rempart.services import staff
    from rempart.services.errors import StaffError

    password = _read_password(password_file)
    services = _services()
    try:
        member, secret = staff.add_staff(services.uow(), services.totp_box, email, password,
                                         role)
    except StaffError as problem:
        fail(str(problem))
    typer.echo(f"created {member.email} ({member.role.value})")
    typer.echo(f"TOTP secret (shown once): {secret}")
    typer.echo(f"TOTP URI: {totp.provisioning_uri(secret, member.email)}")


@staff_app.command("list")
def staff_list() -> None:
    """E-mail, role and state of every account."""
    from rempart.services import staff

    for member in staff.list_staff(_services().uow()):
        state = "active" if member.active else "disabled"
        typer.echo(f"{member.email}\t{member.role.value}\t{state}")


@staff_app.command("disable")
def staff_disable(email: str) -> None:
    """Disable an account and end its sessions (kept for the audit log)."""
    from rempart.cli import fail
    from rempart.services import staff
    from rempart.services.errors import StaffError

    try:
        member = staff.disable_staff(_services().uow(), email)
    except StaffError as problem:
        fail(str(problem))
    typer.echo(f"disabled {member.email}")


@case_app.command("create")
def case_create(
    kind: list[CaseKind] = typer.Option(..., "--kind", case_sensitive=False),
    text: str = typer.Option(..., "--text", help="what happened"),
    minor: bool = typer.Option(False, "--minor", help="the victim is a minor"),
    role: ReporterRole = typer.Option(ReporterRole.VICTIM, "--role", case_sensitive=False),
    file: list[Path] = typer.Option([], "--file", help="evidence file (repeatable)"),
) -> None:
    """File a report as a reporter would; prints {"code", "passphrase"} as JSON."""
    from rempart.cli import fail
    from rempart.services import cases
    from rempart.services.errors import InvalidReport, UploadRejected

    services = _services()
    report = cases.NewReport(description=text, kinds=list(kind), victim_is_minor=minor,
                             reporter_role=role)
    with ExitStack() as stack:
        try:
            uploads = [cases.Upload(p.name, None, stack.enter_context(p.open("rb")))
                       for p in file]
        except OSError as problem:
            fail(f"cannot read {problem.filename}: {problem.strerror}")
        try:
            submitted = cases.submit_report(services.uow(), services.store, report, uploads,
                                            services.limits)
        except (InvalidReport, UploadRejected) as problem:
            fail(str(problem))
    typer.echo(json.dumps({"code": submitted.code, "passphrase": submitted.passphrase,
                           "case_id": submitted.case_id}))


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(case_app, name="case")

"""``rempart staff`` (accounts of the back-office) and ``rempart case create``.

Other capabilities may add commands to ``case_app``
(``from rempart.cli.staff_cases import case_app``).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

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


def _names(name: str) -> tuple[str, ...]:
    """An option under the fact's own name (``--victim_age``) and the usual spelling."""
    dashed = name.replace("_", "-")
    return (f"--{dashed}", f"--{name}") if dashed != name else (f"--{name}",)


def _yes_no(name: str) -> Any:
    """``--school`` / ``--no-school``; neither means unknown."""
    dashed = name.replace("_", "-")
    decls = [f"--{dashed}/--no-{dashed}"]
    if dashed != name:
        decls.append(f"--{name}/--no_{name}")
    return typer.Option(None, *decls, help=f"{name}: yes / no (absent: unknown)")


@case_app.command("create")
def case_create(
    kind: list[CaseKind] = typer.Option(..., "--kind", case_sensitive=False),
    text: str = typer.Option(..., "--text", help="what happened"),
    minor: bool = typer.Option(False, "--minor", help="the victim is a minor"),
    role: ReporterRole = typer.Option(ReporterRole.VICTIM, "--role", case_sensitive=False),
    file: list[Path] = typer.Option([], "--file", help="evidence file (repeatable)"),
    url: list[str] = typer.Option([], "--url", help="link to a message or account (repeatable)"),
    platform: list[str] = typer.Option([], "--platform", help="platform (repeatable)"),
    author: list[str] = typer.Option([], "--author", help="author's account (repeatable)"),
    other_platform: str | None = typer.Option(None, *_names("other_platform")),
    incident_dates: str | None = typer.Option(None, *_names("incident_dates")),
    contact: str | None = typer.Option(None, "--contact"),
    victim_age: int | None = typer.Option(None, *_names("victim_age")),
    authors: int | None = typer.Option(None, "--authors", help="how many people"),
    started_on: str | None = typer.Option(None, *_names("started_on"), help="YYYY-MM-DD"),
    last_on: str | None = typer.Option(None, *_names("last_on"), help="YYYY-MM-DD"),
    approximately: str | None = typer.Option(None, "--approximately",
                                             help="'depuis environ…' when no date is known"),
    repeated: bool | None = _yes_no("repeated"),
    public: bool | None = _yes_no("public"),
    school: bool | None = _yes_no("school"),
    known_authors: bool | None = _yes_no("known_authors"),
    partner: bool | None = _yes_no("partner"),
    death_threat: bool | None = _yes_no("death_threat"),
    threat_with_demand: bool | None = _yes_no("threat_with_demand"),
    deepfake: bool | None = _yes_no("deepfake"),
    sexual: bool | None = _yes_no("sexual"),
    discriminatory: bool | None = _yes_no("discriminatory"),
    itt_over_8_days: bool | None = _yes_no("itt_over_8_days"),
    suicide_or_attempt: bool | None = _yes_no("suicide_or_attempt"),
) -> None:
    """File a report as a reporter would (every field of the report form and the API); prints
    {"code", "passphrase", "case_id", "contradictions"} as JSON. A fact left out is unknown."""
    from rempart.cli import fail
    from rempart.domain.facts import InvalidFacts, ReportFacts
    from rempart.services import cases, reporting
    from rempart.services.errors import InvalidReport, UploadRejected

    given = {"victim_age": victim_age, "authors": authors, "started_on": started_on,
             "last_on": last_on, "approximately": approximately, "repeated": repeated,
             "public": public, "school": school, "known_authors": known_authors,
             "partner": partner, "death_threat": death_threat,
             "threat_with_demand": threat_with_demand, "deepfake": deepfake, "sexual": sexual,
             "discriminatory": discriminatory, "itt_over_8_days": itt_over_8_days,
             "suicide_or_attempt": suicide_or_attempt}
    try:
        facts = ReportFacts.from_dict({k: v for k, v in given.items() if v is not None})
    except InvalidFacts as problem:
        fail(str(problem))
    report = cases.NewReport(
        description=text, kinds=tuple(kind), victim_is_minor=minor, reporter_role=role,
        urls=tuple(url), platforms=tuple(platform), author_handles=tuple(author),
        other_platform=other_platform, incident_dates=incident_dates, contact=contact,
        facts=facts)
    services = _services()
    with ExitStack() as stack:
        try:
            uploads = [cases.Upload(p.name, None, stack.enter_context(p.open("rb")))
                       for p in file]
        except OSError as problem:
            fail(f"cannot read {problem.filename}: {problem.strerror}")
        try:
            submitted = reporting.file_report(services, report, uploads)
        except (InvalidReport, UploadRejected) as problem:
            fail(str(problem))
    typer.echo(json.dumps({"code": submitted.code, "passphrase": submitted.passphrase,
                           "case_id": submitted.case_id,
                           "contradictions": [vars(c) for c in submitted.contradictions]},
                          ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(case_app, name="case")

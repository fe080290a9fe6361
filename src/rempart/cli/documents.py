"""``rempart documents ...`` and ``rempart verify-pdf``: a case's documents from the command line.

Run by the instance operator (audited as such). The complainant's identity is typed in here and
written into the letter only: Rempart does not store it.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rempart.config import get_settings

documents_app = typer.Typer(help="Documents of a case: complaint, DSA notice, PHAROS, report.",
                            no_args_is_help=True)
LANG = typer.Option("fr", "--lang", help="fr or en")


def _services_and_case(code: str):  # type: ignore[no-untyped-def]
    from rempart.cli.evidence import _case_id, _services

    services = _services()
    return services, _case_id(services, code)


def _check_lang(lang: str) -> None:
    from rempart.cli import fail

    if lang not in ("fr", "en"):
        fail(f"--lang must be fr or en, not {lang!r}")


def _write(output: Path, data: bytes) -> None:
    from rempart.cli import fail

    try:
        output.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    typer.echo(f"wrote {output} ({len(data)} bytes)")


@documents_app.command("complaint")
def complaint(
    code: str,
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write."),
    name: str = typer.Option("", help="Complainant's full name (blank lines if omitted)."),
    birth: str = typer.Option("", help="Complainant's date and place of birth."),
    address: str = typer.Option("", help="Complainant's postal address."),
    phone: str = typer.Option("", help="Complainant's telephone."),
    email: str = typer.Option("", help="Complainant's e-mail."),
    minor_name: str = typer.Option("", help="The minor victim, when the complainant acts for "
                                            "them (legal representative or referent adult)."),
    minor_birth: str = typer.Option("", help="The minor's date of birth."),
    role: str = typer.Option("", help="The complainant's role for the minor (mère, tuteur...)."),
    court: str = typer.Option("", help="City of the tribunal judiciaire."),
    place: str = typer.Option("", help="Where the letter is signed."),
    lang: str = LANG,
) -> None:
    """A complaint letter to the procureur de la République (contre X if authors are unknown)."""
    from rempart.documents.casefile import Person
    from rempart.documents.complaint import ComplaintParties
    from rempart.services import documents

    _check_lang(lang)
    services, case_id = _services_and_case(code)
    minor = Person(full_name=minor_name, birth_date=minor_birth) if minor_name or role else None
    parties = ComplaintParties(
        complainant=Person(name, birth, address, phone, email), minor=minor,
        representative_role=role, court_city=court, place=place)
    _write(output, documents.complaint(services, case_id, documents.OPERATOR, parties, lang))


@documents_app.command("notice")
def notice(
    code: str,
    platform: str = typer.Option(..., help="The platform notified (Instagram, TikTok...)."),
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write."),
    json_output: Path | None = typer.Option(None, "--json", help="Also write the JSON notice."),
    notifier_name: str = typer.Option("", help="Notifier's name (Art. 16(2)(c))."),
    notifier_email: str = typer.Option("", help="Notifier's e-mail (Art. 16(2)(c))."),
    organisation: str = typer.Option("", help="Notifying organisation."),
    trusted_flagger: bool = typer.Option(False, help="Notify as an Art. 22 trusted flagger."),
    explanation: str = typer.Option("", help="Why the content is illegal (default: from the "
                                             "case's offences and description)."),
    lang: str = LANG,
) -> None:
    """A notice under Article 16 of the Digital Services Act (PDF, and JSON with --json)."""
    from rempart.cli import fail
    from rempart.domain.notices import NoticeError, Notifier
    from rempart.services import documents

    _check_lang(lang)
    services, case_id = _services_and_case(code)
    notifier = Notifier(notifier_name, notifier_email, organisation, trusted_flagger) \
        if notifier_name or notifier_email else None
    try:
        pdf, data = documents.notice(services, case_id, documents.OPERATOR, platform, notifier,
                                     lang, explanation or None)
    except NoticeError as problem:
        fail(str(problem))
    _write(output, pdf)
    if json_output is not None:
        _write(json_output, json.dumps(data, ensure_ascii=False, indent=2).encode())


@documents_app.command("pharos")
def pharos(code: str, lang: str = LANG) -> None:
    """Print the fields of the PHAROS form (public content only), ready to paste."""
    from rempart.services import documents

    _check_lang(lang)
    services, case_id = _services_and_case(code)
    typer.echo(documents.pharos(services, case_id, documents.OPERATOR, lang), nl=False)


@documents_app.command("report")
def report(
    code: str,
    output: Path = typer.Option(..., "-o", "--output", help="PDF file to write."),
    reveal_thumbnails: bool = typer.Option(False, help="Print thumbnails unblurred."),
    lang: str = LANG,
) -> None:
    """The evidence report, signed with the instance certificate (PAdES)."""
    from rempart.services import documents

    _check_lang(lang)
    services, case_id = _services_and_case(code)
    _write(output, documents.evidence_report(services, case_id, documents.OPERATOR, lang,
                                             reveal_thumbnails))


def verify_pdf(
    pdf: Path = typer.Argument(..., help="A signed PDF produced by Rempart."),
    trust: Path | None = typer.Option(None, help="PEM certificates to trust (default: this "
                                                 "instance's signing CA)."),
) -> None:
    """Check a signed PDF: exit 0 if every signature is intact, trusted and covers the file."""
    from rempart.cli import fail
    from rempart.documents.signing import InvalidPdf, verify_pdf

    try:
        data = pdf.read_bytes()
        roots = trust.read_bytes() if trust else _instance_roots()
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}")
    try:
        result = verify_pdf(data, roots)
    except InvalidPdf as problem:
        fail(str(problem))
    if not result.valid:
        typer.echo(f"INVALID: {result.summary()}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {result.summary()}")


def _instance_roots() -> bytes:
    """This instance's signing CA, plus its timestamp authority's root when one is configured."""
    from rempart.documents.signing import load_or_create_identity

    settings = get_settings()
    roots = load_or_create_identity(settings).trust_roots_pem
    return roots + settings.tsa_ca_file.read_bytes() if settings.tsa_ca_file else roots


def register(app: typer.Typer) -> None:
    app.add_typer(documents_app, name="documents")
    app.command("verify-pdf")(verify_pdf)

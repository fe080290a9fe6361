"""``rempart ledger``: signed checkpoints, full verification, the log's public key."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlalchemy.orm import Session

from rempart.cli import session_factory
from rempart.config import get_settings

ledger_app = typer.Typer(help="Custody ledger (Merkle log of evidence handling).",
                         no_args_is_help=True)


def open_ledger(session: Session):  # type: ignore[no-untyped-def]
    """The instance's ledger: its signing key, witness and, if configured, its timestamp
    authority."""
    from rempart.evidence.custody_log import instance_ledger

    return instance_ledger(session, get_settings())


@ledger_app.command("checkpoint")
def checkpoint() -> None:
    """Print the latest signed checkpoint, signing one first if leaves are pending."""
    with session_factory().begin() as session:
        ledger = open_ledger(session)
        row = ledger.sign_checkpoint_if_due(datetime.now(UTC)) or ledger.latest_checkpoint()
        if row is None:
            row = ledger.sign_checkpoint()
        typer.echo(row.note, nl=False)


@ledger_app.command("verify")
def verify() -> None:
    """Recompute the tree from the stored leaves; check every node and signed checkpoint, the
    witness outside the database, evidence rows against their receipts, and the audit chain."""
    from rempart.cli import fail
    from rempart.services.integrity import verify_ledger

    report = verify_ledger(get_settings(), session_factory())
    for problem in report.problems:
        typer.echo(f"FAIL {problem}", err=True)
    if report.problems:
        fail(f"ledger does not verify ({len(report.problems)} problems)", code=1)
    typer.echo(f"ledger OK: {report.ledger_size} leaves, {report.checkpoints} checkpoints "
               f"verified, {report.evidence_rows} evidence rows match their receipts, "
               f"{report.audit_links} audit rows chained")


@ledger_app.command("public-key")
def public_key() -> None:
    """Print the verifier key of the log (C2SP note format: name+hash+key)."""
    from rempart.evidence.checkpoint import load_log_signer

    typer.echo(load_log_signer(get_settings()).verifier_key())


@ledger_app.command("fingerprint")
def fingerprint() -> None:
    """Print the fingerprint of the log key (SHA256:...), as receipts show it."""
    from rempart.evidence.checkpoint import key_fingerprint, load_log_signer

    typer.echo(key_fingerprint(load_log_signer(get_settings()).verifier_key()))


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")

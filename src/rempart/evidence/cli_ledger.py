"""``rempart ledger``: signed checkpoints, full verification, the log's public key."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlalchemy.orm import Session, sessionmaker

from rempart.config import get_settings

ledger_app = typer.Typer(help="Custody ledger (Merkle log of evidence handling).",
                         no_args_is_help=True)


def session_factory() -> sessionmaker[Session]:
    from rempart.store import migrate
    from rempart.store.db import make_engine, make_session_factory

    settings = get_settings()
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url)
    return make_session_factory(make_engine(settings.resolved_database_url))


def open_ledger(session: Session):  # type: ignore[no-untyped-def]
    """The instance's ledger: its signing key and, if configured, its timestamp authority."""
    from rempart.evidence.checkpoint import load_log_signer
    from rempart.evidence.ledger import Ledger
    from rempart.evidence.timestamp import timestamper_from_settings

    settings = get_settings()
    return Ledger(session, load_log_signer(settings), timestamper_from_settings(settings))


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
    """Recompute the tree from the stored leaves; check every node and signed checkpoint."""
    from rempart.cli import fail
    from rempart.evidence.checkpoint import load_log_signer
    from rempart.evidence.ledger import audit

    trusted = {load_log_signer(get_settings()).verifier_key()}
    with session_factory()() as session:
        report = audit(session, trusted)
    for problem in report.problems:
        typer.echo(f"FAIL {problem}", err=True)
    if report.problems:
        fail(f"ledger does not verify ({len(report.problems)} problems)", code=1)
    typer.echo(f"ledger OK: {report.size} leaves, {report.checkpoints} checkpoints verified")


@ledger_app.command("public-key")
def public_key() -> None:
    """Print the verifier key of the log (C2SP note format: name+hash+key)."""
    from rempart.evidence.checkpoint import load_log_signer

    typer.echo(load_log_signer(get_settings()).verifier_key())


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")

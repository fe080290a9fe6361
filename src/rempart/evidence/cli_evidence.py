"""``rempart evidence add|export`` (the instance operator, by case code) and ``rempart verify``."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

import typer

evidence_app = typer.Typer(help="Evidence of a case (run by the instance operator).",
                           no_args_is_help=True)


def _services():  # type: ignore[no-untyped-def]
    from rempart.cli import open_services

    return open_services()


def _case_id(services, code: str) -> str:  # type: ignore[no-untyped-def]
    from rempart.cli import fail
    from rempart.security.passphrase import normalize_case_code

    normalized = normalize_case_code(code)
    with services.uow() as uow:
        case = uow.cases.get_by_code(normalized) if normalized else None
        if case is None:
            fail(f"no case with code {code}")
        return str(case.id)


@evidence_app.command("add")
def add(code: str, files: list[Path] = typer.Argument(..., help="Files to add.")) -> None:
    """Add files to a case; prints each receipt (with its ledger entry) and the checkpoint."""
    from rempart.cli import fail
    from rempart.evidence import custody_log
    from rempart.services import cases
    from rempart.services.errors import ServiceError
    from rempart.services.uploads import Upload

    services = _services()
    case_id = _case_id(services, code)
    with ExitStack() as stack:
        try:
            uploads = [Upload(path.name, None, stack.enter_context(path.open("rb")))
                       for path in files]
        except OSError as problem:
            fail(f"cannot read {problem.filename}: {problem.strerror}")
        try:
            receipts = cases.add_evidence(services.uow(), services.store, case_id, uploads,
                                          services.limits)
        except ServiceError as problem:
            fail(str(problem))
    with services.session_factory.begin() as session:
        checkpoint = custody_log.sign_pending(session, services.settings)
        note = checkpoint.note if checkpoint else None
    typer.echo(json.dumps({"receipts": [
        {"item_id": r.item_id, "file_name": r.file_name, "media_type": r.media_type,
         "size": r.size, "sha256": r.sha256, "received_at": r.received_at.isoformat(),
         "leaf_index": r.leaf_index} for r in receipts], "checkpoint": note},
        indent=2, ensure_ascii=False))


@evidence_app.command("export")
def export(code: str, output: Path = typer.Option(..., "-o", "--output",
                                                  help="Bundle zip to write.")) -> None:
    """Export a case as a verifiable evidence bundle (zip)."""
    from rempart.domain.custody import ActorRole
    from rempart.evidence.export import export_case_bundle

    services = _services()
    case_id = _case_id(services, code)
    folder = output.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, services.session_factory.begin() as session:
            head = export_case_bundle(session, services.settings, services.store, case_id,
                                      out, ActorRole.OPERATOR)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, output)  # complete bundle or none, and only once the export is logged
    finally:
        Path(tmp).unlink(missing_ok=True)
    typer.echo(f"wrote {output} (log size {head.size})")


def verify(
    bundle_path: Path = typer.Argument(..., help="The evidence bundle (zip) to check."),
    key: str | None = typer.Option(None, help="The log key you trust (name+hash+key); "
                                   "default: report the bundle's key for you to compare."),
) -> None:
    """Check an evidence bundle offline: hashes, signatures, proofs, timestamps."""
    from rempart.cli import fail
    from rempart.evidence.bundle import BundleError, MalformedBundle, verify_bundle

    if not bundle_path.is_file():
        fail(f"no such file: {bundle_path}")
    try:
        report = verify_bundle(bundle_path, trusted_key=key)
    except MalformedBundle as exc:
        fail(str(exc))
    except BundleError as exc:
        fail(f"FAILED: {exc}", code=1)
    typer.echo(f"OK: case {report.case}, {report.items} items, {report.events} custody events "
               f"proven in a log of {report.tree_size} entries, {report.timestamps} timestamps")
    typer.echo(f"log key: {report.log_key}" + ("" if key else
               " (compare it with the key the instance publishes)"))


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
    app.command("verify")(verify)

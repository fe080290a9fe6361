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
    from rempart.services import reporting
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
            added = reporting.add_evidence(services, case_id, uploads)
        except ServiceError as problem:
            fail(str(problem))
    typer.echo(json.dumps({"receipts": [r.as_dict() for r in added.receipts],
                           "checkpoint": added.checkpoint}, indent=2, ensure_ascii=False))


@evidence_app.command("export")
def export(code: str, output: Path = typer.Option(..., "-o", "--output",
                                                  help="Bundle zip to write.")) -> None:
    """Export a case as a verifiable evidence bundle (zip)."""
    from rempart.domain.custody import ActorRole
    from rempart.services import custody

    services = _services()
    case_id = _case_id(services, code)
    folder = output.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            size = custody.export_bundle(services.uow(), services.settings, services.store,
                                         case_id, out, ActorRole.OPERATOR)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, output)  # complete bundle or none, and only once the export is logged
    finally:
        Path(tmp).unlink(missing_ok=True)
    typer.echo(f"wrote {output} (log size {size})")


def verify(
    bundle_path: Path = typer.Argument(..., help="The evidence bundle (zip) to check."),
    key: str | None = typer.Option(None, help="The log key you trust (name+hash+key), e.g. "
                                   "the one the instance publishes (rempart ledger public-key)."),
    receipt: Path | None = typer.Option(None, help="Your upload receipt: the downloaded proof "
                                        "(JSON), or a file holding the log key or its "
                                        "SHA256: fingerprint shown on the receipt."),
    tsa_ca: Path | None = typer.Option(None, "--tsa-ca", help="Root certificate(s) (PEM) of a "
                                       "time-stamping authority you trust."),
) -> None:
    """Check an evidence bundle offline: hashes, signatures, proofs, timestamps, and who signed.

    Exit 0: verified, and the signer is the key you trust, your receipt's, or timestamped by an
    authority you trust; 1: a check failed; 2: not a bundle, bad option; 3: consistent, but the
    signer is not verified (anyone can re-sign a rebuilt bundle with a key of their own).
    """
    from rempart.cli import fail
    from rempart.evidence.bundle import BundleError, MalformedBundle, parse_receipt, verify_bundle

    if not bundle_path.is_file():
        fail(f"no such file: {bundle_path}")
    for given in (receipt, tsa_ca):
        if given is not None and not given.is_file():
            fail(f"no such file: {given}")
    try:
        pinned = parse_receipt(receipt.read_text(encoding="utf-8", errors="replace")) \
            if receipt else None
        anchors = tsa_ca.read_bytes() if tsa_ca else None
        report = verify_bundle(bundle_path, trusted_key=key, receipt=pinned, tsa_anchors=anchors)
    except OSError as exc:
        fail(f"cannot read {exc.filename}: {exc.strerror}")
    except MalformedBundle as exc:
        fail(str(exc))
    except BundleError as exc:
        fail(f"FAILED: {exc}", code=1)
    typer.echo(f"OK: case {report.case}, {report.items} items, {report.events} custody events "
               f"proven in a log of {report.tree_size} entries, {report.timestamps} timestamps")
    typer.echo(f"log key: {report.log_key} ({report.fingerprint})")
    if report.signer is None:
        fail("SIGNER NOT VERIFIED: the bundle is consistent under its own log key, but nothing "
             "ties that key to the instance: give --key, --receipt or --tsa-ca", code=3)
    typer.echo(f"signer verified: {report.signer.detail}")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
    app.command("verify")(verify)

"""``rempart verify bundle.zip``: check an evidence bundle offline (exit 0, 1 or 2)."""

from __future__ import annotations

from pathlib import Path

import typer


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
    app.command("verify")(verify)

"""``rempart keys``: master key status and rotation (data keys re-wrapped, blobs untouched)."""

from __future__ import annotations

import json

import typer

from rempart.cli import session_factory
from rempart.config import get_settings

keys_app = typer.Typer(help="Master keys of the encrypted evidence vault.", no_args_is_help=True)


@keys_app.command("status")
def status() -> None:
    """Print the active master key id and how many data keys each master key wraps (JSON)."""
    from rempart.cli import fail
    from rempart.evidence.keys import KeyManagerError, key_manager_from_settings
    from rempart.evidence.vault import key_usage

    try:
        keys = key_manager_from_settings(get_settings())
        active, known = keys.active_key_id(), keys.key_ids()  # a KMS may refuse these too
    except KeyManagerError as exc:
        fail(str(exc))
    usage = key_usage(session_factory())
    typer.echo(json.dumps({"active_key_id": active,
                           "master_keys": {k: usage.get(k, 0) for k in known},
                           "missing_keys": sorted(set(usage) - set(known))}, indent=2))


@keys_app.command("rotate")
def rotate() -> None:
    """Generate a new master key, re-wrap every data key under it, destroy the old keys."""
    from rempart.cli import fail
    from rempart.evidence.interface import EvidenceIntegrityError
    from rempart.evidence.keys import KeyManagerError, key_manager_from_settings
    from rempart.evidence.vault import rotate_master_key

    try:
        keys = key_manager_from_settings(get_settings())
        report = rotate_master_key(keys, session_factory())
    except (KeyManagerError, EvidenceIntegrityError) as exc:
        fail(str(exc))
    typer.echo(json.dumps({"active_key_id": report.new_key_id, "rewrapped": report.rewrapped,
                           "destroyed_key_ids": report.destroyed_key_ids}, indent=2))


@keys_app.command("seal-text")
def seal_text() -> None:
    """Encrypt the text of cases and messages written before text was sealed at rest, and
    index them for search (run once after upgrading; safe to run again)."""
    from rempart.cli import open_services
    from rempart.evidence.sealed import seal_existing

    services = open_services()
    try:
        count = seal_existing(services.session_factory)
    finally:
        services.dispose()
    typer.echo(f"sealed the text of {count} rows")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")

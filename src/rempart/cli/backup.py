"""``rempart backup DIR [--secrets DIR2]`` and ``rempart restore DIR --data-dir NEW``."""

from __future__ import annotations

from pathlib import Path

import typer


def backup(
    folder: Path = typer.Argument(..., help="New or empty folder for the backup."),
    secrets: Path | None = typer.Option(None, help="Also copy the secrets (log key, master "
                                        "keys...) to this separate folder; keep it apart."),
) -> None:
    """Consistent online backup: database, the vault's ciphertext, and the secrets only when
    asked, to a separate destination."""
    from rempart.cli import fail
    from rempart.config import get_settings
    from rempart.services.backup import BackupError
    from rempart.services.backup import backup as run_backup

    settings = get_settings()
    try:
        report = run_backup(settings, folder, secrets)
    except (BackupError, OSError) as exc:
        fail(str(exc) if isinstance(exc, BackupError) else f"{exc.filename}: {exc.strerror}")
    typer.echo(f"backup written to {report.folder}: {report.engine} database, {report.blobs} "
               f"evidence blobs, ledger of {report.ledger_size} entries")
    if report.secrets is None:
        typer.echo("secrets not copied (--secrets DIR2): a restore needs them", err=True)


def restore(
    folder: Path = typer.Argument(..., help="A folder written by rempart backup."),
    data_dir: Path = typer.Option(..., help="New (or empty) data folder to restore into."),
    secrets: Path | None = typer.Option(None, help="The secrets folder of that backup."),
    database_url: str | None = typer.Option(None, help="Empty PostgreSQL database for a "
                                            "PostgreSQL backup (default: SQLite in the data "
                                            "folder)."),
) -> None:
    """Restore a backup into a new data folder, start a new log epoch, and verify the ledger
    and every case's bundle."""
    from rempart import bootstrap
    from rempart.cli import fail
    from rempart.services.backup import BackupError, verify_restore
    from rempart.services.backup import restore as run_restore

    try:
        settings, report = run_restore(folder, data_dir, secrets, database_url)
    except (BackupError, OSError) as exc:
        fail(str(exc) if isinstance(exc, BackupError) else f"{exc.filename}: {exc.strerror}")
    services = bootstrap.build(settings)
    try:
        check = verify_restore(settings, services.session_factory, services.uow, services.store)
    finally:
        services.dispose()
    for problem in check.problems:
        typer.echo(f"FAIL {problem}", err=True)
    if check.problems:
        fail(f"restored into {report.data_dir}, but it does not verify "
             f"({len(check.problems)} problems)", code=1)
    typer.echo(f"restored into {report.data_dir}: {report.blobs} evidence blobs, ledger of "
               f"{report.ledger_size} entries (new epoch), {check.cases} case bundles with "
               f"{check.items} items verified")
    typer.echo(f"start it with REMPART_DATA_DIR={report.data_dir}"
               + (" REMPART_DATABASE_URL=<the URL given>" if database_url else ""))


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)

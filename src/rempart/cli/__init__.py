"""The ``rempart`` command line: every command module lives in this package.

Each capability defines its commands in its own module of ``rempart.cli`` and lists it in
``rempart.cli.commands``, so this file only wires things together. Library packages (evidence,
detect, documents, media) never import from here. Bad input exits with code 2 and one line on
stderr (see ``fail``).
"""

from __future__ import annotations

import sys
from typing import NoReturn

import structlog
import typer

from rempart.config import get_settings

app = typer.Typer(help="Rempart: report cyberharassment, preserve evidence, get help, act.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
i18n_app = typer.Typer(help="Translations (Babel catalogs).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(i18n_app, name="i18n")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit: 2 for bad input, 1 for a failed check."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)  # looked up at each use: stderr may be replaced


def open_services():  # type: ignore[no-untyped-def]
    """The wired services for a command: data folder, migrations applied, logs on stderr (the
    commands print their results, often JSON, on stdout)."""
    from rempart import bootstrap
    from rempart.store import migrate

    if not structlog.is_configured():
        structlog.configure(logger_factory=_stderr_logger)
    settings = get_settings()
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url)
    return bootstrap.build(settings)


def session_factory():  # type: ignore[no-untyped-def]
    """A session factory on the configured database, migrations applied (for the commands that
    work on tables directly rather than through ``open_services``)."""
    from rempart.store import migrate
    from rempart.store.db import make_engine, make_session_factory

    settings = get_settings()
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url)
    return make_session_factory(make_engine(settings.resolved_database_url))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from rempart.store import migrate

    settings = get_settings()
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url, revision)
    typer.echo("database is up to date")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(...)) -> None:
    """Revert migrations down to REVISION ("base" empties the schema)."""
    from rempart.store import migrate

    migrate.downgrade(get_settings().resolved_database_url, revision)


@i18n_app.command("compile")
def i18n_compile() -> None:
    """Compile the .po catalogs of the web interface into .mo files."""
    from rempart.web.i18n import compile_catalogs

    for path in compile_catalogs():
        typer.echo(f"compiled {path}")


@app.command()
def serve(host: str | None = None, port: int | None = None) -> None:
    """Create the data folder, apply migrations and serve the web app. On the embedded SQLite
    job queue (the default) the background jobs run in this process too: classification,
    checkpoints, notifications, overdue takedowns (REMPART_JOBS_INLINE=false turns it off;
    with Redis, run ``rempart worker`` beside it)."""
    import uvicorn

    from rempart.jobs.queue import start_embedded_consumer
    from rempart.store import migrate

    settings = get_settings()
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url)
    consumer = start_embedded_consumer(settings)
    try:
        uvicorn.run("rempart.web.app:create_app", factory=True,
                    host=host or settings.host, port=port or settings.port,
                    proxy_headers=False, access_log=False)  # access logs would hold IPs
    finally:
        if consumer is not None:
            consumer.stop()


def _register_capabilities() -> None:
    """Sub-commands of each capability (kept in their own modules)."""
    from rempart.cli import commands

    commands.register(app)


MAX_REASON_CHARS = 300


def last_resort_line(exc: BaseException) -> str:
    """One line for an unexpected exception: its type and first line, never a traceback; a
    database error keeps its type only (its statement and values may hold secrets)."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        reason = f"database error{f' ({type(orig).__name__})' if orig is not None else ''}"
    else:
        reason = " ".join(str(exc).split()) or "no reason given"
    return f"error: {type(exc).__name__}: {reason[:MAX_REASON_CHARS]}"


def main() -> None:
    """The ``rempart`` entry point. Every failure ends as one line on stderr and exit code 2
    (issue 12.13): commands call ``fail`` for what they expect; anything else is caught here."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as unexpected:  # noqa: BLE001 - the last resort: no traceback, exit 2
        typer.echo(last_resort_line(unexpected), err=True)
        sys.exit(2)


_register_capabilities()

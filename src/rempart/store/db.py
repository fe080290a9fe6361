"""Engine, metadata and session factory shared by every table module.

No database error may put a report's contents or a secret in a log (issue 12.1): engines hide
statement parameters (``hide_parameters=True``), and ``scrub_database_errors`` (a structlog
processor) and ``DatabaseErrorFilter`` (a logging filter) replace a database exception by its
type and the driver's error class only, without statement, parameters or the server's detail
(a unique-key message holds the duplicated value).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

# Explicit constraint names so that Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Column types shared by the table modules.
ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
TS = DateTime(timezone=True)
UUID = String(36)


def make_engine(url: str) -> Engine:
    install_log_scrubbing()  # every process that talks to the database scrubs its logs
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class DatabaseErrorInLog(Exception):
    """What a log keeps of a database error: its type and the driver's error class."""


def _database_error(exc: BaseException | None) -> BaseException | None:
    while exc is not None:
        if isinstance(exc, StatementError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _scrubbed(exc: BaseException) -> DatabaseErrorInLog:
    orig = getattr(exc, "orig", None)
    driver = f" ({type(orig).__module__}.{type(orig).__name__})" if orig is not None else ""
    return DatabaseErrorInLog(f"{type(exc).__name__}{driver}: statement and values withheld")


def scrub_database_errors(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]
                          ) -> MutableMapping[str, Any]:
    """structlog processor: a logged database exception keeps its type, never its statement,
    parameters or server detail."""
    exc_info = event_dict.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info if isinstance(exc_info, BaseException) else \
        exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) == 3 else None
    found = _database_error(exc)
    if found is not None:
        scrubbed = _scrubbed(found)
        event_dict["exc_info"] = (DatabaseErrorInLog, scrubbed, None)
    for key in ("params", "parameters", "statement"):
        event_dict.pop(key, None)
    return event_dict


class DatabaseErrorFilter(logging.Filter):
    """Logging filter (uvicorn's and the root handlers): the same scrubbing for tracebacks that
    reach the standard logging module."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            found = _database_error(record.exc_info[1])
            if found is not None:
                record.exc_info = (DatabaseErrorInLog, _scrubbed(found), None)
                record.exc_text = None
        for name in ("statement", "parameters", "params"):
            if hasattr(record, name):
                setattr(record, name, "[withheld]")
        return True


def install_log_scrubbing() -> None:
    """Put the filter on the root logger's and the web server's handlers and loggers, and the
    processor first in structlog's chain (idempotent)."""
    import structlog

    scrubber = DatabaseErrorFilter()
    for name in ("", "uvicorn", "uvicorn.error", "sqlalchemy", "sqlalchemy.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DatabaseErrorFilter) for f in logger.filters):
            logger.addFilter(scrubber)
        for handler in logger.handlers:
            if not any(isinstance(f, DatabaseErrorFilter) for f in handler.filters):
                handler.addFilter(scrubber)
    config = structlog.get_config()
    processors = list(config["processors"])
    if scrub_database_errors in processors:
        return
    # Just before the renderer: after set_exc_info has turned .exception() into exc_info.
    processors.insert(max(len(processors) - 1, 0), scrub_database_errors)
    if structlog.is_configured():
        structlog.configure(processors=processors)
    else:  # logs on stderr, as the command line wants them (its results go to stdout)
        structlog.configure(processors=processors, logger_factory=_stderr_logger)


def _stderr_logger(*_args: object) -> Any:
    import structlog

    return structlog.PrintLogger(sys.stderr)  # looked up at each use: stderr may be replaced


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)

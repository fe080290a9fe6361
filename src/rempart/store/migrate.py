"""Apply Alembic migrations programmatically (``rempart db upgrade`` and at ``rempart serve``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config

if TYPE_CHECKING:
    from rempart.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, settings: Settings | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in URL-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    # Migrations that convert data under an instance key read it from these settings (or from
    # get_settings() when none are given, as the CLI does).
    cfg.attributes["settings"] = settings
    return cfg


def upgrade(database_url: str, revision: str = "heads", settings: Settings | None = None
            ) -> None:
    command.upgrade(alembic_config(database_url, settings), revision)


def downgrade(database_url: str, revision: str = "base", settings: Settings | None = None
              ) -> None:
    command.downgrade(alembic_config(database_url, settings), revision)


def current_heads(database_url: str) -> set[str]:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()

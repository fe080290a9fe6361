"""The migrations build the schema the tables declare, and undo it, on both engines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from rempart.store import migrate, models  # noqa: F401
from rempart.store.db import Base

FOUNDATION = {"cases", "evidence_items", "messages", "staff_accounts", "staff_sessions",
              "case_tokens", "audit_events", "passphrase_attempts"}


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_it_upgrades_an_empty_database_to_heads_and_back_to_base(database_url):
    migrate.upgrade(database_url)
    assert _tables(database_url) >= FOUNDATION
    assert "0008_report_facts" in migrate.current_heads(database_url)  # foundation branch
    migrate.downgrade(database_url, "base")
    assert not FOUNDATION & _tables(database_url)
    migrate.upgrade(database_url)
    assert _tables(database_url) >= FOUNDATION


def test_the_foundation_migration_matches_the_tables(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    ours = [d for d in diff if any(t in repr(d) for t in FOUNDATION)]
    assert ours == []

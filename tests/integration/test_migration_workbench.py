"""Migration 0011_takedowns_referrals builds exactly the tables workbench_tables declares, and
comes off again, on both engines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from rempart.store import migrate, models  # noqa: F401
from rempart.store.db import Base

OURS = {"takedowns", "takedown_events", "referrals", "reporter_consents",
        "reporter_notifications"}


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_migration_matches_the_workbench_tables(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert _tables(migrated_url) >= OURS
    assert [d for d in diff if any(f"'{t}'" in repr(d) or f"Table('{t}'" in repr(d)
                                   for t in OURS)] == []


def test_the_migration_comes_off_and_back(migrated_url):
    migrate.downgrade(migrated_url, "base")
    assert not OURS & _tables(migrated_url)
    migrate.upgrade(migrated_url)
    assert _tables(migrated_url) >= OURS

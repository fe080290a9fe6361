"""Shared fixtures: a fresh database on SQLite and, when REMPART_TEST_POSTGRES is set, PostgreSQL.

Every storage test takes ``database_url`` (empty database) or ``migrated_url`` (schema at head) and
so runs once per engine. PostgreSQL databases are created from a migrated template, which is much
faster than running the migrations for every test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rempart.store import migrate
from rempart.store.db import make_engine, make_session_factory

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
POSTGRES_URL = os.environ.get("REMPART_TEST_POSTGRES", "")
ENGINES = ["sqlite", "postgres"]


def _admin_engine():
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _create_pg_database(template: str | None = None) -> str:
    name = f"rempart_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    url = _create_pg_database()
    migrate.upgrade(url)
    name = make_url(url).database
    assert name
    yield name
    _drop_pg_database(url)


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need REMPART_TEST_POSTGRES (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    url = _create_pg_database()
    yield url
    _drop_pg_database(url)


@pytest.fixture(params=ENGINES)
def migrated_url(request, tmp_path) -> Iterator[str]:
    """A database with every migration applied, on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate.upgrade(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need REMPART_TEST_POSTGRES (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    template = request.getfixturevalue("_pg_template")
    url = _create_pg_database(template)
    yield url
    _drop_pg_database(url)


@pytest.fixture
def sessions(migrated_url):
    """A session factory on the migrated database of each engine."""
    engine = make_engine(migrated_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def client(tmp_path, migrated_url):
    """The whole web app (TestClient, no redirects followed) on a fresh data folder, each engine.

    A test module that needs other settings defines its own ``client``, which wins.
    """
    from tests.integration.pages_support import make_client

    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client

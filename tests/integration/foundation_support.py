"""Helpers for the foundation's integration tests: services on a real database, snapshots."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from rempart import bootstrap
from rempart.config import Settings
from rempart.store.db import Base
from rempart.store.tables import AuditRecord

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 500

UNTRACKED_TABLES = {"audit_events", "audit_chain", "audit_chain_head", "passphrase_attempts",
                    "login_throttle"}


def build(tmp_path: Path, url: str, **settings) -> bootstrap.Wiring:
    return bootstrap.build(Settings(data_dir=tmp_path / "data", database_url=url, **settings))


def snapshot(services: bootstrap.Wiring) -> dict[str, object]:
    """Every row of every table (but the audit log and attempt counters, which record refusals
    on purpose) and every file of the data folder but the SQLite database itself."""
    from rempart.store import models  # noqa: F401 (every table on the metadata)

    state: dict[str, object] = {}
    existing = set(inspect(services.engine).get_table_names())
    with services.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in existing and table.name not in UNTRACKED_TABLES:
                state[table.name] = sorted(repr(tuple(row)) for row in conn.execute(
                    select(table)))
    root = services.settings.data_dir
    state["files"] = sorted(
        (str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in root.rglob("*") if p.is_file() and not p.name.startswith("test.db")
        and ".db" not in p.name)
    return state


def audit_count(services: bootstrap.Wiring) -> int:
    with services.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


@pytest.fixture
def fast_argon2(monkeypatch):
    """Cheaper argon2id parameters: the production ones take ~0.5 s per hash on the CI box, and
    the lockout tests hash dozens of times. The unit tests check the production parameters."""
    from argon2 import PasswordHasher

    from rempart.security import hashing

    monkeypatch.setattr(hashing, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                           parallelism=1))
    hashing._dummy_hash.cache_clear()
    yield
    hashing._dummy_hash.cache_clear()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The words of a PDF, one space apart (poppler's pdftotext, installed by the set-up)."""
    import subprocess

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())

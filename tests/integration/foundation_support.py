"""Helpers for the foundation's integration tests: services on a real database, snapshots."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rempart import bootstrap
from rempart.config import Settings
from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    CaseTokenRecord,
    EvidenceRecord,
    MessageRecord,
    StaffRecord,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 500

DATA_TABLES = (CaseRecord, EvidenceRecord, MessageRecord, CaseTokenRecord, StaffRecord)


def build(tmp_path: Path, url: str, **settings) -> bootstrap.Services:
    return bootstrap.build(Settings(data_dir=tmp_path / "data", database_url=url, **settings))


def snapshot(services: bootstrap.Services) -> dict[str, object]:
    """Row counts and contents of data tables (not the audit log) and every stored file."""
    state: dict[str, object] = {}
    with services.session_factory() as session:
        for table in DATA_TABLES:
            rows = session.scalars(select(table)).all()
            state[table.__tablename__] = sorted(
                repr(sorted((k, repr(v)) for k, v in vars(r).items() if not k.startswith("_")))
                for r in rows)
    root = services.settings.data_dir / "evidence"
    state["files"] = sorted(
        (str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return state


def audit_count(services: bootstrap.Services) -> int:
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

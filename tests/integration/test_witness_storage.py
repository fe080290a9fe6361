"""Migration 0014_witnesses builds exactly the witness tables declared in store/witness_tables.py
(both engines), they hold no plaintext content column, and the repository reaches them."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, delete, inspect

from rempart.store import migrate, models  # noqa: F401
from rempart.store.db import Base, make_engine, make_session_factory
from rempart.store.tables import CaseRecord
from rempart.store.uow import SqlAlchemyUnitOfWork
from rempart.store.witness_tables import (
    WitnessContributionRecord,
    WitnessInvitationRecord,
    witnesses,
)

WITNESS_TABLES = {"witness_invitations", "witness_contributions"}


def test_the_witness_migration_matches_the_tables(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= WITNESS_TABLES
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if any(t in repr(d) for t in WITNESS_TABLES)] == []
    assert "0014_witnesses" in migrate.current_heads(migrated_url)


def test_contributions_keep_no_plaintext_text_column():
    columns = set(Base.metadata.tables["witness_contributions"].columns.keys())
    assert {"sealed_statement", "sealed_name", "follow_index", "follow_hash"} <= columns
    assert not {"statement", "name", "follow_code"} & columns


T0 = datetime(2026, 1, 1, tzinfo=UTC)
CASE_ID = "00000000-0000-0000-0000-000000000001"
OTHER_ID = "00000000-0000-0000-0000-000000000002"


@pytest.fixture
def uow_factory(migrated_url):
    engine = make_engine(migrated_url)
    factory = make_session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(factory)
    engine.dispose()


def _case(case_id: str, code: str) -> CaseRecord:
    return CaseRecord(id=case_id, code=code, passphrase_hash="h", status="received",
                      kinds=["insults"], description="d", platforms=[], other_platform=None,
                      urls=[], incident_dates=None, author_handles=[], victim_is_minor=False,
                      reporter_role="victim", contact=None, labels=[], priority=0,
                      created_at=T0, updated_at=T0)


def _invitation(n: int, case_id: str = CASE_ID) -> WitnessInvitationRecord:
    return WitnessInvitationRecord(id=f"10000000-0000-0000-0000-{n:012d}", case_id=case_id,
                                   code_index=f"{n:064x}", secret_hash="h",
                                   expires_at=T0 + timedelta(days=7), revoked_at=None,
                                   created_at=T0 + timedelta(hours=n))


def _contribution(n: int, invitation_id: str, case_id: str = CASE_ID,
                  state: str = "pending") -> WitnessContributionRecord:
    return WitnessContributionRecord(id=f"20000000-0000-0000-0000-{n:012d}",
                                     invitation_id=invitation_id, case_id=case_id, state=state,
                                     sealed_statement=b"\x00sealed", sealed_name=None,
                                     follow_index=f"f{n:063x}", follow_hash="h",
                                     created_at=T0 + timedelta(hours=n), decided_at=None)


def test_the_repository_finds_rows_by_hash_and_only_within_their_case(uow_factory):
    with uow_factory() as uow:
        uow.cases.add(_case(CASE_ID, "RMP-0000-0001"))
        uow.cases.add(_case(OTHER_ID, "RMP-0000-0002"))
        repo = witnesses(uow)
        first, second, other = _invitation(1), _invitation(2), _invitation(3, OTHER_ID)
        for row in (first, second, other):
            repo.add(row)
        repo.add(_contribution(1, first.id))
        repo.add(_contribution(2, second.id, state="accepted"))
        repo.add(_contribution(3, other.id, case_id=OTHER_ID))
        uow.commit()
    with uow_factory() as uow:
        repo = witnesses(uow)
        assert [i.id for i in repo.invitations(CASE_ID)] == [second.id, first.id]  # newest first
        assert repo.invitation_by_code_index(f"{3:064x}").case_id == OTHER_ID
        assert repo.invitation_by_code_index("0" * 64) is None
        assert [c.state for c in repo.contributions(CASE_ID)] == ["pending", "accepted"]
        assert [c.id[-1] for c in repo.contributions(CASE_ID, "accepted")] == ["2"]
        assert repo.contribution(CASE_ID, "20000000-0000-0000-0000-000000000003") is None
        assert repo.contribution_by_follow_index(f"f{3:063x}").case_id == OTHER_ID


def test_deleting_a_case_deletes_its_invitations_and_contributions(uow_factory):
    with uow_factory() as uow:
        uow.cases.add(_case(CASE_ID, "RMP-0000-0001"))
        invitation = _invitation(1)
        witnesses(uow).add(invitation)
        witnesses(uow).add(_contribution(1, invitation.id))
        uow.commit()
    with uow_factory() as uow:
        uow.session.execute(delete(CaseRecord).where(CaseRecord.id == CASE_ID))
        uow.commit()
    with uow_factory() as uow:
        assert witnesses(uow).invitations(CASE_ID) == []
        assert witnesses(uow).contributions(CASE_ID) == []


def test_the_repository_needs_a_database_unit_of_work():
    with pytest.raises(RuntimeError):
        witnesses(object())

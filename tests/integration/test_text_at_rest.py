"""Case text encrypted at rest (issue 12.2), on both engines, through the real case services:
nothing of a description, contact, author handle, link or message is in the database in clear
(nor in the SQLite file, its WAL or free pages after a withdrawal), the services read it back,
withdrawal shreds the case's text key, search and related matching go through the blind index,
and the database file is 0600 in a 0700 folder."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from rempart.domain.cases import CaseKind
from rempart.evidence.sealed import PREFIX, SealedTextError, matching_case_ids
from rempart.services import cases
from rempart.store.tables import CaseRecord, MessageRecord
from rempart.store.vault_tables import BlindIndexRecord, CaseTextKeyRecord

SECRET_WORDS = "Zorglubien menace Gaëlle tous les soirs"
HANDLE, URL, CONTACT = "@Troll_Zorglub", "https://www.example.org/p/777/", "gaelle@example.net"
MESSAGE = "Il a recommencé hier soir Quetzalcoatl"


def _report(services, description=SECRET_WORDS, handle=HANDLE, url=URL):
    return cases.submit_report(
        services.uow(), services.store,
        cases.NewReport(description=description, kinds=[CaseKind.THREATS],
                        urls=[url], author_handles=[handle], contact=CONTACT),
        [], services.limits)


def _raw(services, sql: str) -> list[tuple]:
    with services.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_case_text_is_sealed_in_the_database_and_read_back_by_the_services(services):
    report = _report(services)
    cases.post_reporter_message(services.uow(), report.case_id, MESSAGE)
    stored = _raw(services, "SELECT description, contact, author_handles, urls FROM cases")
    flat = repr(stored)
    for clear in ("Zorglub", "Gaëlle", "Ga\\u00eblle", "example.org", "gaelle@", "Troll"):
        assert clear not in flat
    assert all(str(v).lstrip('"').startswith(PREFIX) for v in stored[0])
    assert "Quetzalcoatl" not in repr(_raw(services, "SELECT body FROM messages"))
    detail = cases.case_detail(services.uow(), report.case_id)
    assert detail.description == SECRET_WORDS and detail.contact == CONTACT
    assert list(detail.author_handles) == [HANDLE] and URL in detail.urls[0]
    assert any(m.body == MESSAGE for m in detail.messages)


def test_a_value_moved_to_another_case_does_not_open(services):
    first, second = _report(services), _report(services, "autre chose")
    with services.session_factory.begin() as session:
        sealed = session.execute(text("SELECT description FROM cases WHERE id = :i"),
                                 {"i": first.case_id}).scalar()
        session.execute(text("UPDATE cases SET description = :d WHERE id = :i"),
                        {"d": sealed, "i": second.case_id})
    with services.session_factory() as session, pytest.raises(SealedTextError):
        session.get(CaseRecord, second.case_id)


def test_withdrawal_shreds_the_text_key_and_the_index(services):
    report = _report(services)
    cases.post_reporter_message(services.uow(), report.case_id, MESSAGE)
    with services.session_factory() as session:
        assert session.get(CaseTextKeyRecord, report.case_id) is not None
    cases.withdraw_case(services.uow(), services.store, report.case_id)
    with services.session_factory() as session:
        assert session.get(CaseTextKeyRecord, report.case_id) is None
        assert not session.scalars(select(BlindIndexRecord)
                                   .where(BlindIndexRecord.case_id == report.case_id)).all()
        assert not session.scalars(select(MessageRecord)).all()


def test_after_a_withdrawal_on_sqlite_nothing_is_left_in_the_file_or_the_wal(services):
    url = services.settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite files only")
    from pathlib import Path

    database = Path(url.removeprefix("sqlite:///"))
    report = _report(services)
    with services.session_factory() as session:
        wrapped = bytes(session.get(CaseTextKeyRecord, report.case_id).wrapped_key)
        sealed = session.execute(text("SELECT description FROM cases")).scalar()
    cases.withdraw_case(services.uow(), services.store, report.case_id)
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and truncated
    data = database.read_bytes()
    assert wrapped not in data and sealed.encode()[:40] not in data
    assert b"Zorglub" not in data


def test_search_goes_through_the_blind_index(services):
    report = _report(services)
    other = _report(services, "rien à voir", "@quelquun", "https://example.org/q")
    with services.session_factory() as session:
        assert matching_case_ids(session, ["zorglubien"]) == {report.case_id}
        assert matching_case_ids(session, ["troll_zorglub"]) == {report.case_id}
        assert matching_case_ids(session, ["@TROLL_ZORGLUB"]) == {report.case_id}
        assert matching_case_ids(session, ["example.org/p/777"]) == {report.case_id}
        assert matching_case_ids(session, ["gaelle", "soirs"]) == {report.case_id}
        assert matching_case_ids(session, ["gaelle", "quelquun"]) == set()
        assert matching_case_ids(session, ["quelquun"]) == {other.case_id}
        hashes = session.scalars(select(BlindIndexRecord.hmac)).all()
    assert all(len(h) == 16 for h in hashes) and b"zorglub" not in b"".join(hashes)


def test_the_database_file_and_data_folder_are_private(services):
    url = services.settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite files only")
    from pathlib import Path

    from rempart.evidence.vault import restrict_database_file

    _report(services)
    restrict_database_file(services.settings)
    assert Path(url.removeprefix("sqlite:///")).stat().st_mode & 0o777 == 0o600
    assert services.settings.data_dir.stat().st_mode & 0o777 == 0o700


def test_rows_written_in_clear_before_the_upgrade_are_sealed_by_the_command(services,
                                                                            monkeypatch):
    from tests.cli_support import invoke_rempart

    report = _report(services)
    cases.post_reporter_message(services.uow(), report.case_id, MESSAGE)
    with services.engine.begin() as conn:  # as an instance of before issue 12.2 stored them
        conn.execute(text("UPDATE cases SET description = :d, contact = :c"),
                     {"d": SECRET_WORDS, "c": CONTACT})
        conn.execute(text("UPDATE messages SET body = :b"), {"b": MESSAGE})
        conn.execute(text("DELETE FROM blind_index"))
    assert cases.case_detail(services.uow(), report.case_id).description == SECRET_WORDS
    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    result = invoke_rempart("keys", "seal-text")
    assert result.exit_code == 0 and "sealed the text of 2 rows" in result.output
    assert "Zorglub" not in repr(_raw(services, "SELECT description FROM cases"))
    assert "Quetzalcoatl" not in repr(_raw(services, "SELECT body FROM messages"))
    detail = cases.case_detail(services.uow(), report.case_id)
    assert detail.description == SECRET_WORDS and detail.contact == CONTACT
    with services.session_factory() as session:
        assert matching_case_ids(session, ["zorglubien"]) == {report.case_id}
    assert "sealed the text of 0 rows" in invoke_rempart("keys", "seal-text").output

"""The jobs of the follow-through on both engines: a staff reply owes the reporter one
notification; the overdue job flags a takedown once its platform's service level ran out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rempart.domain import takedowns as rules
from rempart.domain.staff import StaffRole
from rempart.jobs import overdue
from rempart.services import staff as staff_services
from rempart.services import takedowns
from rempart.store.workbench_tables import NotificationRecord, TakedownRecord
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.workbench_support import file_case, workbench_services


@pytest.fixture
def app(tmp_path, migrated_url, monkeypatch, fast_argon2):  # noqa: F811
    from rempart.config import get_settings

    # A reply hands its notification to the instance's queue (get_settings()): keep it here.
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    services = workbench_services(tmp_path, migrated_url)
    yield services
    services.dispose()
    get_settings.cache_clear()


def _notifications(services) -> list[NotificationRecord]:
    with services.session_factory() as session:
        return list(session.scalars(select(NotificationRecord)))


def test_a_reply_owes_the_reporter_one_notification_and_a_note_none(app):
    case = file_case(app, contact="victime@example.org")
    member, _ = staff_services.add_staff(app.uow(), app.totp_box, "c@asso.example",
                                         "correct horse battery", StaffRole.COUNSELOR)
    staff_services.add_note(app.uow(), member, case.case_id, "note interne")
    assert _notifications(app) == []
    staff_services.reply(app.uow(), member, case.case_id, "Bonjour, nous avons lu.")
    [row] = _notifications(app)
    assert row.reason == "reply" and row.case_id == case.case_id
    silent = file_case(app, contact=None)
    staff_services.reply(app.uow(), member, silent.case_id, "Bonjour.")
    assert len(_notifications(app)) == 1


def test_the_overdue_job_flags_a_request_past_its_service_level(app):
    case = file_case(app)
    drafted = takedowns.draft_takedown(app, case.case_id, "https://www.tiktok.com/@x/video/1",
                                       "TikTok")
    takedowns.set_status(app, drafted.id, takedowns.Change(rules.TakedownStatus.SENT,
                                                           reference="T-1"))
    assert overdue.flag_now(app.settings) == 0
    with app.session_factory() as session, session.begin():
        row = session.get(TakedownRecord, drafted.id)
        row.due_at = datetime.now(UTC) - timedelta(minutes=1)
    assert overdue.flag_now(app.settings) == 1
    assert overdue.flag_now(app.settings) == 0
    assert takedowns.takedown(app, drafted.id).overdue

"""Messages of a case are classified in the background and raise its triage priority."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from rempart.domain.cases import CaseKind
from rempart.domain.staff import StaffRole
from rempart.services import classification, staff
from rempart.services.cases import NewReport, post_reporter_message, submit_report
from rempart.store.tables import CaseRecord
from rempart.web.app import create_app
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401

THREAT = "je vais te retrouver à la sortie du collège et tu vas le regretter"


def _report(services, text: str) -> str:
    report = NewReport(description=text, kinds=[CaseKind.OTHER])
    return submit_report(services.uow(), services.store, report, [], services.limits).case_id


@pytest.fixture
def services(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    app = build(tmp_path, migrated_url)
    yield app
    app.dispose()


def test_a_threat_in_the_report_raises_the_priority(services):
    calm = _report(services, "On se moque de moi en classe, c'est pénible.")
    threat = _report(services, THREAT)
    labels = classification.classify_case_now(services, threat)
    assert "threat" in labels
    with services.session_factory() as session:
        assert session.get(CaseRecord, threat).priority > session.get(CaseRecord, calm).priority
        assert "threat" in session.get(CaseRecord, threat).labels
    member, _ = staff.add_staff(services.uow(), services.totp_box, "c@asso.example",
                                "mot de passe long 123", StaffRole.COUNSELOR)
    assert staff.queue(services.uow(), member).rows[0].case_id == threat


def test_the_reporters_later_messages_are_classified_too(services):
    case_id = _report(services, "Bonjour, je voudrais de l'aide.")
    assert "threat" not in classification.classify_case_now(services, case_id)
    post_reporter_message(services.uow(), case_id, f"Il m'a encore écrit : « {THREAT} »")
    refs = {ref for ref, _ in classification.case_messages(
        services.session_factory(), case_id)}
    assert "report" in refs and any(r.startswith("message:") for r in refs)


def test_a_report_through_the_api_is_classified_inline_when_jobs_are_immediate(
        tmp_path, migrated_url, fast_argon2, monkeypatch):  # noqa: F811
    from rempart.config import Settings, get_settings

    # The job builds the wiring from the environment, as a worker does: the same instance (its
    # master keys open the report's sealed text).
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    app = create_app(Settings(data_dir=tmp_path / "d", database_url=migrated_url,
                              jobs_immediate=True))
    with TestClient(app) as client:
        r = client.post("/api/v1/reports", data={"description": THREAT, "kinds": "other"},
                        files=[("files", ("a.txt", io.BytesIO(b"capture"), "text/plain"))])
        assert r.status_code == 201, r.text
    from rempart import bootstrap

    services = bootstrap.build(Settings(data_dir=tmp_path / "d", database_url=migrated_url))
    with services.session_factory() as session:
        (case,) = session.query(CaseRecord).all()
        assert "threat" in case.labels
    services.dispose()
    get_settings.cache_clear()


def test_a_broken_queue_never_fails_the_report(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    services = build(tmp_path, migrated_url, jobs_backend="nowhere")
    case_id = _report(services, THREAT)
    classification.request_classification(services, case_id)  # logged, not raised
    services.dispose()

"""Reporter sessions are server-side and revocable (issue 12.4): closing the case on one device,
withdrawing it or drawing a new passphrase ends every session of the case (web cookies and API
tokens); the lifetime is fixed when the session starts, not by the server that reads it. Both
engines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from rempart.domain.cases import CaseKind
from rempart.services import cases
from rempart.services.errors import CaseAccessDenied
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401 (fixture)
from tests.integration.pages_support import csrf, file_report, make_client

pytestmark = pytest.mark.usefixtures("fast_argon2")
OPEN_FORM = "Ouvrir mon dossier"


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _open(client: TestClient, code: str, secret: str) -> None:
    answer = client.post("/dossier", data={"csrf_token": csrf(client, "/dossier"),
                                           "code": code, "passphrase": secret})
    assert answer.status_code == 303, answer.text


def _api_token(client: TestClient, code: str, secret: str) -> str:
    answer = client.post("/api/v1/cases/open", json={"code": code, "passphrase": secret})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _copy(client: TestClient, tmp_path, url: str) -> TestClient:
    """Another device holding a copy of this browser's case cookie."""
    other = make_client(tmp_path, url)
    other.cookies.set("rempart_case", client.cookies["rempart_case"])
    return other


def test_closing_the_case_ends_every_session_of_it(client, tmp_path, migrated_url):
    code, secret, _ = file_report(client)
    _open(client, code, secret)
    copied = _copy(client, tmp_path, migrated_url)
    assert code in copied.get("/dossier").text  # a copied cookie works while the session lives
    token = _api_token(client, code, secret)
    assert client.get("/api/v1/cases/me", headers={"authorization": f"Bearer {token}"}
                      ).status_code == 200
    closed = client.post("/dossier/fermer", data={"csrf_token": csrf(client, "/dossier")})
    assert closed.status_code == 303
    assert OPEN_FORM in copied.get("/dossier").text
    assert code not in copied.get("/dossier").text
    assert client.get("/api/v1/cases/me", headers={"authorization": f"Bearer {token}"}
                      ).status_code == 401
    _open(client, code, secret)  # the code and passphrase still open it
    assert code in client.get("/dossier").text


def test_withdrawing_ends_the_sessions_of_other_devices(client, tmp_path, migrated_url):
    code, secret, _ = file_report(client)
    copied = _copy(client, tmp_path, migrated_url)
    token = _api_token(client, code, secret)
    done = client.post("/dossier/retirer", data={"csrf_token": csrf(client, "/dossier"),
                                                 "confirm": "yes"})
    assert done.status_code == 200
    assert OPEN_FORM in copied.get("/dossier").text
    assert client.get("/api/v1/cases/me/messages", headers={
        "authorization": f"Bearer {token}"}).status_code == 401


def test_the_lifetime_is_fixed_when_the_session_starts(tmp_path, migrated_url, monkeypatch):
    with make_client(tmp_path, migrated_url, case_token_seconds=60) as short:
        code, secret, _ = file_report(short)
        _open(short, code, secret)
        cookie = short.cookies["rempart_case"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie)  # random: no case id inside
    later = datetime.now(UTC) + timedelta(minutes=2)
    monkeypatch.setattr(cases, "_now", lambda: later)
    with make_client(tmp_path, migrated_url, case_token_seconds=24 * 3600) as long_lived:
        long_lived.cookies.set("rempart_case", cookie)
        assert OPEN_FORM in long_lived.get("/dossier").text


def test_a_new_passphrase_ends_the_sessions_opened_with_the_old_one(tmp_path, migrated_url):
    app = build(tmp_path, migrated_url)
    try:
        report = cases.NewReport(description="Des insultes chaque soir",
                                 kinds=[CaseKind.INSULTS])
        submitted = cases.submit_report(app.uow(), app.store, report, [], app.limits)
        web = cases.issue_case_token(app.uow(), submitted.case_id, 600)
        api = cases.issue_case_token(app.uow(), submitted.case_id, 600)
        fresh = cases.new_passphrase(app.uow(), submitted.case_id)
        for token in (web, api):
            with pytest.raises(CaseAccessDenied):
                cases.case_for_token(app.uow(), token)
        with pytest.raises(CaseAccessDenied):
            cases.open_case(app.uow(), submitted.code, submitted.passphrase)
        assert cases.open_case(app.uow(), submitted.code, fresh) == submitted.case_id
    finally:
        app.dispose()

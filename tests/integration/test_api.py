"""The JSON API under /api/v1 on a real database (both engines) and evidence folder."""

import pytest
from fastapi.testclient import TestClient

from rempart.config import Settings
from rempart.web.app import create_app
from tests.integration.foundation_support import (  # noqa: F401 (fixture)
    ELF,
    PNG,
    build,
    fast_argon2,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("fast_argon2")
LIMITS = dict(max_file_bytes=4096, max_report_bytes=6000, passphrase_attempts=5)


@pytest.fixture
def client(tmp_path, migrated_url):
    settings = Settings(data_dir=tmp_path / "data", database_url=migrated_url, **LIMITS)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
        services = getattr(test_client.app.state, "rempart", None)
        if services is not None:
            services.dispose()


@pytest.fixture
def state(tmp_path, migrated_url):
    """Snapshots of the rows and files, through a separate connection."""
    services = build(tmp_path, migrated_url, **LIMITS)
    yield lambda: snapshot(services)
    services.dispose()


FIELDS = {"description": "Des menaces en message privé", "kinds": ["threats", "insults"],
          "reporter_role": "witness", "victim_is_minor": "true", "platforms": ["snapchat"]}


def file_report(client, files=(("files", ("capture.png", PNG, "image/png")),), data=None):
    return client.post("/api/v1/reports", data=data or FIELDS, files=list(files))


def open_case(client, code, passphrase):
    return client.post("/api/v1/cases/open", json={"code": code, "passphrase": passphrase})


def bearer(client, created):
    token = open_case(client, created["code"], created["passphrase"]).json()["token"]
    return {"authorization": f"Bearer {token}"}


def test_a_reporter_files_opens_adds_evidence_writes_and_withdraws(client, state):
    response = file_report(client)
    assert response.status_code == 201
    created = response.json()
    assert created["code"].startswith("RMP-") and len(created["passphrase"].split()) == 7
    assert created["evidence"][0]["media_type"] == "image/png"

    opened = open_case(client, created["code"].lower(), created["passphrase"].upper())
    assert opened.status_code == 200 and opened.json()["expires_in"] > 0
    headers = {"authorization": f"Bearer {opened.json()['token']}"}

    added = client.post("/api/v1/cases/me/evidence", headers=headers,
                        files=[("files", ("notes.txt", "Il a écrit « je sais où tu vis »".encode(),
                                          "text/plain"))])
    assert added.status_code == 201 and added.json()[0]["media_type"] == "text/plain"
    posted = client.post("/api/v1/cases/me/messages", headers=headers, json={"body": "Merci"})
    assert posted.status_code == 201 and posted.json()[0]["author"] == "reporter"

    case = client.get("/api/v1/cases/me", headers=headers).json()
    assert case["status"] == "received" and case["victim_is_minor"] is True
    assert [e["file_name"] for e in case["evidence"]] == ["capture.png", "notes.txt"]
    item = case["evidence"][0]["item_id"]
    download = client.get(f"/api/v1/cases/me/evidence/{item}", headers=headers)
    assert download.content == PNG and download.headers["content-type"] == "image/png"
    assert client.get("/api/v1/cases/me/messages", headers=headers).json()[0]["body"] == "Merci"

    assert client.delete("/api/v1/cases/me", headers=headers).status_code == 204
    gone = client.get("/api/v1/cases/me", headers=headers)
    assert gone.status_code == 401 and "error" in gone.json()
    after = state()
    assert after["cases"] == [] and after["evidence_items"] == []
    assert not [name for name, _ in after["files"] if name.startswith(("evidence", "vault"))]


def test_the_api_is_described_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/reports", "/api/v1/cases/open", "/api/v1/cases/me",
                 "/api/v1/cases/me/evidence", "/api/v1/cases/me/messages"):
        assert path in paths
    assert "multipart/form-data" in paths["/api/v1/reports"]["post"]["requestBody"]["content"]


def test_an_oversized_file_is_refused_and_nothing_changes(client, state):
    file_report(client)
    before = state()
    response = file_report(client, files=[("files", ("big.png", PNG * 8, "image/png"))])
    assert response.status_code == 413
    assert "file too large" in response.json()["error"]
    assert state() == before


def test_a_png_that_is_an_executable_is_refused_and_nothing_changes(client, state):
    created = file_report(client).json()
    headers = bearer(client, created)
    before = state()
    for send in (lambda f: file_report(client, files=f),
                 lambda f: client.post("/api/v1/cases/me/evidence", headers=headers, files=f)):
        response = send([("files", ("photo.png", PNG, "image/png")),
                         ("files", ("photo2.png", ELF, "image/png"))])
        assert response.status_code == 400
        assert response.json() == {
            "error": "photo2.png: type not allowed: detected executable (ELF)"}
    assert state() == before


def test_an_empty_form_is_refused_and_nothing_changes(client, state):
    before = state()
    response = client.post("/api/v1/reports", data={"description": ""},
                           files=[("files", ("", b"", "application/octet-stream"))])
    assert response.status_code == 400
    assert "description" in response.json()["error"] or "kinds" in response.json()["error"]
    empty = client.post("/api/v1/reports", data={"description": "   ", "kinds": ["other"]},
                        files=[("files", ("vide.png", b"", "image/png"))])
    assert empty.status_code == 400
    assert empty.json() == {"error": "describe what happened"}
    assert state() == before


@pytest.mark.parametrize("body, content_type", [
    (b"--xx\r\nbroken", "multipart/form-data; boundary=xx"),
    (b"garbage", "multipart/form-data"),
    (b'--xx\r\nContent-Disposition: form-data; name="description"\r\n\r\nabc\r\n--xx\r\n'
     b'Content-Disposition: form-data; name="kinds"\r\n\r\nthreats\r\n--xx\r\n'
     b'Content-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nhello',
     "multipart/form-data; boundary=xx"),
])
def test_a_malformed_multipart_body_is_refused_and_nothing_changes(client, state, body,
                                                                    content_type):
    file_report(client)
    before = state()
    response = client.post("/api/v1/reports", content=body,
                           headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error"]
    assert state() == before


def test_ten_wrong_passphrases_lock_the_code_without_revealing_it(client, state):
    created = file_report(client).json()
    before = state()
    answers = [open_case(client, created["code"], "pas la bonne phrase") for _ in range(10)]
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 5
    locked = open_case(client, created["code"], created["passphrase"])
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1  # when the next attempt will be checked
    unknown = [open_case(client, "RMP-ZZZZ-ZZZZ", "pas la bonne phrase") for _ in range(6)]
    assert [(a.status_code, a.json()) for a in unknown] == \
        [(a.status_code, a.json()) for a in answers[:6]]
    assert state() == before


def test_requests_without_a_valid_token_are_refused(client):
    assert client.get("/api/v1/cases/me").status_code == 401
    bad = client.get("/api/v1/cases/me", headers={"authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json() == {
        "error": "this code and passphrase do not open a case"}
    assert client.post("/api/v1/cases/open", json={"code": "x"}).status_code == 400


def _signed_size(tmp_path, migrated_url) -> int:
    from sqlalchemy import func, select

    from rempart.store.ledger_tables import LedgerCheckpoint

    services = build(tmp_path, migrated_url, **LIMITS)
    try:
        with services.session_factory() as session:
            return int(session.scalar(select(func.max(LedgerCheckpoint.size))) or 0)
    finally:
        services.dispose()


def test_a_report_and_added_evidence_through_the_api_sign_their_checkpoint(client, tmp_path,
                                                                          migrated_url):
    created = file_report(client).json()
    leaf = created["evidence"][0]["leaf_index"]
    assert leaf is not None and _signed_size(tmp_path, migrated_url) > leaf
    added = client.post("/api/v1/cases/me/evidence", headers=bearer(client, created),
                        files=[("files", ("b.txt", b"encore", "text/plain"))])
    assert _signed_size(tmp_path, migrated_url) > added.json()[0]["leaf_index"]


PUPIL = {"description": "Des élèves de ma classe m'insultent sur Instagram depuis un mois",
         "kinds": ["insults"], "victim_age": "13", "school": "true", "repeated": "true",
         "public": "false", "authors": "3", "started_on": "2026-11-01",
         "last_on": "2026-10-01", "urls": ["www.instagram.com/p/abc"]}


def test_a_report_with_facts_stores_them_and_points_out_contradictions(client):
    response = file_report(client, files=(), data=PUPIL)
    assert response.status_code == 201, response.text
    created = response.json()
    assert [(c["code"], c["fact"]) for c in created["contradictions"]] == [
        ("end_before_start", "last_on")]
    case = client.get("/api/v1/cases/me", headers=bearer(client, created)).json()
    assert case["facts"] == {"victim_age": 13, "authors": 3, "started_on": "2026-11-01",
                             "last_on": "2026-10-01", "repeated": True, "public": False,
                             "school": True}
    assert case["victim_is_minor"] is True and case["urls"] == ["https://www.instagram.com/p/abc"]


@pytest.mark.parametrize("field, value, reason", [
    ("victim_age", "treize", "victim_age"), ("victim_age", "300", "victim_age"),
    ("school", "peut-être", "school"), ("started_on", "hier", "started_on"),
    ("authors", "0", "authors")])
def test_a_bad_fact_is_refused_with_a_reason_and_nothing_changes(client, state, field, value,
                                                                 reason):
    before = state()
    response = file_report(client, files=(), data={**FIELDS, field: value})
    assert response.status_code == 400 and reason in response.json()["error"]
    assert state() == before

"""NUL and other control characters (issue 12.1): a 400 (or exit 2) with the reason on every
entry point, nothing stored, both engines; and no database error ever logs a statement's
values."""

from __future__ import annotations

import logging

import pytest
import structlog
from sqlalchemy import text

from rempart.store.db import install_log_scrubbing, make_engine
from tests.cli_support import invoke_rempart
from tests.integration.foundation_support import build, fast_argon2, snapshot  # noqa: F401
from tests.integration.pages_support import csrf, file_report, png_bytes

pytestmark = pytest.mark.usefixtures("fast_argon2")
SECRET = "SECRET-passphrase-grenouille-velo-42"


def _state(tmp_path, url):
    services = build(tmp_path, url)
    try:
        return snapshot(services)
    finally:
        services.dispose()


@pytest.mark.parametrize("field", ["description", "contact", "author_handles", "urls"])
def test_the_report_page_refuses_control_characters_in_any_field(client, tmp_path,
                                                                 migrated_url, field):
    before = _state(tmp_path, migrated_url)
    data = {"csrf_token": csrf(client, "/signaler"), "description": "Il m'insulte",
            "kinds": ["insults"], "reporter_role": "witness"}
    data[field] = f"valeur\x00{SECRET}"
    answer = client.post("/signaler", data=data)
    assert answer.status_code == 400
    assert "caractère de contrôle" in answer.text and "U+0000" in answer.text
    assert _state(tmp_path, migrated_url) == before


def test_the_api_refuses_control_characters_in_report_fields(client, tmp_path, migrated_url):
    before = _state(tmp_path, migrated_url)
    for field, value in [("description", "a\x00b"), ("contact", "x@y.fr\x1b"),
                         ("author_handles", "@moi\x07")]:
        data = {"description": "Il m'insulte", "kinds": "insults", field: value}
        answer = client.post("/api/v1/reports", data=data,
                             files=[("files", ("capture.png", png_bytes(), "image/png"))])
        assert answer.status_code == 400, (field, answer.text)
        assert "control characters" in answer.json()["error"]
    assert _state(tmp_path, migrated_url) == before


def test_json_bodies_with_control_characters_are_refused(client):
    answer = client.post("/api/v1/cases/open", json={"code": "RMP-\x00", "passphrase": "x"})
    assert answer.status_code == 400
    assert "U+0000" in answer.json()["error"]
    lone = client.post("/api/v1/cases/open", content=b'{"code": "\\ud800", "passphrase": "x"}',
                       headers={"content-type": "application/json"})
    assert lone.status_code == 400


def test_a_reporter_message_with_nul_is_refused_and_the_thread_unchanged(client):
    file_report(client)
    answer = client.post("/dossier/messages", data={"csrf_token": csrf(client, "/dossier"),
                                                    "body": f"bonjour\x00{SECRET}"})
    assert answer.status_code == 400
    assert SECRET not in client.get("/dossier").text


def test_line_breaks_and_tabs_stay_allowed_in_a_description(client):
    code, _, _ = file_report(client, description="Ligne 1\r\nLigne 2\tfin")
    assert code.startswith("RMP-")


def test_the_cli_refuses_a_report_with_control_characters(tmp_path, migrated_url, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    result = invoke_rempart("case", "create", "--kind", "insults", "--text", "a\x00b")
    assert result.exit_code == 2
    assert "control characters" in result.output and "Traceback" not in result.output


def test_a_database_error_never_logs_the_values(migrated_url, capsys, caplog):
    engine = make_engine(migrated_url)
    install_log_scrubbing()
    log = structlog.get_logger("test")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE leak_probe (k VARCHAR(50) PRIMARY KEY)"))
        for _ in range(2):
            try:
                with engine.begin() as conn:  # the second insert breaks the unique key
                    conn.execute(text("INSERT INTO leak_probe (k) VALUES (:k)"), {"k": SECRET})
            except Exception:
                log.exception("insert failed", params={"k": SECRET}, statement="INSERT ...")
                with caplog.at_level(logging.ERROR):
                    logging.getLogger("uvicorn.error").exception("request failed")
    finally:
        engine.dispose()
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "insert failed" in logged and "IntegrityError" in logged
    assert SECRET not in logged

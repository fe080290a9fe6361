"""Public pages: languages, security headers, quick exit, report form and its refusals."""

from __future__ import annotations

import re

import pytest

from rempart.store.db import make_engine
from tests.integration.pages_support import csrf, file_report, make_client, png_bytes


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _counts(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.connect() as conn:
        counts = (conn.execute(text("select count(*) from cases")).scalar_one(),
                  conn.execute(text("select count(*) from evidence_items")).scalar_one())
    engine.dispose()
    return counts


def test_it_serves_the_home_page_in_french_by_default(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    for path in ("Je suis victime", "Je suis témoin", "Je suis un parent / un adulte de confiance",
                 "Quitter rapidement"):
        assert path in page.text


def test_it_switches_to_english_and_remembers_it(client):
    page = client.get("/?lang=en")
    assert '<html lang="en">' in page.text and "Quick exit" in page.text
    assert "lang=en" in page.headers["set-cookie"]
    assert "Report harassment" in client.get("/signaler").text


def test_it_sends_strict_security_headers(client):
    headers = client.get("/").headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "camera=()" in headers["permissions-policy"]
    assert client.get("/signaler").headers["cache-control"] == "no-store"
    assert client.get("/dossier").headers["cache-control"] == "no-store"


def test_it_has_no_inline_script_or_style(client):
    for path in ("/", "/signaler", "/dossier", "/staff/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html, path


def test_quick_exit_redirects_and_clears_the_site_data(client):
    response = client.get("/quitter")
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://")
    assert "cookies" in response.headers["clear-site-data"]
    assert 'href="/quitter"' in client.get("/").text


def test_it_files_a_report_and_shows_code_passphrase_and_receipts(client, migrated_url):
    code, secret, html = file_report(client)
    assert re.fullmatch(r"[A-Z0-9-]{8,20}", code)
    assert len(secret.split()) >= 6
    assert "capture.png" in html and re.search(r"[0-9a-f]{64}", html)
    assert _counts(migrated_url) == (1, 1)


def test_an_empty_form_is_refused_with_reasons_and_nothing_is_stored(client, migrated_url):
    response = client.post("/signaler", data={"csrf_token": csrf(client, "/signaler"),
                                              "description": "  ", "other_platform": "Kick"})
    assert response.status_code == 400
    assert "Décrivez ce qui s’est passé" in response.text
    assert "Choisissez au moins un type" in response.text
    assert 'value="Kick"' in response.text  # what was typed is kept
    assert _counts(migrated_url) == (0, 0)


def test_a_png_that_is_really_an_executable_is_refused(client, migrated_url):
    file_report(client)
    before = _counts(migrated_url)
    response = client.post("/signaler", data={
        "csrf_token": csrf(client, "/signaler"), "description": "menaces", "kinds": ["threats"],
        "reporter_role": "victim"}, files=[("evidence", ("photo.png", b"MZ\x90\x00" * 100,
                                                         "image/png"))])
    assert response.status_code == 400
    assert "refusé" in response.text and "menaces" in response.text
    assert _counts(migrated_url) == before


def test_an_oversized_request_is_cut_off_with_413(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, max_file_bytes=1000, max_report_bytes=2000) as small:
        token = csrf(small, "/signaler")
        huge = b"x" * (3 * 1024 * 1024)
        response = small.post("/signaler", data={"csrf_token": token, "description": "x",
                                                 "kinds": ["other"]},
                              files=[("evidence", ("big.txt", huge, "text/plain"))])
        assert response.status_code == 413
        assert _counts(migrated_url) == (0, 0)


def test_an_oversized_file_within_the_request_limit_is_refused_with_a_reason(
        tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, max_file_bytes=100) as small:
        response = small.post("/signaler", data={
            "csrf_token": csrf(small, "/signaler"), "description": "x", "kinds": ["other"]},
            files=[("evidence", ("a.png", png_bytes(size=64), "image/png"))])
        assert response.status_code == 400
        assert "a.png" in response.text
        assert _counts(migrated_url) == (0, 0)


def test_a_post_without_the_csrf_token_is_refused(client, migrated_url):
    client.get("/signaler")
    response = client.post("/signaler", data={"description": "x", "kinds": ["other"]})
    assert response.status_code == 403
    assert _counts(migrated_url) == (0, 0)


def test_a_malformed_multipart_body_gets_a_clear_error(client, migrated_url):
    csrf(client, "/signaler")
    response = client.post("/signaler", content=b"--nope\r\ngarbage",
                           headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert 400 <= response.status_code < 500
    assert _counts(migrated_url) == (0, 0)


def test_the_language_switch_keeps_the_page_and_its_query(client):
    html = client.get("/signaler?role=witness").text
    assert 'href="/signaler?role=witness&amp;lang=en"' in html

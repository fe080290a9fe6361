"""Public pages: languages, security headers, quick exit, report form and its refusals."""

from __future__ import annotations

import re

from rempart.store.db import make_engine
from tests.integration.pages_support import csrf, file_report, make_client, png_bytes


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


def test_a_refused_form_comes_back_with_every_value_and_each_error_next_to_its_field(
        client, migrated_url):
    typed = {"csrf_token": csrf(client, "/signaler"), "description": "Ça dure depuis un mois",
             "kinds": ["insults", "group_harassment"], "platforms": ["Discord"],
             "other_platform": "Kick", "urls": "www.kick.com/x\nftp://pas-un-lien",
             "author_handles": "@un\n@deux", "reporter_role": "adult", "victim_is_minor": "1",
             "contact": "maman@example.org", "victim_age": "treize", "authors": "10",
             "started_on": "2026-11-01", "last_on": "2026-10-01",
             "approximately": "depuis la rentrée", "school": "yes", "public": "no",
             "repeated": "", "death_threat": "no"}
    response = client.post("/signaler", data=typed)
    assert response.status_code == 400
    html = response.text
    assert 'id="victim_age-error"' in html and 'id="urls-error"' in html
    assert "ftp://pas-un-lien" in html and 'value="treize"' in html
    for kept in ('value="Kick"', "maman@example.org", "@un\n@deux", "depuis la rentrée",
                 'value="2026-11-01"', 'value="2026-10-01"', "Ça dure depuis un mois"):
        assert kept in html, kept
    for name, value in [("school", "yes"), ("public", "no"), ("repeated", "unknown"),
                        ("death_threat", "no"), ("authors", "10"),
                        ("reporter_role", "adult"), ("kinds", "group_harassment")]:
        assert re.search(rf'id="{name}-{value}"[^>]*\s+checked', html), (name, value)
    assert "la personne harcelée" in html  # a parent reads about the person harassed
    assert "La dernière fois est avant la date de début" in html  # a warning, shown
    assert "choisissez-les à nouveau" in html  # files cannot be kept: said by the file field
    assert _counts(migrated_url) == (0, 0)


def test_the_facts_of_the_form_are_stored_and_a_link_without_https_is_accepted(
        client, migrated_url):
    from rempart.services import cases

    code, secret, _ = file_report(client, description="Des élèves m'insultent depuis un mois",
                                  urls="instagram.com/p/abc", victim_age="13", school="yes",
                                  repeated="yes", authors="2", started_on="2026-11-01")
    services = client.app.state.rempart  # the app's own wiring
    case_id = cases.open_case(services.uow(), code, secret)
    detail = cases.case_detail(services.uow(), case_id)
    assert detail.urls == ("https://instagram.com/p/abc",)
    assert detail.facts.as_dict() == {"victim_age": 13, "authors": 2,
                                      "started_on": "2026-11-01", "repeated": True,
                                      "school": True}
    assert detail.victim_is_minor


def test_the_report_is_filed_and_its_contradictions_are_pointed_out_after(client):
    _, _, html = file_report(client, description="Ça dure depuis un mois")
    assert 'id="facts-warnings"' in html and "aucune date n’est donnée" in html

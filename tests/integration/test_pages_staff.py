"""Back-office pages: login with password + TOTP, queue, case, blurred evidence, roles."""

from __future__ import annotations

import re

import pyotp
import pytest

from rempart.domain.staff import StaffRole
from tests.integration.pages_support import (
    PASSWORD,
    add_staff,
    csrf,
    file_report,
    make_client,
    png_bytes,
    staff_login,
)


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _case_url(client) -> str:
    queue = client.get("/staff").text
    match = re.search(r'href="(/staff/cases/[0-9a-f-]{36})"', queue)
    assert match, queue
    return match.group(1)


def test_staff_pages_need_a_login(client):
    for path in ("/staff", "/staff/audit", "/staff/cases/00000000-0000-0000-0000-000000000000"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"


def test_a_wrong_totp_code_fails_without_saying_which_part(client):
    add_staff(client, "ana@example.org", StaffRole.COUNSELOR)
    response = client.post("/staff/login", data={
        "csrf_token": csrf(client, "/staff/login"), "email": "ana@example.org",
        "password": PASSWORD, "totp": "000000"})
    assert response.status_code == 401
    assert "Échec de la connexion" in response.text
    assert "rempart_staff" not in response.headers.get("set-cookie", "")


def test_a_counselor_sees_the_case_with_blurred_evidence_and_replies(client):
    code, _, _ = file_report(client, victim_is_minor="1")
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff")
    assert code in queue.text and "Mineur" in queue.text
    assert queue.headers["cache-control"] == "no-store"
    url = _case_url(client)
    page = client.get(url).text
    # Blurred by the server: the page only loads a small blurred preview...
    preview = re.search(r'src="(/staff/cases/[^"]+/evidence/[^"]+/preview)"', page).group(1)
    blurred = client.get(preview)
    assert blurred.status_code == 200 and blurred.content.startswith(b"\x89PNG")
    assert blurred.headers["cache-control"] == "no-store"
    assert blurred.content != png_bytes()
    # ...and revealing it is a link that loads the real file through the audited route.
    reveal = re.search(r'href="(/staff/cases/[^"#]+\?reveal=[^"#]+)', page).group(1)
    revealed = client.get(reveal).text
    image = re.search(r'src="(/staff/cases/[^"]+/evidence/[0-9a-f-]{36})"', revealed).group(1)
    picture = client.get(image)
    assert picture.status_code == 200 and picture.content == png_bytes()
    assert picture.headers["cache-control"] == "no-store"
    token = csrf(client, url)
    assert client.post(url + "/reply", data={"csrf_token": token,
                                             "body": "Nous vous aidons."}).status_code == 303
    assert client.post(url + "/notes", data={"csrf_token": token,
                                             "body": "Appeler le 3018."}).status_code == 303
    assert client.post(url + "/status", data={"csrf_token": token,
                                              "status": "in_review"}).status_code == 303
    page = client.get(url).text
    assert "Nous vous aidons." in page and "Appeler le 3018." in page
    assert 'value="in_review" selected' in page


def test_evidence_is_not_readable_without_a_staff_session(client):
    file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    image = re.search(r'src="(/staff/cases/[^"]+/evidence/[^"]+)/preview"',
                      client.get(_case_url(client)).text).group(1)
    client.cookies.delete("rempart_staff")
    assert client.get(image).status_code == 303
    assert client.get(image + "/preview").status_code == 303


def test_a_counselor_gets_403_on_the_audit_log_and_an_admin_reads_it(client):
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    forbidden = client.get("/staff/audit")
    assert forbidden.status_code == 403
    assert 'href="/staff/audit"' not in client.get("/staff").text
    client.cookies.clear()
    staff_login(client, "boss@example.org", add_staff(client, "boss@example.org",
                                                      StaffRole.ADMIN))
    log = client.get("/staff/audit")
    assert log.status_code == 200 and "staff.login" in log.text and "boss@example.org" in log.text


def test_an_analyst_cannot_reply_to_the_reporter(client):
    file_report(client)
    staff_login(client, "al@example.org", add_staff(client, "al@example.org",
                                                    StaffRole.ANALYST))
    url = _case_url(client)
    assert 'action="' + url + '/reply"' not in client.get(url).text
    response = client.post(url + "/reply", data={"csrf_token": csrf(client, url), "body": "x"})
    assert response.status_code == 403


def test_logout_ends_the_session(client):
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    token = csrf(client, "/staff")
    cookie = client.cookies.get("rempart_staff")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set("rempart_staff", cookie)  # replaying the old cookie does not work
    assert client.get("/staff").status_code == 303


def test_a_replayed_totp_code_is_refused(client):
    secret = add_staff(client, "ana@example.org", StaffRole.COUNSELOR)
    code = pyotp.TOTP(secret).now()
    for expected in (303, 401):
        response = client.post("/staff/login", data={
            "csrf_token": csrf(client, "/staff/login"), "email": "ana@example.org",
            "password": PASSWORD, "totp": code})
        assert response.status_code == expected


def test_staff_classify_pasted_messages_without_storing_them(client):
    assert client.get("/staff/classify", follow_redirects=False).status_code == 303
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.ANALYST))
    token = csrf(client, "/staff/classify")
    page = client.post("/staff/classify", data={
        "csrf_token": token,
        "text": "je vais te retrouver à la sortie et tu vas le regretter\nmerci pour ton aide"})
    assert page.status_code == 200
    # Labels in the reader's language, each with its reason; the second line is nothing of concern.
    assert "<code>threat</code>" in page.text and "<strong>menace</strong>" in page.text
    assert "rien de préoccupant" in page.text
    empty = client.post("/staff/classify", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 400
    assert client.post("/staff/classify", data={"text": "x"}).status_code == 403

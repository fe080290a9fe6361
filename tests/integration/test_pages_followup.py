"""The takedown and referral pages of the back-office and the reporter's timeline, through the
real app (TestClient) on both engines: forms with CSRF, errors in the reader's language, roles,
the school consent and the contact removal from the portal."""

from __future__ import annotations

import re

import pytest

from rempart.domain.staff import StaffRole
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.pages_support import add_staff, csrf, file_report, make_client, staff_login
from tests.integration.workbench_support import mailbox  # noqa: F401

URL = "https://www.instagram.com/p/abc/"


@pytest.fixture
def client(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    with make_client(tmp_path / "data", migrated_url, organisation_name="Asso",
                     organisation_email="dsa@asso.example") as c:
        yield c


def _case_id(client, code: str) -> str:
    page = client.get("/staff")
    match = re.search(rf'href="/staff/cases/([0-9a-f-]{{36}})"[^>]*>\s*(<code>)?{code}', page.text)
    assert match, page.text[:2000]
    return match.group(1)


def _staff(client, role=StaffRole.COUNSELOR, email="conseil@asso.example"):
    secret = add_staff(client, email, role)
    staff_login(client, email, secret)


def _open_portal(client, code, secret):
    response = client.post("/dossier", data={"csrf_token": csrf(client, "/dossier"),
                                             "code": code, "passphrase": secret})
    assert response.status_code == 303


def test_a_counsellor_takes_a_takedown_from_draft_to_decision(client):
    code, secret, _ = file_report(client, contact="victime@example.org",
                                  urls=URL, platforms=["Instagram"])
    _staff(client)
    case_id = _case_id(client, code)
    base = f"/staff/cases/{case_id}/takedowns"
    assert "No takedown request yet." in client.get(base + "?lang=en").text
    assert "Aucune demande de retrait pour l'instant." in client.get(base + "?lang=fr").text
    token = csrf(client, base)
    response = client.post(base, data={"csrf_token": token, "url": URL,
                                       "platform": "Instagram", "language": "fr"})
    assert response.status_code == 303
    page = client.get(base).text
    takedown_id = re.search(r'id="takedown-([0-9a-f-]{36})"', page).group(1)
    assert 'data-status="drafted"' in page
    response = client.post(f"{base}/{takedown_id}/sent", data={
        "csrf_token": token, "channel": "form", "reference": "IG-77"})
    assert response.status_code == 303
    response = client.post(f"{base}/{takedown_id}/status", data={
        "csrf_token": token, "status": "removed",
        "decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "category_specification": ["KEYWORD_CYBER_HARASSMENT",
                                   "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"],
        "puid": "p-1"})
    assert response.status_code == 303, response.text
    page = client.get(base).text
    assert 'data-status="removed"' in page and "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING" in page
    client.cookies.clear()
    _open_portal(client, code, secret)
    assert "La demande a été envoyée à Instagram." in client.get("/dossier?lang=fr").text
    portal = client.get("/dossier?lang=en").text
    assert "The request was sent to Instagram." in portal
    assert "Instagram removed the content or blocked access to it." in portal


def test_a_bad_form_is_refused_with_its_reason_and_keeps_what_was_typed(client):
    code, _, _ = file_report(client)
    _staff(client)
    case_id = _case_id(client, code)
    base = f"/staff/cases/{case_id}/takedowns"
    token = csrf(client, base)
    response = client.post(base, data={"csrf_token": token, "url": "pas-une-adresse",
                                       "platform": "Instagram"})
    assert response.status_code == 400
    assert "URL" in response.text and 'value="pas-une-adresse"' in response.text
    response = client.post(base, data={"csrf_token": "forged", "url": URL,
                                       "platform": "Instagram"})
    assert response.status_code == 403
    assert "No takedown request yet." in client.get(base + "?lang=en").text


def test_the_refusal_page_shows_the_next_steps(client):
    code, _, _ = file_report(client)
    _staff(client)
    case_id = _case_id(client, code)
    base = f"/staff/cases/{case_id}/takedowns"
    token = csrf(client, base)
    client.post(base, data={"csrf_token": token, "url": URL, "platform": "TikTok"})
    takedown_id = re.search(r'id="takedown-([0-9a-f-]{36})"', client.get(base).text).group(1)
    client.post(f"{base}/{takedown_id}/sent", data={"csrf_token": token, "reference": "T-1"})
    client.post(f"{base}/{takedown_id}/status", data={"csrf_token": token, "status": "refused"})
    page = client.get(base + "?lang=en").text
    for step in ("Article 20", "Article 21", "Arcom", "PHAROS"):
        assert step in page


def test_a_takedown_of_another_case_cannot_be_changed_through_this_one(client):
    code_a, _, _ = file_report(client)
    code_b, _, _ = file_report(client)
    _staff(client)
    case_a, case_b = _case_id(client, code_a), _case_id(client, code_b)
    token = csrf(client, f"/staff/cases/{case_a}/takedowns")
    client.post(f"/staff/cases/{case_a}/takedowns", data={"csrf_token": token, "url": URL,
                                                           "platform": "Instagram"})
    page = client.get(f"/staff/cases/{case_a}/takedowns").text
    takedown_id = re.search(r'id="takedown-([0-9a-f-]{36})"', page).group(1)
    response = client.post(f"/staff/cases/{case_b}/takedowns/{takedown_id}/sent",
                           data={"csrf_token": token, "reference": "X"})
    assert response.status_code == 404
    assert 'data-status="drafted"' in client.get(f"/staff/cases/{case_a}/takedowns").text


def test_the_pages_need_a_login(client):
    assert client.get("/staff/cases/x/takedowns").headers["location"] == "/staff/login"
    assert client.get("/staff/cases/x/referrals").headers["location"] == "/staff/login"


def test_referrals_page_records_pharos_and_police_and_the_reporter_sees_them(client):
    code, secret, _ = file_report(client, urls=URL)
    _staff(client)
    case_id = _case_id(client, code)
    base = f"/staff/cases/{case_id}/referrals"
    page = client.get(base)
    assert page.status_code == 200 and "copy-button" in page.text and URL in page.text
    token = csrf(client, base)
    response = client.post(base, data={"csrf_token": token, "target": "pharos",
                                       "reference": "PHA-1"})
    assert response.status_code == 303
    response = client.post(base, data={"csrf_token": token, "target": "police",
                                       "service": "Commissariat du 11e"})
    assert response.status_code == 400 and "procès-verbal" in response.text
    assert 'value="Commissariat du 11e"' in response.text
    response = client.post(base, data={"csrf_token": token, "target": "police",
                                       "service": "Commissariat du 11e",
                                       "reference": "PV 2026/9"})
    assert response.status_code == 303
    page = client.get(base).text
    assert 'data-target="pharos"' in page and 'data-target="police"' in page
    client.cookies.clear()
    _open_portal(client, code, secret)
    portal = client.get("/dossier?lang=en").text
    assert "Reference: PHA-1." in portal and "PV 2026/9" in portal


def test_the_school_is_told_only_after_the_reporter_agreed_from_the_portal(client):
    code, secret, _ = file_report(client, reporter_role="victim", victim_is_minor="1")
    _open_portal(client, code, secret)
    portal = client.get("/dossier?lang=en").text
    assert 'id="school-consent"' in portal  # offered to a minor victim only
    client.cookies.clear()
    _staff(client)
    case_id = _case_id(client, code)
    base = f"/staff/cases/{case_id}/referrals"
    token = csrf(client, base)
    school = {"csrf_token": token, "target": "school", "service": "Collège Jean Moulin"}
    response = client.post(base, data=school)
    assert response.status_code == 400 and "consent" in response.text
    staff_cookies = dict(client.cookies)
    client.cookies.clear()
    _open_portal(client, code, secret)
    response = client.post("/dossier/suivi/ecole", data={
        "csrf_token": csrf(client, "/dossier"), "consent": "yes"})
    assert response.status_code == 303
    assert "You agreed that the school may be told." in client.get("/dossier?lang=en").text
    client.cookies.clear()
    for name, value in staff_cookies.items():
        client.cookies.set(name, value)
    school["csrf_token"] = csrf(client, base)
    assert client.post(base, data=school).status_code == 303


def test_the_reporter_removes_their_contact_from_the_portal(client):
    code, secret, _ = file_report(client, contact="victime@example.org")
    _open_portal(client, code, secret)
    portal = client.get("/dossier?lang=en").text
    assert "We received your report." in portal and 'id="remove-contact"' in portal
    response = client.post("/dossier/suivi/contact", data={
        "csrf_token": csrf(client, "/dossier")})
    assert response.status_code == 303
    portal = client.get("/dossier?lang=en&ok=contact").text
    assert "Your e-mail address was removed." in portal
    assert 'id="remove-contact"' not in portal
    response = client.post("/dossier/suivi/contact", data={"csrf_token": "forged"})
    assert response.status_code == 403


def test_the_takedown_page_emails_the_notice_to_the_platform(  # noqa: F811
        tmp_path, migrated_url, mailbox, fast_argon2):  # noqa: F811
    directory = tmp_path / "platforms.yaml"
    directory.write_text("platforms:\n  - {name: Instagram, dsa_email: dsa@platform.example}\n")
    with make_client(tmp_path / "mail-data", migrated_url, organisation_name="Asso",
                     organisation_email="dsa@asso.example", platforms_file=directory,
                     smtp_url=mailbox.url, smtp_from="rempart@asso.example") as c:
        code, _, _ = file_report(c, urls=URL, platforms=["Instagram"])
        _staff(c)
        base = f"/staff/cases/{_case_id(c, code)}/takedowns"
        token = csrf(c, base)
        assert c.post(base, data={"csrf_token": token, "url": URL, "platform": "Instagram",
                                  "language": "fr"}).status_code == 303
        takedown_id = re.search(r'id="takedown-([0-9a-f-]{36})"', c.get(base).text).group(1)
        sent = c.post(f"{base}/{takedown_id}/sent", data={"csrf_token": token,
                                                          "channel": "email"})
        assert sent.status_code == 303
        page = c.get(sent.headers["location"] + ("&" if "?" in sent.headers["location"]
                                                 else "?") + "lang=en").text
        assert "Notice sent by e-mail to the platform." in page and 'data-status="sent"' in page
        [mail] = mailbox.messages
        assert mail["X-Envelope-To"] == "dsa@platform.example"
        assert code in mail.as_string()

"""The text read from the screenshots in the case portal and the back-office (issue 14.1)."""

from __future__ import annotations

import re

import pytest

from rempart import bootstrap
from rempart.domain.staff import StaffRole
from tests.chat_screens import FRENCH_CHAT, render_chat
from tests.integration.pages_support import add_staff, csrf, make_client, staff_login


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, jobs_immediate=True) as test_client:
        yield test_client


def _file_chat(client) -> str:
    data = {"csrf_token": csrf(client, "/signaler"), "description": "On se moque de moi",
            "kinds": ["insults"], "reporter_role": "victim", "platforms": ["Discord"]}
    response = client.post("/signaler", data=data, files=[
        ("evidence", ("chat.png", render_chat(FRENCH_CHAT[:3]), "image/png"))])
    assert response.status_code == 201, response.text
    code = re.search(r'id="case-code">([^<]+)<', response.text)
    assert code
    return code.group(1)


def _case_id(client, code: str) -> str:
    services = bootstrap.build(client.app.state.settings)
    try:
        with services.uow() as uow:
            return str(uow.cases.get_by_code(code).id)
    finally:
        services.dispose()


def test_the_reporter_reads_the_conversation_and_the_suggestions(client):
    _file_chat(client)
    case = client.get("/dossier")
    assert 'href="/dossier/textes"' in case.text
    page = client.get("/dossier/textes")
    assert page.status_code == 200
    assert "bubble-left" in page.text and "bubble-right" in page.text
    assert "14:02" in page.text and "Salut" in page.text
    assert "@lea_moqueries" in page.text and 'id="suggested-facts"' in page.text
    assert "Texte lu dans les captures" in page.text  # French by default


def test_without_the_case_session_the_text_is_not_shown(client):
    _file_chat(client)
    client.cookies.clear()
    page = client.get("/dossier/textes")
    assert "Salut" not in page.text and "lea_moqueries" not in page.text


def test_staff_read_the_text_from_the_case_page(client):
    code = _file_chat(client)
    case_id = _case_id(client, code)
    client.cookies.clear()
    assert client.get(f"/staff/cases/{case_id}/textes").status_code in (302, 303)
    secret = add_staff(client, "analyste@asso.example", StaffRole.ANALYST)
    staff_login(client, "analyste@asso.example", secret)
    case_page = client.get(f"/staff/cases/{case_id}")
    assert f'href="/staff/cases/{case_id}/textes"' in case_page.text
    page = client.get(f"/staff/cases/{case_id}/textes")
    assert page.status_code == 200 and "Salut" in page.text
    assert client.get("/staff/cases/00000000-0000-0000-0000-000000000000/textes"
                      ).status_code == 404

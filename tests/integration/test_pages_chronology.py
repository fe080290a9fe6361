"""The chronology of the facts in the case portal and the back-office (issue 14.4), on SQLite and
PostgreSQL: the reporter reads each line with its source, corrects a date and adds a line (each a
custody event that holds neither the date nor the text), the complaint letter follows; bad input
is refused with its reason and stores nothing; staff need the permission and are audited; a
reporter never reaches another case."""

from __future__ import annotations

import html
import http.server
import io
import re

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from rempart import bootstrap
from rempart.documents.casefile import Person
from rempart.documents.complaint import ComplaintParties
from rempart.domain import staff as staff_rules
from rempart.domain.staff import Permission, StaffRole
from rempart.services import capture, documents
from rempart.store.chronology_tables import TimelineCorrectionRecord
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord
from tests import evidence_samples as samples
from tests.chat_screens import FONT, FRENCH_CHAT, render_chat
from tests.http_support import serving
from tests.integration.foundation_support import pdf_text
from tests.integration.pages_support import add_staff, csrf, make_client, staff_login

PAGE = "/dossier/chronologie"


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, jobs_immediate=True) as test_client:
        yield test_client


@pytest.fixture
def services(client):
    built = bootstrap.build(client.app.state.settings)
    yield built
    built.dispose()


def _file(client, name: str = "export.txt", content: bytes = samples.WHATSAPP_TXT.encode()
          ) -> str:
    data = {"csrf_token": csrf(client, "/signaler"), "description": "Il me menace",
            "kinds": ["threats"], "reporter_role": "victim", "platforms": ["WhatsApp"]}
    response = client.post("/signaler", data=data,
                           files=[("evidence", (name, content, "text/plain"))])
    assert response.status_code == 201, response.text
    code = re.search(r'id="case-code">([^<]+)<', response.text)
    assert code
    return code.group(1)


def _case_id(services, code: str) -> str:
    with services.uow() as uow:
        return str(uow.cases.get_by_code(code).id)


def _key(page: str, words: str) -> str:
    """The line key of the table row that says ``words``."""
    for row in re.findall(r'<tr class="line[^"]*"[^>]*data-key="([^"]+)"[^>]*>(.*?)</tr>',
                          page, re.S):
        if words in html.unescape(row[1]):
            return row[0]
    raise AssertionError(f"no line with {words!r}")


def _post(client, **fields):
    return client.post(PAGE, data={"csrf_token": csrf(client, PAGE), **fields})


def _count(services, what) -> int:
    with services.session_factory() as session:
        return int(session.scalar(what))


def _corrections_in_ledger(services) -> list[bytes]:
    with services.session_factory() as session:
        return [bytes(leaf) for leaf in session.scalars(select(LedgerLeaf.leaf))
                if b"timeline_corrected" in bytes(leaf)]


def test_the_reporter_reads_corrects_and_adds_and_the_letter_follows(client, services,
                                                                     tmp_path):
    code = _file(client)
    assert 'href="/dossier/chronologie"' in client.get("/dossier").text
    page = client.get(PAGE)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Chronologie des faits" in text and "Max : je vais te retrouver" in text
    assert "export.txt (pièce 1)" in text and "2026-03-12 14:05" in text
    key = _key(page.text, "je vais te retrouver")
    assert key.startswith("chat:")
    moved = _post(client, action="date", line=key, day="2026-03-01", time="20:30")
    assert moved.status_code == 303, moved.text
    added = _post(client, action="add", day="2026-03-03", text="il a publié ma photo",
                  estimated="yes")
    assert added.status_code == 303
    page = html.unescape(client.get(PAGE).text)
    assert "Votre correction est enregistrée." not in page  # only after the redirect's ?ok
    assert "2026-03-01 20:30" in page and "la source indiquait 2026-03-12 14:05" in page
    assert "il a publié ma photo" in page and "vous l'avez indiqué" in page
    assert "(estimée)" in page
    leaves = _corrections_in_ledger(services)
    assert len(leaves) == 2
    assert not any(b"2026-03-01" in leaf or "publié".encode() in leaf or b"chat:" in leaf
                   for leaf in leaves)
    assert all(b'"role":"reporter"' in leaf for leaf in leaves)
    excluded = _post(client, action="exclude", line=_key(client.get(PAGE).text, "arrête stp"))
    assert excluded.status_code == 303
    case_id = _case_id(services, code)
    letter = pdf_text(documents.complaint(services, case_id, documents.REPORTER,
                                          ComplaintParties(complainant=Person())), tmp_path)
    assert "2026-03-01 20:30 — Max : je vais te retrouver" in letter
    assert "2026-03-03 (estimée) — il a publié ma photo" in letter
    assert "arrête stp" not in letter
    # No date was given: the deadlines come from the chronology and say they are estimated.
    page = html.unescape(client.get(PAGE).text)
    assert "Premier fait daté : 2026-03-01. Dernier fait daté : 2026-03-12." in page
    reminders = re.search(r'<ul class="reminders">(.*?)</ul>', page, re.S)
    assert reminders and "Date estimée." in reminders.group(1)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"action": "add", "day": "2026-02-30", "text": "x"}, "pas une date valable"),
    ({"action": "add", "day": "2099-01-01", "text": "x"}, "entre 1990 et aujourd'hui"),
    ({"action": "add", "day": "2026-03-03", "time": "25:99", "text": "x"}, "HH:MM"),
    ({"action": "add", "day": "2026-03-03", "text": "x" * 281}, "trop long"),
    ({"action": "add", "day": "2026-03-03", "text": "   "}, "ce qui s'est passé"),
    ({"action": "date", "line": "chat:nope:1", "day": "2026-03-03"}, "n'est plus dans"),
    ({"action": "delete", "line": "x"}, "pas reconnue"),
])
def test_bad_input_is_refused_with_its_reason_and_nothing_is_stored(client, services, fields,
                                                                   reason):
    _file(client)
    before = len(_corrections_in_ledger(services))
    refused = _post(client, **fields)
    assert refused.status_code == 400
    assert reason in html.unescape(refused.text) and 'id="chronology-error"' in refused.text
    assert len(_corrections_in_ledger(services)) == before
    assert _count(services, select(func.count()).select_from(TimelineCorrectionRecord)) == 0


def test_a_reporter_never_reaches_another_case(client, services):
    _file(client, "first.txt")
    other_key = _key(client.get(PAGE).text, "je vais te retrouver")
    client.cookies.clear()
    _file(client, "second.txt", b"13/04/2026 09:00 - Sam: autre chose\n")
    page = html.unescape(client.get(PAGE).text)
    assert "Sam : autre chose" in page and "je vais te retrouver" not in page
    refused = _post(client, action="exclude", line=other_key)
    assert refused.status_code == 400 and not _corrections_in_ledger(services)
    client.cookies.clear()
    assert client.get(PAGE).status_code == 401
    assert "autre chose" not in client.get(PAGE).text


def test_staff_need_the_permission_and_every_view_is_audited(client, services, monkeypatch):
    code = _file(client)
    case_id = _case_id(services, code)
    url = f"/staff/cases/{case_id}/chronologie"
    client.cookies.clear()
    assert client.get(url).status_code in (302, 303)
    secret = add_staff(client, "analyste@asso.example", StaffRole.ANALYST)
    staff_login(client, "analyste@asso.example", secret)
    assert f'href="{url}"' in client.get(f"/staff/cases/{case_id}").text
    page = html.unescape(client.get(url).text)
    assert "Max : je vais te retrouver" in page and "export.txt (pièce 1)" in page
    assert "Pièce reçue : export.txt" in page and "registre de preuves, entrée n°" in page
    assert 'name="action"' not in page  # staff read; only the reporter corrects
    viewed = select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "case.viewed", AuditRecord.case_id == case_id)
    seen = _count(services, viewed)
    client.get(url)
    assert _count(services, viewed) == seen + 1
    with services.session_factory() as session:
        details = [row.detail for row in session.scalars(select(AuditRecord).where(
            AuditRecord.action == "case.viewed", AuditRecord.case_id == case_id))]
    assert {"what": "chronology", "lines": details[-1]["lines"]} == details[-1]
    assert client.get("/staff/cases/00000000-0000-0000-0000-000000000000/chronologie"
                      ).status_code == 404
    narrower = staff_rules.ROLE_PERMISSIONS[StaffRole.ANALYST] - {Permission.VIEW_EVIDENCE}
    monkeypatch.setitem(staff_rules.ROLE_PERMISSIONS, StaffRole.ANALYST, narrower)
    refused = client.get(url)
    assert refused.status_code == 403 and "je vais te retrouver" not in refused.text
    assert _count(services, viewed) == seen + 1


def test_the_pages_speak_english(client):
    _file(client)
    page = html.unescape(client.get(PAGE, params={"lang": "en"}).text)
    assert "Chronology of the facts" in page and "Max: je vais te retrouver" in page
    assert "export.txt (exhibit 1)" in page and "Add a line" in page
    key = _key(page, "je vais te retrouver")
    assert _post(client, action="date", line=key, unknown="yes").status_code == 303
    page = html.unescape(client.get(PAGE).text)
    assert "date unknown" in page and "corrected; the source said 2026-03-12 14:05" in page
    refused = _post(client, action="add", day="2026-02-30", text="x")
    assert "The date is not a valid date" in html.unescape(refused.text)


class _Page(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = b"<html><body><h1>Message public insultant</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_captured_page_joins_with_the_time_it_was_fetched(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, jobs_immediate=True, capture_allow_private=True,
                     capture_chromium=tmp_path / "no-chromium") as client:
        code = _file(client)
        built = bootstrap.build(client.app.state.settings)
        try:
            with serving(_Page) as site:
                done = capture.capture_page(built, _case_id(built, code), f"{site}/post")
        finally:
            built.dispose()
        page = html.unescape(client.get(PAGE).text)
    assert f"Page enregistrée : {site}/post" in page
    assert "capture-127.0.0.1.warc (pièce 2)" in page
    assert done.fetched_at.strftime("%Y-%m-%d %H:%M") in page


def _dated_screenshot(day: str) -> bytes:
    """A chat screenshot under a centred date separator, as messaging apps draw it."""
    chat = Image.open(io.BytesIO(render_chat(FRENCH_CHAT[:2])))
    image = Image.new("RGB", (chat.width, chat.height + 120), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 30)
    width = font.getlength(day)
    left = (chat.width - width) / 2
    draw.rounded_rectangle((left - 20, 40, left + width + 20, 95), 12, fill=(225, 240, 250))
    draw.text((left, 50), day, font=font, fill=(60, 60, 60))
    image.paste(chat, (0, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_screenshot_bubbles_join_only_under_a_full_date(client):
    data = {"csrf_token": csrf(client, "/signaler"), "description": "On se moque de moi",
            "kinds": ["insults"], "reporter_role": "victim", "platforms": ["WhatsApp"]}
    response = client.post("/signaler", data=data, files=[
        ("evidence", ("dated.png", _dated_screenshot("12/03/2026"), "image/png")),
        ("evidence", ("undated.png", render_chat(FRENCH_CHAT[2:4]), "image/png"))])
    assert response.status_code == 201, response.text
    page = html.unescape(client.get(PAGE).text)
    assert "2026-03-12 14:02" in page and "Autre personne : Salut" in page
    assert "Propriétaire du téléphone : Non, c'est quoi" in page
    assert "lu sur la capture dated.png (pièce 1)" in page
    assert "undated.png" not in page and "lea_moqueries" not in page  # no date: never guessed


def test_an_email_joins_by_its_date_and_every_deadline_list_uses_the_chronology(client):
    """The reporter gave no dates: the e-mail's Date header dates the facts, and the deadline
    reminders of the case page and of the documents page say they are estimated from it, as the
    chronology page does."""
    _file(client, "menace.eml", samples.EML)
    page = html.unescape(client.get(PAGE).text)
    assert "E-mail envoyé par Max <max@example.org> : « Tu vas le regretter »" in page
    assert "2026-03-12 14:02" in page and "menace.eml (pièce 1)" in page
    for where in ("/dossier", "/dossier/documents"):
        shown = html.unescape(client.get(where).text)
        reminders = re.search(r'<ul class="reminders">(.*?)</ul>', shown, re.S)
        assert reminders and "Date estimée." in reminders.group(1), where
        assert "inconnue" not in reminders.group(1), where

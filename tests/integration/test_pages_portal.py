"""The reporter's case portal: open with code + passphrase, write, add evidence, withdraw."""

from __future__ import annotations

import re

import pytest

from tests.integration.pages_support import csrf, file_report, make_client, png_bytes


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, passphrase_attempts=3) as test_client:
        yield test_client


def _open(client, code, secret):
    return client.post("/dossier", data={"csrf_token": csrf(client, "/dossier"), "code": code,
                                         "passphrase": secret})


def test_it_opens_the_case_with_code_and_passphrase(client):
    code, secret, _ = file_report(client)
    client.cookies.delete("rempart_case")
    response = _open(client, code, secret)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dossier" in cookie
    page = client.get("/dossier")
    assert code in page.text and "capture.png" in page.text and "Reçu" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_wrong_passphrase_and_an_unknown_code_get_the_same_answer(client):
    code, _, _ = file_report(client)
    wrong = _open(client, code, "pas la bonne phrase du tout")
    unknown = _open(client, "RMP-AAAA-AAAA", "pas la bonne phrase du tout")
    assert wrong.status_code == unknown.status_code == 403
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong.text) == strip(unknown.text)


def test_wrong_passphrases_lock_the_code_even_for_the_right_one(client):
    code, secret, _ = file_report(client)
    for _ in range(3):
        assert _open(client, code, "mauvaise phrase").status_code == 403
    locked = _open(client, code, secret)
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.text
    assert _open(client, "RMP-ZZZZ-ZZZZ", "x").status_code == 403  # other codes unaffected


def test_the_reporter_writes_adds_a_file_and_reads_the_reply(client):
    code, secret, _ = file_report(client)
    _open(client, code, secret)
    token = csrf(client, "/dossier")
    sent = client.post("/dossier/messages", data={"csrf_token": token, "body": "Ça continue."})
    assert sent.status_code == 303
    added = client.post("/dossier/preuves", data={"csrf_token": token},
                        files=[("evidence", ("deux.png", png_bytes("blue"), "image/png"))])
    assert added.status_code == 303
    page = client.get("/dossier?ok=evidence").text
    assert "Ça continue." in page and "deux.png" in page and "capture.png" in page
    assert "from-reporter" in page and "Vous ·" in page


def test_adding_a_bad_file_keeps_the_case_unchanged(client):
    code, secret, _ = file_report(client)
    _open(client, code, secret)
    response = client.post("/dossier/preuves", data={"csrf_token": csrf(client, "/dossier")},
                           files=[("evidence", ("x.png", b"\x7fELF" + b"\0" * 64, "image/png"))])
    assert response.status_code == 400
    assert "refusé" in response.text
    assert client.get("/dossier").text.count("<tr><td>") == 1


def test_withdrawing_needs_a_confirmation_then_deletes_the_case(client):
    code, secret, _ = file_report(client)
    _open(client, code, secret)
    assert "J’ai compris" in client.get("/dossier/retirer").text
    token = csrf(client, "/dossier")
    unconfirmed = client.post("/dossier/retirer", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert code in client.get("/dossier").text
    done = client.post("/dossier/retirer", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 200 and "retiré" in done.text
    assert _open(client, code, secret).status_code == 403


def test_a_forged_case_cookie_opens_nothing(client):
    file_report(client)
    client.cookies.clear()
    client.cookies.set("rempart_case", "forged.value.here")
    assert "Ouvrir mon dossier" in client.get("/dossier").text




def test_the_case_opens_directly_on_the_device_that_filed_it(client):
    code, _, _ = file_report(client)
    page = client.get("/dossier")
    assert code in page.text and "capture.png" in page.text
    closed = client.post("/dossier/fermer", data={"csrf_token": csrf(client, "/dossier")})
    assert closed.status_code == 303
    assert "Ouvrir mon dossier" in client.get("/dossier").text


def test_file_sizes_are_written_the_french_way(client):
    _, _, html = file_report(client)
    assert re.search(r'<span class="file-size">\d+(,\d)?\u00a0(o|Ko)</span>', html)


def test_the_case_page_shows_deadline_reminders_with_the_disclaimer(client):
    # Deadlines count from the dates of the facts: the report gives them.
    file_report(client, started_on="2026-10-01", last_on="2026-11-20", repeated="yes")
    page = client.get("/dossier")
    assert page.status_code == 200
    assert "Délais pour agir" in page.text
    assert "pas un conseil juridique" in page.text


def test_the_reporter_sees_what_they_said_and_corrects_it(client):
    file_report(client, description="Ça dure depuis un mois", victim_age="14", school="yes",
                reporter_role="victim")
    page = client.get("/dossier").text
    assert "Ce que vous avez dit" in page
    assert "Quel âge avez-vous ?" in page and "<dd>14</dd>" in page
    assert "aucune date n’est donnée" in page  # "depuis un mois" without dates, pointed out
    token = csrf(client, "/dossier")
    changed = client.post("/dossier/faits", data={
        "csrf_token": token, "victim_age": "14", "school": "yes", "started_on": "2026-11-01",
        "public": "no"})
    assert changed.status_code == 303 and changed.headers["location"] == "/dossier?ok=facts"
    page = client.get("/dossier?ok=facts").text
    assert "Vos réponses ont été enregistrées" in page
    assert "Privé" in page and "2026-11-01" in page
    assert re.search(r'id="public-no"[^>]*\s+checked', page)  # the edit form shows it


def test_a_refused_correction_keeps_what_was_typed_and_changes_nothing(client):
    file_report(client, victim_age="14")
    refused = client.post("/dossier/faits", data={
        "csrf_token": csrf(client, "/dossier"), "victim_age": "quatorze", "school": "no"})
    assert refused.status_code == 400
    assert 'value="quatorze"' in refused.text and 'id="victim_age-error"' in refused.text
    assert re.search(r'id="school-no"[^>]*\s+checked', refused.text)
    assert "<dd>14</dd>" in client.get("/dossier").text  # the stored answer is kept


def test_a_new_passphrase_is_shown_once_and_signs_every_device_out(client):
    code, secret, _ = file_report(client)
    _open(client, code, secret)
    stolen = dict(client.cookies)  # a copy of this device's session, as an intruder would hold
    assert "/dossier/phrase" in client.get("/dossier").text
    token = csrf(client, "/dossier")
    assert client.post("/dossier/phrase", data={"csrf_token": token}).status_code == 400
    assert client.post("/dossier/phrase", data={"confirm": "yes"}).status_code in (400, 403)
    done = client.post("/dossier/phrase", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    fresh = re.search(r'id="passphrase">([^<]+)<', done.text).group(1)
    assert fresh != secret and code in done.text
    client.cookies.clear()
    for name, value in stolen.items():
        client.cookies.set(name, value)
    assert code not in client.get("/dossier").text  # the copied session ended too
    client.cookies.clear()
    assert _open(client, code, secret).status_code == 403
    assert _open(client, code, fresh).status_code in (200, 303)

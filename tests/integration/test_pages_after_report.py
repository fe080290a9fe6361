"""After a report: code and passphrase to copy, download or scan; next steps fitted to the report
and to its reader (tu for a victim, vous and "la personne harcelée" for a witness or a parent)."""

from __future__ import annotations

import re

import pytest

from rempart.security import passphrase
from tests.integration.pages_support import csrf, file_report, make_client


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _steps(html: str) -> list[str]:
    return re.findall(r'class="step[^"]*" id="step-([a-z0-9-]+)"', html)


def test_a_victim_reads_tu_and_the_answer_time_of_the_settings(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, answer_hours=48) as client:
        _, _, html = file_report(client, reporter_role="victim", kinds=["insults"])
    assert "Ton signalement a bien été reçu" in html
    assert "te répond dans ton dossier sous 48\u00a0heures" in html or \
        "te répond dans ton dossier sous 48 heures" in html
    assert "Note-les maintenant" in html and "la personne qui te harcèle" in html
    assert "Notez-les" not in html and "Votre signalement" not in html


def test_a_witness_reads_vous_and_the_person_harassed(client):
    _, _, html = file_report(client, reporter_role="witness", kinds=["insults"])
    assert "Votre signalement a bien été reçu" in html and "sous 72 heures" in html
    assert "la personne harcelée" in html
    assert "qui vous harcèle" not in html and "qui te harcèle" not in html
    assert "Soutenez la personne harcelée" in html
    assert _steps(html) == ["pharos", "3018", "support", "evidence"]


def test_a_parent_reads_how_to_listen_without_taking_the_phone(client):
    _, _, html = file_report(client, reporter_role="adult", kinds=["identity_theft"])
    assert "sans lui confisquer son téléphone" in html
    assert "qui vous harcèle" not in html
    assert _steps(html) == ["3018", "support", "evidence"]


def test_threats_and_intimate_images_put_17_112_then_stop_images_first(client):
    _, _, html = file_report(client, reporter_role="victim",
                             kinds=["threats", "intimate_images"])
    assert _steps(html)[:2] == ["emergency", "stop-images"]
    assert 'href="tel:17"' in html and 'href="tel:112"' in html and 'href="/stop-images"' in html
    assert 'href="tel:3018"' in html and "internet-signalement.gouv.fr" in html


def test_the_code_and_passphrase_are_plain_text_with_copy_buttons_and_a_qr_code(client):
    code, secret, html = file_report(client, reporter_role="victim")
    assert len(secret.split()) == 7
    assert html.count('class="button button-small copy-button"') >= 2
    assert 'src="/static/js/copy.js"' in html
    svg = re.search(r"<svg [^>]*>", html)
    assert svg and 'role="img"' in svg.group(0) and secret not in svg.group(0)
    assert "<script>" not in html and " style=" not in html  # strict CSP: nothing inline


def test_the_receipts_show_a_short_hash_paris_time_and_french_sizes(client):
    _, _, html = file_report(client)
    short = re.search(r'<code class="hash hash-short" id="sha-1" title="([0-9a-f]{64})">'
                      r"([0-9a-f]{12})…</code>", html)
    assert short and short.group(1).startswith(short.group(2))
    assert 'data-copy-text="' + short.group(1) + '"' in html
    assert re.search(r"Reçu le \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2} \(heure de Paris\)", html)
    assert re.search(r'<span class="file-size">\d+(,\d)?\u00a0(o|Ko)</span>', html)


def test_the_card_downloads_once_as_a_text_file_that_no_cache_keeps(client):
    code, secret, html = file_report(client, reporter_role="victim")
    form = {name: _field(html, name) for name in ("csrf_token", "code", "passphrase",
                                                   "register", "ticket")}
    answer = client.post("/signaler/fiche", data={**form, "format": "txt"})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="rempart-dossier.txt"'
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"].startswith("text/plain")
    assert code in answer.text and secret in answer.text
    assert "ton dossier" in answer.text and "Code du dossier\u00a0: " in answer.text


def test_the_card_downloads_as_a_qr_code_svg(client):
    code, secret, html = file_report(client)
    form = {name: _field(html, name) for name in ("csrf_token", "code", "passphrase", "ticket")}
    answer = client.post("/signaler/fiche", data={**form, "format": "qr"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.headers["content-disposition"] == 'attachment; filename="rempart-qr.svg"'
    assert answer.text.startswith("<svg ") and "<path" in answer.text


@pytest.mark.parametrize("change", [
    {"ticket": "forged"},
    {"passphrase": "<script>alert(1)</script>"},
    {"passphrase": "bonjour"},
    {"code": "RMP-0000-0000"},  # a ticket signed for another code
])
def test_the_card_download_refuses_anything_but_the_report_just_filed(client, change):
    _, _, html = file_report(client)
    form = {name: _field(html, name) for name in ("csrf_token", "code", "passphrase", "ticket")}
    answer = client.post("/signaler/fiche", data={**form, **change})
    assert answer.status_code == 400
    assert "juste après un signalement" in answer.text
    assert "<script>alert" not in answer.text


def test_the_card_download_needs_the_csrf_token(client):
    _, secret, html = file_report(client)
    answer = client.post("/signaler/fiche", data={"code": _field(html, "code"),
                                                  "passphrase": secret,
                                                  "ticket": _field(html, "ticket")})
    assert answer.status_code == 403


def test_every_page_is_sent_no_store_so_back_cannot_restore_it(client):
    for path in ("/", "/signaler", "/dossier", "/aide", "/victime", "/stop-images"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert csrf(client, "/signaler")
    assert passphrase.words_needed() == 7


@pytest.mark.parametrize("role", ["victim", "witness"])
def test_a_suicide_answer_gets_3114_and_112_first_never_not_harassment_yet(client, role):
    answer = client.post("/auto-evaluation", data={
        "csrf_token": csrf(client, "/auto-evaluation"), "role": role,
        "suicidal_thoughts": "yes"})
    assert answer.status_code == 200
    html = answer.text
    assert "pas encore du harcèlement" not in html
    assert html.index('id="emergency"') < html.index('id="verdict"')
    assert 'href="tel:3114"' in html and 'href="tel:112"' in html
    assert ("Appelle d’abord le 3114" if role == "victim" else "Appelez d’abord le 3114") in html


def test_without_danger_the_victim_reads_tu_in_the_self_assessment(client):
    answer = client.post("/auto-evaluation", data={
        "csrf_token": csrf(client, "/auto-evaluation"), "role": "victim", "what": "insults"})
    assert "Ce que tu décris n’est peut-être pas encore du harcèlement" in answer.text


def test_one_register_per_path_tu_for_the_victim_vous_for_witnesses_and_parents(client):
    victim = client.get("/victime", params={"lang": "fr"}).text
    assert "Appelle le 112 ou le 17" in victim and "Appelez le 112" not in victim
    assert ">Tes droits<" in victim and ">Vos droits<" not in victim
    assert "vos droits</a>" not in victim
    witness = client.get("/temoin", params={"lang": "fr"}).text
    assert "Appelez le 112 ou le 17" in witness and "Ne transférez pas" in witness
    for familiar in ("Ne transfère pas", "Écris-lui", "tu aides", "Fais des captures"):
        assert familiar not in witness
    parent = client.get("/parent", params={"lang": "fr"}).text
    assert "Appelez le 112 ou le 17" in parent and "Écoutez sans juger" in parent


def test_helplines_are_call_buttons_not_a_repeated_number(client):
    page = client.get("/aide", params={"lang": "fr"}).text
    card = page[page.index('id="service-3018"'):]
    card = card[:card.index("</li>")]
    assert 'class="button button-call" href="tel:3018">Appeler le 3018</a>' in card
    assert "3018 · " not in card and "· <a href=\"tel:" not in page


def test_the_footer_keeps_the_page_register(client):
    victim = client.get("/victime", params={"lang": "fr"}).text
    footer = victim[victim.index('<footer'):]
    assert "Appelle le 17" in footer and "si tu ne peux pas parler" in footer
    _, _, done = file_report(client, reporter_role="victim")
    assert "si tu ne peux pas parler" in done[done.index('<footer'):]
    home = client.get("/", params={"lang": "fr"}).text
    assert "si vous ne pouvez pas parler" in home[home.index('<footer'):]

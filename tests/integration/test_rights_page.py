"""The rights page for a teenager: summary, contents, the no-JavaScript simulator (the same
service as POST /api/v1/qualify), the detail, and which texts were checked when."""

from __future__ import annotations

import re

import pytest

from rempart.domain.offences import OFFENCES
from tests.integration.pages_support import csrf, make_client


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _simulate(client, **answers):
    data = {"csrf_token": csrf(client, "/vos-droits"), **answers}
    return client.post("/vos-droits/simulateur", data=data)


def test_it_puts_the_summary_and_contents_before_the_simulator_and_the_detail(client):
    page = client.get("/vos-droits", params={"lang": "fr"}).text
    order = [page.index(marker) for marker in ('id="resume"', 'id="sommaire"',
                                               'id="simulateur"', 'id="exemple"',
                                               'id="infractions"', 'id="textes"')]
    assert order == sorted(order)
    assert "Le cyberharcèlement est <strong>puni par la loi</strong>" in page
    for anchor in ("#simulateur", "#infractions", "#textes", "#offence-222-33-2-3"):
        assert f'href="{anchor}"' in page
    assert 'href="tel:3018"' in page


def test_it_says_which_texts_were_checked_and_when(client):
    french = client.get("/vos-droits", params={"lang": "fr"}).text
    law = re.search(r'id="law-checked">([^<]+)<', french).group(1)
    assert "1er décembre 2026" in law and "222-33-2-3" in law and "131-35-1" in law
    assert "2024-866 DC" in french
    english = client.get("/vos-droits", params={"lang": "en"}).text
    assert "Checked on 1 December 2026" in english


def test_internal_notes_never_reach_the_page(client):
    for language in ("fr", "en"):
        page = client.get("/vos-droits", params={"lang": language}).text
        for phrase in ("à vérifier", "copie consolidée", "relevée", "to be checked",
                       "doctrine.fr", "livv", "source_note"):
            assert phrase not in page, phrase
        for offence in OFFENCES.values():
            assert offence.source_note[:60] not in page


def test_the_simulator_qualifies_a_pupil_harassed_by_classmates(client):
    response = _simulate(client, kinds=["insults"], victim_age="13", repeated="yes",
                         school="yes", authors="3", public="no", started_on="2026-10-25",
                         last_on="2026-11-25")
    assert response.status_code == 200
    page = response.text
    result = page[page.index('id="resultat"'):page.index('id="simulator-form"')]
    assert 'id="result-222-33-2-3"' in result and "Harcèlement scolaire" in result
    assert "3 ans / 45\u202f000 €" in result and "25 novembre 2032" in result
    assert "131-35-1" in result and 'id="result-R621-2"' not in result
    # what was typed is kept in the form
    assert 'name="victim_age" type="number" min="0" max="120" inputmode="numeric" value="13"' \
        in page
    assert '<option value="yes" selected>' in page


def test_the_simulator_puts_3114_and_112_first_after_a_suicide_attempt(client):
    page = _simulate(client, kinds=["insults"], victim_age="14", repeated="yes", school="yes",
                     suicide_or_attempt="yes").text
    assert page.index('id="urgent-help"') < page.index('id="result-222-33-2-3"')
    assert "3114" in page and "10 ans / 150\u202f000 €" in page


def test_the_simulator_says_an_old_public_insult_is_time_barred_and_what_remains(client):
    page = _simulate(client, kinds=["insults"], public="yes", repeated="no",
                     started_on="2018-05-14", last_on="2018-05-14").text
    assert "Prescrit depuis le 14 août 2018" in page
    remedies = page[page.index('id="remedies"'):]
    assert "pas de délai" in remedies


def test_the_simulator_says_when_the_date_is_unknown_or_estimated(client):
    unknown = _simulate(client, kinds=["insults"], repeated="yes").text
    assert "Date des faits inconnue" in unknown
    estimated = _simulate(client, kinds=["insults"], repeated="yes",
                          approximately="depuis environ un mois").text
    assert "Date estimée" in estimated


def test_the_simulator_refuses_bad_answers_in_the_readers_language_and_keeps_them(client):
    response = _simulate(client, kinds=["threats"], victim_age="300", approximately="hier soir")
    assert response.status_code == 400
    assert "Âge : un nombre entier entre 0 et 120." in response.text
    assert 'value="hier soir"' in response.text and 'value="threats" checked' in response.text
    client.get("/vos-droits", params={"lang": "en"})
    english = _simulate(client, started_on="25/11/2026")
    assert english.status_code == 400 and "a date is expected" in english.text


def test_the_simulator_needs_its_csrf_token(client):
    client.get("/vos-droits")
    assert client.post("/vos-droits/simulateur", data={"repeated": "yes"}).status_code == 403


def test_the_page_works_without_javascript(client):
    page = client.get("/vos-droits", params={"lang": "fr"}).text
    assert "<script" not in re.sub(r'<script src="/static/js/[a-z-]+\.js" defer></script>', "",
                                   page)
    assert 'action="/vos-droits/simulateur#resultat"' in page and 'method="post"' in page

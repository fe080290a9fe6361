"""Guidance pages: each renders in French and English; the self-assessment routes correctly."""

from __future__ import annotations

import re

import pytest

from tests.integration.pages_support import csrf

PAGES = ["/victime", "/temoin", "/parent", "/aide", "/numeros", "/vos-droits", "/auto-evaluation"]


@pytest.mark.parametrize("path", PAGES)
def test_it_renders_each_page_in_french_and_english(client, path):
    french = client.get(path, params={"lang": "fr"})
    english = client.get(path, params={"lang": "en"})
    assert french.status_code == english.status_code == 200
    assert '<html lang="fr">' in french.text and '<html lang="en">' in english.text
    assert "<script" not in re.sub(r'<script src="/static/js/quick-exit.js" defer></script>', "",
                                   french.text)


def test_it_teaches_good_screenshots_and_complaints_against_unknown_authors(client):
    page = client.get("/victime", params={"lang": "fr"}).text
    for words in ("date et l'heure", "URL", "vrai pseudo", "se chevauchent",
                  "Ne modifie jamais", "plainte contre X", 'href="/signaler?role=victim"'):
        assert words in page
    english = client.get("/victime", params={"lang": "en"}).text
    assert "overlapping" in english and "Never edit" in english


def test_it_tells_witnesses_not_to_share(client):
    assert "Ne transférez pas" in client.get("/temoin", params={"lang": "fr"}).text
    assert "Do not forward" in client.get("/temoin", params={"lang": "en"}).text


def test_it_shows_open_now_or_opens_at_for_each_service(client):
    page = client.get("/aide", params={"lang": "fr"}).text
    block = page[page.index('id="service-3018"'):]
    block = block[:block.index("</li>")]
    assert re.search(r"Ouvert maintenant, jusqu’à 23:00|Fermé, ouvre ", block)
    assert "Remplacé par 3018" in page
    english = client.get("/aide", params={"lang": "en"}).text
    assert re.search(r"Open now, until 23:00|Closed, opens ", english)


def test_it_shows_offences_with_articles_and_the_disclaimer(client):
    page = client.get("/vos-droits", params={"lang": "fr"}).text
    assert "article 222-33-2-2 du Code pénal" in page and "article 65 de la loi" in page
    assert "pas un conseil juridique" in page
    derivation = re.search(r'id="seed-derivation">([^<]+)<', page).group(1)
    assert "+ en ligne" in derivation and "3 ans / 45" in derivation
    assert "6 ans" in page and "au moins 2 circonstances aggravantes" in page
    assert "not legal advice" in client.get("/vos-droits", params={"lang": "en"}).text


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["Harcèlement sexuel (y compris en ligne)", "Chantage (dont la « sextorsion »)",
            "amende de 1\u202f500 €", "3 ans / 45\u202f000 €", "suivies d&#39;une rencontre",
            "article 24, alinéas 7 et 8, de la loi du 29 juillet 1881"]),
    ("en", ["Sexual harassment (including online)", "Blackmail (including",
            "a fine of 1\u202f500 €", "5 years / 75\u202f000 €", "followed by a meeting",
            "article 65-3 de la loi du 29 juillet 1881"]),
])
def test_it_lists_the_offences_the_classifier_points_to(client, language, expected):
    page = client.get("/vos-droits", params={"lang": language}).text
    for offence_id in ("222-33", "312-10", "227-22-1", "24-loi-1881", "R625-8-1"):
        assert f'id="offence-{offence_id}"' in page
    for phrase in expected:
        assert phrase in page


def _assess(client, **answers):
    data = {"csrf_token": csrf(client, "/auto-evaluation"), **answers}
    return client.post("/auto-evaluation", data=data)


def test_it_routes_a_witness_to_the_witness_path(client):
    page = _assess(client, role="witness", what=["insults"], public="yes").text
    assert 'id="path-link" href="/temoin"' in page and 'id="emergency"' not in page
    assert 'id="service-pharos"' in page


def test_it_routes_a_parent_to_the_parent_path_with_119(client):
    page = _assess(client, role="adult", what=["intimate_images"], under_18="yes").text
    assert 'href="/parent"' in page
    assert 'id="service-119"' in page and 'id="service-takeitdown"' in page


def test_it_recognises_repeated_harassment_and_suggests_offences(client):
    page = _assess(client, role="victim", what=["insults"], repeated="yes", under_18="yes").text
    assert "ressemble à du harcèlement" in page and 'href="/victime"' in page
    assert "222-33-2-2" in page and "pas un conseil juridique" in page


def test_it_puts_112_and_3114_first_on_danger(client):
    page = _assess(client, role="victim", danger_now="yes", suicidal_thoughts="yes",
                   what=["threats"]).text
    first_services = re.findall(r'id="service-([^"]+)"', page)
    assert first_services[:2] == ["112", "3114"]
    assert page.index('id="emergency"') < page.index('id="verdict"')


def test_it_puts_112_and_3114_first_on_suicidal_thoughts_alone(client):
    page = _assess(client, role="witness", suicidal_thoughts="yes").text
    assert re.findall(r'id="service-([^"]+)"', page)[:2] == ["112", "3114"]


def test_it_refuses_a_form_without_its_csrf_token(client):
    client.get("/auto-evaluation")
    response = client.post("/auto-evaluation", data={"role": "victim"})
    assert response.status_code == 403

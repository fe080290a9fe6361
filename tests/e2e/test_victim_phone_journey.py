"""A victim on a phone (360 x 740) in Debian's Chromium: reports, notes the code and passphrase,
leaves with the quick exit and presses Back (neither the form nor its text comes back), returns
with code + passphrase, opens the complaint letter. axe-core runs on every page of the walk."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from rempart.domain.facts import BOOLEAN_FACTS
from rempart.security import passphrase
from tests.e2e.axe_support import axe_violations, describe

pytestmark = pytest.mark.e2e
NEUTRAL = re.compile(r"^https://www\.google\.fr/")
STORY = "Des élèves de ma classe m'insultent sur Instagram depuis un mois, tous les jours."
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
# The facts the law needs, as a pupil harassed by classmates answers them (issue 11, 1).
FACTS_YES = ("repeated", "public", "school", "known_authors")


def _phone(browser):
    context = browser.new_context(**PHONE)
    context.route(NEUTRAL, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Recherche</title>neutral"))
    return context


def _accessible(page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}:\n{describe(found)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, where


def _answer_the_facts(page) -> list[str]:
    """Fills the facts questions by their name attributes, where the form has them."""
    answered = []
    for name in BOOLEAN_FACTS:
        wanted = "yes" if name in FACTS_YES else "no"
        for value in ((wanted, "1", "true") if wanted == "yes" else (wanted, "0", "false")):
            choice = page.locator(f'input[name="{name}"][value="{value}"]')
            if choice.count():
                choice.first.check()
                answered.append(name)
                break
    for name, value in (("victim_age", "13"), ("authors", "2")):
        field = page.locator(f'[name="{name}"]')
        if field.count():
            if field.first.get_attribute("type") == "radio":
                page.locator(f'input[name="{name}"][value="{value}"]').check()
            elif field.first.evaluate("e => e.tagName") == "SELECT":
                field.first.select_option(value)
            else:
                field.first.fill(value)
            answered.append(name)
    return answered


def test_a_victim_reports_on_a_phone_leaves_quickly_and_comes_back(server, browser, tmp_path):
    base = server["base"]
    screenshot = tmp_path / "capture-insultes.png"
    Image.new("RGB", (360, 740), "#cc3344").save(screenshot, "PNG")
    context = _phone(browser)
    page = context.new_page()

    # Home, the victim's path, the report form: accessible and no wider than the phone.
    page.goto(base + "/")
    _accessible(page, "home")
    page.get_by_role("link", name="Je suis victime").click()
    page.wait_for_url(re.compile(r"/victime"))
    _accessible(page, "/victime")
    page.locator('a[href^="/signaler"]').first.click()
    page.wait_for_url(re.compile(r"/signaler"))
    _accessible(page, "/signaler")

    # The report, by the form's name attributes.
    victim = page.locator('input[name="reporter_role"][value="victim"]')
    if victim.count():
        victim.check()
    page.locator('[name="description"]').fill(STORY)
    page.locator('input[name="kinds"][value="insults"]').check()
    page.locator('input[name="kinds"][value="group_harassment"]').check()
    page.locator('input[name="platforms"][value="Instagram"]').check()
    page.locator('[name="urls"]').fill("https://www.instagram.com/p/exemple123/")
    minor = page.locator('input[name="victim_is_minor"]')
    if minor.count():
        minor.check()
    today = date.today()
    page.locator('[name="started_on"]').fill((today - timedelta(days=30)).isoformat())
    page.locator('[name="last_on"]').fill(today.isoformat())
    answered = _answer_the_facts(page)
    page.locator('input[name="evidence"]').set_input_files(str(screenshot))
    page.get_by_role("button", name="Envoyer mon signalement").click()

    # Report received: the code and the passphrase, in "tu", with what to do now.
    page.wait_for_selector("#case-code")
    code = page.locator("#case-code").inner_text().strip()
    secret = page.locator("#passphrase").inner_text().strip()
    assert passphrase.normalize_case_code(code) == code
    assert len(secret.split()) == passphrase.words_needed() == 7
    assert page.get_by_role("heading", name="Ton signalement a bien été reçu").is_visible()
    assert page.locator("#step-3018 a[href='tel:3018']").is_visible()
    assert page.locator("#answer-time").inner_text().count("72") == 1
    assert page.locator(".copy-button").first.is_visible()  # JavaScript showed them
    page.locator(".copy-button[data-copy='passphrase']").click()
    page.locator("#copy-status").filter(has_text="Copié").wait_for()
    page.locator(".qr-details summary").click()
    assert page.locator("svg.qr").is_visible()
    short = page.locator("code.hash-short").first
    assert len(short.inner_text().strip()) == 13  # 12 hex digits and an ellipsis
    with page.expect_download() as card:
        page.get_by_role("button", name="Télécharger en fichier texte").click()
    card_text = Path(card.value.path()).read_text("utf-8")
    assert code in card_text and secret in card_text
    _accessible(page, "report received")

    # Quick exit, then Back: neither the form nor what was typed comes back.
    page.get_by_role("link", name="Quitter rapidement").click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.startswith(base + "/signaler"), page.url
    html = page.content()
    assert STORY not in html and "m'insultent" not in html and secret not in html
    assert page.locator('[name="description"]').count() == 0
    context.close()

    # Days later: code and passphrase typed as one types on a phone (no accents, capitals).
    context = _phone(browser)
    page = context.new_page()
    page.goto(base + "/dossier")
    _accessible(page, "/dossier")
    page.get_by_label("Code du dossier").fill(code.lower().replace("-", " "))
    page.get_by_label("Phrase secrète").fill(
        "  " + passphrase.normalize_passphrase(secret).upper() + " ")
    page.get_by_role("button", name="Ouvrir mon dossier").click()
    page.get_by_text("Statut").first.wait_for()
    assert "capture-insultes.png" in page.content()
    _accessible(page, "case page")

    # The complaint letter, from the documents page.
    page.goto(base + "/dossier/documents")
    _accessible(page, "documents")
    # The deadline, from the dates given: a délit is prescribed 6 years after the last act
    # (art. 8 CPP), so the reminder names a year at least six years ahead.
    reminders = page.locator("ul.reminders li")
    assert reminders.count() >= 1
    years = {int(y) for y in re.findall(r"\b(20\d\d)\b", " ".join(reminders.all_inner_texts()))}
    assert any(y >= today.year + 6 for y in years), years
    with page.expect_download() as letter:
        page.get_by_role("button", name="Télécharger la lettre (PDF)").click()
    pdf = Path(letter.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    # pdftotext comes with poppler-utils, which the set-up installs.
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "procureur" in text.lower()
    assert code in text
    assert {"repeated", "school"} <= set(answered)
    assert "222-33-2-3" in text  # harcèlement scolaire, not an injure non publique
    context.close()

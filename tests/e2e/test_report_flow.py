"""End to end in Debian's Chromium: a witness reports, comes back, a responder answers.

Also: quick exit without JavaScript, and the report form on a 360-pixel-wide phone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from PIL import Image

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.staff import StaffRole
from rempart.services import staff as staff_services

pytestmark = pytest.mark.e2e
NEUTRAL = re.compile(r"^https://www\.google\.fr/")
PASSWORD = "un mot de passe assez long"


def _screenshot(folder: Path, name: str, color: str) -> Path:
    path = folder / name
    Image.new("RGB", (390, 844), color).save(path, "PNG")
    return path


def _no_outside_traffic(context) -> None:
    """The neutral site of the quick exit is answered locally: no traffic leaves the machine."""
    context.route(NEUTRAL, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Recherche</title>neutral"))


def _add_counselor(server) -> str:
    services = bootstrap.build(Settings(data_dir=Path(server["data_dir"])))
    try:
        _, secret = staff_services.add_staff(services.uow(), services.totp_box,
                                             "conseil@example.org", PASSWORD,
                                             StaffRole.COUNSELOR)
    finally:
        services.dispose()
    return secret


def test_a_witness_reports_comes_back_and_reads_the_reply(server, browser, tmp_path):
    base = server["base"]
    reporter = browser.new_context(viewport={"width": 390, "height": 844})
    _no_outside_traffic(reporter)
    page = reporter.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name="Je suis témoin").click()
    page.get_by_role("link", name="Signaler un harcèlement").first.click()
    assert page.get_by_label("Je suis témoin").is_checked()
    page.get_by_label("Que s’est-il passé ?").fill("Une élève reçoit des insultes en groupe.")
    page.get_by_label("Insultes, moqueries").check()
    page.get_by_label("Harcèlement en groupe, « raid »").check()
    page.get_by_label("Instagram").check()
    page.get_by_label("Liens vers les messages ou les comptes").fill(
        "https://instagram.example/p/123")
    page.get_by_label("Captures d’écran, vidéos ou fichiers").set_input_files(
        str(_screenshot(tmp_path, "capture-1.png", "#cc3344")))
    page.get_by_role("button", name="Envoyer mon signalement").click()
    page.wait_for_selector("#case-code")
    code = page.locator("#case-code").inner_text().strip()
    secret = page.locator("#passphrase").inner_text().strip()
    assert "capture-1.png" in page.content()
    reporter.close()

    # Days later, on another device: code + passphrase, then a second file.
    back = browser.new_context()
    page = back.new_page()
    page.goto(base + "/dossier")
    page.get_by_label("Code du dossier").fill(code)
    page.get_by_label("Phrase secrète").fill(secret)
    page.get_by_role("button", name="Ouvrir mon dossier").click()
    page.get_by_text("Statut :").wait_for()
    page.get_by_label("Ajouter des fichiers").set_input_files(
        str(_screenshot(tmp_path, "capture-2.png", "#3344cc")))
    page.get_by_role("button", name="Ajouter à mon dossier").click()
    page.get_by_text("Vos fichiers ont été ajoutés").wait_for()
    assert "capture-2.png" in page.content() and "capture-1.png" in page.content()

    # A counselor logs in with password + TOTP, sees the case, reveals an image and replies.
    totp_secret = _add_counselor(server)
    staff = browser.new_context()
    desk = staff.new_page()
    desk.goto(base + "/staff")
    desk.get_by_label("E-mail").fill("conseil@example.org")
    desk.get_by_label("Mot de passe").fill(PASSWORD)
    desk.get_by_label("Code de votre application d’authentification").fill(
        pyotp.TOTP(totp_secret).now())
    desk.get_by_role("button", name="Se connecter").click()
    desk.get_by_role("link", name=code).click()
    # Blurred on the server: the page loads only the blurred preview until someone reveals it.
    thumb = desk.locator("img.thumb.preview").first
    assert thumb.get_attribute("src").endswith("/preview")
    assert desk.locator("img.thumb.revealed").count() == 0
    desk.locator("a.thumb-frame").first.click()
    revealed = desk.locator("img.thumb.revealed").first
    revealed.wait_for()
    assert not revealed.get_attribute("src").endswith("/preview")
    # Visible is not loaded (thumbnails load lazily): wait for the bytes before measuring them.
    revealed.scroll_into_view_if_needed()
    desk.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=revealed.element_handle())
    assert revealed.evaluate("e => e.naturalWidth") == 390  # served through the audited route
    desk.get_by_label("Répondre à la personne qui signale").fill(
        "Merci. Nous signalons le compte à Instagram.")
    desk.get_by_role("button", name="Envoyer la réponse").click()
    desk.get_by_text("Réponse envoyée").wait_for()
    staff.close()

    page.goto(base + "/dossier")
    assert "Merci. Nous signalons le compte à Instagram." in page.content()
    assert "Équipe Rempart" in page.content()
    back.close()


def test_quick_exit_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    _no_outside_traffic(context)
    page = context.new_page()
    page.goto(server["base"] + "/signaler")
    page.get_by_role("link", name="Quitter rapidement").click()
    page.wait_for_url(NEUTRAL)
    assert "neutral" in page.content()
    context.close()


def test_quick_exit_with_javascript_leaves_no_history_entry(server, browser):
    context = browser.new_context()
    _no_outside_traffic(context)
    page = context.new_page()
    page.goto(server["base"] + "/")
    page.goto(server["base"] + "/signaler")
    page.get_by_role("link", name="Quitter rapidement").click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert not page.url.endswith("/signaler")  # the report form was replaced, not stacked
    context.close()


def test_the_report_form_works_on_a_360_pixel_phone(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(server["base"] + "/signaler")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".quick-exit").is_visible()
    page.get_by_label("Que s’est-il passé ?").fill("On publie mon adresse.")
    page.get_by_label("Divulgation d’informations personnelles (adresse, téléphone…)").check()
    page.get_by_role("button", name="Envoyer mon signalement").click()
    page.wait_for_selector("#case-code")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

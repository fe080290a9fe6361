"""A counsellor's day in Debian's Chromium, on ``rempart serve`` (the background jobs run in
the serving process): log in with TOTP, take the case, draft a takedown, mark it sent through
the platform's form, record the platform's decision with its statement of reasons, make a
referral, reply — and the reporter's notification e-mail reaches a real local SMTP server; the
reporter's timeline shows what was done."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.staff import StaffRole
from rempart.services import staff as staff_services
from tests.integration.pages_support import file_report
from tests.integration.server_support import free_port, wait_ready

pytestmark = pytest.mark.e2e
PASSWORD = "un mot de passe assez long"
URL = "https://www.instagram.com/p/e2e-journey/"


@pytest.fixture(scope="module")
def smtp() -> Iterator[object]:
    from aiosmtpd.controller import Controller

    from tests.integration.workbench_support import Mailbox, _Handler

    box = Mailbox(free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, smtp) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("rempart-journey")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMPART_")}
    env.update({"REMPART_DATA_DIR": str(data_dir), "REMPART_PORT": str(port),
                "REMPART_SMTP_URL": smtp.url, "REMPART_SMTP_FROM": "rempart@asso.example",
                "REMPART_ORGANISATION_NAME": "Association Test",
                "REMPART_ORGANISATION_EMAIL": "dsa@asso.example",
                "REMPART_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    process = subprocess.Popen([str(Path(sys.executable).with_name("rempart")), "serve"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, 120)
        yield {"base": base, "data_dir": str(data_dir)}
    finally:
        process.terminate()
        process.wait(30)


def _shot(page, name: str) -> None:
    """docs/back-office.md's screenshots, when REMPART_SCREENSHOTS names a folder."""
    folder = os.environ.get("REMPART_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_counsellor_follows_a_case_through_and_the_reporter_is_told(browser, served, smtp):
    base = served["base"]
    with httpx.Client(base_url=base) as client:
        code, passphrase, _ = file_report(client, description="Il publie mes photos et menace.",
                                          kinds=["threats"], platforms=["Instagram"],
                                          urls=URL, contact="victime@example.org")
    services = bootstrap.build(Settings(data_dir=Path(served["data_dir"])))
    try:
        _, secret = staff_services.add_staff(services.uow(), services.totp_box,
                                             "lea@asso.example", PASSWORD, StaffRole.COUNSELOR)
    finally:
        services.dispose()

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/staff/login")
    page.get_by_label("E-mail").fill("lea@asso.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label(re.compile("Code de votre application")).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=code).click()
    take = page.get_by_role("button", name="Prendre ce dossier")
    if take.count():  # WB-B's assignment
        take.click()

    page.get_by_role("link", name="Demandes de retrait").click()
    page.get_by_label("Adresse du contenu").fill(URL)
    page.get_by_label("Plateforme").select_option("Instagram")
    page.get_by_role("button", name="Préparer la demande").click()
    assert page.locator('[data-status="drafted"]').count() == 1
    page.get_by_label("Référence donnée par la plateforme").fill("IG-2026-001")
    page.get_by_role("button", name="Marquer comme envoyée par le formulaire").click()
    assert page.locator('[data-status="sent"]').count() == 1
    page.get_by_label("Nouvel état").select_option("removed")
    page.get_by_label("decision_visibility").select_option("DECISION_VISIBILITY_CONTENT_REMOVED")
    page.get_by_label("decision_ground").select_option("DECISION_GROUND_ILLEGAL_CONTENT")
    page.get_by_label("category_specification").select_option(
        ["KEYWORD_CYBER_HARASSMENT", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"])
    page.get_by_label("PUID").fill("puid-e2e-1")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert page.locator('[data-status="removed"]').count() == 1
    assert "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING" in page.content()
    _shot(page, "back-office-takedowns.png")

    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_role("link", name="Orientations et signalements").first.click()
    page.get_by_label("Destinataire").select_option("pharos")
    page.get_by_label(re.compile("^Référence")).fill("PHA-E2E-7")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    assert page.locator('[data-target="pharos"]').count() == 1

    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_label(re.compile("Répondre")).first.fill("Bonjour, le contenu a été retiré.")
    page.get_by_role("button", name=re.compile("Envoyer la réponse")).click()
    assert _wait(lambda: len(smtp.messages) >= 1, 90), "no e-mail reached the SMTP server"
    mail = smtp.messages[0]
    assert mail["X-Envelope-To"] == "victime@example.org"
    body = mail.get_payload(decode=True).decode()
    assert code not in body and "retiré" not in body and f"{base}/dossier" in body
    context.close()

    reporter = browser.new_context(locale="fr-FR").new_page()
    reporter.goto(base + "/dossier")
    reporter.get_by_label(re.compile("[Cc]ode")).first.fill(code)
    reporter.get_by_label(re.compile("[Pp]hrase")).first.fill(passphrase)
    reporter.get_by_role("button", name=re.compile("Ouvrir")).click()
    timeline = reporter.locator("ol.timeline").inner_text()
    assert "La demande a été envoyée à Instagram." in timeline
    assert "Instagram a retiré le contenu ou en a bloqué l'accès." in timeline
    assert "PHA-E2E-7" in timeline
    _shot(reporter, "portal-timeline.png")
    reporter.get_by_role("button", name="Supprimer mon adresse e-mail").click()
    assert "Votre adresse e-mail a été supprimée." in reporter.content()

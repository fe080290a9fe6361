"""The back-office in Debian's Chromium: queue filters and search, assignment, the evidence
viewer (blurred, revealed, zoomed, played), and the statistics page with its SVG charts.

Also writes the screenshots of docs/back-office.md when REMPART_SCREENSHOTS names a folder.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import numpy as np
import pyotp
import pytest
from PIL import Image

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.cases import CaseKind, ReportFields
from rempart.domain.facts import ReportFacts
from rempart.domain.staff import StaffRole
from rempart.services import cases
from rempart.services import staff as staff_services

pytestmark = pytest.mark.e2e
PASSWORD = "un mot de passe assez long"


def _photo(seed: int) -> bytes:
    noise = (np.random.default_rng(seed).random((12, 12, 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(noise).resize((480, 360), Image.BILINEAR).save(out, "PNG")
    return out.getvalue()


def _clip(folder: Path) -> bytes:
    """A two-second MP4 made by ffmpeg (the formats a reporter may upload: see media.sniff)."""
    path = folder / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p",
                    str(path)], check=True)
    return path.read_bytes()


@pytest.fixture(scope="module")
def desk(server, tmp_path_factory):
    """Three cases (one a death threat to a 13-year-old, with an image, a video and a near
    copy of the image), two counsellors."""
    services = bootstrap.build(Settings(data_dir=Path(server["data_dir"])))
    try:
        secrets, members = {}, {}
        # One account per login: a TOTP code is accepted once, and the tests log in quickly.
        for email in ("lea@example.org", "marc@example.org", "nina@example.org"):
            members[email], secrets[email] = staff_services.add_staff(
                services.uow(), services.totp_box, email, PASSWORD, StaffRole.COUNSELOR)
        urgent = cases.submit_report(services.uow(), services.store, ReportFields(
            description="Il écrit qu'il va me tuer à la sortie du collège.",
            kinds=(CaseKind.THREATS,), platforms=("Snapchat",), author_handles=("@le_corbeau",),
            facts=ReportFacts(victim_age=13, death_threat=True)), [
            cases.Upload("capture.png", "image/png", io.BytesIO(_photo(1))),
            cases.Upload("video.mp4", "video/mp4",
                         io.BytesIO(_clip(tmp_path_factory.mktemp("clip"))))],
            services.limits)
        copy = io.BytesIO()
        Image.open(io.BytesIO(_photo(1))).resize((400, 300)).save(copy, "JPEG", quality=70)
        cases.add_evidence(services.uow(), services.store, urgent.case_id, [
            cases.Upload("capture-recadree.jpg", "image/jpeg", io.BytesIO(copy.getvalue()))],
            services.limits)
        insults = cases.submit_report(services.uow(), services.store, ReportFields(
            description="Des moqueries sur Discord", kinds=(CaseKind.INSULTS,),
            platforms=("Discord",), author_handles=("@le_corbeau",)), [], services.limits)
        staff_services.reply(services.uow(), members["marc@example.org"], insults.case_id,
                             "Bonjour, nous avons bien reçu votre signalement.")
        other = cases.submit_report(services.uow(), services.store, ReportFields(
            description="Un faux compte à mon nom", kinds=(CaseKind.IDENTITY_THEFT,),
            platforms=("Instagram",)), [], services.limits)
    finally:
        services.dispose()
    return {"secrets": secrets, "urgent": urgent.code, "insults": insults.code,
            "other": other.code}


def _login(browser, base: str, email: str, secret: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/staff/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de votre application d’authentification").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/staff")
    return context, page


def _shot(page, name: str) -> None:
    folder = os.environ.get("REMPART_SCREENSHOTS")
    if folder:
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_a_counsellor_filters_searches_takes_a_case_and_views_the_evidence(
        server, browser, desk):
    base = server["base"]
    context, page = _login(browser, base, "lea@example.org", desk["secrets"]["lea@example.org"])
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 3
    first = rows.first.inner_text()
    assert desk["urgent"] in first and "menace de mort · victime de 13 ans" in first
    assert page.get_by_text("Alerte raid").count() == 0  # two cases are not a raid
    _shot(page, "back-office-queue.png")

    page.get_by_label("Plateforme").select_option("Discord")
    page.get_by_role("button", name="Filtrer").click()
    assert rows.count() == 1 and desk["insults"] in rows.first.inner_text()
    page.goto(base + "/staff")
    page.get_by_label("Rechercher").fill("faux compte")
    page.get_by_role("button", name="Filtrer").click()
    assert rows.count() == 1 and desk["other"] in rows.first.inner_text()

    page.goto(base + "/staff")
    page.get_by_role("link", name=desk["urgent"]).click()
    page.get_by_role("button", name="Prendre ce dossier").click()
    assert "lea@example.org" in page.locator("#assignee").inner_text()
    related = page.locator("#related-cases").inner_text()
    assert desk["insults"] in related and "le_corbeau" in related
    assert page.get_by_text("quasi-copie, groupe 1").count() == 2

    # Blurred previews first; revealing one loads the real file.
    preview = page.locator("img.preview").first
    preview.scroll_into_view_if_needed()  # loaded lazily
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=preview.element_handle())
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "back-office-case.png")
    page.get_by_role("link", name="Preuve capture.png (floutée)").click()
    revealed = page.locator("img.revealed")
    revealed.wait_for()
    revealed.scroll_into_view_if_needed()  # visible is not loaded: wait for its bytes
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=revealed.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", revealed.element_handle()) == 480
    page.get_by_role("link", name="Taille réelle et zoom").click()
    page.get_by_role("link", name="×2").click()
    zoomed = page.locator(".viewer.zoom-2 img")
    zoomed.wait_for()
    assert zoomed.bounding_box()["width"] > 1.5 * page.locator(".viewer").bounding_box()["width"]

    # The video plays in the page's own player (no script of ours), fetched only on demand.
    page.goto(base + "/staff")
    page.get_by_role("link", name=desk["urgent"]).click()
    player = page.locator("video.player")
    player.wait_for()
    duration = page.evaluate("""(video) => new Promise((done) => {
        video.addEventListener('loadedmetadata', () => done(video.duration));
        video.addEventListener('error', () => done(-1));
        video.load(); })""", player.element_handle())
    assert 1.5 < duration < 2.5
    page.goto(base + "/staff?assignee=me")
    assert rows.count() == 1 and desk["urgent"] in rows.first.inner_text()
    context.close()

    # The colleague sees who has it, and the case is no longer "nobody's".
    context, page = _login(browser, base, "marc@example.org",
                           desk["secrets"]["marc@example.org"])
    page.get_by_label("Suivi par").select_option("none")
    page.get_by_role("button", name="Filtrer").click()
    assert desk["urgent"] not in page.locator("table.queue").inner_text()
    context.close()


def test_the_statistics_page_renders_its_svg_charts_under_the_strict_csp(
        server, browser, desk):
    base = server["base"]
    context, page = _login(browser, base, "nina@example.org",
                           desk["secrets"]["nina@example.org"])
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(base + "/staff/stats")
    charts = page.locator(".charts img")
    assert charts.count() == 6
    for index in range(6):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete", arg=chart.element_handle())
        assert page.evaluate("(img) => img.naturalWidth", chart.element_handle()) > 100
    assert not [p for p in problems if "Content Security Policy" in p], problems
    _shot(page, "back-office-statistics.png")
    context.close()

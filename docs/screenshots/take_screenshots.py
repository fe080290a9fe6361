"""README screenshots: `.venv/bin/python docs/screenshots/take_screenshots.py`.

Uses headless Debian Chromium. Starts Rempart on a free port with a temporary data folder, files
two example reports, creates a counselor, and captures the report form (phone and desktop), the
back-office queue and a case.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pyotp
from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.staff import StaffRole
from rempart.services import staff as staff_services
from rempart.store import migrate

OUT = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "un mot de passe assez long"  # noqa: S105 (a throw-away demo account)


def _fake_screenshot(path: Path, lines: list[str]) -> None:
    image = Image.new("RGB", (390, 700), "#f4f1fa")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.rounded_rectangle((20, 40 + i * 90, 370, 110 + i * 90), 14, fill="#ffffff")
        draw.text((36, 62 + i * 90), line, fill="#222222")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(data_dir=data_dir)
    settings.ensure_data_dir()
    migrate.upgrade(settings.resolved_database_url)
    env = dict(os.environ, REMPART_DATA_DIR=str(data_dir))
    env.pop("REMPART_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "rempart.web.app:create_app",
                                "--factory", "--host", "127.0.0.1", "--port", str(port),
                                "--no-access-log"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    return process, base


def _report(page, base: str, text: str, kinds: list[str], minor: bool, shot: Path) -> None:
    page.goto(base + "/signaler")
    page.get_by_label("Que s’est-il passé ?").fill(text)
    for kind in kinds:
        page.get_by_label(kind).check()
    if minor:
        page.get_by_label("La personne harcelée a moins de 18 ans").check()
    page.get_by_label("Instagram").check()
    page.get_by_label("Captures d’écran, vidéos ou fichiers").set_input_files(str(shot))
    page.get_by_role("button", name="Envoyer mon signalement").click()
    page.wait_for_selector("#case-code")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        process, base = _serve(data_dir)
        try:
            shot = Path(tmp) / "capture.png"
            _fake_screenshot(shot, ["t'es qu'une ***", "tout le monde te deteste",
                                    "on sait ou tu habites"])
            services = bootstrap.build(Settings(data_dir=data_dir))
            _, secret = staff_services.add_staff(services.uow(), "conseil@example.org", PASSWORD,
                                                 StaffRole.COUNSELOR)
            services.dispose()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                phone = browser.new_page(viewport={"width": 390, "height": 844},
                                         device_scale_factor=2, locale="fr-FR")
                phone.goto(base + "/signaler")
                phone.screenshot(path=str(OUT / "report-form-phone.png"))
                desktop = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
                desktop.goto(base + "/signaler")
                desktop.screenshot(path=str(OUT / "report-form.png"), full_page=True)
                _report(desktop, base, "On publie des captures de moi avec des insultes dans un "
                        "groupe de classe, et quelqu'un a écrit mon adresse.",
                        ["Insultes, moqueries", "Divulgation d’informations personnelles "
                         "(adresse, téléphone…)"], True, shot)
                desktop.screenshot(path=str(OUT / "report-received.png"), full_page=True)
                _report(desktop, base, "Un faux compte à mon nom envoie des messages.",
                        ["Usurpation d’identité, faux compte"], False, shot)
                desktop.goto(base + "/staff/login")
                desktop.get_by_label("E-mail").fill("conseil@example.org")
                desktop.get_by_label("Mot de passe").fill(PASSWORD)
                desktop.get_by_label("Code de votre application d’authentification").fill(
                    pyotp.TOTP(secret).now())
                desktop.get_by_role("button", name="Se connecter").click()
                desktop.wait_for_url(base + "/staff")
                desktop.screenshot(path=str(OUT / "staff-queue.png"), full_page=True)
                desktop.locator("table.queue a").first.click()
                desktop.screenshot(path=str(OUT / "staff-case.png"), full_page=True)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()

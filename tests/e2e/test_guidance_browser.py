"""Guidance pages in Debian's Chromium on a 360-pixel phone, with JavaScript turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

PAGES = ["/victime", "/temoin", "/parent", "/aide", "/vos-droits", "/auto-evaluation"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_guidance_pages_fit_a_360_pixel_phone(server, browser, language):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  java_script_enabled=False)
    page = context.new_page()
    for path in PAGES:
        page.goto(f"{server['base']}{path}?lang={language}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert page.locator(".quick-exit").is_visible()
    context.close()


def test_the_self_assessment_works_without_javascript(server, browser, tmp_path: Path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(server["base"] + "/auto-evaluation?lang=fr")
    page.get_by_label("Quelqu’un est en danger immédiat").check()
    page.get_by_label("J’ai, ou la personne a, des idées de suicide").check()
    page.get_by_role("button", name="Voir quoi faire").click()
    page.wait_for_selector("#emergency")
    cards = page.locator(".service-card").evaluate_all("cards => cards.map(c => c.id)")
    assert cards[:2] == ["service-112", "service-3114"]
    page.screenshot(path=str(tmp_path / "danger.png"), full_page=True)
    context.close()

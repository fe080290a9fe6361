"""axe-core in Chromium: no serious or critical violation on the public pages, on a phone
(360 x 740) and on a desktop, in French and in English."""

from __future__ import annotations

import pytest

from tests.e2e.axe_support import axe_violations, describe

pytestmark = pytest.mark.e2e
PUBLIC_PAGES = ("/", "/aide", "/victime", "/temoin", "/parent", "/auto-evaluation",
                "/vos-droits", "/signaler", "/dossier", "/stop-images", "/staff")


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740},
                                      {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_public_pages_have_no_serious_or_critical_axe_violation(server, browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = {}
    try:
        for path in PUBLIC_PAGES:
            for lang in ("fr", "en"):
                answer = page.goto(f"{server['base']}{path}?lang={lang}")
                assert answer is not None and answer.status == 200, path
                found = axe_violations(page)
                if found:
                    problems[f"{path}?lang={lang}"] = describe(found)
    finally:
        context.close()
    assert not problems, "\n".join(f"{p}:\n{d}" for p, d in problems.items())


def test_axe_really_reports_a_broken_page(server, browser):
    """The check above can fail: a nameless button and an image without alt are reported."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server["base"] + "/")
    page.evaluate("""() => { const b = document.createElement('button');
      document.querySelector('main').appendChild(b);
      const i = document.createElement('img'); i.src = '/static/none.png';
      document.querySelector('main').appendChild(i); }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert {"button-name", "image-alt"} <= ids
    context.close()


def test_the_language_link_is_named_by_its_visible_text(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server["base"] + "/")
    link = page.get_by_role("link", name="EN – English")
    assert link.evaluate("e => e.firstChild.textContent").strip() == "EN"  # what one sees
    box = link.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24
    context.close()


def test_the_focus_outline_contrasts_3_to_1_with_the_page(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server["base"] + "/")
    page.keyboard.press("Tab")  # the skip link, then the brand in the header
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    colors = page.evaluate("""() => {
      const el = document.activeElement, style = getComputedStyle(el);
      let bg = 'rgba(0, 0, 0, 0)', node = el.parentElement;
      while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
        bg = getComputedStyle(node).backgroundColor; node = node.parentElement; }
      return {outline: style.outlineColor, width: style.outlineWidth, bg};
    }""")
    assert float(colors["width"].removesuffix("px")) >= 2
    assert _contrast(colors["outline"], colors["bg"]) >= 3, colors
    page.goto(server["base"] + "/signaler")
    page.locator("#description").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    colors = page.evaluate("""() => ({outline: getComputedStyle(document.activeElement)
      .outlineColor, bg: getComputedStyle(document.body).backgroundColor})""")
    assert _contrast(colors["outline"], colors["bg"]) >= 3, colors
    context.close()


def _luminance(rgb: str) -> float:
    parts = [float(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)

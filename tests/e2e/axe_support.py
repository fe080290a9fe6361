"""axe-core (shipped in the axe-playwright-python package) run inside Chromium pages."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

# WCAG 2.0/2.1/2.2 A and AA (2.2 AA brings "target-size", the 24 px targets) and best practice.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


@lru_cache(maxsize=1)
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Serious and critical violations on the page as it is now (axe is evaluated through the
    DevTools protocol, so the page's strict CSP needs no exception)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", TAGS)
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                     + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
                     for v in violations)

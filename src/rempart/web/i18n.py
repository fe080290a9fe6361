"""Babel catalogs for the web interface (French by default, English second)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def compile_catalogs() -> list[Path]:
    """Compile every ``locales/<lang>/LC_MESSAGES/<domain>.po`` whose .mo is missing or older.

    Each capability keeps its strings in its own domain (``messages`` for the foundation,
    ``guidance``, ...) so that catalogs are edited independently; the app merges them.
    """
    compiled = []
    for po_path in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parents[1].name)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        compiled.append(mo_path)
    return compiled

"""Babel catalogs for the web interface (French by default, English second).

Each capability keeps its strings in its own gettext domain (``messages`` for the foundation,
``guidance`` for the guidance pages, ...): every compiled ``locales/<lang>/LC_MESSAGES/*.mo`` is
merged into one catalog per language. The language comes from ``?lang=`` (which also sets the
``lang`` cookie) or the ``lang`` cookie; French otherwise.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "lang"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("rempart_lang",
                                                               default=DEFAULT_LANGUAGE)


def compile_catalogs() -> list[Path]:
    """Compile every ``locales/<lang>/LC_MESSAGES/<domain>.po`` whose .mo is missing or older."""
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


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """All domains of one language merged (the ``messages`` domain wins on a conflict).

    The merged catalog keeps the plural rule of its first catalog, so ``messages`` comes first
    (every domain must declare the same Plural-Forms; a test checks it) and is merged again last
    so that it wins on a conflict.
    """
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    mo_files = sorted(folder.glob("*.mo"), key=lambda p: (p.stem != DOMAIN, p.stem))
    merged: NullTranslations = NullTranslations()
    for mo_path in mo_files:
        with mo_path.open("rb") as fh:
            catalog = Translations(fh, domain=mo_path.stem)
        if isinstance(merged, Translations):
            merged.merge(catalog)
        else:
            merged = catalog
    if isinstance(merged, Translations) and mo_files and mo_files[0].stem == DOMAIN:
        with mo_files[0].open("rb") as fh:
            merged.merge(Translations(fh, domain=DOMAIN))
    return merged


def pick_language(query_value: str | None, cookie_value: str | None,
                  default: str = DEFAULT_LANGUAGE) -> str:
    for candidate in (query_value, cookie_value, default):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


def set_language(language: str) -> contextvars.Token[str]:
    return _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def reset_language(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


# --- Middleware ------------------------------------------------------------------------------

class LanguageMiddleware:
    """Picks the request's language (``?lang=``, the ``lang`` cookie, the default), sets it for
    gettext, remembers an explicit ``?lang=`` in a cookie and adds ``Content-Language``.

    Pure ASGI (not ``BaseHTTPMiddleware``): exceptions raised below, such as the security
    middleware's ``BodyTooLarge`` for a chunked upload over the limit, pass through unwrapped
    (no ExceptionGroup), so they still become a 413 rather than a 500 (issue 12.11)."""

    def __init__(self, app: Any, default: str, cookie: Callable[[str], str]) -> None:
        self.app, self.default, self.cookie = app, default, cookie

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        values = query.get("lang")
        asked = values[0] if values else None
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                with suppress(CookieError):
                    cookies.load(bytes(value).decode("latin-1"))
        remembered = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
        language = pick_language(asked, remembered, self.default)

        async def send_with_language(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if asked in LANGUAGES:
                    headers.append((b"set-cookie", self.cookie(language).encode()))
                if not any(name.lower() == b"content-language" for name, _ in headers):
                    headers.append((b"content-language", language.encode()))
                message["headers"] = headers
            await send(message)

        token = set_language(language)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            reset_language(token)

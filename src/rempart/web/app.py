"""The FastAPI application: public pages, case portal, back-office and JSON API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from rempart.config import Settings, get_settings
from rempart.security import totp_crypto
from rempart.web import i18n
from rempart.web.security import (
    FORM_OVERHEAD_BYTES,
    CsrfCookieMiddleware,
    SecurityMiddleware,
    cookie_header,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Rempart", version="0.1.0", openapi_url="/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.settings = settings
    with suppress(OSError):  # a read-only install ships its compiled catalogs
        i18n.compile_catalogs()
    # Generated on first start (mode 0600), or read from REMPART_SESSION_KEY_FILE and
    # REMPART_TOTP_KEY_FILE: a malformed key fails here, not at the first staff login.
    settings.secret_bytes("session_key")
    totp_crypto.box_from_settings(settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_language(app, settings)
    app.add_middleware(CsrfCookieMiddleware, secure=settings.secure_cookies)
    app.add_middleware(SecurityMiddleware,
                       max_body_bytes=settings.max_report_bytes + FORM_OVERHEAD_BYTES,
                       https_only=settings.secure_cookies)
    _add_error_pages(app)

    from rempart.web.pages.public import router as public_router
    app.include_router(public_router)
    from rempart.web.pages.guidance import router as guidance_router; app.include_router(guidance_router)  # noqa: E501, E702, I001
    from rempart.web.pages.portal import router as portal_router
    app.include_router(portal_router)
    from rempart.web.pages.staff import router as staff_router
    app.include_router(staff_router)
    from rempart.web.api_match import router as match_router
    app.include_router(match_router)
    from rempart.web.api_classify import router as classify_router
    app.include_router(classify_router)
    from rempart.web.pages.stop_images import router as stop_images_router
    app.include_router(stop_images_router)
    from rempart.web.pages.case_documents import router as documents_router; app.include_router(documents_router)  # noqa: E501, E702, I001
    from rempart.web import api as cases_api
    app.include_router(cases_api.router); cases_api.install_error_handlers(app)  # noqa: E702

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _add_language(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def language(request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        asked = request.query_params.get("lang")
        language = i18n.pick_language(asked, request.cookies.get(i18n.LANG_COOKIE),
                                      settings.default_locale)
        token = i18n.set_language(language)
        try:
            response = await call_next(request)
        finally:
            i18n.reset_language(token)
        if asked in i18n.LANGUAGES:
            response.headers.append("set-cookie", cookie_header(
                i18n.LANG_COOKIE, language, secure=settings.secure_cookies,
                max_age=LANG_COOKIE_SECONDS))
        response.headers.setdefault("content-language", language)
        return response


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        from fastapi.responses import JSONResponse

        from rempart.web.pages.common import error_page

        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        reason = i18n.gettext("This page does not exist.") if exc.status_code == 404 \
            else str(exc.detail)
        return error_page(request, exc.status_code, reason)

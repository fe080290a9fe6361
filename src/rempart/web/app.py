"""The FastAPI application: public pages, case portal, back-office and JSON API."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from rempart.config import Settings, get_settings
from rempart.security import totp_crypto
from rempart.services.integrity import check_at_start
from rempart.web import api, api_classify, api_match, api_qualify, i18n, openapi
from rempart.web.pages import (
    capture,
    case_documents,
    chronology,
    evidence_text,
    guidance,
    portal,
    public,
    referrals,
    secret_card,
    staff,
    stop_images,
    takedowns,
    witnesses,
)
from rempart.web.protection import (
    FORM_OVERHEAD_BYTES,
    CsrfCookieMiddleware,
    SecurityMiddleware,
    TextGuardMiddleware,
    cookie_header,
    csrf_key,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
# In this order: a page router's fixed paths come before the API's, as they were registered.
ROUTERS = (public.router, guidance.router, portal.router, staff.router,
           api_match.router, api_classify.router, api_qualify.router, stop_images.router,
           secret_card.router, case_documents.router, takedowns.router, referrals.router,
           evidence_text.router, chronology.router, capture.router, witnesses.router,
           api.router)


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
    check_at_start(settings)  # refuses a database rolled back below its ledger witness
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(i18n.LanguageMiddleware, default=settings.default_locale,
                       cookie=lambda language: cookie_header(
                           i18n.LANG_COOKIE, language, secure=settings.secure_cookies,
                           max_age=LANG_COOKIE_SECONDS))
    # CSRF tokens: HMAC of a per-browser id and the session cookie (rempart.web.protection).
    app.state.csrf_key = csrf_key(settings.secret_bytes("session_key"))
    app.state.csrf_secure = settings.secure_cookies
    app.add_middleware(CsrfCookieMiddleware, secure=settings.secure_cookies)
    app.add_middleware(TextGuardMiddleware)  # control characters in API bodies: 400
    app.add_middleware(SecurityMiddleware,
                       max_body_bytes=settings.max_report_bytes + FORM_OVERHEAD_BYTES,
                       https_only=settings.secure_cookies)
    _add_error_pages(app)
    openapi.install(app)  # a valid document: refs, declared errors (rempart.web.openapi)

    for router in ROUTERS:
        app.include_router(router)
    api.install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


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

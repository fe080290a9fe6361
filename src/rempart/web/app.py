"""The FastAPI application: public pages, case portal, back-office and JSON API."""

from __future__ import annotations

from fastapi import FastAPI

from rempart.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Rempart", version="0.1.0", openapi_url="/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.settings = settings
    from rempart.web.api_match import router as match_router
    app.include_router(match_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app

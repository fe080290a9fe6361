"""Security middleware and CSRF helpers, on a tiny app (no database)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from rempart.web.security import (
    CSRF_COOKIE,
    CsrfCookieMiddleware,
    SecurityMiddleware,
    cookie_header,
    csrf_token,
    csrf_valid,
)


def _app(limit: int = 1000) -> FastAPI:
    app = FastAPI()

    @app.get("/page")
    def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(csrf_token(request))

    @app.post("/upload")
    async def upload(request: Request) -> PlainTextResponse:
        form = await request.form()
        return PlainTextResponse("ok" if csrf_valid(request, form) else "refused")

    @app.post("/api/echo")
    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    app.add_middleware(CsrfCookieMiddleware, secure=True)
    app.add_middleware(SecurityMiddleware, max_body_bytes=limit)
    return app


def test_it_sets_a_hardened_csrf_cookie_once():
    client = TestClient(_app(), base_url="https://testserver")
    first = client.get("/page")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}={first.text};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    second = client.get("/page")
    assert second.text == first.text and "set-cookie" not in second.headers


def test_it_accepts_the_matching_token_only():
    client = TestClient(_app(), base_url="https://testserver")
    token = client.get("/page").text
    assert client.post("/upload", data={"csrf_token": token}).text == "ok"
    assert client.post("/upload", data={"csrf_token": token[:-1] + "x"}).text == "refused"
    assert client.post("/upload", data={}).text == "refused"
    client.cookies.clear()
    assert client.post("/upload", data={"csrf_token": token}).text == "refused"


def test_it_refuses_a_declared_oversized_body_with_413():
    client = TestClient(_app(limit=100), base_url="https://testserver")
    response = client.post("/api/echo", content=b"x" * 101)
    assert response.status_code == 413
    assert response.json() == {"error": "request body too large"}
    assert client.post("/api/echo", content=b"x" * 100).text == "100"


def test_it_cuts_off_a_streamed_body_without_length_with_413():
    client = TestClient(_app(limit=100), base_url="https://testserver")

    def chunks():
        for _ in range(10):
            yield b"y" * 50

    response = client.post("/api/echo", content=chunks())
    assert response.status_code == 413


def test_it_adds_security_headers_and_no_store_on_private_pages():
    client = TestClient(_app(), base_url="https://testserver")
    headers = client.get("/page").headers
    assert headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "cache-control" not in headers
    assert client.post("/api/echo", content=b"").headers["cache-control"] == "no-store"


def test_cookie_header_without_secure_in_development():
    header = cookie_header("a", "b", secure=False, max_age=10)
    assert header == "a=b; Path=/; HttpOnly; SameSite=Strict; Max-Age=10"


def test_it_sends_hsts_only_when_deployed_behind_https():
    app = _app()
    assert "strict-transport-security" not in TestClient(app).get("/page").headers
    secure = FastAPI()
    secure.add_middleware(SecurityMiddleware, max_body_bytes=10, https_only=True)
    assert TestClient(secure).get("/nothing").headers["strict-transport-security"]

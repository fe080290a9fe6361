"""Security middleware and CSRF helpers, on a tiny app (no database)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from rempart.web.protection import (
    CSRF_COOKIE,
    CsrfCookieMiddleware,
    SecurityMiddleware,
    cookie_header,
    csrf_key,
    csrf_token,
    csrf_valid,
)


def _app(limit: int = 1000, secure: bool = True) -> FastAPI:
    app = FastAPI()
    app.state.csrf_key = csrf_key(b"k" * 32)
    app.state.csrf_secure = secure

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

    app.add_middleware(CsrfCookieMiddleware, secure=secure)
    app.add_middleware(SecurityMiddleware, max_body_bytes=limit)
    return app


def test_it_sets_a_hardened_host_prefixed_csrf_cookie_once():
    client = TestClient(_app(), base_url="https://testserver")
    first = client.get("/page")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"__Host-{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    assert "Path=/;" in cookie and "Domain" not in cookie
    assert first.text not in cookie  # the form token is not the cookie (it is an HMAC of it)
    second = client.get("/page")
    assert second.text == first.text and "set-cookie" not in second.headers


def test_without_secure_cookies_the_csrf_cookie_has_its_plain_name():
    client = TestClient(_app(secure=False))
    assert client.get("/page").headers["set-cookie"].startswith(f"{CSRF_COOKIE}=")


def test_the_csrf_token_is_bound_to_the_session_cookie():
    client = TestClient(_app(), base_url="https://testserver")
    anonymous = client.get("/page").text
    client.cookies.set("__Host-rempart_staff", "session-one")
    bound = client.get("/page").text
    assert bound != anonymous
    assert client.post("/upload", data={"csrf_token": bound}).text == "ok"
    assert client.post("/upload", data={"csrf_token": anonymous}).text == "refused"
    client.cookies.set("__Host-rempart_staff", "session-two")  # another session, same browser
    assert client.post("/upload", data={"csrf_token": bound}).text == "refused"


def test_a_token_from_another_browser_is_refused():
    mine, theirs = (TestClient(_app(), base_url="https://testserver") for _ in range(2))
    mine.get("/page")
    stolen = theirs.get("/page").text
    assert mine.post("/upload", data={"csrf_token": stolen}).text == "refused"


def test_a_planted_cookie_with_a_matching_field_is_refused():
    """Double-submit is not enough: a sibling subdomain could plant the cookie and the field."""
    client = TestClient(_app(), base_url="https://testserver")
    planted = "p" * 43
    client.cookies.set("__Host-rempart_csrf", planted)
    assert client.post("/upload", data={"csrf_token": planted}).text == "refused"


def test_it_refuses_cross_site_browser_writes_to_the_api():
    client = TestClient(_app(), base_url="https://testserver")
    refused = client.post("/api/echo", content=b"x", headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403
    assert "cross-site" in refused.json()["error"]
    assert client.post("/api/echo", content=b"x", headers={"sec-fetch-site": "same-site"}
                       ).status_code == 403
    evil = client.post("/api/echo", content=b"x", headers={"origin": "https://evil.example"})
    assert evil.status_code == 403 and "Origin" in evil.json()["error"]
    assert client.post("/api/echo", content=b"x", headers={"origin": "null"}).status_code == 403


def test_same_origin_browsers_and_non_browser_clients_keep_writing_to_the_api():
    client = TestClient(_app(), base_url="https://testserver")
    assert client.post("/api/echo", content=b"x", headers={"sec-fetch-site": "same-origin"}
                       ).text == "1"
    assert client.post("/api/echo", content=b"x", headers={"sec-fetch-site": "none"}).text == "1"
    assert client.post("/api/echo", content=b"x", headers={"origin": "https://testserver"}
                       ).text == "1"
    assert client.post("/api/echo", content=b"xy").text == "2"  # curl, a partner's server


def test_it_accepts_the_matching_token_only():
    client = TestClient(_app(), base_url="https://testserver")
    token = client.get("/page").text
    assert client.post("/upload", data={"csrf_token": token}).text == "ok"
    assert client.post("/upload", data={"csrf_token": token[:-1] + "x"}).text == "refused"
    assert client.post("/upload", data={}).text == "refused"
    client.cookies.clear()
    assert client.post("/upload", data={"csrf_token": token}).text == "refused"
    client.cookies.set("__Host-rempart_csrf", token)  # the token is not the cookie's value
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
    assert headers["cache-control"] == "no-store"  # every page: no bfcache after a quick exit
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

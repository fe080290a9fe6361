"""Helpers for the HTML page tests: an app on a migrated database, forms with their CSRF token."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from PIL import Image

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.staff import StaffRole
from rempart.services import staff as staff_services
from rempart.web.app import create_app

PASSWORD = "correct horse battery staple"


def make_client(data_dir: Path, database_url: str, **overrides: object) -> TestClient:
    settings = Settings(data_dir=data_dir, database_url=database_url, **overrides)
    return TestClient(create_app(settings), follow_redirects=False)


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def png_bytes(color: str = "red", size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "PNG")
    return buffer.getvalue()


def file_report(client: TestClient, **fields: object) -> tuple[str, str, str]:
    """Files a report with one PNG; returns (code, passphrase, page html)."""
    data = {"csrf_token": csrf(client, "/signaler"), "description": "Il m'insulte sur Discord",
            "kinds": ["insults"], "reporter_role": "witness", "platforms": ["Discord"]}
    data.update(fields)  # type: ignore[arg-type]
    response = client.post("/signaler", data=data,
                           files=[("evidence", ("capture.png", png_bytes(), "image/png"))])
    assert response.status_code == 201, response.text
    code = re.search(r'id="case-code">([^<]+)<', response.text)
    secret = re.search(r'id="passphrase">([^<]+)<', response.text)
    assert code and secret
    return code.group(1), secret.group(1), response.text


def add_staff(client: TestClient, email: str, role: StaffRole) -> str:
    """Creates a staff account through the service; returns its TOTP secret."""
    services = bootstrap.build(client.app.state.settings)  # type: ignore[attr-defined]
    try:
        _, secret = staff_services.add_staff(services.uow(), services.totp_box, email, PASSWORD,
                                                role)
    finally:
        services.dispose()
    return secret


def staff_login(client: TestClient, email: str, totp_secret: str) -> None:
    token = csrf(client, "/staff/login")
    response = client.post("/staff/login", data={
        "csrf_token": token, "email": email, "password": PASSWORD,
        "totp": pyotp.TOTP(totp_secret).now()})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff"

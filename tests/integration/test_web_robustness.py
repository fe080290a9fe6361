"""Bad input on the whole app (issue 12.1, 12.11): oversize uploads without a Content-Length
are a 413 like sized ones, on the pages and on the API; control characters in text fields
are a 400 with the reason and store nothing, on both engines."""

from __future__ import annotations

import pytest

from tests.integration.foundation_support import fast_argon2  # noqa: F401 (fixture)
from tests.integration.pages_support import csrf, make_client

pytestmark = pytest.mark.usefixtures("fast_argon2")
LIMIT = 2000


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, max_report_bytes=LIMIT,
                     max_file_bytes=LIMIT) as test_client:
        yield test_client


def _chunks(boundary: str, fields: dict[str, str], size: int):
    for name, value in fields.items():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
               f"{value}\r\n").encode()
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; "
           f"filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    for _ in range(size // 65536 + 1):
        yield b"\x89" * 65536
    yield f"\r\n--{boundary}--\r\n".encode()


def test_an_oversize_chunked_upload_to_the_report_page_is_a_413(client):
    token = csrf(client, "/signaler")
    boundary = "xyzBOUNDARY"
    answer = client.post("/signaler", content=_chunks(boundary, {
        "csrf_token": token, "description": "Des insultes", "kinds": "insults"},
        LIMIT + 2 * 1024 * 1024), headers={
        "content-type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 413
    assert "trop volumineux" in answer.text


def test_an_oversize_chunked_upload_to_the_api_is_a_413(client):
    boundary = "xyzBOUNDARY"
    answer = client.post("/api/v1/reports", content=_chunks(boundary, {
        "description": "Des insultes", "kinds": "insults"}, LIMIT + 2 * 1024 * 1024),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 413
    assert answer.json() == {"error": "request body too large"}

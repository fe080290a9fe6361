"""``rempart capture CODE URL``: a page served by a local http.server becomes evidence of the
case (WARC, PNG when Chromium is there, a "capture" document) and the exported bundle verifies;
without REMPART_CAPTURE_ALLOW_PRIVATE a local address is refused with exit 2 (issue 14.3)."""

from __future__ import annotations

import http.server
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rempart.capture import warc
from tests.cli_support import invoke_rempart
from tests.http_support import serving

PAGE = (b"<html><head><title>Menaces</title><link rel=stylesheet href=/style.css></head>"
        b"<body><h1>Message public insultant</h1></body></html>")
STYLE = b"h1 { color: #c00; font-size: 40px }"
CHROMIUM = Path("/usr/bin/chromium")


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/post")
            self.end_headers()
            return
        body, kind = (STYLE, "text/css") if self.path == "/style.css" else (PAGE, "text/html")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def site() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def _case(tmp_path, migrated_url, monkeypatch) -> str:
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)
    created = invoke_rempart("case", "create", "--kind", "insults", "--text",
                             "Un message public m'insulte.")
    assert created.exit_code == 0, created.output
    return str(json.loads(created.stdout.strip().splitlines()[-1])["code"])


def _capture_document(code: str, derived_id: str) -> dict:
    from rempart import bootstrap
    from rempart.config import get_settings
    from rempart.services.capture import capture_document

    get_settings.cache_clear()
    services = bootstrap.build(get_settings())
    try:
        with services.uow() as uow:
            case_id = uow.cases.get_by_code(code).id
        return capture_document(services, case_id, derived_id)
    finally:
        services.dispose()
        get_settings.cache_clear()


def test_a_captured_page_is_evidence_and_its_bundle_verifies(
        site, tmp_path, migrated_url, monkeypatch):
    code = _case(tmp_path, migrated_url, monkeypatch)
    monkeypatch.setenv("REMPART_CAPTURE_ALLOW_PRIVATE", "true")
    result = invoke_rempart("capture", code, f"{site}/old", "--json")
    assert result.exit_code == 0, result.output
    captured = json.loads(result.stdout)
    assert captured["final_url"] == f"{site}/post" and captured["status"] == 200
    if CHROMIUM.exists():
        assert captured["png_item_id"] and captured["render_refused"] is None
    bundle_path = tmp_path / "out" / "bundle.zip"
    bundle_path.parent.mkdir()
    exported = invoke_rempart("evidence", "export", code, "-o", str(bundle_path))
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(bundle_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = [i["file_name"] for i in manifest["items"]]
        warc_member = next(n for n in archive.namelist() if n.endswith(".warc"))
        recorded = warc.responses(archive.read(warc_member))
        if CHROMIUM.exists():
            png_member = next(n for n in archive.namelist() if n.endswith(".png"))
            assert archive.read(png_member).startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(names) == (["capture-127.0.0.1.png", "capture-127.0.0.1.warc"]
                             if CHROMIUM.exists() else ["capture-127.0.0.1.warc"])
    urls = [(r.url, r.status) for r in recorded]
    assert (f"{site}/old", 301) in urls and (f"{site}/post", 200) in urls
    assert all(r.digest_ok for r in recorded)
    if CHROMIUM.exists():  # the stylesheet the rendering asked for is in the WARC too
        assert (f"{site}/style.css", 200) in urls
    key = invoke_rempart("ledger", "public-key").output.strip()
    verified = invoke_rempart("verify", str(bundle_path), "--key", key)
    assert verified.exit_code == 0, verified.output
    document = _capture_document(code, captured["derived_id"])
    assert (document["url"], document["final_url"], document["status"]) == (
        f"{site}/old", f"{site}/post", 200)
    assert document["warc_item_id"] == captured["warc_item_id"]
    assert document["png_item_id"] == captured["png_item_id"]
    assert ["Content-Type", "text/html"] in document["headers"] and document["fetched_at"]
    plain = invoke_rempart("capture", code, f"{site}/post")
    assert plain.exit_code == 0 and "WARC item" in plain.stdout


def test_a_local_address_is_refused_without_the_flag(site, tmp_path, migrated_url, monkeypatch):
    code = _case(tmp_path, migrated_url, monkeypatch)
    monkeypatch.delenv("REMPART_CAPTURE_ALLOW_PRIVATE", raising=False)
    refused = invoke_rempart("capture", code, f"{site}/post")
    assert refused.exit_code == 2
    assert refused.stderr.strip().count("\n") == 0 and "(address)" in refused.stderr
    scheme = invoke_rempart("capture", code, "file:///etc/passwd")
    assert scheme.exit_code == 2 and "(scheme)" in scheme.stderr
    unknown = invoke_rempart("capture", "RMP-0000-0000", f"{site}/post")
    assert unknown.exit_code == 2
    export_path = tmp_path / "b.zip"
    exported = invoke_rempart("evidence", "export", code, "-o", str(export_path))
    with zipfile.ZipFile(export_path) as archive:
        assert json.loads(archive.read("manifest.json"))["items"] == []
    assert exported.exit_code == 0


def test_without_chromium_the_warc_is_kept_and_the_reason_said(
        site, tmp_path, migrated_url, monkeypatch):
    code = _case(tmp_path, migrated_url, monkeypatch)
    monkeypatch.setenv("REMPART_CAPTURE_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("REMPART_CAPTURE_CHROMIUM", str(tmp_path / "no-chromium"))
    result = invoke_rempart("capture", code, f"{site}/post")
    assert result.exit_code == 0, result.output
    assert "WARC item" in result.stdout and "no PNG: Chromium is not installed" in result.stdout
    bundle_path = tmp_path / "bundle.zip"
    assert invoke_rempart("evidence", "export", code, "-o", str(bundle_path)).exit_code == 0
    with zipfile.ZipFile(bundle_path) as archive:
        names = [i["file_name"] for i in json.loads(archive.read("manifest.json"))["items"]]
    assert names == ["capture-127.0.0.1.warc"]

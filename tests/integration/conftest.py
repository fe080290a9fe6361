"""Fixtures shared by the integration tests. A test module's own fixture of the same name wins."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rempart import bootstrap
from rempart.config import Settings
from tests.integration.server_support import free_port


@pytest.fixture
def services(migrated_url, tmp_path, monkeypatch) -> Iterator[bootstrap.Wiring]:
    """The application's services on a fresh data folder, with keys made in that folder."""
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)
    built = bootstrap.build(Settings(data_dir=tmp_path / "data", database_url=migrated_url))
    yield built
    built.dispose()


MOTO = Path(sys.executable).with_name("moto_server")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto_server in a subprocess) on a free local port."""
    if not MOTO.exists():
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    port = free_port()
    server = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("moto_server did not start")
    yield url
    server.terminate()
    server.wait(10)

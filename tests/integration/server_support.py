"""Start the real web server in a child process (uvicorn) and wait until it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time

import httpx

_started: dict[str, subprocess.Popen[bytes]] = {}  # base URL -> its process, for wait_ready


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # stderr goes to a file so that a server that dies at start-up says why in the failure
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "rempart.web.app:create_app",
                               "--factory", "--host", "127.0.0.1", "--port", str(port),
                               "--no-access-log"], env=env, stdout=subprocess.DEVNULL,
                              stderr=errors)
    server.stderr = errors  # type: ignore[assignment]
    _started[f"http://127.0.0.1:{port}"] = server
    return server


def _last_errors(server: subprocess.Popen[bytes]) -> str:
    if server.stderr is None:
        return ""
    server.stderr.seek(0)
    return server.stderr.read().decode(errors="replace")[-3000:]


def wait_ready(base: str, seconds: float = 60) -> None:
    server = _started.get(base)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise AssertionError(f"server at {base} exited with {server.returncode}:\n"
                                 f"{_last_errors(server)}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    errors = _last_errors(server) if server is not None else ""
    raise AssertionError(f"server at {base} did not start in {seconds:.0f} s:\n{errors}")

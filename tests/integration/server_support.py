"""Start the real web server in a child process (uvicorn) and wait until it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "rempart.web.app:create_app",
                             "--factory", "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_ready(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"server at {base} did not start")

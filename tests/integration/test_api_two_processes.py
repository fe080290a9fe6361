"""Two server processes serve the same banks: a hash added through one matches on the other."""

from __future__ import annotations

import os
import random
import time

import httpx
import pytest

from rempart.detect import banks, partners
from rempart.store.db import make_engine, make_session_factory
from tests.integration.server_support import free_port, start_server, wait_ready

pytestmark = pytest.mark.slow


def test_an_add_on_one_process_matches_on_the_other_within_a_second(migrated_url, tmp_path):
    sessions = make_session_factory(make_engine(migrated_url))
    with sessions.begin() as s:
        banks.create_bank(s, "ncii-adults", "ncii-adults")
        _, key = partners.create_partner(s, "Platform", can_write=True)
    ports = [free_port(), free_port()]
    env = {**os.environ, "REMPART_DATABASE_URL": migrated_url,
           "REMPART_DATA_DIR": str(tmp_path)}
    servers = [start_server(env, p) for p in ports]
    headers = {"Authorization": f"Bearer {key}"}
    value = f"{random.Random(13).getrandbits(256):064x}"
    try:
        first, second = (f"http://127.0.0.1:{p}" for p in ports)
        for base in (first, second):
            wait_ready(base)
            httpx.post(f"{base}/api/v1/match", headers=headers,  # loads each process's index
                       json={"queries": [{"signal_type": "pdq", "hash": value}]})
        added = httpx.post(f"{first}/api/v1/banks/ncii-adults/hashes", headers=headers,
                           json={"hashes": [{"signal_type": "pdq", "hash": value}]})
        assert added.status_code == 201
        seen_at = None
        start = time.monotonic()
        while time.monotonic() - start < 1.0:
            r = httpx.post(f"{second}/api/v1/match", headers=headers,
                           json={"queries": [{"signal_type": "pdq", "hash": value}]})
            if r.json()["results"][0]["matches"]:
                seen_at = time.monotonic() - start
                break
            time.sleep(0.05)
        assert seen_at is not None, "the second process did not see the add within 1 s"
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def test_a_key_limit_holds_across_two_server_processes(migrated_url, tmp_path):
    sessions = make_session_factory(make_engine(migrated_url))
    with sessions.begin() as s:
        banks.create_bank(s, "ncii-adults", "ncii-adults")
        _, key = partners.create_partner(s, "Platform", rate_per_minute=6)
    ports = [free_port(), free_port()]
    env = {**os.environ, "REMPART_DATABASE_URL": migrated_url,
           "REMPART_DATA_DIR": str(tmp_path)}
    servers = [start_server(env, p) for p in ports]
    headers = {"Authorization": f"Bearer {key}"}
    query = {"signal_type": "pdq", "hash": f"{random.Random(14).getrandbits(256):064x}"}
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base in bases:
            wait_ready(base)
        codes = [httpx.post(f"{base}/api/v1/match", headers=headers,
                            json={"queries": [query, query]}).status_code
                 for _ in range(3) for base in bases]  # 2 queries a call, 6 a minute
        assert codes == [200, 200, 200, 429, 429, 429]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

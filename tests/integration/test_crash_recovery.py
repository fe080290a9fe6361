"""SIGKILL the real web server while it ingests many uploads, restart it, and check that every
acknowledged upload is readable through the API, matches its hash and is in the custody ledger,
that the ledger verifies, and that nothing half-written is visible."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence import merkle
from rempart.evidence.checkpoint import load_log_signer
from rempart.evidence.interface import EvidenceNotFound
from rempart.evidence.ledger import Ledger, audit
from rempart.evidence.vault import vault_from_settings
from rempart.services.integrity import instance_witness
from rempart.store import migrate
from rempart.store.db import make_engine, make_session_factory
from rempart.store.tables import EvidenceRecord
from rempart.store.vault_tables import VaultKeyRecord
from tests.integration.server_support import free_port, start_server, wait_ready

pytestmark = pytest.mark.slow

PNG_HEADER = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
CLIENTS = 4


class Uploader(threading.Thread):
    """Posts reports until the server dies; keeps only what the server acknowledged."""

    def __init__(self, base: str, seed: int, acknowledged: list[dict[str, str]]) -> None:
        super().__init__(daemon=True)
        self.base, self.seed, self.acknowledged = base, seed, acknowledged

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            for n in range(10_000):
                payload = PNG_HEADER + os.urandom(64 * 1024 + self.seed * 1000 + n)
                try:
                    response = client.post(
                        f"{self.base}/api/v1/reports",
                        data={"description": "Il publie mes photos sans mon accord.",
                              "kinds": ["threats"]},
                        files={"files": (f"capture-{self.seed}-{n}.png", payload, "image/png")})
                except httpx.TransportError:
                    return
                if response.status_code != 201:
                    continue
                body = response.json()
                self.acknowledged.append({
                    "code": body["code"], "passphrase": body["passphrase"],
                    "item_id": body["evidence"][0]["item_id"],
                    "sha256": hashlib.sha256(payload).hexdigest()})


def test_acknowledged_uploads_survive_a_sigkill_mid_ingest(migrated_url, tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items()
           if k not in ("REMPART_MASTER_KEY_FILE", "REMPART_LOG_KEY_FILE")}
    env.update(REMPART_DATABASE_URL=migrated_url, REMPART_DATA_DIR=str(data_dir))
    port = free_port()
    server = start_server(env, port)
    acknowledged: list[dict[str, str]] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        uploaders = [Uploader(base, i, acknowledged) for i in range(CLIENTS)]
        for uploader in uploaders:
            uploader.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # uploads are in flight right now
        server.wait(10)
        for uploader in uploaders:
            uploader.join(30)
    finally:
        if server.poll() is None:
            server.kill()
    assert len(acknowledged) >= 25
    _check_after_restart(env, acknowledged)
    _check_storage(Settings(data_dir=data_dir, database_url=migrated_url), acknowledged)


def _check_after_restart(env: dict[str, str], acknowledged: list[dict[str, str]]) -> None:
    port = free_port()
    server = start_server(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        with httpx.Client(base_url=base, timeout=30) as client:
            for ack in acknowledged:
                opened = client.post("/api/v1/cases/open", json={
                    "code": ack["code"], "passphrase": ack["passphrase"]})
                assert opened.status_code == 200, opened.text
                token = opened.json()["token"]
                item = client.get(f"/api/v1/cases/me/evidence/{ack['item_id']}",
                                  headers={"Authorization": f"Bearer {token}"})
                assert item.status_code == 200
                assert hashlib.sha256(item.content).hexdigest() == ack["sha256"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)


def _check_storage(settings: Settings, acknowledged: list[dict[str, str]]) -> None:
    migrate.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    sessions = make_session_factory(engine)
    vault = vault_from_settings(settings, sessions)
    try:
        with sessions() as session:
            rows = {r.id: r for r in session.scalars(select(EvidenceRecord))}
            keys = set(session.scalars(select(VaultKeyRecord.item_id)))
            ledger = Ledger(session)
            size, root = ledger.size(), ledger.root(ledger.size())
            received = {}
            for case_id in {r.case_id for r in rows.values()}:
                for leaf in ledger.case_leaves(case_id):
                    event = custody.CustodyEvent.from_leaf(bytes(leaf.leaf))
                    if event.action == custody.CustodyAction.RECEIVED:
                        received[leaf.item_id] = leaf
            assert not audit(session, {load_log_signer(settings).verifier_key()}).problems
        assert {a["item_id"] for a in acknowledged} <= set(rows)
        # Keys, evidence rows and "received" leaves committed together: same sets exactly.
        assert keys == set(rows) == set(received)
        for item_id, row in rows.items():
            data = b"".join(vault.open(row.case_id, item_id))
            assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size
            leaf = received[item_id]
            assert row.sha256 in bytes(leaf.leaf).decode()
            with sessions() as session:
                proof = Ledger(session).inclusion_proof(leaf.idx, size)
            merkle.verify_inclusion(merkle.leaf_hash(bytes(leaf.leaf)), leaf.idx, size, proof,
                                    root)
        # The API path signs a checkpoint over each acknowledged report before answering
        # (issue 12.9), and the witness outside the database saw it: the restart above was
        # allowed because the database is not below it.
        witnessed = instance_witness(settings).read()
        assert witnessed is not None
        with sessions() as session:
            ledger = Ledger(session)
            for ack in acknowledged:
                leaf = received[ack["item_id"]]
                covering = ledger.first_checkpoint_covering(leaf.idx)
                assert covering is not None, f"no checkpoint signed over leaf {leaf.idx}"
                assert covering.size <= witnessed.size
        # Blobs the crash cut off from their transaction are keyless: nothing readable.
        for path in Path(settings.data_dir, "vault").glob("*/*"):
            if path.name.startswith(".incoming-") or path.name in rows:
                continue
            with pytest.raises(EvidenceNotFound):
                vault.open(path.parent.name, path.name)
    finally:
        engine.dispose()

"""``rempart serve`` on the embedded SQLite queue runs the background jobs in its own process:
a report filed through the real server is classified, a custody entry appended later is covered
by a checkpoint the periodic job signs, and a notification reaches a real local SMTP server,
with no ``rempart worker`` running; with Redis (production) they stay with the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import func, select

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain.referrals import ReferralFields, ReferralTarget
from rempart.jobs.queue import runs_inline
from rempart.services import notifications, referrals
from rempart.store.classifier_tables import MessageClassification
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerLeaf
from rempart.store.tables import CaseRecord
from tests.integration.pages_support import file_report
from tests.integration.server_support import free_port, wait_ready
from tests.integration.workbench_support import mailbox  # noqa: F401

RempartBin = Path(sys.executable).with_name("rempart")


def _serve(tmp_path: Path, port: int, **extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMPART_")}
    env.update({"REMPART_DATA_DIR": str(tmp_path / "data"), "REMPART_PORT": str(port),
                "REMPART_PUBLIC_URL": f"http://127.0.0.1:{port}", **extra})
    return subprocess.Popen([str(RempartBin), "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_runs_classification_checkpoints_and_notifications(tmp_path, mailbox):  # noqa: F811
    port = free_port()
    server = _serve(tmp_path, port, REMPART_SMTP_URL=mailbox.url)
    services = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, 60)
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            code, _, _ = file_report(client, description="Je vais te tuer demain à la sortie.",
                                     kinds=["threats"], contact="victime@example.org")
        settings = Settings(data_dir=tmp_path / "data")
        services = bootstrap.build(settings)
        with services.session_factory() as session:
            case_id = session.scalar(select(CaseRecord.id).where(CaseRecord.code == code))

        def classified() -> bool:
            with services.session_factory() as session:
                return bool(session.scalar(select(func.count()).select_from(
                    MessageClassification).where(MessageClassification.case_id == case_id)))
        assert _wait(classified, 60), "the report was not classified by the embedded jobs"

        # A custody entry appended outside an upload batch: the periodic job signs it.
        referrals.record_referral(services.uow, case_id, ReferralFields(
            ReferralTarget.PHAROS, date.today()))
        with services.session_factory() as session:
            size = session.scalar(select(func.count()).select_from(LedgerLeaf))

        def signed() -> bool:
            with services.session_factory() as session:
                return bool(session.scalar(select(func.count()).select_from(
                    LedgerCheckpoint).where(LedgerCheckpoint.size >= size)))
        assert _wait(signed, 90), "no checkpoint was signed over the new entry"

        # The referral owed the reporter an e-mail: queued here, sent by the server's jobs.
        notifications.dispatch_pending(settings)
        assert _wait(lambda: len(mailbox.messages) == 1, 90), "no e-mail reached the server"
        assert mailbox.messages[0]["X-Envelope-To"] == "victime@example.org"
    finally:
        if services is not None:
            services.dispose()
        server.terminate()
        server.wait(30)


def test_the_jobs_run_inline_only_on_the_embedded_queue():
    assert runs_inline(Settings())
    assert not runs_inline(Settings(jobs_backend="redis"))
    assert runs_inline(Settings(jobs_backend="redis", jobs_inline=True))
    assert not runs_inline(Settings(jobs_inline=False))
    assert not runs_inline(Settings(jobs_immediate=True))


def test_serve_stops_on_sigterm_with_its_consumer_threads(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port)
    try:
        wait_ready(f"http://127.0.0.1:{port}", 60)
    finally:
        server.terminate()
        # uvicorn shuts down, then re-raises the signal it caught: -15 is its normal exit.
        assert server.wait(30) in (0, -15)

"""The reporter is told "something new in your case" through a real local SMTP server
(aiosmtpd): never the content nor the code, retried when the server fails, never after the
contact was removed; STARTTLS and authentication; on both engines."""

from __future__ import annotations

import datetime as dt
import ssl
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from rempart.domain.referrals import ReferralFields, ReferralTarget
from rempart.jobs import notify
from rempart.services import notifications, referrals
from rempart.services.notifications import MailError, parse_smtp_url
from rempart.store.workbench_tables import NotificationRecord
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.server_support import free_port
from tests.integration.workbench_support import (  # noqa: F401
    file_case,
    mailbox,
    workbench_services,
)


@pytest.fixture
def app(tmp_path, migrated_url, mailbox, fast_argon2):  # noqa: F811
    services = workbench_services(tmp_path, migrated_url, smtp_url=mailbox.url,
                                  smtp_from="rempart@asso.example")
    yield services, mailbox
    services.dispose()


def _rows(services) -> list[NotificationRecord]:
    with services.session_factory() as session:
        return list(session.scalars(select(NotificationRecord)))


def _refer(services, case_id):
    return referrals.record_referral(services.uow, case_id, ReferralFields(
        ReferralTarget.FRANCE_VICTIMES, date.today()))


def test_the_email_says_only_that_there_is_something_new(app):
    services, box = app
    case = file_case(services, contact="victime@example.org")
    _refer(services, case.case_id)
    [row] = _rows(services)
    assert (row.status, row.reason) == ("pending", "referral")
    done = notifications.deliver_pending(services.uow, services.settings)
    assert (done.sent, done.failed) == (1, 0)
    [mail] = box.messages
    assert mail["X-Envelope-To"] == "victime@example.org"
    assert mail["From"] == "rempart@asso.example"
    text = mail.get_payload(decode=True).decode()
    assert "https://rempart.example/dossier" in text
    assert case.code not in text and "menaces" not in text and "France Victimes" not in text
    [row] = _rows(services)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert notifications.deliver_pending(services.uow, services.settings).sent == 0  # once


def test_a_case_without_contact_owes_no_email(app):
    services, box = app
    case = file_case(services, contact=None)
    _refer(services, case.case_id)
    assert _rows(services) == []
    other = file_case(services, contact="06 12 34 56 78")  # not an e-mail address
    _refer(services, other.case_id)
    assert notifications.deliver_pending(services.uow, services.settings).skipped == 1
    assert box.messages == []


def test_several_changes_before_delivery_make_one_email(app):
    services, box = app
    case = file_case(services)
    _refer(services, case.case_id)
    _refer(services, case.case_id)
    assert len(_rows(services)) == 1
    notifications.deliver_pending(services.uow, services.settings)
    assert len(box.messages) == 1


def test_a_failed_delivery_is_retried_and_then_sent(app):
    services, box = app
    case = file_case(services)
    _refer(services, case.case_id)
    box.refuse = 1
    with pytest.raises(notify.DeliveryIncomplete):  # Huey retries the task on this
        notify.run_delivery(services.settings)
    [row] = _rows(services)
    assert (row.status, row.attempts) == ("pending", 1) and "451" in row.last_error
    assert "example.org" not in row.last_error
    assert notify.run_delivery(services.settings) == 1
    assert len(box.messages) == 1


def test_it_gives_up_after_the_last_attempt(app):
    services, box = app
    case = file_case(services)
    _refer(services, case.case_id)
    box.refuse = notifications.MAX_ATTEMPTS
    for _ in range(notifications.MAX_ATTEMPTS):
        notifications.deliver_pending(services.uow, services.settings)
    [row] = _rows(services)
    assert (row.status, row.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert box.messages == []


def test_the_reporter_removes_the_contact_and_is_never_written_to(app):
    services, box = app
    case = file_case(services)
    _refer(services, case.case_id)
    assert notifications.has_contact(services.uow(), case.case_id)
    notifications.remove_contact(services.uow(), case.case_id)
    assert not notifications.has_contact(services.uow(), case.case_id)
    assert notifications.deliver_pending(services.uow, services.settings).sent == 0
    _refer(services, case.case_id)
    assert box.messages == [] and [r.status for r in _rows(services)] == ["skipped"]


def test_without_a_server_nothing_is_lost(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    services = workbench_services(tmp_path, migrated_url,
                                  smtp_url=f"smtp://127.0.0.1:{free_port()}",
                                  smtp_timeout_seconds=2)
    try:
        case = file_case(services)
        _refer(services, case.case_id)
        done = notifications.deliver_pending(services.uow, services.settings)
        assert done.failed == 1
        [row] = _rows(services)
        assert row.status == "pending" and row.last_error.startswith("ConnectionRefusedError")
    finally:
        services.dispose()


@pytest.mark.parametrize(("url", "reason"), [
    ("http://mail.example", "smtp://"), ("smtp://host?starttls=maybe", "starttls")])
def test_it_refuses_a_malformed_smtp_url(url, reason):
    with pytest.raises(MailError, match=reason):
        parse_smtp_url(url)


def test_user_and_password_come_from_the_url():
    target = parse_smtp_url("smtp://rempart%40asso:p%40ss@mail.example:587?starttls=require")
    assert (target.username, target.password, target.port, target.starttls) == (
        "rempart@asso", "p@ss", 587, "require")


@pytest.fixture
def tls_mailbox(tmp_path):
    """aiosmtpd with STARTTLS (a self-signed certificate) and required authentication."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.integration.workbench_support import Mailbox, _Handler

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"rempart" and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    box = Mailbox(free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port,
                            tls_context=context, require_starttls=True,
                            authenticator=check, auth_required=True)
    controller.start()
    yield box, cert
    controller.stop()


def test_it_sends_over_starttls_with_authentication(tmp_path, migrated_url, tls_mailbox,
                                                    fast_argon2):  # noqa: F811
    box, cert = tls_mailbox
    base = f"smtp://rempart:s3cret@127.0.0.1:{box.port}?starttls=require&cafile={cert}"
    services = workbench_services(tmp_path, migrated_url, smtp_url=base, smtp_timeout_seconds=5)
    try:
        case = file_case(services)
        _refer(services, case.case_id)
        assert notifications.deliver_pending(services.uow, services.settings).sent == 1
        assert len(box.messages) == 1
        services.settings.smtp_url = base.replace("s3cret", "wrong")
        _refer(services, file_case(services).case_id)
        done = notifications.deliver_pending(services.uow, services.settings)
        assert (done.sent, done.failed) == (0, 1)  # refused (or cut off) by the server
    finally:
        services.dispose()


def test_the_delivery_task_is_registered_with_retries():
    from huey import MemoryHuey

    huey = MemoryHuey("t")
    notify.register_worker_tasks(huey)
    task = huey._registry.string_to_task(f"{notify.__name__}.{notify.TASK_NAME}")
    assert task.default_retries == notify.RETRIES
    assert task.default_retry_delay == notify.RETRY_DELAY_SECONDS
    assert dt.timedelta(seconds=notify.RETRY_DELAY_SECONDS) <= dt.timedelta(minutes=5)

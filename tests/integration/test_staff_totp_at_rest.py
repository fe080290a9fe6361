"""Staff TOTP secrets are encrypted in the database, bound to their account, on both engines;
the migration seals the secrets of existing accounts and its downgrade opens them again."""

import logging
from datetime import UTC, datetime

import pyotp
import pytest
import structlog
from sqlalchemy import create_engine, insert, inspect, select, update

from rempart.domain.audit import AuditAction
from rempart.domain.staff import StaffRole
from rempart.security.totp_crypto import TotpSecretError, is_sealed
from rempart.services import staff
from rempart.services.errors import LoginFailed
from rempart.store import migrate
from rempart.store.tables import AuditRecord, PassphraseAttemptRecord, StaffRecord
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401 (fixture)
from tests.integration.pages_support import PASSWORD, csrf, make_client

pytestmark = pytest.mark.usefixtures("fast_argon2")
CLEAR_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _no_outside_key(monkeypatch):
    monkeypatch.delenv("REMPART_TOTP_KEY_FILE", raising=False)


@pytest.fixture
def app(tmp_path, migrated_url):
    services = build(tmp_path, migrated_url)
    yield services
    services.dispose()


def _stored(url: str) -> dict[str, str]:
    """E-mail -> raw column value, read as a database dump would."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(select(StaffRecord.email, StaffRecord.totp_secret)).all())
    finally:
        engine.dispose()


def _set_stored(url: str, email: str, value: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(update(StaffRecord).where(StaffRecord.email == email)
                         .values(totp_secret=value))
    finally:
        engine.dispose()


def _login(services, email, secret, password=PASSWORD):
    return staff.authenticate(services.uow(), services.totp_box, email, password,
                              pyotp.TOTP(secret).now())


def test_the_column_holds_no_clear_secret_and_login_still_works(app):
    member, secret = staff.add_staff(app.uow(), app.totp_box, "ana@example.org", PASSWORD,
                                     StaffRole.COUNSELOR)
    stored = _stored(app.settings.resolved_database_url)["ana@example.org"]
    assert is_sealed(stored) and secret not in stored
    assert _login(app, "ana@example.org", secret) == member


def test_a_secret_copied_from_another_account_fails_closed(app):
    url = app.settings.resolved_database_url
    _, own_secret = staff.add_staff(app.uow(), app.totp_box, "mallory@example.org", PASSWORD,
                                    StaffRole.ANALYST)
    staff.add_staff(app.uow(), app.totp_box, "admin@example.org", PASSWORD, StaffRole.ADMIN)
    # Someone who can write the database and knows the admin's password plants their own
    # second factor on the admin account.
    _set_stored(url, "admin@example.org", _stored(url)["mallory@example.org"])
    with pytest.raises(TotpSecretError, match="does not decrypt"):
        _login(app, "admin@example.org", own_secret)
    with app.session_factory() as session:
        assert session.scalar(select(PassphraseAttemptRecord.id)) is None  # not held against
        assert AuditAction.STAFF_LOGIN.value not in set(session.scalars(
            select(AuditRecord.action)))


def test_a_clear_secret_left_in_the_column_is_refused(app):
    staff.add_staff(app.uow(), app.totp_box, "ana@example.org", PASSWORD, StaffRole.COUNSELOR)
    _set_stored(app.settings.resolved_database_url, "ana@example.org", CLEAR_SECRET)
    with pytest.raises(TotpSecretError, match="not encrypted"):
        _login(app, "ana@example.org", CLEAR_SECRET)


def test_another_instance_key_fails_closed_and_the_login_page_says_so(app, tmp_path,
                                                                      monkeypatch):
    _, secret = staff.add_staff(app.uow(), app.totp_box, "ana@example.org", PASSWORD,
                                StaffRole.COUNSELOR)
    other_key = tmp_path / "other.key"
    other_key.write_text("ab" * 32)
    monkeypatch.setenv("REMPART_TOTP_KEY_FILE", str(other_key))
    wrong = build(tmp_path, app.settings.resolved_database_url)
    try:
        with pytest.raises(TotpSecretError, match="totp_key is not the one"):
            _login(wrong, "ana@example.org", secret)
    finally:
        wrong.dispose()
    with pytest.raises(LoginFailed):  # a wrong password still says nothing more
        _login(app, "ana@example.org", secret, password="not the password")

    client = make_client(tmp_path / "data", app.settings.resolved_database_url)
    response = client.post("/staff/login", data={
        "csrf_token": csrf(client, "/staff/login"), "email": "ana@example.org",
        "password": PASSWORD, "totp": pyotp.TOTP(secret).now()})
    assert response.status_code == 503 and "administra" in response.text
    assert secret not in response.text


def test_the_secret_never_appears_in_logs(app, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        _, secret = staff.add_staff(app.uow(), app.totp_box, "ana@example.org", PASSWORD,
                                    StaffRole.COUNSELOR)
        _login(app, "ana@example.org", secret)
        with pytest.raises(LoginFailed):
            _login(app, "ana@example.org", secret, password="not the password")
        _set_stored(app.settings.resolved_database_url, "ana@example.org",
                    app.totp_box.seal("someone-else", secret))
        with pytest.raises(TotpSecretError):
            _login(app, "ana@example.org", secret)
    assert any(e["event"] == "staff_totp_secret_unreadable" for e in events)
    printed = capsys.readouterr()
    for text in (repr(events), caplog.text, printed.out, printed.err):
        assert secret not in text


# The migration ----------------------------------------------------------------------------

def _account_with_clear_secret(url: str) -> None:
    now = datetime.now(UTC)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(StaffRecord.__table__).values(
                id="00000000-0000-0000-0000-000000000001", email="old@example.org",
                password_hash=_password_hash(), totp_secret=CLEAR_SECRET, last_totp_step=None,
                role="admin", active=True, created_at=now, last_login_at=None))
    finally:
        engine.dispose()


def _password_hash() -> str:
    from rempart.security import hashing

    return hashing.hash_secret(PASSWORD)


def _column_width(url: str) -> int:
    engine = create_engine(url)
    try:
        column = next(c for c in inspect(engine).get_columns("staff_accounts")
                      if c["name"] == "totp_secret")
        return column["type"].length
    finally:
        engine.dispose()


def test_the_migration_seals_existing_secrets_and_the_downgrade_opens_them(tmp_path,
                                                                         database_url, caplog):
    caplog.set_level(logging.DEBUG)
    migrate.upgrade(database_url, "0001_foundation")
    _account_with_clear_secret(database_url)
    services = build(tmp_path, database_url)
    try:
        migrate.upgrade(database_url, settings=services.settings)
        stored = _stored(database_url)["old@example.org"]
        assert is_sealed(stored) and CLEAR_SECRET not in stored
        assert _column_width(database_url) == 255
        assert _login(services, "old@example.org", CLEAR_SECRET).email == "old@example.org"

        migrate.downgrade(database_url, "0001_foundation", settings=services.settings)
        assert _stored(database_url) == {"old@example.org": CLEAR_SECRET}
        assert _column_width(database_url) == 64
        migrate.upgrade(database_url, settings=services.settings)
        assert services.totp_box.open("00000000-0000-0000-0000-000000000001",
                                      _stored(database_url)["old@example.org"]) == CLEAR_SECRET
        assert "Running upgrade" in caplog.text and CLEAR_SECRET not in caplog.text
    finally:
        services.dispose()


def test_a_downgrade_under_another_key_stops_and_changes_nothing(tmp_path, database_url):
    migrate.upgrade(database_url, "0001_foundation")
    _account_with_clear_secret(database_url)
    services = build(tmp_path / "right", database_url)
    other = build(tmp_path / "other", database_url)
    try:
        migrate.upgrade(database_url, settings=services.settings)
        before = _stored(database_url)
        with pytest.raises(TotpSecretError, match="does not decrypt"):
            migrate.downgrade(database_url, "0001_foundation", settings=other.settings)
        assert _stored(database_url) == before
        # 0006 is still applied: itself a head (SQLite, where the steps before it were
        # committed one by one) or below 0008, its child (PostgreSQL, one transaction rolled back).
        assert migrate.current_heads(database_url) & {"0006_staff_totp_sealed",
                                                      "0008_report_facts"}
    finally:
        services.dispose()
        other.dispose()



def test_a_malformed_totp_key_stops_the_app_at_start(tmp_path, monkeypatch):
    from rempart.config import Settings
    from rempart.security.totp_crypto import TotpKeyError
    from rempart.web.app import create_app

    bad_key = tmp_path / "bad.key"
    bad_key.write_text("not hex")
    monkeypatch.setenv("REMPART_TOTP_KEY_FILE", str(bad_key))
    with pytest.raises(TotpKeyError, match="64 hex digits"):
        create_app(Settings(data_dir=tmp_path / "data"))

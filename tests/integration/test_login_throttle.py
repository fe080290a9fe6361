"""Lockouts cannot be raced (issue 12.5): attempts are counted in the database, one after the
other, before the argon2 check; a locked key waits a delay that grows, never forever. Both
engines."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from rempart.domain.cases import CaseKind
from rempart.domain.staff import StaffRole
from rempart.security import hashing
from rempart.services import cases, staff
from rempart.services.cases import AttemptPolicy
from rempart.services.errors import CaseAccessDenied, LoginFailed, TooManyAttempts
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_argon2")
POLICY = AttemptPolicy(max_failures=5, window=timedelta(minutes=15),
                       first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=15))


@pytest.fixture
def app(tmp_path, migrated_url):
    services = build(tmp_path, migrated_url)
    yield services
    services.dispose()


@pytest.fixture
def argon2_checks(monkeypatch):
    """Counts every argon2 computation (real checks and the dummy ones that equalise time)."""
    lock, calls = threading.Lock(), []

    def counting(original):
        def wrapper(*args, **kwargs):
            with lock:
                calls.append(original.__name__)
            return original(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(hashing, "verify_secret", counting(hashing.verify_secret))
    monkeypatch.setattr(hashing, "burn_verify_time", counting(hashing.burn_verify_time))
    return calls


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _report(app) -> cases.SubmittedReport:
    report = cases.NewReport(description="Des messages d'insultes tous les jours",
                             kinds=[CaseKind.INSULTS])
    return cases.submit_report(app.uow(), app.store, report, [], app.limits)


def _race(count: int, attempt) -> list[str]:
    def one(_: int) -> str:
        try:
            attempt()
        except TooManyAttempts:
            return "locked"
        except (CaseAccessDenied, LoginFailed):
            return "refused"
        return "opened"
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_40_concurrent_wrong_passphrases_make_at_most_the_limit_of_checks(app, argon2_checks):
    submitted = _report(app)
    outcomes = _race(40, lambda: cases.open_case(app.uow(), submitted.code, "mauvaise phrase",
                                                 POLICY))
    assert len(argon2_checks) <= POLICY.max_failures
    assert outcomes.count("refused") == len(argon2_checks)
    assert outcomes.count("locked") == 40 - len(argon2_checks)
    with pytest.raises(TooManyAttempts):  # even the right passphrase waits now
        cases.open_case(app.uow(), submitted.code, submitted.passphrase, POLICY)


def test_30_concurrent_staff_logins_make_at_most_the_limit_of_checks(app, argon2_checks):
    _, secret = staff.add_staff(app.uow(), app.totp_box, "anne@example.org",
                                "mot de passe solide", StaffRole.COUNSELOR)
    code = pyotp.TOTP(secret).now()
    outcomes = _race(30, lambda: staff.authenticate(app.uow(), app.totp_box, "anne@example.org",
                                                    "mauvais mot de passe", code, POLICY))
    assert len(argon2_checks) <= POLICY.max_failures
    assert outcomes.count("locked") == 30 - len(argon2_checks)


def test_a_locked_code_waits_a_growing_delay_then_opens_for_its_owner(app, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cases, "_now", clock)
    submitted = _report(app)
    for _ in range(5):
        with pytest.raises(CaseAccessDenied):
            cases.open_case(app.uow(), submitted.code, "mauvaise phrase", POLICY)
    with pytest.raises(TooManyAttempts) as locked:
        cases.open_case(app.uow(), submitted.code, "mauvaise phrase", POLICY)
    assert locked.value.retry_after == 60
    clock.now += timedelta(seconds=61)  # one more try, then twice the wait
    with pytest.raises(CaseAccessDenied):
        cases.open_case(app.uow(), submitted.code, "mauvaise phrase", POLICY)
    with pytest.raises(TooManyAttempts) as longer:
        cases.open_case(app.uow(), submitted.code, submitted.passphrase, POLICY)
    assert longer.value.retry_after == 120
    clock.now += timedelta(seconds=121)
    assert cases.open_case(app.uow(), submitted.code, submitted.passphrase,
                           POLICY) == submitted.case_id
    with pytest.raises(CaseAccessDenied):  # a success starts the count again
        cases.open_case(app.uow(), submitted.code, "mauvaise phrase", POLICY)


def test_refused_attempts_while_locked_do_not_lengthen_the_wait(app, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cases, "_now", clock)
    for _ in range(5):
        with pytest.raises(CaseAccessDenied):
            cases.open_case(app.uow(), "ABCD-EFGH", "mauvaise phrase", POLICY)
    for _ in range(20):
        with pytest.raises(TooManyAttempts):
            cases.open_case(app.uow(), "ABCD-EFGH", "mauvaise phrase", POLICY)
    clock.now += timedelta(seconds=61)
    with pytest.raises(CaseAccessDenied):  # an unknown code is throttled the same way
        cases.open_case(app.uow(), "ABCD-EFGH", "mauvaise phrase", POLICY)


def test_the_delay_is_capped_and_failures_are_forgotten_after_a_quiet_window():
    policy = POLICY
    assert policy.delay_after(4) is None
    assert policy.delay_after(5) == timedelta(minutes=1)
    assert policy.delay_after(7) == timedelta(minutes=4)
    assert policy.delay_after(500) == timedelta(minutes=15)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    from rempart.store.access import ThrottleState
    old = ThrottleState(failures=4, blocked_until=None, last_attempt_at=now - timedelta(hours=1))
    allowed, state, _ = policy.claim(old, now)
    assert allowed and state.failures == 1

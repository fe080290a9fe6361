import pytest

from rempart.domain.staff import (
    Permission,
    StaffRole,
    can,
    normalize_email,
    password_problem,
)


def test_only_admins_read_the_audit_log():
    assert can(StaffRole.ADMIN, Permission.READ_AUDIT)
    assert not can(StaffRole.COUNSELOR, Permission.READ_AUDIT)
    assert not can(StaffRole.ANALYST, Permission.READ_AUDIT)


def test_every_role_works_cases_and_only_counselors_and_admins_reply():
    for role in StaffRole:
        assert can(role, Permission.VIEW_CASE) and can(role, Permission.SET_STATUS)
    assert can(StaffRole.COUNSELOR, Permission.REPLY)
    assert not can(StaffRole.ANALYST, Permission.REPLY)


def test_it_normalizes_emails_and_refuses_non_addresses():
    assert normalize_email("  Anne@Example.ORG ") == "anne@example.org"
    for bad in ("anne", "anne@localhost", "@x.org", "a b@x.org"):
        with pytest.raises(ValueError):
            normalize_email(bad)


def test_it_refuses_short_passwords():
    assert password_problem("short") is not None
    assert password_problem("a long enough one") is None


def test_every_role_takes_cases_and_sees_statistics_but_only_admins_manage_replies_and_export():
    for role in StaffRole:
        assert can(role, Permission.TAKE_CASE) and can(role, Permission.VIEW_STATS)
    assert can(StaffRole.COUNSELOR, Permission.USE_CANNED_REPLIES)
    assert not can(StaffRole.ANALYST, Permission.USE_CANNED_REPLIES)
    for permission in (Permission.MANAGE_CANNED_REPLIES, Permission.EXPORT_AUDIT):
        assert can(StaffRole.ADMIN, permission)
        assert not can(StaffRole.COUNSELOR, permission)
        assert not can(StaffRole.ANALYST, permission)

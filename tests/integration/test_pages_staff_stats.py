"""Statistics (issue 13.5) and the audit log's filters and export: server-rendered SVG charts
under the strict CSP, a date range, CSV exports with small counts shown as "< 5"."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from rempart.domain.staff import StaffRole
from rempart.store.db import make_engine, make_session_factory
from rempart.store.tables import CaseRecord, MessageRecord
from rempart.store.workbench_tables import ReferralRecord, TakedownRecord
from tests.integration.pages_support import add_staff, csrf, file_report, make_client, staff_login

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _seed(url: str) -> None:
    """Seven cases over two weeks (two minors), answers after 2 h and 4 h, two takedowns and
    one referral."""
    rows = []
    for n in range(7):
        case_id = f"00000000-0000-0000-0000-{n:012d}"
        at = MONDAY + timedelta(days=n * 2)
        rows.append(CaseRecord(
            id=case_id, code=f"RMP-STAT-{n:04d}", passphrase_hash="h", status="received",
            kinds=["threats" if n % 2 else "insults"], description="d", platforms=[],
            other_platform=None, urls=[], incident_dates=None, author_handles=[],
            victim_is_minor=n < 2, reporter_role="victim", contact=None, labels=[],
            priority=0, created_at=at, updated_at=at))
        if n < 2:
            rows.append(MessageRecord(id=f"10000000-0000-0000-0000-{n:012d}", case_id=case_id,
                                      author="staff", staff_id=None, internal=False,
                                      body="Bonjour", created_at=at + timedelta(hours=2 + 2 * n)))
    for n, (platform, status) in enumerate((("TikTok", "removed"), ("TikTok", "sent"))):
        rows.append(TakedownRecord(
            id=f"20000000-0000-0000-0000-{n:012d}", case_id=rows[0].id,
            url="https://tiktok.com/x", platform=platform, status=status, channel="email",
            reference=None, trusted_flagger=False, language="fr", notice={}, statement={},
            service_level_hours=24, created_at=MONDAY, updated_at=MONDAY, sent_at=MONDAY,
            due_at=MONDAY + timedelta(hours=24), acknowledged_at=None,
            decided_at=MONDAY + timedelta(hours=6) if status == "removed" else None,
            overdue_since=None, created_by=None))
    rows.append(ReferralRecord(id="30000000-0000-0000-0000-000000000000", case_id=rows[0].id,
                               target="pharos", sent_on=MONDAY.date(), reference="P-1",
                               service=None, note=None, created_at=MONDAY, created_by=None,
                               leaf_index=None))
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            for row in rows:  # parents first (foreign keys)
                session.add(row)
                session.flush()
            session.commit()
    finally:
        engine.dispose()


def test_the_statistics_page_shows_its_figures_and_charts_as_svg_images(client, migrated_url):
    _seed(migrated_url)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    page = client.get("/staff/stats?since=2026-03-01&until=2026-03-31")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    content = page.text[page.text.index("<main"):]
    assert "<script" not in content and "style=" not in content  # the charts are images
    figures = page.text[page.text.index('id="key-figures"'):]
    assert "<dd>7</dd>" in figures and "<dd>2 (29 %)</dd>" in figures
    assert "3,0 h" in figures or "3.0 h" in figures  # median of 2 h and 4 h
    charts = re.findall(r'<img src="(/staff/stats/charts/[a-z-]+\.svg[^"]*)"', page.text)
    assert len(charts) == 6
    for chart in charts:
        svg = client.get(chart.replace("&amp;", "&"))
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert svg.content.lstrip().startswith(b"<?xml") and b"<svg" in svg.content
        assert b"<script" not in svg.content
        assert svg.headers["cache-control"] == "no-store"
    weekly = client.get("/staff/stats/charts/cases-per-week.svg?since=2026-03-01").text
    assert "Dossiers par semaine" in weekly
    assert client.get("/staff/stats/charts/nothing.svg").status_code == 404


def test_the_csv_export_masks_counts_below_five(client, migrated_url):
    _seed(migrated_url)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    export = client.get("/staff/stats/export.csv?since=2026-03-01&until=2026-03-31")
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"
    rows = {(r[0], r[1], r[2]): r[3] for r in csv.reader(io.StringIO(export.text))}
    assert rows[("cases", "", "")] == "7"
    assert rows[("minors", "", "")] == "< 5"
    assert rows[("share_of_minors", "", "")] == ""  # a share would give the small count away
    assert rows[("cases_per_week", "2026-03-02", "insults")] == "< 5"
    assert rows[("takedown_outcomes", "TikTok", "removed")] == "< 5"
    assert rows[("takedown_median_decision_hours", "TikTok", "")] == "6.0"
    assert rows[("referrals", "pharos", "")] == "< 5"
    assert rows[("median_first_response_hours", "", "")] == "3.0"


def test_a_bad_date_range_is_refused_with_the_reason(client):
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    for query, reason in (("since=2026-13-01", "AAAA-MM-JJ"),
                          ("since=2026-03-10&until=2026-03-01", "avant la date de début")):
        page = client.get("/staff/stats?" + query)
        assert page.status_code == 400 and reason in page.text
    assert client.get("/staff/stats/export.csv?since=x").status_code == 400


def test_the_audit_log_filters_by_person_case_action_and_date_and_exports_csv(client):
    code, _, _ = file_report(client)
    other, _, _ = file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff").text
    ids = re.findall(r'href="/staff/cases/([0-9a-f-]{36})"', queue)
    for case_id in ids:
        client.get(f"/staff/cases/{case_id}")
    client.cookies.clear()
    staff_login(client, "boss@example.org", add_staff(client, "boss@example.org",
                                                      StaffRole.ADMIN))
    page = client.get("/staff/audit").text
    assert "dossier consulté" in page and code in page  # action names in words, case codes
    filtered = client.get(f"/staff/audit?case={code.lower()}&action=case.viewed").text
    body = filtered[filtered.index("<tbody>"):]
    assert body.count("<tr>") == 1 and code in body and other not in body
    ana = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>ana@example.org', page).group(1)
    mine = client.get(f"/staff/audit?staff={ana}").text
    assert "boss@example.org" not in mine[mine.index("<tbody>"):]
    future = client.get("/staff/audit?since=2999-01-01").text
    assert "Aucune entrée" in future
    assert client.get("/staff/audit?case=RMP-ZZZZ-ZZZZ").status_code == 400
    export = client.get(f"/staff/audit/export.csv?case={code}")
    assert export.status_code == 200
    lines = list(csv.reader(io.StringIO(export.text)))
    assert lines[0][:5] == ["at_utc", "actor", "staff", "action", "action_name"]
    assert {line[5] for line in lines[1:]} == {code}
    assert "audit.exported" in client.get("/staff/audit?action=audit.exported").text
    client.cookies.clear()
    staff_login(client, "al@example.org", add_staff(client, "al@example.org",
                                                    StaffRole.ANALYST))
    assert client.get("/staff/audit/export.csv").status_code == 403
    assert csrf(client, "/staff")

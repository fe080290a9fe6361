"""The back-office queue in pages of 50, with Previous / Next links that keep the filters and
work without JavaScript; bad page numbers get a 400 with the reason."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from rempart.domain.staff import StaffRole
from rempart.services.staff import QUEUE_PAGE_SIZE
from rempart.store.db import make_engine, make_session_factory
from rempart.store.tables import CaseRecord
from tests.integration.pages_support import add_staff, make_client, staff_login

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        staff_login(test_client, "ana@example.org", add_staff(test_client, "ana@example.org",
                                                              StaffRole.COUNSELOR))
        yield test_client


def _add_cases(url: str, count: int, kind: str, status: str = "received",
               start: int = 0) -> list[str]:
    """``count`` cases whose priorities and arrival times tie often; their codes in queue
    order (most urgent, then oldest, then id)."""
    records = [CaseRecord(
        id=f"00000000-0000-0000-0000-{start + n:012d}", code=f"RMP-TEST-{start + n:04d}",
        passphrase_hash="h", status=status, kinds=[kind], description="d", platforms=[],
        other_platform=None, urls=[], incident_dates=None, author_handles=[],
        victim_is_minor=False, reporter_role="victim", contact=None, labels=[],
        priority=(n * 7) % 4, created_at=T0 + timedelta(minutes=n % 5), updated_at=T0)
        for n in range(count)]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            session.add_all(records)
            session.commit()
    finally:
        engine.dispose()
    records.sort(key=lambda c: (-c.priority, c.created_at, c.id))
    return [c.code for c in records]


def _codes(page: str) -> list[str]:
    return re.findall(r"<code>(RMP-[^<]+)</code>", page)


def _link(page: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def test_the_queue_is_paged_without_overlap_and_the_links_keep_the_filters(client, migrated_url):
    threats = _add_cases(migrated_url, QUEUE_PAGE_SIZE + 12, "threats")
    _add_cases(migrated_url, 30, "insults", start=500)
    _add_cases(migrated_url, 5, "threats", status="closed", start=900)

    first = client.get("/staff?status=received&kind=threats")
    assert first.status_code == 200
    assert _codes(first.text) == threats[:QUEUE_PAGE_SIZE]
    assert _link(first.text, "prev") is None
    assert _link(first.text, "next") == "/staff?status=received&kind=threats&page=2"
    assert "Suivant" in first.text and "dossiers 1 à 50" in first.text

    second = client.get(_link(first.text, "next"))
    assert _codes(second.text) == threats[QUEUE_PAGE_SIZE:]
    assert _link(second.text, "next") is None
    assert _link(second.text, "prev") == "/staff?status=received&kind=threats"
    assert "Précédent" in second.text and "Page 2" in second.text
    # The filter form still shows the filters of the page.
    assert 'value="threats" selected' in second.text
    assert 'value="received" selected' in second.text


def test_a_short_queue_has_no_pager_and_english_says_previous_and_next(client, migrated_url):
    _add_cases(migrated_url, 3, "insults")
    page = client.get("/staff").text
    assert len(_codes(page)) == 3 and 'class="pager"' not in page
    _add_cases(migrated_url, QUEUE_PAGE_SIZE, "insults", start=100)
    english = client.get("/staff?page=2&lang=en").text
    assert len(_codes(english)) == 3 and "Previous" in english and "Next" not in english


def test_a_page_past_the_end_links_back_to_the_first_page(client, migrated_url):
    _add_cases(migrated_url, 3, "insults")
    response = client.get("/staff?kind=insults&page=4")
    assert response.status_code == 200 and _codes(response.text) == []
    assert "au-delà de la fin" in response.text
    assert 'href="/staff?kind=insults"' in response.text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "10001", "99999999999", "٣"])
def test_a_bad_page_number_is_answered_400_with_the_reason(client, page):
    response = client.get("/staff", params={"page": page})
    assert response.status_code == 400
    assert "Le numéro de page doit être un nombre entier de 1 à 10000." in response.text

""""Capturer cette page" from the case portal and the back-office (issue 14.3), on SQLite and
PostgreSQL, against a local http.server (REMPART_CAPTURE_ALLOW_PRIVATE only where said): the
reporter's capture becomes WARC + PNG evidence with the reporter as custody actor and the PNG is
read (OCR), the bundle verifies; staff need the permission and are audited; a local address is
refused by the job with its reason and nothing kept; a bad address is a 400 and a missing CSRF
token a 403, storing nothing; the 11th request in an hour is a 429; a reporter only ever sees
the captures of their own case."""

from __future__ import annotations

import html
import http.server
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, update

from rempart import bootstrap
from rempart.domain import staff as staff_rules
from rempart.domain.custody import CustodyEvent
from rempart.domain.staff import Permission, StaffRole
from rempart.evidence.bundle import verify_bundle
from rempart.jobs import capture as capture_jobs
from rempart.services import capture_requests, evidence_text
from rempart.store.capture_tables import CaptureRecord
from rempart.store.db import Base
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord, EvidenceRecord
from tests.http_support import serving
from tests.integration.pages_support import add_staff, csrf, make_client, staff_login

PAGE = (b"<html><head><title>Menaces</title></head><body style='background:#fff'>"
        b"<h1 style='font: 56px sans-serif; color: #000'>Message public insultant</h1>"
        b"</body></html>")


class _Site(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture
def site() -> Iterator[str]:
    with serving(_Site) as url:
        yield url


def _client(tmp_path, migrated_url, **overrides):
    settings = {"jobs_immediate": True, "capture_allow_private": True, **overrides}
    return make_client(tmp_path, migrated_url, **settings)


@pytest.fixture
def client(tmp_path, migrated_url):
    with _client(tmp_path, migrated_url) as test_client:
        yield test_client


@pytest.fixture
def strict_client(tmp_path, migrated_url):
    """The production address check: loopback and private addresses refused."""
    with _client(tmp_path, migrated_url, capture_allow_private=False) as test_client:
        yield test_client


@pytest.fixture
def services(request):
    name = "strict_client" if "strict_client" in request.fixturenames else "client"
    built = bootstrap.build(request.getfixturevalue(name).app.state.settings)
    yield built
    built.dispose()


def _file(client, text: bytes = b"il m'insulte sur un forum") -> str:
    """Files a report with one text file; the case's id."""
    data = {"csrf_token": csrf(client, "/signaler"), "description": "Un forum public m'insulte",
            "kinds": ["insults"], "reporter_role": "victim", "platforms": ["Discord"]}
    response = client.post("/signaler", data=data,
                           files=[("evidence", ("notes.txt", text, "text/plain"))])
    assert response.status_code == 201, response.text
    code = re.search(r'id="case-code">([^<]+)<', response.text)
    assert code
    services = bootstrap.build(client.app.state.settings)
    try:
        with services.uow() as uow:
            return str(uow.cases.get_by_code(code.group(1)).id)
    finally:
        services.dispose()


def _capture(client, url: str, **extra):
    return client.post("/dossier/capture",
                       data={"csrf_token": csrf(client, "/dossier"), "url": url, **extra})


def _count(services, query) -> int:
    with services.session_factory() as session:
        return int(session.scalar(query) or 0)


def _captures(services, case_id: str) -> list[CaptureRecord]:
    with services.session_factory() as session:
        return list(session.scalars(select(CaptureRecord).where(
            CaptureRecord.case_id == case_id).order_by(CaptureRecord.requested_at)))


def _items(services, case_id: str) -> list[EvidenceRecord]:
    with services.session_factory() as session:
        return list(session.scalars(select(EvidenceRecord).where(
            EvidenceRecord.case_id == case_id).order_by(EvidenceRecord.received_at)))


def _events(services, case_id: str) -> list[CustodyEvent]:
    with services.session_factory() as session:
        return [CustodyEvent.from_leaf(bytes(leaf)) for leaf in session.scalars(
            select(LedgerLeaf.leaf).where(LedgerLeaf.case_id == case_id).order_by(
                LedgerLeaf.idx))]


def _audit(services, case_id: str, action: str) -> list[AuditRecord]:
    with services.session_factory() as session:
        return list(session.scalars(select(AuditRecord).where(
            AuditRecord.case_id == case_id, AuditRecord.action == action)))


def test_the_reporter_captures_a_page_from_the_portal_and_its_bundle_verifies(
        client, services, site, tmp_path):
    case_id = _file(client)
    page = html.unescape(client.get("/dossier").text)
    assert 'action="/dossier/capture"' in page and "Capturer une page" in page
    assert "garde une copie et une image" in page and "faites plutôt une capture d'écran" in page
    asked = _capture(client, f"{site}/forum/post-12")
    assert asked.status_code == 303, asked.text
    assert asked.headers["location"] == "/dossier?ok=capture#capture"
    assert "Capture demandée" in html.unescape(client.get(asked.headers["location"]).text)
    listed = html.unescape(client.get("/dossier/captures").text)
    assert f"{site}/forum/post-12" in listed and 'data-state="done"' in listed
    assert "Copie et image ajoutées aux preuves." in listed
    [row] = _captures(services, case_id)
    assert (row.state, row.reason, row.requested_by) == ("done", None, "reporter")
    items = {i.file_name: i for i in _items(services, case_id)}
    assert set(items) == {"notes.txt", "capture-127.0.0.1.warc", "capture-127.0.0.1.png"}
    captured = {items["capture-127.0.0.1.warc"].id, items["capture-127.0.0.1.png"].id}
    received = [e for e in _events(services, case_id) if e.item_id in captured]
    assert len(received) == 2 and {e.actor_role.value for e in received} == {"reporter"}
    derived = [e for e in _events(services, case_id) if e.action.value == "item_derived"
               and (e.target or "").startswith("capture:")]
    assert [e.actor_role.value for e in derived] == ["reporter"]
    [requested] = _audit(services, case_id, "capture.requested")
    assert requested.actor == "reporter" and requested.detail == {"capture": row.id}
    added = [a for a in _audit(services, case_id, "evidence.added") if a.detail.get("capture")]
    assert [a.actor for a in added] == ["reporter"]
    with services.session_factory() as session:  # the address is in no column, no audit row
        assert not any("post-12" in repr(r.detail) for r in session.scalars(select(AuditRecord)))
    texts = evidence_text.texts_for_reporter(services, case_id)
    png_text = next(t for t in texts if t.file_name == "capture-127.0.0.1.png")
    assert "insultant" in png_text.result.text.lower()
    exported = client.post("/dossier/export",
                           data={"csrf_token": csrf(client, "/dossier/documents")})
    assert exported.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(exported.content)
    report = verify_bundle(bundle)
    assert report.items == 3 and report.case == case_id


def test_the_web_request_only_queues_and_the_job_does_the_capture(tmp_path, migrated_url,
                                                                  site):
    with _client(tmp_path, migrated_url, jobs_immediate=False,
                 capture_chromium=tmp_path / "no-chromium") as client:
        case_id = _file(client)
        assert _capture(client, f"{site}/later").status_code == 303
        listed = html.unescape(client.get("/dossier/captures").text)
        assert 'data-state="queued"' in listed and "en attente" in listed
        built = bootstrap.build(client.app.state.settings)
        try:
            [row] = _captures(built, case_id)
            assert capture_jobs.capture_now(built, row.id) == "done"
            assert capture_jobs.capture_now(built, row.id) == "done"  # claimed once only
            names = sorted(i.file_name for i in _items(built, case_id))
        finally:
            built.dispose()
        listed = html.unescape(client.get("/dossier/captures").text)
    assert names == ["capture-127.0.0.1.warc", "notes.txt"]
    assert 'data-state="done"' in listed and "n'a pas pu être transformée en image" in listed


def test_staff_capture_with_the_permission_and_are_audited(client, services, site,
                                                           monkeypatch):
    case_id = _file(client)
    client.cookies.clear()
    secret = add_staff(client, "analyste@asso.example", StaffRole.ANALYST)
    staff_login(client, "analyste@asso.example", secret)
    page = client.get(f"/staff/cases/{case_id}").text
    assert f'action="/staff/cases/{case_id}/capture"' in page
    token = csrf(client, f"/staff/cases/{case_id}")
    asked = client.post(f"/staff/cases/{case_id}/capture",
                        data={"csrf_token": token, "url": f"{site}/staff-seen"})
    assert asked.status_code == 303, asked.text
    assert asked.headers["location"] == f"/staff/cases/{case_id}/captures?ok=1"
    listed = html.unescape(client.get(asked.headers["location"]).text)
    assert "Capture demandée." in listed and f"{site}/staff-seen" in listed
    assert 'data-state="done"' in listed and "l'équipe" in listed
    with services.session_factory() as session:
        staff_id = session.scalar(select(AuditRecord.staff_id).where(
            AuditRecord.action == "staff.login"))
    [requested] = _audit(services, case_id, "capture.requested")
    assert (requested.actor, requested.staff_id) == ("staff", staff_id)
    added = [a for a in _audit(services, case_id, "evidence.added") if a.detail.get("capture")]
    assert [(a.actor, a.staff_id) for a in added] == [("staff", staff_id)]
    captured = {i.id for i in _items(services, case_id) if i.file_name.startswith("capture-")}
    assert {e.actor_role.value for e in _events(services, case_id)
            if e.item_id in captured} == {"staff"}
    unknown = client.post("/staff/cases/00000000-0000-0000-0000-000000000000/capture",
                          data={"csrf_token": token, "url": f"{site}/x"})
    assert unknown.status_code == 404
    bad = client.post(f"/staff/cases/{case_id}/capture",
                      data={"csrf_token": token, "url": "gopher://example.org/"})
    assert bad.status_code == 400 and "Seules les pages web" in html.unescape(bad.text)
    viewed = _audit(services, case_id, "case.viewed")
    assert {"what": "captures", "lines": 1} in [v.detail for v in viewed]
    narrower = staff_rules.ROLE_PERMISSIONS[StaffRole.ANALYST] - {Permission.ADD_EVIDENCE}
    monkeypatch.setitem(staff_rules.ROLE_PERMISSIONS, StaffRole.ANALYST, narrower)
    assert f'action="/staff/cases/{case_id}/capture"' not in client.get(
        f"/staff/cases/{case_id}").text
    refused = client.post(f"/staff/cases/{case_id}/capture",
                          data={"csrf_token": token, "url": f"{site}/again"})
    assert refused.status_code == 403
    assert len(_captures(services, case_id)) == 1
    assert len(_audit(services, case_id, "capture.requested")) == 1
    missing = client.post("/staff/cases/00000000-0000-0000-0000-000000000000/capture",
                          data={"csrf_token": token, "url": f"{site}/x"})
    assert missing.status_code == 403  # the role is checked before the case


def test_a_local_address_is_refused_by_the_job_and_nothing_is_kept(strict_client, services,
                                                                   site):
    case_id = _file(strict_client)
    before = len(_events(services, case_id))
    asked = _capture(strict_client, f"{site}/inside")
    assert asked.status_code == 303
    listed = html.unescape(strict_client.get("/dossier/captures").text)
    assert 'data-state="refused"' in listed and 'data-reason="address"' in listed
    assert "pas une page web publique" in listed and "Rien n'a été gardé" in listed
    [row] = _captures(services, case_id)
    assert (row.state, row.reason, row.warc_item_id) == ("refused", "address", None)
    assert [i.file_name for i in _items(services, case_id)] == ["notes.txt"]
    assert len(_events(services, case_id)) == before  # no custody entry: nothing received
    english = html.unescape(strict_client.get("/dossier/captures", params={"lang": "en"}).text)
    assert "This address is not a public web page" in english and "refused" in english


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "Seules les pages web"),
    ("javascript:alert(1)", "Seules les pages web"),
    ("https://", "Ce n'est pas l'adresse d'une page web"),
    ("pas une adresse", "Ce n'est pas l'adresse d'une page web"),
    ("https://user:pw@example.org/", "Ce n'est pas l'adresse d'une page web"),
    ("https://example.org/" + "a" * 4000, "4000 caractères au plus"),
    ("https://exa\x01mple.org/", "caractère de contrôle"),
])
def test_a_bad_address_gets_400_with_its_reason_and_nothing_is_stored(client, services, url,
                                                                       reason):
    case_id = _file(client)
    refused = _capture(client, url)
    assert refused.status_code == 400
    assert reason in html.unescape(refused.text)
    assert _captures(services, case_id) == []
    assert _audit(services, case_id, "capture.requested") == []
    assert [i.file_name for i in _items(services, case_id)] == ["notes.txt"]


def test_the_reason_speaks_english(client):
    _file(client)
    refused = client.post("/dossier/capture?lang=en", data={
        "csrf_token": csrf(client, "/dossier"), "url": "ftp://example.org/file"})
    assert refused.status_code == 400
    assert "the address must start with https:// or http://" in html.unescape(refused.text)


def test_a_form_without_its_csrf_token_is_refused(client, services, site):
    case_id = _file(client)
    refused = client.post("/dossier/capture", data={"url": f"{site}/x"})
    assert refused.status_code == 403
    forged = client.post("/dossier/capture", data={"url": f"{site}/x", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert _captures(services, case_id) == []
    client.cookies.clear()
    secret = add_staff(client, "conseil@asso.example", StaffRole.COUNSELOR)
    staff_login(client, "conseil@asso.example", secret)
    staff_refused = client.post(f"/staff/cases/{case_id}/capture", data={"url": f"{site}/x"})
    assert staff_refused.status_code == 403 and _captures(services, case_id) == []


def test_the_eleventh_capture_in_an_hour_gets_429(strict_client, services, site):
    case_id = _file(strict_client)
    for n in range(10):
        assert _capture(strict_client, f"{site}/page-{n}").status_code == 303
    over = _capture(strict_client, f"{site}/page-10")
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) > 0
    text = html.unescape(over.text)
    assert "10 captures de page dans la dernière heure" in text and "Réessayez dans" in text
    assert len(_captures(services, case_id)) == 10
    assert len(_audit(services, case_id, "capture.requested")) == 10


def test_a_reporter_only_sees_the_captures_of_their_own_case(strict_client, services, site):
    first = _file(strict_client)
    assert _capture(strict_client, f"{site}/first-case-only").status_code == 303
    assert "first-case-only" in strict_client.get("/dossier/captures").text
    strict_client.cookies.clear()
    assert strict_client.get("/dossier/captures").status_code == 401
    assert "first-case-only" not in strict_client.get("/dossier/captures").text
    second = _file(strict_client, b"autre chose")
    assert second != first
    page = html.unescape(strict_client.get("/dossier/captures").text)
    assert "Aucune capture de page pour l'instant." in page and "first-case-only" not in page
    assert [c.case_id for c in capture_requests.for_reporter(services, second)] == []
    strict_client.cookies.clear()
    expired = strict_client.post("/dossier/capture", data={
        "csrf_token": csrf(strict_client, "/dossier"), "url": f"{site}/no-session"})
    assert expired.status_code == 401
    assert len(_captures(services, first)) == 1 and _captures(services, second) == []


def test_the_captures_migration_builds_the_table_the_code_declares(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert conn.execute(select(func.count()).select_from(CaptureRecord)).scalar() == 0
    finally:
        engine.dispose()
    assert [d for d in diff if "captures" in repr(d)] == []


def test_lost_requests_are_queued_again_and_dead_ones_end_failed(tmp_path, migrated_url, site):
    """The queue was down when the reporter asked (the request stays "queued"), or a worker died
    during a capture ("running"): the periodic recovery queues the first again and fails the
    others once they are an hour old, so the list never says "in progress" for ever."""
    with _client(tmp_path, migrated_url, jobs_immediate=False, jobs_backend="redis",
                 redis_url="redis://127.0.0.1:9/0",  # nothing listens: enqueueing fails
                 capture_chromium=tmp_path / "no-chromium") as client:
        case_id = _file(client)
        for path in ("/lost", "/dead", "/forgotten"):
            assert _capture(client, f"{site}{path}").status_code == 303
        built = bootstrap.build(client.app.state.settings)
        try:
            lost, dead, forgotten = _captures(built, case_id)
            assert {lost.state, dead.state, forgotten.state} == {"queued"}
            now = datetime.now(UTC)
            with built.session_factory() as session:
                for row, age, state in ((lost, timedelta(minutes=3), "queued"),
                                        (dead, timedelta(hours=2), "running"),
                                        (forgotten, timedelta(hours=2), "queued")):
                    session.execute(update(CaptureRecord).where(CaptureRecord.id == row.id)
                                    .values(requested_at=now - age, state=state))
                session.commit()
            assert capture_requests.recover_stale(built, now) == capture_requests.Recovery(
                requeued=1, failed=2)  # the lost one's queue is still down: it stays queued
            states = {r.id: (r.state, r.reason) for r in _captures(built, case_id)}
            assert states[dead.id] == ("failed", "error")
            assert states[forgotten.id] == ("failed", "error")
            assert states[lost.id] == ("queued", None)
            immediate = bootstrap.build(client.app.state.settings.model_copy(
                update={"jobs_immediate": True}))
            try:  # the queue is back (inline here): the lost request is captured
                assert capture_requests.recover_stale(immediate, now).requeued == 1
            finally:
                immediate.dispose()
            assert {r.id: r.state for r in _captures(built, case_id)}[lost.id] == "done"
            assert capture_requests.recover_stale(built, now) == capture_requests.Recovery(0, 0)
        finally:
            built.dispose()
        listed = html.unescape(client.get("/dossier/captures").text)
    assert listed.count('data-state="failed"') == 2

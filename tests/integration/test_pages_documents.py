"""Receipts' proofs, bundle export and documents from the case portal and the back-office."""

from __future__ import annotations

import json
import re
import subprocess

from rempart import bootstrap
from rempart.domain.staff import StaffRole
from rempart.evidence.bundle import verify_bundle
from rempart.evidence.checkpoint import NoteVerifier
from rempart.evidence.custody_log import instance_ledger
from rempart.evidence.merkle import leaf_hash, verify_inclusion
from rempart.services import cases
from tests.integration.pages_support import (
    add_staff,
    csrf,
    file_report,
    png_bytes,
    staff_login,
)

URL = "https://discord.com/channels/123/456"


def _services(client):
    return bootstrap.build(client.app.state.settings)


def _case(client, code) -> cases.CaseDetail:
    services = _services(client)
    try:
        with services.uow() as uow:
            record = uow.cases.get_by_code(code)
            assert record is not None
            return cases.load_detail(uow, record.id)
    finally:
        services.dispose()


def _stored_state(client, case_id) -> tuple[int, int]:
    """(custody ledger size, audit entries of the case)."""
    services = _services(client)
    try:
        with services.uow() as uow:
            return (instance_ledger(uow.session, services.settings).size(),
                    len(uow.audit.latest(1000, case_id)))
    finally:
        services.dispose()


def _signed_up_to_the_end(client) -> bool:
    """The latest signed checkpoint covers every custody entry (none waits for the job)."""
    services = _services(client)
    try:
        with services.uow() as uow:
            ledger = instance_ledger(uow.session, services.settings)
            head = ledger.latest_checkpoint()
            return head is not None and head.size == ledger.size()
    finally:
        services.dispose()


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def _post(client, page, action, **fields):
    return client.post(action, data={"csrf_token": csrf(client, page), **fields})


def test_it_shows_each_receipt_with_its_leaf_and_a_proof_that_verifies(client):
    code, _, done = file_report(client)
    assert _signed_up_to_the_end(client)
    leaf = _case(client, code).evidence[0].leaf_index
    assert leaf is not None
    assert f"/dossier/recus/{leaf}/preuve" in done
    response = client.get(f"/dossier/recus/{leaf}/preuve")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="proof-{leaf}.json"'
    assert response.headers["cache-control"] == "no-store"
    proof = json.loads(response.text)
    head = NoteVerifier.parse(proof["log_key"]).open_checkpoint(proof["checkpoint"])
    verify_inclusion(leaf_hash(proof["leaf"].encode()), leaf, head.size,
                     [bytes.fromhex(h) for h in proof["inclusion_proof"]], head.root)


def test_added_evidence_gets_a_receipt_and_proof_on_the_case_page(client):
    code, _, _ = file_report(client)
    added = client.post("/dossier/preuves", data={"csrf_token": csrf(client, "/dossier")},
                        files=[("evidence", ("deux.png", png_bytes("blue"), "image/png"))])
    assert added.status_code == 303
    assert _signed_up_to_the_end(client)
    leaves = [r.leaf_index for r in _case(client, code).evidence]
    page = client.get("/dossier").text
    assert 'href="/dossier/documents"' in page and "Entrée du registre" in page
    for leaf in leaves:
        assert f"/dossier/recus/{leaf}/preuve" in page
        assert client.get(f"/dossier/recus/{leaf}/preuve").status_code == 200


def test_the_reporter_exports_a_bundle_that_verifies(client, tmp_path):
    code, _, _ = file_report(client)
    response = _post(client, "/dossier/documents", "/dossier/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)
    report = verify_bundle(bundle)
    assert report.items == 1
    assert report.case == _case(client, code).case_id


def test_the_reporter_downloads_each_document(client):
    code, _, _ = file_report(client, urls=URL)
    page = client.get("/dossier/documents")
    assert page.status_code == 200 and code in page.text
    assert "trusted_flagger" not in page.text and "reveal_thumbnails" not in page.text
    letter = _post(client, "/dossier/documents", "/dossier/documents/complaint",
                   name="Camille Martin", court_city="Lyon", language="fr")
    assert letter.status_code == 200 and "attachment" in letter.headers["content-disposition"]
    text = _pdf_text(letter.content)
    assert code in text and "Camille Martin" in text
    notice = _post(client, "/dossier/documents", "/dossier/documents/notice",
                   platform="Discord", notifier_name="Camille Martin",
                   notifier_email="camille@example.org")
    assert notice.status_code == 200 and code in _pdf_text(notice.content)
    report = _post(client, "/dossier/documents", "/dossier/documents/report", language="en")
    assert report.status_code == 200 and code in _pdf_text(report.content)
    pharos = _post(client, "/dossier/documents", "/dossier/documents/pharos")
    assert pharos.status_code == 200
    assert re.search(r'<textarea id="pharos-fields"[^>]*readonly>', pharos.text)
    assert URL in pharos.text


def test_the_page_is_in_french_with_english_on_request_and_shows_the_disclaimer(client):
    file_report(client)
    french = client.get("/dossier/documents").text
    assert "Télécharger le rapport de preuves (PDF)" in french
    assert 'id="disclaimer"' in french and "Délais" in french
    english = client.get("/dossier/documents?lang=en").text
    assert "Download the evidence report (PDF)" in english and 'lang="en"' in english


def test_the_identity_typed_for_the_letter_is_not_stored(client, tmp_path):
    code, _, _ = file_report(client)
    _post(client, "/dossier/documents", "/dossier/documents/complaint",
          name="Zoé Identité-Secrète", phone="0612345678")
    database = client.app.state.settings.resolved_database_url
    if database.startswith("sqlite"):
        raw = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
        assert "Identité-Secrète".encode() not in raw and b"0612345678" not in raw


def test_a_notice_without_notifier_is_refused_and_nothing_is_recorded(client):
    code, _, _ = file_report(client, urls=URL)
    case_id = _case(client, code).case_id
    before = _stored_state(client, case_id)
    response = _post(client, "/dossier/documents", "/dossier/documents/notice",
                     platform="Discord", explanation="Insultes répétées")
    assert response.status_code == 400
    assert "16(2)(c)" in response.text and 'id="notice-error"' in response.text
    assert "La notification ne peut pas être envoyée" in response.text
    assert "Insultes répétées" in response.text  # the typed fields come back
    assert _stored_state(client, case_id) == before
    for platform in ("", "E-mail / SMS"):
        refused = _post(client, "/dossier/documents", "/dossier/documents/notice",
                        platform=platform, notifier_name="A", notifier_email="a@example.org")
        assert refused.status_code == 400 and 'id="notice-error"' in refused.text
    assert _stored_state(client, case_id) == before


def test_another_reporter_cannot_fetch_this_case_s_proof_or_documents(client, tmp_path):
    first_code, _, _ = file_report(client)
    first_leaf = _case(client, first_code).evidence[0].leaf_index
    second_code, _, _ = file_report(client)  # the cookie now opens the second case
    assert client.get(f"/dossier/recus/{first_leaf}/preuve").status_code == 404
    assert client.get("/dossier/recus/999999/preuve").status_code == 404
    page = client.get("/dossier/documents").text
    assert second_code in page and first_code not in page
    (tmp_path / "b.zip").write_bytes(_post(client, "/dossier/documents", "/dossier/export").content)
    assert verify_bundle(tmp_path / "b.zip").case == _case(client, second_code).case_id


def test_without_a_reporter_session_nothing_is_served(client):
    file_report(client)
    client.cookies.delete("rempart_case")
    assert client.get("/dossier/recus/0/preuve").status_code == 401
    assert _post(client, "/dossier", "/dossier/export").status_code == 401
    assert _post(client, "/dossier", "/dossier/documents/report").status_code == 401
    assert "passphrase" in client.get("/dossier/documents").text


def test_forms_without_csrf_token_are_refused(client):
    code, _, _ = file_report(client)
    case_id = _case(client, code).case_id
    before = _stored_state(client, case_id)
    assert client.post("/dossier/export").status_code == 403
    assert client.post("/dossier/documents/report", data={"csrf_token": "x" * 43}
                       ).status_code == 403
    assert client.post(f"/staff/cases/{case_id}/export").status_code == 403
    assert _stored_state(client, case_id) == before


def test_staff_pages_need_a_login(client):
    code, _, _ = file_report(client)
    case_id = _case(client, code).case_id
    assert client.get(f"/staff/cases/{case_id}/documents").headers["location"] == "/staff/login"
    response = _post(client, "/staff/login", f"/staff/cases/{case_id}/export")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"


def test_an_analyst_exports_and_produces_documents_and_it_is_audited(client, tmp_path):
    code, _, _ = file_report(client, urls=URL)
    case_id = _case(client, code).case_id
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.ANALYST))
    page_url = f"/staff/cases/{case_id}/documents"
    assert f'href="{page_url}"' in client.get(f"/staff/cases/{case_id}").text
    page = client.get(page_url)
    assert page.status_code == 200 and "trusted_flagger" in page.text
    assert "reveal_thumbnails" in page.text
    bundle = _post(client, page_url, f"/staff/cases/{case_id}/export")
    assert bundle.status_code == 200
    (tmp_path / "b.zip").write_bytes(bundle.content)
    assert verify_bundle(tmp_path / "b.zip").items == 1
    report = _post(client, page_url, f"/staff/cases/{case_id}/documents/report",
                   reveal_thumbnails="1")
    assert code in _pdf_text(report.content)
    notice = _post(client, page_url, f"/staff/cases/{case_id}/documents/notice",
                   platform="Discord", notifier_name="Rempart", format="json",
                   notifier_email="signalement@example.org", trusted_flagger="1")
    assert json.loads(notice.text)["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    services = _services(client)
    try:
        with services.uow() as uow:
            actions = [e.action for e in uow.audit.latest(100, case_id)]
    finally:
        services.dispose()
    assert "evidence.exported" in actions and actions.count("document.generated") == 2


def test_an_unknown_case_or_document_is_not_found(client):
    code, _, _ = file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/staff/cases/{unknown}/documents").status_code == 404
    assert _post(client, "/staff", f"/staff/cases/{unknown}/export").status_code == 404
    case_id = _case(client, code).case_id
    assert _post(client, "/staff", f"/staff/cases/{case_id}/documents/poem").status_code == 404

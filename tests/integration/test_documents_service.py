"""Documents of a real case on both engines: contents, audit, custody events, access, CLI."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select
from typer.testing import CliRunner

from rempart.documents.casefile import Person
from rempart.documents.complaint import ComplaintParties
from rempart.documents.signing import load_or_create_identity, verify_pdf
from rempart.domain.cases import CaseKind, ReporterRole
from rempart.domain.notices import NoticeError, Notifier
from rempart.domain.staff import StaffRole
from rempart.services import documents, staff
from rempart.services.cases import NewReport, submit_report
from rempart.services.errors import Forbidden
from rempart.services.uploads import Upload
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401


def _png() -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "tu vas voir demain", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def case(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    services = build(tmp_path, migrated_url)
    report = NewReport(description="Des menaces chaque soir sur Instagram.",
                       kinds=[CaseKind.THREATS, CaseKind.INSULTS], platforms=["Instagram"],
                       urls=["https://www.instagram.com/p/abc/"], victim_is_minor=True,
                       reporter_role=ReporterRole.VICTIM, incident_dates="octobre 2026")
    submitted = submit_report(services.uow(), services.store, report,
                              [Upload("menace.png", "image/png", io.BytesIO(_png()))],
                              services.limits)
    yield services, submitted
    services.dispose()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _actions(services) -> list[str]:
    with services.session_factory() as session:
        return [a.action for a in session.scalars(select(AuditRecord))]


def _custody_actions(services) -> list[str]:
    with services.session_factory() as session:
        return [json.loads(bytes(leaf.leaf))["action"] for leaf in
                session.scalars(select(LedgerLeaf).order_by(LedgerLeaf.idx))]


def test_the_complaint_names_the_case_its_offences_and_exhibits(case, tmp_path):
    services, submitted = case
    parties = ComplaintParties(complainant=Person(full_name="Nadia B."),
                               minor=Person(full_name="Sami B."), representative_role="mère")
    text = _pdf_text(documents.complaint(services, submitted.case_id, documents.REPORTER,
                                         parties), tmp_path)
    assert "contre X" in text and submitted.code in text
    assert submitted.receipts[0].sha256 in text.replace(" ", "")
    assert "222-17" in text or "222-18" in text  # threats
    assert "document.generated" in _actions(services)


def test_the_signed_report_verifies_and_logs_exports(case, tmp_path):
    services, submitted = case
    pdf = documents.evidence_report(services, submitted.case_id, documents.OPERATOR, "en")
    identity = load_or_create_identity(services.settings)
    assert verify_pdf(pdf, identity.trust_roots_pem).valid
    text = _pdf_text(pdf, tmp_path)
    assert "Evidence report" in text and "Inclusion proof" in text
    assert "item_exported" in _custody_actions(services)


def test_the_notice_is_shared_with_the_platform_in_the_ledger(case):
    services, submitted = case
    notifier = Notifier("Association Écoute", "contact@asso.example", trusted_flagger=True)
    pdf, data = documents.notice(services, submitted.case_id, documents.OPERATOR, "Instagram",
                                 notifier)
    assert pdf.startswith(b"%PDF")
    assert data["urls"] == ["https://www.instagram.com/p/abc/"]
    assert data["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert "shared_with_platform" in _custody_actions(services)


def test_a_notice_without_notifier_is_refused_and_changes_nothing(case):
    services, submitted = case
    before, audits = _custody_actions(services), _actions(services)
    with pytest.raises(NoticeError):
        documents.notice(services, submitted.case_id, documents.OPERATOR, "Instagram", None)
    assert _custody_actions(services) == before
    assert _actions(services) == audits


def test_any_platform_name_of_the_form_can_be_recorded_in_the_ledger(case):
    services, submitted = case
    notifier = Notifier("Camille", "camille@example.org")
    documents.notice(services, submitted.case_id, documents.OPERATOR, "E-mail / SMS", notifier)
    assert documents.ledger_target("E-mail / SMS") == "E-mail-SMS"
    assert "shared_with_platform" in _custody_actions(services)


def test_pharos_fields_are_ready_to_paste(case):
    services, submitted = case
    text = documents.pharos(services, submitted.case_id, documents.OPERATOR)
    assert "https://www.instagram.com/p/abc/" in text and submitted.code in text


def test_a_disabled_staff_member_cannot_produce_documents(case):
    services, submitted = case
    member, _ = staff.add_staff(services.uow(), services.totp_box, "analyste@asso.example",
                                "un mot de passe long", StaffRole.ANALYST)
    requester = documents.staff_requester(services, member)
    assert documents.pharos(services, submitted.case_id, requester)
    staff.disable_staff(services.uow(), "analyste@asso.example")
    with pytest.raises(Forbidden):
        documents.staff_requester(services, member)


def test_the_cli_writes_documents_and_refuses_bad_input(case, tmp_path, monkeypatch):
    services, submitted = case
    from rempart import cli
    from rempart.config import get_settings

    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    out = tmp_path / "rapport.pdf"
    result = runner.invoke(cli.app, ["documents", "report", submitted.code, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli.app, ["verify-pdf", str(out)]).exit_code == 0
    tampered = bytearray(out.read_bytes())
    tampered[tampered.find(b"/Title") + 8] ^= 1
    out.write_bytes(bytes(tampered))
    assert runner.invoke(cli.app, ["verify-pdf", str(out)]).exit_code == 1
    bad = runner.invoke(cli.app, ["documents", "pharos", "RMP-NOPE-NOPE"])
    assert bad.exit_code == 2
    lang = runner.invoke(cli.app, ["documents", "pharos", submitted.code, "--lang", "de"])
    assert lang.exit_code == 2
    notice = runner.invoke(cli.app, ["documents", "notice", submitted.code, "--platform", "X",
                                     "-o", str(tmp_path / "n.pdf")])
    assert notice.exit_code == 2 and "16(2)(c)" in notice.output
    get_settings.cache_clear()

"""OCR of a case's screenshots as a job (issue 14.1), on SQLite and PostgreSQL: stored
encrypted in the vault, a custody event per derived item, read back by the reporter, staff
(audited) and the CLI, classified, shredded with the case."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from rempart.domain.cases import CaseKind
from rempart.domain.custody import CustodyAction, CustodyEvent
from rempart.domain.staff import StaffRole
from rempart.jobs import classify
from rempart.services import evidence_text, reporting, staff
from rempart.services.cases import NewReport, withdraw_case
from rempart.services.errors import CaseNotFound, ServiceError
from rempart.services.uploads import Upload
from rempart.store.evidence_text_tables import DerivedItemRecord
from rempart.store.ledger_tables import LedgerLeaf
from tests.chat_screens import FRENCH_CHAT, render_chat
from tests.cli_support import invoke_rempart
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401

THREAT_CHAT = FRENCH_CHAT + (
    ("left", "Je vais te retrouver à la sortie du collège et tu vas le regretter", "14:15"),)


@pytest.fixture
def services(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    app = build(tmp_path, migrated_url, jobs_immediate=True)
    yield app
    app.dispose()


def _file(services, *files: tuple[str, bytes]):
    report = NewReport(description="On me harcèle sur un groupe.", kinds=[CaseKind.OTHER])
    uploads = [Upload(name, None, io.BytesIO(data)) for name, data in files]
    return reporting.file_report(services, report, uploads)


def _leaves(services, case_id: str) -> list[CustodyEvent]:
    with services.session_factory() as session:
        return [CustodyEvent.from_leaf(leaf.leaf) for leaf in session.query(LedgerLeaf)
                .filter(LedgerLeaf.case_id == case_id).order_by(LedgerLeaf.idx)]


def test_a_screenshot_is_read_stored_encrypted_and_logged_as_derived(services):
    submitted = _file(services, ("chat.png", render_chat(THREAT_CHAT)),
                      ("notes.txt", b"des notes"))
    case_id = submitted.case_id
    texts = evidence_text.texts_for_reporter(services, case_id)
    assert len(texts) == 1 and texts[0].file_name == "chat.png"  # the text file is not an image
    found = texts[0]
    assert found.result.language == "fr"
    assert [b.side for b in found.result.conversation][:2] == ["left", "right"]
    assert "@lea_moqueries" in found.result.text
    with services.session_factory() as session:
        row = session.get(DerivedItemRecord, found.derived_id)
        assert row.source_sha256 == found.item_sha256 and row.kind == "ocr"
        assert row.language == "fr" and row.words > 20
        assert "lea_moqueries" not in repr(row.__dict__)
    derived = [e for e in _leaves(services, case_id) if e.action is CustodyAction.DERIVED
               and e.target.startswith("ocr:")]  # images also get "metadata" (14.2)
    assert len(derived) == 1
    assert derived[0].item_id == found.derived_id and derived[0].sha256 == found.derived_sha256
    assert derived[0].target == f"ocr:{found.item_sha256}"
    vault = services.settings.data_dir / "vault"
    for blob in vault.rglob("*"):  # nothing of the text in clear on disk
        if blob.is_file():
            assert b"lea_moqueries" not in blob.read_bytes()


def test_the_words_in_the_image_reach_the_classifier_and_the_facts_suggestions(services):
    case_id = _file(services, ("chat.png", render_chat(THREAT_CHAT))).case_id
    with services.session_factory() as session:
        refs = classify.classifications_for_case(session, case_id)
        labels = classify.labels_for_case(session, case_id)
    assert any(ref.startswith("ocr:") for ref in refs)
    assert "threat" in labels
    suggested = evidence_text.suggested_facts(services, case_id)
    assert "@lea_moqueries" in suggested["handles"] and "12/03/2026" in suggested["dates"]


def test_reading_again_adds_nothing(services):
    case_id = _file(services, ("chat.png", render_chat(FRENCH_CHAT[:2]))).case_id
    assert evidence_text.read_case(services, case_id).read == []
    assert len(evidence_text.texts_for_reporter(services, case_id)) == 1


def test_staff_reading_is_audited_and_a_disabled_account_is_refused(services):
    case_id = _file(services, ("chat.png", render_chat(FRENCH_CHAT[:2]))).case_id
    member, _ = staff.add_staff(services.uow(), services.totp_box, "a@asso.example",
                                "mot de passe long 123", StaffRole.ANALYST)
    assert len(evidence_text.texts_for_staff(services, member, case_id)) == 1
    from rempart.services import audit

    with services.uow() as uow:
        entries = audit.entries(uow, 20, case_id=case_id)
    assert any(e.action == "evidence.viewed" and e.detail.get("what") == "ocr_text"
               for e in entries)
    staff.disable_staff(services.uow(), "a@asso.example")
    with pytest.raises(ServiceError):
        evidence_text.texts_for_staff(services, member, case_id)


def test_an_unknown_item_is_refused(services):
    case_id = _file(services, ("chat.png", render_chat(FRENCH_CHAT[:2]))).case_id
    with pytest.raises(CaseNotFound):
        evidence_text.texts_for_reporter(services, case_id, "not-an-item")


def test_withdrawal_shreds_the_text_with_the_evidence(services):
    case_id = _file(services, ("chat.png", render_chat(FRENCH_CHAT[:2]))).case_id
    derived_id = evidence_text.texts_for_reporter(services, case_id)[0].derived_id
    withdraw_case(services.uow(), services.store, case_id)
    with services.session_factory() as session:
        assert session.get(DerivedItemRecord, derived_id) is None
    with pytest.raises(Exception):  # noqa: B017,PT011  (no key: EvidenceNotFound)
        list(services.store.open(case_id, derived_id))


def test_the_cli_prints_the_text_as_json_and_refuses_an_unknown_item(
        tmp_path, migrated_url, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    monkeypatch.setenv("REMPART_JOBS_IMMEDIATE", "true")
    shot = tmp_path / "chat.png"
    shot.write_bytes(render_chat(FRENCH_CHAT[:3]))
    created = invoke_rempart("case", "create", "--kind", "insults", "--text", "capture",
                             "--file", str(shot))
    assert created.exit_code == 0, created.output
    code = json.loads(created.stdout.strip().splitlines()[-1])["code"]
    result = invoke_rempart("evidence", "text", code, "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert items[0]["language"] == "fr" and items[0]["words"]
    assert [b["time"] for b in items[0]["conversation"]] == ["14:02", "14:05", "14:07"]
    plain = invoke_rempart("evidence", "text", code)
    assert "[  left 14:02] Salut" in plain.stdout
    refused = invoke_rempart("evidence", "text", code, "--item", "nope")
    assert refused.exit_code == 2 and refused.stderr.strip().count("\n") == 0


def test_staff_search_finds_a_case_by_the_words_of_its_screenshots_and_chats(services):
    from rempart.evidence.sealed import EVIDENCE_SUFFIX
    from rempart.services.search import search_cases
    from rempart.store.vault_tables import BlindIndexRecord
    from tests import evidence_samples as samples

    shot = _file(services, ("chat.png", render_chat(FRENCH_CHAT[:3])))
    chat = _file(services, ("export.txt", samples.WHATSAPP_TXT.encode()))
    other = _file(services, ("note.txt", b"rien a voir"))
    member, _ = staff.add_staff(services.uow(), services.totp_box, "s@asso.example",
                                "mot de passe long 123", StaffRole.ANALYST)

    def found(query: str) -> set[str]:
        return set(search_cases(services.uow(), member, query))

    # Words only the screenshot holds (the description says neither), its @handle, and a
    # message of the WhatsApp export.
    assert shot.case_id in found("posté") and shot.case_id in found("@lea_moqueries")
    assert other.case_id not in found("posté")
    assert chat.case_id in found("retrouver") and shot.case_id not in found("retrouver")
    with services.session_factory() as session:  # keyed hashes only, under the case's owner
        owners = set(session.scalars(select(BlindIndexRecord.case_id)))
    assert shot.case_id + EVIDENCE_SUFFIX in owners
    withdraw_case(services.uow(), services.store, shot.case_id)
    with services.session_factory() as session:
        owners = set(session.scalars(select(BlindIndexRecord.case_id)))
    assert shot.case_id + EVIDENCE_SUFFIX not in owners and shot.case_id not in owners
    assert found("posté") == set()

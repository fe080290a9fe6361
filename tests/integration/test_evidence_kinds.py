"""Every kind of evidence (issue 14.2), on SQLite and PostgreSQL: a voice note and a video get
a safe preview and their metadata, a WhatsApp export and an Instagram download become chats
that reach the classifier, a zip bomb is kept but never opened, an e-mail and saved pages are
read as text, a photo's location is for staff only; each result encrypted, with its custody
event."""

from __future__ import annotations

import io
import re
import subprocess

import pytest

from rempart.domain.cases import CaseKind
from rempart.domain.custody import CustodyAction, CustodyEvent
from rempart.domain.staff import StaffRole
from rempart.jobs import classify
from rempart.services import evidence_kinds, reporting, staff
from rempart.services.cases import NewReport
from rempart.services.uploads import Upload
from rempart.store.evidence_text_tables import DerivedItemRecord
from rempart.store.ledger_tables import LedgerLeaf
from tests import evidence_samples as samples
from tests.integration.foundation_support import build, fast_argon2  # noqa: F401


@pytest.fixture
def app(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    built = build(tmp_path, migrated_url, jobs_immediate=True)
    yield built
    built.dispose()


def _file(app, *files: tuple[str, bytes]) -> tuple[str, dict[str, str]]:
    report = NewReport(description="On me harcèle.", kinds=[CaseKind.OTHER])
    uploads = [Upload(name, None, io.BytesIO(data)) for name, data in files]
    submitted = reporting.file_report(app, report, uploads)
    with app.uow() as uow:
        ids = {e.file_name: e.id for e in uow.cases.evidence(submitted.case_id)}
    return submitted.case_id, ids


def _by_name(found: list[evidence_kinds.ItemKinds]) -> dict[str, evidence_kinds.ItemKinds]:
    return {k.file_name: k for k in found}


def _analyst(app):
    member, _ = staff.add_staff(app.uow(), app.totp_box, "a@asso.example",
                                "mot de passe long 123", StaffRole.ANALYST)
    return member


def test_a_voice_note_gets_a_safe_preview_that_staff_and_reporter_can_play(app, tmp_path):
    case_id, ids = _file(app, ("PTT-20260312-WA0003.opus", samples.voice_note()))
    with app.uow() as uow:
        assert [e.media_type for e in uow.cases.evidence(case_id)] == ["audio/ogg"]
    kinds = _by_name(evidence_kinds.kinds_for_reporter(app, case_id))
    assert kinds["PTT-20260312-WA0003.opus"].preview_type == "audio/ogg"
    media_type, data = evidence_kinds.preview_for_staff(app, _analyst(app), case_id,
                                                        ids["PTT-20260312-WA0003.opus"])
    assert media_type == "audio/ogg" and data.startswith(b"OggS")
    preview = tmp_path / "preview.ogg"
    preview.write_bytes(data)
    probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                             "stream=codec_name:format_tags", "-of", "default=nw=1", str(preview)],
                            capture_output=True, text=True, check=True, timeout=30).stdout
    assert "codec_name=opus" in probed and "secret-tag" not in probed  # metadata dropped
    assert evidence_kinds.preview_for_reporter(app, case_id, ids["PTT-20260312-WA0003.opus"]
                                               )[1] == data


def test_a_video_gets_a_webm_preview_its_creation_time_and_a_staff_only_location(app):
    case_id, ids = _file(app, ("VID-20260312.mp4", samples.phone_video()))
    staff_view = _by_name(evidence_kinds.kinds_for_staff(app, _analyst(app), case_id))
    found = staff_view["VID-20260312.mp4"]
    assert found.preview_type == "video/webm"
    assert found.documents["metadata"]["taken_at"].startswith("2026-03-12T14:02:00")
    assert found.documents["metadata"]["location"] == {"lat": 48.8566, "lon": 2.3522}
    reporter = _by_name(evidence_kinds.kinds_for_reporter(app, case_id))["VID-20260312.mp4"]
    assert "location" not in reporter.documents["metadata"]
    media_type, data = evidence_kinds.preview_for_reporter(app, case_id, ids["VID-20260312.mp4"])
    assert media_type == "video/webm" and data.startswith(b"\x1a\x45\xdf\xa3")


def test_a_whatsapp_export_becomes_messages_that_reach_the_classifier(app):
    case_id, _ = _file(app, ("WhatsApp Chat avec Max.zip", samples.whatsapp_zip()),
                       ("export.txt", samples.WHATSAPP_TXT.encode()))
    kinds = _by_name(evidence_kinds.kinds_for_reporter(app, case_id))
    chat = kinds["WhatsApp Chat avec Max.zip"].documents["chat"]
    assert chat["source"] == "whatsapp"
    assert chat["messages"][1] == {"at": "2026-03-12T14:02:00", "author": "Max",
                                   "text": "t'es vraiment nulle, tout le monde se moque de toi",
                                   "attachments": []}
    assert chat["messages"][-1]["attachments"] == ["IMG-20260312-WA0001.jpg"]
    members = kinds["WhatsApp Chat avec Max.zip"].documents["archive"]["members"]
    assert {m["name"] for m in members} == {"Discussion WhatsApp avec Max.txt",
                                            "IMG-20260312-WA0001.jpg"}
    assert all(len(m["sha256"]) == 64 for m in members)
    assert kinds["export.txt"].documents["chat"]["messages"][3]["author"] == "Max"
    with app.session_factory() as session:
        refs = classify.classifications_for_case(session, case_id)
        labels = classify.labels_for_case(session, case_id)
    assert any(ref.startswith("chat:") for ref in refs)
    assert "threat" in labels
    leaves = _leaves(app, case_id)
    targets = [e.target for e in leaves if e.action is CustodyAction.DERIVED]
    assert sum(t.startswith("chat:") for t in targets) == 2
    vault = app.settings.data_dir / "vault"
    for blob in vault.rglob("*"):  # nothing of the messages in clear on disk
        if blob.is_file():
            assert b"vraiment nulle" not in blob.read_bytes()


def test_an_instagram_download_becomes_a_chat_with_its_text_mended(app):
    case_id, _ = _file(app, ("instagram-lea.zip", samples.instagram_zip()))
    chat = evidence_kinds.kinds_for_reporter(app, case_id)[0].documents["chat"]
    assert chat["source"] == "instagram"
    assert [m["author"] for m in chat["messages"]] == ["lea", "max"]  # oldest first
    assert chat["messages"][1]["text"] == "t'es moche, personne ne t'aime 😡"
    assert chat["messages"][0]["text"] == "arrête"


def test_a_zip_bomb_is_kept_as_evidence_but_never_listed(app):
    case_id, ids = _file(app, ("bomb.zip", samples.zip_bomb()))
    assert ids  # stored and hashed like any evidence
    assert evidence_kinds.kinds_for_reporter(app, case_id) == []
    report = evidence_kinds.process_case(app, case_id)  # tried again: refused again
    assert (ids["bomb.zip"], "archive") in report.failed


def test_an_email_and_saved_pages_are_read_as_text_never_fetched(app):
    case_id, _ = _file(app, ("message.eml", samples.EML), ("page.html", samples.HTML_PAGE),
                       ("page.mhtml", samples.mhtml_page()))
    kinds = _by_name(evidence_kinds.kinds_for_reporter(app, case_id))
    assert kinds["message.eml"].media_type == "message/rfc822"
    assert kinds["message.eml"].documents["email"] == {
        "from": "Max <max@example.org>", "to": "lea@example.org",
        "subject": "Tu vas le regretter", "date": "2026-03-12T14:02:00+01:00",
        "text": "Je sais où tu habites. Je vais te retrouver."}
    page = kinds["page.html"].documents["page"]
    assert page["title"] == "Profil moqueur"
    assert "Tout le monde la déteste" in page["text"] and "fetch" not in page["text"]
    assert kinds["page.mhtml"].documents["page"]["text"] == "Léa la nulle"
    refs = [ref for ref, _ in evidence_kinds.classifier_messages(app, case_id)]
    assert any(r.startswith("email:") for r in refs) and any(r.startswith("page:") for r in refs)


def test_a_photo_location_is_for_staff_only_and_processing_twice_adds_nothing(app):
    case_id, _ = _file(app, ("IMG_0001.jpg", samples.jpeg_with_gps()))
    staff_view = evidence_kinds.kinds_for_staff(app, _analyst(app), case_id)[0]
    assert staff_view.documents["metadata"] == {
        "taken_at": "2026-03-12T14:02:33", "device": "Apple iPhone 13",
        "location": {"lat": 48.8566, "lon": 2.3522}}
    reporter = evidence_kinds.kinds_for_reporter(app, case_id)[0]
    assert reporter.documents["metadata"] == {"taken_at": "2026-03-12T14:02:33",
                                              "device": "Apple iPhone 13"}
    assert evidence_kinds.process_case(app, case_id).made == []
    with app.session_factory() as session:
        assert session.query(DerivedItemRecord).filter_by(kind="metadata").count() == 1


def test_an_opaque_file_is_stored_and_never_decoded(app):
    case_id, ids = _file(app, ("document.docx", b"\xd0\xcf\x11\xe0" + b"\x01" * 500))
    with app.uow() as uow:
        assert uow.cases.evidence_item(case_id, ids["document.docx"]).media_type == \
            "application/octet-stream"
    assert evidence_kinds.kinds_for_reporter(app, case_id) == []


def _leaves(app, case_id: str) -> list[CustodyEvent]:
    with app.session_factory() as session:
        return [CustodyEvent.from_leaf(leaf.leaf) for leaf in session.query(LedgerLeaf)
                .filter(LedgerLeaf.case_id == case_id).order_by(LedgerLeaf.idx)]


def test_the_staff_viewer_shows_what_was_read_and_the_location_as_sensitive(
        tmp_path, migrated_url):
    from fastapi.testclient import TestClient

    from rempart.web.app import create_app
    from tests.integration.pages_support import add_staff, staff_login

    built = build(tmp_path, migrated_url, jobs_immediate=True)
    try:
        case_id, ids = _file(built, ("IMG_0001.jpg", samples.jpeg_with_gps()),
                             ("conversation.txt", samples.WHATSAPP_TXT.encode()))
        settings = built.settings
    finally:
        built.dispose()
    with TestClient(create_app(settings), follow_redirects=False) as client:
        secret = add_staff(client, "analyste@asso.example", StaffRole.ANALYST)
        staff_login(client, "analyste@asso.example", secret)
        photo = client.get(f"/staff/cases/{case_id}/evidence/{ids['IMG_0001.jpg']}/view").text
        chat = client.get(
            f"/staff/cases/{case_id}/evidence/{ids['conversation.txt']}/view").text
    assert "Ce que Rempart a lu dans ce fichier" in photo and "Apple iPhone 13" in photo
    assert 'id="file-location">48.8566, 2.3522' in photo and "sensible" in photo
    assert 'class="chat-messages"' in chat and "Conversation" in chat


def test_the_cli_lists_what_was_read_with_the_location_for_the_operator(
        tmp_path, migrated_url, monkeypatch):
    import json

    from tests.cli_support import invoke_rempart

    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    monkeypatch.setenv("REMPART_JOBS_IMMEDIATE", "true")
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(samples.jpeg_with_gps())
    created = invoke_rempart("case", "create", "--kind", "insults", "--text", "photo",
                             "--file", str(photo))
    assert created.exit_code == 0, created.output
    code = json.loads(created.stdout.strip().splitlines()[-1])["code"]
    result = invoke_rempart("evidence", "kinds", code, "--json")
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)["items"]
    assert item["metadata"]["location"] == {"lat": 48.8566, "lon": 2.3522}
    plain = invoke_rempart("evidence", "kinds", code).stdout
    assert "device: Apple iPhone 13" in plain and "location (sensitive, staff only)" in plain
    refused = invoke_rempart("evidence", "kinds", code, "--item", "nope")
    assert refused.exit_code == 2 and refused.stderr.strip().count("\n") == 0


def test_the_reporter_reads_their_files_without_the_location_and_plays_the_preview(
        tmp_path, migrated_url):
    from fastapi.testclient import TestClient

    from rempart.web.app import create_app
    from tests.integration.pages_support import csrf

    settings = build(tmp_path, migrated_url, jobs_immediate=True)
    app_settings = settings.settings
    settings.dispose()
    with TestClient(create_app(app_settings), follow_redirects=False) as client:
        sent = client.post("/signaler", data={
            "csrf_token": csrf(client, "/signaler"), "description": "Il m'envoie des vocaux",
            "kinds": ["insults"], "reporter_role": "victim"}, files=[
            ("evidence", ("IMG_0001.jpg", samples.jpeg_with_gps(), "image/jpeg")),
            ("evidence", ("PTT-WA0003.opus", samples.voice_note(), "audio/ogg"))])
        assert sent.status_code == 201, sent.text
        page = client.get("/dossier/textes").text
        assert 'id="other-files"' in page and "Apple iPhone 13" in page
        assert "48.8566" not in page and "2.3522" not in page
        preview = re.search(r'src="(/dossier/preuves/[0-9a-f-]{36}/apercu)"', page)
        assert preview
        played = client.get(preview.group(1))
        assert played.status_code == 200 and played.content.startswith(b"OggS")
        assert played.headers["x-content-type-options"] == "nosniff"
        assert client.get("/dossier/preuves/nope/apercu").status_code == 404
        client.cookies.clear()
        assert client.get(preview.group(1)).status_code == 401

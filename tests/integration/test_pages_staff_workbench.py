"""The counsellor's day: assignment, unread markers, reasons in words, filters and search,
reply times, canned replies, related cases and raids, one audit entry per real action."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PIL import Image

from rempart import bootstrap
from rempart.domain.staff import StaffRole
from rempart.services import related
from rempart.services import staff as staff_services
from rempart.services.cases import Upload, add_evidence, post_reporter_message
from rempart.store.db import make_engine, make_session_factory
from rempart.store.tables import AuditRecord, CaseRecord
from tests.integration.pages_support import (
    add_staff,
    csrf,
    file_report,
    make_client,
    png_bytes,
    staff_login,
)


@pytest.fixture
def client(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url) as test_client:
        yield test_client


def _services(client):
    return bootstrap.build(client.app.state.settings)


def _case_id(client, code: str) -> str:
    services = _services(client)
    try:
        with services.uow() as uow:
            return uow.cases.get_by_code(code).id
    finally:
        services.dispose()


def _member(client, email: str):
    services = _services(client)
    try:
        return next(m for m in staff_services.list_staff(services.uow()) if m.email == email)
    finally:
        services.dispose()


def _audit_actions(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return [a.action for a in session.query(AuditRecord).order_by(AuditRecord.id)]
    finally:
        engine.dispose()


def _age_case(url: str, case_id: str, hours: int) -> None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            case = session.get(CaseRecord, case_id)
            case.created_at = datetime.now(UTC) - timedelta(hours=hours)
            session.commit()
    finally:
        engine.dispose()


def test_a_counselor_takes_a_case_and_hands_it_over_with_a_note(client):
    code, _, _ = file_report(client)
    add_staff(client, "bob@example.org", StaffRole.COUNSELOR)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    case_url = f"/staff/cases/{_case_id(client, code)}"
    assert "Personne n’a pris ce dossier." in client.get(case_url).text
    token = csrf(client, case_url)
    assert client.post(case_url + "/assign", data={"csrf_token": token, "action": "take"}
                       ).status_code == 303
    assert code in client.get("/staff?assignee=me").text
    assert code not in client.get("/staff?assignee=none").text
    bob = _member(client, "bob@example.org")
    response = client.post(case_url + "/assign", data={
        "csrf_token": token, "action": "hand_over", "to": bob.id,
        "note": "Elle préfère être appelée le soir."})
    assert response.status_code == 303
    page = client.get(case_url).text
    assert 'id="assignee">bob@example.org' in page
    assert "Elle préfère être appelée le soir." in page  # kept as an internal note
    assert code not in client.get("/staff?assignee=me").text
    assert code in client.get(f"/staff?assignee={bob.id}").text
    # Handing over to nobody, or to an unknown account, is refused with a reason.
    bad = client.post(case_url + "/assign", data={"csrf_token": token,
                                                  "action": "hand_over", "to": ""})
    assert bad.status_code == 400
    unknown = client.post(case_url + "/assign", data={
        "csrf_token": token, "action": "hand_over", "to": "0" * 36})
    assert unknown.status_code == 400
    assert 'id="assignee">bob@example.org' in client.get(case_url).text


def test_new_reporter_messages_and_files_are_marked_until_the_member_opens_the_case(client):
    code, _, _ = file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    case_id = _case_id(client, code)
    assert "badge-new" in client.get("/staff").text  # never opened
    client.get(f"/staff/cases/{case_id}")
    queue = client.get("/staff").text
    assert "badge-new" not in queue and "nouveau message" not in queue
    services = _services(client)
    try:
        post_reporter_message(services.uow(), case_id, "Il a recommencé ce soir.")
        add_evidence(services.uow(), services.store, case_id,
                     [Upload("deux.png", "image/png", io.BytesIO(png_bytes("blue")))],
                     services.limits)
    finally:
        services.dispose()
    queue = client.get("/staff").text
    assert "1 nouveau message" in queue and "1 nouveau fichier" in queue
    page = client.get(f"/staff/cases/{case_id}").text
    assert page.count('badge badge-unread') == 2  # the message and the file, once
    queue = client.get("/staff").text
    assert "nouveau message" not in queue and "nouveau fichier" not in queue


def test_the_priority_is_spelled_out_and_a_minor_comes_before_insults(client):
    adult, _, _ = file_report(client)
    minor, _, _ = file_report(client, victim_is_minor="1", kinds=["threats"])
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff").text
    assert queue.index(minor) < queue.index(adult)
    assert "menaces · victime mineure" in queue
    english = client.get("/staff?lang=en").text
    assert "threats · minor victim" in english


def test_filters_by_kind_platform_and_overdue_and_search_by_code_handle_link_and_words(
        client, migrated_url):
    insults, _, _ = file_report(client, author_handles="@luc_du_93", platforms=["Discord"])
    threats, _, _ = file_report(client, kinds=["threats"], platforms=["TikTok"],
                                urls="https://www.tiktok.com/@x/video/42",
                                description="Il menace de publier mes photos")
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))

    def codes(query: str) -> set[str]:
        page = client.get("/staff" + query)
        assert page.status_code == 200
        return {c for c in (insults, threats) if c in page.text}

    assert codes("?kind=threats") == {threats}
    assert codes("?platform=Discord") == {insults}
    assert codes("?q=LUC_du") == {insults}
    assert codes("?q=%40luc_du_93") == {insults}
    assert codes("?q=tiktok.com/@x") == {threats}
    assert codes("?q=publier+photos") == {threats}
    assert codes("?q=publier+luc") == set()
    assert codes("?q=" + threats.lower()) == {threats}
    assert codes("?overdue=1") == set()
    _age_case(migrated_url, _case_id(client, insults), hours=30)
    assert codes("?overdue=1") == {insults}
    assert "en retard" in client.get("/staff").text
    # The pager keeps the search and filters.
    assert client.get("/staff?q=" + "x" * 201).status_code == 400


def test_the_first_response_time_is_measured_and_the_waiting_case_comes_first(client):
    answered, _, _ = file_report(client)
    waiting, _, _ = file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    url = f"/staff/cases/{_case_id(client, answered)}"
    client.post(url + "/reply", data={"csrf_token": csrf(client, url), "body": "Bonjour"})
    queue = client.get("/staff").text
    assert queue.index(waiting) < queue.index(answered)
    row = queue[queue.index(answered):].split("</tr>")[0]
    assert re.search(r"<td>\d+ min</td>", row), row  # the first response, in minutes
    assert "après " in client.get(url).text


def test_admins_write_canned_replies_that_counselors_insert_without_javascript(client):
    code, _, _ = file_report(client)
    staff_login(client, "boss@example.org", add_staff(client, "boss@example.org",
                                                      StaffRole.ADMIN))
    token = csrf(client, "/staff/replies")
    created = client.post("/staff/replies", data={
        "csrf_token": token, "language": "fr", "title": "Accusé de réception",
        "body": "Bonjour, nous avons bien reçu votre signalement."})
    assert created.status_code == 303
    assert client.post("/staff/replies", data={"csrf_token": token, "language": "de",
                                               "title": "x", "body": "y"}).status_code == 400
    assert "Accusé de réception" in client.get("/staff/replies").text
    client.cookies.clear()
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    assert client.get("/staff/replies").status_code == 403
    url = f"/staff/cases/{_case_id(client, code)}"
    page = client.get(url).text
    reply_id = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>\[fr\] Accusé', page).group(1)
    filled = client.get(f"{url}?canned={reply_id}").text
    assert ">Bonjour, nous avons bien reçu votre signalement.</textarea>" in filled


def test_a_page_view_is_one_audit_entry_and_a_reveal_is_recorded(client, migrated_url):
    code, _, _ = file_report(client)
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    url = f"/staff/cases/{_case_id(client, code)}"
    before = len(_audit_actions(migrated_url))
    page = client.get(url).text
    preview = re.search(r'src="([^"]+/preview)"', page).group(1)
    client.get(preview)
    assert _audit_actions(migrated_url)[before:] == ["case.viewed"]
    client.get(preview.removesuffix("/preview"))
    assert _audit_actions(migrated_url)[before:] == ["case.viewed", "evidence.viewed"]


def test_cases_sharing_an_account_a_link_or_a_file_are_linked_and_a_raid_is_flagged(
        client):
    first, _, _ = file_report(client, author_handles="@raider", urls="https://x.com/p/1")
    second, _, _ = file_report(client, author_handles="https://x.com/Raider/")
    third, _, _ = file_report(client, author_handles="RAIDER")
    other, _, _ = file_report(client, author_handles="@someone_else")
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff").text
    assert "Alerte raid" in queue and "compte raider" in queue
    page = client.get(f"/staff/cases/{_case_id(client, first)}").text
    linked = page[page.index('id="related-cases"'):]
    assert second in linked and third in linked and other in linked  # same PNG everywhere
    assert "même compte raider" in linked and "même fichier" in linked
    services = _services(client)
    try:
        case_id, links = related.related_by_code(services.uow(), services.store, first)
    finally:
        services.dispose()
    by_code = {r.code: dict(r.links) for r in links.related}
    assert by_code[second]["author"] == "raider" and "author" not in by_code[other]


def _photo() -> Image.Image:
    """A smooth picture with a usable PDQ quality (a plain colour has none)."""
    noise = (np.random.default_rng(1).random((16, 16, 3)) * 255).astype("uint8")
    return Image.fromarray(noise).resize((256, 256), Image.BILINEAR)


def test_near_copies_of_an_image_are_grouped(client):
    code, _, _ = file_report(client)
    one, two = io.BytesIO(), io.BytesIO()
    _photo().save(one, "PNG")
    _photo().resize((200, 200)).save(two, "JPEG", quality=70)  # smaller and re-encoded
    services = _services(client)
    try:
        case_id = _case_id(client, code)
        add_evidence(services.uow(), services.store, case_id, [
            Upload("a.png", "image/png", io.BytesIO(one.getvalue())),
            Upload("b.jpg", "image/jpeg", io.BytesIO(two.getvalue()))], services.limits)
    finally:
        services.dispose()
    staff_login(client, "al@example.org", add_staff(client, "al@example.org",
                                                    StaffRole.ANALYST))
    page = client.get(f"/staff/cases/{case_id}").text
    assert page.count("quasi-copie, groupe 1") == 2  # the PNG and the JPEG, not capture.png
    assert "quasi-copie, groupe 2" not in page


def test_an_analyst_cannot_take_cases_for_others_nor_edit_canned_replies(client):
    code, _, _ = file_report(client)
    staff_login(client, "al@example.org", add_staff(client, "al@example.org",
                                                    StaffRole.ANALYST))
    assert client.get("/staff/replies").status_code == 403
    assert 'href="/staff/replies"' not in client.get("/staff").text
    assert client.post("/staff/replies", data={
        "csrf_token": csrf(client, "/staff"), "language": "fr", "title": "t",
        "body": "b"}).status_code == 403
    url = f"/staff/cases/{_case_id(client, code)}"
    assert 'id="take-case"' in client.get(url).text  # analysts take cases too
    assert 'id="canned"' not in client.get(url).text  # but do not reply


def test_a_file_already_in_the_case_is_not_stored_twice_and_the_reporter_is_told(client):
    code, _, _ = file_report(client)
    services = _services(client)
    try:
        case_id = _case_id(client, code)
        receipts = add_evidence(services.uow(), services.store, case_id, [
            Upload("encore.png", "image/png", io.BytesIO(png_bytes())),  # the report's file
            Upload("bleu.png", "image/png", io.BytesIO(png_bytes("blue"))),
            Upload("bleu-bis.png", "image/png", io.BytesIO(png_bytes("blue")))],
            services.limits)
        with services.uow() as uow:
            stored = [e.sha256 for e in uow.cases.evidence(case_id)]
    finally:
        services.dispose()
    assert [r.already_in_case for r in receipts] == [True, False, True]
    assert receipts[0].file_name == "capture.png"  # the receipt of the file already there
    assert receipts[2].item_id == receipts[1].item_id
    assert len(stored) == 2 and len(set(stored)) == 2
    assert receipts[1].leaf_index is not None


def test_a_death_threat_to_a_child_told_in_the_facts_ranks_first_with_its_reasons(client):
    services = _services(client)
    try:
        from rempart.domain.cases import CaseKind, ReportFields
        from rempart.domain.facts import ReportFacts
        from rempart.services.cases import submit_report
        insults = submit_report(services.uow(), services.store, ReportFields(
            description="Des insultes", kinds=(CaseKind.INSULTS,)), [], services.limits)
        threatened = submit_report(services.uow(), services.store, ReportFields(
            description="Il dit qu'il va me tuer", kinds=(CaseKind.INSULTS,),
            facts=ReportFacts(victim_age=13, death_threat=True)), [], services.limits)
    finally:
        services.dispose()
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff").text
    assert queue.index(threatened.code) < queue.index(insults.code)
    assert "menace de mort · victime de 13 ans" in queue


def test_the_reporter_is_told_when_a_file_was_already_in_the_case(client):
    code, secret, page = file_report(client)
    assert "envoyé deux fois" not in page
    client.cookies.delete("rempart_case")
    assert client.post("/dossier", data={"csrf_token": csrf(client, "/dossier"), "code": code,
                                         "passphrase": secret}).status_code == 303
    again = client.post("/dossier/preuves", data={"csrf_token": csrf(client, "/dossier")},
                        files=[("evidence", ("encore.png", png_bytes(), "image/png"))])
    assert again.status_code == 303 and again.headers["location"] == "/dossier?ok=duplicate"
    shown = client.get(again.headers["location"]).text
    assert "déjà dans votre dossier" in shown and shown.count("capture.png") >= 1
    assert "encore.png" not in shown
    twice = client.post("/signaler", data={
        "csrf_token": csrf(client, "/signaler"), "description": "Deux fois la même capture",
        "kinds": ["insults"], "reporter_role": "victim"},
        files=[("evidence", ("a.png", png_bytes(), "image/png")),
               ("evidence", ("b.png", png_bytes(), "image/png"))])
    assert twice.status_code == 201 and "envoyé deux fois : gardé une seule fois" in twice.text

"""Witnesses add to the victim's case (issue 14.5), through the pages, on SQLite and PostgreSQL.

A victim draws an invitation code in the portal; a witness, in another browser and without an
account, opens /temoin/ajouter, is told what a witness should do, sends a statement, a name and
files, gets a receipt (SHA-256) and a follow code. The victim reads and downloads, then accepts
(the files and the statement join the evidence, custody role "witness", the bundle verifies and
says "witness", the back-office marks them) or declines (keys deleted: crypto-shredded; the
witness's follow page says so). Wrong, revoked and expired codes are refused alike, the throttle
applies, nothing is stored on a refused contribution, and nothing of the words reaches a column
in clear or the audit log.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from rempart import bootstrap
from rempart.domain.custody import ActorRole, CustodyAction, CustodyEvent
from rempart.domain.staff import StaffRole
from rempart.evidence.bundle import verify_bundle
from rempart.evidence.interface import EvidenceNotFound
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord, EvidenceRecord
from rempart.store.vault_tables import CaseTextKeyRecord, VaultKeyRecord
from rempart.store.witness_tables import WitnessContributionRecord, WitnessInvitationRecord
from tests.integration.pages_support import (
    add_staff,
    csrf,
    file_report,
    make_client,
    png_bytes,
    staff_login,
)

STATEMENT = "J'ai vu les messages de Kevin dans le groupe de la classe le 3 mars, ils l'insultent."
PICTURE = png_bytes("blue", 48)
NOTE = "capture du groupe « 4e B », 3 mars 21 h 40".encode()


@pytest.fixture
def victim(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, jobs_immediate=True) as client:
        file_report(client, reporter_role="victim")
        yield client


@pytest.fixture
def witness(victim):
    """Another browser (its own cookies) on the same server."""
    with TestClient(victim.app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def services(victim):
    built = bootstrap.build(victim.app.state.settings)
    yield built
    built.dispose()


def _case_id(services) -> str:
    with services.session_factory() as session:
        rows = session.scalars(select(EvidenceRecord.case_id)).all()
    return str(rows[0])


def _invite(client, days: str = "7") -> str:
    response = client.post("/dossier/temoins/invitations",
                           data={"csrf_token": csrf(client, "/dossier/temoins"), "days": days})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    code = re.search(r'id="invitation-code">([^<]+)<', response.text)
    assert code
    return code.group(1)


def _contribute(witness, code: str, statement: str = STATEMENT, name: str = "",
                files: list | None = None):
    opened = witness.post("/temoin/ajouter",
                          data={"csrf_token": csrf(witness, "/temoin/ajouter"), "code": code})
    assert opened.status_code == 200, opened.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', opened.text)
    assert token and f'name="code" value="{code}"' in opened.text
    return witness.post("/temoin/envoyer", data={
        "csrf_token": token.group(1), "code": code, "statement": statement, "name": name},
        files=files if files is not None else [
            ("evidence", ("groupe.png", PICTURE, "image/png")),
            ("evidence", ("note.txt", NOTE, "text/plain"))])


def _follow_code(receipt_page: str) -> str:
    found = re.search(r'id="follow-code">([^<]+)<', receipt_page)
    assert found
    return found.group(1)


def _contribution(services) -> WitnessContributionRecord:
    with services.session_factory() as session:
        return session.scalars(select(WitnessContributionRecord)).one()


def _events(services, case_id: str) -> list[CustodyEvent]:
    with services.session_factory() as session:
        return [CustodyEvent.from_leaf(bytes(leaf)) for leaf in session.scalars(
            select(LedgerLeaf.leaf).where(LedgerLeaf.case_id == case_id).order_by(
                LedgerLeaf.idx))]


def _keys(services, owner_id: str) -> tuple[int, int]:
    """(vault file keys, text keys) held for ``owner_id``."""
    with services.session_factory() as session:
        files = session.scalars(select(VaultKeyRecord).where(
            VaultKeyRecord.case_id == owner_id)).all()
        texts = session.scalars(select(CaseTextKeyRecord).where(
            CaseTextKeyRecord.case_id == owner_id)).all()
    return len(files), len(texts)


def _follow(witness, code: str):
    return witness.post("/temoin/suivi",
                        data={"csrf_token": csrf(witness, "/temoin/suivi"), "code": code})


def test_a_witness_contribution_accepted_joins_the_evidence_as_from_a_witness(
        victim, witness, services, tmp_path):
    case_id = _case_id(services)
    assert 'href="/dossier/temoins"' in victim.get("/dossier").text
    code = _invite(victim)
    assert code.startswith("INV-") and len(code) == 23

    start = html.unescape(witness.get("/temoin/ajouter").text)
    assert "Ne partagez pas" in start and 'href="tel:3018"' in start
    assert 'href="tel:119"' in start and 'href="tel:17"' in start
    receipt = _contribute(witness, code, name="Léa B.")
    assert receipt.status_code == 201, receipt.text
    assert receipt.headers["cache-control"] == "no-store"
    page = html.unescape(receipt.text)
    assert hashlib.sha256(PICTURE).hexdigest() in page
    assert hashlib.sha256(NOTE).hexdigest() in page
    assert hashlib.sha256(STATEMENT.encode()).hexdigest() in page
    follow_code = _follow_code(page)
    assert follow_code.startswith("TEM-")

    # Nothing readable at rest, nothing of the words or the name in the audit log.
    row = _contribution(services)
    assert row.state == "pending"
    assert row.sealed_name and row.sealed_statement.startswith(b"rmp1:")
    assert b"Kevin" not in row.sealed_statement and "Léa".encode() not in row.sealed_name
    assert _keys(services, row.id) == (2, 1)
    with services.session_factory() as session:
        audit = repr([(a.action, a.actor, a.detail) for a in session.scalars(select(AuditRecord))])
        invitation = session.scalars(select(WitnessInvitationRecord)).one()
    assert "Kevin" not in audit and "Léa" not in audit and "witness.contributed" in audit
    assert code not in repr(vars(invitation)) and follow_code not in repr(vars(row))
    # Not evidence yet: the team sees only a count.
    with services.session_factory() as session:
        assert len(session.scalars(select(EvidenceRecord).where(
            EvidenceRecord.case_id == case_id)).all()) == 1

    followed = html.unescape(_follow(witness, follow_code).text)
    assert 'data-state="pending"' in followed and "Kevin" not in followed

    portal = html.unescape(victim.get("/dossier").text)
    assert 'id="witness-pending"' in portal
    listing = html.unescape(victim.get("/dossier/temoins").text)
    assert STATEMENT in listing and "Léa B." in listing
    link = re.search(r'href="(/dossier/temoins/[^"]+/fichiers/[^"]+)"', listing)
    assert link
    download = victim.get(link.group(1))
    assert download.status_code == 200 and download.content in (PICTURE, NOTE)
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert witness.get(link.group(1)).status_code == 401  # the witness cannot read the case

    accepted = victim.post(f"/dossier/temoins/{row.id}/accepter",
                           data={"csrf_token": csrf(victim, "/dossier/temoins")})
    assert accepted.status_code == 303
    with services.session_factory() as session:
        items = {e.file_name: e for e in session.scalars(select(EvidenceRecord).where(
            EvidenceRecord.case_id == case_id))}
    assert {"groupe.png", "note.txt", "temoignage.txt"} <= set(items)
    assert items["groupe.png"].sha256 == hashlib.sha256(PICTURE).hexdigest()
    statement_file = b"".join(services.store.open(case_id, items["temoignage.txt"].id))
    assert STATEMENT.encode() in statement_file and "Léa B.".encode() in statement_file
    received = {e.item_id: e.actor_role for e in _events(services, case_id)
                if e.action is CustodyAction.RECEIVED}
    for name in ("groupe.png", "note.txt", "temoignage.txt"):
        assert received[items[name].id] is ActorRole.WITNESS
    assert _keys(services, row.id) == (0, 1)  # the pending copies are gone, the case holds them
    assert 'data-state="accepted"' in html.unescape(_follow(witness, follow_code).text)
    again = victim.post(f"/dossier/temoins/{row.id}/accepter",
                        data={"csrf_token": csrf(victim, "/dossier/temoins")})
    assert again.status_code == 409

    exported = victim.post("/dossier/export",
                           data={"csrf_token": csrf(victim, "/dossier/documents")})
    assert exported.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(exported.content)
    report = verify_bundle(bundle)
    assert report.items == 4 and report.case == case_id
    import json
    import zipfile
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    roles = {i["file_name"]: i["submitter_role"] for i in manifest["items"]}
    assert roles["groupe.png"] == "witness" and roles["capture.png"] == "victim"

    secret = add_staff(victim, "analyste@example.org", StaffRole.ANALYST)
    with TestClient(victim.app, follow_redirects=False) as staff:
        staff_login(staff, "analyste@example.org", secret)
        view = html.unescape(staff.get(f"/staff/cases/{case_id}").text)
    assert view.count("d'un témoin") + view.count("d’un témoin") >= 3
    assert 'id="witness-summary"' in view


def test_a_declined_contribution_is_crypto_shredded(victim, witness, services):
    case_id = _case_id(services)
    code = _invite(victim, "1")
    follow_code = _follow_code(_contribute(witness, code).text)
    row = _contribution(services)
    pending = victim.get("/dossier/temoins")
    item_id = re.search(r'/fichiers/([0-9a-f-]{36})"', pending.text).group(1)

    unconfirmed = victim.post(f"/dossier/temoins/{row.id}/refuser",
                              data={"csrf_token": csrf(victim, "/dossier/temoins")})
    assert unconfirmed.status_code == 400 and _contribution(services).state == "pending"
    declined = victim.post(f"/dossier/temoins/{row.id}/refuser", data={
        "csrf_token": csrf(victim, "/dossier/temoins"), "confirm": "yes"})
    assert declined.status_code == 303
    assert _contribution(services).state == "declined"
    assert _keys(services, row.id) == (0, 0)  # files' keys and the statement's key: gone
    with pytest.raises(EvidenceNotFound):
        b"".join(services.store.open(row.id, item_id))
    listing = html.unescape(victim.get("/dossier/temoins").text)
    assert STATEMENT not in listing and 'data-state="declined"' in listing
    assert victim.get(f"/dossier/temoins/{row.id}/fichiers/{item_id}").status_code == 404
    with services.session_factory() as session:
        assert len(session.scalars(select(EvidenceRecord).where(
            EvidenceRecord.case_id == case_id)).all()) == 1
    assert not [e for e in _events(services, case_id) if e.actor_role is ActorRole.WITNESS]
    followed = html.unescape(_follow(witness, follow_code).text)
    assert 'data-state="declined"' in followed
    assert victim.post(f"/dossier/temoins/{row.id}/accepter",
                       data={"csrf_token": csrf(victim, "/dossier/temoins")}).status_code == 409


def test_wrong_revoked_and_expired_codes_are_refused_alike(victim, witness, services):
    def refused(code: str) -> int:
        response = witness.post("/temoin/ajouter", data={
            "csrf_token": csrf(witness, "/temoin/ajouter"), "code": code})
        if response.status_code == 403:
            assert "ne fonctionne pas" in html.unescape(response.text)
        return response.status_code

    assert refused("INV-0000-0000-0000-0000") == 403
    assert refused("n'importe quoi") == 403
    revoked = _invite(victim)
    invitation = re.search(r'invitations/([0-9a-f-]{36})/revoquer',
                           victim.get("/dossier/temoins").text).group(1)
    assert victim.post(f"/dossier/temoins/invitations/{invitation}/revoquer", data={
        "csrf_token": csrf(victim, "/dossier/temoins")}).status_code == 303
    assert refused(revoked) == 403
    expired = _invite(victim)
    with services.session_factory() as session:
        session.execute(update(WitnessInvitationRecord)
                        .where(WitnessInvitationRecord.revoked_at.is_(None))
                        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        session.commit()
    assert refused(expired) == 403
    listing = victim.get("/dossier/temoins").text
    assert 'data-state="revoked"' in listing and 'data-state="expired"' in listing
    # The contribution itself re-checks the code: a revoked one stores nothing.
    sent = witness.post("/temoin/envoyer", data={
        "csrf_token": csrf(witness, "/temoin/ajouter"), "code": revoked, "statement": "x"})
    assert sent.status_code == 403
    with services.session_factory() as session:
        assert session.scalars(select(WitnessContributionRecord)).all() == []


def test_the_code_throttle_and_the_form_errors_keep_what_was_typed(victim, witness, services):
    code = _invite(victim)
    near = code[:-4] + ("0000" if not code.endswith("0000") else "1111")
    statuses = [witness.post("/temoin/ajouter", data={
        "csrf_token": csrf(witness, "/temoin/ajouter"), "code": near}).status_code
        for _ in range(6)]
    assert statuses[:5] == [403] * 5 and statuses[5] == 429
    blocked = witness.post("/temoin/ajouter", data={
        "csrf_token": csrf(witness, "/temoin/ajouter"), "code": code})
    assert blocked.status_code == 429 and "retry-after" in blocked.headers


def test_an_empty_or_oversized_contribution_stores_nothing(tmp_path, migrated_url):
    with make_client(tmp_path, migrated_url, jobs_immediate=True,
                     max_file_bytes=1000) as victim:
        file_report(victim, reporter_role="victim")
        code = _invite(victim)
        with TestClient(victim.app, follow_redirects=False) as witness:
            empty = _contribute(witness, code, statement="   ", files=[])
            assert empty.status_code == 400
            assert "Écrivez ce que vous avez vu" in html.unescape(empty.text)
            big = _contribute(witness, code, statement="Je garde ce texte", files=[
                ("evidence", ("grand.txt", b"a" * 5000, "text/plain"))])
            assert big.status_code == 400
            page = html.unescape(big.text)
            assert "Je garde ce texte" in page and "Choisissez à nouveau vos fichiers" in page
            no_csrf = witness.post("/temoin/envoyer", data={"code": code, "statement": "x"})
            assert no_csrf.status_code == 403
        built = bootstrap.build(victim.app.state.settings)
        try:
            with built.session_factory() as session:
                assert session.scalars(select(WitnessContributionRecord)).all() == []
                assert session.scalars(select(VaultKeyRecord).where(
                    VaultKeyRecord.case_id.not_in(select(EvidenceRecord.case_id)))).all() == []
        finally:
            built.dispose()


def test_a_victim_reaches_only_the_contributions_of_their_own_case(victim, witness, services,
                                                                   tmp_path):
    code = _invite(victim)
    _contribute(witness, code)
    row = _contribution(services)
    with TestClient(victim.app, follow_redirects=False) as other:
        file_report(other, reporter_role="victim")
        listing = other.get("/dossier/temoins").text
        assert row.id not in listing
        token = csrf(other, "/dossier/temoins")
        assert other.post(f"/dossier/temoins/{row.id}/accepter",
                          data={"csrf_token": token}).status_code == 404
        assert other.post(f"/dossier/temoins/{row.id}/refuser",
                          data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    assert _contribution(services).state == "pending"


def test_withdrawing_the_case_shreds_what_witnesses_sent(victim, witness, services):
    code = _invite(victim)
    _contribute(witness, code)
    row = _contribution(services)
    assert _keys(services, row.id) == (2, 1)
    done = victim.post("/dossier/retirer", data={
        "csrf_token": csrf(victim, "/dossier"), "confirm": "yes"})
    assert done.status_code == 200
    assert _keys(services, row.id) == (0, 0)
    with services.session_factory() as session:
        assert session.scalars(select(WitnessContributionRecord)).all() == []

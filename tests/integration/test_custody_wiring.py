"""The case services log custody in their own transactions: receipt, staff view, withdrawal."""

from __future__ import annotations

import hashlib
import io

import pytest

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain import custody
from rempart.domain.cases import CaseKind
from rempart.domain.staff import StaffRole
from rempart.evidence.ledger import Ledger
from rempart.services import cases, staff
from rempart.services.uploads import Upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def services(migrated_url, tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    built = bootstrap.build(Settings(data_dir=tmp_path, database_url=migrated_url))
    yield built
    built.dispose()


def _actions(services, case_id: str) -> list[custody.CustodyAction]:
    with services.session_factory() as session:
        return [custody.CustodyEvent.from_leaf(bytes(leaf.leaf)).action
                for leaf in Ledger(session).case_leaves(case_id)]


def test_receipts_views_and_withdrawal_are_in_the_ledger(services):
    report = cases.submit_report(
        services.uow(), services.store,
        cases.NewReport(description="Des messages insultants tous les jours.",
                        kinds=[CaseKind.INSULTS]),
        [Upload("capture.png", "image/png", io.BytesIO(PNG))], services.limits)
    [receipt] = report.receipts
    assert receipt.leaf_index == 0
    more = cases.add_evidence(services.uow(), services.store, report.case_id,
                              [Upload("b.png", "image/png", io.BytesIO(PNG + b"b"))],
                              services.limits)
    assert more[0].leaf_index == 1
    detail = cases.case_detail(services.uow(), report.case_id)
    assert sorted(e.leaf_index for e in detail.evidence) == [0, 1]
    member, _ = staff.add_staff(services.uow(), services.totp_box, "analyste@example.org", "x" * 20,
                                StaffRole.ANALYST)
    seen, chunks = staff.staff_read_evidence(services.uow(), services.store, member,
                                             report.case_id, receipt.item_id)
    assert b"".join(chunks) == PNG
    with services.session_factory() as session:
        leaf = Ledger(session).leaf(2)
        event = custody.CustodyEvent.from_leaf(bytes(leaf.leaf))
    assert (event.action, event.actor_role, event.sha256) == (
        custody.CustodyAction.VIEWED, custody.ActorRole.STAFF, hashlib.sha256(PNG).hexdigest())
    cases.withdraw_case(services.uow(), services.store, report.case_id)
    assert _actions(services, report.case_id) == [
        custody.CustodyAction.RECEIVED, custody.CustodyAction.RECEIVED,
        custody.CustodyAction.VIEWED, custody.CustodyAction.SHREDDED]


def test_the_operator_adds_exports_and_verifies_by_case_code(tmp_path, monkeypatch):
    import json
    import zipfile

    from typer.testing import CliRunner

    from rempart.cli import app
    from rempart.config import get_settings

    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REMPART_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        from rempart.store import migrate

        migrate.upgrade(get_settings().resolved_database_url)
        built = bootstrap.build(get_settings())
        report = cases.submit_report(
            built.uow(), built.store,
            cases.NewReport(description="Menaces répétées en message privé.",
                            kinds=[CaseKind.THREATS]),
            [Upload("premier.png", "image/png", io.BytesIO(PNG))], built.limits)
        built.dispose()
        (tmp_path / "note.txt").write_text("capture du 3 mars\n")
        added = runner.invoke(app, ["evidence", "add", report.code.lower(),
                                    str(tmp_path / "note.txt")])
        assert added.exit_code == 0, added.output
        receipt = json.loads(added.output)
        assert receipt["receipts"][0]["leaf_index"] == 1
        assert receipt["checkpoint"].split("\n")[1] == "2"
        bundle_path = tmp_path / "out" / "bundle.zip"
        bundle_path.parent.mkdir()
        exported = runner.invoke(app, ["evidence", "export", report.code, "-o", str(bundle_path)])
        assert exported.exit_code == 0, exported.output
        assert sorted(p.name for p in bundle_path.parent.iterdir()) == ["bundle.zip"]
        with zipfile.ZipFile(bundle_path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        assert [i["file_name"] for i in manifest["items"]] == ["premier.png", "note.txt"]
        assert manifest["items"][0]["submitter_role"] == "victim"
        unpinned = runner.invoke(app, ["verify", str(bundle_path)])
        assert unpinned.exit_code == 3 and "SIGNER NOT VERIFIED" in unpinned.output
        key = runner.invoke(app, ["ledger", "public-key"]).output.strip()
        verified = runner.invoke(app, ["verify", str(bundle_path), "--key", key])
        assert verified.exit_code == 0 and "2 items" in verified.output, verified.output
        unknown = runner.invoke(app, ["evidence", "export", "RMP-0000-0000", "-o",
                                      str(tmp_path / "x.zip")])
        assert unknown.exit_code == 2 and not (tmp_path / "x.zip").exists()
        missing = runner.invoke(app, ["evidence", "add", report.code, str(tmp_path / "nope")])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()

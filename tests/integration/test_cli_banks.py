"""``rempart bank``/``partner`` commands: happy paths, exit code 2 on bad input, nothing lost."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rempart.cli import app
from rempart.config import get_settings

PDQ = "ab" * 32


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("REMPART_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_it_creates_adds_matches_and_withdraws(run):
    assert run("bank", "create", "ncii-adults").exit_code == 0
    added = run("bank", "add", "ncii-adults", "pdq", PDQ, "--case-reference", "NC-CLI")
    assert added.stdout.strip() == "NC-CLI"
    matched = run("bank", "match", "pdq", "ab" * 31 + "aa")
    assert '"distance": 1' in matched.stdout and "NC-CLI" in matched.stdout
    assert "1 hash(es) withdrawn" in run("bank", "withdraw", "NC-CLI").stdout
    assert run("bank", "match", "pdq", PDQ).stdout == ""


def test_a_bad_import_exits_2_and_stores_nothing(run, tmp_path):
    run("bank", "create", "b", "--kind", "partner")
    run("bank", "add", "b", "pdq", PDQ)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"signal_type,signal_value\npdq,{'cd' * 32}\npdq,nothex\n")
    result = run("bank", "import", "b", str(bad))
    assert result.exit_code == 2 and "row 2" in result.output  # the second hash
    assert "1 active" in run("bank", "list").stdout


def test_export_imports_into_another_bank(run, tmp_path):
    run("bank", "create", "src", "--kind", "partner")
    run("bank", "create", "dst", "--kind", "partner")
    run("bank", "add", "src", "video_md5", "0" * 32)
    run("bank", "add", "src", "pdq", PDQ)
    out = tmp_path / "src.json"
    assert run("bank", "export", "src", "-o", str(out)).exit_code == 0
    assert "2 hash(es) imported" in run("bank", "import", "dst", str(out)).stdout
    assert "dst\tpartner\t<= 31\t2 active" in run("bank", "list").stdout


def test_partner_add_prints_a_key_once(run):
    result = run("partner", "add", "Platform")
    assert result.exit_code == 0 and result.stdout.startswith("rmp_")
    assert run("partner", "add", "Platform").exit_code == 2

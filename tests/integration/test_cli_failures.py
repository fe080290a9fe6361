"""Every CLI failure is one line on stderr and exit code 2, never a traceback (issue 12.13)."""

from __future__ import annotations

import json
import sys

import pytest
from sqlalchemy.exc import IntegrityError

import rempart.cli as cli
from tests.cli_support import invoke_rempart
from tests.integration.foundation_support import PNG, fast_argon2  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_argon2")


def _run_main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    from rempart.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(sys, "argv", ["rempart", *args])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    get_settings.cache_clear()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def instance(tmp_path, migrated_url, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    created = invoke_rempart("case", "create", "--kind", "insults", "--text", "Des insultes")
    assert created.exit_code == 0, created.output
    code = json.loads(created.stdout)["code"]
    (tmp_path / "capture.png").write_bytes(PNG)
    added = invoke_rempart("evidence", "add", code, str(tmp_path / "capture.png"))
    assert added.exit_code == 0, added.output
    return tmp_path, code


def test_an_unexpected_exception_becomes_one_line_and_exit_2(monkeypatch, capsys):
    def broken() -> None:
        raise RuntimeError("the disk said no\nsecond line of detail")

    monkeypatch.setattr(cli, "app", broken)
    code, stderr = _run_main(monkeypatch, capsys)
    assert code == 2
    assert _one_line(stderr) == "error: RuntimeError: the disk said no second line of detail"


def test_a_database_error_keeps_its_type_only():
    secret = "SECRET-passphrase-grenouille"
    error = IntegrityError("INSERT INTO cases ...", {"passphrase": secret}, ValueError(secret))
    line = cli.last_resort_line(error)
    assert line == "error: IntegrityError: database error (ValueError)"


def test_exporting_with_a_missing_master_key_is_one_line(instance, monkeypatch, capsys):
    tmp_path, code = instance
    keys = tmp_path / "var" / "secrets" / "master-keys"
    keys.rename(keys.with_name("elsewhere"))
    status, stderr = _run_main(monkeypatch, capsys, "evidence", "export", code, "-o",
                               str(tmp_path / "bundle.zip"))
    assert status == 2
    assert _one_line(stderr).startswith("error: ")
    assert not (tmp_path / "bundle.zip").exists()


def test_exporting_into_a_missing_folder_is_one_line(instance, monkeypatch, capsys):
    tmp_path, code = instance
    status, stderr = _run_main(monkeypatch, capsys, "evidence", "export", code, "-o",
                               str(tmp_path / "nowhere" / "bundle.zip"))
    assert status == 2
    assert "No such file or directory" in _one_line(stderr)


@pytest.mark.parametrize("args", [
    ("evidence", "export", "RMP-ZZZZ-ZZZZ", "-o", "out.zip"),
    ("evidence", "add", "RMP-ZZZZ-ZZZZ", "/nonexistent/file.png"),
    ("case", "create", "--kind", "insults", "--text", "bad\x00text"),
    ("staff", "add", "not-an-email", "--role", "counselor"),
])
def test_bad_input_gives_one_line_and_exit_2(instance, monkeypatch, capsys, args):
    status, stderr = _run_main(monkeypatch, capsys, *args)
    assert status == 2
    assert _one_line(stderr).startswith("error")


def test_verifying_a_file_that_is_not_a_bundle_is_one_line(tmp_path, monkeypatch, capsys):
    garbage = tmp_path / "bundle.zip"
    garbage.write_bytes(b"\x00 not a zip \xff" * 50)
    status, stderr = _run_main(monkeypatch, capsys, "verify", str(garbage))
    assert status in (1, 2)
    assert _one_line(stderr).startswith("error")

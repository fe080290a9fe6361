"""``rempart cases related CODE --json`` and ``rempart stats --json`` on both engines."""

from __future__ import annotations

import json

import pytest

from tests.cli_support import invoke_rempart


@pytest.fixture
def cli_env(tmp_path, migrated_url, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    return tmp_path


def _create(text: str, *extra: str) -> str:
    result = invoke_rempart("case", "create", "--kind", "insults", "--text", text, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])["code"]


def test_related_cases_share_a_file(cli_env):
    evidence = cli_env / "capture.txt"
    evidence.write_text("la même capture")
    first = _create("premier", "--file", str(evidence))
    second = _create("second", "--file", str(evidence))
    third = _create("autre")
    result = invoke_rempart("cases", "related", first, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [r["code"] for r in found["related"]] == [second]
    assert found["related"][0]["links"][0]["by"] == "file"
    assert third not in result.stdout


def test_related_refuses_an_unknown_code_in_one_line(cli_env):
    result = invoke_rempart("cases", "related", "RMP-ZZZZ-ZZZZ", "--json")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no case has the code" in result.stderr


def test_stats_prints_the_figures_with_small_counts_masked(cli_env):
    for n in range(6):
        _create(f"dossier {n}")
    result = invoke_rempart("stats", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["cases"] == 6 and figures["minors"] == 0
    assert list(figures["cases_per_week"].values())[0]["insults"] == 6
    since = invoke_rempart("stats", "--since", "2999-01-01", "--json")
    assert json.loads(since.stdout)["cases"] == 0
    bad = invoke_rempart("stats", "--since", "hier", "--json")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr

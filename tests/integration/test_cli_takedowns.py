"""``rempart takedown add|set|list`` on both engines, and its one-line errors (exit 2)."""

from __future__ import annotations

import json

import pytest

from tests.cli_support import invoke_rempart
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.workbench_support import file_case, workbench_services


@pytest.fixture
def cli_case(tmp_path, migrated_url, monkeypatch, fast_argon2):  # noqa: F811
    for name, value in {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": migrated_url,
                        "ORGANISATION_NAME": "Association Test",
                        "ORGANISATION_EMAIL": "dsa@asso.example"}.items():
        monkeypatch.setenv(f"REMPART_{name}", value)
    services = workbench_services(tmp_path, migrated_url)
    try:
        yield file_case(services)
    finally:
        services.dispose()


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_script_adds_sends_decides_and_lists_a_takedown(cli_case):
    added = _json(invoke_rempart("takedown", "add", cli_case.code, "--url",
                                 "https://www.instagram.com/p/abc/", "--platform", "Instagram",
                                 "--json"))
    assert added["status"] == "drafted" and added["case_code"] == cli_case.code
    sent = _json(invoke_rempart("takedown", "set", added["id"], "--status", "sent",
                                "--reference", "IG-42", "--json"))
    assert (sent["status"], sent["channel"], sent["reference"]) == ("sent", "form", "IG-42")
    decided = _json(invoke_rempart("takedown", "set", added["id"], "--status", "refused",
                                   "--decided-at", sent["sent_at"], "--json"))
    assert decided["status"] == "refused" and decided["decided_at"] == sent["sent_at"]
    assert decided["next_steps"] == ["internal_complaint", "out_of_court", "arcom", "pharos"]
    listed = _json(invoke_rempart("takedown", "list", "--json"))
    assert [t["id"] for t in listed] == [added["id"]]
    assert _json(invoke_rempart("takedown", "list", "--overdue", "--json")) == []
    plain = invoke_rempart("takedown", "list")
    assert added["id"] in plain.stdout and "refused" in plain.stdout


@pytest.mark.parametrize(("args", "reason"), [
    (("add", "RMP-XXXX-XXXX", "--url", "https://x.example/", "--platform", "Instagram"),
     "case not found"),
    (("add", "{code}", "--url", "pas-une-url", "--platform", "Instagram"), "URL"),
    (("add", "{code}", "--url", "https://x.example/", "--platform", "Myspace"),
     "unknown platform"),
    (("set", "nope", "--status", "sent", "--reference", "r"), "takedown not found"),
    (("set", "nope", "--status", "sent", "--decided-at", "hier"), "not an ISO date"),
])
def test_it_refuses_bad_input_in_one_line_with_exit_code_2(cli_case, args, reason):
    result = invoke_rempart("takedown", *(a.format(code=cli_case.code) for a in args))
    assert result.exit_code == 2, result.output
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_change_out_of_order_is_refused(cli_case):
    added = _json(invoke_rempart("takedown", "add", cli_case.code, "--url",
                                 "https://www.instagram.com/p/abc/", "--platform", "Instagram",
                                 "--json"))
    result = invoke_rempart("takedown", "set", added["id"], "--status", "removed")
    assert result.exit_code == 2 and "cannot become removed" in result.stderr

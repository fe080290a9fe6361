"""``rempart staff`` and ``rempart case create``: happy paths, exit code 2 on bad input."""

import json

import pyotp
import pytest
from typer.testing import CliRunner

from rempart import bootstrap
from rempart.cli import app
from rempart.config import Settings, get_settings
from rempart.services import cases, staff
from tests.integration.foundation_support import fast_argon2, snapshot  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_argon2")


@pytest.fixture
def run(tmp_path, monkeypatch, migrated_url):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, input=None: runner.invoke(app, list(args), input=input)
    get_settings.cache_clear()


@pytest.fixture
def services(tmp_path, migrated_url):
    built = bootstrap.build(Settings(data_dir=tmp_path / "var", database_url=migrated_url))
    yield built
    built.dispose()


def test_staff_add_prints_the_totp_secret_and_the_account_can_log_in(run, services, tmp_path):
    password_file = tmp_path / "pw"
    password_file.write_text("un mot de passe solide\n")
    result = run("staff", "add", "Anne@Example.org", "--role", "admin",
                 "--password-file", str(password_file))
    assert result.exit_code == 0, result.output
    secret = next(line.split(": ")[1] for line in result.stdout.splitlines()
                  if line.startswith("TOTP secret"))
    assert "otpauth://totp/" in result.stdout
    member = staff.authenticate(services.uow(), services.totp_box, "anne@example.org",
                                "un mot de passe solide", pyotp.TOTP(secret).now())
    assert member.role.value == "admin"
    assert run("staff", "list").stdout == "anne@example.org\tadmin\tactive\n"
    assert run("staff", "disable", "anne@example.org").exit_code == 0
    assert "disabled" in run("staff", "list").stdout


def test_staff_add_reads_the_password_from_stdin(run):
    result = run("staff", "add", "b@example.org", "--role", "counselor",
                 input="un autre mot de passe\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, stdin, reason", [
    (("staff", "add", "pas-un-email", "--role", "admin"), "un mot de passe solide\n",
     "not an e-mail address"),
    (("staff", "add", "c@example.org", "--role", "admin"), "court\n", "at least 12"),
    (("staff", "disable", "nobody@example.org"), None, "no account"),
    (("case", "create", "--kind", "other", "--text", "   "), None, "describe what happened"),
    (("case", "create", "--kind", "other", "--text", "x", "--file", "/nonexistent"), None,
     "cannot read"),
    (("case", "create", "--kind", "other", "--text", "x", "--victim-age", "300"), None,
     "victim_age"),
    (("case", "create", "--kind", "other", "--text", "x", "--started-on", "hier"), None,
     "not a date"),
    (("case", "create", "--kind", "other", "--text", "x", "--url", "ftp://a/b"), None,
     "not a web link"),
])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(run, services, args, stdin,
                                                              reason):
    run("staff", "add", "keep@example.org", "--role", "admin", input="un mot de passe solide\n")
    before = snapshot(services)
    result = run(*args, input=stdin)
    assert result.exit_code == 2
    assert reason in result.output
    assert snapshot(services) == before


def test_an_existing_account_is_not_overwritten(run, services):
    run("staff", "add", "keep@example.org", "--role", "admin", input="un mot de passe solide\n")
    before = snapshot(services)
    again = run("staff", "add", "keep@example.org", "--role", "counselor",
                input="un autre mot de passe\n")
    assert again.exit_code == 2 and "already exists" in again.output
    assert snapshot(services) == before


def test_case_create_prints_a_code_and_passphrase_that_open_the_case(run, services, tmp_path):
    shot = tmp_path / "capture.txt"
    shot.write_text("il m'a écrit : je vais te retrouver")
    result = run("case", "create", "--kind", "threats", "--text", "Menaces répétées", "--minor",
                 "--role", "witness", "--file", str(shot))
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    case_id = cases.open_case(services.uow(), created["code"], created["passphrase"])
    detail = cases.case_detail(services.uow(), case_id)
    assert detail.victim_is_minor and detail.reporter_role.value == "witness"
    assert [e.media_type for e in detail.evidence] == ["text/plain"]


def test_case_create_takes_every_report_field_and_the_facts(run, services):
    result = run("case", "create", "--kind", "insults", "--text",
                 "Des élèves de ma classe m'insultent sur Instagram depuis un mois",
                 "--url", "instagram.com/p/abc", "--platform", "Instagram", "--author", "@eleve1",
                 "--victim_age", "13", "--authors", "3", "--school", "--repeated", "--no-public",
                 "--known-authors", "--no_death_threat")
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert [c["code"] for c in created["contradictions"]] == ["duration_without_dates"]
    detail = cases.case_detail(services.uow(), created["case_id"])
    assert detail.urls == ("https://instagram.com/p/abc",)
    assert detail.platforms == ("Instagram",) and detail.author_handles == ("@eleve1",)
    assert detail.facts.as_dict() == {"victim_age": 13, "authors": 3, "school": True,
                                      "repeated": True, "public": False,
                                      "known_authors": True, "death_threat": False}
    assert detail.victim_is_minor  # from the age

"""``POST /api/v1/qualify`` and ``rempart qualify``: public, stores nothing, rate limited,
bilingual; bad input is a 400 (exit 2) with its reason."""

from __future__ import annotations

import json

import pytest

from tests.cli_support import invoke_rempart

PUPIL = {"victim_age": 13, "repeated": True, "school": True, "public": False, "authors": 4,
         "started_on": "2026-10-25", "last_on": "2026-11-25", "kinds": ["insults"]}


def _qualify(client, body, **kwargs):
    return client.post("/api/v1/qualify", content=json.dumps(body),
                       headers={"content-type": "application/json", **kwargs.pop("headers", {})},
                       **kwargs)


def test_it_qualifies_a_pupil_harassed_by_classmates(client):
    response = _qualify(client, {**PUPIL, "today": "2026-12-01"})
    assert response.status_code == 200
    data = response.json()
    first = data["offences"][0]
    assert first["id"] == "222-33-2-3" and first["article"] == "article 222-33-2-3 du Code pénal"
    assert (first["max_prison_months"], first["max_fine_eur"]) == (36, 45000)
    assert first["prescription_ends"] == "2032-11-25" and first["expired"] is False
    assert first["prescription_estimated"] is False and first["account_suspension"] is True
    assert first["title"] == "Harcèlement scolaire" and "élèves" in first["why"]
    assert "R621-2" not in [offence["id"] for offence in data["offences"]]
    assert "pas un conseil juridique" in data["disclaimer"]
    assert data["law_checked_on"] == "2026-12-01"


def test_it_answers_in_the_requests_language(client):
    english = _qualify(client, PUPIL, headers={"accept-language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert english.json()["offences"][0]["title"] == "School harassment"
    assert "not legal advice" in english.json()["disclaimer"]
    french = _qualify(client, PUPIL, headers={"accept-language": "en"}, params={"lang": "fr"})
    assert french.json()["language"] == "fr"
    assert _qualify(client, PUPIL, headers={"accept-language": "de"}).json()["language"] == "fr"


def test_it_says_a_2018_public_insult_is_time_barred(client):
    body = {"public": True, "repeated": False, "started_on": "2018-04-02", "kinds": ["insults"],
            "today": "2026-12-01"}
    data = _qualify(client, body).json()
    (insult,) = data["offences"]
    assert insult["id"] == "33-loi-1881" and insult["expired"] is True
    assert insult["prescription_ends"] == "2018-07-02"
    assert insult["prescription"].startswith("Prescrit depuis le 2 juillet 2018")
    assert any("plateforme" in line for line in data["remedies"])


def test_it_says_when_the_deadline_is_unknown_or_estimated(client):
    unknown = _qualify(client, {"repeated": True, "kinds": ["insults"]}).json()["offences"][0]
    assert unknown["prescription_unknown"] is True and unknown["prescription_ends"] is None
    assert "inconnue" in unknown["prescription"]
    estimated = _qualify(client, {"repeated": True, "approximately": "depuis environ un mois",
                                  "kinds": ["insults"], "today": "2026-12-01"}
                         ).json()["offences"][0]
    assert estimated["prescription_estimated"] is True
    assert estimated["prescription_ends"] == "2032-12-01"


@pytest.mark.parametrize(("body", "reason"), [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "a JSON object is expected"),
    (json.dumps({"victim_age": "treize"}), "victim_age: a whole number is expected"),
    (json.dumps({"repeted": True}), "unknown fact: repeted"),
    (json.dumps({"kinds": ["insultes"]}), "kinds: unknown kind"),
    (json.dumps({"started_on": "25/11/2026"}), "started_on: not a date"),
    (json.dumps({"today": "demain"}), "today: not a date"),
    (json.dumps({"labels": "sexual"}), "labels: a list of strings is expected"),
])
def test_it_refuses_bad_input_with_the_reason(client, body, reason):
    response = client.post("/api/v1/qualify", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_it_refuses_a_body_too_large(client):
    response = _qualify(client, {"approximately": "x" * 70_000})
    assert response.status_code == 413 and "too large" in response.json()["error"]


def test_it_rate_limits_each_client_with_a_reason(client):
    from rempart.web.api_qualify import PER_MINUTE

    codes = [_qualify(client, PUPIL).status_code for _ in range(PER_MINUTE + 1)]
    assert codes[:PER_MINUTE] == [200] * PER_MINUTE and codes[-1] == 429
    refused = _qualify(client, PUPIL)
    assert "too many requests" in refused.json()["error"]
    assert int(refused.headers["retry-after"]) >= 1


def test_the_limiter_refills_with_time():
    from rempart.web.api_qualify import ClientLimiter

    now = [0.0]
    limiter = ClientLimiter(per_minute=2, clock=lambda: now[0])
    assert limiter.take(1) == 0 and limiter.take(1) == 0
    assert limiter.take(1) == pytest.approx(30.0)
    assert limiter.take(2) == 0  # another client has its own bucket
    now[0] = 30.0
    assert limiter.take(1) == 0


def test_it_stores_nothing(client, migrated_url):
    from sqlalchemy import create_engine, text

    _qualify(client, PUPIL)
    engine = create_engine(migrated_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 0
    engine.dispose()


def test_every_legal_scenario_is_right_through_the_endpoint(client):
    from rempart.web.api_qualify import ClientLimiter
    from tests.unit.test_legal_scenarios import SCENARIOS, TODAY, check

    client.app.state.qualify_limiter = ClientLimiter(per_minute=10 * len(SCENARIOS))
    for _name, facts, expected, absent in SCENARIOS:
        response = _qualify(client, {**facts, "today": TODAY})
        assert response.status_code == 200
        check(response.json(), expected, absent)


def test_it_is_in_the_openapi_document(client):
    assert "/api/v1/qualify" in client.get("/openapi.json").json()["paths"]


# --- rempart qualify ---------------------------------------------------------------------------

def test_the_cli_prints_the_same_json(tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(PUPIL), encoding="utf-8")
    result = invoke_rempart("qualify", "--json", str(facts), "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["offences"][0]["id"] == "222-33-2-3"
    assert data["offences"][0]["prescription_ends"] == "2032-11-25"
    english = invoke_rempart("qualify", "--json", str(facts), "--lang", "en")
    assert json.loads(english.stdout)["offences"][0]["title"] == "School harassment"


@pytest.mark.parametrize(("content", "args", "reason"), [
    ("{oops", (), "invalid JSON"),
    ('{"victim_age": 300}', (), "victim_age: between 0 and 120"),
    ('{"kinds": ["x"]}', (), "kinds: unknown kind"),
    ("{}", ("--lang", "de"), "--lang: fr or en"),
    ("{}", ("--today", "hier"), "--today: not a date"),
])
def test_the_cli_fails_with_one_line(tmp_path, monkeypatch, content, args, reason):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    facts = tmp_path / "facts.json"
    facts.write_text(content, encoding="utf-8")
    result = invoke_rempart("qualify", "--json", str(facts), *args)
    assert result.exit_code == 2
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_cli_names_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    result = invoke_rempart("qualify", "--json", str(tmp_path / "absent.json"))
    assert result.exit_code == 2 and "cannot read" in result.stderr

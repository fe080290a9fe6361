"""The matching API: keys, rate limits, bad input, feedback and bank writes (both engines)."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rempart.config import Settings
from rempart.detect import banks, partners
from rempart.detect.banks import HashInput
from rempart.store.bank_tables import BankEntry, MatchFeedback
from rempart.store.db import make_engine, make_session_factory
from rempart.web.app import create_app

BASE = f"{random.Random(9).getrandbits(256):064x}"
NEAR = f"{int(BASE, 16) ^ 0b111:064x}"


@pytest.fixture
def env(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        banks.create_bank(s, "ncii-adults", "ncii-adults")
        banks.add_hashes(s, "ncii-adults", [HashInput("pdq", BASE, "NC-API", "c-1")])
        _, key = partners.create_partner(s, "Platform", can_write=True, rate_per_minute=5)
        _, reader = partners.create_partner(s, "Reader")
    app = create_app(Settings(data_dir=tmp_path, database_url=migrated_url))
    with TestClient(app) as client:
        yield client, sessions, key, reader
    app.state.matching.close()
    engine.dispose()


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def test_it_answers_bank_distance_and_case_reference(env):
    client, _, key, _ = env
    r = client.post("/api/v1/match", headers=auth(key),
                    json={"queries": [{"signal_type": "pdq", "hash": NEAR}]})
    assert r.status_code == 200
    (match,) = r.json()["results"][0]["matches"]
    assert (match["bank"], match["distance"], match["case_reference"], match["content_id"],
            match["signal_type"]) == ("ncii-adults", 3, "NC-API", "c-1", "pdq")


def test_it_rejects_a_bad_key_with_401(env):
    client, *_ = env
    r = client.post("/api/v1/match", headers=auth("rmp_nope"),
                    json={"queries": [{"signal_type": "pdq", "hash": BASE}]})
    assert r.status_code == 401 and "error" in r.json()
    assert client.post("/api/v1/match", json={}).status_code == 401


def test_it_rejects_a_malformed_hash_with_400(env):
    client, _, key, _ = env
    r = client.post("/api/v1/match", headers=auth(key),
                    json={"queries": [{"signal_type": "pdq", "hash": "12zz"}]})
    assert r.status_code == 400 and "64 hexadecimal" in r.json()["error"]
    r = client.post("/api/v1/match", headers=auth(key), content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]


def test_it_limits_the_rate_per_key_with_429(env):
    client, _, key, reader = env
    body = {"queries": [{"signal_type": "pdq", "hash": BASE}]}
    codes = [client.post("/api/v1/match", headers=auth(key), json=body).status_code
             for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = client.post("/api/v1/match", headers=auth(key), json=body)
    assert int(r.headers["Retry-After"]) >= 1
    assert client.post("/api/v1/match", headers=auth(reader), json=body).status_code == 200


def test_it_records_feedback(env):
    client, sessions, key, _ = env
    with sessions() as s:
        entry_id = s.scalar(select(BankEntry.id))
    client.post("/api/v1/match", headers=auth(key),  # the entry is shown to the partner
                json={"queries": [{"signal_type": "pdq", "hash": NEAR}]})
    r = client.post("/api/v1/match/feedback", headers=auth(key),
                    json={"entry_id": entry_id, "verdict": "false_positive"})
    assert r.status_code == 201
    bad = client.post("/api/v1/match/feedback", headers=auth(key),
                      json={"entry_id": entry_id, "verdict": "maybe"})
    assert bad.status_code == 400
    with sessions() as s:
        assert [f.verdict for f in s.scalars(select(MatchFeedback))] == ["false_positive"]


def test_it_adds_hashes_visible_to_matching_and_refuses_readers(env):
    client, sessions, key, reader = env
    new = f"{random.Random(10).getrandbits(256):064x}"
    body = {"hashes": [{"signal_type": "pdq", "hash": new, "case_reference": "NC-NEW"}]}
    assert client.post("/api/v1/banks/ncii-adults/hashes", headers=auth(reader),
                       json=body).status_code == 403
    assert client.post("/api/v1/banks/ncii-adults/hashes", headers=auth(key),
                       json=body).status_code == 201
    client.app.state.matching.index.refresh()
    r = client.post("/api/v1/match", headers=auth(key),
                    json={"queries": [{"signal_type": "pdq", "hash": new}]})
    assert r.json()["results"][0]["matches"][0]["case_reference"] == "NC-NEW"


def test_every_use_of_a_key_is_audited_without_the_hashes(env):
    from rempart.store.tables import AuditRecord

    client, sessions, key, _ = env
    client.post("/api/v1/match", headers=auth(key),
                json={"queries": [{"signal_type": "pdq", "hash": NEAR}]})
    client.post("/api/v1/banks/ncii-adults/hashes", headers=auth(key),
                json={"hashes": [{"signal_type": "pdq", "hash": NEAR[::-1]}]})
    with sessions() as s:
        events = {e.action: e for e in s.scalars(select(AuditRecord))}
    queried, added = events["match.queried"], events["bank.hashes_added"]
    assert queried.actor == "partner" and queried.detail["queries"] == 1
    assert queried.detail["matches"] == 1
    assert added.detail["hashes"] == 1 and added.detail["bank"] == "ncii-adults"
    assert NEAR not in repr(queried.detail) + repr(added.detail)


def test_it_charges_one_token_per_query_not_per_request(env):
    client, _, key, _ = env  # 5 queries a minute
    five = {"queries": [{"signal_type": "pdq", "hash": BASE}] * 5}
    assert client.post("/api/v1/match", headers=auth(key), json=five).status_code == 200
    r = client.post("/api/v1/match", headers=auth(key),
                    json={"queries": [{"signal_type": "pdq", "hash": BASE}]})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_a_request_larger_than_the_limit_is_served_once_then_the_key_waits(env):
    client, _, key, _ = env  # 5 a minute: 50 queries leave a debt of 45 tokens (9 minutes)
    many = {"queries": [{"signal_type": "pdq", "hash": BASE}] * 50}
    assert client.post("/api/v1/match", headers=auth(key), json=many).status_code == 200
    r = client.post("/api/v1/match", headers=auth(key), json=many)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 8 * 60


def test_a_reader_cannot_rate_an_entry_it_was_never_shown(env):
    client, sessions, key, reader = env
    with sessions() as s:
        entry_id = s.scalar(select(BankEntry.id))
    body = {"entry_id": entry_id, "verdict": "false_positive"}
    r = client.post("/api/v1/match/feedback", headers=auth(reader), json=body)
    assert r.status_code == 400
    with sessions() as s:
        assert s.scalars(select(MatchFeedback)).all() == []
    client.post("/api/v1/match", headers=auth(key),  # shown to the writer, not the reader
                json={"queries": [{"signal_type": "pdq", "hash": NEAR}]})
    assert client.post("/api/v1/match/feedback", headers=auth(reader),
                       json=body).status_code == 400
    client.post("/api/v1/match", headers=auth(reader),
                json={"queries": [{"signal_type": "pdq", "hash": NEAR}]})
    assert client.post("/api/v1/match/feedback", headers=auth(reader),
                       json=body).status_code == 201


def test_feedback_refuses_absent_and_unshown_entries_in_the_same_words(env):
    client, sessions, _, reader = env
    with sessions() as s:
        entry_id = s.scalar(select(BankEntry.id))

    def answer(entry):
        r = client.post("/api/v1/match/feedback", headers=auth(reader),
                        json={"entry_id": entry, "verdict": "blocked"})
        return r.status_code, r.json()["error"].replace(str(entry), "N")

    assert answer(entry_id) == answer(entry_id + 1000) == answer(-1)

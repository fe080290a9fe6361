import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rempart.config import Settings
from rempart.detect import partners
from rempart.store.db import make_engine, make_session_factory
from rempart.web.api_classify import router


@pytest.fixture
def client_and_key(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    with make_session_factory(engine).begin() as session:
        _, key = partners.create_partner(session, "plateforme", rate_per_minute=20)
    engine.dispose()
    # The router alone, as create_app mounts it, so that this test does not depend on the pages.
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path, database_url=migrated_url)
    app.include_router(router)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_it_classifies_messages_for_an_api_key(client_and_key):
    client, auth = client_and_key
    response = client.post("/api/v1/classify", headers=auth,
                           json={"texts": ["je vais te retrouver", "bonne journée"]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert "threat" in results[0]["labels"]
    assert results[1]["labels"] == ["neutral"]


def test_it_refuses_callers_without_a_valid_key(client_and_key):
    client, _ = client_and_key
    for headers in ({}, {"Authorization": "Bearer rk_wrong"}, {"Authorization": "Basic x"}):
        response = client.post("/api/v1/classify", headers=headers, json={"texts": ["x"]})
        assert response.status_code == 401
        assert "error" in response.json()


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"texts": []}', b'{"texts": [3]}',
                                  b'{"texts": ["' + b"a" * 5001 + b'"]}'])
def test_it_answers_bad_input_with_400(client_and_key, body):
    client, auth = client_and_key
    response = client.post("/api/v1/classify", headers=auth, content=body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_it_rate_limits_per_key(client_and_key):
    client, auth = client_and_key
    assert client.post("/api/v1/classify", headers=auth,
                       json={"texts": ["salut"] * 20}).status_code == 200
    response = client.post("/api/v1/classify", headers=auth, json={"texts": ["salut"]})
    assert response.status_code == 429
    assert "Retry-After" in response.headers

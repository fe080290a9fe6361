"""The OpenAPI document is valid (issue 12.14): every reference resolves, 422 is not declared,
the errors the API returns are, with the {"error": ...} body."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from tests.integration.pages_support import make_client


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    with make_client(folder, f"sqlite:///{folder / 'openapi.db'}") as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_it_validates_against_the_openapi_specification(document):
    validate(document)


def test_every_reference_resolves(document):
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)))
    assert refs
    for ref in refs:
        assert _resolve(document, ref) is not None, ref
    assert "$defs" not in json.dumps(document["paths"])


def test_422_is_never_declared_and_the_errors_returned_are(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "422" not in responses, (path, method)
            assert {"400", "429"} <= set(responses), (path, method)
            if method in ("post", "put", "patch", "delete"):
                assert {"403", "413"} <= set(responses), (path, method)
            for code, response in responses.items():
                if code.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert _resolve(document, schema["$ref"])["required"] == ["error"]

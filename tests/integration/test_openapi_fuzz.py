"""Schemathesis against the live app (issue 12.14): every API operation, a bounded number of
generated requests each, no 5xx, every answer as the OpenAPI document declares it (status,
content type, body schema, headers). ASGI transport, in process, on SQLite."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rempart.config import Settings
from rempart.security import hashing
from rempart.web.app import create_app

EXAMPLES_PER_OPERATION = 8
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance,
          content_type_conformance, response_schema_conformance, response_headers_conformance]


def _live_app():
    """The app on a fresh SQLite database in a temporary folder, built when the module is
    collected (schemathesis needs the schema to generate the tests)."""
    from rempart.store import migrate

    folder = Path(tempfile.mkdtemp(prefix="rempart-fuzz-"))
    url = f"sqlite:///{folder / 'fuzz.db'}"
    migrate.upgrade(url)
    return create_app(Settings(data_dir=folder, database_url=url,
                               max_report_bytes=64 * 1024, max_file_bytes=32 * 1024))


schema = schemathesis.openapi.from_asgi("/openapi.json", _live_app())


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    monkeypatch.setattr(hashing, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                           parallelism=1))
    hashing._dummy_hash.cache_clear()
    yield
    hashing._dummy_hash.cache_clear()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_document_says_and_never_fails(case):
    case.call_and_validate(checks=CHECKS)

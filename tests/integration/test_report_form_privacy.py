"""The report form keeps nothing in the browser: no autofill of what happened (no JS needed)."""

from __future__ import annotations

import re

from tests.integration.pages_support import make_client

# Fields whose words say what happened or who did it; a shared phone must not offer them back.
SECRET_FIELDS = ("description", "other_platform", "urls", "author_handles", "contact",
                 "started_on", "last_on", "approximately", "victim_age")


def _tag(page: str, field: str) -> str:
    match = re.search(rf'<(?:input|textarea) id="{field}"[^>]*>', page)
    assert match, field
    return match.group(0)


def test_the_report_form_and_its_secret_fields_turn_autocomplete_off(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    page = client.get("/signaler?lang=fr").text
    form = re.search(r'<form class="report-form"[^>]*>', page)
    assert form and 'autocomplete="off"' in form.group(0)
    for field in SECRET_FIELDS:
        assert 'autocomplete="off"' in _tag(page, field), field


"""The /stop-images pages: hashes only in, a case reference and PIN out, follow and withdraw."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import create_engine, func, select

from rempart.security import passphrase
from rempart.store.bank_tables import BankEntry, SelfSubmission
from tests.integration.pages_support import csrf, make_client

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "5584b6b8c65c8c603945f071bf16f4bc"
VPDQ = f"{PDQ},100,0.000,{PDQ},98,1.000"


def _entries(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(BankEntry.status, func.count()).group_by(BankEntry.status))
        counts = {status: int(n) for status, n in rows}
    engine.dispose()
    return counts


def _submit(client, **fields):
    data = {"csrf_token": csrf(client, "/stop-images"), "age": "adult",
            "hash": [f"pdq|{PDQ}|100", f"video_md5|{MD5}", f"vpdq|{VPDQ}"]}
    data.update(fields)
    return client.post("/stop-images", data=data)


def test_it_explains_the_routes_and_the_need_for_javascript(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    page = client.get("/stop-images?lang=fr").text
    assert "Take It Down" in page and "StopNCII" in page
    assert "<noscript>" in page and "rempart hash" in page
    assert 'id="media-file"' in page and 'name="media' not in page  # the file input has no name
    assert "Empêcher la diffusion" in page
    assert "Stop an intimate image" in client.get("/stop-images?lang=en").text


def test_it_stores_the_hashes_and_returns_a_reference_and_pin(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    answer = _submit(client)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    reference = re.search(r'id="case-reference"><code>(NC(?:-[0-9A-Z]{4}){3})<', answer.text)
    pin = re.search(r'id="case-pin"><code class="selectable">([^<]+)<', answer.text)
    assert reference and pin
    # the same scheme as a reporter's code and passphrase: Crockford letters, French words
    assert set(reference.group(1)[3:].replace("-", "")) <= set(passphrase.CODE_ALPHABET)
    words = pin.group(1).split(" ")
    assert len(words) == passphrase.words_needed() and set(words) <= set(passphrase.wordlist())
    assert _entries(migrated_url) == {"active": 3}

    token = csrf(client, "/stop-images/suivi")
    status = client.post("/stop-images/suivi", data={
        "csrf_token": token, "reference": reference.group(1), "pin": pin.group(1),
        "action": "status"})
    assert status.status_code == 200 and 'id="active-count">3<' in status.text
    withdrawn = client.post("/stop-images/suivi", data={
        "csrf_token": token, "reference": reference.group(1), "pin": pin.group(1),
        "action": "withdraw"})
    assert withdrawn.status_code == 200 and 'id="withdrawn-count">3<' in withdrawn.text
    assert _entries(migrated_url) == {"withdrawn": 3}


def test_it_refuses_a_wrong_pin_without_touching_the_hashes(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    reference = re.search(r'id="case-reference"><code>([^<]+)<', _submit(client).text)
    assert reference
    answer = client.post("/stop-images/suivi", data={
        "csrf_token": csrf(client, "/stop-images/suivi"), "reference": reference.group(1),
        "pin": "00000000", "action": "withdraw"})
    assert answer.status_code == 400
    assert _entries(migrated_url) == {"active": 3}


def test_it_refuses_bad_hashes_and_stores_nothing(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    for fields in ({"hash": [f"pdq|{PDQ}|100", "pdq|nothex|100"]}, {"hash": "pdq|" + PDQ + "|12"},
                   {"hash": []}, {"age": "unknown"}, {"hash": "garbage"}):
        answer = _submit(client, **fields)
        assert answer.status_code == 400, fields
        assert 'role="alert"' in answer.text
    assert _entries(migrated_url) == {}


def test_it_refuses_a_post_without_the_csrf_token(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    answer = client.post("/stop-images", data={"age": "adult", "hash": f"pdq|{PDQ}|100"})
    assert answer.status_code == 403
    assert _entries(migrated_url) == {}


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def test_it_accepts_the_passphrase_typed_on_a_phone_and_stores_only_its_hash(migrated_url,
                                                                             tmp_path):
    client = make_client(tmp_path, migrated_url)
    page = _submit(client).text
    reference = re.search(r'id="case-reference"><code>([^<]+)<', page)
    pin = re.search(r'id="case-pin"><code class="selectable">([^<]+)<', page)
    assert reference and pin
    engine = create_engine(migrated_url)
    with engine.connect() as conn:
        stored = conn.execute(select(SelfSubmission.pin_hash)).scalar_one()
    engine.dispose()
    assert pin.group(1) not in stored and stored.startswith("$argon2")
    # lower case, no hyphens, capitals, no accents, extra spaces: the same case and passphrase
    typed_reference = reference.group(1).lower().replace("-", " ")
    typed_pin = "  " + _folded(pin.group(1)).upper().replace(" ", " - ") + " "
    status = client.post("/stop-images/suivi", data={
        "csrf_token": csrf(client, "/stop-images/suivi"), "reference": typed_reference,
        "pin": typed_pin, "action": "status"})
    assert status.status_code == 200 and 'id="active-count">3<' in status.text


def test_the_follow_form_asks_for_words_and_keeps_nothing_in_the_browser(migrated_url, tmp_path):
    client = make_client(tmp_path, migrated_url)
    page = client.get("/stop-images/suivi?lang=fr").text
    field = re.search(r'<input id="pin"[^>]*>', page)
    assert field and "inputmode" not in field.group(0)
    assert 'type="password"' in field.group(0) and 'autocomplete="off"' in field.group(0)
    assert re.search(r'<form[^>]*action="/stop-images/suivi"[^>]*autocomplete="off"', page)
    assert "Phrase secrète" in page and "PIN" not in page
    assert "Secret passphrase" in client.get("/stop-images/suivi?lang=en").text

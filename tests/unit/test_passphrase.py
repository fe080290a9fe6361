import math
import re

import pytest

from rempart.security import hashing, passphrase, totp


def test_the_word_list_is_clean_and_unique():
    words = passphrase.wordlist()
    assert len(words) == len(set(words)) == 8192
    assert all(re.fullmatch(r"[a-z]{4,9}", w) for w in words)


def test_passphrases_carry_at_least_77_bits():
    n = passphrase.words_needed()
    assert n * math.log2(len(passphrase.wordlist())) >= passphrase.MIN_BITS
    assert passphrase.passphrase_bits() >= 77
    phrase = passphrase.new_passphrase()
    assert len(phrase.split()) == n
    assert all(w in passphrase.wordlist() for w in phrase.split())


def test_typing_variations_normalize_to_the_same_passphrase():
    assert passphrase.normalize_passphrase("  Éléphant-Cafe   MAISON ") == "elephant cafe maison"


def test_case_codes_are_unambiguous_and_forgiving():
    code = passphrase.new_case_code()
    assert re.fullmatch(r"RMP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert passphrase.normalize_case_code(code.lower().replace("-", " ")) == code
    assert passphrase.normalize_case_code("rmp-abco-i1lz") == "RMP-ABC0-111Z"
    assert passphrase.normalize_case_code("ABCD EFGH") == "RMP-ABCD-EFGH"
    for bad in ("", "RMP-ABCD", "RMP-ABCD-EFGU", "x" * 100):
        assert passphrase.normalize_case_code(bad) is None


def test_argon2id_hashes_verify_only_the_right_secret():
    stored = hashing.hash_secret("vache lune")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106 second choice
    assert hashing.verify_secret(stored, "vache lune")
    assert not hashing.verify_secret(stored, "vache lunes")
    assert not hashing.verify_secret("not a hash", "vache lune")


def test_totp_accepts_current_code_once_and_refuses_replays():
    import pyotp

    secret = totp.new_secret()
    now = 1_800_000_000.0
    code = pyotp.TOTP(secret).at(now)
    step = totp.accepted_step(secret, code, None, now=now)
    assert step == int(now // 30)
    assert totp.accepted_step(secret, code, step, now=now) is None
    assert totp.accepted_step(secret, "000000" if code != "000000" else "111111", None,
                              now=now) is None
    assert totp.accepted_step(secret, "abc", None, now=now) is None


@pytest.mark.parametrize("uri_part", ["otpauth://totp/", "issuer=Rempart"])
def test_provisioning_uri_names_the_issuer(uri_part):
    assert uri_part in totp.provisioning_uri(totp.new_secret(), "a@b.org")

import importlib.util
import math
import re
from pathlib import Path

import pytest

from rempart.security import hashing, passphrase, totp

ROOT = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location("build_wordlist_fr",
                                                  ROOT / "scripts" / "build-wordlist-fr.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_word_list_is_short_french_words_unique_even_without_accents():
    words = passphrase.wordlist()
    assert len(words) == len(set(words)) == 4096
    assert all(re.fullmatch(r"[a-zàâçéèêëîïôûùüÿ]{4,8}", w) for w in words)
    folded = {passphrase.normalize_passphrase(w) for w in words}
    assert len(folded) == len(words)  # no homographs once accents are dropped
    assert all(re.fullmatch(r"[a-z]{4,8}", w) for w in folded)


def test_the_words_keep_their_accents():
    words = set(passphrase.wordlist())
    assert {"élève", "forêt", "gâteau", "école", "fenêtre"} <= words
    assert not {"eleve", "foret", "gateau", "ecole", "fenetre"} & words


def test_no_word_of_the_deny_list_nor_its_forms_is_in_the_list():
    build = _builder()
    deny_words, deny_stems = build.read_deny()
    assert len(deny_words) > 500 and len(deny_stems) > 100
    folded = {passphrase.normalize_passphrase(w) for w in passphrase.wordlist()}
    for word in deny_words:
        forms = {word + end for end in build.FORM_ENDINGS}
        assert not forms & folded, (word, forms & folded)
    assert not [w for w in folded if w.startswith(deny_stems)]
    # the words the issue names, and their forms
    for hurtful in ("haine", "laide", "laid", "porno", "couteau", "sadique", "blesser", "battre",
                    "ennemie", "ennemi", "menacer", "menace", "tuer", "mort", "morte", "suicide",
                    "grosse", "moche", "drogue", "cancer", "viol", "pute", "idiot", "pleurer"):
        assert build.denied(hurtful, deny_words, deny_stems), hurtful
        assert passphrase.normalize_passphrase(hurtful) not in folded, hurtful


def test_seven_words_of_4096_carry_84_bits_more_than_the_former_78():
    """The choice documented in the module: 4,096 curated words (12 bits), 7 of them."""
    assert passphrase.MIN_BITS == 78  # 6 words of the former 8,192-word list
    assert passphrase.words_needed() == 7
    assert passphrase.passphrase_bits() == pytest.approx(7 * math.log2(4096)) == 84
    assert passphrase.passphrase_bits() >= 6 * math.log2(8192)
    phrase = passphrase.new_passphrase()
    assert len(phrase.split()) == 7
    assert all(w in passphrase.wordlist() for w in phrase.split())


def test_passphrases_are_drawn_at_random():
    assert len({passphrase.new_passphrase() for _ in range(50)}) == 50


def test_typing_variations_normalize_to_the_same_passphrase():
    assert passphrase.normalize_passphrase("  Éléphant-Cafe   MAISON ") == "elephant cafe maison"
    assert passphrase.normalize_passphrase("élève forêt\tgâteau.") == "eleve foret gateau"


def test_a_new_passphrase_opens_with_or_without_accents_and_capitals():
    phrase = passphrase.new_passphrase()
    stored = hashing.hash_secret(passphrase.normalize_passphrase(phrase))
    typed = "  " + passphrase.normalize_passphrase(phrase).upper().replace(" ", "   ") + " "
    assert hashing.verify_secret(stored, passphrase.normalize_passphrase(typed))
    assert hashing.verify_secret(stored, passphrase.normalize_passphrase(phrase))


def test_a_passphrase_of_the_former_ascii_list_still_opens_its_case():
    # six words of the former list, hashed as open_case always has: normalised
    former = "abajoue abaque ablette abonner abattre abeille"
    stored = hashing.hash_secret(passphrase.normalize_passphrase(former))
    assert hashing.verify_secret(stored, passphrase.normalize_passphrase("Abajoue ABAQUE  "
                                                                          "ablette-abonner "
                                                                          "abattre abeille"))


def test_stop_images_references_and_pins_follow_the_case_scheme():
    reference = passphrase.new_self_case_reference()
    assert re.fullmatch(r"NC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}",
                        reference)
    assert passphrase.normalize_self_case_reference(reference.lower().replace("-", " ")) \
        == reference
    former = "NC-0123456789ABCDEF"  # the former hexadecimal references still resolve
    assert passphrase.normalize_self_case_reference(" nc-0123456789abcdef ") == former
    pin = passphrase.new_pin()
    assert len(pin.split()) == 7
    assert passphrase.normalize_passphrase("12345678") == "12345678"  # former PINs


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

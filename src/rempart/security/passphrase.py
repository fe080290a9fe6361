"""French diceware passphrases for reporters, and their case codes.

The passphrase is the only key to a case (no account, no e-mail): it must resist guessing even if
the database of hashes leaks, hence at least ``MIN_BITS`` = 78 bits, drawn with ``secrets``.

The words (``wordlist_fr.txt``, built by ``scripts/build-wordlist-fr.py``) are common, short
French words a teenager knows, shown with their accents, with no word that hurts (violence,
sex, the body, death, illness, drugs, insults, fear, origins, religion:
``scripts/wordlist-fr-deny.txt``).
Curating is a trade: 8,192 such words (13 bits each, 6 words = 78 bits) do not exist in the
frequency lists without going down to rare, technical or unkind ones, so the list keeps the
4,096 most common words that pass (12 bits each) and a passphrase has **7 words: 84 bits**,
more than the 78 bits of the former 6 words of 8,192 (tested in tests/unit/test_passphrase.py).

What is hashed is ``normalize_passphrase(typed)``: lower-case ASCII words separated by one
space. Accents are folded there, so ``éléphant`` and ``elephant`` are one word (no two words of
the list fold to the same letters), and the hashes stored before the accented list (ASCII
words) still verify.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

MIN_BITS = 78
# Crockford base 32: no I, L, O, U, so that codes read aloud or handwritten stay unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "RMP"
CODE_GROUPS = 2
CODE_GROUP_LEN = 4
_CODE_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    text = resources.files("rempart.security").joinpath("wordlist_fr.txt").read_text("utf-8")
    words = tuple(line for line in text.splitlines() if line and not line.startswith("#"))
    if len({normalize_passphrase(w) for w in words}) != len(words):
        raise RuntimeError("the passphrase word list has words that fold to the same letters")
    return words


def bits_per_word() -> float:
    return math.log2(len(wordlist()))


def words_needed(min_bits: int = MIN_BITS) -> int:
    return math.ceil(min_bits / bits_per_word())


def passphrase_bits() -> float:
    return words_needed() * bits_per_word()


def new_passphrase() -> str:
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(words_needed()))


def normalize_passphrase(typed: str) -> str:
    """What is hashed and compared: lower-case ASCII words separated by one space, so that
    accents, capitals, hyphens or extra spaces typed on a phone do not lock a reporter out."""
    folded = unicodedata.normalize("NFKD", typed).encode("ascii", "ignore").decode().lower()
    return " ".join(folded.replace("-", " ").replace(".", " ").split())


def new_case_code(prefix: str = CODE_PREFIX, groups: int = CODE_GROUPS) -> str:
    """``RMP-ABCD-EFGH``: a prefix, then groups of 4 Crockford letters (5 bits each)."""
    parts = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LEN))
             for _ in range(groups))
    return "-".join((prefix, *parts))


def normalize_case_code(typed: str, prefix: str = CODE_PREFIX,
                        groups: int = CODE_GROUPS) -> str | None:
    """The canonical ``RMP-ABCD-EFGH`` form (4 + 4 code letters) of what was typed, or None if
    it cannot be a code."""
    raw = "".join(typed.upper().split()).replace("-", "")
    if raw.startswith(prefix):
        raw = raw[len(prefix):]
    raw = raw.translate(_CODE_ALIASES)
    if len(raw) != groups * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in raw):
        return None
    parts = [raw[i:i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN)]
    return "-".join((prefix, *parts))


# The stop-images self-submissions (detect/banks.py) follow the same scheme: a case reference
# made like a case code (3 groups: 60 bits, as it has no retry on a collision) and a PIN that
# is a passphrase, checked in its normalised form.
SELF_CASE_PREFIX = "NC"
SELF_CASE_GROUPS = 3


def new_self_case_reference() -> str:
    return new_case_code(SELF_CASE_PREFIX, SELF_CASE_GROUPS)


def normalize_self_case_reference(typed: str) -> str:
    """The canonical reference, or what was typed (stripped, upper-case) for the former
    ``NC-`` + 16 hexadecimal references."""
    return (normalize_case_code(typed, SELF_CASE_PREFIX, SELF_CASE_GROUPS)
            or typed.strip().upper())


def new_pin() -> str:
    """The secret of a stop-images case: a passphrase (hash ``normalize_passphrase`` of it; the
    former 8-digit PINs normalise to themselves)."""
    return new_passphrase()

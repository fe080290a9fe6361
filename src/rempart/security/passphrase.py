"""French diceware passphrases for reporters, and their case codes.

The passphrase is the only key to a case (no account, no e-mail): it must resist guessing even if
the database of hashes leaks, hence at least 77 bits, drawn with ``secrets``.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

MIN_BITS = 77
# Crockford base 32: no I, L, O, U, so that codes read aloud or handwritten stay unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "RMP"
CODE_GROUPS = 2
CODE_GROUP_LEN = 4
_CODE_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    text = resources.files("rempart.security").joinpath("wordlist_fr.txt").read_text("ascii")
    words = tuple(line for line in text.splitlines() if line and not line.startswith("#"))
    if len(set(words)) != len(words):
        raise RuntimeError("the passphrase word list has duplicates")
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


def new_case_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LEN))
              for _ in range(CODE_GROUPS))
    return "-".join((CODE_PREFIX, *groups))


def normalize_case_code(typed: str) -> str | None:
    """The canonical ``RMP-ABCD-EFGH`` form (4 + 4 code letters) of what was typed, or None if
    it cannot be a code."""
    raw = "".join(typed.upper().split()).replace("-", "")
    if raw.startswith(CODE_PREFIX):
        raw = raw[len(CODE_PREFIX):]
    raw = raw.translate(_CODE_ALIASES)
    if len(raw) != CODE_GROUPS * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in raw):
        return None
    groups = [raw[i:i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN)]
    return "-".join((CODE_PREFIX, *groups))

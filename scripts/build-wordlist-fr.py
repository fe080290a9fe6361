"""Build src/rempart/security/wordlist_fr.txt from Debian's wfrench (/usr/share/dict/french).

Run once by a maintainer (not at install time):
    python scripts/build-wordlist-fr.py /usr/share/dict/french ldnoobw_fr.txt hurtlex_fr.tsv

Keeps lower-case words of 4 to 9 letters that fold to ASCII, drops plurals and conjugated forms
(harder to remember and to type), offensive or hurtful words, then keeps 8192 words (13 bits each)
spread evenly over the alphabet, preferring lengths 5 to 7.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

TARGET = 8192
# Words the lists above miss and that have no place in a harassment victim's passphrase.
EXTRA_BAD = {"autiste", "pisseux", "mollard", "suicide", "suicider", "violer", "violeur", "tuer",
             "tueur", "cadavre", "mourir", "mortel", "pendre", "pendu", "noyer", "nazi", "nazisme",
             "racisme", "raciste", "cancer", "obese", "debile", "cretin", "idiot", "laideron",
             "suceuse", "suceur"}
_LETTERS = re.compile(r"^[a-zàâäçéèêëîïôöùûüÿœæ]+$")
_INFLECTIONS = ("ions", "iez", "aient", "ait", "ais", "assent", "asses", "assiez", "assions",
                "erai", "eras", "erez", "eront", "erons", "erait", "èrent", "âmes", "âtes", "ât",
                "îmes", "îtes", "irent", "issent", "issez", "issons", "isse", "ons", "ez", "ent",
                "ant", "ée", "és", "ées")


_VERB_ENDINGS = ("a", "ai", "as", "it", "is", "ie", "ue", "us", "ut", "e", "es", "era", "erai",
                 "eras", "ira", "irai", "iras")


def _is_verb_form(word: str, words: set[str]) -> bool:
    """A conjugated form (passé simple, participle...) of a verb that is in the dictionary."""
    for ending in _VERB_ENDINGS:
        stem = word[: -len(ending)]
        if ending in ("a", "ai", "as") and stem.endswith("r") and stem in words:
            return True  # future tense: "hairai" from "hair"
        if word.endswith(ending) and any(stem + inf in words for inf in ("er", "ir", "re")):
            return True
    return False


def fold(word: str) -> str:
    word = word.replace("œ", "oe").replace("æ", "ae")
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def main(dict_path: str, ldnoobw_path: str, hurtlex_path: str) -> None:
    words = {w.strip() for w in Path(dict_path).read_text(encoding="utf-8").splitlines()}
    bad = set(EXTRA_BAD)
    bad |= {fold(w.strip().lower()) for w in Path(ldnoobw_path).read_text().splitlines() if w}
    for line in Path(hurtlex_path).read_text().splitlines()[1:]:
        bad.add(fold(line.split("\t")[4].lower()))
    kept: dict[str, None] = {}
    for word in sorted(words):
        if not _LETTERS.match(word) or word.endswith(_INFLECTIONS):
            continue
        if (word.endswith(("s", "x")) and word[:-1] in words) or _is_verb_form(word, words):
            continue
        folded = fold(word)
        if not 4 <= len(folded) <= 9 or folded in bad:
            continue
        if any(len(b) >= 5 and b in folded for b in bad):
            continue
        kept[folded] = None
    preferred = [w for w in kept if 5 <= len(w) <= 7]
    pool = preferred if len(preferred) >= TARGET else list(kept)
    step = len(pool) / TARGET
    chosen = sorted({pool[int(i * step)] for i in range(TARGET)})
    assert len(chosen) == TARGET, len(chosen)
    header = ["# French words for Rempart passphrases (diceware style): 8192 words, 13 bits each.",
              "# Source: Debian package wfrench (/usr/share/dict/french), (c) 1989 Paul Leyland,",
              "# licence GPL-2+ (https://gitlab.com/gpernot/wfrench). Filtered by",
              "# scripts/build-wordlist-fr.py: accents folded, 4-9 letters, no plurals or",
              "# conjugated forms, offensive words (LDNOOBW fr, HurtLex fr) removed."]
    out = Path(__file__).resolve().parents[1] / "src/rempart/security/wordlist_fr.txt"
    out.write_text("\n".join(header + chosen) + "\n", encoding="ascii")
    print(f"{len(kept)} candidate words, wrote {len(chosen)} to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

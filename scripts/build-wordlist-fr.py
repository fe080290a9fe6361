"""Build src/rempart/security/wordlist_fr.txt: common, short, kind French words.

Run once by a maintainer (not at install time), on Debian with the packages
``hunspell-fr-classical`` (lemmas with their part of speech, accents kept) and the PyPI package
``wordfreq`` (word frequencies of French subtitles, web, news, Wikipedia)::

    apt-get install hunspell-fr-classical && pip install wordfreq
    python scripts/build-wordlist-fr.py > src/rempart/security/wordlist_fr.txt

Steps, all automatic; the deny list (scripts/wordlist-fr-deny.txt) is the human part:

1. lemmas only (no plural, feminine or conjugated form) tagged noun, adjective or verb in the
   dictionary, and never also a grammatical word (preposition, pronoun, adverb...) or a proper
   noun (nor a name when capitalised: ``Adèle``, ``Boston``) nor an English word (ten times
   more frequent in English); lower-case letters only, 4 to 8 of them, no ``œ``/``æ`` (they
   vanish when folded, and phones hide them);
2. no homographs once accents are dropped: two words that fold to the same letters (``pêche`` /
   ``péché``) keep only the far more common one (10 times or more), else both go;
3. words of the deny list and their forms go;
4. the most frequent words are kept, up to ``SIZE``.
"""

from __future__ import annotations

import collections
import re
import sys
import unicodedata
from pathlib import Path

SIZE = 4096
DICTIONARY = Path("/usr/share/hunspell/fr.dic")
DENY = Path(__file__).with_name("wordlist-fr-deny.txt")
_LETTERS = re.compile(r"^[a-zàâçéèêëîïôûùüÿ]+$")
_GRAMMAR = ("po:prep", "po:prn", "po:det", "po:cj", "po:adv", "po:interj", "po:loc", "po:npr",
            "po:patr", "po:mg", "po:nb", "po:titr", "po:ponc", "po:infi")
FORM_ENDINGS = ("", "s", "e", "es", "x", "sse", "sses", "euse", "euses", "rice", "rices", "ne",
                "nes", "le", "les", "te", "tes")
HOMOGRAPH_RATIO = 10.0
ENGLISH_RATIO = 1.0  # zipf units: a word 10 times more frequent in English is an English word


def fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def read_deny(path: Path = DENY) -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact words, stems) of the deny list, folded."""
    words: set[str] = set()
    stems: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        for item in entry.split():
            if item.endswith("*"):
                stems.append(fold(item[:-1]))
            else:
                words.add(fold(item))
    return frozenset(words), tuple(stems)


def denied(word: str, words: frozenset[str], stems: tuple[str, ...]) -> bool:
    folded = fold(word)
    if folded.startswith(stems):
        return True
    return any(folded.endswith(end) and folded[: len(folded) - len(end)] in words
               for end in FORM_ENDINGS)


def read_tags(path: Path = DICTIONARY) -> dict[str, set[str]]:
    tags: dict[str, set[str]] = collections.defaultdict(set)
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if parts:
            tags[parts[0].split("/", 1)[0]].update(p for p in parts[1:] if p.startswith("po:"))
    return tags


def build(size: int = SIZE) -> list[str]:
    from wordfreq import zipf_frequency  # a build-time tool, not a dependency of Rempart

    tags = read_tags()
    frequency = {w: zipf_frequency(w, "fr") for w in tags if _LETTERS.match(w)}
    by_fold: dict[str, list[str]] = collections.defaultdict(list)
    for word, zipf in frequency.items():
        if zipf >= 1.5:
            by_fold[fold(word)].append(word)
    deny_words, deny_stems = read_deny()
    kept: list[tuple[float, str]] = []
    for word, zipf in frequency.items():
        pos = tags[word]
        if not 4 <= len(word) <= 8:
            continue
        if word.capitalize() in tags:  # also a first name or a place: read as a name
            continue
        if zipf_frequency(word, "en") - zipf > ENGLISH_RATIO:
            continue
        if not any(p in ("po:nom", "po:adj") or p.startswith("po:v") for p in pos):
            continue
        if any(p.startswith(_GRAMMAR) for p in pos):
            continue
        rivals = [frequency[w] for w in by_fold[fold(word)] if w != word]
        if rivals and 10 ** zipf < HOMOGRAPH_RATIO * 10 ** max(rivals):
            continue
        if denied(word, deny_words, deny_stems):
            continue
        kept.append((zipf, word))
    kept.sort(key=lambda item: (-item[0], item[1]))
    if len(kept) < size:
        raise SystemExit(f"only {len(kept)} words pass the filters, {size} wanted")
    return sorted((w for _, w in kept[:size]), key=lambda w: (fold(w), w))


def main() -> None:
    words = build(int(sys.argv[1]) if len(sys.argv) > 1 else SIZE)
    print(f"# French words for Rempart passphrases: {len(words)} common, short, kind words.")
    print("# Built by scripts/build-wordlist-fr.py from Debian's hunspell-fr-classical (lemmas,")
    print("# Dicollecte, MPL-2.0) ranked by wordfreq (Apache-2.0 code, CC BY-SA 4.0 data), minus")
    print("# scripts/wordlist-fr-deny.txt. No two words fold to the same letters without accents.")
    for word in words:
        print(word)


if __name__ == "__main__":
    main()

"""Text normalisation for French (and English) teen chat before feature extraction.

Harassers write "t'es un bouffon", "T ÉS UN BOUFFFON", "t 1 b0uff0n" or "t'es un 🤡": the
classifier must see the same thing. Normalisation lowercases, folds accents, maps emojis to
words, undoes leetspeak inside words, squeezes letters repeated three times or more to one (real
double letters never come in threes), and rewrites common chat spellings ("ntm", "jvais") to
their standard form.
"""

from __future__ import annotations

import re
import unicodedata

# Emojis that carry meaning in harassment; mapped to French words the models understand.
EMOJI_WORDS: dict[str, str] = {
    "🔪": " couteau ", "🗡": " couteau ", "🔫": " pistolet ", "💣": " bombe ", "🪓": " hache ",
    "💀": " mort ", "☠": " mort ", "⚰": " cercueil ", "🩸": " sang ", "👊": " coup de poing ",
    "🤜": " coup de poing ", "🔥": " feu ", "🖕": " doigt d'honneur ", "🤡": " clown ",
    "🐷": " porc ", "🐖": " porc ", "🐒": " singe ", "🐵": " singe ", "🦍": " singe ",
    "🐀": " rat ", "🐍": " serpent ", "💩": " merde ", "🤮": " degout ", "🤢": " degout ",
    "🍆": " sexe ", "🍑": " fesses ", "💦": " sperme ", "👅": " langue ", "😏": " sourire ",
    "😂": " rire ", "🤣": " rire ", "😭": " pleurs ", "❤": " coeur ", "😍": " coeur ",
    "🏠": " maison ", "📍": " adresse ", "🏫": " ecole ", "📞": " telephone ", "🪢": " corde ",
    "💊": " medicaments ", "🏳️‍🌈": " gay ", "🌈": " gay ", "🤬": " colere ", "😡": " colere ",
}

# Chat spellings and abbreviations, applied to whole tokens after accent folding.
CHAT_WORDS: dict[str, str] = {
    "ntm": "nique ta mere", "fdp": "fils de pute", "tg": "ta gueule",
    "ftg": "ferme ta gueule", "tgl": "ta gueule", "stfu": "shut the fuck up", "pd": "pede",
    "ptn": "putain", "pk": "pourquoi", "pq": "pourquoi", "prk": "pourquoi",
    "jvais": "je vais", "jvai": "je vais", "jvé": "je vais", "jve": "je vais",
    "jte": "je te", "jtai": "je t'ai", "jsais": "je sais", "jsp": "je sais pas", "chui": "je suis",
    "chuis": "je suis", "jsuis": "je suis", "ke": "que",
    "koi": "quoi", "kwa": "quoi", "qoi": "quoi", "c": "c'est", "cé": "c'est",
    "mm": "meme", "tkt": "t'inquiete", "wsh": "wesh", "oklm": "tranquille",
    "bz": "baise", "bzr": "baiser", "nik": "nique", "niker": "niquer", "niké": "nique",
    "tmort": "t'es mort", "fou": "fous", "slt": "salut", "bjr": "bonjour",
    "stp": "s'il te plait", "svp": "s'il vous plait", "dm": "message prive", "mp": "message prive",
    "nude": "nudes", "u": "you", "ur": "your", "r": "are", "kys": "kill yourself",
    "vtf": "va te faire foutre", "vtff": "va te faire foutre", "batar": "batard",
    "salop": "salope", "sal": "sale",
}

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "€": "e", "!": "i"})
# A word starting with a letter that mixes letters and leet digits ("c0nn4rd", "j3"); words
# starting with a digit are numbers or ordinals ("14e", "3eme", "2nde") and stay as they are.
_LEET_WORD = re.compile(r"\b(?=[a-z@$])(?=[\w@$€!]*[013457@$€!])[\w@$€!]{2,}\b")
_REPEATS = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[\w'](?:[\w'-]*[\w'])?|[^\w\s]")
# Letters separated by dots or spaces ("c.o.n.n.a.r.d", "s a l o p e") are joined.
_SPACED_LETTERS = re.compile(r"\b(?:\w[.\-_ ]){3,}\w\b")


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _map_emojis(text: str) -> str:
    for emoji, words in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, words)
    return text


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    # Numbers, phone numbers and dates stay as they are: only mixed letter/digit words change.
    if word.isdigit():
        return word
    return word.translate(_LEET)


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[.\-_ ]", "", match.group(0))


def normalize(text: str) -> str:
    """The canonical form of ``text`` used by every feature and rule."""
    text = unicodedata.normalize("NFKC", text)[:5000]
    text = _map_emojis(text).lower().replace("’", "'").replace("`", "'")
    text = fold_accents(text)
    text = _LEET_WORD.sub(_unleet, text)
    text = _SPACED_LETTERS.sub(_join_spaced, text)
    text = _REPEATS.sub(r"\1", text)
    tokens = [CHAT_WORDS.get(tok, tok) for tok in _TOKEN.findall(text)]
    joined = " ".join(tokens).replace(" ' ", "'").replace(" '", "'")
    return _SPACES.sub(" ", joined).strip()

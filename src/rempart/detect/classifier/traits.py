"""The trait targeted by an identity-hate message, from words that name it (normalised text)."""

from __future__ import annotations

import re

_TRAIT_WORDS: dict[str, str] = {
    "origin": r"arabes?|noirs?|negres?|negresses?|renois?|bougnoules?|bicots?|rebeus?|beurs?|"
              r"chinetoques?|chintoks?|niakoues?|roms?|gitans?|romanos|migrants?|immigres?|"
              r"etrangers?|africains?|blacks?|nigg\w*|negro|singes?|bamboulas?|"
              r"retourne dans ton pays|sale race",
    "religion": r"musulmans?|musulmanes?|islam\w*|voilees?|voile|juifs?|juives?|feujs?|youpins?|"
                r"chretiens?|cathos?|terroristes?|mosquees?|synagogues?|kippa|coran",
    "gender": r"femmes? au foyer|retourne a la cuisine|les meufs|les filles c'est|sexe faible|"
              r"feministes?|feminazi\w*",
    "sexual_orientation": r"pedes?|pd|gays?|gouines?|tarlouzes?|tapettes?|lesbiennes?|"
                          r"homos?|tafioles?|fiottes?|travelos?|trans|faggots?|fags?|dykes?",
    "disability": r"mongols?|mongoliens?|gogols?|triso\w*|handicapes?|autistes?|debiles?|"
                  r"attardes?|retard\w*|tetraplegiques?|sourds?|aveugles?",
    "appearance": r"gros|grosses?|obeses?|baleines?|vaches?|boudins?|moches?|laids?|laides?|"
                  r"boutonneux|boutonneuse|nains?|naines?|thons?|cachalots?|fat|ugly",
}
_PATTERNS = {trait: re.compile(rf"\b(?:{words})\b") for trait, words in _TRAIT_WORDS.items()}


def targeted_traits(normalised: str) -> list[str]:
    """Traits named in the text, in a fixed order."""
    return [trait for trait, pattern in _PATTERNS.items() if pattern.search(normalised)]

"""The text rule shared by every input (issue 12.1): no control characters.

NUL and the other C0/C1 control characters (and lone surrogates, which no UTF-8 text can hold)
are refused in every text field: PostgreSQL cannot store NUL in a text column, terminals and
documents misread the others. Multi-line fields (descriptions, messages, notes) may hold tab,
line feed and carriage return; single-line fields (codes, e-mails, handles, links) may not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

MULTILINE_ALLOWED = frozenset("\t\n\r")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


class ControlCharacters(ValueError):
    """A text field holds a control character; ``str()`` names the field and the character."""


def first_control_character(value: str, multiline: bool = False) -> str | None:
    """The first refused character of ``value``, or None."""
    for char in value:
        if unicodedata.category(char) in _REFUSED_CATEGORIES and not (
                multiline and char in MULTILINE_ALLOWED):
            return char
    return None


def problem(field: str, value: str, multiline: bool = False) -> str | None:
    """The reason ``value`` is refused in ``field``, or None."""
    char = first_control_character(value, multiline)
    if char is None:
        return None
    return (f"{field}: control characters are not allowed (U+{ord(char):04X}"
            f"{'' if multiline else '; nor line breaks or tabs here'})")


def check(fields: Mapping[str, str | Iterable[str] | None],
          multiline: Iterable[str] = ()) -> None:
    """Raise ControlCharacters for the first field (a string or a list of strings) that holds a
    refused character; ``multiline`` names the fields where tab and line breaks are allowed."""
    several_lines = frozenset(multiline)
    for field, value in fields.items():
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        for item in values:
            reason = problem(field, item, field in several_lines)
            if reason:
                raise ControlCharacters(reason)

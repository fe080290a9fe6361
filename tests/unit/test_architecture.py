"""Layer rules that import-linter cannot see (issue 10's "Done when"), checked on the source.

- no ``uow.session`` outside ``store/``: services and handlers go through repositories;
- ``create_engine`` only in ``store/``: the application has one engine (``bootstrap.build``);
- no if/elif on signal type names outside the signal type modules (``detect/signal_types/``).

``KNOWN`` lists the offenders left while their owners move them (a ratchet: a new offender
fails, and so does an entry that no longer offends, so the list only shrinks).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "rempart"
SIGNAL_NAMES = r"""["'](?:pdq|vpdq|md5|video_md5)["']"""
RULES = {
    "uow.session": (re.compile(r"\buow\.session\b"), ("store",)),
    "create_engine": (re.compile(r"\bcreate_engine\b"), ("store",)),
    "if on a signal type name": (
        re.compile(rf"^\s*(?:if|elif)\b.*(?:{SIGNAL_NAMES}|SignalType\.[A-Z_]+)"
                   rf"|\b(?:==|!=|in)\s*\(?\s*{SIGNAL_NAMES}"),
        ("detect/signal_types",)),
}
KNOWN: dict[str, set[str]] = {
    "uow.session": set(),
    "create_engine": set(),
    "if on a signal type name": set(),
}


def offenders(rule: str) -> set[str]:
    pattern, allowed = RULES[rule]
    found = set()
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(allowed):
            continue
        if any(pattern.search(line) for line in path.read_text(encoding="utf-8").splitlines()):
            found.add(relative)
    return found


@pytest.mark.parametrize("rule", sorted(RULES))
def test_no_new_module_breaks_the_rule(rule):
    assert offenders(rule) - KNOWN[rule] == set()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_list_of_known_offenders_only_shrinks(rule):
    assert KNOWN[rule] - offenders(rule) == set(), "fixed: remove it from KNOWN"


def test_the_patterns_catch_what_they_are_meant_to():
    pattern = RULES["if on a signal type name"][0]
    for line in ('    if kind == "pdq":', '        elif signal_type is SignalType.PDQ:',
                 'x = 1 if name in ("vpdq", "md5") else 2'):
        assert pattern.search(line), line
    assert not pattern.search('    signal_type: str = Field(examples=["pdq"])')
    assert RULES["uow.session"][0].search("custody_log.add(uow.session, leaf)")

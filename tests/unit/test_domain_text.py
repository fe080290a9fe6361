"""The control-character rule of every text field (issue 12.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rempart.domain import text


def test_it_refuses_nul_and_names_the_field_and_character():
    with pytest.raises(text.ControlCharacters, match=r"description: .*U\+0000"):
        text.check({"description": "Il m'a écrit\x00 hier"}, multiline=["description"])


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\ud800"])
def test_it_refuses_every_control_character_and_lone_surrogates(char):
    assert text.problem("body", f"a{char}b", multiline=True)


def test_multi_line_fields_keep_tabs_and_line_breaks_single_line_fields_do_not():
    assert text.problem("description", "ligne 1\r\nligne 2\tfin", multiline=True) is None
    assert text.problem("contact", "a@b.fr\n", multiline=False)


def test_it_checks_every_entry_of_a_list_and_skips_absent_fields():
    text.check({"contact": None, "urls": ["https://a.fr", "https://b.fr"]})
    with pytest.raises(text.ControlCharacters, match="author handles"):
        text.check({"author handles": ["@ok", "@bad\x01"]})


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_ordinary_text_in_any_script_and_emoji_passes(value):
    assert text.problem("description", value) is None

"""Keyed blind index terms (issue 12.2): normalisation, prefixes, and keys that matter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rempart.security import blind_index as bi

KEY, OTHER = b"k" * 32, b"o" * 32


def test_handles_links_and_words_are_normalised_the_same_way_for_index_and_query():
    terms = bi.case_terms(KEY, "Elle MENACE Gaëlle", ["@Luc_du_93"],
                          ["https://www.TikTok.com/@x/video/42/#top"])
    for query in ("luc_du_93", "@LUC_DU_93", "luc_du", "tiktok.com/@x", "TIKTOK.COM",
                  "http://tiktok.com/@x/video/42/", "gaelle", "menace"):
        assert bi.query_terms(KEY, query) & terms, query
    for query in ("lu", "tiktok.com/@y", "gaell", "luc_du_94"):
        assert not bi.query_terms(KEY, query) & terms, query


def test_the_digests_depend_on_the_key_and_the_kind_and_reveal_nothing_in_clear():
    assert bi.digest(KEY, bi.WORD, "luc") != bi.digest(OTHER, bi.WORD, "luc")
    assert bi.digest(KEY, bi.WORD, "luc") != bi.digest(KEY, bi.HANDLE, "luc")
    assert len(bi.digest(KEY, bi.URL, "x")) == bi.DIGEST_BYTES
    assert not bi.query_terms(OTHER, "luc") & bi.case_terms(KEY, "", ["@luc"], [])


@given(st.text(min_size=1, max_size=40))
def test_any_word_of_a_description_finds_it(text):
    terms = bi.case_terms(KEY, text, [], [])
    for word in bi.words(text):
        assert bi.query_terms(KEY, word) & terms

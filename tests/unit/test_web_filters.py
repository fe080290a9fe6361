"""The reporter's pages' filters: Paris time and French dates (Babel), sizes in Ko/Mo, one-tap
helpline links, the tu/vous register, the QR code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rempart.web import i18n
from rempart.web.pages import common


@pytest.fixture
def french():
    token = i18n.set_language("fr")
    yield
    i18n.reset_language(token)


@pytest.fixture
def english():
    token = i18n.set_language("en")
    yield
    i18n.reset_language(token)


def test_sizes_in_o_ko_mo_go_with_a_french_decimal_comma(french):
    assert common._filesize(0) == "0\u00a0o"
    assert common._filesize(500) == "500\u00a0o"
    assert common._filesize(1536) == "1,5\u00a0Ko"
    assert common._filesize(50 * 1024 * 1024) == "50\u00a0Mo"
    assert common._filesize(3 * 1024 ** 3 + 1024 ** 3 // 4) == "3,2\u00a0Go"


def test_sizes_in_english(english):
    assert common._filesize(1536) == "1.5\u00a0KB"
    assert common._filesize(200 * 1024 * 1024) == "200\u00a0MB"


def test_times_are_read_in_paris_in_winter_and_summer(french):
    assert common._localdatetime(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == \
        "2 décembre 2026 à 00:30"
    assert common._localdatetime(datetime(2026, 7, 14, 12, 5)) == "14 juillet 2026 à 14:05"
    assert common._localdate(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1 janvier 2027"
    assert common._localdate(date(2026, 3, 1)) == "1 mars 2026"
    assert common._localdate(None) == common._localdatetime(None) == ""


def test_times_in_english(english):
    assert common._localdatetime(datetime(2026, 7, 14, 12, 5, tzinfo=UTC)) == \
        "14 July 2026, 14:05"


def test_the_register_picks_the_tu_form_and_falls_back_to_vous(french):
    message = "What you can do now"
    assert common.in_register("tu", message) == "Ce que tu peux faire maintenant"
    assert common.in_register("vous", message) == "Ce que vous pouvez faire maintenant"
    assert common.in_register("tu", "Report received") == common.in_register(
        "vous", "Report received")  # no tu form: the plain translation
    answer = common.in_register(
        "tu", "A member of our team reads your report and answers in your case within "
        "%(delay)s at the latest. Come back with your code and passphrase to read the answer.",
        delay="48 heures")
    assert "te répond dans ton dossier sous 48 heures" in answer and "Reviens" in answer


def test_the_qr_code_is_inline_svg_named_without_the_secret():
    svg = str(common.qr_svg("RMP-ABCD-EFGH\nélève forêt", 'QR "code"'))
    assert svg.startswith('<svg role="img" aria-label="QR &#34;code&#34;" class="qr" ')
    assert "<path" in svg and "forêt" not in svg and "style=" not in svg and "<script" not in svg


def test_helpline_numbers_become_one_tap_links():
    assert common.templates.env.filters["dial"]("01 23 45 67 89") == "tel:0123456789"
    assert common.templates.env.filters["dial"]("114", "sms") == "sms:114"

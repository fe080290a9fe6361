from __future__ import annotations

from datetime import date

from rempart.domain import timeline as t


def test_lines_are_merged_oldest_first_and_repeats_dropped():
    chat = t.chat_lines([t.ChatMessage("2026-03-12T14:05:00", "Max", "je vais te retrouver"),
                         t.ChatMessage("2026-03-12T14:02:00", "Max", "t'es nulle"),
                         t.ChatMessage(None, "Max", "sans date")], "export.txt", "fr")
    reporter = t.reporter_lines(date(2026, 3, 1), date(2026, 3, 12), "fr")
    merged = t.chronology(reporter, chat, chat)
    assert [line.at[:16] for line in merged] == [
        "2026-03-01", "2026-03-12", "2026-03-12T14:02", "2026-03-12T14:05"]
    assert not any("sans date" in line.text for line in merged)
    assert t.when_text("2026-03-12T14:05:00+01:00") == "2026-03-12 14:05"


def test_a_long_export_gives_its_first_and_last_messages_and_counts_the_rest():
    messages = [t.ChatMessage(f"2026-03-{day:02d}", "A", f"message {day}") for day in range(1, 31)]
    lines = t.chat_lines(messages, "chat.zip", "en")
    assert len(lines) == t.MAX_PER_SOURCE + 1
    assert lines[0].text == "A: message 1" and lines[-1].text == "A: message 30"
    assert "18 more dated messages" in lines[t.MAX_PER_SOURCE // 2].text


def test_a_same_day_start_and_end_is_one_line_and_bad_dates_are_dropped():
    assert len(t.reporter_lines(date(2026, 1, 2), date(2026, 1, 2), "en")) == 1
    assert t.photo_line("not a date", "a.jpg", "fr") == []
    assert t.photo_line("2026:03:12 10:00:00", "a.jpg", "fr") == []


def test_an_email_is_dated_by_its_date_header_in_paris_time():
    [line] = t.email_line("Thu, 12 Mar 2026 21:14:05 +0000", "Max <max@example.org>",
                          "t'es mort", "mail.eml (pièce 2)", "fr", "email:x")
    assert line.at == "2026-03-12T22:14"  # winter time: UTC+1
    assert line.text == "E-mail envoyé par Max <max@example.org> : « t'es mort »"
    [iso] = t.email_line("2026-03-12T14:02:00+01:00", "Max", "x", "s", "fr", "k")
    assert iso.at == "2026-03-12T14:02"
    [summer] = t.email_line("Mon, 13 Jul 2026 08:00:00 -0000", "", "", "s", "en", "k")
    assert summer.at == "2026-07-13T10:00" and summer.text.startswith("E-mail sent by ?")
    for broken in ("", None, "hier soir", "Thu, 99 Zzz 2026 25:99:00 +0000",
                   "Mon, 1 Jan 1970 00:00:00 +0000"):
        assert t.email_line(broken, "a", "b", "s", "fr", "k") == [], broken

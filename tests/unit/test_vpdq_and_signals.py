"""Signal parsing, the vPDQ match rule, and import/export round trips."""

from __future__ import annotations

import io
import random

import pytest

from rempart.detect import bank_files, signal_types
from rempart.detect.banks import BankError
from rempart.detect.signals import InvalidSignal, VpdqFrame, parse_vpdq
from rempart.detect.vpdq_match import VpdqIndex


def frames(seed: int, count: int, quality: int = 90) -> list[VpdqFrame]:
    rng = random.Random(seed)
    return [VpdqFrame(f"{rng.getrandbits(256):064x}", quality, float(i)) for i in range(count)]


def shifted(frame: VpdqFrame, bits: int) -> VpdqFrame:
    return VpdqFrame(f"{int(frame.pdq, 16) ^ ((1 << bits) - 1):064x}", frame.quality,
                     frame.timestamp)


def test_it_normalises_and_rejects_hashes():
    pdq = signal_types.get(" PDQ")
    assert pdq.normalise(" " + "AB" * 32 + "\n") == "ab" * 32
    for bad in ("ab" * 31, "zz" * 32, ""):
        with pytest.raises(InvalidSignal):
            pdq.normalise(bad)
    with pytest.raises(InvalidSignal, match="pdq, vpdq, video_md5"):
        signal_types.get("sha1")
    with pytest.raises(InvalidSignal):
        parse_vpdq("ab" * 32 + ",90")


def test_it_matches_a_video_when_80_percent_of_query_frames_match():
    video = frames(1, 10)
    index = VpdqIndex()
    index.add(7, video)
    eight_of_ten = [shifted(f, 31) for f in video[:8]] + frames(2, 2)
    seven_of_ten = [shifted(f, 31) for f in video[:7]] + frames(3, 3)
    (m,) = index.match(eight_of_ten)
    assert (m.entry_id, m.query_share, m.bank_share) == (7, 0.8, 0.8)
    assert index.match(seven_of_ten) == []
    assert index.match([shifted(f, 32) for f in video]) == []


def test_it_ignores_low_quality_frames_and_withdrawn_videos():
    index = VpdqIndex()
    index.add(1, frames(4, 5))
    assert index.match(frames(4, 5, quality=10)) == []
    index.withdraw(1)
    assert index.match(frames(4, 5)) == []


@pytest.mark.parametrize("fmt", bank_files.FORMATS)
def test_export_then_import_round_trips(fmt):
    from rempart.store.bank_tables import BankEntry

    entries = [BankEntry(signal_type="pdq", hash="ab" * 32, case_reference="NC-1",
                         content_id="x,y", quality=80, provenance="p"),
               BankEntry(signal_type="video_md5", hash="cd" * 16, case_reference="NC-2",
                         content_id="", quality=None, provenance="")]
    text = "".join(bank_files.write_entries(entries, fmt, "bank"))
    back = bank_files.read_entries(io.StringIO(text), fmt)
    assert [(b.signal_type, b.hash) for b in back] == [("pdq", "ab" * 32), ("video_md5", "cd" * 16)]
    if fmt != "txt":
        assert [(b.case_reference, b.content_id, b.quality) for b in back] == [
            ("NC-1", "x,y", 80), ("NC-2", "", None)]


def test_it_rejects_broken_import_files():
    with pytest.raises(BankError):
        bank_files.read_entries(io.StringIO("{oops"), "json")
    with pytest.raises(BankError):
        bank_files.read_entries(io.StringIO("a,b\n1,2\n"), "csv")
    with pytest.raises(BankError):
        bank_files.read_entries(io.StringIO("pdq\n"), "txt")

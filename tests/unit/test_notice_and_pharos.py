"""DSA notice PDF and PHAROS fields built from a case file."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from rempart.documents.casefile import CaseFile, Exhibit
from rempart.documents.notice import draft_from_case, render_notice
from rempart.documents.pharos import pharos_fields, pharos_text
from rempart.domain.notices import NoticeError, Notifier

SHA = "a" * 64


def _case(**changes) -> CaseFile:
    values = dict(
        code="RMP-AAAA-BBBB", created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        kinds=("intimate_images",), description="Une photo intime publiée sans mon accord.",
        platforms=("Instagram", "X"),
        urls=("https://www.instagram.com/p/xyz/", "https://x.com/someone/status/1"),
        author_handles=("@ex",),
        exhibits=(Exhibit(1, "post.png", "image/png", 1000, SHA,
                          dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),),
    )
    values.update(changes)
    return CaseFile(**values)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


NOTIFIER = Notifier(name="Camille Martin", email="camille@example.org")


def test_the_notice_keeps_only_the_platforms_urls():
    draft = draft_from_case(_case(), "Instagram", NOTIFIER, "Image intime.", ("226-2-1",))
    assert draft.urls == ("https://www.instagram.com/p/xyz/",)
    assert draft.evidence_hashes == (SHA,)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_the_notice_pdf_holds_the_four_elements(tmp_path):
    draft = draft_from_case(_case(), "Instagram", NOTIFIER,
                            "Diffusion d'une image à caractère sexuel sans consentement.",
                            ("Code pénal, art. 226-2-1",))
    text = _pdf_text(render_notice(draft), tmp_path)
    for needle in ("article 16", "a) Motifs", "b) Emplacement", "https://www.instagram.com/p/xyz/",
                   "Camille Martin", "camille@example.org", "d) Déclaration de bonne foi",
                   "STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"):
        assert needle in text, needle


def test_a_notice_without_notifier_is_refused_unless_exempt():
    draft = draft_from_case(_case(), "Instagram", None, "Image intime.", ())
    with pytest.raises(NoticeError):
        render_notice(draft)
    minor = draft_from_case(_case(victim_is_minor=True), "Instagram", None, "Image.", ())
    assert render_notice(minor).startswith(b"%PDF")


def test_pharos_fields_follow_the_form():
    fields = pharos_fields(_case(victim_is_minor=True))
    assert fields[0].value.startswith("https://www.instagram.com")
    assert fields[1].value.startswith("Atteinte aux mineurs")
    assert fields[-1].value == "RMP-AAAA-BBBB"


def test_pharos_text_reminds_it_is_for_public_content():
    assert "contenus publics uniquement" in pharos_text(_case())
    assert "public content only" in pharos_text(_case(), "en")

"""The complaint letter: rendered to PDF, read back as text (pdftotext) and as images (pdftoppm)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from rempart.documents.casefile import CaseFile, Exhibit, OffenceLine, Person, TimelineEntry
from rempart.documents.complaint import ComplaintParties, render_complaint

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _case(**changes) -> CaseFile:
    values = dict(
        code="RMP-7K3D-Q9XA",
        created_at=dt.datetime(2026, 11, 2, 18, 30, tzinfo=dt.UTC),
        kinds=("insults", "group_harassment"),
        description="Depuis la rentrée, des élèves publient des moqueries sur ma fille.",
        platforms=("Snapchat", "TikTok"),
        urls=("https://www.tiktok.com/@x/video/123",),
        incident_dates="septembre à novembre 2026",
        victim_is_minor=True,
        exhibits=(Exhibit(1, "capture1.png", "image/png", 204_800, SHA,
                          dt.datetime(2026, 11, 2, 18, 31, tzinfo=dt.UTC), leaf_index=41),),
        offences=(OffenceLine("Code pénal, art. 222-33-2-2", "Harcèlement moral en ligne",
                              "3 ans d'emprisonnement et 45 000 € d'amende",
                              "1 an / 15 000 € ; + en ligne ; + victime de moins de 15 ans"),),
        timeline=(TimelineEntry("2026-09-12", "Premier message insultant"),),
    )
    values.update(changes)
    return CaseFile(**values)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "plainte.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, timeout=60)
    return " ".join(out.stdout.decode().split())


def test_it_writes_a_complaint_against_x_for_a_minor(tmp_path):
    parties = ComplaintParties(complainant=Person(full_name="Claire Dubois"),
                               minor=Person(full_name="Léa Dubois", birth_date="3 mars 2013"),
                               representative_role="mère", court_city="Lyon", place="Lyon")
    text = _text(render_complaint(_case(), parties, today=dt.date(2026, 11, 28)), tmp_path)
    assert "Procureur de la République" in text
    assert "contre X" in text
    assert "Agissant en qualité de mère" in text
    assert "Léa Dubois" in text
    assert "222-33-2-2" in text and "45 000 €" in text
    assert SHA in text.replace(" ", "") and "entrée n° 41" in text
    assert "28 novembre 2026" in text
    assert "pas un conseil juridique" in text


def test_it_names_the_accounts_when_authors_are_known(tmp_path):
    case = _case(author_handles=("@moqueur", "@raid2026"), victim_is_minor=False)
    text = _text(render_complaint(case, ComplaintParties(complainant=Person())), tmp_path)
    assert "contre les utilisateurs des comptes @moqueur, @raid2026" in text
    assert "contre X" not in text
    assert "_____" in text  # blanks to fill in by hand when the identity was not typed


def test_it_writes_the_english_letter(tmp_path):
    text = _text(render_complaint(_case(), ComplaintParties(complainant=Person()), "en"), tmp_path)
    assert "persons unknown (contre X)" in text
    assert "not legal advice" in text


def _added_offence_lines(language: str) -> tuple[OffenceLine, ...]:
    """The offences added for the classifier's labels, as services.legal writes them."""
    from rempart.domain.offences import OFFENCES
    from rempart.domain.qualification import Facts, suggest

    facts = Facts(labels=frozenset({"sexual"}), kinds=frozenset({"threats", "intimate_images"}),
                  threat_with_demand=True, repeated=True, victim_age=13)
    lines = [OffenceLine(s.offence.article, s.offence.title(language),
                         s.penalty.describe(language), s.derivation(language))
             for s in suggest(facts)]
    for offence_id in ("24-loi-1881", "R625-8-1"):
        offence = OFFENCES[offence_id]
        lines.append(OffenceLine(offence.article, offence.title(language),
                                 offence.base.describe(language)))
    return tuple(lines)


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["Harcèlement sexuel", "Chantage", "mineur de 15 ans", "loi du 29 juillet 1881",
            "Injure non publique à caractère raciste", "amende de 1 500 €",
            "+ sextorsion en ligne → 7 ans / 100 000 €"]),
    ("en", ["Sexual harassment", "Blackmail", "child under 15", "loi du 29 juillet 1881",
            "Private racist or discriminatory insult", "a fine of 1 500 €",
            "+ online sextortion → 7 years / 100 000 €"]),
])
def test_it_writes_the_offences_added_for_the_classifier(tmp_path, language, expected):
    case = _case(offences=_added_offence_lines(language))
    pdf = render_complaint(case, ComplaintParties(complainant=Person()), language)
    text = _text(pdf, tmp_path).replace("\u202f", " ")
    for article in ("222-33", "312-10", "227-22-1", "article 24", "R625-8-1"):
        assert article in text
    for phrase in expected:
        assert phrase in text


def test_the_pages_render_as_images(tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm missing")
    path = tmp_path / "plainte.pdf"
    path.write_bytes(render_complaint(_case(), ComplaintParties(complainant=Person())))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)


def test_it_asks_for_the_suspension_of_the_authors_accounts_when_the_law_allows(tmp_path):
    harassment = OffenceLine("article 222-33-2-3 du Code pénal", "Harcèlement scolaire",
                             "3 ans / 45 000 €", account_suspension=True)
    case = _case(offences=(harassment,))
    text = _text(render_complaint(case, ComplaintParties(complainant=Person())), tmp_path)
    assert "Je demande en outre que soit prononcée" in text and "131-35-1" in text
    english = _text(render_complaint(case, ComplaintParties(complainant=Person()), "en"),
                    tmp_path)
    assert "I further ask" in english and "131-35-1" in english


def test_it_asks_for_no_suspension_for_a_private_insult(tmp_path):
    insult = OffenceLine("article R621-2 du Code pénal", "Injure non publique", "amende de 38 €")
    text = _text(render_complaint(_case(offences=(insult,)),
                                  ComplaintParties(complainant=Person())), tmp_path)
    assert "131-35-1" not in text


def test_the_requests_read_well():
    from rempart.documents.complaint import requests
    from rempart.documents.text import TEXTS

    case = _case(offences=(OffenceLine("a", "b", "c", account_suspension=True),))
    for language in ("fr", "en"):
        (text,) = requests(case, TEXTS[language])
        assert text.endswith(").") and "  " not in text and " de le " not in text

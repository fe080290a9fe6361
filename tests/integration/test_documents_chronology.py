""""Chronologie des faits" in the complaint letter and the evidence report (issue 14.4, first
step), on SQLite and PostgreSQL: the reporter's dates and a WhatsApp export's dated messages,
each line with its exhibit."""

from __future__ import annotations

import io
from datetime import date

import pytest

from rempart.documents.casefile import Person
from rempart.documents.complaint import ComplaintParties
from rempart.domain.cases import CaseKind
from rempart.domain.facts import ReportFacts
from rempart.services import documents, reporting
from rempart.services.cases import NewReport
from rempart.services.uploads import Upload
from tests import evidence_samples as samples
from tests.integration.foundation_support import build, fast_argon2, pdf_text  # noqa: F401


@pytest.fixture
def app(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    built = build(tmp_path, migrated_url, jobs_immediate=True)
    yield built
    built.dispose()


def test_the_letter_and_the_report_tell_the_facts_in_order_with_their_exhibit(app, tmp_path):
    report = NewReport(description="Il m'insulte tous les soirs.", kinds=[CaseKind.THREATS])
    uploads = [Upload("export.txt", None, io.BytesIO(samples.WHATSAPP_TXT.encode()))]
    submitted = reporting.file_report(app, report, uploads)
    facts = ReportFacts(started_on=date(2026, 3, 1), last_on=date(2026, 3, 12))
    letter = pdf_text(documents.complaint(app, submitted.case_id, documents.REPORTER,
                                       ComplaintParties(complainant=Person()), facts=facts),
                   tmp_path)
    start = letter.index("2026-03-01 — Début des faits")
    threat = letter.index("2026-03-12 14:05 — Max : je vais te retrouver")
    assert start < letter.index("2026-03-12 14:02 — Max : t'es vraiment nulle") < threat
    assert "[export.txt (pièce 1)]" in letter
    english = pdf_text(documents.evidence_report(app, submitted.case_id, documents.REPORTER,
                                              language="en"), tmp_path)
    assert "Max: je vais te retrouver" in english and "(exhibit 1)" in english


def test_without_dates_the_chronology_invents_none(app, tmp_path):
    report = NewReport(description="Des insultes.", kinds=[CaseKind.INSULTS])
    submitted = reporting.file_report(app, report, [])
    letter = pdf_text(documents.complaint(app, submitted.case_id, documents.REPORTER,
                                       ComplaintParties(complainant=Person())), tmp_path)
    assert "Début des faits" not in letter and "Derniers faits connus" not in letter

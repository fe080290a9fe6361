"""Reading the report form into the service's NewReport."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from rempart.domain.cases import CaseKind, ReporterRole
from rempart.domain.facts import ReportFacts
from rempart.web import i18n
from rempart.web.pages.forms import ReportForm


def _form(**fields: object) -> ReportForm:
    items: list[tuple[str, str]] = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        items += [(name, str(v)) for v in values]
    return ReportForm.from_form(FormData(items))


def test_it_turns_lines_into_lists_and_the_answers_into_facts():
    report = _form(description="texte", kinds=["threats", "insults"],
                   platforms=["Instagram", "Myspace"], urls="https://a.example/1\n\n https://b/2 ",
                   author_handles="@un\n@deux", started_on="2026-11-01", last_on="2026-11-20",
                   victim_is_minor="1", reporter_role="adult").to_report()
    assert report.kinds == (CaseKind.THREATS, CaseKind.INSULTS)
    assert report.platforms == ("Instagram",)  # only the listed platforms; others in "other"
    assert report.urls == ("https://a.example/1", "https://b/2")
    assert report.author_handles == ("@un", "@deux")
    assert report.facts.started_on == date(2026, 11, 1)
    assert report.facts.last_on == date(2026, 11, 20)
    assert report.victim_is_minor and report.reporter_role == ReporterRole.ADULT


def test_it_lists_every_problem_in_the_reporters_language():
    token = i18n.set_language("en")
    try:
        problems = _form(description=" ", kinds=["nope"], reporter_role="boss").problems()
    finally:
        i18n.reset_language(token)
    assert problems == {"description": "Describe what happened in the first field.",
                        "kinds": "Unknown kind of harassment.",
                        "reporter_role": "Choose who you are."}


def test_the_answers_become_facts_and_je_ne_sais_pas_stays_unknown():
    report = _form(description="x", kinds="insults", school="yes", public="no", repeated="",
                   victim_age="13", authors="10", approximately=" depuis la rentrée ").to_report()
    assert report.facts == ReportFacts(school=True, public=False, victim_age=13, authors=10,
                                       approximately="depuis la rentrée")


def test_unreadable_answers_are_reported_next_to_their_field():
    token = i18n.set_language("en")
    try:
        problems = _form(description="x", kinds="insults", victim_age="treize", authors="0",
                         started_on="32/13/2026", school="peut-être",
                         urls="https://ok.example\nftp://no").problems()
    finally:
        i18n.reset_language(token)
    assert set(problems) == {"victim_age", "authors", "started_on", "school", "urls"}
    assert "ftp://no" in problems["urls"]


def test_stored_facts_fill_the_form_again():
    from rempart.web.pages.fact_questions import FactsForm

    again = FactsForm.from_facts(ReportFacts(school=False, authors=4, victim_age=16,
                                             started_on=date(2026, 9, 1)))
    assert again.answer("school") == "no" and again.answer("repeated") == ""
    assert (again.authors, again.victim_age, again.started_on) == ("2", "16", "2026-09-01")
    assert again.to_facts() == ReportFacts(school=False, authors=2, victim_age=16,
                                           started_on=date(2026, 9, 1))


def test_empty_optional_fields_become_none():
    report = _form(description="x", kinds="other").to_report()
    assert report.contact is None and report.other_platform is None
    assert report.incident_dates is None and report.reporter_role == ReporterRole.VICTIM
    assert report.facts == ReportFacts()

"""Reading the report form into the service's NewReport."""

from __future__ import annotations

from starlette.datastructures import FormData

from rempart.domain.cases import CaseKind, ReporterRole
from rempart.web import i18n
from rempart.web.pages.forms import ReportForm


def _form(**fields: object) -> ReportForm:
    items: list[tuple[str, str]] = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        items += [(name, str(v)) for v in values]
    return ReportForm.from_form(FormData(items))


def test_it_turns_lines_into_lists_and_dates_into_one_range():
    report = _form(description="texte", kinds=["threats", "insults"],
                   platforms=["Instagram", "Myspace"], urls="https://a.example/1\n\n https://b/2 ",
                   author_handles="@un\n@deux", started_on="2026-11-01", last_on="2026-11-20",
                   victim_is_minor="1", reporter_role="adult").to_report()
    assert report.kinds == [CaseKind.THREATS, CaseKind.INSULTS]
    assert report.platforms == ["Instagram"]  # only the listed platforms; others go in "other"
    assert report.urls == ["https://a.example/1", "https://b/2"]
    assert report.author_handles == ["@un", "@deux"]
    assert report.incident_dates == "2026-11-01 → 2026-11-20"
    assert report.victim_is_minor and report.reporter_role == ReporterRole.ADULT


def test_it_lists_every_problem_in_the_reporters_language():
    token = i18n.set_language("en")
    try:
        problems = _form(description=" ", kinds=["nope"], reporter_role="boss").problems()
    finally:
        i18n.reset_language(token)
    assert problems == ["Describe what happened in the first field.",
                        "Unknown kind of harassment.", "Choose who you are."]


def test_empty_optional_fields_become_none():
    report = _form(description="x", kinds="other").to_report()
    assert report.contact is None and report.other_platform is None
    assert report.incident_dates is None and report.reporter_role == ReporterRole.VICTIM

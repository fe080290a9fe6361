import pytest

from rempart.domain.cases import (
    MAX_DESCRIPTION_CHARS,
    CaseKind,
    InvalidReportFields,
    ReporterRole,
    ReportFields,
    validate_message,
    validate_report,
)


def fields(**overrides):
    base = dict(description="Il publie mes photos", kinds=(CaseKind.INTIMATE_IMAGES,))
    base.update(overrides)
    return ReportFields(**base)


def test_it_trims_and_deduplicates():
    cleaned = validate_report(fields(description="  texte  ", platforms=(" tiktok", "tiktok", ""),
                                     kinds=(CaseKind.THREATS, CaseKind.THREATS),
                                     contact="   ", reporter_role=ReporterRole.WITNESS))
    assert cleaned.description == "texte"
    assert cleaned.platforms == ("tiktok",)
    assert cleaned.kinds == (CaseKind.THREATS,)
    assert cleaned.contact is None
    assert cleaned.reporter_role is ReporterRole.WITNESS


@pytest.mark.parametrize("overrides, reason", [
    ({"description": "   "}, "describe what happened"),
    ({"description": "x" * (MAX_DESCRIPTION_CHARS + 1)}, "too long"),
    ({"kinds": ()}, "at least one kind"),
    ({"urls": ("javascript:alert(1)",)}, "not a web link"),
    ({"urls": tuple(f"https://x.fr/{i}" for i in range(51))}, "too many links"),
    ({"other_platform": "p" * 501}, "too long"),
])
def test_it_refuses_bad_reports_with_a_reason(overrides, reason):
    with pytest.raises(InvalidReportFields, match=reason):
        validate_report(fields(**overrides))


def test_it_accepts_web_links():
    assert validate_report(fields(urls=("https://www.tiktok.com/@x/video/1",))).urls


def test_it_refuses_empty_or_huge_messages():
    assert validate_message("  salut ") == "salut"
    with pytest.raises(InvalidReportFields):
        validate_message(" \n ")
    with pytest.raises(InvalidReportFields):
        validate_message("x" * 10_001)


def test_every_kind_has_one_name_in_french_and_in_english():
    from rempart.domain.cases import KIND_LABELS, kind_label

    assert set(KIND_LABELS) == set(CaseKind)
    assert kind_label(CaseKind.INSULTS, "fr") == "Insultes, moqueries"
    assert kind_label("insults", "en") == "Insults, mockery"
    assert kind_label("not-a-kind", "fr") == "not-a-kind"

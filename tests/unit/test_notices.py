"""DSA Article 16 notices: classification in the Transparency Database taxonomy and validation."""

from __future__ import annotations

import pytest

from rempart.domain.notices import (
    GOOD_FAITH_STATEMENT,
    Classification,
    NoticeDraft,
    NoticeError,
    Notifier,
    as_json,
    classify,
    validate,
)


def _draft(**changes) -> NoticeDraft:
    values = dict(
        platform="Instagram",
        urls=("https://www.instagram.com/p/abc123/",),
        explanation="Diffusion d'une image intime sans consentement.",
        legal_grounds=("Code pénal, art. 226-2-1",),
        classification=classify(["intimate_images"], victim_is_minor=False),
        notifier=Notifier(name="Camille Martin", email="camille@example.org"),
    )
    values.update(changes)
    return NoticeDraft(**values)


def test_it_files_intimate_images_under_cyber_violence():
    assert classify(["intimate_images"], victim_is_minor=False) == Classification(
        "STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",))


def test_it_files_a_minors_intimate_images_as_child_sexual_abuse_material():
    result = classify(["insults", "intimate_images"], victim_is_minor=True)
    assert result.category == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert result.keywords == ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",)


def test_it_keeps_the_keywords_of_the_chosen_category_only():
    result = classify(["identity_theft", "threats", "insults"], victim_is_minor=False)
    assert result.category == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert result.keywords == ("KEYWORD_CYBER_BULLYING_INTIMIDATION", "KEYWORD_CYBER_HARASSMENT")


def test_it_falls_back_to_harassment_for_unknown_or_no_kinds():
    assert classify([], victim_is_minor=False).keywords == ("KEYWORD_CYBER_HARASSMENT",)
    assert classify(["something-new"], False).category == "STATEMENT_CATEGORY_CYBER_VIOLENCE"


def test_a_complete_notice_has_the_four_elements():
    data = as_json(_draft())
    assert data["explanation"] and data["urls"] and data["notifier"]["email"]
    assert data["good_faith_statement"] == GOOD_FAITH_STATEMENT["fr"]
    assert data["source_type"] == "SOURCE_ARTICLE_16"


@pytest.mark.parametrize("changes, element", [
    ({"explanation": "  "}, "16(2)(a)"),
    ({"urls": ()}, "16(2)(b)"),
    ({"urls": ("javascript:alert(1)",)}, "16(2)(b)"),
    ({"urls": ("instagram.com/p/abc",)}, "16(2)(b)"),
    ({"notifier": None}, "16(2)(c)"),
    ({"notifier": Notifier(name="Camille", email="pas-un-email")}, "16(2)(c)"),
])
def test_it_refuses_a_notice_missing_an_element(changes, element):
    with pytest.raises(NoticeError, match=element.replace("(", r"\(").replace(")", r"\)")):
        validate(_draft(**changes))


def test_child_sexual_abuse_notices_need_no_notifier_identity():
    draft = _draft(classification=classify(["intimate_images"], victim_is_minor=True),
                   notifier=None)
    assert draft.notifier_exempt
    assert as_json(draft)["notifier"] is None


def test_trusted_flaggers_are_marked_as_such():
    notifier = Notifier(name="Association X", email="signalement@asso.example",
                        trusted_flagger=True)
    assert as_json(_draft(notifier=notifier))["source_type"] == "SOURCE_TRUSTED_FLAGGER"


def test_the_english_notice_carries_the_english_statement():
    assert as_json(_draft(language="en"))["good_faith_statement"].startswith("I declare")

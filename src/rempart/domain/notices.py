"""Notices to hosting services under Article 16 of the Digital Services Act (Regulation 2022/2065).

Article 16(2) makes a notice "sufficiently precise and adequately substantiated" when it holds:
(a) why the notifier considers the content illegal, (b) the exact electronic location (URLs),
(c) the notifier's name and e-mail address, except for offences under Articles 3 to 7 of
Directive 2011/93/EU (child sexual abuse material), and (d) a statement of good faith.
Categories and keywords are those of the DSA Transparency Database (statement of reasons schema,
version 2 of the taxonomy), so platforms can file their decision under the same heading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

GOOD_FAITH_STATEMENT = {
    "fr": "Je déclare de bonne foi que les informations et allégations contenues dans la présente "
          "notification sont exactes et complètes (article 16, paragraphe 2, point d, du "
          "règlement (UE) 2022/2065).",
    "en": "I declare in good faith that the information and allegations contained in this notice "
          "are accurate and complete (Article 16(2)(d) of Regulation (EU) 2022/2065).",
}

CYBER_VIOLENCE = "STATEMENT_CATEGORY_CYBER_VIOLENCE"
PROTECTION_OF_MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
PRIVACY = "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
SPEECH = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
SCAMS = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"

# Case kind -> (category, keyword) in the Transparency Database taxonomy (v2).
_KIND_CLASSIFICATION: dict[str, tuple[str, str]] = {
    "insults": (CYBER_VIOLENCE, "KEYWORD_CYBER_BULLYING_INTIMIDATION"),
    "threats": (CYBER_VIOLENCE, "KEYWORD_CYBER_HARASSMENT"),
    "intimate_images": (CYBER_VIOLENCE, "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"),
    "deepfake": (CYBER_VIOLENCE, "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"),
    "personal_info_exposure": (CYBER_VIOLENCE, "KEYWORD_CYBER_STALKING"),
    "identity_theft": (SCAMS, "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"),
    "group_harassment": (CYBER_VIOLENCE, "KEYWORD_CYBER_HARASSMENT"),
    "hate": (SPEECH, "KEYWORD_HATE_SPEECH"),
    "defamation": (SPEECH, "KEYWORD_DEFAMATION"),
    "other": (CYBER_VIOLENCE, "KEYWORD_CYBER_HARASSMENT"),
}
# Sexual images of a minor are child sexual abuse material whatever the other facts.
_MINOR_IMAGES = (PROTECTION_OF_MINORS, "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL")


class NoticeError(ValueError):
    """A notice that Article 16 would not consider sufficiently precise."""


@dataclass(frozen=True)
class Classification:
    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Notifier:
    name: str
    email: str
    organisation: str = ""
    trusted_flagger: bool = False  # Article 22 status granted by a Digital Services Coordinator


@dataclass(frozen=True)
class NoticeDraft:
    platform: str
    urls: tuple[str, ...]
    explanation: str
    legal_grounds: tuple[str, ...]  # e.g. "Code pénal, art. 226-2-1"
    classification: Classification
    notifier: Notifier | None
    language: str = "fr"
    case_reference: str = ""
    evidence_hashes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def good_faith_statement(self) -> str:
        return GOOD_FAITH_STATEMENT[self.language]

    @property
    def notifier_exempt(self) -> bool:
        """Art. 16(2)(c): no name or e-mail is required for child sexual abuse material."""
        return self.classification.keywords == (_MINOR_IMAGES[1],)


def classify(kinds: Iterable[str], victim_is_minor: bool) -> Classification:
    """Transparency Database category and keywords for the kinds of harassment of a case."""
    kinds = list(kinds) or ["other"]
    if victim_is_minor and "intimate_images" in kinds:
        return Classification(_MINOR_IMAGES[0], (_MINOR_IMAGES[1],))
    pairs = [_KIND_CLASSIFICATION.get(kind, _KIND_CLASSIFICATION["other"]) for kind in kinds]
    # The statement of reasons has one category: take the most serious kind's (first listed
    # in the order of _KIND_CLASSIFICATION) and keep the keywords that belong to it.
    order = list(_KIND_CLASSIFICATION.values())
    category = min(pairs, key=order.index)[0]
    keywords = tuple(dict.fromkeys(k for c, k in sorted(pairs, key=order.index) if c == category))
    return Classification(category, keywords)


def validate(draft: NoticeDraft) -> None:
    """Raise NoticeError naming the first missing Article 16(2) element."""
    if not draft.explanation.strip():
        raise NoticeError("Art. 16(2)(a): the reasons why the content is illegal are missing")
    if not draft.urls:
        raise NoticeError("Art. 16(2)(b): the exact URL of the content is missing")
    for url in draft.urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise NoticeError(f"Art. 16(2)(b): not an exact URL: {url!r}")
    if not draft.notifier_exempt:
        if draft.notifier is None or not draft.notifier.name.strip():
            raise NoticeError("Art. 16(2)(c): the notifier's name is missing")
        if "@" not in draft.notifier.email:
            raise NoticeError("Art. 16(2)(c): the notifier's e-mail address is missing")
    if draft.language not in GOOD_FAITH_STATEMENT:
        raise NoticeError(f"unsupported language: {draft.language}")


def as_json(draft: NoticeDraft) -> dict[str, object]:
    """The notice as a JSON-ready mapping (for platforms' notice APIs and archives)."""
    validate(draft)
    notifier = None if draft.notifier is None or draft.notifier_exempt else {
        "name": draft.notifier.name, "email": draft.notifier.email,
        "organisation": draft.notifier.organisation,
    }
    source = "SOURCE_TRUSTED_FLAGGER" if draft.notifier and draft.notifier.trusted_flagger \
        else "SOURCE_ARTICLE_16"
    return {
        "legal_basis": "Regulation (EU) 2022/2065, Article 16",
        "platform": draft.platform,
        "source_type": source,
        "urls": list(draft.urls),
        "explanation": draft.explanation,
        "legal_grounds": list(draft.legal_grounds),
        "category": draft.classification.category,
        "keywords": list(draft.classification.keywords),
        "notifier": notifier,
        "good_faith_statement": draft.good_faith_statement,
        "case_reference": draft.case_reference,
        "evidence_sha256": list(draft.evidence_hashes),
        "language": draft.language,
    }

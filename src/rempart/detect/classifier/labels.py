"""Label names, targeted traits, and the offences of the Code pénal each label may qualify."""

from __future__ import annotations

MODEL_LABELS: tuple[str, ...] = ("insult", "threat", "denigration", "identity_hate", "sexual",
                                 "doxxing", "self_harm_incitement")
# Decided by rules only (no data set annotates them): blackmail with intimate images, and an
# adult's approach of a child (photo requests, secrecy, secret meetings).
RULE_ONLY_LABELS: tuple[str, ...] = ("sextortion", "grooming")
NEUTRAL = "neutral"
ALL_LABELS: tuple[str, ...] = (*MODEL_LABELS, *RULE_ONLY_LABELS, NEUTRAL)
TRAITS: tuple[str, ...] = ("origin", "religion", "gender", "sexual_orientation", "disability",
                           "appearance")

# Article ids of the legal knowledge base (keys of rempart.domain.offences.OFFENCES), kept as
# strings so the classifier and its training need not load the base; tests/unit/test_offences.py
# fails when one of them is missing from it. Each label lists the offences a message with it may
# qualify; the lawyer or responder decides.
LABEL_OFFENCES: dict[str, tuple[str, ...]] = {
    "insult": ("R621-2", "33-loi-1881"),             # injure non publique / publique
    "threat": ("222-17", "222-18"),                  # menace de crime ou délit, sous condition
    "denigration": ("222-33-2-2",),                  # harcèlement moral (propos répétés)
    "identity_hate": ("33-loi-1881", "24-loi-1881", "R625-8-1"),  # injure / provocation à la haine
    "sexual": ("222-33", "312-10", "227-22-1", "226-2-1"),  # harcèlement sexuel, chantage,
    # propositions sexuelles à un mineur de 15 ans, diffusion d'images intimes
    "doxxing": ("223-1-1",),                         # mise en danger par divulgation d'infos
    "self_harm_incitement": ("223-13", "222-33-2-2"),  # provocation au suicide, harcèlement
    "sextortion": ("312-10", "226-2-1"),             # chantage, diffusion d'images intimes
    "grooming": ("227-22-1",),                       # propositions sexuelles à un mineur de 15 ans
    "neutral": (),
}


def offences_for(labels: set[str] | list[str]) -> list[str]:
    """Offence ids for the labels, in label order, without duplicates."""
    result: list[str] = []
    for label in ALL_LABELS:
        if label not in labels:
            continue
        for offence in LABEL_OFFENCES[label]:
            if offence not in result:
                result.append(offence)
    return result


# What each label is called in the reader's language (the staff pages, the API, the letter).
LABEL_NAMES: dict[str, tuple[str, str]] = {
    "insult": ("insulte", "insult"),
    "threat": ("menace", "threat"),
    "denigration": ("dénigrement, humiliation", "denigration, humiliation"),
    "identity_hate": ("propos haineux (origine, religion, sexe, orientation, handicap…)",
                      "hate speech (origin, religion, sex, orientation, disability…)"),
    "sexual": ("contenu ou demande sexuelle", "sexual content or request"),
    "doxxing": ("exposition d'informations personnelles", "exposure of personal information"),
    "self_harm_incitement": ("incitation au suicide ou à se faire du mal",
                             "incitement to suicide or self-harm"),
    "sextortion": ("chantage aux images intimes (sextorsion)",
                   "sextortion (intimate-image blackmail)"),
    "grooming": ("approche d'un mineur (pédopiégeage)", "grooming of a minor"),
    "neutral": ("rien de préoccupant", "nothing of concern"),
}
# Why a label was given, in one line: which rule matched, or the model's score.
REASONS: dict[str, tuple[str, str]] = {
    "model": ("le modèle le reconnaît (score {score})", "the model recognises it (score {score})"),
    "threat_words": ("formulation de menace (« je vais te… », « t'es mort »)",
                     "threatening wording (\"I'll…\", \"you're dead\")"),
    "group_threat": ("menace ou appel à la violence contre un groupe",
                     "threat or call to violence against a group"),
    "wished_harm": ("souhait de mort ou de violence envers quelqu'un",
                    "death or violence wished on someone"),
    "veiled_threat": ("menace voilée (« tu finiras… », « je connais ton adresse »)",
                      "veiled threat (\"you'll end up…\", \"I know your address\")"),
    "conditional_threat": ("menace sous condition ou ordre (« fais ça ou… », « sinon… »)",
                           "conditional threat or order (\"do it or…\", \"otherwise…\")"),
    "reported_threat": ("la personne rapporte une menace reçue",
                        "the person reports a threat made to them"),
    "sextortion": ("menace de diffuser des images, avec une condition ou une demande",
                   "threat to share pictures, with a condition or a demand"),
    "grooming_age_photo": ("demande de photo ou de rendez-vous avec une question sur l'âge",
                           "request for a photo or a meeting with a question about age"),
    "grooming_mature": ("flatterie sur la maturité d'un enfant", "flattery of a child's maturity"),
    "grooming_body_photo": ("demande de photo du corps", "request for a body photo"),
    "grooming_secrecy": ("demande de secret envers les parents ou d'effacer les messages",
                         "asks to keep it secret from parents or to delete messages"),
    "insult_words": ("insulte courante", "common insult"),
    "slur_or_group": ("insulte ou propos dégradants visant un groupe protégé",
                      "slur or degrading words about a protected group"),
    "insult_with_trait": ("insulte qui vise l'origine, la religion, le sexe, l'orientation ou "
                          "le handicap", "insult aimed at origin, religion, sex, orientation or "
                          "disability"),
    "self_harm_words": ("formulation qui pousse au suicide ou à se blesser",
                        "wording that pushes to suicide or self-harm"),
    "personal_data": ("coordonnées personnelles exposées (adresse, téléphone, école…)",
                      "personal details exposed (address, phone, school…)"),
    "sexual_words": ("demande ou contenu sexuel explicite", "explicit sexual request or content"),
    "approval": ("approuve le message agressif qui précède", "approves the aggressive message "
                 "before it"),
}


def label_name(label: str, language: str = "fr") -> str:
    french, english = LABEL_NAMES.get(label, (label, label))
    return english if language == "en" else french


def reason_text(reason: str, language: str = "fr", score: float | None = None) -> str:
    french, english = REASONS.get(reason, REASONS["model"])
    text = english if language == "en" else french
    shown = f"{score:.2f}" if score is not None else "?"
    return text.format(score=shown if language == "en" else shown.replace(".", ","))

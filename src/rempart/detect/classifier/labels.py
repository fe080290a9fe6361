"""Label names, targeted traits, and the offences of the Code pénal each label may qualify."""

from __future__ import annotations

MODEL_LABELS: tuple[str, ...] = ("insult", "threat", "denigration", "identity_hate", "sexual",
                                 "doxxing", "self_harm_incitement")
NEUTRAL = "neutral"
ALL_LABELS: tuple[str, ...] = (*MODEL_LABELS, NEUTRAL)
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

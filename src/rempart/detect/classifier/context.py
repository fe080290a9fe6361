"""A conversation classified message by message, each with the messages before it.

Screenshots read by OCR and chat exports give conversations; a message means more with what came
before it:
- blackmail and grooming often span messages ("envoie-moi une photo" … "sinon je la montre"): the
  coercion rules also run on the current message joined to the ones before it, when the current
  message holds the condition or the threat;
- a short approval of an aggression ("grave", "trop vrai", "mdr ouais") joins it: it is labelled
  like the message it approves (the role-play data's "supporters of the bully").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rempart.detect.classifier.coercion import score_coercion
from rempart.detect.classifier.labels import NEUTRAL
from rempart.detect.classifier.model import Classifier, Prediction
from rempart.detect.classifier.normalize import normalize

WINDOW = 2  # messages before the current one that are looked at
_APPROVAL = re.compile(
    r"^(?:mdr+\s+|ptdr+\s+|lol\s+|ah\s+)?(?:grave|trop vrai|trop grave|c'est clair|clairement|"
    r"exactement|carrement|ouais|ouai|oui|ouep|\+1|pareil|bien dit|tellement|jsuis d'accord|"
    r"je suis d'accord|validé|valide|mais grave|avoue|de ouf|vrai)\b")
_CONDITION_HERE = re.compile(r"\b(?:sinon|ou je|ou j'|ou on|si tu|tout le monde (?:va|verra)|"
                             r"je (?:montre|publie|balance|poste|diffuse))\b")
APPROVAL_MAX_WORDS = 12


def predict_conversation(classifier: Classifier, texts: Sequence[str]) -> list[Prediction]:
    """Predictions for each message in order, using up to ``WINDOW`` messages before it."""
    alone = classifier.predict(list(texts))
    out: list[Prediction] = []
    for i, prediction in enumerate(alone):
        before = list(texts[max(0, i - WINDOW):i])
        out.append(_with_context(prediction, before, out[max(0, i - WINDOW):i]))
    return out


def _with_context(prediction: Prediction, before: list[str], previous: list[Prediction]
                  ) -> Prediction:
    labels = [label for label in prediction.labels if label != NEUTRAL]
    reasons = dict(prediction.reasons)
    normalised = normalize(prediction.text)
    if before and _CONDITION_HERE.search(normalised):
        joined = score_coercion(normalize(" . ".join([*before, prediction.text])))
        for label, score, reason in (("sextortion", joined.sextortion, "sextortion"),
                                     ("threat", joined.sextortion, "sextortion"),
                                     ("grooming", joined.grooming, joined.grooming_reason)):
            if score >= 0.5 and label not in labels:
                labels.append(label)
                reasons[label] = reason
    approved = previous[-1] if previous else None
    if (not labels and approved is not None and approved.labels != [NEUTRAL]
            and _APPROVAL.search(normalised) and len(normalised.split()) <= APPROVAL_MAX_WORDS):
        labels = [label for label in approved.labels if label not in ("doxxing", "grooming")]
        reasons.update({label: "approval" for label in labels})
    if not labels:
        return prediction
    return Prediction(prediction.text, labels, prediction.scores, prediction.traits, reasons)

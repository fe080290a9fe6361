"""French and English harassment text classifier that runs offline on a CPU.

``classify(texts)`` gives, per message, the labels (``neutral`` when none applies), a score in
[0, 1] per label and the traits targeted by identity hate. See docs/model-card-classifier.md.
"""

from __future__ import annotations

from rempart.detect.classifier.labels import ALL_LABELS, MODEL_LABELS, offences_for
from rempart.detect.classifier.model import Prediction, default_classifier


def classify(texts: list[str]) -> list[Prediction]:
    return default_classifier().predict(texts)


__all__ = ["ALL_LABELS", "MODEL_LABELS", "Prediction", "classify", "offences_for"]

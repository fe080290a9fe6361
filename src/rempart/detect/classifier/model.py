"""The trained classifier: feature builder, one logistic head per label with its calibrated
threshold, and the rules combined with the model's scores.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from rempart.detect.classifier.features import FeatureBuilder, embed
from rempart.detect.classifier.labels import MODEL_LABELS, NEUTRAL
from rempart.detect.classifier.normalize import normalize
from rempart.detect.classifier.rules import RuleScores, score_rules
from rempart.detect.classifier.traits import targeted_traits

MODEL_PATH = Path(__file__).resolve().parent / "model" / "classifier.joblib"
FORMAT_VERSION = 1
RULE_LABELS = ("insult", "identity_hate", "threat", "sexual", "doxxing",
               "self_harm_incitement")
# A quoted or denounced insult is not an insult: the aggression scores are scaled down.
REPORTED_SPEECH_FACTOR = 0.35
# "je vais te tuer a fifa", "ca me tue": violent words in games and idioms are scaled down.
BANTER_FACTOR = 0.5
BANTER_LABELS = ("threat", "denigration", "insult")
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class Prediction:
    text: str
    labels: list[str]
    scores: dict[str, float]
    traits: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "scores": self.scores, "traits": self.traits}


class Classifier:
    def __init__(self, features: FeatureBuilder, heads: dict[str, Any],
                 thresholds: dict[str, float], metrics: dict[str, Any] | None = None) -> None:
        self.features = features
        self.heads = heads
        self.thresholds = thresholds
        self.metrics = metrics or {}

    def model_scores(self, texts: list[str], embeddings: np.ndarray | None = None
                     ) -> dict[str, np.ndarray]:
        matrix = self.features.transform(texts, embeddings)
        return {label: head.predict_proba(matrix)[:, 1] for label, head in self.heads.items()}

    def predict(self, texts: list[str], embeddings: np.ndarray | None = None) -> list[Prediction]:
        texts = [t[:MAX_TEXT_CHARS] for t in texts]
        if not texts:
            return []
        if embeddings is None and self.features.use_embedding:
            embeddings = embed(texts)
        raw = self.model_scores(texts, embeddings)
        return [self._combine(text, {label: float(raw[label][i]) for label in raw})
                for i, text in enumerate(texts)]

    def _combine(self, text: str, model: dict[str, float]) -> Prediction:
        normalised = normalize(text)
        rules = score_rules(text, normalised)
        scores = {label: model.get(label, 0.0) for label in MODEL_LABELS}
        for label in RULE_LABELS:
            scores[label] = max(scores[label], getattr(rules, label))
        traits = targeted_traits(normalised)
        for label in ("insult", "denigration"):
            if traits and scores[label] >= self.thresholds[label]:
                # An insult or a humiliation that names a trait is identity hate ("sale arabe").
                scores["identity_hate"] = max(scores["identity_hate"], scores[label])
        if rules.banter:
            scores.update({label: scores[label] * BANTER_FACTOR for label in BANTER_LABELS})
        if rules.reported_speech:
            scores = _scale_reported(scores)
        labels = [label for label in MODEL_LABELS if scores[label] >= self.thresholds[label]]
        scores[NEUTRAL] = 1.0 - max(scores[label] for label in MODEL_LABELS)
        hate_traits = traits if "identity_hate" in labels else []
        return Prediction(text, labels or [NEUTRAL],
                          {k: round(v, 4) for k, v in scores.items()}, hate_traits)


def _scale_reported(scores: dict[str, float]) -> dict[str, float]:
    # Exposed personal data stays exposed even when quoted: doxxing is not scaled.
    return {label: value if label == "doxxing" else value * REPORTED_SPEECH_FACTOR
            for label, value in scores.items()}


def rules_only(text: str) -> RuleScores:
    return score_rules(text, normalize(text))


def save(classifier: Classifier, path: Path = MODEL_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT_VERSION, "features": classifier.features,
               "heads": classifier.heads, "thresholds": classifier.thresholds,
               "metrics": classifier.metrics}
    joblib.dump(payload, path, compress=3)


def load(path: Path = MODEL_PATH) -> Classifier:
    """Load a model file written by ``save`` (a file of this repository: joblib runs pickle)."""
    payload = joblib.load(path)
    if payload.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported classifier model format in {path}")
    return Classifier(payload["features"], payload["heads"], payload["thresholds"],
                      payload.get("metrics"))


@functools.lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    return load(MODEL_PATH)


def load_seconds(path: Path = MODEL_PATH) -> float:
    started = time.perf_counter()
    load(path)
    return time.perf_counter() - started

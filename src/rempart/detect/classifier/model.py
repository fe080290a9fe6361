"""The trained classifier: feature builder, one logistic head per label with its calibrated
threshold, and the rules combined with the model's scores.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from rempart.detect.classifier.coercion import GROUP, CoercionScores, score_coercion
from rempart.detect.classifier.features import FeatureBuilder, embed
from rempart.detect.classifier.labels import (
    MODEL_LABELS,
    NEUTRAL,
    RULE_ONLY_LABELS,
    label_name,
    reason_text,
)
from rempart.detect.classifier.normalize import normalize
from rempart.detect.classifier.rules import RuleScores, score_rules
from rempart.detect.classifier.traits import targeted_traits

MODEL_PATH = Path(__file__).resolve().parent / "model" / "classifier.joblib"
FORMAT_VERSION = 2  # 2 adds the version and the training data digest
RULE_LABELS = ("insult", "identity_hate", "threat", "sexual", "doxxing",
               "self_harm_incitement")
# A quoted or denounced insult is not an insult: the aggression scores are scaled down.
REPORTED_SPEECH_FACTOR = 0.35
# "je vais te tuer a fifa", "ca me tue": violent words in games and idioms are scaled down.
BANTER_FACTOR = 0.5
BANTER_LABELS = ("threat", "denigration", "insult")
# "je ne deteste pas les X", "personne ne va te frapper": a negated aggression is scaled down.
NEGATION_FACTOR = 0.4
NEGATION_LABELS = ("threat", "denigration", "insult", "identity_hate")
# An insult naming one of these traits is identity hate (the hate-speech law's criteria);
# appearance is not one of them: "t'es trop moche" is an insult, not hate speech.
PROTECTED_TRAITS = ("origin", "religion", "gender", "sexual_orientation", "disability")
RULE_ONLY_THRESHOLD = 0.5
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class Prediction:
    text: str
    labels: list[str]
    scores: dict[str, float]
    traits: list[str]
    reasons: dict[str, str] = field(default_factory=dict)  # label -> key of labels.REASONS

    def as_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "scores": self.scores, "traits": self.traits,
                "reasons": self.reasons}

    def explain(self, language: str = "fr") -> list[dict[str, str]]:
        """Each label with its name and a one-line reason, in the reader's language."""
        return [{"label": label, "name": label_name(label, language),
                 "reason": reason_text(self.reasons.get(label, "model"), language,
                                       self.scores.get(label))}
                for label in self.labels if label != NEUTRAL]


class Classifier:
    def __init__(self, features: FeatureBuilder, heads: dict[str, Any],
                 thresholds: dict[str, float], metrics: dict[str, Any] | None = None,
                 version: str = "unversioned", training_digest: str = "") -> None:
        self.features = features
        self.heads = heads
        self.thresholds = thresholds
        self.metrics = metrics or {}
        # Recorded with every stored label, so that a case says which model labelled it.
        self.version = version
        self.training_digest = training_digest  # SHA-256 over the training files

    def describe(self) -> dict[str, Any]:
        """Version, training data digest and the held-out figures, for the API and the card."""
        return {"version": self.version, "training_data_sha256": self.training_digest,
                "held_out": self.metrics.get("held_out", {})}

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

    def _offensive_words(self, normalised: str) -> bool:
        words = set(re.findall(r"[\w'-]+", normalised))
        lexicon = getattr(self.features, "lexicon", {})
        return bool(words & _DEGRADING) or any(w in lexicon for w in words if len(w) > 3)

    def _combine(self, text: str, model: dict[str, float]) -> Prediction:
        normalised = normalize(text)
        rules = score_rules(text, normalised)
        coercion = score_coercion(normalised)
        scores = {label: model.get(label, 0.0) for label in MODEL_LABELS}
        for label in RULE_LABELS:
            scores[label] = max(scores[label], getattr(rules, label))
        traits = targeted_traits(normalised)
        protected = [t for t in traits if t in PROTECTED_TRAITS]
        for label in ("insult", "denigration"):
            if protected and scores[label] >= self.thresholds[label]:
                # An insult or a humiliation that names a trait is identity hate ("sale arabe").
                scores["identity_hate"] = max(scores["identity_hate"], scores[label],
                                              self.thresholds["identity_hate"])
        if group_subject(normalised) and self._offensive_words(normalised):
            # "les X sont des ..." with an offensive or degrading word: hate against the group.
            scores["identity_hate"] = max(scores["identity_hate"], 0.8)
        if rules.banter:
            scores.update({label: scores[label] * BANTER_FACTOR for label in BANTER_LABELS})
        if rules.reported_speech or coercion.quoted:
            scores = _scale_reported(scores)
        if coercion.negated:
            scores.update({label: scores[label] * NEGATION_FACTOR for label in NEGATION_LABELS})
        # Threats and coercion survive the scaling: their rules already leave out negations,
        # counter-speech and quotes, except a threat the victim quotes as made to them.
        coercion_threat = coercion.threat
        if rules.banter and coercion.threat_reason not in ("sextortion", "reported_threat"):
            coercion_threat *= BANTER_FACTOR  # "je te tue des le spawn"
        scores["threat"] = max(scores["threat"], coercion_threat,
                               0.85 if coercion.quoted_threat_to_me else 0.0)
        scores["sextortion"] = coercion.sextortion
        scores["grooming"] = coercion.grooming
        labels = [label for label in MODEL_LABELS if scores[label] >= self.thresholds[label]]
        labels += [label for label in RULE_ONLY_LABELS if scores[label] >= RULE_ONLY_THRESHOLD]
        scores[NEUTRAL] = 1.0 - max(scores[label] for label in (*MODEL_LABELS, *RULE_ONLY_LABELS))
        hate_traits = [t for t in traits if t in PROTECTED_TRAITS] if "identity_hate" in labels \
            else []
        return Prediction(text, labels or [NEUTRAL],
                          {k: round(v, 4) for k, v in scores.items()}, hate_traits,
                          _reasons(labels, model, rules, coercion, self.thresholds))


def group_subject(normalised: str) -> bool:
    """A sentence about a protected group as such ("les X sont...", "les X c'est...")."""
    return bool(_GROUP_SUBJECT.search(normalised))


_GROUP_SUBJECT = re.compile(r"(?:^|[.!?] |\b(?:que|car|parce que|mais|tous|toutes) )"
                            + GROUP + r"\s+(?:\w+\s+){0,2}(?:sont|c'est|ont|savent|coutent|"
                            r"mangent|controlent|restent|seront|font|vivent|devraient|peuvent)\b")
_DEGRADING = frozenset((
    "primitifs", "sales", "sale", "animaux", "singe", "singes", "parasites", "vermine", "legumes",
    "attardes", "debiles", "dealers", "voleurs", "terroristes", "pedophiles", "salopes", "putes",
    "serpilleres", "degenere", "degeneres", "inferieurs", "betes", "stupides", "cons", "chiens",
    "virus", "racailles", "dangers", "menteurs", "hypocrites", "nuls", "dechets", "merde"))


def _reasons(labels: list[str], model: dict[str, float], rules: RuleScores,
             coercion: CoercionScores, thresholds: dict[str, float]) -> dict[str, str]:
    """Why each label was given: the rule that matched, else the model's own score."""
    rule_reasons = {"threat": coercion.threat_reason or ("threat_words" if rules.threat else ""),
                    "sextortion": "sextortion", "grooming": coercion.grooming_reason,
                    "insult": "insult_words" if rules.insult else "",
                    "identity_hate": "slur_or_group" if rules.identity_hate else "",
                    "self_harm_incitement": "self_harm_words" if rules.self_harm_incitement
                    else "", "doxxing": "personal_data" if rules.doxxing >= 0.5 else "",
                    "sexual": "sexual_words" if rules.sexual else ""}
    reasons = {}
    for label in labels:
        reason = rule_reasons.get(label, "")
        if not reason and label == "identity_hate" and model.get(label, 0.0) < thresholds.get(
                label, 1.0):
            reason = "insult_with_trait"
        reasons[label] = reason or "model"
    return reasons


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
               "metrics": classifier.metrics, "version": classifier.version,
               "training_digest": classifier.training_digest}
    joblib.dump(payload, path, compress=3)


def load(path: Path = MODEL_PATH) -> Classifier:
    """Load a model file written by ``save`` (a file of this repository: joblib runs pickle)."""
    payload = joblib.load(path)
    if payload.get("format") not in (1, FORMAT_VERSION):
        raise ValueError(f"unsupported classifier model format in {path}")
    return Classifier(payload["features"], payload["heads"], payload["thresholds"],
                      payload.get("metrics"), payload.get("version", "classifier-1"),
                      payload.get("training_digest", ""))


@functools.lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    return load(MODEL_PATH)


def load_seconds(path: Path = MODEL_PATH) -> float:
    started = time.perf_counter()
    load(path)
    return time.perf_counter() - started

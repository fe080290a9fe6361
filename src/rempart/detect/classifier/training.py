"""Training and evaluation, reproducible from ../shared (fixed folds, fixed seeds).

One grouped 5-fold cross-validation gives out-of-fold scores for every label (from which each
label's threshold is chosen to maximise F1) and the CyberAgressionAdo metrics on held-out
conversations, for the model and for the TF-IDF baseline trained on the same folds. The final
model is then fitted on everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier

from rempart.detect.classifier import data as datasets
from rempart.detect.classifier import evaluation
from rempart.detect.classifier.data import CAA_CLASSES, Example
from rempart.detect.classifier.features import FeatureBuilder, embed
from rempart.detect.classifier.labels import MODEL_LABELS, NEUTRAL
from rempart.detect.classifier.model import Classifier

SEED = 0
FOLDS = 5
DEFAULT_THRESHOLD = 0.5
RULE_FIRST_LABELS = ("sexual", "doxxing", "self_harm_incitement")
# Rules decide these labels (few in-house positives): the model alone must be very sure.
RULE_FIRST_MIN_THRESHOLD = 0.85
# Heads with a weak out-of-fold F1 on data where the label is frequent (CyberAgressionAdo's
# denigration is 16 % of messages) set thresholds far too low for ordinary chat: their threshold
# maximises F0.5 (precision counts double) instead of F1.
# The threat head also over-fired on plans ("on va a la plage dimanche"); the threat rules carry
# recall, so its threshold favours precision too.
PRECISION_FIRST_LABELS = ("threat", "denigration", "identity_hate")
Log = Callable[[str], None]


@dataclass
class TrainingRun:
    classifier: Classifier
    metrics: dict[str, Any]


def _head(c: float = 2.0) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000,
                              random_state=SEED)


def _fit_heads(x: Any, examples: list[Example]) -> dict[str, LogisticRegression]:
    heads = {}
    for label in MODEL_LABELS:
        rows = [i for i, e in enumerate(examples) if e.targets[label] is not None]
        y = np.array([examples[i].targets[label] for i in rows])
        if len(set(y.tolist())) < 2:
            continue
        weights = np.array([examples[i].weight for i in rows])
        heads[label] = _head().fit(x[rows], y, sample_weight=weights)
    return heads


def _caa_head(x: Any, examples: list[Example]) -> OneVsRestClassifier | None:
    rows = [i for i, e in enumerate(examples) if e.caa_class is not None]
    if not rows:
        return None
    y = [examples[i].caa_class for i in rows]
    return OneVsRestClassifier(_head(1.0)).fit(x[rows], y)


def best_threshold(y: np.ndarray, scores: np.ndarray, beta: float = 1.0) -> float:
    """The score threshold with the best F-beta, kept in [0.2, 0.9]."""
    if y.sum() == 0:
        return DEFAULT_THRESHOLD
    precision, recall, thresholds = precision_recall_curve(y, scores)
    b2 = beta * beta
    f1 = (1 + b2) * precision * recall / np.maximum(b2 * precision + recall, 1e-9)
    best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    value = float(thresholds[best]) if len(thresholds) else DEFAULT_THRESHOLD
    return float(min(max(value, 0.2), 0.9))


def cross_validate(examples: list[Example], lexicon: dict[str, str], vectors: np.ndarray,
                   log: Log) -> dict[str, Any]:
    texts = [e.text for e in examples]
    groups = [e.group for e in examples]
    oof = {label: np.full(len(examples), np.nan) for label in MODEL_LABELS}
    caa_pred: dict[str, list[str]] = {"model": [], "baseline": [], "tfidf_only": []}
    caa_true: list[str] = []
    for fold, (train, test) in enumerate(GroupKFold(FOLDS).split(texts, groups=groups)):
        log(f"fold {fold + 1}/{FOLDS}")
        train_ex = [examples[i] for i in train]
        features = FeatureBuilder(lexicon).fit([texts[i] for i in train])
        x_train = features.transform([texts[i] for i in train], vectors[train])
        x_test = features.transform([texts[i] for i in test], vectors[test])
        for label, head in _fit_heads(x_train, train_ex).items():
            oof[label][test] = head.predict_proba(x_test)[:, 1]
        caa_test = [j for j, i in enumerate(test) if examples[i].caa_class is not None]
        if not caa_test:
            continue
        caa_true += [examples[test[j]].caa_class or "" for j in caa_test]
        head = _caa_head(x_train, train_ex)
        caa_pred["model"] += list(head.predict(x_test[caa_test])) if head else []
        caa_pred["tfidf_only"] += _tfidf_only(train_ex, [examples[test[j]] for j in caa_test],
                                              lexicon)
        caa_pred["baseline"] += baseline_predict(train_ex, [examples[test[j]] for j in caa_test])
    return {"oof": oof, "caa_true": caa_true, "caa_pred": caa_pred}


def _tfidf_only(train: list[Example], test: list[Example], lexicon: dict[str, str]) -> list[str]:
    features = FeatureBuilder(lexicon, use_embedding=False).fit([e.text for e in train])
    x = features.transform([e.text for e in train])
    head = _caa_head(x, train)
    return list(head.predict(features.transform([e.text for e in test]))) if head else []


def baseline_predict(train: list[Example], test: list[Example]) -> list[str]:
    """The issue's baseline: character TF-IDF + logistic regression on CyberAgressionAdo only."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = [e for e in train if e.caa_class is not None]
    if not rows:  # a fold without CyberAgressionAdo (tiny test runs)
        return [NEUTRAL] * len(test)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True)
    x = vectorizer.fit_transform([e.text for e in rows])
    head = OneVsRestClassifier(LogisticRegression(C=2.0, class_weight="balanced",
                                                  solver="liblinear", max_iter=2000,
                                                  random_state=SEED))
    head.fit(x, [e.caa_class for e in rows])
    return list(head.predict(vectorizer.transform([e.text for e in test])))


def caa_metrics(true: list[str], predicted: list[str]) -> dict[str, float]:
    aggressive_true = [int(t != "neutral") for t in true]
    aggressive_pred = [int(p != "neutral") for p in predicted]
    return {"macro_f1_5_classes": round(float(f1_score(true, predicted, labels=list(CAA_CLASSES),
                                                       average="macro", zero_division=0)), 4),
            "f1_aggressive_vs_neutral": round(float(f1_score(
                aggressive_true, aggressive_pred, zero_division=0)), 4)}


def thresholds_and_label_f1(examples: list[Example], oof: dict[str, np.ndarray]
                            ) -> tuple[dict[str, float], dict[str, float]]:
    thresholds, label_f1 = {}, {}
    for label in MODEL_LABELS:
        rows = [i for i, e in enumerate(examples)
                if e.targets[label] is not None and not np.isnan(oof[label][i])]
        y = np.array([examples[i].targets[label] for i in rows], dtype=int)
        scores = oof[label][rows]
        beta = 0.5 if label in PRECISION_FIRST_LABELS else 1.0
        thresholds[label] = best_threshold(y, scores, beta)
        if label in RULE_FIRST_LABELS:
            thresholds[label] = max(thresholds[label], RULE_FIRST_MIN_THRESHOLD)
        predicted = scores >= thresholds[label]
        label_f1[label] = round(float(f1_score(y, predicted, zero_division=0)), 4) if rows else 0.0
    return thresholds, label_f1


def functional_metrics(classifier: Classifier) -> dict[str, float]:
    cases = datasets.load_functional()
    predictions = classifier.predict([str(c["text"]) for c in cases])
    hits: dict[str, list[bool]] = {}
    for case, prediction in zip(cases, predictions, strict=True):
        expected = list(case["expect"])  # type: ignore[call-overload]
        if expected == [NEUTRAL]:
            ok = prediction.labels == [NEUTRAL]
        else:
            ok = all(label in prediction.labels for label in expected)
        key = "neutral_kept" if expected == [NEUTRAL] else f"{case['kind']}:{expected[0]}"
        hits.setdefault(key, []).append(ok)
    return {key: round(sum(v) / len(v), 4) for key, v in sorted(hits.items())}


def training_digest(text_dir: Path) -> str:
    """SHA-256 over every training file (shared sets and in-house files), in a fixed order."""
    digest = hashlib.sha256()
    for path in datasets.training_files(text_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def held_out(classifier: Classifier) -> dict[str, Any]:
    """The in-house held-out sets (``evaluation``), message by message and in conversation."""
    from rempart.detect.classifier.context import predict_conversation

    def label(texts: Any) -> list[list[str]]:
        return [p.labels for p in classifier.predict(list(texts))]

    def in_context(texts: Any) -> list[list[str]]:
        return [p.labels for p in predict_conversation(classifier, list(texts))]

    metrics = evaluation.held_out_metrics(label, in_context)
    if (evaluation.EVAL_DIR / evaluation.INDEPENDENT_FILE).exists():
        metrics["independent"] = evaluation.independent(label)
    return metrics


def unseen_topic_metrics(examples: list[Example], lexicon: dict[str, str], vectors: np.ndarray,
                         thresholds: dict[str, float], log: Log) -> dict[str, float]:
    """CyberAgressionAdo's aggressive-vs-neutral F1 of the whole classifier (rules included),
    each topic tested by a model trained without any conversation of that topic."""
    caa = [i for i, e in enumerate(examples) if e.source == "caa"]
    topics = sorted({datasets.topic(examples[i]) for i in caa})
    truth: list[int] = []
    predicted: list[int] = []
    for name in topics:
        log(f"unseen topic: {name}")
        test = [i for i in caa if datasets.topic(examples[i]) == name]
        train_rows = [i for i in range(len(examples)) if i not in set(test)]
        features = FeatureBuilder(lexicon).fit([examples[i].text for i in train_rows])
        x = features.transform([examples[i].text for i in train_rows], vectors[train_rows])
        classifier = Classifier(features, _fit_heads(x, [examples[i] for i in train_rows]),
                                thresholds)
        predictions = classifier.predict([examples[i].text for i in test], vectors[test])
        truth += [int(examples[i].caa_class != NEUTRAL) for i in test]
        predicted += [int(p.labels != [NEUTRAL]) for p in predictions]
    return {"f1_aggressive_vs_neutral_unseen_topic": round(float(f1_score(truth, predicted)), 4),
            "topics": len(topics)}


def baseline_held_out(examples: list[Example]) -> dict[str, Any]:
    """The same held-out sets for the baseline: character TF-IDF + one logistic regression per
    label on the same training examples, without rules, lexicons or embedding."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True, max_features=60000)
    x = vectorizer.fit_transform([e.text for e in examples])
    heads = {}
    for label in MODEL_LABELS:
        rows = [i for i, e in enumerate(examples) if e.targets[label] is not None]
        y = np.array([examples[i].targets[label] for i in rows])
        if len(set(y.tolist())) == 2:
            heads[label] = _head().fit(x[rows], y)

    def predict_labels(texts: Any) -> list[list[str]]:
        matrix = vectorizer.transform(list(texts))
        scores = {name: head.predict_proba(matrix)[:, 1] for name, head in heads.items()}
        return [[name for name in heads if scores[name][i] >= DEFAULT_THRESHOLD] or [NEUTRAL]
                for i in range(matrix.shape[0])]

    metrics = evaluation.held_out_metrics(predict_labels)
    if (evaluation.EVAL_DIR / evaluation.INDEPENDENT_FILE).exists():
        metrics["independent"] = evaluation.independent(predict_labels)
    return metrics


def train(text_dir: Path, log: Log = print, max_per_source: int | None = None) -> TrainingRun:
    examples = datasets.load_all(text_dir, max_per_source)
    held_out_texts = evaluation.eval_texts()
    examples = [e for e in examples if e.text not in held_out_texts]  # never train on them
    lexicon = datasets.load_lexicon(text_dir)
    log(f"{len(examples)} examples; embedding them")
    vectors = embed([e.text for e in examples])
    cv = cross_validate(examples, lexicon, vectors, log)
    thresholds, label_f1 = thresholds_and_label_f1(examples, cv["oof"])
    unseen_topic = unseen_topic_metrics(examples, lexicon, vectors, thresholds, log)
    log("fitting the final model on everything")
    features = FeatureBuilder(lexicon).fit([e.text for e in examples])
    x = features.transform([e.text for e in examples], vectors)
    digest = training_digest(text_dir)
    version = f"classifier-{datetime.now(UTC):%Y%m%d}-{digest[:8]}"
    classifier = Classifier(features, _fit_heads(x, examples), thresholds,
                            version=version, training_digest=digest)
    metrics: dict[str, Any] = {
        "examples": len(examples),
        "caa_held_out_conversations": {
            name: caa_metrics(cv["caa_true"], pred) for name, pred in cv["caa_pred"].items()
            if len(pred) == len(cv["caa_true"]) and pred},
        "caa_unseen_topic": unseen_topic,
        "label_f1_out_of_fold": label_f1,
        "thresholds": {k: round(v, 4) for k, v in thresholds.items()},
    }
    metrics["functional"] = functional_metrics(classifier)
    metrics["held_out"] = held_out(classifier)
    log("baseline on the held-out sets")
    metrics["held_out_baseline"] = baseline_held_out(examples)
    classifier.metrics = metrics
    return TrainingRun(classifier, metrics)

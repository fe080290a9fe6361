"""How far can the 5-class CyberAgressionAdo macro-F1 go? A study of its ceiling.

The issue asks for macro-F1 >= 0.65 on held-out conversations (neutral, insult, threat,
denigration, other aggression). The committed model reaches about 0.51. This script measures,
on the same 5 conversation-grouped folds, what each kind of extra information adds:

- the issue's baseline (character TF-IDF + logistic regression);
- Rempart's message-level features (character and word TF-IDF, lexicons, USE embedding);
- context that a conversation-aware product could see: the speaker's other messages in the
  conversation (mean embedding), the previous message;
- *oracles* that no product can see, taken from the annotations: the speaker's true role
  (bully, victim, supporter, conciliator) and the annotators' sentiment label. They bound
  what any amount of speaker context could give.
- the agreement of labels between messages whose normalised text is identical: the share of
  such messages that carry their text's majority label (a text-only model cannot beat it on them).

It prints a table and writes ``benchmarks/results/classifier_ceiling.json``.

    nice -n 10 .venv/bin/python benchmarks/study_classifier_ceiling.py
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier

from rempart.detect.classifier import data as datasets
from rempart.detect.classifier.features import FeatureBuilder, embed
from rempart.detect.classifier.normalize import normalize
from rempart.detect.classifier.training import FOLDS, SEED, baseline_predict

ROOT = Path(__file__).resolve().parents[1]
SHARED_TEXT = ROOT.parent / "shared" / "data" / "text"
RESULTS = ROOT / "benchmarks" / "results" / "classifier_ceiling.json"
CLASSES = list(datasets.CAA_CLASSES)
ROLES = ("bully", "bully_support", "victim", "victim_support", "conciliator")
SENTIMENTS = ("NEG", "NEU", "POS")


def _rows() -> list[dict[str, str]]:
    with (SHARED_TEXT / datasets.CAA_FILE).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def speaker_key(row: dict[str, str]) -> str:
    """Conversation + first name of the speaker. Names carry role suffixes ("Adrien-Harceleur",
    "SilviaVictime"); only the first name is kept, and only to group a speaker's messages."""
    name = row["speaker"].strip("<>@ ")
    first = re.split(r"[-_ ]|(?<=[a-z])(?=[A-Z])|\d", name)[0].lower()
    return f"{row['conversation']}/{first}"


def _one_hot(values: list[str], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[float(v.strip() == n) for n in names] for v in values], dtype=np.float32)


def _mean_of_others(vectors: np.ndarray, keys: list[str]) -> np.ndarray:
    members: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[key].append(i)
    out = np.zeros_like(vectors)
    for i, key in enumerate(keys):
        others = [j for j in members[key] if j != i]
        if others:
            out[i] = vectors[others].mean(axis=0)
    return out


def _previous(vectors: np.ndarray, conversations: list[str]) -> np.ndarray:
    out = np.zeros_like(vectors)
    for i in range(1, len(conversations)):
        if conversations[i - 1] == conversations[i]:
            out[i] = vectors[i - 1]
    return out


def _head() -> OneVsRestClassifier:
    return OneVsRestClassifier(LogisticRegression(C=1.0, class_weight="balanced",
                                                  solver="liblinear", max_iter=2000,
                                                  random_state=SEED))


def label_agreement(texts: list[str], labels: list[str]) -> dict[str, float]:
    groups: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        groups[normalize(text).strip()].append(label)
    repeated = [g for g in groups.values() if len(g) > 1]
    messages = sum(len(g) for g in repeated)
    majority = sum(Counter(g).most_common(1)[0][1] for g in repeated)
    return {"repeated_texts": len(repeated), "messages": messages,
            "majority_label_share": round(majority / messages, 3)}


def run() -> dict[str, object]:
    rows = _rows()
    examples = datasets.load_caa(SHARED_TEXT)
    texts = [e.text for e in examples]
    truth = np.array([e.caa_class for e in examples])
    conversations = [r["conversation"] for r in rows]
    lexicon = datasets.load_lexicon(SHARED_TEXT)
    vectors = embed(texts)
    extras: dict[str, np.ndarray | None] = {
        "message features (Rempart's)": None,
        "+ speaker's other messages": _mean_of_others(vectors, [speaker_key(r) for r in rows]),
        "+ previous message": _previous(vectors, conversations),
        "oracle: + true speaker role": 2 * _one_hot([r["role"] for r in rows], ROLES),
        "oracle: + role and annotated sentiment": 2 * np.hstack([
            _one_hot([r["role"] for r in rows], ROLES),
            _one_hot([r["sentiment"] for r in rows], SENTIMENTS)]),
    }
    folds = list(GroupKFold(FOLDS).split(texts, groups=conversations))
    predictions = {name: np.empty(len(texts), dtype=object)
                   for name in ["baseline (char TF-IDF + LR)", *extras]}
    for train, test in folds:
        predictions["baseline (char TF-IDF + LR)"][test] = baseline_predict(
            [examples[i] for i in train], [examples[i] for i in test])
        features = FeatureBuilder(lexicon).fit([texts[i] for i in train])
        x_train = features.transform([texts[i] for i in train], vectors[train])
        x_test = features.transform([texts[i] for i in test], vectors[test])
        for name, extra in extras.items():
            predictions[name][test] = _fit_predict(x_train, x_test, truth[train], extra,
                                                   train, test)
    table = {name: round(float(f1_score(truth, predicted, labels=CLASSES, average="macro")), 4)
             for name, predicted in predictions.items()}
    return {"macro_f1_5_classes": table, "target": 0.65,
            "identical_text_agreement": label_agreement(texts, list(truth))}


def _fit_predict(x_train: sp.csr_matrix, x_test: sp.csr_matrix, y_train: np.ndarray,
                 extra: np.ndarray | None, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    def stack(x: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
        return x if extra is None else sp.hstack([x, sp.csr_matrix(extra[rows])], format="csr")

    head = _head().fit(stack(x_train, train), y_train)
    return np.asarray(head.predict(stack(x_test, test)))


def main() -> None:
    started = time.perf_counter()
    result = run()
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(f"{'CyberAgressionAdo, 5 classes, held-out conversations':<48} macro-F1")
    for name, value in result["macro_f1_5_classes"].items():  # type: ignore[attr-defined]
        print(f"{name:<48} {value:.3f}")
    agreement = result["identical_text_agreement"]
    print(f"identical texts: {agreement['messages']} messages share "  # type: ignore[index]
          f"{agreement['repeated_texts']} texts; "  # type: ignore[index]
          f"{agreement['majority_label_share']:.1%} carry their text's majority label")  # type: ignore[index]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

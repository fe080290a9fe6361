"""Held-out evaluation: the figures the classifier is judged by, on data it was never trained on.

Four in-house sets under ``data/classifier/eval/`` (written for the purpose, marked
``"source": "in-house"``, never read by training: ``data.load_all`` does not look there and
``tests/unit/test_classifier_eval_sets.py`` checks that no text is shared):

- ``functional_hate_fr.jsonl``: functional tests of French hate speech (HateCheck's
  functionalities): **threat recall** (threat cases labelled ``threat``) and **non-hateful kept
  neutral** (counter-speech, quotes, negation, neutral and positive mentions, objects, profanity);
- ``toxic_comments_fr.jsonl``: French web comments, toxic or not: **toxic-vs-not macro-F1**
  (toxic = any label but ``neutral``);
- ``conversations_fr.jsonl``: teen role-play conversations on topics that the training data does
  not have (rumours, gaming, appearance, accent, grades, an ex's blackmail, disability, money):
  **aggressive-vs-neutral F1**, message by message and with the conversation's context;
- ``counsellor_fr.jsonl``: what a counsellor must see first (threats, conditional threats,
  sextortion, self-harm incitement, doxxing, grooming) and what must not trigger (negation,
  quotation, counter-speech, ordinary chat): share of cases right per kind.

The training run adds CyberAgressionAdo's aggressive-vs-neutral F1 with folds grouped by
*scenario* and by *topic* (``training.unseen_conversation_metrics``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from rempart.detect.classifier.labels import NEUTRAL

EVAL_DIR = Path(__file__).resolve().parents[4] / "data" / "classifier" / "eval"
EVAL_FILES = ("functional_hate_fr.jsonl", "toxic_comments_fr.jsonl", "conversations_fr.jsonl",
              "counsellor_fr.jsonl")
# Labels per message, for a list of messages (a conversation's context may be used).
Labeller = Callable[[Sequence[str]], list[list[str]]]


def load(name: str, eval_dir: Path = EVAL_DIR) -> list[dict[str, Any]]:
    with (eval_dir / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


INDEPENDENT_FILE = "independent_fr.jsonl"  # written by an annotator who never saw the rules


def eval_texts(eval_dir: Path = EVAL_DIR) -> set[str]:
    names = [*EVAL_FILES, *([INDEPENDENT_FILE] if (eval_dir / INDEPENDENT_FILE).exists() else [])]
    return {str(row["text"]) for name in names for row in load(name, eval_dir)}


# What each expected category of the independent set must get.
_INDEPENDENT_WANTED: dict[str, tuple[str, ...]] = {
    "threat": ("threat",), "sextortion": ("sextortion", "threat"), "grooming": ("grooming",),
    "self_harm": ("self_harm_incitement",), "hate": ("identity_hate",),
}


def independent(label: Labeller, eval_dir: Path = EVAL_DIR) -> dict[str, float]:
    """Share right per expected category on the annotator's set: the wanted label present
    (any of them), "abusive" and "hate" not neutral, "neutral" kept neutral."""
    rows = load(INDEPENDENT_FILE, eval_dir)
    predicted = label([str(r["text"]) for r in rows])
    hits: dict[str, list[bool]] = {}
    flagged: list[bool] = []
    for row, labels in zip(rows, predicted, strict=True):
        expect = str(row["expect"])
        if expect == "neutral":
            ok = labels == [NEUTRAL]
        elif expect == "abusive":
            ok = labels != [NEUTRAL]
        else:
            ok = any(w in labels for w in _INDEPENDENT_WANTED.get(expect, ()))
            flagged.append(labels != [NEUTRAL])
        hits.setdefault(expect, []).append(ok)
    result = {kind: _share(v) for kind, v in sorted(hits.items())}
    result["serious_flagged_at_all"] = _share(flagged)
    truth = [int(str(r["expect"]) != "neutral") for r in rows]
    guess = [int(p != [NEUTRAL]) for p in predicted]
    result["concern_vs_not_macro_f1"] = round(float(f1_score(truth, guess, average="macro")), 4)
    return result


def _share(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else 0.0


def functional_hate(label: Labeller, eval_dir: Path = EVAL_DIR) -> dict[str, float]:
    rows = load("functional_hate_fr.jsonl", eval_dir)
    predicted = label([str(r["text"]) for r in rows])
    threats = [("threat" in p) for r, p in zip(rows, predicted, strict=True) if r["threat"]]
    neutral = [(p == [NEUTRAL]) for r, p in zip(rows, predicted, strict=True)
               if r["expect_neutral"]]
    hateful = [(p != [NEUTRAL]) for r, p in zip(rows, predicted, strict=True) if r["hateful"]]
    return {"threat_recall": _share(threats), "non_hateful_kept_neutral": _share(neutral),
            "hateful_flagged": _share(hateful)}


def toxic_comments(label: Labeller, eval_dir: Path = EVAL_DIR) -> dict[str, float]:
    rows = load("toxic_comments_fr.jsonl", eval_dir)
    predicted = [int(p != [NEUTRAL]) for p in label([str(r["text"]) for r in rows])]
    truth = [int(bool(r["toxic"])) for r in rows]
    return {"toxic_macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4)}


def conversations(label: Labeller, label_in_context: Labeller | None = None,
                  eval_dir: Path = EVAL_DIR) -> dict[str, float]:
    rows = load("conversations_fr.jsonl", eval_dir)
    truth = [int(bool(r["aggressive"])) for r in rows]
    alone = [int(p != [NEUTRAL]) for p in label([str(r["text"]) for r in rows])]
    result = {"aggressive_f1": round(float(f1_score(truth, alone)), 4)}
    if label_in_context is not None:
        in_context: list[int] = []
        for name in dict.fromkeys(str(r["conversation"]) for r in rows):
            texts = [str(r["text"]) for r in rows if r["conversation"] == name]
            in_context += [int(p != [NEUTRAL]) for p in label_in_context(texts)]
        result["aggressive_f1_in_context"] = round(float(f1_score(truth, in_context)), 4)
    return result


def counsellor(label: Labeller, eval_dir: Path = EVAL_DIR) -> dict[str, float]:
    rows = load("counsellor_fr.jsonl", eval_dir)
    predicted = label([str(r["text"]) for r in rows])
    hits: dict[str, list[bool]] = {}
    for row, labels in zip(rows, predicted, strict=True):
        # "insult|denigration": either will do.
        ok = all(any(a in labels for a in want.split("|")) for want in row["expect"])
        ok = ok and not any(f in labels for f in row["forbid"])
        hits.setdefault(str(row["kind"]), []).append(ok)
    return {kind: _share(v) for kind, v in sorted(hits.items())}


def held_out_metrics(label: Labeller, label_in_context: Labeller | None = None,
                     eval_dir: Path = EVAL_DIR) -> dict[str, Any]:
    return {"functional_hate": functional_hate(label, eval_dir),
            "toxic_comments": toxic_comments(label, eval_dir),
            "conversations": conversations(label, label_in_context, eval_dir),
            "counsellor": counsellor(label, eval_dir)}

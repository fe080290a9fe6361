"""Training data: the shared data sets mapped to Rempart's labels, and the in-house examples.

Each example says, per label, 1, 0 or None (unknown: that data set does not annotate it), so a
label's head is trained only on the examples that annotate it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rempart.detect.classifier.labels import MODEL_LABELS

REPO_DATA = Path(__file__).resolve().parents[4] / "data" / "classifier"
CAA_FILE = "cyberagressionado_large_fr.jsonl"
# The five classes of the CyberAgressionAdo baseline.
CAA_CLASSES: tuple[str, ...] = ("neutral", "insult", "threat", "denigration", "other")
_CAA_VERBAL = {"NCG": "insult", "THR": "threat", "DNG": "denigration", "OTH": "other",
               "BLM": "other"}


@dataclass
class Example:
    text: str
    source: str
    group: str
    targets: dict[str, int | None] = field(default_factory=dict)
    caa_class: str | None = None
    trait: str | None = None
    weight: float = 1.0  # sample weight in training (noisy sources count less)

    @property
    def aggressive(self) -> int | None:
        values = [v for v in self.targets.values() if v is not None]
        if self.caa_class is not None:
            return int(self.caa_class != "neutral")
        return max(values) if values else None


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _unknown() -> dict[str, int | None]:
    return dict.fromkeys(MODEL_LABELS, None)


def _all_zero() -> dict[str, int | None]:
    return {label: 0 for label in MODEL_LABELS}


def caa_class(row: dict[str, Any]) -> str:
    """Majority class: NAG is neutral; otherwise the kind of verbal abuse (NULL -> other)."""
    if row.get("hate") == "NAG":
        return "neutral"
    return _CAA_VERBAL.get(str(row.get("verbal_abuse")), "other")


_REPLAY = re.compile(r"_(?:bis|third|fourth|fifth|re-?do)$", re.IGNORECASE)


def scenario(conversation: str) -> str:
    """The scenario a conversation replays: "scenario_obesity_Paul_bis" -> "scenario_obesity_paul".

    Replays of one scenario share its characters and story, so cross-validation groups by
    scenario: a model tested on a replay of a scenario it was trained on is not tested on an
    unseen conversation.
    """
    return _REPLAY.sub("", conversation).lower()


def topic(example: Example) -> str:
    """CyberAgressionAdo's topic (ethnicity, homophobia, obesity, religion), else the source."""
    if example.source == "caa":
        return example.group.split("_")[1]
    return example.source


def load_caa(text_dir: Path) -> list[Example]:
    examples = []
    for row in _jsonl(text_dir / CAA_FILE):
        cls = caa_class(row)
        targets = _unknown()
        # "Other" aggression (blaming, covert hostility, overt aggression without a named kind)
        # is hostility all the same: it trains the denigration head, which otherwise learnt
        # that 1,786 aggressive messages were not aggressive at all.
        targets.update(insult=int(cls == "insult"), threat=int(cls == "threat"),
                       denigration=int(cls in ("denigration", "other")))
        if cls == "neutral":
            targets = _all_zero()
        examples.append(Example(str(row["text"]), "caa", f"caa:{scenario(row['conversation'])}",
                                targets, caa_class=cls))
    return examples


MLMA_WEIGHT = 0.3
_MLMA_TRAITS = {"origin": "origin", "religion": "religion", "gender": "gender",
                "sexual_orientation": "sexual_orientation", "disability": "disability"}


def load_mlma(text_dir: Path, lang: str) -> list[Example]:
    examples = []
    for i, row in enumerate(_jsonl(text_dir / f"mlma_{lang}.jsonl")):
        kinds = set(str(row["sentiment"]).split("_"))
        targets = _unknown()
        if kinds == {"normal"}:
            targets = _all_zero()
        else:
            targets["identity_hate"] = int("hateful" in kinds)
            targets["insult"] = int(bool(kinds & {"offensive", "abusive"}))
        trait = _MLMA_TRAITS.get(str(row.get("target")))
        # MLMA's "offensive"/"abusive" tags cover most tweets that merely name a group: they are
        # weighted down, or every mention of a group and every tweet-like text becomes an insult.
        examples.append(Example(str(row["tweet"]), f"mlma_{lang}", f"mlma_{lang}:{i % 50}",
                                targets, trait=trait if targets["identity_hate"] else None,
                                weight=MLMA_WEIGHT))
    return examples


def load_jigsaw(text_dir: Path) -> list[Example]:
    examples = []
    for row in _jsonl(text_dir / "toxifrench_jigsaw_subset_fr.jsonl"):
        targets = _all_zero()
        if row.get("toxic") == "1":
            targets.update(denigration=None, sexual=None)
        targets.update(insult=int(row["insult"] == "1"), threat=int(row["threat"] == "1"),
                       identity_hate=int(row["identity_hate"] == "1"))
        examples.append(Example(str(row["content"]), "jigsaw", f"jigsaw:{row['msg_id'][:2]}",
                                targets))
    return examples


def load_inhouse(data_dir: Path = REPO_DATA) -> list[Example]:
    examples = []
    for path in sorted(data_dir.glob("inhouse_*.jsonl")):
        for i, row in enumerate(_jsonl(path)):
            labels = set(row["labels"])
            targets: dict[str, int | None] = {label: int(label in labels)
                                              for label in MODEL_LABELS}
            examples.append(Example(str(row["text"]), "in-house", f"{path.stem}:{i % 5}",
                                    targets))
    return examples


SHARED_FILES = (CAA_FILE, "mlma_fr.jsonl", "mlma_en.jsonl", "toxifrench_jigsaw_subset_fr.jsonl",
                "ldnoobw_fr.txt", "ldnoobw_en.txt", "hurtlex_fr.tsv")


def training_files(text_dir: Path, data_dir: Path = REPO_DATA) -> list[Path]:
    """Every file training reads (the digest of the model is taken over them)."""
    return [text_dir / name for name in SHARED_FILES] + sorted(data_dir.glob("inhouse_*.jsonl"))


def load_all(text_dir: Path, max_per_source: int | None = None) -> list[Example]:
    """Every training example; ``max_per_source`` keeps the first N of each (quick tests)."""
    sources = [load_caa(text_dir), load_mlma(text_dir, "fr"), load_mlma(text_dir, "en"),
               load_jigsaw(text_dir), load_inhouse()]
    if max_per_source is not None:
        sources = [s[:max_per_source] for s in sources]
    return [example for source in sources for example in source]


def load_functional(data_dir: Path = REPO_DATA) -> list[dict[str, Any]]:
    """The held-out functional test set (never trained on)."""
    return list(_jsonl(data_dir / "functional_tests.jsonl"))


def load_lexicon(text_dir: Path) -> dict[str, str]:
    """Offensive words (normalised) to their category: hurtlex categories and ldnoobw."""
    from rempart.detect.classifier.normalize import normalize

    lexicon: dict[str, str] = {}
    for name in ("ldnoobw_fr.txt", "ldnoobw_en.txt"):
        for line in (text_dir / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                lexicon[normalize(line.strip())] = "obscene"
    for line in (text_dir / "hurtlex_fr.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 6 and parts[5] == "conservative":
            lexicon.setdefault(normalize(parts[4]), parts[2])
    return lexicon

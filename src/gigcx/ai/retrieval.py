"""Hybrid retrieval: BM25 over words fused with embedding similarity (reciprocal rank fusion)."""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gigcx.ai import embeddings

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = (
    "a an and are as at be but by can do does for from have how i if in is it me my of on or "
    "our so that the their there this to was we what when where which who why will with you "
    "your"
)
_STOP = frozenset(_STOP_WORDS.split(" "))
RRF_K = 60


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


@dataclass(frozen=True)
class Hit:
    index: int
    score: float
    bm25_rank: int | None
    embedding_rank: int | None


class BM25:
    """Okapi BM25 over a small collection held in memory."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(tokens(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def scores(self, query: str) -> list[float]:
        terms = tokens(query)
        result = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            score = 0.0
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * length / (self.average or 1))
                    score += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            result.append(score)
        return result


def _ranks(scores: Sequence[float], *, keep_zero: bool) -> dict[int, int]:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return {i: rank for rank, i in enumerate(order, 1) if keep_zero or scores[i] > 0}


def search(
    query: str,
    documents: Sequence[str],
    *,
    top: int = 3,
    use_embeddings: bool = True,
    document_vectors: embeddings.Vectors | None = None,
) -> list[Hit]:
    """Return the ``top`` documents for ``query``, best first."""
    if not documents or not query.strip():
        return []
    bm25 = _ranks(BM25(documents).scores(query), keep_zero=False)
    dense: dict[int, int] = {}
    if use_embeddings:
        vectors = document_vectors
        if vectors is None:
            vectors = embeddings.encode(list(documents))
        similarity = vectors @ embeddings.encode([query])[0]
        dense = _ranks([float(s) for s in np.asarray(similarity)], keep_zero=True)
    fused = {
        i: sum(1 / (RRF_K + r[i]) for r in (bm25, dense) if i in r) for i in set(bm25) | set(dense)
    }
    best = sorted(fused, key=lambda i: -fused[i])[:top]
    return [Hit(i, round(fused[i], 5), bm25.get(i), dense.get(i)) for i in best]

"""Similarity of Italian texts: lemmas (simplemma), stop words (stop-words), TF-IDF and cosine (numpy).

Pure code: texts in, scored pairs out.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[a-zàèéìíòóùú]+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from stop_words import get_stop_words

    return frozenset(get_stop_words("italian"))


def lemmas(text: str) -> list[str]:
    """Content lemmas of an Italian text: lower-cased, stop words and very short words dropped."""
    return list(_lemmas(text))


@lru_cache(maxsize=4096)
def _lemmas(text: str) -> tuple[str, ...]:
    # The same few hundred activity and strategy texts come back on every suggestions page: lemmatising
    # them was nearly all of its 1.3 s. Bounded: a report's activities and the plan fit many times over.
    from simplemma import lemmatize

    stop = _stop_words()
    found = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if len(word) < 3 or word in stop:
            continue
        lemma = lemmatize(word, lang="it").lower()
        if len(lemma) >= 3 and lemma not in stop:
            found.append(lemma)
    return tuple(found)


def tfidf(documents: list[list[str]]) -> np.ndarray:
    """Rows of L2-normalised TF-IDF weights (smoothed IDF), one per document."""
    vocabulary: dict[str, int] = {}
    for words in documents:
        for word in words:
            vocabulary.setdefault(word, len(vocabulary))
    matrix = np.zeros((len(documents), max(len(vocabulary), 1)))
    for row, words in enumerate(documents):
        for word in words:
            matrix[row, vocabulary[word]] += 1
    document_frequency = (matrix > 0).sum(axis=0)
    idf = np.log((1 + len(documents)) / (1 + document_frequency)) + 1
    matrix = np.log1p(matrix) * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return matrix / norms


def similarity(queries: list[str], documents: list[str]) -> np.ndarray:
    """Cosine similarity of every query (rows) with every document (columns), one TF-IDF model for both."""
    matrix = tfidf([lemmas(text) for text in queries + documents])
    return matrix[: len(queries)] @ matrix[len(queries) :].T


def rank(queries: list[str], documents: list[str], *, minimum: float = 0.0) -> list[tuple[tuple[int, int], float]]:
    """(query index, document index) pairs with their cosine similarity, best first, above ``minimum``."""
    if not queries or not documents:
        return []
    scores = similarity(queries, documents)
    pairs = np.argwhere(scores > minimum)
    ranked = sorted(((int(q), int(d)), float(scores[q, d])) for q, d in pairs)
    ranked.sort(key=lambda item: -item[1])
    return ranked

"""scikit-learn and the Snowball stemmer, loaded on first use.

Importing scikit-learn takes about a second and 60 MB (the Snowball stemmers, every language's, a tenth of a second),
and a page that only reads a stored analysis never needs them; the analyses that do (lesson similarity, opinion
groups) call these functions, which import them when first called.
This is the one module of the domain that imports inside functions (tests/test_architecture.py lists it).
"""

from __future__ import annotations

import numpy as np

__all__ = ["english_stemmer", "english_stop_words", "kmeans_labels", "silhouette", "tfidf_vectorizer"]


def english_stemmer():
    """Return Snowball's English stemmer (``snowballstemmer.stemmer("english")``)."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def english_stop_words() -> frozenset[str]:
    """Return scikit-learn's English stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def tfidf_vectorizer(**options):
    """Return a scikit-learn ``TfidfVectorizer`` made with ``options``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**options)


def kmeans_labels(points: np.ndarray, k: int, *, n_init: int, seed: int) -> np.ndarray:
    """Return the k-means group of each point (scikit-learn's ``KMeans``, seeded)."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(points)


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Return the mean silhouette of the grouping ``labels`` of ``points``."""
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(points, labels))

"""scikit-learn, SciPy's sparse graphs and k-d trees and the Snowball stemmer, loaded on first use.

Importing scikit-learn takes about a second and 60 MB (SciPy's sparse matrices, graphs and spatial trees 30 MB, the
Snowball stemmers, every language's, a tenth of a second), and a page that only reads a stored analysis never needs
them; the analyses that do (lesson similarity, opinion groups, network metrics and layouts) call these functions,
which import them when first called.
This is the one module of the domain that imports inside functions (tests/test_architecture.py lists it).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "connected_components", "english_stemmer", "snowball_stemmer", "english_stop_words", "kd_tree", "kmeans_labels", "silhouette",
    "sparse", "tfidf_vectorizer",
]  # fmt: skip


def sparse():
    """Return the module ``scipy.sparse`` (its matrices: ``sparse().csr_array``, ``sparse().diags_array``)."""
    from scipy import sparse as module

    return module


def connected_components(matrix, **options):
    """Return ``scipy.sparse.csgraph.connected_components(matrix, **options)``: the count and each node's label."""
    from scipy.sparse import csgraph

    return csgraph.connected_components(matrix, **options)


def kd_tree(points: np.ndarray):
    """Return SciPy's ``cKDTree`` of ``points`` (for ``query_pairs``)."""
    from scipy.spatial import cKDTree

    return cKDTree(points)


def english_stemmer():
    """Return Snowball's English stemmer (``snowballstemmer.stemmer("english")``)."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def snowball_stemmer(algorithm: str):
    """Return Snowball's stemmer of ``algorithm`` (a name in ``snowballstemmer.algorithms()``, e.g. ``"italian"``)."""
    import snowballstemmer

    return snowballstemmer.stemmer(algorithm)


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

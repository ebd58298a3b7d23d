"""The opinion groups' numerics in numpy give what scikit-learn and a full SVD give (issue #18: made faster, unchanged)."""

from __future__ import annotations

import numpy as np
import pytest

from lessons import learn
from lessons.workshops import analysis as wa
from lessons.workshops import grouping


def positions(participants: int, statements: int, camps: int, seen: float, seed: int) -> np.ndarray:
    """The PCA positions of the participants analyse() clusters in a seeded synthetic workshop."""
    matrix, _, _ = wa.synthetic_votes(participants, statements, camps=camps, seen=seen, seed=seed)
    values = matrix.to_numpy(float)
    chosen = grouping._clustered(np.isfinite(values).sum(axis=1), statements)
    return grouping._pca_positions(values[chosen])


def point_sets():
    yield "500 x 200, three camps", positions(500, 200, 3, 0.8, 7)
    yield "120 x 30, four camps, half seen", positions(120, 30, 4, 0.5, 2)
    yield "40 x 12, two camps", positions(40, 12, 2, 0.9, 1)
    yield "15 x 8, no camps", positions(15, 8, 1, 0.7, 3)
    yield "200 x 100, two camps", positions(200, 100, 2, 0.95, 6)
    yield "normal cloud", np.random.default_rng(5).normal(size=(250, 2))
    yield "few distinct points", np.random.default_rng(8).normal(size=(6, 2)).round(1)[np.arange(60) % 6]
    rng = np.random.default_rng(113)  # 13 points on 5 spots: a k=5 run empties a group
    spots = rng.normal(size=(int(rng.integers(3, 12)), 2)).round(1)
    yield "13 points on 5 spots", spots[rng.integers(0, len(spots), int(rng.integers(8, 80)))]


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")  # scikit-learn's, on the repeated points
@pytest.mark.parametrize(("name", "points"), list(point_sets()), ids=[name for name, _ in point_sets()])
def test_kmeans_and_silhouette_match_scikit_learn(name, points):
    distances = grouping._distances(points)
    fallbacks = []
    for k in grouping.K_RANGE:
        theirs = learn.kmeans_labels(points, k, n_init=grouping.N_INIT, seed=7)
        ours = grouping._kmeans(points, k, grouping.N_INIT, 7)
        if ours is None:  # a run emptied a group: the caller asks scikit-learn, which moves a centre
            fallbacks.append(k)
            assert grouping._groups_for_k(points, k, 7).tolist() == theirs.tolist()
            continue
        assert ours.tolist() == theirs.tolist(), f"k={k}"
        assert grouping._silhouette(distances, ours) == pytest.approx(learn.silhouette(points, theirs), abs=1e-12)
    assert fallbacks == ([5] if name == "13 points on 5 spots" else [])


def test_pca_from_the_scatter_matrix_gives_the_svd_positions():
    matrix, _, _ = wa.synthetic_votes(300, 60, camps=3, seen=0.6, seed=4)
    values = matrix.to_numpy(float)
    voted = np.isfinite(values)
    counts = voted.sum(axis=0)
    means = np.nansum(np.where(voted, values, 0.0), axis=0) / np.maximum(counts, 1)
    centred = np.where(voted, values, means) - np.where(voted, values, means).mean(axis=0)
    vt = np.linalg.svd(centred, full_matrices=False)[2][:2]
    vt *= np.where(vt[np.arange(2), np.abs(vt).argmax(axis=1)] < 0, -1, 1)[:, None]
    expected = centred @ vt.T * np.sqrt(len(counts) / voted.sum(axis=1))[:, None]
    assert np.abs(grouping._pca_positions(values) - expected).max() < 1e-9


def test_fewer_participants_than_statements_still_place_everyone():
    matrix, people, texts = wa.synthetic_votes(30, 80, camps=2, seed=9)
    result = wa.analyse(matrix, people, texts)
    assert result["summary"].loc[0, "groups"] == 2
    assert np.isfinite(result["participants"][["x", "y"]].to_numpy()).all()

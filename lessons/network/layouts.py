"""Positions for drawing a network: seeded Fruchterman–Reingold force-directed placement in the unit square."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from lessons import learn
from lessons.network.graph import SEED
from lessons.network.paths import EXACT_LIMIT

#: Up to this many actors every pair repels in the layout; above, only pairs closer than twice the ideal distance.
LAYOUT_DENSE_LIMIT = 500


def _sum_rows(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.stack([np.bincount(index, values[:, 0], n), np.bincount(index, values[:, 1], n)], axis=1)


def layout(G: nx.Graph, seed: int = SEED, *, iterations: int | None = None) -> pd.DataFrame:
    """Positions for drawing ``G``: id, x, y, both in [0, 1], the same for the same graph and seed.

    Fruchterman–Reingold (1991) force-directed placement from seeded random starting points, directions ignored:
    ties pull in proportion to their weight (relative to the mean weight), actors repel. Up to
    :data:`LAYOUT_DENSE_LIMIT` actors every pair repels; above it only pairs closer than twice the ideal distance
    (the paper's grid variant, found with a k-d tree), which keeps 2,000 actors and 10,000 ties near a second;
    100 iterations up to that limit, 60 up to :data:`EXACT_LIMIT` actors, 30 above.
    Both axes share one scale (shapes are not stretched), centred in the unit square.
    To keep positions still while a user switches period or relation, lay out the pilot's whole network once
    (:func:`pilot_layout`) and reuse it.

    >>> a, b = layout(nx.karate_club_graph()), layout(nx.karate_club_graph())
    >>> a.equals(b), bool(a[["x", "y"]].min().min() >= 0), bool(a[["x", "y"]].max().max() <= 1)
    (True, True, True)
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return pd.DataFrame({"id": [], "x": [], "y": []})
    if n == 1:
        return pd.DataFrame({"id": nodes, "x": [0.5], "y": [0.5]})
    dense = n <= LAYOUT_DENSE_LIMIT
    iterations = iterations or (100 if dense else 60 if n <= EXACT_LIMIT else 30)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    position = {v: i for i, v in enumerate(nodes)}
    weights: dict[tuple[int, int], float] = {}
    for u, v, w in G.edges(data="weight", default=1.0):
        a, b = sorted((position[u], position[v]))
        if a != b:
            weights[(a, b)] = weights.get((a, b), 0.0) + float(w)
    if weights:
        pairs = np.array(list(weights), dtype=np.int64)
        tie_a, tie_b = pairs[:, 0], pairs[:, 1]
        strength = np.array(list(weights.values()))
        strength = strength / strength.mean()
    else:
        tie_a = tie_b = np.array([], dtype=np.int64)
        strength = np.array([])
    k = 1 / math.sqrt(n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    if dense:
        rep_a, rep_b = np.triu_indices(n, 1)
    for _ in range(iterations):
        if not dense:
            found = learn.kd_tree(pos).query_pairs(2 * k, output_type="ndarray")
            rep_a, rep_b = found[:, 0], found[:, 1]
        diff = pos[rep_a] - pos[rep_b]
        square = np.maximum((diff**2).sum(axis=1), 1e-9)
        push = diff * (k * k / square)[:, None]
        move = _sum_rows(rep_a, push, n) - _sum_rows(rep_b, push, n)
        diff = pos[tie_a] - pos[tie_b]
        length = np.sqrt((diff**2).sum(axis=1))
        pull = diff * (strength * length / k)[:, None]
        move += _sum_rows(tie_b, pull, n) - _sum_rows(tie_a, pull, n)
        size = np.sqrt((move**2).sum(axis=1))
        size[size < 1e-12] = 1e-12
        pos += move * (np.minimum(size, temperature) / size)[:, None]
        temperature -= cooling
    low, span = pos.min(axis=0), np.ptp(pos, axis=0)
    scale = span.max() if span.max() > 0 else 1.0
    pos = (pos - low) / scale + (1 - span / scale) / 2
    pos = np.clip(pos, 0.0, 1.0)
    return pd.DataFrame({"id": nodes, "x": pos[:, 0], "y": pos[:, 1]})

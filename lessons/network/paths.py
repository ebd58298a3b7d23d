"""Shortest paths for many sources at once: betweenness, closeness and distances.

Brandes' algorithm as sparse matrix products, exact up to :data:`EXACT_LIMIT` actors and estimated from
:data:`SAMPLE_SOURCES` above it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from lessons.network.graph import SEED

if TYPE_CHECKING:  # the matrices' type; SciPy itself is loaded when a network is analysed (lessons.learn)
    from scipy import sparse

#: Above this many actors, betweenness, closeness and path lengths are estimated from sampled sources.
EXACT_LIMIT = 5000
SAMPLE_SOURCES = 1000


def _adjacency(G: nx.Graph, nodes: list) -> sparse.csr_array:
    """0/1 adjacency (row → column), no self-loops; symmetric for undirected graphs."""
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr", dtype=np.float64)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1.0
    return A


@dataclass
class _Paths:
    betweenness: np.ndarray  # sum over the sources of Brandes' dependencies (ordered pairs)
    reach_in: np.ndarray  # how many sources reach each node
    distance_in: np.ndarray  # summed distance from those sources
    source_reach: np.ndarray  # per source: nodes it reaches
    source_distance: np.ndarray  # per source: summed distance to them
    source_eccentricity: np.ndarray  # per source: the farthest distance


def _paths(A: sparse.csr_array, sources: np.ndarray) -> _Paths:
    """Search breadth-first from every source, many at a time as sparse × dense products.

    Brandes' dependency accumulation runs on the way back (unweighted shortest paths).
    """
    n = A.shape[0]
    AT = A.T.tocsr()
    batch = int(min(512, max(1, 4_000_000 // max(n, 1))))
    out = _Paths(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(len(sources)), np.zeros(len(sources)),
                 np.zeros(len(sources)))  # fmt: skip
    for start in range(0, len(sources), batch):
        src = np.asarray(sources[start : start + batch])
        b = len(src)
        cols = np.arange(b)
        sigma = np.zeros((n, b))
        depth = np.full((n, b), -1, dtype=np.int32)
        sigma[src, cols] = 1.0
        depth[src, cols] = 0
        frontier = sigma.copy()
        level = 0
        while True:
            arriving = AT @ frontier
            new = (arriving > 0) & (depth < 0)
            if not new.any():
                break
            level += 1
            depth[new] = level
            frontier = np.where(new, arriving, 0.0)
            sigma += frontier
        delta = np.zeros((n, b))
        safe_sigma = np.where(sigma > 0, sigma, 1.0)
        for d in range(level, 0, -1):
            at = depth == d
            share = np.where(at, (1.0 + delta) / safe_sigma, 0.0)
            back = A @ share
            delta += np.where(depth == d - 1, sigma * back, 0.0)
        delta[src, cols] = 0.0
        out.betweenness += delta.sum(axis=1)
        reached = depth > 0
        distances = np.where(reached, depth, 0)
        out.reach_in += reached.sum(axis=1)
        out.distance_in += distances.sum(axis=1)
        out.source_reach[start : start + b] = reached.sum(axis=0)
        out.source_distance[start : start + b] = distances.sum(axis=0)
        out.source_eccentricity[start : start + b] = distances.max(axis=0) if n else 0
    return out


def _sources(nodes: list) -> tuple[np.ndarray, bool]:
    """Return all node positions, or above EXACT_LIMIT a sample of them.

    The sample is the same ``SAMPLE_SOURCES`` nodes networkx's ``betweenness_centrality(k=..., seed=SEED)`` samples.
    """
    n = len(nodes)
    if n <= EXACT_LIMIT:
        return np.arange(n), False
    position = {node: i for i, node in enumerate(nodes)}
    chosen = random.Random(SEED).sample(list(nodes), min(SAMPLE_SOURCES, n))
    return np.array([position[v] for v in chosen], dtype=np.int64), True


def _betweenness(raw: np.ndarray, n: int, directed: bool, sources: np.ndarray, approximate: bool):
    """Return normalised betweenness exactly as networkx rescales it (``endpoints=False``), and the raw value.

    The raw value is networkx's ``normalized=False``: unordered pairs for undirected graphs.
    """
    if n <= 2:
        return np.zeros(n), np.zeros(n)
    if not approximate:
        normalised = raw / ((n - 1) * (n - 2))
    else:
        k = len(sources)
        in_sample = np.zeros(n, dtype=bool)
        in_sample[sources] = True
        scale_source = 1 / ((k - 1) * (n - 2)) if k > 1 else math.nan
        normalised = raw * np.where(in_sample, scale_source, 1 / (k * (n - 2)))
    return normalised, normalised * (n - 1) * (n - 2) / (1 if directed else 2)


def _closeness(paths: _Paths, n: int, sources: np.ndarray, approximate: bool) -> np.ndarray:
    """Compute networkx's closeness: distances *to* each node, Wasserman–Faust scaling for unreachable nodes.

    c = r / (sum of distances) · r / (n − 1), r = nodes that reach it. Estimated from the sources when sampled.
    """
    if n <= 1:
        return np.zeros(n)
    reach, total = paths.reach_in, paths.distance_in
    with np.errstate(divide="ignore", invalid="ignore"):
        if not approximate:
            c = reach / total * reach / (n - 1)
        else:
            in_sample = np.zeros(n, dtype=bool)
            in_sample[sources] = True
            others = len(sources) - in_sample
            c = reach / total * reach / np.maximum(others, 1)
    return np.where(total > 0, c, 0.0)


def _bfs_distance(A_sym: sparse.csr_array, start: np.ndarray) -> np.ndarray:
    """Count steps from the nearest node in the boolean mask ``start`` to every node (inf when none reaches it)."""
    n = A_sym.shape[0]
    distance = np.full(n, np.inf)
    distance[start] = 0
    frontier = start.astype(np.float64)
    step = 0
    while frontier.any():
        step += 1
        nxt = (A_sym @ frontier > 0) & np.isinf(distance)
        distance[nxt] = step
        frontier = nxt.astype(np.float64)
    return distance

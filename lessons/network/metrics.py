"""Actor and network metrics of a graph: centralities, communities, brokerage, sector mixing and reach.

Metrics follow networkx's definitions and agree with networkx and python-igraph (see ``tests/test_network*.py``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

from lessons import learn
from lessons.network.brokerage import BROKERAGE_ROLES, _brokerage
from lessons.network.graph import SEED
from lessons.network.paths import _adjacency, _betweenness, _bfs_distance, _closeness, _paths, _sources
from lessons.store import NOT_CLASSIFIED
from lessons.stored import plain as _plain

if TYPE_CHECKING:  # the matrices' type; SciPy itself is loaded when a network is analysed (lessons.learn)
    from scipy import sparse

PUBLIC, CITIZENS = "public", "citizens"
#: The sector of an actor whose sector the source did not give: counted in ``sector_mix`` and ``sector_ties``, but
#: a tie with such an end is neither within nor across sectors, so it is left out of the E-I indices.
#: networkx's PageRank stops at 1e-6 by default; a tighter tolerance makes it agree with igraph's exact solver.
PAGERANK_TOL = 1e-10
#: The share of actors, by betweenness, that can be flagged as brokers (at least one actor).
BROKER_SHARE = 0.1

ACTOR_COLUMNS = [
    "id", "key", "name", "sector", "sector_name", "hard_to_reach", "organisation", "role",
    "degree", "in_degree", "out_degree", "weighted_degree", "betweenness", "betweenness_raw", "closeness",
    "eigenvector", "pagerank", "community", *BROKERAGE_ROLES, "between_sectors", "brokerage", "brokerage_role",
    "is_broker",
]  # fmt: skip
EDGE_COLUMNS = ["source", "target", "relation", "weight", "directed", "period", "ties"]
#: The network-level metrics that are single numbers, in the order tables show them (compare, change, CLI).
SCALAR_METRICS = [
    "nodes", "active_actors", "isolates", "ties", "density", "reciprocity", "components", "largest_component",
    "average_path_length", "diameter", "transitivity", "degree_centralisation", "betweenness_centralisation",
    "communities", "modularity", "ei_index", "citizens_tied_to_public", "hard_to_reach_actors",
    "hard_to_reach_tied_to_public", "hard_to_reach_distance_to_public",
]  # fmt: skip


def _eigenvector(G: nx.Graph, nodes: list) -> np.ndarray:
    """Compute networkx's eigenvector centrality (weighted; in-ties for directed graphs).

    NaN for every node when the actors with ties do not form one component (strongly connected, for directed graphs) —
    the measure then has no single answer — or when it does not converge. Actors without ties get 0.
    """
    core = [v for v in nodes if G.degree(v) > 0]
    values = np.full(len(nodes), np.nan)
    if not core:
        return values
    sub = G.subgraph(core)
    connected = nx.is_strongly_connected(sub) if G.is_directed() else nx.is_connected(sub)
    if not connected:
        return values
    try:
        if len(core) > 2:
            found = nx.eigenvector_centrality_numpy(sub, weight="weight")
        else:
            found = nx.eigenvector_centrality(sub, weight="weight", max_iter=1000)
    except (nx.PowerIterationFailedConvergence, nx.NetworkXException, ArithmeticError):
        return values
    except Exception as error:  # scipy's ArpackNoConvergence
        if "converge" not in str(error).lower():
            raise
        return values
    return np.array([found.get(v, 0.0) for v in nodes], dtype=float)


def canonical_graph(G: nx.Graph) -> tuple[nx.Graph, dict]:
    """Return ``G`` rebuilt in a canonical order, and each node's rank in it.

    Nodes are ordered by their ``key`` attribute (the stakeholder key; the node itself when there is none), edges by
    their ends' ranks, so that the same network read from rows in any order gives the same graph, node for node and
    neighbour for neighbour: what order-sensitive algorithms (Louvain) need to give the same answer.

    >>> H, rank = canonical_graph(nx.Graph([("c", "a"), ("b", "a")]))
    >>> list(H), list(H.edges), rank["c"]
    (['a', 'b', 'c'], [('a', 'b'), ('a', 'c')], 2)
    """
    order = sorted(G, key=lambda v: (str(G.nodes[v].get("key", v)), str(v)))
    rank = {v: i for i, v in enumerate(order)}
    H = G.__class__()
    H.add_nodes_from(order)
    edges = []
    for u, v, weight in G.edges(data="weight", default=1.0):
        if not G.is_directed() and rank[u] > rank[v]:
            u, v = v, u
        edges.append((rank[u], rank[v], u, v, weight))
    H.add_weighted_edges_from((u, v, w) for _, _, u, v, w in sorted(edges, key=lambda e: e[:2]))
    return H, rank


def _communities(G: nx.Graph, nodes: list) -> tuple[np.ndarray, float | None]:
    """Find Louvain communities (networkx, weighted, seed fixed), numbered 1, 2, … from the largest.

    Louvain visits nodes in a seeded random order and their neighbours in the graph's order, so it runs on
    :func:`canonical_graph`: the same network gives the same communities and modularity whatever the order of the
    rows it was read from. Communities of equal size are numbered by their first member in key order. Actors alone
    in theirs (isolates) get 0. Returns the numbers and the partition's modularity.
    """
    if G.number_of_edges() == 0:
        return np.zeros(len(nodes), dtype=int), None
    H, rank = canonical_graph(G)
    found = nx.community.louvain_communities(H, weight="weight", seed=SEED)
    found = sorted(found, key=lambda c: (-len(c), min(rank[v] for v in c)))
    position = {v: i for i, v in enumerate(nodes)}
    number = np.zeros(len(nodes), dtype=int)
    label = 0
    for community in found:
        if len(community) < 2:
            continue
        label += 1
        for v in community:
            number[position[v]] = label
    modularity = nx.community.modularity(H, found, weight="weight")
    return number, float(modularity)


def _freeman(values: np.ndarray, maximum: float) -> float | None:
    """Freeman centralisation: summed shortfall from the most central actor over the largest possible sum."""
    if len(values) < 3 or maximum <= 0:
        return None
    return float((values.max() - values).sum() / maximum)


def _reciprocity(A: sparse.csr_array) -> float:
    """Compute networkx's overall reciprocity: the share of arcs whose reverse arc exists too."""
    return float(A.multiply(A.T).sum() / A.sum()) if A.sum() else 0.0


def _transitivity(symmetric: sparse.csr_array, degree: np.ndarray) -> float:
    """Compute the share of connected triples that are closed, directions ignored (networkx's ``transitivity``).

    That is trace(A³) / Σ d(d − 1).
    """
    triples = float((degree * (degree - 1)).sum())
    if triples == 0:
        return 0.0
    closed = float((symmetric @ symmetric).multiply(symmetric).sum())
    return closed / triples


def _ei(external: int, internal: int) -> float | None:
    return None if external + internal == 0 else (external - internal) / (external + internal)


def _measure(G: nx.Graph, group: str = "sector") -> tuple[pd.DataFrame, dict]:
    """Actor and network metrics of ``G`` together, so that the shortest paths are searched once."""
    nodes = list(G)
    n = len(nodes)
    directed = G.is_directed()
    attr = lambda name: [G.nodes[v].get(name) for v in nodes]  # noqa: E731
    actors = pd.DataFrame({"id": nodes})
    for name in ("key", "name", "sector", "sector_name", "hard_to_reach", "organisation", "role"):
        actors[name] = attr(name)
    actors["name"] = [str(v) if name is None else name for v, name in zip(nodes, actors["name"])]
    actors["hard_to_reach"] = actors["hard_to_reach"].fillna(False).astype(bool)
    groups = np.array(["" if g is None else str(g) for g in attr(group)], dtype=object)  # "" = no group
    A = _adjacency(G, nodes) if n else learn.sparse().csr_array((0, 0))
    sources, approximate = _sources(nodes)
    paths = _paths(A, sources)
    betweenness, betweenness_raw = _betweenness(paths.betweenness, n, directed, sources, approximate)
    actors["degree"] = [d for _, d in G.degree(nodes)]
    actors["in_degree"] = [d for _, d in G.in_degree(nodes)] if directed else actors["degree"]
    actors["out_degree"] = [d for _, d in G.out_degree(nodes)] if directed else actors["degree"]
    actors["weighted_degree"] = [float(d) for _, d in G.degree(nodes, weight="weight")]
    actors["betweenness"] = betweenness
    actors["betweenness_raw"] = betweenness_raw
    actors["closeness"] = _closeness(paths, n, sources, approximate)
    actors["eigenvector"] = _eigenvector(G, nodes)
    rank = nx.pagerank(G, weight="weight", tol=PAGERANK_TOL, max_iter=1000) if n else {}
    actors["pagerank"] = [rank.get(v, 0.0) for v in nodes]
    community, modularity = _communities(G, nodes)
    actors["community"] = community
    brokerage = (
        _brokerage(A, groups, directed)
        if n
        else pd.DataFrame(columns=[*BROKERAGE_ROLES, "between_sectors", "brokerage", "brokerage_role"])
    )
    for column in brokerage.columns:
        actors[column] = brokerage[column].to_numpy()
    places = math.ceil(BROKER_SHARE * n) if n else 0
    top = actors["betweenness"].rank(method="min", ascending=False) <= max(1, places)
    actors["is_broker"] = (top & (actors["betweenness"] > 0) & (actors["between_sectors"] > 0)).astype(bool)
    actors = actors[ACTOR_COLUMNS]
    actors.attrs["approximate"] = approximate

    # Network level.
    m = G.number_of_edges()
    if n:
        count, labels = learn.connected_components(A, directed=True, connection="weak")
        sizes = np.bincount(labels)
        largest = int(np.argmax(sizes))
        in_largest = labels[sources] == largest
        pairs = paths.source_reach[in_largest].sum()
        average = float(paths.source_distance[in_largest].sum() / pairs) if pairs else None
        diameter = int(paths.source_eccentricity[in_largest].max()) if pairs else None
    else:
        count, sizes, average, diameter = 0, np.array([0]), None, None
    degree = actors["degree"].to_numpy(dtype=float)
    symmetric = ((A + A.T) > 0).astype(np.float64).tocsr() if n else A
    undirected_degree = np.asarray(symmetric.sum(axis=1)).ravel()
    sectors = actors["sector"].fillna("")
    group_of = dict(zip(nodes, groups))
    external = internal = 0
    per_group: dict = {}
    mixing: dict = {}
    for u, v in G.edges():
        gu, gv = group_of[u], group_of[v]
        same = gu == gv
        known = NOT_CLASSIFIED not in (gu, gv)
        internal += same and known
        external += not same and known
        for g in {gu, gv} if known else ():
            e, i = per_group.get(g, (0, 0))
            per_group[g] = (e + (not same), i + same)
        a, b = (gu, gv) if directed else sorted((gu, gv))
        mixing.setdefault(a, {}).setdefault(b, 0)
        mixing[a][b] += 1
    public = (sectors == PUBLIC).to_numpy()
    neighbours_public = (symmetric @ public.astype(np.float64) > 0) if n else np.zeros(0, dtype=bool)
    citizens = (sectors == CITIZENS).to_numpy()
    hard = actors["hard_to_reach"].to_numpy(dtype=bool)
    to_public = _bfs_distance(symmetric, public) if public.any() else np.full(n, np.inf)
    reachable = hard & np.isfinite(to_public)
    metrics = {
        "nodes": n,
        "ties": m,
        "directed": directed,
        "active_actors": int((undirected_degree > 0).sum()),
        "isolates": int((undirected_degree == 0).sum()),
        "density": nx.density(G) if n > 1 else 0.0,
        "reciprocity": _reciprocity(A) if directed and m else None,
        "components": int(count),
        "largest_component": int(sizes.max()) if n else 0,
        "average_path_length": average,
        "diameter": diameter,
        "transitivity": _transitivity(symmetric, undirected_degree),
        "degree_centralisation": _freeman(degree, (2 if directed else 1) * (n - 1) * (n - 2)),
        "betweenness_centralisation": _freeman(betweenness, n - 1),
        "communities": int(community.max()) if n else 0,
        "modularity": modularity,
        "sector_mix": {k: int(v) for k, v in pd.Series(groups, dtype=object).value_counts().sort_index().items()},
        "sector_ties": mixing,
        "ei_index": _ei(external, internal),
        "ei_by_sector": {g: _ei(*per_group.get(g, (0, 0))) for g in sorted(set(groups))},
        "not_classified": int((groups == NOT_CLASSIFIED).sum()),
        "citizens": int(citizens.sum()),
        "citizens_tied_to_public": float(neighbours_public[citizens].mean()) if citizens.any() else None,
        "hard_to_reach_actors": int(hard.sum()),
        "hard_to_reach_tied_to_public": float(neighbours_public[hard].mean()) if hard.any() else None,
        "hard_to_reach_distance_to_public": float(to_public[reachable].mean()) if reachable.any() else None,
        "hard_to_reach_unreachable": int((hard & ~np.isfinite(to_public)).sum()),
        "brokers": int(actors["is_broker"].sum()),
        "approximate": approximate,
        "self_loops_dropped": int(G.graph.get("self_loops", 0)),
    }
    return actors, _plain(metrics)


def actor_metrics(G: nx.Graph, *, group: str = "sector") -> pd.DataFrame:
    """One row per actor (in node order) with its position in the network.

    Columns: id, key, name, sector, sector_name, hard_to_reach, organisation, role (node attributes);
    degree, in_degree, out_degree (networkx's: in + out for directed graphs; all three equal when undirected),
    weighted_degree (summed weights); betweenness (normalised exactly as networkx does, by (n−1)(n−2)) and
    betweenness_raw (networkx's ``normalized=False``); closeness (networkx's, with distances *to* the actor in
    directed graphs and the Wasserman–Faust correction for actors not everyone reaches); eigenvector (networkx's,
    weighted; NaN for everyone when the tied actors are not one (strongly) connected component, or when it does not
    converge — use PageRank then); pagerank (weighted, α = 0.85, iterated to 1e-10); community (Louvain, seeded; 1 = largest, 0 = in
    no community with others); the Gould–Fernandez brokerage counts coordinator, itinerant (also called consultant),
    gatekeeper, representative and liaison on the groups of node attribute ``group``, between_sectors (open
    two-paths whose ends are in different groups), brokerage (all open two-paths), brokerage_role (the role with the
    highest count, preferring liaison > gatekeeper > representative > itinerant > coordinator on ties; "none"
    without any); is_broker (among the top 10 % by betweenness, with betweenness above 0 and at least one open
    two-path between groups).

    In an undirected network each open two-path a – b – c is counted in both directions (as statnet's brokerage
    does on a symmetric network), so gatekeeper and representative counts are equal, the role is named
    "gatekeeper/representative", and between_sectors counts each unordered pair once.

    Above :data:`EXACT_LIMIT` actors, betweenness and closeness are estimated from :data:`SAMPLE_SOURCES` sources
    (networkx's ``k``-sample with ``seed=SEED``) and ``frame.attrs["approximate"]`` is True.

    >>> a = actor_metrics(nx.path_graph(3))
    >>> a["degree"].tolist(), a["betweenness"].tolist(), a["coordinator"].tolist(), a["brokerage_role"].tolist()
    ([1, 2, 1], [0.0, 1.0, 0.0], [0, 2, 0], ['none', 'coordinator', 'none'])
    """
    return _measure(G, group)[0]


def network_metrics(G: nx.Graph, *, group: str = "sector") -> dict:
    """Network-level metrics of ``G`` as a JSON-ready dict.

    nodes, ties (edges; arcs of a directed graph, where an undirected tie is two), directed, active_actors (with at
    least one tie), isolates, density, reciprocity (directed graphs only, else None: the share of arcs whose
    reverse arc exists), components (weakly connected, for directed graphs) and largest_component (its actors),
    average_path_length and diameter (over the pairs of the largest component that a path joins — following
    directions in a directed graph), transitivity (of the graph with directions ignored), degree_centralisation
    and betweenness_centralisation (Freeman: 1 for a star, 0 when all are equal), communities (Louvain communities
    of two or more actors) and modularity (of the whole Louvain partition), sector_mix ({sector: actors}),
    sector_ties ({from: {to: ties}}, pairs sorted when undirected), ei_index (Krackhardt's E−I index over all ties:
    (external − internal) / total, −1 all within a sector, +1 all across) and ei_by_sector ({sector: E−I of the
    ties its actors have; ties with a not-classified end count in neither, since whether they cross sectors is
    unknown), not_classified (actors without a sector), citizens and citizens_tied_to_public (the share of citizen actors with a tie, either
    way, to a public-sector actor), hard_to_reach_actors, hard_to_reach_tied_to_public (the same share for
    hard-to-reach actors), hard_to_reach_distance_to_public (mean steps to the nearest public actor, ignoring
    direction, of those who can reach one) and hard_to_reach_unreachable, brokers (actors flagged is_broker),
    approximate, self_loops_dropped.

    >>> m = network_metrics(nx.star_graph(4))
    >>> m["density"], m["degree_centralisation"], m["betweenness_centralisation"], m["average_path_length"]
    (0.4, 1.0, 1.0, 1.6)
    """
    return _measure(G, group)[1]


def sector_mixing(G: nx.Graph, *, group: str = "sector") -> pd.DataFrame:
    """Ties from one group to another (source_group, target_group, ties); undirected ties under the sorted pair."""
    mixing = _measure(G, group)[1]["sector_ties"]
    rows = [(a, b, n) for a, row in mixing.items() for b, n in row.items()]
    return pd.DataFrame(rows, columns=["source_group", "target_group", "ties"]).sort_values(
        ["source_group", "target_group"], ignore_index=True
    )

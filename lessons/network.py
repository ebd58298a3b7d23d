"""Stakeholder networks: who took part in a pilot, how they were tied, who brokered, and what changed. UI-free.

A pilot's network is built from its ``stakeholders`` (the actors, every one of them a node, isolated or not) and
its ``ties``, chosen by relation and period. Several stored ties between the same two actors — different
relations, or the same relation at baseline and at the end — become one edge:

* **weight**: for each relation, the largest weight it has in the chosen periods (a tie recorded at baseline and
  again at the end is one tie, not two), then summed over relations;
* **relation** and **period**: the distinct values, sorted and joined with ``"; "``; **ties**: how many stored
  ties were merged; **directed**: whether any of them has a direction.

The graph is a :class:`networkx.DiGraph` when any tie of the chosen relations is directed, in any period (so
baseline and end are always the same kind of graph and their metrics compare); undirected ties then become two
arcs, one each way. Otherwise it is a :class:`networkx.Graph`. Consequences worth knowing: in a directed graph an
undirected tie adds 1 to both actors' in- and out-degree (2 to their degree) and counts as a reciprocated pair.

Metrics follow networkx's definitions and agree with networkx and python-igraph (see ``tests/test_network*.py``).
Path-based measures (betweenness, closeness, path lengths) count steps and ignore weights, because a weight is a
strength, not a distance; strength-based ones (weighted degree, eigenvector, PageRank, Louvain communities and
modularity) use weights. Betweenness, closeness and path lengths come from one breadth-first search per source,
run for many sources at once as sparse matrix products (Brandes' algorithm in algebraic form): the same numbers as
networkx, about 25 times faster. Above :data:`EXACT_LIMIT` actors they are estimated from
:data:`SAMPLE_SOURCES` sources drawn as networkx's ``k``-sample does, and the result says ``approximate``.

Everything expensive is computed once per change of the network (``data_version(db, "network")``) and stored in
``analysis_results`` as compressed JSON (never pickle), like the lesson similarity in :mod:`lessons.synthesis`.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from sqlite_utils import Database

from lessons.store import data_version
from lessons.stored import decode as _decode
from lessons.stored import encode as _encode
from lessons.stored import frame_from_json as _frame_from_json
from lessons.stored import frame_to_json as _frame_to_json
from lessons.stored import keep as _keep
from lessons.stored import plain as _plain
from lessons.stored import stored as _stored

PERIODS = ("end", "baseline", "all")
#: Seed of everything random here (Louvain, layout, sampled sources): the same network gives the same answer.
SEED = 7
PUBLIC, CITIZENS = "public", "citizens"
#: networkx's PageRank stops at 1e-6 by default; a tighter tolerance makes it agree with igraph's exact solver.
PAGERANK_TOL = 1e-10
#: Above this many actors, betweenness, closeness and path lengths are estimated from sampled sources.
EXACT_LIMIT = 5000
SAMPLE_SOURCES = 1000
#: The share of actors, by betweenness, that can be flagged as brokers (at least one actor).
BROKER_SHARE = 0.1
#: Gould–Fernandez roles of a broker b on an open two-path a → b → c (a has no tie to c), by the groups of a, b, c.
BROKERAGE_ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
#: In an undirected network gatekeeper and representative counts are always equal (see :func:`actor_metrics`).
UNDIRECTED_BOUNDARY = "gatekeeper/representative"
#: Up to this many actors every pair repels in the layout; above, only pairs closer than twice the ideal distance.
LAYOUT_DENSE_LIMIT = 500
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

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


def _frame(db: Database, sql: str, params=()) -> pd.DataFrame:
    cursor = db.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


# --- Building graphs --------------------------------------------------------------------------------------------


def _check_period(period: str) -> str:
    if period not in PERIODS and not _DATE.fullmatch(str(period)):
        raise ValueError(f"unknown period {period!r}: choose one of {', '.join(PERIODS)} or an ISO date")
    return period


def _pilot_id(db: Database, pilot: str) -> int:
    row = db.execute("SELECT id FROM pilots WHERE slug = ?", [pilot]).fetchone()
    if row is None:
        raise ValueError(f"there is no pilot {pilot!r}")
    return row[0]


def pilot_actors(db: Database, pilot: str) -> pd.DataFrame:
    """Every stakeholder of a pilot, by id: id, key, name, sector, sector_name, hard_to_reach (bool),
    organisation_id, organisation (name), role, pilot (slug)."""
    actors = _frame(
        db,
        """SELECT s.id, s.key, s.name, s.sector, coalesce(sec.name, s.sector) AS sector_name, s.hard_to_reach,
                  s.organisation_id, o.name AS organisation, s.role, p.slug AS pilot
           FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id
           LEFT JOIN sectors sec ON sec.code = s.sector LEFT JOIN organisations o ON o.id = s.organisation_id
           WHERE p.id = ? ORDER BY s.id""",
        [_pilot_id(db, pilot)],
    )
    actors["hard_to_reach"] = actors["hard_to_reach"].astype(bool)
    return actors


def _pilot_ties(db: Database, pilot_id: int, relations: Sequence[str], period: str | None) -> pd.DataFrame:
    sql = "SELECT id, source_id, target_id, relation, directed, weight, period FROM ties WHERE pilot_id = ?"
    params: list = [pilot_id]
    if relations:
        sql += f" AND relation IN ({', '.join('?' * len(relations))})"
        params += list(relations)
    if period is not None and period != "all":
        sql += " AND period = ?"
        params.append(period)
    return _frame(db, sql + " ORDER BY id", params)


def _merge_ties(ties: pd.DataFrame, directed: bool, order: dict) -> pd.DataFrame:
    """One row per edge (per arc when ``directed``) with the merged attributes described in the module doc."""
    merged: dict[tuple, list] = {}
    columns = [ties[c].tolist() for c in ("source", "target", "relation", "directed", "weight", "period")]
    for source, target, relation, is_directed, weight, period in zip(*columns):
        is_directed = bool(is_directed)
        if not directed:
            arcs = [(source, target) if order[source] <= order[target] else (target, source)]
        else:
            arcs = [(source, target)] if is_directed else [(source, target), (target, source)]
        for arc in arcs:
            edge = merged.get(arc)
            if edge is None:
                edge = merged[arc] = [{}, set(), False, 0]
            strongest = edge[0]
            strongest[str(relation)] = max(strongest.get(str(relation), 0.0), float(weight))
            edge[1].add(str(period))
            edge[2] = edge[2] or is_directed
            edge[3] += 1
    rows = [
        (u, v, "; ".join(sorted(edge[0])), float(sum(edge[0].values())), edge[2], "; ".join(sorted(edge[1])), edge[3])
        for (u, v), edge in sorted(merged.items(), key=lambda item: (order[item[0][0]], order[item[0][1]]))
    ]
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)


def _plain_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _build(nodes: pd.DataFrame, ties: pd.DataFrame, directed: bool) -> nx.Graph:
    """A graph with ``nodes`` (column ``id`` plus attributes) and ``ties`` (source, target, relation, directed,
    weight, period) merged as the module doc says. Self-loops are dropped and counted in ``G.graph["self_loops"]``."""
    G = nx.DiGraph() if directed else nx.Graph()
    attrs = [c for c in nodes.columns if c != "id"]
    for row in nodes.itertuples(index=False):
        values = row._asdict()
        G.add_node(_plain_value(values["id"]), **{a: _plain_value(values[a]) for a in attrs})
    loops = ties["source"] == ties["target"] if len(ties) else pd.Series([], dtype=bool)
    G.graph["self_loops"] = int(loops.sum())
    ties = ties[~loops]
    for end in ("source", "target"):
        for node in ties[end].unique().tolist() if len(ties) else []:
            if node not in G:
                G.add_node(node)
    order = {node: i for i, node in enumerate(G)}
    edges = _merge_ties(ties, directed, order)
    G.add_edges_from(
        (s, t, {"relation": r, "weight": w, "directed": bool(d), "period": p, "ties": int(n)})
        for s, t, r, w, d, p, n in edges.itertuples(index=False)
    )
    return G


def pilot_graph(db: Database, pilot: str, *, relations: Sequence[str] = (), period: str = "end") -> nx.Graph:
    """The network of one pilot (``pilots.slug``): its ties of the chosen relations (all when empty) and period.

    ``period`` is ``"end"``, ``"baseline"``, ``"all"`` (every period, dated ones included) or an ISO date. Nodes
    are stakeholder ids with attributes key, name, sector, sector_name, hard_to_reach (bool), organisation (name
    or None), organisation_id, role and pilot (slug); every stakeholder is a node, tied or not. Edges carry
    relation, weight, directed, period and ties, merged as the module doc describes. ``G.graph`` holds pilot,
    period, relations and self_loops.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> p = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI"}).last_pk
    >>> for k, sector in enumerate(["public", "citizens", "research"]):
    ...     _ = db["stakeholders"].insert({"pilot_id": p, "key": f"S{k}", "name": f"A{k}", "sector": sector})
    >>> _ = db["ties"].insert_all([
    ...     {"pilot_id": p, "source_id": 1, "target_id": 2, "relation": "collaboration", "weight": 2, "period": "end"},
    ...     {"pilot_id": p, "source_id": 2, "target_id": 1, "relation": "advice", "weight": 3, "period": "end"},
    ...     {"pilot_id": p, "source_id": 1, "target_id": 2, "relation": "collaboration", "weight": 1,
    ...      "period": "baseline"}])
    >>> G = pilot_graph(db, "p", period="all")
    >>> type(G).__name__, sorted(G), G.edges[1, 2]
    ('Graph', [1, 2, 3], {'relation': 'advice; collaboration', 'weight': 5.0, 'directed': False, 'period': 'baseline; end', 'ties': 3})
    """
    _check_period(period)
    pilot_id = _pilot_id(db, pilot)
    relations = tuple(sorted(set(relations)))
    actors = pilot_actors(db, pilot)
    chosen = _pilot_ties(db, pilot_id, relations, period)
    sql = "SELECT EXISTS (SELECT 1 FROM ties WHERE pilot_id = ? AND directed = 1"
    if relations:
        sql += f" AND relation IN ({', '.join('?' * len(relations))})"
    directed = bool(db.execute(sql + ")", [pilot_id, *relations]).fetchone()[0])
    ties = chosen.rename(columns={"source_id": "source", "target_id": "target"})
    G = _build(actors, ties, directed)
    G.graph.update(pilot=pilot, period=period, relations=relations)
    return G


def graph_from_edges(edges: pd.DataFrame, nodes: pd.DataFrame | None = None, directed: bool | None = False) -> nx.Graph:
    """A graph from an edge list (columns source and target; optional weight, relation, period, directed) and
    optional node table (column ``id`` plus attributes such as name and sector), merged as pilot networks are.

    ``directed=None`` takes the direction from the ``directed`` column (directed when any row is). Self-loops are
    dropped and counted in ``G.graph["self_loops"]``; nodes named only in ``edges`` are added without attributes.

    >>> G = graph_from_edges(pd.DataFrame({"source": ["a", "b", "b"], "target": ["b", "a", "b"]}), directed=True)
    >>> sorted(G.edges), G.graph["self_loops"]
    ([('a', 'b'), ('b', 'a')], 1)
    """
    edges = edges.copy()
    if directed is None:
        directed = bool(edges["directed"].astype(bool).any()) if "directed" in edges else False
    defaults = {"relation": "tie", "weight": 1.0, "period": "end", "directed": directed}
    for column, value in defaults.items():
        if column not in edges:
            edges[column] = value
    if nodes is None:
        nodes = pd.DataFrame({"id": pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True))})
    return _build(nodes, edges, bool(directed))


def relations(db: Database, pilot: str | None = None) -> list[str]:
    """The relation types of the ties of one pilot (slug), or of every pilot, sorted.

    >>> from lessons.store import open_memory_store
    >>> relations(open_memory_store())
    []
    """
    if pilot is None:
        return [r[0] for r in db.execute("SELECT DISTINCT relation FROM ties ORDER BY relation")]
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT relation FROM ties WHERE pilot_id = ? ORDER BY relation", [_pilot_id(db, pilot)]
        )
    ]


def edge_frame(G: nx.Graph) -> pd.DataFrame:
    """The edges of ``G`` (arcs of a directed graph, undirected ties once per direction) as a frame:
    source, target, relation, weight, directed, period, ties."""
    rows = [
        (u, v, d.get("relation"), float(d.get("weight", 1.0)), bool(d.get("directed", G.is_directed())),
         d.get("period"), int(d.get("ties", 1)))
        for u, v, d in G.edges(data=True)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)


# --- Paths: betweenness, closeness, distances ------------------------------------------------------------------


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
    """Breadth-first search from every source, many at a time as sparse × dense products, with Brandes'
    dependency accumulation on the way back (unweighted shortest paths)."""
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
    """All node positions, or above EXACT_LIMIT the same ``SAMPLE_SOURCES`` nodes networkx's
    ``betweenness_centrality(k=..., seed=SEED)`` samples."""
    n = len(nodes)
    if n <= EXACT_LIMIT:
        return np.arange(n), False
    position = {node: i for i, node in enumerate(nodes)}
    chosen = random.Random(SEED).sample(list(nodes), min(SAMPLE_SOURCES, n))
    return np.array([position[v] for v in chosen], dtype=np.int64), True


def _betweenness(raw: np.ndarray, n: int, directed: bool, sources: np.ndarray, approximate: bool):
    """Normalised betweenness exactly as networkx rescales it (``endpoints=False``), and the raw value
    (networkx's ``normalized=False``: unordered pairs for undirected graphs)."""
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
    """networkx's closeness (distances *to* each node, Wasserman–Faust scaling for unreachable nodes):
    c = r / (sum of distances) · r / (n − 1), r = nodes that reach it. Estimated from the sources when sampled."""
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
    """Steps from the nearest node in the boolean mask ``start`` to every node (inf when none reaches it)."""
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


# --- Brokerage ----------------------------------------------------------------------------------------------------


def _brokerage(A: sparse.csr_array, groups: np.ndarray, directed: bool) -> pd.DataFrame:
    """Gould–Fernandez brokerage counts of every node on open two-paths a → v → c (a ≠ c, no tie a → c).

    Counted in closed form: for each node and each pair of groups (g, h), the two-paths are (in-neighbours in g)
    × (out-neighbours in h), minus the a = c paths through a reciprocated neighbour, minus the closed ones, found
    as (Aᵀ ∘ A·D_h·Aᵀ)·G (D_h: members of h). Undirected graphs are taken as symmetric, as statnet's
    ``brokerage()`` does: every open two-path counts once in each direction.
    """
    n = A.shape[0]
    codes, labels = pd.factorize(pd.Series(groups, dtype=object), sort=True)
    k = max(len(labels), 1)
    onehot = sparse.csr_array((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    AT = A.T.tocsr()
    inbound = (AT @ onehot).toarray()  # v × g: in-neighbours in g
    outbound = (A @ onehot).toarray()  # v × h: out-neighbours in h
    mutual = (A.multiply(AT)).tocsr()
    back = (mutual @ onehot).toarray()  # reciprocated neighbours in g (a → v → a)
    open_paths = inbound[:, :, None] * outbound[:, None, :]
    idx = np.arange(k)
    open_paths[:, idx, idx] -= back
    for h in range(k):
        member = sparse.diags_array((codes == h).astype(np.float64))
        through = (A @ member @ A.T).tocsr()  # [v, a]: c in h with v → c and a → c
        closed = AT.multiply(through).tocsr()  # keep a → v
        open_paths[:, :, h] -= (closed @ onehot).toarray()
    own = codes
    rows = np.arange(n)
    total = open_paths.sum(axis=(1, 2))
    same_ends = open_paths[:, idx, idx]  # a and c in one group
    coordinator = same_ends[rows, own]
    itinerant = same_ends.sum(axis=1) - coordinator
    representative = open_paths[rows, own, :].sum(axis=1) - coordinator
    gatekeeper = open_paths[rows, :, own].sum(axis=1) - coordinator
    liaison = total - coordinator - itinerant - representative - gatekeeper
    counts = np.rint(np.stack([coordinator, itinerant, gatekeeper, representative, liaison], axis=1)).astype(int)
    frame = pd.DataFrame(counts, columns=list(BROKERAGE_ROLES))
    between = counts[:, 2:].sum(axis=1)
    frame["between_sectors"] = between if directed else between // 2
    frame["brokerage"] = counts.sum(axis=1)
    preference = ["liaison", "gatekeeper", "representative", "itinerant", "coordinator"]
    best = frame[preference].to_numpy().argmax(axis=1)
    role = np.array(preference, dtype=object)[best]
    if not directed:
        role = np.where(role == "gatekeeper", UNDIRECTED_BOUNDARY, role)
    frame["brokerage_role"] = np.where(frame["brokerage"] > 0, role, "none")
    return frame


# --- Metrics ------------------------------------------------------------------------------------------------------


def _eigenvector(G: nx.Graph, nodes: list) -> np.ndarray:
    """networkx's eigenvector centrality (weighted; in-ties for directed graphs), or NaN for every node when the
    actors with ties do not form one component (strongly connected, for directed graphs) — the measure then has no
    single answer — or when it does not converge. Actors without ties get 0."""
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


def _communities(G: nx.Graph, nodes: list) -> tuple[np.ndarray, float | None]:
    """Louvain communities (networkx, weighted, seed fixed) numbered 1, 2, … from the largest (ties by first
    node); actors alone in theirs (isolates) get 0. Returns the numbers and the partition's modularity."""
    if G.number_of_edges() == 0:
        return np.zeros(len(nodes), dtype=int), None
    found = nx.community.louvain_communities(G, weight="weight", seed=SEED)
    position = {v: i for i, v in enumerate(nodes)}
    found = sorted(found, key=lambda c: (-len(c), min(position[v] for v in c)))
    number = np.zeros(len(nodes), dtype=int)
    label = 0
    for community in found:
        if len(community) < 2:
            continue
        label += 1
        for v in community:
            number[position[v]] = label
    modularity = nx.community.modularity(G, found, weight="weight")
    return number, float(modularity)


def _freeman(values: np.ndarray, maximum: float) -> float | None:
    """Freeman centralisation: summed shortfall from the most central actor over the largest possible sum."""
    if len(values) < 3 or maximum <= 0:
        return None
    return float((values.max() - values).sum() / maximum)


def _reciprocity(A: sparse.csr_array) -> float:
    """networkx's overall reciprocity: the share of arcs whose reverse arc exists too."""
    return float(A.multiply(A.T).sum() / A.sum()) if A.sum() else 0.0


def _transitivity(symmetric: sparse.csr_array, degree: np.ndarray) -> float:
    """Share of connected triples that are closed, directions ignored (networkx's ``transitivity``):
    trace(A³) / Σ d(d − 1)."""
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
    A = _adjacency(G, nodes) if n else sparse.csr_array((0, 0))
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
        count, labels = csgraph.connected_components(A, directed=True, connection="weak")
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
        internal += same
        external += not same
        for g in {gu, gv}:
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
    ties its actors have}), citizens and citizens_tied_to_public (the share of citizen actors with a tie, either
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


# --- Layout -------------------------------------------------------------------------------------------------------


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
            found = cKDTree(pos).query_pairs(2 * k, output_type="ndarray")
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


# --- Storage --------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class NetworkAnalysis:
    """A pilot network analysed: ``metrics`` (:func:`network_metrics`), ``actors`` (:func:`actor_metrics`),
    ``edges`` (:func:`edge_frame`), ``layout`` (id, x, y of every stakeholder of the pilot: the stable layout of its
    whole network), ``approximate`` (betweenness and closeness estimated from sampled sources), ``seconds`` (time to
    compute) and the ``data_version`` of the network it was computed from."""

    pilot: str
    period: str
    relations: tuple[str, ...]
    metrics: dict
    actors: pd.DataFrame
    edges: pd.DataFrame
    layout: pd.DataFrame
    approximate: bool = False
    seconds: float = 0.0
    data_version: int = -1
    computed_at: str | None = field(default=None, compare=False)

    def to_bytes(self) -> bytes:
        """Serialise as zlib-compressed JSON: no pickle, so a stored result can never run code when loaded."""
        return _encode(
            {
                "pilot": self.pilot,
                "period": self.period,
                "relations": list(self.relations),
                "metrics": _plain(self.metrics),
                "actors": _frame_to_json(self.actors),
                "edges": _frame_to_json(self.edges),
                "layout": _frame_to_json(self.layout),
                "approximate": bool(self.approximate),
                "seconds": float(self.seconds),
                "data_version": int(self.data_version),
            }
        )

    @classmethod
    def from_bytes(cls, payload: bytes) -> NetworkAnalysis:
        obj = _decode(payload)
        actors = _frame_from_json(obj["actors"])
        actors.attrs["approximate"] = obj["approximate"]
        return cls(
            pilot=obj["pilot"],
            period=obj["period"],
            relations=tuple(obj["relations"]),
            metrics=obj["metrics"],
            actors=actors,
            edges=_frame_from_json(obj["edges"]),
            layout=_frame_from_json(obj["layout"]),
            approximate=obj["approximate"],
            seconds=obj["seconds"],
            data_version=obj["data_version"],
        )


def analysis_name(pilot: str, period: str = "end", relations: Sequence[str] = ()) -> str:
    """The ``analysis_results.name`` of a pilot's analysis.

    >>> analysis_name("tampere", "end", ["information", "advice"])
    'network:tampere:end:advice,information'
    """
    return f"network:{pilot}:{period}:{','.join(sorted(set(relations)))}"


def pilot_layout(db: Database, pilot: str, *, store: bool = True) -> pd.DataFrame:
    """The stable layout of a pilot: :func:`layout` of its whole network (every period and relation), stored per
    data version of the network, so positions do not move when the user switches period or relation."""
    name = f"network-layout:{pilot}"
    version = data_version(db, "network")
    payload = _stored(db, name, version)
    if payload is not None:
        return _frame_from_json(_decode(payload))
    started = time.perf_counter()
    positions = layout(pilot_graph(db, pilot, period="all"))
    if store:
        _keep(db, name, version, time.perf_counter() - started, _encode(_frame_to_json(positions)))
    return positions


def _compute_analysis(db: Database, pilot: str, relations: tuple[str, ...], period: str) -> NetworkAnalysis:
    started = time.perf_counter()
    G = pilot_graph(db, pilot, relations=relations, period=period)
    actors, metrics = _measure(G)
    positions = pilot_layout(db, pilot)
    return NetworkAnalysis(
        pilot=pilot,
        period=period,
        relations=relations,
        metrics=metrics,
        actors=actors,
        edges=edge_frame(G),
        layout=positions,
        approximate=bool(metrics["approximate"]),
        seconds=time.perf_counter() - started,
    )


def analysis(
    db: Database, pilot: str, *, relations: Sequence[str] = (), period: str = "end", store: bool = True
) -> NetworkAnalysis:
    """The analysis of one pilot's network (slug; chosen relations — all when empty — and period): the stored one
    when it is for the current network data version, else computed now and (when ``store`` and the store is
    writable) kept in ``analysis_results`` under :func:`analysis_name` for the next caller."""
    _check_period(period)
    relations = tuple(sorted(set(relations)))
    name = analysis_name(pilot, period, relations)
    version = data_version(db, "network")
    payload = _stored(db, name, version)
    if payload is not None:
        return NetworkAnalysis.from_bytes(payload)
    _pilot_id(db, pilot)
    result = _compute_analysis(db, pilot, relations, period)
    result.data_version = version
    if store:
        _keep(db, name, version, result.seconds, result.to_bytes())
    return result


# --- Change, comparison, organisations, lessons -------------------------------------------------------------------


def _tie_keys(db: Database, pilot_id: int, relations: tuple[str, ...], period: str) -> pd.DataFrame:
    """The ties of one period keyed by (a, b, relation): the actors in order for directed ties, sorted otherwise."""
    ties = _pilot_ties(db, pilot_id, relations, period)
    undirected = ties["directed"] == 0
    low = np.minimum(ties["source_id"], ties["target_id"])
    high = np.maximum(ties["source_id"], ties["target_id"])
    ties["a"] = np.where(undirected, low, ties["source_id"]).astype("int64")
    ties["b"] = np.where(undirected, high, ties["target_id"]).astype("int64")
    return ties.drop_duplicates(["a", "b", "relation"])


CHANGE_METRICS = [
    "active_actors", "ties", "density", "reciprocity", "components", "largest_component", "average_path_length",
    "diameter", "transitivity", "degree_centralisation", "betweenness_centralisation", "communities", "modularity",
    "ei_index", "citizens_tied_to_public", "hard_to_reach_tied_to_public", "hard_to_reach_distance_to_public",
]  # fmt: skip


def change(db: Database, pilot: str, *, relations: Sequence[str] = ()) -> dict:
    """Baseline against end for one pilot (ties of the chosen relations, all when empty).

    Returns ``ties_added`` and ``ties_removed`` (source_id, source, target_id, target, relation, directed, weight:
    a tie is the same when its two actors — in order, for directed ties — and relation are), ``ties_reweighted``
    (the same tie with another weight: weight_baseline, weight_end), ``metrics`` (metric, baseline, end, change for
    :data:`CHANGE_METRICS`) and ``actors`` (id, key, name, sector, sector_name, degree_baseline, degree_end,
    degree_change, betweenness_baseline, betweenness_end, betweenness_change, status: "joined" — tied at the end
    only, "left" — at baseline only, "stayed", or "untied"). Both periods' analyses are the stored ones.
    """
    relations = tuple(sorted(set(relations)))
    pilot_id = _pilot_id(db, pilot)
    before = analysis(db, pilot, relations=relations, period="baseline")
    after = analysis(db, pilot, relations=relations, period="end")
    names = dict(db.execute("SELECT id, name FROM stakeholders WHERE pilot_id = ?", [pilot_id]).fetchall())
    key = ["a", "b", "relation"]
    joined = _tie_keys(db, pilot_id, relations, "baseline").merge(
        _tie_keys(db, pilot_id, relations, "end"), on=key, how="outer", suffixes=("_b", "_e"), indicator=True
    )
    tie_columns = ["source_id", "source", "target_id", "target", "relation", "directed"]

    def ties_of(rows: pd.DataFrame, side: str, weights: dict) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "source_id": rows[f"source_id{side}"].astype("int64").to_numpy(),
                "target_id": rows[f"target_id{side}"].astype("int64").to_numpy(),
                "relation": rows["relation"].astype(str).to_numpy(),
                "directed": rows[f"directed{side}"].astype(bool).to_numpy(),
                **{name: rows[column].astype(float).to_numpy() for name, column in weights.items()},
            }
        )
        out["source"] = out["source_id"].map(names)
        out["target"] = out["target_id"].map(names)
        out = out[[*tie_columns, *weights]]
        return out.sort_values(["source", "target", "relation"], ignore_index=True)

    kept = joined[joined["_merge"] == "both"]
    metrics = []
    for metric in CHANGE_METRICS:
        b, e = before.metrics.get(metric), after.metrics.get(metric)
        metrics.append({"metric": metric, "baseline": b, "end": e, "change": None if b is None or e is None else e - b})
    described = after.actors[["id", "key", "name", "sector", "sector_name"]]
    actors = described.merge(
        before.actors[["id", "degree", "betweenness"]].merge(
            after.actors[["id", "degree", "betweenness"]], on="id", suffixes=("_baseline", "_end")
        ),
        on="id",
    )
    for measure in ("degree", "betweenness"):
        actors[f"{measure}_change"] = actors[f"{measure}_end"] - actors[f"{measure}_baseline"]
    tied_before, tied_after = actors["degree_baseline"] > 0, actors["degree_end"] > 0
    actors["status"] = np.select(
        [tied_before & tied_after, tied_after, tied_before], ["stayed", "joined", "left"], "untied"
    )
    return {
        "ties_added": ties_of(joined[joined["_merge"] == "right_only"], "_e", {"weight": "weight_e"}),
        "ties_removed": ties_of(joined[joined["_merge"] == "left_only"], "_b", {"weight": "weight_b"}),
        "ties_reweighted": ties_of(
            kept[kept["weight_b"] != kept["weight_e"]], "_e", {"weight_baseline": "weight_b", "weight_end": "weight_e"}
        ),
        "metrics": pd.DataFrame(metrics, columns=["metric", "baseline", "end", "change"]),
        "actors": actors[
            [
                "id",
                "key",
                "name",
                "sector",
                "sector_name",
                "degree_baseline",
                "degree_end",
                "degree_change",
                "betweenness_baseline",
                "betweenness_end",
                "betweenness_change",
                "status",
            ]
        ],  # fmt: skip
    }


COMPARE_NAME = "network-compare"


def _compare_rows(db: Database, slugs: list[tuple[str, str]]) -> list[dict]:
    rows = []
    for slug, name in slugs:
        metrics = analysis(db, slug).metrics
        rows.append({"pilot": slug, "pilot_name": name, "directed": metrics["directed"],
                     **{k: metrics.get(k) for k in SCALAR_METRICS}, "brokers": metrics.get("brokers")})  # fmt: skip
    return rows


def compare_pilots(db: Database, pilots: Sequence[str] | None = None) -> pd.DataFrame:
    """Network-level metrics of every pilot (or the chosen slugs) side by side, one row per pilot in name order:
    pilot, pilot_name, directed, then :data:`SCALAR_METRICS` and brokers — each pilot's end-of-pilot network with
    all relations. Stored per network data version like :func:`analysis` (and each pilot's analysis with it)."""
    everyone = db.execute("SELECT slug, name FROM pilots ORDER BY name, slug").fetchall()
    version = data_version(db, "network")
    payload = _stored(db, COMPARE_NAME, version)
    if payload is not None:
        table = _frame_from_json(_decode(payload))
    elif pilots is None:
        started = time.perf_counter()
        table = pd.DataFrame(_compare_rows(db, everyone))
        if len(table):
            _keep(db, COMPARE_NAME, version, time.perf_counter() - started, _encode(_frame_to_json(table)))
    else:
        wanted = set(pilots)
        table = pd.DataFrame(_compare_rows(db, [(s, n) for s, n in everyone if s in wanted]))
    columns = ["pilot", "pilot_name", "directed", *SCALAR_METRICS, "brokers"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    if pilots is not None:
        unknown = set(pilots) - {s for s, _ in everyone}
        if unknown:
            raise ValueError(f"there is no pilot {sorted(unknown)[0]!r}")
        table = table[table["pilot"].isin(set(pilots))]
    return table[columns].reset_index(drop=True)


def shared_organisations(db: Database, min_pilots: int = 2) -> dict[str, pd.DataFrame]:
    """Organisations active in at least ``min_pilots`` pilots, and how they are linked through the pilots they
    share: the two-mode organisation × pilot network projected onto organisations
    (``networkx.bipartite.weighted_projected_graph``; the weight is the number of shared pilots).

    Returns ``organisations`` (id, name, sector, sector_name, pilots, pilot_names, actors) by pilots then name, and
    ``links`` (source, source_name, target, target_name, pilots, pilot_names), the most shared first.
    """
    rows = _frame(
        db,
        """SELECT o.id, o.name, o.sector, coalesce(sec.name, o.sector) AS sector_name, p.slug, p.name AS pilot_name,
                  count(*) AS actors
           FROM organisations o JOIN stakeholders s ON s.organisation_id = o.id JOIN pilots p ON p.id = s.pilot_id
           LEFT JOIN sectors sec ON sec.code = o.sector
           GROUP BY o.id, p.id ORDER BY o.id, p.name""",
    )
    org_columns = ["id", "name", "sector", "sector_name", "pilots", "pilot_names", "actors"]
    link_columns = ["source", "source_name", "target", "target_name", "pilots", "pilot_names"]
    per_org = rows.groupby("id").agg(
        name=("name", "first"),
        sector=("sector", "first"),
        sector_name=("sector_name", "first"),
        pilots=("slug", "nunique"),
        pilot_names=("pilot_name", lambda names: "; ".join(sorted(set(names)))),
        actors=("actors", "sum"),
    )
    per_org = per_org[per_org["pilots"] >= int(min_pilots)].reset_index()
    if per_org.empty:
        return {"organisations": pd.DataFrame(columns=org_columns), "links": pd.DataFrame(columns=link_columns)}
    per_org = per_org.sort_values(["pilots", "name"], ascending=[False, True], ignore_index=True)
    kept = rows[rows["id"].isin(set(per_org["id"]))]
    B = nx.Graph()
    orgs = [("o", int(i)) for i in per_org["id"]]
    B.add_nodes_from(orgs, bipartite=0)
    B.add_nodes_from((("p", s) for s in kept["slug"].unique()), bipartite=1)
    B.add_edges_from((("o", int(i)), ("p", s)) for i, s in zip(kept["id"], kept["slug"]))
    projected = nx.bipartite.weighted_projected_graph(B, orgs)
    pilot_names = dict(zip(kept["slug"], kept["pilot_name"]))
    org_names = dict(zip(per_org["id"], per_org["name"]))
    links = []
    for (_, a), (_, b), weight in projected.edges(data="weight"):
        a, b = sorted((a, b), key=lambda i: (org_names[i], i))
        shared = set(B[("o", a)]) & set(B[("o", b)])
        links.append(
            (a, org_names[a], b, org_names[b], int(weight), "; ".join(sorted(pilot_names[s] for _, s in shared)))
        )
    links = pd.DataFrame(links, columns=link_columns)
    links = links.sort_values(
        ["pilots", "source_name", "target_name"], ascending=[False, True, True], ignore_index=True
    )
    return {"organisations": per_org[org_columns], "links": links}


def actor_lessons(db: Database, stakeholder_id: int) -> pd.DataFrame:
    """The lessons that concern an actor (``lesson_stakeholders``): id, key, title, kind, status, pilot (slug),
    pilot_name, in pilot and key order."""
    return _frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status, p.slug AS pilot, p.name AS pilot_name
           FROM lesson_stakeholders ls JOIN lessons l ON l.id = ls.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE ls.stakeholder_id = ? ORDER BY p.name, l.key""",
        [int(stakeholder_id)],
    )


def lesson_actors(db: Database, lesson_id: int) -> pd.DataFrame:
    """The actors a lesson concerns: id, key, name, sector, sector_name, hard_to_reach (bool), pilot (slug)."""
    actors = _frame(
        db,
        """SELECT s.id, s.key, s.name, s.sector, coalesce(sec.name, s.sector) AS sector_name, s.hard_to_reach,
                  p.slug AS pilot
           FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
           JOIN pilots p ON p.id = s.pilot_id LEFT JOIN sectors sec ON sec.code = s.sector
           WHERE ls.lesson_id = ? ORDER BY s.key""",
        [int(lesson_id)],
    )
    actors["hard_to_reach"] = actors["hard_to_reach"].astype(bool)
    return actors

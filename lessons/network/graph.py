"""Building a pilot's network: its actors and ties from the store, merged into one networkx graph.

Also the package's shared pieces: the periods a tie can belong to and the seed of everything random.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.store import frame as _frame

PERIODS = ("end", "baseline", "all")
#: Seed of everything random here (Louvain, layout, sampled sources): the same network gives the same answer.
SEED = 7
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EDGE_COLUMNS = ["source", "target", "relation", "weight", "directed", "period", "ties"]


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
    """Return every stakeholder of a pilot, by id.

    Columns: id, key, name, sector, sector_name, hard_to_reach (bool), organisation_id, organisation (name), role, pilot
    (slug).
    """
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


def pilot_attributes(db: Database, pilot: str) -> pd.DataFrame:
    """Return what each stakeholder of a pilot kept from its network file: one column per attribute, by id.

    Columns: ``id``, then every attribute any stakeholder has, in name order (a stakeholder without it: None).
    Values are as kept (text, number, true/false); a list (values over time) is given as JSON text.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> p = db["pilots"].insert({"slug": "k", "name": "K", "country": "FI"}).last_pk
    >>> for key, kept in [("0", '{"club": "Mr. Hi", "viz:x": 1.5}'), ("1", None)]:
    ...     _ = db["stakeholders"].insert({"pilot_id": p, "key": key, "name": key, "sector": "public", "attributes": kept})
    >>> pilot_attributes(db, "k").to_dict("records")
    [{'id': 1, 'club': 'Mr. Hi', 'viz:x': 1.5}, {'id': 2, 'club': None, 'viz:x': None}]
    """
    rows = db.execute(
        "SELECT id, attributes FROM stakeholders WHERE pilot_id = ? ORDER BY id", [_pilot_id(db, pilot)]
    ).fetchall()
    kept = [(row_id, decode_attributes(text)) for row_id, text in rows]
    names = sorted({name for _, values in kept for name in values})
    records = [{"id": row_id, **{n: _shown_value(values.get(n)) for n in names}} for row_id, values in kept]
    return pd.DataFrame(records, columns=["id", *names]).astype(object).replace({np.nan: None})


def decode_attributes(text: str | None) -> dict:
    """Return the attributes a row keeps as JSON text (``lessons.ingest.attributes`` writes them), or ``{}``."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _shown_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


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
    """Build a graph with ``nodes`` and ``ties``, merged as the module doc says.

    ``nodes`` has column ``id`` plus attributes; ``ties`` has source, target, relation, directed, weight, period.
    Self-loops are dropped and counted in ``G.graph["self_loops"]``.
    """
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
    """Build the network of one pilot (``pilots.slug``): its ties of the chosen relations (all when empty) and period.

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
    """Build a graph from an edge list and an optional node table, merged as pilot networks are.

    The edge list has columns source and target, optionally weight, relation, period, directed; the node table has
    column ``id`` plus attributes such as name and sector.

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
    """Return the relation types of the ties of one pilot (slug), or of every pilot, sorted.

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
    """Return the edges of ``G`` as a frame (arcs of a directed graph, undirected ties once per direction).

    Columns: source, target, relation, weight, directed, period, ties.
    """
    rows = [
        (u, v, d.get("relation"), float(d.get("weight", 1.0)), bool(d.get("directed", G.is_directed())),
         d.get("period"), int(d.get("ties", 1)))
        for u, v, d in G.edges(data=True)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)

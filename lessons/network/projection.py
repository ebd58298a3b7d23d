"""Project a two-mode network (actors × events) onto its actors: two actors are tied by the events they share.

An affiliation list (one row per participation: organisation × project, person × event) is a bipartite graph; its
projection onto the actors is an ordinary one-mode network whose tie weight is the number of events the two actors
share (``networkx.algorithms.bipartite.weighted_projected_graph``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx
import pandas as pd
from networkx.algorithms import bipartite

__all__ = ["PROJECTED_COLUMNS", "affiliation_graph", "project_actors"]

#: Columns of :func:`project_actors`: one row per tie, ``source`` before ``target`` in the actors' order.
PROJECTED_COLUMNS = ["source", "target", "weight"]


def affiliation_graph(pairs: Iterable[tuple[str, str]], actors: Sequence[str] = ()) -> nx.Graph:
    """Build the bipartite graph of ``(actor, event)`` pairs; nodes are ``("actor", key)`` and ``("event", key)``.

    Actors get ``bipartite=0`` and events ``bipartite=1``; an actor listed in ``actors`` but in no pair is kept, alone.
    Tagging each node with its mode keeps an actor and an event of the same name apart.

    Examples
    --------
    >>> B = affiliation_graph([("Ann", "E1"), ("Bo", "E1"), ("Ann", "E2")])
    >>> sorted(B[("actor", "Ann")])
    [('event', 'E1'), ('event', 'E2')]
    """
    B = nx.Graph()
    B.add_nodes_from((("actor", a) for a in actors), bipartite=0)
    for actor, event in pairs:
        B.add_node(("actor", actor), bipartite=0)
        B.add_node(("event", event), bipartite=1)
        B.add_edge(("actor", actor), ("event", event))
    return B


def project_actors(pairs: Iterable[tuple[str, str]], actors: Sequence[str] = ()) -> pd.DataFrame:
    """Return the actors' projection of ``(actor, event)`` pairs: one row per pair of actors sharing an event.

    ``weight`` is the number of distinct events the two share. ``source`` comes before ``target`` in the order of
    ``actors`` (then of first appearance in ``pairs``); rows are sorted by source, then target, in that order.

    Parameters
    ----------
    pairs : iterable of (str, str)
        Who took part in what; a repeated pair counts once.
    actors : sequence of str
        The actors' order (and actors in no pair, who get no tie).

    Examples
    --------
    >>> project_actors([("Ann", "E1"), ("Bo", "E1"), ("Ann", "E2"), ("Bo", "E2"), ("Cy", "E2")])
      source target  weight
    0    Ann     Bo       2
    1    Ann     Cy       1
    2     Bo     Cy       1
    """
    pairs = list(pairs)
    order: dict[str, int] = {}
    for actor in [*actors, *(a for a, _ in pairs)]:
        order.setdefault(actor, len(order))
    B = affiliation_graph(pairs, list(order))
    projected = bipartite.weighted_projected_graph(B, [("actor", a) for a in order])
    rows = []
    for (_, u), (_, v), weight in projected.edges(data="weight"):
        if order[u] > order[v]:
            u, v = v, u
        rows.append((order[u], order[v], u, v, int(weight)))
    rows.sort()
    return pd.DataFrame([r[2:] for r in rows], columns=PROJECTED_COLUMNS).astype({"weight": "int64"})

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

The package, in the order data flows through it:

* :mod:`~lessons.network.graph`: a pilot's actors and ties from the store, merged into one graph;
* :mod:`~lessons.network.paths` and :mod:`~lessons.network.brokerage`: shortest paths and Gould–Fernandez roles,
  as sparse matrix products;
* :mod:`~lessons.network.metrics`: actor and network metrics built on them;
* :mod:`~lessons.network.layouts`: positions for drawing;
* :mod:`~lessons.network.storage`: the analysis of a pilot, computed once per network change and stored;
* :mod:`~lessons.network.comparison`: baseline against end, pilots side by side, shared organisations, and the
  lessons that concern an actor.
"""

from lessons.network.brokerage import BROKERAGE_ROLES, UNDIRECTED_BOUNDARY
from lessons.network.comparison import (
    CHANGE_METRICS,
    COMPARE_NAME,
    actor_lessons,
    change,
    compare_pilots,
    lesson_actors,
    shared_organisations,
)
from lessons.network.graph import (
    EDGE_COLUMNS,
    PERIODS,
    SEED,
    edge_frame,
    graph_from_edges,
    pilot_actors,
    pilot_attributes,
    pilot_graph,
    relations,
)
from lessons.network.layouts import LAYOUT_DENSE_LIMIT, layout
from lessons.network.metrics import (
    ACTOR_COLUMNS,
    BROKER_SHARE,
    CITIZENS,
    PAGERANK_TOL,
    PUBLIC,
    SCALAR_METRICS,
    actor_metrics,
    network_metrics,
    sector_mixing,
)
from lessons.network.paths import EXACT_LIMIT, SAMPLE_SOURCES
from lessons.network.storage import NetworkAnalysis, analysis, analysis_name, pilot_layout

__all__ = [
    "ACTOR_COLUMNS",
    "BROKERAGE_ROLES",
    "BROKER_SHARE",
    "CHANGE_METRICS",
    "CITIZENS",
    "COMPARE_NAME",
    "EDGE_COLUMNS",
    "EXACT_LIMIT",
    "LAYOUT_DENSE_LIMIT",
    "PAGERANK_TOL",
    "PERIODS",
    "PUBLIC",
    "SAMPLE_SOURCES",
    "SCALAR_METRICS",
    "SEED",
    "UNDIRECTED_BOUNDARY",
    "NetworkAnalysis",
    "actor_lessons",
    "actor_metrics",
    "analysis",
    "analysis_name",
    "change",
    "compare_pilots",
    "edge_frame",
    "graph_from_edges",
    "lesson_actors",
    "layout",
    "network_metrics",
    "pilot_actors",
    "pilot_attributes",
    "pilot_graph",
    "pilot_layout",
    "relations",
    "sector_mixing",
    "shared_organisations",
]

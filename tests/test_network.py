"""Stakeholder-network metrics on constructed networks with answers worked out by hand, on networkx's classic
networks against networkx itself and python-igraph (two independent implementations), and the stored analysis."""

from __future__ import annotations

import itertools
import json
import math
import zlib

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lessons import network
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.network import actor_metrics, graph_from_edges, network_metrics
from lessons.network.metrics import canonical_graph
from lessons.store import connect, data_version, open_store

# --- helpers -------------------------------------------------------------------------------------------------------


def from_networkx(G: nx.Graph, group: str | None = None) -> nx.Graph:
    """The same graph built through graph_from_edges (weights kept, 1 where there are none)."""
    edges = nx.to_pandas_edgelist(G)
    if "weight" not in edges:
        edges["weight"] = 1.0
    nodes = pd.DataFrame({"id": list(G)})
    if group:
        nodes["sector"] = [G.nodes[v][group] for v in G]
    return graph_from_edges(edges, nodes, directed=G.is_directed())


def to_igraph(G: nx.Graph) -> ig.Graph:
    """An igraph copy with vertices in networkx's node order and a weight on every edge."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    h = ig.Graph(n=len(nodes), directed=G.is_directed())
    edges = list(G.edges(data="weight", default=1.0))
    h.add_edges([(index[u], index[v]) for u, v, _ in edges])
    h.es["weight"] = [float(w) for _, _, w in edges]
    return h


def column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


def by_node(values: dict, G) -> np.ndarray:
    return np.array([values[v] for v in G], dtype=float)


CLASSICS = {
    "florentine": nx.florentine_families_graph,
    "karate": nx.karate_club_graph,
    "les_miserables": nx.les_miserables_graph,
}


@pytest.fixture(params=sorted(CLASSICS))
def classic(request):
    return request.param, CLASSICS[request.param]()


# --- against networkx ----------------------------------------------------------------------------------------------


def test_actor_metrics_equal_networkx_on_the_classics(classic):
    name, G = classic
    actors = actor_metrics(from_networkx(G))
    assert actors["id"].tolist() == list(G)
    assert actors["degree"].tolist() == [d for _, d in G.degree()]
    assert actors["in_degree"].tolist() == actors["out_degree"].tolist() == actors["degree"].tolist()
    np.testing.assert_allclose(column(actors, "weighted_degree"), by_node(dict(G.degree(weight="weight")), G))
    np.testing.assert_allclose(column(actors, "betweenness"), by_node(nx.betweenness_centrality(G), G), atol=1e-12)
    np.testing.assert_allclose(
        column(actors, "betweenness_raw"), by_node(nx.betweenness_centrality(G, normalized=False), G), atol=1e-9
    )
    np.testing.assert_allclose(column(actors, "closeness"), by_node(nx.closeness_centrality(G), G), atol=1e-12)
    np.testing.assert_allclose(
        column(actors, "eigenvector"), by_node(nx.eigenvector_centrality_numpy(G, weight="weight"), G), atol=1e-9
    )
    np.testing.assert_allclose(
        column(actors, "pagerank"), by_node(nx.pagerank(G, weight="weight", tol=1e-10), G), atol=1e-12
    )
    np.testing.assert_allclose(column(actors, "pagerank"), by_node(nx.pagerank(G, weight="weight"), G), atol=1e-4)


def test_network_metrics_equal_networkx_on_the_classics(classic):
    name, G = classic
    m = network_metrics(from_networkx(G))
    assert (m["nodes"], m["ties"], m["directed"]) == (G.number_of_nodes(), G.number_of_edges(), False)
    assert m["density"] == pytest.approx(nx.density(G), abs=1e-12)
    assert m["reciprocity"] is None
    assert m["components"] == nx.number_connected_components(G) == 1
    assert m["average_path_length"] == pytest.approx(nx.average_shortest_path_length(G), abs=1e-12)
    assert m["diameter"] == nx.diameter(G)
    assert m["transitivity"] == pytest.approx(nx.transitivity(G), abs=1e-12)
    canonical, _ = canonical_graph(from_networkx(G))  # Louvain runs on the nodes in key order (stable communities)
    partition = nx.community.louvain_communities(canonical, weight="weight", seed=network.SEED)
    assert m["modularity"] == pytest.approx(nx.community.modularity(G, partition, weight="weight"), abs=1e-12)
    assert m["communities"] == sum(len(c) > 1 for c in partition)


def test_known_values_of_the_classics():
    """The values the real-data notes give (networkx and igraph agree on them)."""
    florentine = actor_metrics(from_networkx(nx.florentine_families_graph())).set_index("id")
    assert florentine.loc["Medici", "degree"] == 6
    assert florentine.loc["Medici", "betweenness_raw"] == pytest.approx(47.5, abs=1e-9)
    assert florentine.loc["Medici", "betweenness"] == pytest.approx(0.521978, abs=1e-6)
    assert florentine["betweenness"].idxmax() == "Medici"
    assert florentine.loc["Medici", "closeness"] == pytest.approx(0.56, abs=1e-9)
    karate = actor_metrics(from_networkx(nx.karate_club_graph())).set_index("id")
    assert karate.loc[0, "betweenness_raw"] == pytest.approx(231.071429, abs=1e-6)
    assert karate.loc[33, "betweenness_raw"] == pytest.approx(160.551587, abs=1e-6)
    assert (karate.loc[0, "degree"], karate.loc[33, "degree"]) == (16, 17)
    assert network_metrics(from_networkx(nx.karate_club_graph()))["transitivity"] == pytest.approx(0.255682, abs=1e-6)


def test_directed_metrics_equal_networkx():
    D = nx.gnp_random_graph(80, 0.05, seed=3, directed=True)
    D.add_node(80)  # an isolate
    actors = actor_metrics(from_networkx(D))
    m = network_metrics(from_networkx(D))
    assert actors["in_degree"].tolist() == [d for _, d in D.in_degree()]
    assert actors["out_degree"].tolist() == [d for _, d in D.out_degree()]
    assert actors["degree"].tolist() == [d for _, d in D.degree()]
    np.testing.assert_allclose(column(actors, "betweenness"), by_node(nx.betweenness_centrality(D), D), atol=1e-12)
    np.testing.assert_allclose(column(actors, "closeness"), by_node(nx.closeness_centrality(D), D), atol=1e-12)
    np.testing.assert_allclose(column(actors, "pagerank"), by_node(nx.pagerank(D, tol=1e-10), D), atol=1e-12)
    assert m["reciprocity"] == pytest.approx(nx.reciprocity(D), abs=1e-12)
    assert m["components"] == nx.number_weakly_connected_components(D) == 2
    assert m["largest_component"] == 80
    assert m["isolates"] == 1 and m["active_actors"] == 80
    assert m["density"] == pytest.approx(nx.density(D))


def test_reciprocity_of_a_constructed_digraph():
    """a⇄b, b→c, c→a, c⇄d: 6 arcs, 4 of them with their reverse: 4/6."""
    edges = pd.DataFrame({"source": list("abccdc"), "target": list("bcadca")})
    G = graph_from_edges(edges.iloc[[0, 1, 2, 3, 4]], directed=True)
    G.add_edge("b", "a")
    m = network_metrics(G)
    assert G.number_of_edges() == 6
    assert m["reciprocity"] == pytest.approx(4 / 6) == nx.reciprocity(G)
    assert network_metrics(graph_from_edges(edges.iloc[[1]], directed=True))["reciprocity"] == 0.0
    assert network_metrics(graph_from_edges(edges.iloc[[1]], directed=False))["reciprocity"] is None


def test_betweenness_above_the_exact_limit_is_networkx_k_sample(monkeypatch):
    G = nx.powerlaw_cluster_graph(120, 3, 0.2, seed=5)
    monkeypatch.setattr("lessons.network.paths.EXACT_LIMIT", 100)
    monkeypatch.setattr("lessons.network.paths.SAMPLE_SOURCES", 30)
    actors = actor_metrics(from_networkx(G))
    assert actors.attrs["approximate"] is True
    assert network_metrics(from_networkx(G))["approximate"] is True
    expected = nx.betweenness_centrality(G, k=30, seed=network.SEED)
    np.testing.assert_allclose(column(actors, "betweenness"), by_node(expected, G), atol=1e-12)
    exact = by_node(nx.betweenness_centrality(G), G)
    assert np.corrcoef(column(actors, "betweenness"), exact)[0, 1] > 0.9
    closeness = by_node(nx.closeness_centrality(G), G)
    assert np.abs(column(actors, "closeness") - closeness).max() < 0.05


# --- against igraph ------------------------------------------------------------------------------------------------


def igraph_checks(G: nx.Graph, group: str | None = None):
    """Compare every metric igraph also computes, with igraph's own conventions translated."""
    ours = from_networkx(G, group)
    actors, m = actor_metrics(ours), network_metrics(ours)
    h = to_igraph(ours)
    n = h.vcount()
    directed = h.is_directed()
    assert actors["degree"].tolist() == h.degree(mode="all")
    assert actors["in_degree"].tolist() == h.degree(mode="in" if directed else "all")
    np.testing.assert_allclose(column(actors, "weighted_degree"), h.strength(mode="all", weights="weight"))
    # igraph's betweenness is raw (unordered pairs when undirected), networkx's normalised by (n-1)(n-2)[/2].
    raw = np.array(h.betweenness(directed=directed))
    np.testing.assert_allclose(column(actors, "betweenness_raw"), raw, atol=1e-9)
    scale = (n - 1) * (n - 2) / (1 if directed else 2)
    np.testing.assert_allclose(column(actors, "betweenness"), raw / scale, atol=1e-12)
    # igraph's closeness averages over the nodes reached; networkx (Wasserman–Faust) also scales by reach/(n-1).
    closeness = np.nan_to_num(np.array(h.closeness(mode="in" if directed else "all"), dtype=float))
    reach = np.array([len(h.subcomponent(v, mode="in")) - 1 for v in range(n)])
    np.testing.assert_allclose(column(actors, "closeness"), closeness * reach / (n - 1), atol=1e-12)
    np.testing.assert_allclose(
        column(actors, "pagerank"), h.pagerank(weights="weight", damping=0.85, directed=directed), atol=1e-9
    )
    if not np.isnan(column(actors, "eigenvector")).any():
        theirs = np.array(h.eigenvector_centrality(weights="weight", scale=True))  # in-ties when directed
        mine = column(actors, "eigenvector")
        np.testing.assert_allclose(mine / mine.max(), theirs / theirs.max(), atol=1e-6)
    assert m["density"] == pytest.approx(h.density(loops=False), abs=1e-12)
    if directed:
        assert m["reciprocity"] == pytest.approx(h.reciprocity(ignore_loops=True), abs=1e-12)
    components = h.connected_components(mode="weak")
    assert m["components"] == len(components)
    assert m["largest_component"] == max(components.sizes())
    largest = h.subgraph(max(components, key=len))
    assert m["average_path_length"] == pytest.approx(largest.average_path_length(directed=directed, unconn=True))
    assert m["diameter"] == largest.diameter(directed=directed, unconn=True)
    assert m["transitivity"] == pytest.approx(h.as_undirected().simplify().transitivity_undirected(), abs=1e-12)
    # Louvain communities, renumbered: actors alone in theirs (0) each form their own group.
    membership, alone = [], itertools.count(10_000)
    for c in actors["community"].tolist():
        membership.append(c if c else next(alone))
    assert m["modularity"] == pytest.approx(h.modularity(membership, weights="weight", directed=directed), abs=1e-12)
    return actors, m


def test_classics_agree_with_igraph(classic):
    igraph_checks(classic[1])


def test_directed_networks_agree_with_igraph():
    D = nx.gnp_random_graph(70, 0.06, seed=11, directed=True)
    D.add_nodes_from([70, 71])
    actors, m = igraph_checks(D)
    assert m["components"] >= 3
    scale_free = nx.DiGraph(nx.scale_free_graph(150, seed=4))
    scale_free.remove_edges_from(nx.selfloop_edges(scale_free))
    igraph_checks(scale_free)


def test_weighted_eigenvector_of_a_strongly_connected_digraph_agrees_with_igraph():
    D = nx.DiGraph([(0, 1, {"weight": 2.0}), (1, 2, {"weight": 1.0}), (2, 0, {"weight": 3.0}), (2, 1, {"weight": 1.0})])
    D.add_edge(1, 3, weight=1.0)
    D.add_edge(3, 0, weight=2.0)
    actors, _ = igraph_checks(D)
    assert not actors["eigenvector"].isna().any()


# --- definitions worked out by hand -----------------------------------------------------------------------------------


def test_eigenvector_is_nan_when_the_tied_actors_form_several_components():
    two = graph_from_edges(pd.DataFrame({"source": ["a", "c"], "target": ["b", "d"]}))
    assert actor_metrics(two)["eigenvector"].isna().all()
    one_and_an_isolate = graph_from_edges(
        pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}), pd.DataFrame({"id": ["a", "b", "c", "x"]})
    )
    values = actor_metrics(one_and_an_isolate).set_index("id")["eigenvector"]
    assert values["x"] == 0 and values["b"] > values["a"] > 0
    chain = graph_from_edges(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}), directed=True)
    assert actor_metrics(chain)["eigenvector"].isna().all()  # not strongly connected


def triad(groups: str, close: bool = False, reverse: bool = False) -> nx.DiGraph:
    edges = [("a", "b"), ("b", "c")] + ([("a", "c")] if close else []) + ([("c", "a")] if reverse else [])
    nodes = pd.DataFrame({"id": list("abc"), "sector": list(groups)})
    return graph_from_edges(pd.DataFrame(edges, columns=["source", "target"]), nodes, directed=True)


@pytest.mark.parametrize(
    "groups, role",
    [
        ("xxx", "coordinator"),  # all in one group
        ("xyx", "itinerant"),  # the broker outside the group of both ends
        ("xxy", "representative"),  # from the broker's own group out to another
        ("yxx", "gatekeeper"),  # from another group into the broker's own
        ("xyz", "liaison"),  # three groups
    ],
)
def test_gould_fernandez_roles_on_a_triad(groups, role):
    actors = actor_metrics(triad(groups)).set_index("id")
    broker = actors.loc["b"]
    assert broker[role] == 1 and broker["brokerage"] == 1
    assert sum(broker[r] for r in network.BROKERAGE_ROLES) == 1
    assert broker["brokerage_role"] == role
    assert broker["between_sectors"] == (role in ("representative", "gatekeeper", "liaison"))
    assert actors.loc["a", "brokerage"] == actors.loc["c", "brokerage"] == 0
    assert actors.loc["a", "brokerage_role"] == "none"
    # a tie a → c closes the two-path; a tie c → a does not (brokerage is about a reaching c)
    assert actor_metrics(triad(groups, close=True)).set_index("id").loc["b", "brokerage"] == 0
    reversed_ = actor_metrics(triad(groups, reverse=True)).set_index("id")
    assert reversed_.loc["b", role] == 1


def test_undirected_brokerage_counts_each_open_two_path_both_ways():
    nodes = pd.DataFrame({"id": list("abc"), "sector": ["public", "citizens", "research"]})
    G = graph_from_edges(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}), nodes)
    b = actor_metrics(G).set_index("id").loc["b"]
    assert (b["liaison"], b["brokerage"], b["between_sectors"]) == (2, 2, 1)
    nodes["sector"] = ["public", "public", "citizens"]
    b = actor_metrics(graph_from_edges(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}), nodes)).loc[1]
    assert (b["gatekeeper"], b["representative"], b["between_sectors"]) == (1, 1, 1)
    assert b["brokerage_role"] == network.UNDIRECTED_BOUNDARY


def brute_force_brokerage(G: nx.DiGraph) -> pd.DataFrame:
    group = nx.get_node_attributes(G, "sector")
    rows = []
    for v in G:
        counts = dict.fromkeys(network.BROKERAGE_ROLES, 0)
        for a in G.predecessors(v):
            for c in G.successors(v):
                if a == c or G.has_edge(a, c):
                    continue
                ga, gv, gc = group[a], group[v], group[c]
                if ga == gv == gc:
                    counts["coordinator"] += 1
                elif ga == gc:
                    counts["itinerant"] += 1
                elif ga == gv:
                    counts["representative"] += 1
                elif gv == gc:
                    counts["gatekeeper"] += 1
                else:
                    counts["liaison"] += 1
        rows.append(counts)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_brokerage_equals_counting_every_two_path(seed):
    rng = np.random.default_rng(seed)
    D = nx.gnp_random_graph(40, 0.12, seed=seed, directed=True)
    for v in D:
        D.nodes[v]["sector"] = str(rng.choice(["public", "private", "citizens", "research"]))
    actors = actor_metrics(from_networkx(D, "sector"))
    expected = brute_force_brokerage(D)
    for role in network.BROKERAGE_ROLES:
        assert actors[role].tolist() == expected[role].tolist(), role
    U = D.to_undirected()
    symmetric = brute_force_brokerage(U.to_directed())
    undirected = actor_metrics(from_networkx(U, "sector"))
    for role in network.BROKERAGE_ROLES:
        assert undirected[role].tolist() == symmetric[role].tolist(), role


def test_ei_index_worked_by_hand():
    """P1–P2 within the public sector; P1–C, P2–C and C–R across: E = 3, I = 1."""
    nodes = pd.DataFrame(
        {
            "id": ["P1", "P2", "C", "R", "H"],
            "sector": ["public", "public", "citizens", "research", "citizens"],
            "hard_to_reach": [False, False, True, False, True],
        }
    )
    edges = pd.DataFrame({"source": ["P1", "P1", "P2", "C"], "target": ["P2", "C", "C", "R"]})
    m = network_metrics(graph_from_edges(edges, nodes))
    assert m["ei_index"] == pytest.approx((3 - 1) / 4)
    assert m["ei_by_sector"] == {"citizens": 1.0, "public": pytest.approx(1 / 3), "research": 1.0}
    assert m["sector_mix"] == {"citizens": 2, "public": 2, "research": 1}
    assert m["sector_ties"] == {"public": {"public": 1}, "citizens": {"public": 2, "research": 1}}  # sorted pairs
    # citizens C (tied to both public actors) and H (tied to nobody): half are tied in
    assert m["citizens"] == 2 and m["citizens_tied_to_public"] == 0.5
    assert m["hard_to_reach_actors"] == 2 and m["hard_to_reach_tied_to_public"] == 0.5
    assert m["hard_to_reach_distance_to_public"] == 1.0 and m["hard_to_reach_unreachable"] == 1
    assert (m["isolates"], m["active_actors"], m["components"], m["largest_component"]) == (1, 4, 2, 4)


def test_distance_to_the_public_sector_ignores_direction():
    nodes = pd.DataFrame({"id": list("pabc"), "sector": ["public", "civil_society", "citizens", "citizens"],
                          "hard_to_reach": [False, False, True, True]})  # fmt: skip
    edges = pd.DataFrame({"source": ["a", "b", "c"], "target": ["p", "a", "b"]})
    m = network_metrics(graph_from_edges(edges, nodes, directed=True))
    assert m["hard_to_reach_distance_to_public"] == pytest.approx((2 + 3) / 2)
    assert m["hard_to_reach_tied_to_public"] == 0.0 and m["citizens_tied_to_public"] == 0.0


def test_centralisation_is_one_for_a_star_and_zero_for_a_ring():
    star, ring = network_metrics(nx.star_graph(6)), network_metrics(nx.cycle_graph(7))
    assert star["degree_centralisation"] == pytest.approx(1.0)
    assert star["betweenness_centralisation"] == pytest.approx(1.0)
    assert ring["degree_centralisation"] == pytest.approx(0.0)
    assert ring["betweenness_centralisation"] == pytest.approx(0.0, abs=1e-12)
    both_ways = network_metrics(nx.DiGraph(nx.star_graph(6)))
    assert both_ways["degree_centralisation"] == pytest.approx(1.0)
    assert both_ways["betweenness_centralisation"] == pytest.approx(1.0)
    assert network_metrics(nx.path_graph(2))["degree_centralisation"] is None


def test_brokers_are_the_high_betweenness_actors_between_sectors():
    """Two sector cliques joined through one actor x: x and the two clique members it ties to are the brokers."""
    G = nx.Graph()
    left, right = [f"p{i}" for i in range(5)], [f"c{i}" for i in range(5)]
    G.add_edges_from(itertools.combinations(left, 2))
    G.add_edges_from(itertools.combinations(right, 2))
    G.add_edges_from([("p0", "x"), ("x", "c0")])
    for v in G:
        G.nodes[v]["sector"] = {"p": "public", "c": "citizens", "x": "civil_society"}[v[0]]
    actors = actor_metrics(G).set_index("id")
    assert sorted(actors.index[actors["is_broker"]]) == ["c0", "p0", "x"]
    assert actors["betweenness"].idxmax() == "x" and actors.loc["x", "brokerage_role"] == "liaison"
    assert actors.loc["p0", "brokerage_role"] == network.UNDIRECTED_BOUNDARY
    assert actors.loc["p1", "brokerage"] == 0  # every two-path through p1 is closed
    G.add_edge("p0", "c0")  # a second bridge: x no longer brokers between the cliques
    actors = actor_metrics(G).set_index("id")
    assert actors.loc["x", "between_sectors"] == 0 and not actors.loc["x", "is_broker"]


def test_empty_and_tiny_networks():
    empty = nx.Graph()
    assert actor_metrics(empty).columns.tolist() == network.ACTOR_COLUMNS and actor_metrics(empty).empty
    m = network_metrics(empty)
    assert (m["nodes"], m["ties"], m["components"], m["average_path_length"], m["modularity"]) == (0, 0, 0, None, None)
    lonely = nx.Graph()
    lonely.add_nodes_from([1, 2, 3])
    actors, m = actor_metrics(lonely), network_metrics(lonely)
    assert actors["community"].tolist() == [0, 0, 0] and actors["eigenvector"].isna().all()
    assert (m["density"], m["components"], m["communities"], m["ei_index"]) == (0.0, 3, 0, None)
    json.dumps(m, allow_nan=False)


def test_communities_are_deterministic_and_numbered_by_size():
    G = nx.relaxed_caveman_graph(6, 7, 0.15, seed=2)
    first, second = actor_metrics(G), actor_metrics(G)
    assert first["community"].tolist() == second["community"].tolist()
    sizes = first["community"].value_counts().sort_index()
    assert sizes.index.min() == 1 and sizes.is_monotonic_decreasing


# --- graphs from the store ---------------------------------------------------------------------------------------------


def add_pilot(db, slug="north", actors=(), ties=()):
    """actors: (key, sector, hard_to_reach); ties: (source key, target key, relation, directed, weight, period)."""
    pilot = db["pilots"].insert({"slug": slug, "name": slug.title(), "country": "FI"}).last_pk
    ids = {}
    for key, sector, hard in actors:
        ids[key] = (
            db["stakeholders"]
            .insert({"pilot_id": pilot, "key": key, "name": f"Actor {key}", "sector": sector, "hard_to_reach": hard})
            .last_pk
        )
    for source, target, relation, directed, weight, period in ties:
        db["ties"].insert(
            {
                "pilot_id": pilot,
                "source_id": ids[source],
                "target_id": ids[target],
                "relation": relation,
                "directed": directed,
                "weight": weight,
                "period": period,
            }  # fmt: skip
        )
    return ids


ACTORS = [("A", "public", 0), ("B", "public", 0), ("C", "citizens", 1), ("D", "research", 0), ("E", "private", 0)]
TIES = [
    ("A", "B", "collaboration", 0, 2, "baseline"),
    ("A", "B", "collaboration", 0, 3, "end"),
    ("A", "C", "collaboration", 0, 1, "end"),
    ("C", "A", "information", 1, 4, "end"),
    ("B", "D", "funding", 1, 5, "baseline"),
    ("D", "C", "advice", 1, 2, "end"),
]


@pytest.fixture
def pilot(db):
    db.ids = add_pilot(db, actors=ACTORS, ties=TIES)
    return db


def test_pilot_graph_nodes_edges_and_merging(pilot):
    ids = pilot.ids
    end = network.pilot_graph(pilot, "north")
    assert end.is_directed()  # information, funding and advice ties are directed
    assert sorted(end) == sorted(ids.values())  # E has no tie and is still a node
    a, c = ids["A"], ids["C"]
    assert end.nodes[a] == {
        "key": "A", "name": "Actor A", "sector": "public", "sector_name": "Public sector", "hard_to_reach": False,
        "organisation_id": None, "organisation": None, "role": None, "pilot": "north",
    }  # fmt: skip
    assert end.nodes[c]["hard_to_reach"] is True
    # A–C collaboration (undirected, both arcs) merged with C → A information
    assert end.edges[c, a] == {"relation": "collaboration; information", "weight": 5.0, "directed": True,
                               "period": "end", "ties": 2}  # fmt: skip
    assert end.edges[a, c] == {"relation": "collaboration", "weight": 1.0, "directed": False, "period": "end",
                               "ties": 1}  # fmt: skip
    assert (ids["B"], ids["D"]) not in end.edges  # baseline only
    everything = network.pilot_graph(pilot, "north", period="all")
    # the same relation at baseline and at the end is one tie: the larger weight, not the sum
    assert everything.edges[ids["A"], ids["B"]]["weight"] == 3.0
    assert everything.edges[ids["A"], ids["B"]]["period"] == "baseline; end"
    collaboration = network.pilot_graph(pilot, "north", relations=["collaboration"])
    assert not collaboration.is_directed() and collaboration.number_of_edges() == 2
    funding_end = network.pilot_graph(pilot, "north", relations=["funding"], period="end")
    assert funding_end.is_directed() and funding_end.number_of_edges() == 0  # directed in any period
    assert network.relations(pilot, "north") == ["advice", "collaboration", "funding", "information"]
    assert network.relations(pilot) == ["advice", "collaboration", "funding", "information"]


def test_pilot_graph_refuses_unknown_pilots_and_periods(pilot):
    with pytest.raises(ValueError, match="no pilot 'south'"):
        network.pilot_graph(pilot, "south")
    with pytest.raises(ValueError, match="unknown period"):
        network.pilot_graph(pilot, "north", period="middle")
    assert network.pilot_graph(pilot, "north", period="2021-05-01").number_of_edges() == 0


def test_analysis_is_stored_and_recomputed_only_after_a_network_change(pilot, monkeypatch):
    first = network.analysis(pilot, "north")
    name = network.analysis_name("north", "end", ())
    stored = pilot.execute("SELECT data_version, payload FROM analysis_results WHERE name = ?", [name]).fetchone()
    assert stored[0] == first.data_version == data_version(pilot, "network")
    assert json.loads(zlib.decompress(stored[1]))["pilot"] == "north"  # JSON, not pickle

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed although the network did not change")

    monkeypatch.setattr("lessons.network.storage._compute_analysis", refuse)
    monkeypatch.setattr("lessons.network.storage.layout", refuse)
    again = network.analysis(pilot, "north")
    assert again.metrics == first.metrics
    pd.testing.assert_frame_equal(again.actors, first.actors)
    pd.testing.assert_frame_equal(again.edges, first.edges)
    pd.testing.assert_frame_equal(again.layout, first.layout)
    pilot["lessons"].insert({"pilot_id": 1, "key": "L1", "title": "T", "lesson": "x", "kind": "insight"})
    network.analysis(pilot, "north")  # a lesson is not a network change
    monkeypatch.undo()
    pilot["ties"].insert({"pilot_id": 1, "source_id": pilot.ids["E"], "target_id": pilot.ids["A"],
                          "relation": "advice", "directed": 1, "weight": 1, "period": "end"})  # fmt: skip
    third = network.analysis(pilot, "north")
    assert third.data_version > first.data_version
    assert third.metrics["ties"] == first.metrics["ties"] + 1


def test_analysis_round_trips_exactly(pilot):
    result = network.analysis(pilot, "north", relations=["collaboration", "information"], period="all")
    back = network.NetworkAnalysis.from_bytes(result.to_bytes())
    assert back.metrics == result.metrics and back.relations == ("collaboration", "information")
    for frame in ("actors", "edges", "layout"):
        pd.testing.assert_frame_equal(getattr(back, frame), getattr(result, frame))
    assert back.actors["eigenvector"].dtype == float and back.actors["is_broker"].dtype == bool
    assert result.actors.columns.tolist() == network.ACTOR_COLUMNS
    assert result.layout["id"].tolist() == sorted(pilot.ids.values())


def test_read_only_store_still_gets_an_answer(tmp_path):
    path = tmp_path / "n.db"
    db = open_store(path)
    add_pilot(db, actors=ACTORS, ties=TIES)
    db.close()
    readonly = connect(path, readonly=True)
    result = network.analysis(readonly, "north")
    assert result.metrics["nodes"] == 5
    assert readonly.execute("SELECT count(*) FROM analysis_results").fetchone()[0] == 0
    readonly.close()


def test_layout_is_stable_across_periods_and_relations(pilot):
    everything = network.analysis(pilot, "north", period="all")
    collaboration = network.analysis(pilot, "north", relations=["collaboration"], period="baseline")
    pd.testing.assert_frame_equal(everything.layout, collaboration.layout)
    assert everything.layout[["x", "y"]].min().min() >= 0 and everything.layout[["x", "y"]].max().max() <= 1


def test_layout_is_deterministic_and_fills_the_unit_square():
    G = nx.relaxed_caveman_graph(8, 6, 0.2, seed=1)
    first, second = network.layout(G), network.layout(G)
    pd.testing.assert_frame_equal(first, second)
    assert not first.equals(network.layout(G, seed=8))
    xy = first[["x", "y"]].to_numpy()
    assert xy.min() >= 0 and xy.max() <= 1
    assert max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1])) == pytest.approx(1.0)
    # tied actors end up nearer each other than untied ones
    position = dict(zip(first["id"], xy))
    tied = np.mean([np.linalg.norm(position[u] - position[v]) for u, v in G.edges()])
    pairs = [(u, v) for u, v in itertools.combinations(G, 2) if not G.has_edge(u, v)]
    assert tied < 0.5 * np.mean([np.linalg.norm(position[u] - position[v]) for u, v in pairs])


def test_large_layouts_take_the_grid_variant(monkeypatch):
    G = nx.powerlaw_cluster_graph(300, 2, 0.2, seed=1)
    monkeypatch.setattr("lessons.network.layouts.LAYOUT_DENSE_LIMIT", 100)
    first = network.layout(G)
    pd.testing.assert_frame_equal(first, network.layout(G))
    assert first[["x", "y"]].to_numpy().min() >= 0


def test_change_from_baseline_to_end(pilot):
    ids = pilot.ids
    found = network.change(pilot, "north")
    added = found["ties_added"]
    assert sorted(zip(added["source"], added["target"], added["relation"])) == [
        ("Actor A", "Actor C", "collaboration"),
        ("Actor C", "Actor A", "information"),
        ("Actor D", "Actor C", "advice"),
    ]
    removed = found["ties_removed"]
    assert removed[["source_id", "target_id", "relation", "weight"]].values.tolist() == [
        [ids["B"], ids["D"], "funding", 5.0]
    ]
    assert found["ties_reweighted"][["relation", "weight_baseline", "weight_end"]].values.tolist() == [
        ["collaboration", 2.0, 3.0]
    ]
    metrics = found["metrics"].set_index("metric")
    assert metrics.loc["active_actors"].tolist() == [3, 4, 1]
    assert metrics.loc["citizens_tied_to_public", "baseline"] == 0.0
    assert metrics.loc["citizens_tied_to_public", "end"] == 1.0
    actors = found["actors"].set_index("key")
    assert actors["status"].to_dict() == {"A": "stayed", "B": "stayed", "C": "joined", "D": "stayed", "E": "untied"}
    assert actors.loc["C", "degree_change"] == actors.loc["C", "degree_end"] > 0


def test_actor_left_the_network(db):
    add_pilot(db, actors=ACTORS[:3], ties=[("A", "B", "collaboration", 0, 1, "baseline"),
                                           ("A", "C", "collaboration", 0, 1, "end")])  # fmt: skip
    actors = network.change(db, "north")["actors"].set_index("key")
    assert actors["status"].to_dict() == {"A": "stayed", "B": "left", "C": "joined"}


def test_compare_pilots_is_stored_and_filters(pilot, monkeypatch):
    add_pilot(pilot, "south", actors=ACTORS[:3], ties=[("A", "B", "collaboration", 0, 1, "end")])
    table = network.compare_pilots(pilot)
    assert table["pilot"].tolist() == ["north", "south"]
    assert table.set_index("pilot").loc["south", "ties"] == 1
    assert table.set_index("pilot").loc["north", "directed"]
    monkeypatch.setattr(
        "lessons.network.comparison._compare_rows", lambda *a: (_ for _ in ()).throw(AssertionError("recomputed"))
    )
    assert network.compare_pilots(pilot, ["south"])["pilot"].tolist() == ["south"]
    with pytest.raises(ValueError, match="no pilot 'west'"):
        network.compare_pilots(pilot, ["west"])


def test_shared_organisations_and_their_links(db):
    orgs = {name: db["organisations"].insert({"name": name, "sector": "public"}).last_pk for name in "XYZW"}
    membership = {"p1": "XYZ", "p2": "XY", "p3": "XZW", "p4": "W"}
    for slug, names in membership.items():
        pilot = db["pilots"].insert({"slug": slug, "name": slug.upper(), "country": "FI"}).last_pk
        for k, name in enumerate(names):
            db["stakeholders"].insert({"pilot_id": pilot, "key": f"S{k}", "name": name, "sector": "public",
                                       "organisation_id": orgs[name]})  # fmt: skip
    found = network.shared_organisations(db)
    organisations = found["organisations"]
    assert organisations[["name", "pilots", "pilot_names"]].values.tolist() == [
        ["X", 3, "P1; P2; P3"], ["W", 2, "P3; P4"], ["Y", 2, "P1; P2"], ["Z", 2, "P1; P3"]
    ]  # fmt: skip
    links = found["links"]
    assert links[["source_name", "target_name", "pilots", "pilot_names"]].values.tolist() == [
        ["X", "Y", 2, "P1; P2"], ["X", "Z", 2, "P1; P3"], ["W", "X", 1, "P3"], ["W", "Z", 1, "P3"],
        ["Y", "Z", 1, "P1"],
    ]  # fmt: skip
    assert network.shared_organisations(db, min_pilots=4)["links"].empty


def test_lessons_of_an_actor_and_actors_of_a_lesson(pilot):
    lesson = pilot["lessons"].insert({"pilot_id": 1, "key": "L1", "title": "Champions", "lesson": "x",
                                      "kind": "enabler"}).last_pk  # fmt: skip
    pilot["lesson_stakeholders"].insert_all([{"lesson_id": lesson, "stakeholder_id": pilot.ids[k]} for k in ("C", "A")])
    assert network.actor_lessons(pilot, pilot.ids["C"])[["key", "title", "kind", "pilot", "pilot_name"]].values.tolist() == [
        ["L1", "Champions", "enabler", "north", "North"]
    ]  # fmt: skip
    assert network.actor_lessons(pilot, pilot.ids["E"]).empty
    actors = network.lesson_actors(pilot, lesson)
    assert actors[["key", "sector_name", "hard_to_reach", "pilot"]].values.tolist() == [
        ["A", "Public sector", False, "north"], ["C", "Citizens / service users", True, "north"]
    ]  # fmt: skip


def test_every_demo_pilot_is_analysed(demo_db):
    slugs = [r[0] for r in demo_db.execute("SELECT slug FROM pilots ORDER BY slug")]
    table = network.compare_pilots(demo_db)
    assert sorted(table["pilot"]) == slugs
    for slug in slugs:
        result = network.analysis(demo_db, slug)
        m = result.metrics
        assert (
            m["nodes"]
            == demo_db.execute(
                "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [slug]
            ).fetchone()[0]
        )
        assert 0 <= m["density"] <= 1 and m["components"] >= 1
        assert m["citizens_tied_to_public"] is None or 0 <= m["citizens_tied_to_public"] <= 1
        assert result.actors["betweenness"].between(0, 1).all()
        assert len(result.layout) == m["nodes"]
        json.dumps(m, allow_nan=False)
    found = network.change(demo_db, slugs[0])
    assert set(found) == {"ties_added", "ties_removed", "ties_reweighted", "metrics", "actors"}


# --- command line ------------------------------------------------------------------------------------------------------


def test_network_stats_json(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LESSONS_DB", raising=False)
    path = tmp_path / "n.db"
    db = open_store(path)
    add_pilot(db, actors=ACTORS, ties=TIES)
    db.close()
    assert main(["network-stats", "--pilot", "north", "--json", "--db", str(path)]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["pilot"] == "north" and out["period"] == "end" and out["relations"] == []
    assert out["network"]["nodes"] == 5 and out["network"]["directed"] is True
    assert len(out["actors"]) == 5 and set(network.ACTOR_COLUMNS) <= set(out["actors"][0])
    G = network.pilot_graph(connect(path), "north")
    expected = nx.betweenness_centrality(G)
    assert {a["id"]: a["betweenness"] for a in out["actors"]} == pytest.approx(expected)
    assert main(["network-stats", "--pilot", "north", "--relation", "collaboration", "--period", "all", "--json",
                 "--db", str(path)]) == EXIT_OK  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["relations"] == ["collaboration"] and out["network"]["directed"] is False


def test_network_stats_table_and_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LESSONS_DB", raising=False)
    path = tmp_path / "n.db"
    db = open_store(path)
    add_pilot(db, actors=ACTORS, ties=TIES)
    db.close()
    assert main(["network-stats", "--pilot", "north", "--db", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "density" in out and "Actor C" in out and "betweenness" in out
    assert main(["network-stats", "--pilot", "nowhere", "--db", str(path)]) == EXIT_INVALID
    assert "no pilot 'nowhere'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["network-stats", "--pilot", "north", "--period", "middle", "--db", str(path)])


def test_metrics_are_json_ready_and_finite(pilot):
    m = network.analysis(pilot, "north").metrics
    text = json.dumps(m, allow_nan=False)
    assert "NaN" not in text
    assert all(not isinstance(v, float) or math.isfinite(v) for v in m.values())


def test_a_pilot_without_stakeholders_and_actors_without_a_group(db):
    add_pilot(db, "empty")
    result = network.analysis(db, "empty")
    assert result.metrics["nodes"] == 0 and result.actors.empty and result.layout.empty
    assert network.NetworkAnalysis.from_bytes(result.to_bytes()).metrics == result.metrics
    m = network_metrics(graph_from_edges(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]})))
    assert m["sector_mix"] == {"": 3} and m["ei_by_sector"] == {"": -1.0} and m["sector_ties"] == {"": {"": 2}}

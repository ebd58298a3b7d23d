"""Network metrics on real networks, checked against networkx and python-igraph run directly on the files.

* The German toxic-chemicals policy network (chemnet: 30 typed actors, four directed relations, a two-mode actor ×
  forum membership) is copied whole into ``tests/fixtures/networks/chemnet_*`` (27 KB), so it runs everywhere.
* networkx's classic networks as files and the Horizon 2020 co-participation network (2,067 organisations, 20,634
  ties: the scale check) are read from the shared real-data folder, and skipped where it is absent (CI).
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lessons import network
from lessons.network import actor_metrics, graph_from_edges, network_metrics
from lessons.store import connect, open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "networks"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CHEMNET = REAL / "chemnet-policy-network"
CLASSICS = REAL / "networkx-classics"
H2020 = REAL / "cordis-h2020-participations" / "sc6_participations.csv"
RELATIONS = ("pol", "scito", "scifrom", "infrep")
TYPES = {"gov": "Government", "ig": "Interest group", "io": "International organisation", "par": "Party",
         "sci": "Scientific organisation"}  # fmt: skip

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"the shared real-data folder ({REAL}) is not here")


def chemnet_nodes() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "chemnet_nodes.csv")


def chemnet_edges(relation: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"chemnet_edges_{relation}.csv")


def chemnet_graph(relations=("pol",)) -> nx.DiGraph:
    """chemnet through graph_from_edges: actors with their type as the sector, the chosen relations merged."""
    edges = pd.concat([chemnet_edges(r).assign(relation=r) for r in relations], ignore_index=True)
    nodes = chemnet_nodes().rename(columns={"actor": "id", "type": "sector"})[["id", "sector"]]
    return graph_from_edges(edges, nodes, directed=True)


def to_igraph(G: nx.Graph) -> ig.Graph:
    index = {v: i for i, v in enumerate(G)}
    h = ig.Graph(n=len(index), directed=G.is_directed())
    edges = list(G.edges(data="weight", default=1.0))
    h.add_edges([(index[u], index[v]) for u, v, _ in edges])
    h.es["weight"] = [float(w) for _, _, w in edges]
    return h


def values(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


def brute_force_brokerage(G: nx.DiGraph, group: dict) -> pd.DataFrame:
    rows = []
    for v in G:
        counts = dict.fromkeys(network.BROKERAGE_ROLES, 0)
        for a, c in itertools.product(G.predecessors(v), G.successors(v)):
            if a == c or G.has_edge(a, c):
                continue
            ga, gv, gc = group[a], group[v], group[c]
            role = (
                "coordinator" if ga == gv == gc else "itinerant" if ga == gc else "representative" if ga == gv
                else "gatekeeper" if gv == gc else "liaison"
            )  # fmt: skip
            counts[role] += 1
        rows.append(counts)
    return pd.DataFrame(rows)


# --- chemnet: the fixture copy ----------------------------------------------------------------------------------------


@needs_real
def test_chemnet_fixtures_are_the_shared_files_unchanged():
    for fixture in sorted(FIXTURES.glob("chemnet_*")):
        original = CHEMNET / ("chemnet_pol.graphml" if fixture.name == "chemnet_pol.graphml" else fixture.name[8:])
        assert fixture.read_bytes() == original.read_bytes(), fixture.name


def test_chemnet_political_network_reproduces_the_published_values():
    G = chemnet_graph()
    m, actors = network_metrics(G), actor_metrics(G).set_index("id")
    assert (m["nodes"], m["ties"], m["directed"]) == (30, 342, True)
    assert m["density"] == pytest.approx(0.393103, abs=1e-6)
    assert m["reciprocity"] == pytest.approx(0.614035, abs=1e-6)
    top = actors.sort_values(["in_degree", "id"], ascending=[False, True])["in_degree"].head(3)
    assert top.to_dict() == {"BMJ": 24, "BMI": 23, "UBA": 22}
    assert actors["betweenness_raw"].idxmax() == "VCI"
    assert actors.loc["VCI", "betweenness_raw"] == pytest.approx(125.0638, abs=1e-4)
    mixing = m["sector_ties"]
    assert (mixing["gov"]["gov"], mixing["ig"]["gov"], mixing["sci"]["gov"]) == (86, 41, 34)
    edges = chemnet_edges("pol")
    kind = dict(zip(chemnet_nodes()["actor"], chemnet_nodes()["type"]))
    expected = edges.assign(a=edges["source"].map(kind), b=edges["target"].map(kind)).value_counts(["a", "b"])
    assert {(a, b): n for a, row in mixing.items() for b, n in row.items()} == expected.to_dict()
    assert sum(expected) == 342


def test_chemnet_against_networkx_and_igraph_on_the_graphml_file():
    G = chemnet_graph()
    actors, m = actor_metrics(G), network_metrics(G)
    reference = nx.read_graphml(FIXTURES / "chemnet_pol.graphml")
    assert sorted(reference) == sorted(G) and set(reference.edges) == set(G.edges)
    order = list(G)

    def nx_values(found):
        return np.array([found[v] for v in order])

    np.testing.assert_allclose(
        values(actors, "betweenness"), nx_values(nx.betweenness_centrality(reference)), atol=1e-12
    )
    np.testing.assert_allclose(values(actors, "closeness"), nx_values(nx.closeness_centrality(reference)), atol=1e-12)
    np.testing.assert_allclose(values(actors, "pagerank"), nx_values(nx.pagerank(reference, tol=1e-10)), atol=1e-12)
    assert nx.is_strongly_connected(reference)
    np.testing.assert_allclose(
        values(actors, "eigenvector"), nx_values(nx.eigenvector_centrality_numpy(reference)), atol=1e-9
    )
    assert actors["in_degree"].tolist() == [reference.in_degree(v) for v in order]
    assert m["density"] == pytest.approx(nx.density(reference))
    assert m["reciprocity"] == pytest.approx(nx.reciprocity(reference))
    assert m["average_path_length"] == pytest.approx(nx.average_shortest_path_length(reference))
    assert m["transitivity"] == pytest.approx(nx.transitivity(reference.to_undirected()))

    h = ig.Graph.Read_GraphML(str(FIXTURES / "chemnet_pol.graphml"))
    position = {name: i for i, name in enumerate(h.vs["id"])}
    at = [position[v] for v in order]
    assert (h.vcount(), h.ecount()) == (30, 342)
    np.testing.assert_allclose(values(actors, "betweenness_raw"), np.array(h.betweenness())[at], atol=1e-9)
    np.testing.assert_allclose(values(actors, "closeness"), np.array(h.closeness(mode="in"))[at], atol=1e-12)
    np.testing.assert_allclose(values(actors, "pagerank"), np.array(h.pagerank())[at], atol=1e-9)
    eigen = np.array(h.eigenvector_centrality(scale=True))[at]
    np.testing.assert_allclose(values(actors, "eigenvector") / values(actors, "eigenvector").max(), eigen, atol=1e-6)
    assert actors["in_degree"].tolist() == np.array(h.degree(mode="in"))[at].tolist()
    assert m["density"] == pytest.approx(h.density())
    assert m["reciprocity"] == pytest.approx(h.reciprocity())
    assert m["average_path_length"] == pytest.approx(h.average_path_length(directed=True))
    assert m["diameter"] == h.diameter(directed=True)
    assert m["transitivity"] == pytest.approx(h.as_undirected().simplify().transitivity_undirected())
    membership = [c if c else 1000 + i for i, c in enumerate(actors["community"])]
    assert m["modularity"] == pytest.approx(to_igraph(G).modularity(membership, weights="weight", directed=True))


def test_chemnet_brokerage_and_ei_by_actor_type():
    G = chemnet_graph()
    kind = dict(zip(chemnet_nodes()["actor"], chemnet_nodes()["type"]))
    actors = actor_metrics(G)
    expected = brute_force_brokerage(G, kind)
    for role in network.BROKERAGE_ROLES:
        assert actors[role].tolist() == expected[role].tolist(), role
    assert actors["brokerage"].sum() > 0 and actors["is_broker"].sum() >= 1
    edges = chemnet_edges("pol")
    same = edges["source"].map(kind) == edges["target"].map(kind)
    m = network_metrics(G)
    assert m["ei_index"] == pytest.approx(((~same).sum() - same.sum()) / len(edges))
    for group in TYPES:
        touches = (edges["source"].map(kind) == group) | (edges["target"].map(kind) == group)
        internal = (touches & same).sum()
        external = (touches & ~same).sum()
        assert m["ei_by_sector"][group] == pytest.approx((external - internal) / (external + internal)), group


def test_chemnet_all_four_relations_merged():
    """The union of the four directed relations: unweighted measures as networkx on the union of arcs; an arc's
    weight is the number of relations it carries (networkx's multigraph degree)."""
    G = chemnet_graph(RELATIONS)
    multi = nx.MultiDiGraph()
    multi.add_nodes_from(chemnet_nodes()["actor"])
    for relation in RELATIONS:
        multi.add_edges_from(chemnet_edges(relation).itertuples(index=False, name=None))
    union = nx.DiGraph(multi)
    actors = actor_metrics(G)
    order = list(G)
    assert set(G.edges) == set(union.edges)
    assert actors["weighted_degree"].tolist() == [float(multi.degree(v)) for v in order]
    betweenness = nx.betweenness_centrality(union)
    np.testing.assert_allclose(values(actors, "betweenness"), [betweenness[v] for v in order], atol=1e-12)
    assert G.edges["BMI", "BMJ"]["relation"] == "; ".join(
        sorted(r for r in RELATIONS if (chemnet_edges(r)[["source", "target"]] == ["BMI", "BMJ"]).all(axis=1).any())
    )


def test_self_loops_are_dropped_and_counted():
    """infrep's 13 self-nominations were left out of the file; given any, they are dropped explicitly."""
    edges = pd.concat([chemnet_edges("infrep"), pd.DataFrame({"source": ["BMI", "UBA"], "target": ["BMI", "UBA"]})])
    G = graph_from_edges(edges, directed=True)
    assert G.graph["self_loops"] == 2 and nx.number_of_selfloops(G) == 0
    assert G.number_of_edges() == 283
    assert network_metrics(G)["self_loops_dropped"] == 2


def load_chemnet(db) -> str:
    """chemnet as a pilot: the actor types added to the sector vocabulary, the four relations as directed ties."""
    db["sectors"].insert_all([{"code": code, "name": name} for code, name in TYPES.items()])
    pilot = db["pilots"].insert({"slug": "chemnet", "name": "Chemicals policy, 1983/84", "country": "DE"}).last_pk
    ids = {}
    for row in chemnet_nodes().itertuples(index=False):
        ids[row.actor] = (
            db["stakeholders"]
            .insert({"pilot_id": pilot, "key": row.actor, "name": row.actor, "sector": row.type})
            .last_pk
        )
    for relation in RELATIONS:
        db["ties"].insert_all(
            {"pilot_id": pilot, "source_id": ids[s], "target_id": ids[t], "relation": relation, "directed": 1,
             "weight": 1, "period": "end"}
            for s, t in chemnet_edges(relation).itertuples(index=False)
        )  # fmt: skip
    return "chemnet"


def test_chemnet_through_the_store_gives_the_same_answer(db):
    slug = load_chemnet(db)
    assert network.relations(db, slug) == sorted(RELATIONS)
    stored = network.analysis(db, slug, relations=["pol"])
    direct = actor_metrics(chemnet_graph())
    assert stored.actors["key"].tolist() == direct["id"].tolist()
    for name in ("degree", "in_degree", "betweenness", "closeness", "pagerank", "eigenvector", "brokerage"):
        np.testing.assert_allclose(values(stored.actors, name), values(direct, name), atol=1e-12)
    assert stored.metrics["density"] == pytest.approx(0.393103, abs=1e-6)
    assert stored.metrics["sector_mix"] == {"gov": 11, "ig": 7, "io": 3, "par": 3, "sci": 6}
    everything = network.analysis(db, slug)
    assert everything.metrics["ties"] == chemnet_graph(RELATIONS).number_of_edges()


def test_chemnet_forums_as_pilots_give_the_two_mode_projection(db):
    """Each policy forum stands in for a pilot and each actor for an organisation active in several of them."""
    members = pd.read_csv(FIXTURES / "chemnet_committee_membership.csv")
    kind = dict(zip(chemnet_nodes()["actor"], chemnet_nodes()["type"]))
    db["sectors"].insert_all([{"code": code, "name": name} for code, name in TYPES.items()])
    orgs = {a: db["organisations"].insert({"name": a, "sector": kind[a]}).last_pk for a in sorted(kind)}
    for k, (forum, group) in enumerate(members.groupby("forum")):
        pilot = db["pilots"].insert({"slug": f"forum-{k}", "name": forum, "country": "DE"}).last_pk
        db["stakeholders"].insert_all(
            {"pilot_id": pilot, "key": a, "name": a, "sector": kind[a], "organisation_id": orgs[a]}
            for a in group["actor"]
        )
    found = network.shared_organisations(db, min_pilots=1)
    B = nx.Graph()
    B.add_edges_from(members.itertuples(index=False, name=None))
    projected = nx.bipartite.weighted_projected_graph(B, sorted(set(members["actor"])))
    assert len(found["links"]) == projected.number_of_edges() == 288
    links = {frozenset((r.source_name, r.target_name)): r.pilots for r in found["links"].itertuples()}
    assert links == {frozenset((a, b)): w for a, b, w in projected.edges(data="weight")}
    sizes = members["forum"].value_counts()
    assert sizes[["EU APP", "EU COR"]].tolist() == [16, 16] and sizes.max() == 16
    organisations = found["organisations"].set_index("name")
    assert organisations["pilots"].to_dict() == members["actor"].value_counts().to_dict()
    two_or_more = network.shared_organisations(db)["organisations"]
    assert set(two_or_more["name"]) == {a for a, n in members["actor"].value_counts().items() if n >= 2}


# --- networkx's classics as files -------------------------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize("name", ["florentine_families", "karate_club", "les_miserables"])
def test_classics_files_against_networkx_and_igraph(name):
    path = CLASSICS / f"{name}.graphml"
    reference = nx.read_graphml(path)
    edges = nx.to_pandas_edgelist(reference)
    if "weight" not in edges:
        edges["weight"] = 1.0
    G = graph_from_edges(edges, pd.DataFrame({"id": list(reference)}))
    actors, m = actor_metrics(G), network_metrics(G)
    order = list(G)
    np.testing.assert_allclose(
        values(actors, "betweenness"), [nx.betweenness_centrality(reference)[v] for v in order], atol=1e-12
    )
    np.testing.assert_allclose(
        values(actors, "closeness"), [nx.closeness_centrality(reference)[v] for v in order], atol=1e-12
    )
    assert m["transitivity"] == pytest.approx(nx.transitivity(reference))
    h = ig.Graph.Read_GraphML(str(path))
    position = {v: i for i, v in enumerate(h.vs["id"])}
    at = [position[v] for v in order]
    np.testing.assert_allclose(values(actors, "betweenness_raw"), np.array(h.betweenness())[at], atol=1e-9)
    np.testing.assert_allclose(values(actors, "closeness"), np.array(h.closeness())[at], atol=1e-12)
    assert m["average_path_length"] == pytest.approx(h.average_path_length())
    assert (m["nodes"], m["ties"]) == (h.vcount(), h.ecount())
    if name == "florentine_families":
        assert actors.set_index("id").loc["Medici", "betweenness_raw"] == pytest.approx(47.5)
    if name == "karate_club":
        assert actors.set_index("id").loc["0", "betweenness_raw"] == pytest.approx(231.071429, abs=1e-6)
    if name == "les_miserables":
        assert actors.set_index("id")["degree"].idxmax() == "Valjean"
        assert actors["weighted_degree"].sum() / 2 == 820


@needs_real
def test_davis_southern_women_events_as_pilots(db):
    """The two-mode women × events network: women projected through the events they attended (139 links)."""
    B = nx.read_graphml(CLASSICS / "davis_southern_women.graphml")
    women = sorted(v for v, side in B.nodes(data="bipartite") if side == 0)
    orgs = {w: db["organisations"].insert({"name": w, "sector": "citizens"}).last_pk for w in women}
    for k, event in enumerate(sorted(v for v, side in B.nodes(data="bipartite") if side == 1)):
        pilot = db["pilots"].insert({"slug": f"event-{k}", "name": event, "country": "US"}).last_pk
        db["stakeholders"].insert_all(
            {"pilot_id": pilot, "key": w, "name": w, "sector": "citizens", "organisation_id": orgs[w]} for w in B[event]
        )
    found = network.shared_organisations(db, min_pilots=1)
    assert len(found["links"]) == 139
    assert found["organisations"].set_index("name").loc["Theresa Anderson", "pilots"] == 8


# --- Horizon 2020 co-participation: the scale check --------------------------------------------------------------------


@pytest.fixture(scope="module")
def h2020():
    if not H2020.is_file():
        pytest.skip(f"the shared real-data folder ({REAL}) is not here")
    rows = pd.read_csv(H2020)
    pairs = rows[["rcn", "pic"]].drop_duplicates()
    both = pairs.merge(pairs, on="rcn")
    both = both[both["pic_x"] < both["pic_y"]]
    edges = both.groupby(["pic_x", "pic_y"]).size().reset_index(name="weight")
    edges = edges.rename(columns={"pic_x": "source", "pic_y": "target"}).astype({"weight": float})
    kinds = rows.drop_duplicates("pic").set_index("pic")["type"]
    nodes = pd.DataFrame({"id": sorted(kinds.index)})
    nodes["sector"] = nodes["id"].map(kinds)
    return rows, nodes, edges


def test_h2020_co_participation_network_at_scale(h2020):
    rows, nodes, edges = h2020
    assert rows["type"].value_counts().to_dict() == {"HES": 1683, "REC": 728, "PRC": 582, "OTH": 507, "PUB": 391}
    G = graph_from_edges(edges, nodes)
    started = time.perf_counter()
    actors = actor_metrics(G)
    actor_seconds = time.perf_counter() - started
    started = time.perf_counter()
    m = network_metrics(G)
    network_seconds = time.perf_counter() - started
    print(f"\nH2020 SC6: {m['nodes']:,} organisations, {m['ties']:,} ties: actor_metrics {actor_seconds:.2f} s, "
          f"network_metrics {network_seconds:.2f} s")  # fmt: skip
    assert (m["nodes"], m["ties"], m["components"], m["largest_component"]) == (2067, 20634, 112, 1940)
    assert actors.set_index("id")["degree"].idxmax() == 999991334
    assert actors["degree"].max() == 253 and not actors.attrs["approximate"]

    h = to_igraph(G)
    started = time.perf_counter()
    raw = np.array(h.betweenness())
    print(f"igraph betweenness {time.perf_counter() - started:.2f} s")
    np.testing.assert_allclose(values(actors, "betweenness_raw"), raw, atol=1e-6)
    n = h.vcount()
    np.testing.assert_allclose(values(actors, "betweenness"), raw / ((n - 1) * (n - 2) / 2), atol=1e-12)
    reach = np.array([len(c) - 1 for c in h.connected_components()])[h.connected_components().membership]
    closeness = np.nan_to_num(np.array(h.closeness(), dtype=float))
    np.testing.assert_allclose(values(actors, "closeness"), closeness * reach / (n - 1), atol=1e-12)
    assert actors["degree"].tolist() == h.degree()
    largest = h.subgraph(max(h.connected_components(), key=len))
    assert m["average_path_length"] == pytest.approx(largest.average_path_length())
    assert m["diameter"] == largest.diameter()
    assert m["transitivity"] == pytest.approx(h.transitivity_undirected())
    membership = [c if c else 100_000 + i for i, c in enumerate(actors["community"])]
    assert m["modularity"] == pytest.approx(h.modularity(membership, weights="weight"))
    # networkx itself on a few organisations (its betweenness on the whole network would take about a minute)
    order = list(G)
    for position in [0, int(np.argmax(actors["degree"])), 1000]:
        node = order[position]
        assert actors["closeness"].iloc[position] == pytest.approx(nx.closeness_centrality(G, u=node))


def test_h2020_as_a_pilot_through_the_store(h2020, tmp_path):
    """The same network as one pilot's stakeholders and ties: analysed once and stored, then loaded."""
    _, nodes, edges = h2020
    sector = {"HES": "research", "REC": "research", "PRC": "private", "PUB": "public", "OTH": "civil_society"}
    path = tmp_path / "h2020.db"
    db = open_store(path)
    pilot = db["pilots"].insert({"slug": "h2020-sc6", "name": "H2020 SC6", "country": "BE"}).last_pk
    db["stakeholders"].insert_all(
        {"id": int(i), "pilot_id": pilot, "key": str(i), "name": f"PIC {i}", "sector": sector[t]}
        for i, t in zip(nodes["id"], nodes["sector"])
    )
    db["ties"].insert_all(
        {"pilot_id": pilot, "source_id": int(s), "target_id": int(t), "relation": "co-participation",
         "directed": 0, "weight": w, "period": "end"}
        for s, t, w in edges.itertuples(index=False)
    )  # fmt: skip
    started = time.perf_counter()
    result = network.analysis(db, "h2020-sc6")
    computed = time.perf_counter() - started
    db.close()
    readonly = connect(path, readonly=True)
    started = time.perf_counter()
    again = network.analysis(readonly, "h2020-sc6")
    loaded = time.perf_counter() - started
    readonly.close()
    print(f"\nH2020 SC6 as a pilot: analysis {computed:.2f} s (metrics {result.seconds:.2f} s), stored load "
          f"{loaded * 1000:.0f} ms")  # fmt: skip
    assert again.metrics == result.metrics
    assert (result.metrics["nodes"], result.metrics["ties"], result.metrics["components"]) == (2067, 20634, 112)
    public = nodes["sector"] == "PUB"
    assert result.metrics["sector_mix"]["public"] == int(public.sum())
    assert len(result.layout) == 2067

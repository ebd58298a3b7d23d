"""Reading stakeholder networks: GraphML, GEXF (as Gephi writes it) and CSV edge lists.

Real files first (the shared real-data folder, skipped where it is absent, plus small extracts in
``tests/fixtures/networks``), then one tiny inline document per rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from lessons.ingest.networks import limits, read_edge_list, read_gexf, read_graphml, read_network
from lessons.ingest.problems import Problem
from tests.realdata import REALDATA, needs_realdata

REAL = REALDATA
FIXTURES = Path(__file__).parent / "fixtures" / "networks"
GEPHI = REAL / "gephi-gexf-samples"
CLASSICS = REAL / "networkx-classics"
CHEMNET = REAL / "chemnet-policy-network"

needs_real = needs_realdata


def messages(net, severity=None):
    return [p.message for p in net.problems if severity is None or p.severity == severity]


def errors(net):
    return [p for p in net.problems if p.severity == "error"]


def warnings(net):
    return [p for p in net.problems if p.severity == "warning"]


def degree(net, key):
    return sum((t["source"] == key) + (t["target"] == key) for t in net.ties)


def count_elements(data: bytes) -> tuple[int, int]:
    """An independent count of <node>/<edge> start tags, by regular expression."""
    text = data.decode("utf-8")
    return len(re.findall(r"<node[\s>/]", text)), len(re.findall(r"<edge[\s>/]", text))


# --- real files: Gephi GEXF ---------------------------------------------------------------------------------------


@needs_real
def test_gephi_09_gexf_13_reads_completely():
    data = (GEPHI / "lesmis_gephi09_gexf13.gexf").read_bytes()
    net = read_network(data, "lesmis.gexf")
    assert [p.message for p in net.problems] == ["Not kept from the file: the file's meta data (creator 'Gephi 0.9')."]
    assert (len(net.stakeholders), len(net.ties)) == (77, 254) == count_elements(data)  # PROVENANCE.md: 77 and 254
    names = {s["key"]: s["name"] for s in net.stakeholders}
    assert names["11"] == "Valjean" and len(set(names.values())) == 77
    assert degree(net, "11") == 36
    assert len({s["attributes"]["Modularity Class"] for s in net.stakeholders}) == 9
    assert sum(t["weight"] or 1.0 for t in net.ties) == 820  # an edge without weight weighs 1 in GEXF
    assert not any(t["directed"] for t in net.ties)


@needs_real
def test_gephi_08_gexf_11_reads_completely_and_reports_undeclared_attributes():
    data = (GEPHI / "miserables_gephi08_gexf11.gexf").read_bytes()
    net = read_network(data, "miserables.gexf")
    assert errors(net) == []
    assert (len(net.stakeholders), len(net.ties)) == (77, 254) == count_elements(data)
    valjean = next(s for s in net.stakeholders if s["name"] == "Valjean")
    assert valjean["key"] == "11.0" and degree(net, "11.0") == 36
    assert valjean["attributes"]["image"].startswith("https://upload.wikimedia.org/")
    assert valjean["attributes"]["url"].startswith("Wikipedia: ")
    undeclared = {p.column: p for p in warnings(net) if p.column}
    assert set(undeclared) == {"image", "url", "weight"}
    assert [p.message for p in warnings(net) if not p.column] == [
        "Not kept from the file: the file's meta data (creator 'Gephi 0.8')."
    ]
    assert "(2 nodes)" in undeclared["image"].message and undeclared["image"].row == 105
    assert "(254 edges)" in undeclared["weight"].message
    assert all(t["weight"] is not None for t in net.ties)  # the undeclared 'weight' attvalue is still the weight
    assert not any("weight" in t["attributes"] for t in net.ties)  # Gephi 0.8 wrote it twice; one copy is kept


def test_gephi_extracts_read_the_same_in_both_versions():
    old = read_gexf((FIXTURES / "miserables_gephi08_gexf11_extract.gexf").read_bytes(), "old.gexf")
    new = read_gexf((FIXTURES / "lesmis_gephi09_gexf13_extract.gexf").read_bytes(), "new.gexf")
    assert errors(old) == errors(new) == [] and [p.column for p in warnings(new)] == [None]  # the meta data
    assert sorted(s["name"] for s in old.stakeholders) == sorted(s["name"] for s in new.stakeholders)
    assert (len(old.stakeholders), len(old.ties)) == (len(new.stakeholders), len(new.ties)) == (6, 8)
    assert {p.column for p in warnings(old)} == {"image", "url", "weight", None}
    valjean = next(s for s in new.stakeholders if s["name"] == "Valjean")
    drawing = {"viz:size": 100.0, "viz:x": -114.95767, "viz:y": -28.325005, "viz:color": "#f55b5b"}  # Gephi's viz:
    assert valjean == {
        "key": "11", "name": "Valjean", "sector": None, "hard_to_reach": None, "role": None, "organisation": None,
        "pilot": None, "attributes": {"Modularity Class": 1, **drawing}, "_row": 12, "_pilot": {},
    }  # fmt: skip
    assert new.ties[1] == {  # an edge id that only numbers the edges (Gephi's 0, 1, …) carries nothing
        "source": "2", "target": "0", "pilot": None, "relation": None, "directed": False, "weight": 8.0,
        "period": None, "attributes": {}, "_row": 63,
    }  # fmt: skip


# --- real files: GraphML written by networkx, yEd -----------------------------------------------------------------


@needs_real
@pytest.mark.parametrize(
    "name, nodes, edges",
    [
        ("karate_club", 34, 78),
        ("florentine_families", 15, 20),
        ("les_miserables", 77, 254),
        ("davis_southern_women", 32, 89),
    ],
)
def test_classic_graphml_matches_networkx(name, nodes, edges):
    path = CLASSICS / f"{name}.graphml"
    net = read_graphml(path.read_bytes(), path.name)
    graph = nx.read_graphml(path)
    graph_data = {"karate_club": ["Not kept from the file: the graph's name ('Zachary's Karate Club')."]}
    assert [p.message for p in net.problems] == graph_data.get(name, [])
    assert (
        (len(net.stakeholders), len(net.ties)) == (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    )
    assert {s["key"] for s in net.stakeholders} == set(graph.nodes)
    assert sorted(tuple(sorted((t["source"], t["target"]))) for t in net.ties) == sorted(
        tuple(sorted(e)) for e in graph.edges
    )
    weights = sum(d.get("weight", 0) for *_, d in graph.edges(data=True))
    assert sum(t["weight"] or 0 for t in net.ties) == weights


@needs_real
def test_classic_graphml_attributes():
    karate = read_graphml((CLASSICS / "karate_club.graphml").read_bytes(), "karate.graphml")
    assert Counter(s["attributes"]["club"] for s in karate.stakeholders) == {"Mr. Hi": 17, "Officer": 17}
    assert degree(karate, "0") == 16 and degree(karate, "33") == 17
    davis = read_graphml((CLASSICS / "davis_southern_women.graphml").read_bytes(), "davis.graphml")
    assert Counter(s["attributes"]["bipartite"] for s in davis.stakeholders) == {0: 18, 1: 14}
    assert degree(davis, "Theresa Anderson") == 8 and degree(davis, "E8") == 14
    lesmis = read_graphml((CLASSICS / "les_miserables.graphml").read_bytes(), "lesmis.graphml")
    assert sum(t["weight"] for t in lesmis.ties) == 820 and degree(lesmis, "Valjean") == 36


@needs_real
def test_chemnet_graphml_type_becomes_sector():
    path = CHEMNET / "chemnet_pol.graphml"
    net = read_graphml(path.read_bytes(), path.name)
    graph = nx.read_graphml(path)
    assert net.problems == []
    assert (len(net.stakeholders), len(net.ties)) == (graph.number_of_nodes(), graph.number_of_edges()) == (30, 342)
    assert all(t["directed"] for t in net.ties)
    sector = {s["key"]: s["sector"] for s in net.stakeholders}
    assert Counter(sector.values()) == {"gov": 11, "ig": 7, "io": 3, "par": 3, "sci": 6}  # PROVENANCE.md
    assert all(s["attributes"] == {} for s in net.stakeholders)  # 'type' went to sector, not kept twice
    mixing = Counter((sector[t["source"]], sector[t["target"]]) for t in net.ties)
    assert (mixing["gov", "gov"], mixing["ig", "gov"], mixing["sci", "gov"]) == (86, 41, 34)
    in_degree = Counter(t["target"] for t in net.ties)
    assert (in_degree["BMJ"], in_degree["BMI"], in_degree["UBA"]) == (24, 23, 22)


def test_yed_labels_become_names():
    path = FIXTURES / "yed_yfiles27_networkx_test.graphml"
    net = read_network(path.read_bytes(), path.name)
    graph = nx.read_graphml(path)
    assert [p.message for p in net.problems] == [
        "Not kept from the file: yEd's drawing (positions, colours, shapes of nodes and edges)."
    ]
    assert [(s["key"], s["name"]) for s in net.stakeholders] == [(n, d["label"]) for n, d in graph.nodes(data=True)]
    assert (
        net.stakeholders[2]["role"] == "description\nline1\nline2"
    )  # a 'description' key is the house's alias of role
    assert [(t["source"], t["target"], t["directed"], t["attributes"]) for t in net.ties] == [
        ("n0", "n1", True, {})  # yEd's edge id e0 only numbers the edges
    ]


def test_yed_groups_are_flattened_with_their_parent_kept():
    path = FIXTURES / "yed317_groups_networkx_test.graphml"
    net = read_network(path.read_bytes(), path.name)
    graph = nx.read_graphml(path)
    assert (len(net.stakeholders), len(net.ties)) == (graph.number_of_nodes(), graph.number_of_edges()) == (9, 4)
    assert errors(net) == [] and "nested graphs" in messages(net, "warning")[0]
    group = {s["key"]: s for s in net.stakeholders}
    assert group["n1::n0::n1"]["attributes"]["parent"] == "n1::n0" and group["n1::n0"]["name"] == "Group 1"
    assert all(s["attributes"]["CustomProperty"] == "CustomPropertyValue" for s in net.stakeholders)
    assert all("description" not in s["attributes"] for s in net.stakeholders)  # <data key="d6"/> is empty: no data


# --- real files: CSV edge lists -----------------------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize(
    "name, nodes, edges", [("florentine_families_edges.csv", 15, 20), ("karate_club_edges.csv", 34, 78)]
)
def test_classic_edge_lists(name, nodes, edges):
    net = read_network((CLASSICS / name).read_bytes(), name)
    assert net.problems == []
    assert (len(net.stakeholders), len(net.ties)) == (nodes, edges)
    assert [t["_row"] for t in net.ties] == list(range(2, edges + 2))


@needs_real
def test_karate_edge_list_agrees_with_its_graphml():
    from_csv = read_network((CLASSICS / "karate_club_edges.csv").read_bytes(), "karate_club_edges.csv")
    from_xml = read_graphml((CLASSICS / "karate_club.graphml").read_bytes(), "karate_club.graphml")
    assert {(t["source"], t["target"], t["weight"]) for t in from_csv.ties} == {
        (t["source"], t["target"], t["weight"]) for t in from_xml.ties
    }


@needs_real
def test_davis_edge_list_needs_its_column_names():
    data = (CLASSICS / "davis_southern_women_edges.csv").read_bytes()
    refused = read_network(data, "davis.csv")
    assert refused.ties == [] and len(refused.problems) == 1
    assert refused.problems[0].row == 1 and "'woman', 'event'" in refused.problems[0].message
    net = read_network(data, "davis.csv", source="woman", target="event")
    assert net.problems == [] and (len(net.stakeholders), len(net.ties)) == (32, 89)
    assert degree(net, "E8") == 14


@needs_real
def test_chemnet_political_information_edge_list():
    net = read_network((CHEMNET / "edges_pol.csv").read_bytes(), "edges_pol.csv", directed=True)
    assert net.problems == []
    n, m = len(net.stakeholders), len(net.ties)
    assert (n, m) == (30, 342)
    assert round(m / (n * (n - 1)), 6) == 0.393103  # density, PROVENANCE.md
    pairs = {(t["source"], t["target"]) for t in net.ties}
    assert round(sum((b, a) in pairs for a, b in pairs) / m, 6) == 0.614035  # reciprocity, PROVENANCE.md
    graphml = read_graphml((CHEMNET / "chemnet_pol.graphml").read_bytes(), "chemnet_pol.graphml")
    assert pairs == {(t["source"], t["target"]) for t in graphml.ties}


@needs_real
def test_chemnet_edge_lists_as_undirected_report_reciprocal_ties_as_parallel():
    net = read_network((CHEMNET / "edges_pol.csv").read_bytes(), "edges_pol.csv")
    assert errors(net) == [] and len(net.ties) == 342
    assert len(warnings(net)) == round(0.614035 * 342 / 2)  # one warning per reciprocated pair, every tie kept
    assert all("parallel tie kept" in p.message for p in warnings(net))


@needs_real
@pytest.mark.parametrize(
    "name, columns, edges",
    [
        ("edges_infrep.csv", ("source", "target"), 283),
        ("edges_scito.csv", ("source", "target"), 189),
        ("edges_scifrom.csv", ("source", "target"), 185),
        ("edges_sci_confirmed.csv", ("source", "target"), 63),
        ("committee_membership.csv", ("actor", "forum"), 180),
    ],
)
def test_chemnet_other_edge_lists(name, columns, edges):
    data = (CHEMNET / name).read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    net = read_edge_list(rows, name, source=columns[0], target=columns[1], directed=True)
    assert net.problems == [] and len(net.ties) == edges  # infrep: the 13 self-nominations were excluded upstream
    if name == "committee_membership.csv":
        assert len({t["target"] for t in net.ties}) == 20


# --- GEXF rules ---------------------------------------------------------------------------------------------------

GEXF_BODY = """<graph defaultedgetype="undirected">
  <attributes class="node"><attribute id="0" title="Sector" type="string"/></attributes>
  <nodes>
    <node id="a" label="City council"><attvalues><attvalue for="0" value="public"/></attvalues><viz:size value="3"/></node>
    <node id="b" label="Youth NGO"/>
  </nodes>
  <edges><edge id="e0" source="a" target="b" weight="2"/></edges>
</graph>"""


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.gexf.net/1.1draft",
        "http://www.gexf.net/1.2draft",
        "http://gexf.net/1.3",
        "http://www.gexf.net/1.3",
        None,
    ],
)
def test_gexf_namespaces_of_every_version(namespace):
    xmlns = (
        f' xmlns="{namespace}" xmlns:viz="{namespace}/viz"' if namespace else ' xmlns:viz="http://www.gexf.net/1.3/viz"'
    )
    net = read_network(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gexf{xmlns} version="1.x">{GEXF_BODY}</gexf>'.encode(), "pilot.gexf"
    )
    assert net.problems == []
    assert [(s["key"], s["name"], s["sector"], s["attributes"]) for s in net.stakeholders] == [
        ("a", "City council", "public", {"viz:size": 3.0}),  # Gephi's drawing is kept
        ("b", "Youth NGO", None, {}),
    ]
    assert [(t["source"], t["target"], t["weight"], t["directed"]) for t in net.ties] == [("a", "b", 2.0, False)]


def test_gexf_with_prefixed_elements_and_an_unknown_version():
    doc = f'<g:gexf xmlns:g="http://www.gexf.net/1.4draft" xmlns:viz="v">{GEXF_BODY}</g:gexf>'
    doc = (
        re.sub(r"<(/?)(?!viz:)(\w)", r"<\1g:\2", doc).replace("<g:g:gexf", "<g:gexf").replace("</g:g:gexf", "</g:gexf")
    )
    net = read_gexf(doc.encode(), "pilot.gexf")
    assert net.problems == [] and len(net.stakeholders) == 2 and net.stakeholders[0]["sector"] == "public"
    other = read_gexf(f'<gexf xmlns="http://example.org/graph" xmlns:viz="v">{GEXF_BODY}</gexf>'.encode(), "odd.gexf")
    assert [p.severity for p in other.problems] == ["warning"] and len(other.ties) == 1


def test_gexf_undeclared_attribute_is_kept_with_one_warning():
    doc = b"""<gexf xmlns="http://www.gexf.net/1.2draft"><graph>
<attributes class="node"><attribute id="0" title="Role" type="string"/></attributes>
<nodes>
<node id="1" label="A"><attvalues><attvalue for="0" value="convener"/><attvalue for="image" value="a.png"/></attvalues></node>
<node id="2" label="B"><attvalues><attvalue for="image" value="b.png"/></attvalues></node>
</nodes><edges/></graph></gexf>"""
    net = read_gexf(doc, "pilot.gexf")
    assert [s["attributes"] for s in net.stakeholders] == [{"image": "a.png"}, {"image": "b.png"}]
    assert net.stakeholders[0]["role"] == "convener"
    assert net.problems == [
        Problem(
            "pilot.gexf", None, 4, "image",
            "The node value for 'image' refers to an attribute not declared in <attributes class=\"node\"> (2 nodes); it was kept as 'image'.",
            "Declare it in the file (<attribute id=\"image\" title=\"image\" type=\"string\"/>), or check that it is not a typing mistake.",
            "warning",
        )
    ]  # fmt: skip


def test_gexf_defaults_types_and_names_without_case_or_accents():
    doc = """<gexf xmlns="http://gexf.net/1.3"><graph defaultedgetype="directed">
<attributes class="node">
  <attribute id="s" title="CATEGORY" type="string"/>
  <attribute id="h" title="Hárd-to_reach" type="boolean"><default>false</default></attribute>
  <attribute id="o" title="ORGANIZATION " type="string"/>
  <attribute id="n" title="members" type="integer"/>
</attributes>
<attributes class="edge"><attribute id="r" title="Kind" type="string"><default>collaboration</default></attribute></attributes>
<nodes>
  <node id="1" label="Parents' group"><attvalues><attvalue for="s" value="citizens"/><attvalue for="h" value="true"/><attvalue for="n" value="many"/></attvalues></node>
  <node id="2"><attvalues><attvalue for="o" value="Ville de Lyon"/><attvalue for="n" value="12"/></attvalues></node>
</nodes>
<edges>
  <edge source="1" target="2" type="undirected"/>
  <edge source="2" target="1" label="reports to"><attvalues><attvalue for="r" value="accountability"/></attvalues></edge>
  <edge source="1" target="2" type="mutual" kind="advice"/>
</edges></graph></gexf>""".encode()
    net = read_gexf(doc, "pilot.gexf")
    first, second = net.stakeholders
    assert (first["name"], first["sector"], first["hard_to_reach"], first["attributes"]) == (
        "Parents' group",
        "citizens",
        "true",
        {"members": "many"},
    )
    assert (second["name"], second["organisation"], second["hard_to_reach"], second["attributes"]) == (
        "2",
        "Ville de Lyon",
        "false",
        {"members": 12},
    )
    assert [(t["relation"], t["directed"], t["attributes"]) for t in net.ties] == [
        ("collaboration", False, {}),
        ("accountability", True, {"label": "reports to"}),
        ("advice", False, {"edge type": "mutual", "Kind": "collaboration"}),
    ]
    assert messages(net) == [
        "'members' is declared as integer, but 1 value is not (first: 'many'); it was kept as text."
    ]


def test_gexf_periods_from_start_dates_and_spells():
    doc = b"""<gexf xmlns="http://www.gexf.net/1.2draft"><graph mode="dynamic" timeformat="date">
<nodes><node id="a"/><node id="b"/><node id="c"/></nodes>
<edges>
  <edge source="a" target="b" start="2023-02-01" end="2023-06-30"/>
  <edge source="b" target="c"><spells><spell start="2024-01-15"/><spell start="2024-05-01" end="2024-06-01"/></spells></edge>
  <edge source="a" target="c" start="2.0"/>
  <edge source="c" target="a" start="2023-02-01"><attvalues><attvalue for="period" value="baseline"/></attvalues></edge>
</edges></graph></gexf>"""
    net = read_gexf(doc, "pilot.gexf")
    assert [t["period"] for t in net.ties] == ["2023-02-01", "2024-01-15", None, "baseline"]
    assert net.ties[0]["attributes"] == {"start": "2023-02-01", "end": "2023-06-30"}
    assert net.ties[1]["attributes"]["spells"] == [
        {"start": "2024-01-15"},
        {"start": "2024-05-01", "end": "2024-06-01"},
    ]
    assert net.ties[2]["attributes"] == {"start": "2.0"}
    assert [p.column for p in net.problems] == ["period"]  # undeclared 'period' attvalue, one warning


def test_gexf_dynamic_values_are_all_kept():
    doc = b"""<gexf xmlns="http://www.gexf.net/1.2draft"><graph mode="dynamic">
<attributes class="node" mode="dynamic"><attribute id="0" title="sector" type="string"/></attributes>
<nodes><node id="a"><attvalues><attvalue for="0" value="public" start="2020"/><attvalue for="0" value="private" start="2022"/></attvalues></node></nodes>
</graph></gexf>"""
    net = read_gexf(doc, "pilot.gexf")
    node = net.stakeholders[0]
    assert node["sector"] == "public"
    assert node["attributes"] == {
        "sector": [{"value": "public", "start": "2020"}, {"value": "private", "start": "2022"}]
    }
    assert [p.severity for p in net.problems] == ["warning"] and "several values over time" in net.problems[0].message


def test_gexf_bad_weight_and_edge_type():
    doc = b"""<gexf xmlns="http://gexf.net/1.3"><graph><nodes><node id="a"/><node id="b"/></nodes>
<edges><edge source="a" target="b" weight="strong" type="sideways"/><edge source="b" target="a" weight="-1" label="x"/></edges></graph></gexf>"""
    net = read_gexf(doc, "pilot.gexf")
    assert [(t["weight"], t["directed"], t["attributes"]) for t in net.ties] == [
        (None, False, {"weight": "strong", "edge type": "sideways"}),
        (-1.0, False, {"label": "x"}),  # an edge's label is a label, not a relation
    ]
    assert sorted((p.row, p.column or "", p.severity, p.message) for p in net.problems) == [
        (2, "", "warning", "There is already a tie between 'b' and 'a' (first on row 2): parallel tie kept."),
        (
            2,
            "type",
            "warning",
            "The edge type 'sideways' is not directed, undirected or mutual; the tie was read as undirected.",
        ),
        (2, "weight", "error", "The weight 'strong' is not a number."),
        (2, "weight", "error", "The weight -1 is not greater than 0."),
    ]


def test_gexf_stated_counts_are_checked():
    doc = b'<gexf xmlns="http://gexf.net/1.3"><graph><nodes count="3"><node id="a"/><node id="b"/></nodes><edges count="1"/></graph></gexf>'
    net = read_gexf(doc, "pilot.gexf")
    assert sorted(messages(net, "warning")) == [
        "The file says it has 1 edges but 0 were found.",
        "The file says it has 3 nodes but 2 were found.",
    ]


# --- GraphML rules ------------------------------------------------------------------------------------------------


def graphml(body: str, keys: str = "", edgedefault: str = "undirected") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
{keys}
<graph id="G" edgedefault="{edgedefault}">
{body}
</graph>
</graphml>""".encode()


def test_graphml_keys_defaults_and_mapping():
    keys = """<key id="n" for="node" attr.name="Name" attr.type="string"/>
<key id="t" for="node" attr.name="type" attr.type="string"><default>public</default></key>
<key id="w" for="edge" attr.name="Weight" attr.type="double"/>
<key id="r" for="all" attr.name="relation" attr.type="string"><default>collaboration</default></key>
<key id="p" for="edge" attr.name="period" attr.type="string"/>
<key id="x" for="node" attr.name="size" attr.type="int"/>"""
    body = """<node id="s1"><data key="n">Municipality</data><data key="x">3</data></node>
<node id="s2"><data key="t">civil society</data></node>
<edge source="s1" target="s2" directed="true"><data key="w">2.5</data><data key="p">baseline</data></edge>
<edge id="e9" source="s2" target="s1"><data key="r">funding</data></edge>"""
    net = read_graphml(graphml(body, keys), "pilot.graphml")
    assert net.problems == []
    assert [(s["key"], s["name"], s["sector"], s["attributes"], s["_row"]) for s in net.stakeholders] == [
        ("s1", "Municipality", "public", {"size": 3, "relation": "collaboration"}, 10),
        ("s2", "s2", "civil society", {"relation": "collaboration"}, 11),
    ]
    assert [
        {k: t[k] for k in ("relation", "directed", "weight", "period", "attributes", "_row")} for t in net.ties
    ] == [
        {
            "relation": "collaboration",
            "directed": True,
            "weight": 2.5,
            "period": "baseline",
            "attributes": {},
            "_row": 12,
        },
        {
            "relation": "funding",
            "directed": False,
            "weight": None,
            "period": None,
            "attributes": {"id": "e9"},
            "_row": 13,
        },
    ]


def test_graphml_directed_default_is_overridden_per_edge():
    body = '<node id="a"/><node id="b"/><node id="c"/><edge source="a" target="b"/><edge source="b" target="c" directed="false"/><edge source="c" target="a" directed="maybe"/>'
    net = read_graphml(graphml(body, edgedefault="directed"), "pilot.graphml")
    assert [t["directed"] for t in net.ties] == [True, False, True]
    assert [(p.column, p.severity) for p in net.problems] == [("directed", "warning")]


def test_graphml_undeclared_key_warns_and_keeps_the_value():
    body = '<node id="a"><data key="d9">Helsinki</data></node><node id="b"><data key="d9">Espoo</data></node>'
    net = read_graphml(graphml(body), "pilot.graphml")
    assert [s["attributes"] for s in net.stakeholders] == [{"d9": "Helsinki"}, {"d9": "Espoo"}]
    assert len(net.problems) == 1
    problem = net.problems[0]
    assert (problem.row, problem.column, problem.severity) == (5, "d9", "warning") and "(2 values)" in problem.message


def test_graphml_parallel_ties_are_kept_with_a_warning_each():
    body = """<node id="a"/><node id="b"/>
<edge source="a" target="b"/>
<edge source="b" target="a"/>
<edge source="a" target="b"/>
<edge source="a" target="b" directed="true"/>
<edge source="b" target="a" directed="true"/>"""
    net = read_graphml(graphml(body), "pilot.graphml")
    assert len(net.ties) == 5
    assert [(p.row, p.severity) for p in net.problems] == [(7, "warning"), (8, "warning")]
    assert net.problems[0].message == "There is already a tie between 'b' and 'a' (first on row 6): parallel tie kept."
    assert net.problems[0].fix.startswith("Remove it if it is a duplicate")


def test_ties_with_different_relations_are_not_parallel():
    keys = '<key id="r" for="edge" attr.name="relation" attr.type="string"/>'
    body = '<node id="a"/><node id="b"/><edge source="a" target="b"><data key="r">funding</data></edge><edge source="a" target="b"><data key="r">advice</data></edge>'
    assert read_graphml(graphml(body, keys), "pilot.graphml").problems == []


def test_unknown_node_self_loop_and_duplicate_id_are_errors_with_their_line():
    body = """<node id="a"/>
<node id="b"/>
<node id="a"/>
<edge source="a" target="ghost"/>
<edge source="b" target="b"/>"""
    net = read_graphml(graphml(body), "pilot.graphml")
    assert [(p.row, p.column, p.severity) for p in net.problems] == [
        (7, "id", "error"),
        (8, "target", "error"),
        (9, "target", "error"),
    ]
    assert net.problems[0].message == "The node id 'a' is used twice (first on row 5)."
    assert net.problems[1].message == "The tie's target 'ghost' is not one of the nodes."
    assert "a stakeholder cannot be tied to itself" in net.problems[2].message
    assert all(p.fix for p in net.problems)
    assert (len(net.stakeholders), len(net.ties)) == (3, 2)  # kept, so the preview can show them


def test_graphml_hyperedges_and_second_graph_are_reported():
    doc = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<graph edgedefault="undirected"><node id="a"/><node id="b"/><node id="c"/>
<hyperedge><endpoint node="a"/><endpoint node="b"/><endpoint node="c"/></hyperedge></graph>
<graph edgedefault="undirected"><node id="z"/></graph></graphml>"""
    net = read_graphml(doc, "pilot.graphml")
    assert [s["key"] for s in net.stakeholders] == ["a", "b", "c"]
    assert [(p.row, p.severity) for p in net.problems] == [(None, "warning"), (3, "error")]
    assert "2 graphs; only the first was read" in net.problems[0].message


# --- safety, malformed input and limits ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="&lol3;"/></graph></graphml>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE gexf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gexf xmlns="http://gexf.net/1.3"><graph><nodes><node id="a" label="&xxe;"/></nodes></graph></gexf>"""


@pytest.mark.parametrize(
    "data, filename",
    [
        (BILLION_LAUGHS, "laughs.graphml"),
        (XXE, "xxe.gexf"),
        (XXE, "xxe.xml"),
        (XXE.decode().encode("utf-16"), "xxe16.gexf"),
        (b'<!ENTITY x "y"><graphml/>', "entity.graphml"),
    ],
)
def test_doctype_and_entities_are_refused(data, filename):
    for reader in (read_network, read_graphml, read_gexf):
        net = reader(data, filename)
        assert (net.stakeholders, net.ties) == ([], [])
        assert (
            len(net.problems) == 1
            and "contains a DOCTYPE/entity declaration, which is not allowed" in net.problems[0].message
        )
        assert net.problems[0].fix


def test_malformed_xml_is_one_problem_with_line_and_column():
    doc = b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n<graph>\n  <node id="a">\n</graph></graphml>'
    net = read_network(doc, "pilot.graphml")
    assert (net.stakeholders, net.ties) == ([], [])
    assert len(net.problems) == 1
    problem = net.problems[0]
    assert (problem.row, problem.severity) == (4, "error")
    assert problem.message == "The file is not well-formed XML: mismatched tag at line 4, column 3."


@needs_real
def test_truncated_real_files_never_raise():
    data = (GEPHI / "miserables_gephi08_gexf11.gexf").read_bytes()
    for cut in (1, 100, 500, 20000, len(data) - 10):
        net = read_network(data[:cut], "cut.gexf")
        assert net.errors and (net.stakeholders, net.ties) == ([], [])


@pytest.mark.parametrize("data", [b"", b"  \n\t", b"\xef\xbb\xbf"])
def test_empty_file(data):
    for reader in (read_network, read_graphml, read_gexf):
        assert messages(reader(data, "empty.graphml")) == ["The file is empty."]


def test_a_graph_without_nodes():
    net = read_graphml(graphml(""), "pilot.graphml")
    assert messages(net) == ["The file holds no stakeholders (no nodes)."]
    assert messages(read_gexf(b'<gexf xmlns="http://gexf.net/1.3"><meta/></gexf>', "p.gexf")) == [
        "The GEXF file has no <graph> element."
    ]


def test_wrong_kinds_of_file():
    assert messages(read_network(b"<svg><g/></svg>", "pilot.xml")) == [
        "The file is XML but neither GraphML nor GEXF (its outermost element is <svg>)."
    ]
    assert messages(read_network(b"PK\x03\x04", "pilot.xlsx")) == ["Files of type '.xlsx' are not read as networks."]
    assert "not GraphML" in messages(read_graphml(b'<gexf xmlns="http://gexf.net/1.3"/>', "p.graphml"))[0]
    assert "not GEXF" in messages(read_gexf(graphml(""), "p.gexf"))[0]


def test_size_limits(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    assert "at most" in messages(read_network(b"source,target\n" + b"a,b\n" * 30, "big.csv"))[0]
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 50 * 2**20)
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 5)
    nodes = "".join(f'<node id="n{i}"/>' for i in range(10))
    net = read_graphml(graphml(nodes), "big.graphml")
    assert (net.stakeholders, len(net.problems)) == ([], 1) and "more than 5 nodes and edges" in net.problems[0].message
    assert (
        "more than 5 stakeholders and ties"
        in messages(read_edge_list([{"source": "a", "target": "b"}] * 5, "big.csv"))[0]
    )
    assert "at most 5 ties" in messages(read_edge_list([{"source": "a", "target": "b"}] * 6, "big.csv"))[0]


# --- CSV edge lists -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_csv_encodings(encoding):
    text = "source;target;relation;weight\nKaupunki;Yhdistys Ääni;funding;2,5\n"
    net = read_network(text.encode(encoding), "ties.csv")
    assert net.problems == []
    assert [(t["source"], t["target"], t["relation"], t["weight"]) for t in net.ties] == [
        ("Kaupunki", "Yhdistys Ääni", "funding", 2.5)
    ]


def test_latin_1_csv_is_read_with_a_warning():
    net = read_network("source,target\nMairie,Régie\n".encode("latin-1"), "ties.csv")
    assert net.ties[0]["target"] == "Régie"
    assert [p.severity for p in net.problems] == ["warning"] and "Latin-1" in net.problems[0].message


def test_gephi_edge_table_export():
    text = "Source,Target,Type,Id,Label,timeset,Weight\nA,B,Directed,0,informs,,1.0\nB,C,Undirected,1,,,3.0\n"
    net = read_network(text.encode(), "edges.csv")
    assert net.problems == []
    assert [(t["directed"], t["relation"], t["weight"], t["attributes"]) for t in net.ties] == [
        (True, None, 1.0, {"Id": "0", "Label": "informs"}),  # a label, not a relation
        (False, None, 3.0, {"Id": "1"}),
    ]


def test_edge_list_rules():
    rows = [
        {"From": "A", "To": "B", "directed": "yes", "weight": "3", "period": "baseline", "note": "met monthly"},
        {"From": "", "To": "", "directed": "", "weight": "", "period": "", "note": ""},
        {"From": "B", "To": "C", "directed": "perhaps", "weight": "lots", "period": "", "note": ""},
        {"From": "C", "To": "C", "directed": "no", "weight": "0", "period": "", "note": ""},
        {"From": "", "To": "A", "directed": "", "weight": "", "period": "", "note": "", None: ["x", "y"]},
        {"From": "A", "To": "B", "directed": "ja", "weight": "3", "period": "baseline", "note": ""},
    ]
    net = read_edge_list(rows, "ties.csv", source="from", target="TO")
    assert [s["key"] for s in net.stakeholders] == ["A", "B", "C"]
    assert [(t["source"], t["target"], t["directed"], t["weight"], t["_row"]) for t in net.ties] == [
        ("A", "B", True, 3.0, 2), ("B", "C", False, None, 4), ("C", "C", False, 0.0, 5), ("", "A", False, None, 6), ("A", "B", True, 3.0, 7),
    ]  # fmt: skip
    assert net.ties[0]["attributes"] == {"note": "met monthly"} and net.ties[1]["attributes"] == {"weight": "lots"}
    assert net.ties[3]["attributes"] == {"extra cells": ["x", "y"]}
    assert [(p.row, p.column, p.severity) for p in net.problems] == [
        (4, "directed", "warning"), (4, "weight", "error"), (5, "weight", "error"), (5, "target", "error"),
        (6, None, "warning"), (6, "source", "error"), (7, None, "warning"),
    ]  # fmt: skip


def test_edge_list_without_ties_or_columns():
    assert messages(read_edge_list([], "ties.csv")) == ["The edge list holds no ties."]
    net = read_edge_list([{"a": "1", "b": "2"}], "ties.csv")
    assert (
        messages(net) == ["The edge list has no column 'source' and 'target' (its columns: 'a', 'b')."]
        and net.problems[0].row == 1
    )
    assert messages(read_network(b"source,target\n", "ties.csv")) == ["The sheet has a header but no rows of data."]


def test_edge_list_synonyms_for_the_ends():
    net = read_network(b"ego,alter,tie type\nA,B,advice\n", "ties.csv")
    assert (net.ties[0]["source"], net.ties[0]["target"], net.ties[0]["relation"], net.problems) == (
        "A",
        "B",
        "advice",
        [],
    )


def test_random_bytes_never_raise():
    import random

    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        for name in ("x.graphml", "x.gexf", "x.csv", "x"):
            net = read_network(b"<" + data, name)
            assert all(isinstance(p, Problem) for p in net.problems)
            read_network(data, name)

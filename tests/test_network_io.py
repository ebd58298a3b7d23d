"""Network exports: GraphML, GEXF 1.2draft and CSV read back by networkx, igraph and this app's own importer.

A hostile pilot network is built in an in-memory store (mixed directed and undirected ties, parallel ties of other
relations and periods, isolated stakeholders, weights, names with markup, quotes, control characters, formulas and
emoji); every export is read back and compared with what the store holds. Real files (Gephi-written GEXF, networkx's
classic networks) are read through the importer and compared with networkx and igraph reading the same files. Gephi
itself is not available here: its needs are checked structurally (``test_gexf_is_what_gephi_needs``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import igraph
import networkx as nx
import pandas as pd
import pytest

from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.exports import neutralise
from lessons.ingest.networks import read_gexf, read_graphml, read_network
from lessons.ingest.pipeline import run_import
from lessons.ingest.validate import Options
from lessons.network_io import (
    GEXF_NAMESPACE,
    export_network,
    pilot_network_frames,
    to_csv_zip,
    to_edge_csv,
    to_gexf,
    to_graphml,
    to_nodes_csv,
)
from lessons.permissions import cli_actor
from lessons.store import open_memory_store, open_store

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "networks"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="the shared real-data folder (../shared/realdata) is absent")

SLUG = "hostile-net"
HOSTILE_KEY = "K&<\"'>"
#: key, name, sector, hard_to_reach, organisation, role
STAKEHOLDERS = [
    ("S01", "City of Tampere", "public", False, "Tampere City", "Funds & convenes"),
    ("S02", "Youth NGO <b>\"Ääni\"</b> & 'friends'", "civil_society", True, None, "line one\nline two\ttab\r\nCRLF"),
    ("S03", '=HYPERLINK("http://e.vil","click")', "private", False, "@SUM(A1) Oy", None),
    ("S04", "Emoji 😀 café ☕ 𝄞", "citizens", True, None, None),  # isolated
    ("S05", "Bell\x07 and escape\x1b[31m red", "research", False, None, "]]> <!-- no comment --> &amp;"),
    (HOSTILE_KEY, "Key with markup", "public", False, "Tampere City", None),
    ("S07", "Lonely", "research", False, None, None),  # isolated
]
#: source, target, relation, directed, weight, period
TIES = [
    ("S01", "S02", "funding", True, 2.5, "baseline"),
    ("S01", "S02", "funding", True, 3.0, "end"),  # parallel: another period
    ("S01", "S02", "advice", True, 1.0, "end"),  # parallel: another relation
    ("S02", "S01", "information", True, 0.001, "end"),  # the other way round
    ("S02", "S03", "collaboration", False, 1.0, "end"),
    ("S03", "S02", "collaboration", False, 2.0, "baseline"),
    (HOSTILE_KEY, "S01", "accountability", True, 1234567.875, "2024-03-01"),
    ("S05", "S01", "collaboration", False, 1.25, "end"),
]
SECTOR_NAMES = {
    "public": "Public sector",
    "civil_society": "Civil society",
    "private": "Private sector",
    "research": "Research",
    "citizens": "Citizens / service users",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def build(db) -> None:
    """The hostile pilot, and a second pilot whose stakeholders and ties must never appear in the first's files."""
    organisations = {
        name: db["organisations"].insert({"name": name, "sector": "public"}).last_pk
        for name in ("Tampere City", "@SUM(A1) Oy")
    }
    other = [("S01", "Other", "public", False, None, None), ("S02", "Other 2", "private", False, None, None)]
    for slug, stakeholders, ties in ((SLUG, STAKEHOLDERS, TIES), ("other-pilot", other, [("S01", "S02", "collaboration", False, 1.0, "end")])):  # fmt: skip
        name = slug.replace("-", " ").capitalize()  # as the importer names a pilot it creates
        pid = db["pilots"].insert({"slug": slug, "name": name, "country": "FI"}).last_pk
        ids = {}
        for key, name, sector, hard, organisation, role in stakeholders:
            row = {"pilot_id": pid, "key": key, "name": name, "sector": sector, "hard_to_reach": int(hard)}
            row.update(organisation_id=organisations.get(organisation), role=role)
            ids[key] = db["stakeholders"].insert(row).last_pk
        for source, target, relation, directed, weight, period in ties:
            row = {"pilot_id": pid, "source_id": ids[source], "target_id": ids[target], "relation": relation}
            db["ties"].insert(dict(row, directed=int(directed), weight=weight, period=period))


@pytest.fixture
def net(db):
    build(db)
    return db


def clean(text):
    """What XML can carry of a text: the control characters XML 1.0 cannot hold are dropped."""
    return CONTROL.sub("", text) if isinstance(text, str) else text


def stored(text):
    """What an export re-imported keeps of a text: what XML carries (:func:`clean`), with line breaks as the
    importer stores them (lessons.text.clean_text: CRLF and CR become LF)."""
    return clean(text.replace("\r\n", "\n").replace("\r", "\n")) if isinstance(text, str) else text


def _stored_bytes(data: bytes) -> bytes:
    """An export as a re-import exports it again: a CR before a line break is gone (GraphML, GEXF, CSV forms)."""
    return data.replace(b"&#13;&#10;", b"&#10;").replace(b"&#13;\n", b"\n").replace(b"\r\n", b"\n")


def expected_nodes(missing=None) -> dict[str, dict]:
    """Node attributes as a reader gives them back; ``missing`` is what a reader gives for an absent string."""
    out = {}
    for key, name, sector, hard, organisation, role in STAKEHOLDERS:
        out[key] = {
            "label": clean(name), "key": key, "sector": sector, "sector_name": SECTOR_NAMES[sector], "hard_to_reach": hard,
            "organisation": organisation if organisation is not None else missing,
            "role": clean(role) if role is not None else missing, "pilot": SLUG,
            "pilot_name": "Hostile net", "pilot_country": "FI",  # so that the file imports again without --pilot
        }  # fmt: skip
        if missing is None:
            out[key] = {k: v for k, v in out[key].items() if v is not None}
    return out


def expected_ties(ties=TIES, *, undirected: bool = False) -> Counter:
    """The ties as a multiset; for an undirected graph, whose readers may give either end first, with ends sorted."""
    return Counter((*sorted(t[:2]), *t[2:]) if undirected else t for t in ties)


def nx_ties(graph) -> Counter:
    return expected_ties(
        [(u, v, d["relation"], d["directed"], d["weight"], d["period"]) for u, v, d in graph.edges(data=True)],
        undirected=not graph.is_directed(),
    )


def read_igraph(data: bytes, tmp_path) -> igraph.Graph:
    path = tmp_path / "network.graphml"
    path.write_bytes(data)
    return igraph.Graph.Read_GraphML(str(path))


def igraph_ties(graph) -> Counter:
    ids = graph.vs["key"] if "key" in graph.vs.attributes() else graph.vs["id"]
    return expected_ties(
        [(ids[e.source], ids[e.target], e["relation"], e["directed"], e["weight"], e["period"]) for e in graph.es],
        undirected=not graph.is_directed(),
    )


# --- the frames ---------------------------------------------------------------------------------------------------


def test_frames_hold_the_pilot_and_nothing_else(net):
    nodes, ties = pilot_network_frames(net, SLUG)
    assert list(nodes.columns) == "id key name sector sector_name hard_to_reach organisation role".split()
    assert list(ties.columns) == "source target relation directed weight period".split()
    assert sorted(nodes["key"]) == sorted(s[0] for s in STAKEHOLDERS)
    assert nodes["key"].tolist() == sorted(nodes["key"]) and nodes["hard_to_reach"].dtype == bool
    assert Counter(ties.itertuples(index=False, name=None)) == expected_ties()
    assert ties["directed"].dtype == bool and ties["weight"].dtype == float


def test_filters_keep_every_stakeholder(net):
    nodes, ties = pilot_network_frames(net, SLUG, relations=["funding", "advice"], period="end")
    assert len(nodes) == len(STAKEHOLDERS)
    assert sorted(ties["relation"]) == ["advice", "funding"]
    assert pilot_network_frames(net, SLUG, relations="collaboration")[1]["relation"].unique().tolist() == [
        "collaboration"
    ]
    assert len(pilot_network_frames(net, SLUG, period="2024-03-01")[1]) == 1
    with pytest.raises(ValueError, match="There is no pilot 'nowhere'"):
        pilot_network_frames(net, "nowhere")


# --- GraphML: networkx and igraph ---------------------------------------------------------------------------------


def test_graphml_read_by_networkx_has_the_same_nodes_ties_and_attributes(net):
    graph = nx.read_graphml(io.BytesIO(to_graphml(net, SLUG)))
    assert graph.is_directed() and graph.is_multigraph()  # mixed ties: declared directed; parallel ties kept
    assert dict(graph.nodes(data=True)) == expected_nodes()
    assert nx_ties(graph) == expected_ties()
    assert {n for n in graph if graph.degree(n) == 0} == {"S04", "S07"}


def test_graphml_read_by_igraph_has_the_same_nodes_ties_and_attributes(net, tmp_path):
    graph = read_igraph(to_graphml(net, SLUG), tmp_path)
    assert graph.is_directed()
    nodes = {v["key"]: {k: v[k] for k in expected_nodes("")[v["key"]]} for v in graph.vs}
    assert nodes == expected_nodes("")  # igraph gives an absent string attribute as ""
    ids = {v["key"]: v["id"] for v in graph.vs}  # igraph 1.0 reads '&' in an XML attribute as '&#38;'
    assert ids == {k: k.replace("&", "&#38;") for k in ids} and ids[HOSTILE_KEY] != HOSTILE_KEY
    assert igraph_ties(graph) == expected_ties()
    assert set(graph.es.attributes()) == {"relation", "weight", "period", "directed"}  # no misread edge "id"


def test_gexf_read_by_networkx_has_the_same_nodes_ties_and_attributes(net):
    graph = nx.read_gexf(io.BytesIO(to_gexf(net, SLUG)))
    assert graph.is_directed() and graph.is_multigraph()
    nodes = {n: {k: v for k, v in d.items()} for n, d in graph.nodes(data=True)}
    assert nodes == expected_nodes()
    assert nx_ties(graph) == expected_ties()
    assert sorted(int(d["id"]) for *_, d in graph.edges(data=True)) == list(range(len(TIES)))


@pytest.mark.parametrize(
    "relations, directed", [(["collaboration"], False), (["funding", "advice", "information", "accountability"], True)]
)
def test_a_network_of_one_direction_is_declared_so(net, tmp_path, relations, directed):
    wanted = expected_ties([t for t in TIES if t[2] in relations], undirected=not directed)
    for read in (nx.read_graphml, nx.read_gexf):
        writer = to_graphml if read is nx.read_graphml else to_gexf
        graph = read(io.BytesIO(writer(net, SLUG, relations=relations)))
        assert graph.is_directed() is directed and nx_ties(graph) == wanted
        assert graph.number_of_nodes() == len(STAKEHOLDERS)
    graph = read_igraph(to_graphml(net, SLUG, relations=relations), tmp_path)
    assert graph.is_directed() is directed and igraph_ties(graph) == wanted


def test_per_edge_direction_is_the_standard_form_networkx_refuses(net, tmp_path):
    graphml = to_graphml(net, SLUG, per_edge_direction=True)
    gexf = to_gexf(net, SLUG, per_edge_direction=True)
    assert graphml.count(b'directed="false"') == gexf.count(b'type="undirected"') == 3
    with pytest.raises(nx.NetworkXError, match="directed=false edge found in directed graph"):
        nx.read_graphml(io.BytesIO(graphml))
    with pytest.raises(nx.NetworkXError, match="Undirected edge found in directed graph"):
        nx.read_gexf(io.BytesIO(gexf))
    assert igraph_ties(read_igraph(graphml, tmp_path)) == expected_ties()  # igraph ignores per-edge direction
    for data, reader in ((graphml, read_graphml), (gexf, read_gexf)):
        read = reader(data, "x")
        assert Counter((t["source"], t["target"], t["relation"], t["directed"]) for t in read.ties) == Counter(
            t[:4] for t in TIES
        )
    uniform = to_graphml(net, SLUG, relations=["collaboration"], per_edge_direction=True)
    assert uniform == to_graphml(net, SLUG, relations=["collaboration"])  # nothing to mark


# --- the text -----------------------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_and_nothing_else_changes(net):
    for data in (to_graphml(net, SLUG), to_gexf(net, SLUG)):
        text = data.decode("utf-8")
        assert not re.search(r"[\x00-\x08\x0b-\x1f]", text)  # only tab and line feed are written raw
        assert "<b>" not in text and "<!-- no comment -->" not in text and "]]>" not in text
        ElementTree.fromstring(data)  # well-formed
    names = {d["label"] for _, d in nx.read_gexf(io.BytesIO(to_gexf(net, SLUG))).nodes(data=True)}
    assert "Youth NGO <b>\"Ääni\"</b> & 'friends'" in names and "Emoji 😀 café ☕ 𝄞" in names
    assert "Bell and escape[31m red" in names  # BEL and ESC cannot be written in XML 1.0
    roles = {d.get("role") for _, d in nx.read_graphml(io.BytesIO(to_graphml(net, SLUG))).nodes(data=True)}
    assert "line one\nline two\ttab\r\nCRLF" in roles  # the carriage return survives as &#13;


# --- what Gephi needs ---------------------------------------------------------------------------------------------

GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "liststring", "string", "anyURI"}


def check_gexf(data: bytes) -> dict:
    """The structural rules of GEXF 1.2draft that Gephi's importer relies on; returns counts."""
    ns = {"g": GEXF_NAMESPACE}
    root = ElementTree.fromstring(data)
    assert root.tag == f"{{{GEXF_NAMESPACE}}}gexf" and root.get("version") == "1.2"
    graphs = root.findall("g:graph", ns)
    assert len(graphs) == 1
    graph = graphs[0]
    assert graph.get("defaultedgetype") in ("directed", "undirected") and graph.get("mode") == "static"
    declared = {}
    for block in graph.findall("g:attributes", ns):
        assert block.get("class") in ("node", "edge") and block.get("mode") == "static"
        ids = [a.get("id") for a in block.findall("g:attribute", ns)]
        assert len(ids) == len(set(ids))
        for attribute in block.findall("g:attribute", ns):
            assert attribute.get("title") and attribute.get("type") in GEXF_TYPES
        declared[block.get("class")] = {a.get("id"): a.get("type") for a in block.findall("g:attribute", ns)}
    assert set(declared) == {"node", "edge"} and "weight" not in declared["edge"]  # networkx reserves that id

    def values_ok(element, klass):
        for value in element.findall("g:attvalues/g:attvalue", ns):
            kind = declared[klass][value.get("for")]  # KeyError: an undeclared attribute
            text = value.get("value")
            if kind == "boolean":
                assert text in ("true", "false")
            elif kind in ("double", "float"):
                float(text)

    nodes = graph.findall("g:nodes/g:node", ns)
    node_ids = [n.get("id") for n in nodes]
    assert len(node_ids) == len(set(node_ids)) and all(n.get("label") for n in nodes)
    assert graph.find("g:nodes", ns).get("count") == str(len(nodes))
    for node in nodes:
        values_ok(node, "node")
    edges = graph.findall("g:edges/g:edge", ns)
    edge_ids = [e.get("id") for e in edges]
    assert len(edge_ids) == len(set(edge_ids)) and all(edge_ids)
    assert graph.find("g:edges", ns).get("count") == str(len(edges))
    for edge in edges:
        assert edge.get("source") in set(node_ids) and edge.get("target") in set(node_ids)
        assert edge.get("type", "directed") in ("directed", "undirected") and float(edge.get("weight")) > 0
        values_ok(edge, "edge")
    return {"nodes": len(nodes), "edges": len(edges)}


@pytest.mark.parametrize("per_edge_direction", [False, True])
def test_gexf_is_what_gephi_needs(net, per_edge_direction):
    assert check_gexf(to_gexf(net, SLUG, per_edge_direction=per_edge_direction)) == {
        "nodes": len(STAKEHOLDERS),
        "edges": len(TIES),
    }


def test_graphml_keys_are_declared_and_clear_of_gephi_properties(net):
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ElementTree.fromstring(to_graphml(net, SLUG))
    keys = {k.get("id"): k for k in root.findall("g:key", ns)}
    assert len(keys) == len(root.findall("g:key", ns))
    assert all(k.get("for") in ("node", "edge") and k.get("attr.type") for k in keys.values())  # no graph keys
    assert {k for k in keys if k in ("d3", "d7", "id", "edgeid", "x", "y", "z", "size", "r", "g", "b")} == set()
    assert keys["label"].get("for") == "node" and keys["weight"].get("for") == "edge"
    nodes = root.findall("g:graph/g:node", ns)
    ids = [n.get("id") for n in nodes]
    assert len(ids) == len(set(ids)) == len(STAKEHOLDERS)
    for element, kind in [(n, "node") for n in nodes] + [(e, "edge") for e in root.findall("g:graph/g:edge", ns)]:
        assert all(keys[d.get("key")].get("for") == kind for d in element.findall("g:data", ns))
    assert all(e.get("id") is None and e.get("source") in ids for e in root.findall("g:graph/g:edge", ns))


# --- the true round trip: export, import into a fresh store -------------------------------------------------------


def reimport(data: bytes, filename: str):
    """Import an export into a fresh store, as a coordinator would upload it; return the new store."""
    store = open_memory_store()
    outcome = run_import(store, cli_actor(), [(filename, data)], Options(pilot=SLUG, country="FI"))
    assert outcome.errors == []
    return store


def comparable(frames, transform=clean):
    """Stakeholders (without their row ids) and ties as plain values, missing values as None."""
    nodes, ties = frames

    def plain(value):
        return None if not isinstance(value, str) and pd.isna(value) else transform(value)

    records = [{k: plain(v) for k, v in r.items()} for r in nodes.drop(columns="id").to_dict("records")]
    return records, Counter(tuple(plain(v) for v in t) for t in ties.itertuples(index=False, name=None))


@pytest.mark.parametrize("file_format", ["graphml", "gexf"])
def test_round_trip_through_the_importer_is_exact(net, file_format):
    """Marked per edge (Gephi's form), a mixed network comes back tie for tie, and exports the same bytes again."""
    data = export_network(net, SLUG, file_format, per_edge_direction=True)
    store = reimport(data, f"network.{file_format}")
    assert comparable(pilot_network_frames(store, SLUG), stored) == comparable(pilot_network_frames(net, SLUG), stored)
    again = export_network(store, SLUG, file_format, per_edge_direction=True)
    assert again == _stored_bytes(data)


@pytest.mark.parametrize("file_format", ["graphml", "gexf"])
@pytest.mark.parametrize("relations", [["collaboration"], ["funding", "advice", "information", "accountability"]])
def test_default_export_of_one_direction_round_trips_exactly(net, file_format, relations):
    data = export_network(net, SLUG, file_format, relations=relations)
    store = reimport(data, f"network.{file_format}")
    assert comparable(pilot_network_frames(store, SLUG), stored) == comparable(
        pilot_network_frames(net, SLUG, relations=relations), stored
    )
    again = export_network(store, SLUG, file_format, relations=relations)
    assert again == _stored_bytes(data)


@pytest.mark.parametrize("file_format", ["graphml", "gexf"])
def test_default_export_of_a_mixed_network_round_trips(net, file_format):
    """networkx's form (one graph type, the truth in a 'directed' attribute) comes back tie for tie too."""
    store = reimport(export_network(net, SLUG, file_format), f"network.{file_format}")
    assert comparable(pilot_network_frames(store, SLUG), stored) == comparable(pilot_network_frames(net, SLUG), stored)


def test_default_export_of_a_mixed_network_keeps_direction_as_an_attribute(net):
    for data, reader in ((to_graphml(net, SLUG), read_graphml), (to_gexf(net, SLUG), read_gexf)):
        assert "directed" in data.decode("utf-8")  # a directed graph whose ties say which are directed
        read = reader(data, "x")
        assert read.problems == []
        assert Counter(t["directed"] for t in read.ties) == {True: 5, False: 3}  # the reader honours the attribute
        assert all("directed" not in t["attributes"] for t in read.ties)


def test_a_per_edge_mark_wins_over_a_directed_attribute():
    doc = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
      <key id="d" for="edge" attr.name="directed" attr.type="boolean"/>
      <graph edgedefault="undirected"><node id="a"/><node id="b"/><node id="c"/>
        <edge source="a" target="b" directed="true"><data key="d">false</data></edge>
        <edge source="b" target="c"><data key="d">true</data></edge>
      </graph></graphml>"""
    read = read_graphml(doc, "x.graphml")
    assert [t["directed"] for t in read.ties] == [True, True]


def test_csv_zip_round_trips_with_formulas_neutralised(net):
    data = to_csv_zip(net, SLUG)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["stakeholders.csv", "ties.csv"]
    store = reimport(data, "network.zip")
    neutral = lambda v: neutralise(stored(v)) if isinstance(v, str) else v  # noqa: E731 (the importer drops controls)
    assert comparable(pilot_network_frames(store, SLUG), transform=lambda v: v) == comparable(
        pilot_network_frames(net, SLUG), transform=neutral
    )  # the apostrophe that keeps '=HYPERLINK(…)' from running stays on: the store now holds "'=HYPERLINK(…)"
    first, again = (zipfile.ZipFile(io.BytesIO(z)) for z in (data, to_csv_zip(store, SLUG)))
    for name in first.namelist():  # exported again, the same files (no second apostrophe), less the control characters
        expected = re.sub(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", b"", first.read(name).replace(b"\r\n", b"\n"))
        assert again.read(name).replace(b"\r\n", b"\n") == expected


def test_csv_files(net):
    rows = list(csv.DictReader(io.StringIO(to_edge_csv(net, SLUG).decode("utf-8"))))
    assert (
        Counter(
            (r["source"], r["target"], r["relation"], r["directed"] == "yes", float(r["weight"]), r["period"])
            for r in rows
        )
        == expected_ties()
    )
    nodes = list(csv.DictReader(io.StringIO(to_nodes_csv(net, SLUG).decode("utf-8"))))
    assert list(nodes[0]) == ["key", "name", "sector", "sector_name", "hard_to_reach", "organisation", "role"]
    by_key = {r["key"]: r for r in nodes}
    assert by_key["S03"]["name"] == '\'=HYPERLINK("http://e.vil","click")'
    assert by_key["S03"]["organisation"] == "'@SUM(A1) Oy" and by_key["S02"]["hard_to_reach"] == "yes"
    assert by_key["S02"]["role"] == "line one\nline two\ttab\r\nCRLF"  # quoted, kept whole
    read = read_network(to_edge_csv(net, SLUG), "ties.csv")  # the edge list alone, through the network reader
    assert read.problems == []
    assert Counter((t["source"], t["target"], t["relation"], t["directed"], t["weight"], t["period"]) for t in read.ties) == expected_ties()  # fmt: skip
    assert {s["key"] for s in read.stakeholders} == {t[0] for t in TIES} | {t[1] for t in TIES}  # no isolates


def test_an_empty_pilot_exports_empty_files():
    db = open_memory_store()
    db["pilots"].insert({"slug": "empty", "name": "Empty", "country": "FI"})
    assert nx.read_graphml(io.BytesIO(to_graphml(db, "empty"))).number_of_nodes() == 0
    assert check_gexf(to_gexf(db, "empty")) == {"nodes": 0, "edges": 0}
    assert to_edge_csv(db, "empty") == b"source,target,relation,directed,weight,period\n"


# --- the demo pilots ----------------------------------------------------------------------------------------------


def test_every_demo_pilot_reads_back_in_networkx_and_igraph(demo_db, tmp_path):
    slugs = [r[0] for r in demo_db.execute("SELECT slug FROM pilots ORDER BY slug")]
    assert len(slugs) == 12
    for slug in slugs:
        nodes, ties = pilot_network_frames(demo_db, slug)
        wanted = Counter((t.source, t.target, t.relation, t.directed, t.weight, t.period) for t in ties.itertuples())
        graphml = to_graphml(demo_db, slug)
        for graph in (nx.read_graphml(io.BytesIO(graphml)), nx.read_gexf(io.BytesIO(to_gexf(demo_db, slug)))):
            assert set(graph.nodes) == set(nodes["key"]) and nx_ties(graph) == wanted
        assert igraph_ties(read_igraph(graphml, tmp_path)) == wanted
        check_gexf(to_gexf(demo_db, slug))


# --- real files through the importer, against networkx and igraph -------------------------------------------------


def networkx_reads_gephi(data: bytes) -> nx.Graph:
    """networkx reading a Gephi file, helped past its two refusals (see PROVENANCE.md of the samples): it looks for
    GEXF 1.3 under http://gexf.net/1.3 while Gephi 0.9 writes http://www.gexf.net/1.3, and it refuses the values
    Gephi 0.8 wrote for attributes it never declared (image, url)."""
    data = data.replace(b"http://www.gexf.net/1.3", b"http://gexf.net/1.3")
    data = re.sub(rb'<attvalue for="(?:image|url)"[^>]*>(?:</attvalue>)?', b"", data)
    return nx.read_gexf(io.BytesIO(data))


def undirected_pairs(pairs) -> Counter:
    return Counter(tuple(sorted(p)) for p in pairs)


def labelled_weights(graph) -> Counter:
    label = dict(graph.nodes(data="label"))
    return Counter((*sorted((label[u], label[v])), w) for u, v, w in graph.edges(data="weight", default=1.0))


def gephi_cases():
    cases = [
        pytest.param(FIXTURES / "lesmis_gephi09_gexf13_extract.gexf", 6, 8, id="gexf13-extract"),
        pytest.param(FIXTURES / "miserables_gephi08_gexf11_extract.gexf", 6, 8, id="gexf11-extract"),
    ]
    for name, version in (("lesmis_gephi09_gexf13.gexf", "gexf13"), ("miserables_gephi08_gexf11.gexf", "gexf11")):
        cases.append(pytest.param(REAL / "gephi-gexf-samples" / name, 77, 254, id=f"{version}-full", marks=needs_real))
    return cases


@pytest.mark.parametrize("path, nodes, edges", gephi_cases())
def test_gephi_files_match_networkx_and_survive_the_app(path, nodes, edges):
    """Gephi 0.9 (GEXF 1.3) and Gephi 0.8 (1.1draft) files: the importer reads what networkx reads; imported into a
    store and exported again as GEXF 1.2draft, networkx reads the same labels, ties and weights."""
    reference = networkx_reads_gephi(path.read_bytes())
    assert (reference.number_of_nodes(), reference.number_of_edges()) == (nodes, edges)
    weights = labelled_weights(reference)

    read = read_network(path.read_bytes(), path.name)
    assert [p for p in read.problems if p.severity == "error"] == []
    names = {s["key"]: s["name"] for s in read.stakeholders}
    assert names == dict(reference.nodes(data="label"))
    assert Counter((*sorted((names[t["source"]], names[t["target"]])), t["weight"] or 1.0) for t in read.ties) == weights  # fmt: skip
    assert {s["key"]: s["attributes"]["Modularity Class"] for s in read.stakeholders} == dict(
        reference.nodes(data="Modularity Class")
    )

    store = open_memory_store()  # every actor a citizen: Gephi files have no sector
    options = Options(pilot="lesmis", country="FR", defaults={"Stakeholders": {"sector": "citizens"}})
    assert run_import(store, cli_actor(), [(path.name, path.read_bytes())], options).errors == []
    exported = to_gexf(store, "lesmis")
    check_gexf(exported)
    graph = nx.read_gexf(io.BytesIO(exported))
    assert not graph.is_directed() and dict(graph.nodes(data="label")) == dict(reference.nodes(data="label"))
    assert labelled_weights(graph) == weights
    assert {d["sector"] for _, d in graph.nodes(data=True)} == {"citizens"}
    kept = dict(graph.nodes(data="Modularity Class"))  # not a stakeholder field: kept as an attribute, written back
    assert kept == dict(reference.nodes(data="Modularity Class"))
    drawn = {n: opaque(d["viz"]) for n, d in graph.nodes(data=True)}  # and Gephi's drawing, as viz: elements
    assert drawn == {n: opaque(d["viz"]) for n, d in reference.nodes(data=True)}


def opaque(viz: dict) -> dict:
    """Gephi's drawing as networkx reads it, with the opacity networkx gives a GEXF 1.2 colour (1.0) left out."""
    colour = {k: v for k, v in viz.get("color", {}).items() if (k, v) != ("a", 1.0)}
    return {**viz, "color": colour}


CLASSIC_FIXTURES = ["florentine_families.graphml", "florentine_families_edges.csv", "karate_club.graphml", "karate_club_edges.csv"]  # fmt: skip


@needs_real
@pytest.mark.parametrize("name", CLASSIC_FIXTURES)
def test_classic_fixtures_are_the_shared_files(name):
    assert (FIXTURES / name).read_bytes() == (REAL / "networkx-classics" / name).read_bytes()


def classic(name: str) -> Path:
    fixture = FIXTURES / name
    return fixture if fixture.exists() else REAL / "networkx-classics" / name


@pytest.mark.parametrize(
    "name, nodes, edges",
    [
        ("florentine_families.graphml", 15, 20),
        ("karate_club.graphml", 34, 78),
        pytest.param("les_miserables.graphml", 77, 254, marks=needs_real),
        pytest.param("davis_southern_women.graphml", 32, 89, marks=needs_real),
    ],
)
def test_classic_graphml_reads_as_networkx_and_igraph_read_it(name, nodes, edges):
    path = classic(name)
    read = read_graphml(path.read_bytes(), name)
    reference = nx.read_graphml(path)
    other = igraph.Graph.Read_GraphML(str(path))
    named = {"karate_club.graphml": ["Not kept from the file: the graph's name ('Zachary's Karate Club')."]}
    assert [p.message for p in read.problems] == named.get(name, [])
    assert (len(read.stakeholders), len(read.ties)) == (nodes, edges)
    assert (reference.number_of_nodes(), reference.number_of_edges()) == (other.vcount(), other.ecount()) == (nodes, edges)  # fmt: skip
    assert {s["key"] for s in read.stakeholders} == set(reference.nodes) == set(other.vs["id"])
    ids = other.vs["id"]
    pairs = undirected_pairs((t["source"], t["target"]) for t in read.ties)
    assert pairs == undirected_pairs(reference.edges()) == undirected_pairs((ids[e.source], ids[e.target]) for e in other.es)  # fmt: skip
    if "weight" in other.es.attributes():
        weights = Counter((*sorted((t["source"], t["target"])), t["weight"]) for t in read.ties)
        assert weights == Counter((*sorted((u, v)), d["weight"]) for u, v, d in reference.edges(data=True))
        assert weights == Counter((*sorted((ids[e.source], ids[e.target])), e["weight"]) for e in other.es)
    attributes = set(other.vs.attributes()) - {"id"}
    assert attributes == {"karate_club.graphml": {"club"}, "davis_southern_women.graphml": {"bipartite"}}.get(
        name, set()
    )
    for attribute in attributes:  # kept by the reader as attributes
        assert {s["key"]: s["attributes"][attribute] for s in read.stakeholders} == dict(
            reference.nodes(data=attribute)
        ) == dict(zip(ids, other.vs[attribute]))  # fmt: skip


def test_karate_club_survives_the_app_for_networkx_and_igraph(tmp_path):
    """Zachary's karate club in (GraphML, written by networkx), through the store, out as GraphML: networkx and
    igraph read the same ties and weights as from the original. The 'club' attribute is not a stakeholder field."""
    path = classic("karate_club.graphml")
    store = open_memory_store()
    options = Options(pilot="karate", country="US", defaults={"Stakeholders": {"sector": "citizens"}})
    assert run_import(store, cli_actor(), [(path.name, path.read_bytes())], options).errors == []
    reference = nx.read_graphml(path)
    wanted = Counter((*sorted((u, v)), float(d["weight"])) for u, v, d in reference.edges(data=True))
    exported = to_graphml(store, "karate")
    graph = nx.read_graphml(io.BytesIO(exported))
    assert not graph.is_directed() and set(graph.nodes) == set(reference.nodes)
    assert Counter((*sorted((u, v)), d["weight"]) for u, v, d in graph.edges(data=True)) == wanted
    other = read_igraph(exported, tmp_path)
    ids = other.vs["id"]
    assert Counter((*sorted((ids[e.source], ids[e.target])), e["weight"]) for e in other.es) == wanted


@pytest.mark.parametrize(
    "name, nodes, edges",
    [
        ("florentine_families_edges.csv", 15, 20),
        ("karate_club_edges.csv", 34, 78),
        pytest.param("davis_southern_women_edges.csv", 32, 89, marks=needs_real),
    ],
)
def test_classic_edge_lists_read_as_networkx_reads_them(name, nodes, edges):
    path = classic(name)
    frame = pd.read_csv(path, dtype=str)
    reference = nx.from_pandas_edgelist(frame, *frame.columns[:2], edge_attr=list(frame.columns[2:]) or None)
    read = read_network(path.read_bytes(), name, source=frame.columns[0], target=frame.columns[1])
    assert read.problems == []
    assert (len(read.stakeholders), len(read.ties)) == (reference.number_of_nodes(), reference.number_of_edges()) == (nodes, edges)  # fmt: skip
    assert undirected_pairs((t["source"], t["target"]) for t in read.ties) == undirected_pairs(reference.edges())
    if "weight" in frame.columns:
        assert sum(t["weight"] for t in read.ties) == sum(float(w) for *_, w in reference.edges(data="weight"))


# --- the command line ---------------------------------------------------------------------------------------------


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "store.db"
    db = open_store(path)
    build(db)
    db.close()
    return path


@pytest.mark.parametrize("file_format", ["graphml", "gexf", "csv", "zip"])
def test_cli_network_export(net_file, tmp_path, capsys, file_format):
    out = tmp_path / f"net.{file_format}"
    argv = ["network-export", "--db", str(net_file), "--pilot", SLUG, "--format", file_format, "--out", str(out)]
    assert main(argv) == EXIT_OK
    printed = capsys.readouterr()
    assert str(out) in printed.out and f"{len(STAKEHOLDERS)} stakeholders" in printed.out
    db = open_store(net_file)
    try:
        assert out.read_bytes() == export_network(db, SLUG, file_format)
    finally:
        db.close()
    if file_format in ("graphml", "gexf"):
        assert "mixes directed and undirected ties" in printed.err


def test_cli_network_export_filters_and_refusals(net_file, tmp_path, capsys):
    out = tmp_path / "net.gexf"
    argv = ["network-export", "--db", str(net_file), "--pilot", SLUG, "--format", "gexf", "--out", str(out)]
    assert main([*argv, "--relation", "funding", "--relation", "advice", "--period", "end"]) == EXIT_OK
    graph = nx.read_gexf(out)
    assert sorted(d["relation"] for *_, d in graph.edges(data=True)) == ["advice", "funding"]
    assert "mixes" not in capsys.readouterr().err
    assert main([*argv, "--per-edge-direction"]) == EXIT_OK
    assert out.read_bytes().count(b'type="undirected"') == 3
    capsys.readouterr()
    argv[argv.index(SLUG)] = "nowhere"
    assert main(argv) == EXIT_INVALID
    assert "There is no pilot 'nowhere'" in capsys.readouterr().err

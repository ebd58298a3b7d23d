"""Real network files go in as they are shipped, through ``python -m lessons import`` (#17).

No mapping: a stakeholder without a sector we know is *not classified*, named in one warning. With a mapping:
values recoded. Problems: one line per cause, no follow-on problems, the full list on request. A no-op says so.
Counts are compared with networkx (GraphML) or with the file's own elements (GEXF, which networkx 3.6 cannot read:
GEXF 1.3's namespace, and Gephi 0.8's undeclared attributes).
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter

import networkx as nx
import pandas as pd
import pytest

from components import charts
from lessons import network
from lessons.cli import main
from lessons.cli.common import EXIT_INVALID, EXIT_OK
from lessons.store import connect, open_store
from tests.realdata import REALDATA, needs_realdata

CHEMNET = REALDATA / "chemnet-policy-network" / "chemnet_pol.graphml"
CLASSICS = REALDATA / "networkx-classics"
GEPHI = REALDATA / "gephi-gexf-samples"
FILES = [
    CHEMNET,
    CLASSICS / "karate_club.graphml",
    CLASSICS / "florentine_families.graphml",
    CLASSICS / "davis_southern_women.graphml",
    CLASSICS / "les_miserables.graphml",
    GEPHI / "lesmis_gephi09_gexf13.gexf",
    GEPHI / "miserables_gephi08_gexf11.gexf",
]
#: chemnet's node types (PROVENANCE.md: government, interest group, science, party, international organisation).
CHEMNET_TYPES = {"gov": 11, "ig": 7, "io": 3, "par": 3, "sci": 6}
RECODE = {"gov": "public", "sci": "research", "ig": "civil_society", "par": "not_classified", "io": "not_classified"}


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "lessons.db"
    assert main(["init", "--db", str(path)]) == EXIT_OK
    return path


def counts_in_file(path) -> tuple[int, int]:
    """Nodes and edges as networkx reads the GraphML, or as the GEXF's own node and edge elements number them."""
    if path.suffix == ".graphml":
        graph = nx.read_graphml(path)
        return graph.number_of_nodes(), graph.number_of_edges()
    root = ET.parse(path).getroot()
    local = [element.tag.rsplit("}", 1)[-1] for element in root.iter()]
    return local.count("node"), local.count("edge")


def stored(path, pilot: str) -> tuple[int, int, Counter]:
    with connect(path, readonly=True) as db:
        actors = db.execute(
            "SELECT s.sector FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [pilot]
        ).fetchall()
        ties = db.execute(
            "SELECT count(*) FROM ties t JOIN pilots p ON p.id = t.pilot_id WHERE p.slug = ?", [pilot]
        ).fetchone()[0]
    return len(actors), ties, Counter(sector for (sector,) in actors)


def uploads(path) -> int:
    with connect(path, readonly=True) as db:
        return db.execute("SELECT count(*) FROM uploads").fetchone()[0]


@needs_realdata
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_real_network_file_imports_as_shipped(path, store, capsys):
    code = main(["import", str(path), "--pilot", "net", "--country", "DE", "--db", str(store), "--quiet"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert "Upload 1 committed" in out
    nodes, edges = counts_in_file(path)
    actors, ties, sectors = stored(store, "net")
    assert (actors, ties) == (nodes, edges)
    assert sectors == {"not_classified": nodes}  # none of the seven gives a sector we know
    warnings = [line for line in err.splitlines() if line.startswith("warning:") and "sector" in line.lower()]
    assert len(warnings) == 1, err  # one warning for all the actors, not one per actor
    assert f"{nodes:,} actors" in warnings[0] and "not classified" in warnings[0]
    if path == CHEMNET:  # the values found are named, with how often
        assert all(f"'{value}' {n}" in warnings[0] for value, n in CHEMNET_TYPES.items())
        assert "recode" in warnings[0].lower()
    else:
        assert "No column holds the sector" in warnings[0]
    assert "error" not in err.lower()


@needs_realdata
def test_chemnet_with_a_recode_of_its_node_types(store, tmp_path, capsys):
    mapping = tmp_path / "chemnet.json"
    mapping.write_text(json.dumps({"values": {"Stakeholders": {"sector": RECODE}}}), encoding="utf-8")
    argv = ["import", str(CHEMNET), "--pilot", "chemnet", "--country", "DE", "--mapping", str(mapping)]
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "sector" not in err  # every value recoded: no warning
    expected = Counter()
    for node_type, n in CHEMNET_TYPES.items():
        expected[RECODE[node_type]] += n
    assert (
        stored(store, "chemnet")[2]
        == expected
        == {"public": 11, "civil_society": 7, "research": 6, "not_classified": 6}
    )
    # the same file, mapped by the name of its attribute ('type', read as the sector) and recoded: nothing changes
    mapping.write_text(
        json.dumps(
            {
                "Stakeholders": {"key": "key", "name": "name", "sector": "type"},
                "values": {"Stakeholders": {"sector": RECODE}},
            }
        ),
        encoding="utf-8",
    )
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_OK
    assert "Nothing changed: every row is already in the store." in capsys.readouterr().out


@needs_realdata
def test_a_recode_to_a_word_that_is_no_sector_is_an_error_naming_it(store, tmp_path, capsys):
    mapping = tmp_path / "chemnet.json"
    mapping.write_text(json.dumps({"values": {"Stakeholders": {"sector": {"gov": "govt"}}}}), encoding="utf-8")
    argv = ["import", str(CHEMNET), "--pilot", "chemnet", "--country", "DE", "--mapping", str(mapping)]
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_OK  # an unknown sector stays a warning
    err = capsys.readouterr().err
    assert "'govt' 11" in err and stored(store, "chemnet")[2]["not_classified"] == 30


@needs_realdata
def test_chemnet_with_a_mapping_naming_a_column_it_lacks_gets_one_line(store, tmp_path, capsys):
    mapping = tmp_path / "wrong.json"
    mapping.write_text(json.dumps({"Stakeholders": {"key": "key", "name": "name", "sector": "kind"}}), encoding="utf-8")
    argv = ["import", str(CHEMNET), "--pilot", "chemnet", "--country", "DE", "--mapping", str(mapping)]
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_INVALID
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "chemnet_pol.graphml, sheet Stakeholders, row 1, column kind: The mapping takes sector from the column 'kind', "
        "which the file does not have. Name one of its columns: key, name, sector, hard_to_reach, role, organisation.",
        "1 problem(s) of 1 kind(s) (--problems FILE.csv writes them one per row); nothing was written.",
    ]  # and no follow-on line for each of the 342 ties naming a stakeholder of the sheet that was not read
    assert uploads(store) == 0


STAKEHOLDERS = "key,name,sector,hard_to_reach\n" + "".join(f"S{i},Actor {i},public,maybe\n" for i in range(1, 8))
STAKEHOLDERS += "S8,Actor 8,pizza,no\nS9,Actor 9,research,no\n"
TIES = "source,target\n" + "".join(f"S{i},S9\n" for i in range(1, 8))
KINDS = "key,title,lesson,kind\nL1,A title,A lesson,pizza\n"


def test_a_broken_file_gets_one_line_per_cause_and_the_full_list_on_request(store, tmp_path, capsys):
    files = {"stakeholders.csv": STAKEHOLDERS, "ties.csv": TIES, "lessons.csv": KINDS}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    out_csv = tmp_path / "problems.csv"
    argv = ["import", *(str(tmp_path / n) for n in files), "--pilot", "p", "--country", "FI", "--db", str(store)]
    assert main([*argv, "--problems", str(out_csv)]) == EXIT_INVALID
    err = capsys.readouterr().err
    lines = err.splitlines()
    progress = [i for i, line in enumerate(lines) if "Reading the files" in line]
    assert progress and all("stakeholders.csv" not in lines[i] for i in progress)  # the progress line ended first
    causes = [line for line in lines if line.startswith(("stakeholders.csv", "ties.csv", "lessons.csv"))]
    assert (
        "stakeholders.csv, sheet Stakeholders, column hard_to_reach, 7 rows (2, 3, 4, 5, 6, …): 'maybe' is neither yes "
        "nor no. Write yes or no (or leave the cell empty if it is not known). — yes for a hard-to-reach group or one "
        "representing it"
    ) in causes
    assert not any("ties.csv" in line for line in causes)  # the ties name refused stakeholders: no follow-on
    kind = next(line for line in causes if line.startswith("lessons.csv"))
    assert kind.count("enabler") == 1  # the fix does not repeat the list the message gives
    assert lines[-1] == "8 problem(s) of 2 kind(s); nothing was written."
    with open(out_csv, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    maybe = [r["row"] for r in rows if r["column"] == "hard_to_reach"]
    assert len(rows) == 8 and maybe == [str(n) for n in range(2, 9)]  # one per row, in the order found
    assert main([*argv, "--all-problems", "--quiet"]) == EXIT_INVALID  # or every problem on its own line
    assert capsys.readouterr().err.count("'maybe' is neither yes nor no") == 7


@needs_realdata
def test_an_upload_that_changes_nothing_says_so_and_records_nothing(store, capsys):
    argv = ["import", str(CLASSICS / "karate_club.graphml"), "--pilot", "karate", "--country", "US"]
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_OK
    assert "Upload 1 committed" in capsys.readouterr().out
    assert main([*argv, "--db", str(store)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "Nothing changed: every row is already in the store. No upload was recorded." in out
    assert "committed" not in out and err.endswith("\n")  # the progress line ended
    assert uploads(store) == 1


def ei_expected(path, sector_of) -> tuple[float | None, int]:
    """Krackhardt's E-I over the ties whose two ends have a sector, computed with networkx from the file itself."""
    graph = nx.read_graphml(path)
    sector = {v: sector_of(d) for v, d in graph.nodes(data=True)}
    known = [(u, v) for u, v in graph.edges() if "not_classified" not in (sector[u], sector[v])]
    external = sum(sector[u] != sector[v] for u, v in known)
    internal = len(known) - external
    return ((external - internal) / len(known) if known else None), sum(s == "not_classified" for s in sector.values())


@needs_realdata
def test_the_network_metrics_count_not_classified_actors_apart(store, tmp_path):
    assert main(["import", str(CHEMNET), "--pilot", "plain", "--country", "DE", "--db", str(store), "--quiet"]) == 0
    mapping = tmp_path / "chemnet.json"
    mapping.write_text(json.dumps({"values": {"Stakeholders": {"sector": RECODE}}}), encoding="utf-8")
    argv = ["import", str(CHEMNET), "--pilot", "recoded", "--country", "DE", "--mapping", str(mapping)]
    assert main([*argv, "--db", str(store), "--quiet"]) == EXIT_OK
    db = open_store(store)
    plain = network.analysis(db, "plain", period="all").metrics
    assert plain["not_classified"] == 30 and plain["sector_mix"] == {"not_classified": 30}
    assert plain["ei_index"] is None and plain["ei_by_sector"] == {"not_classified": None}  # unknown, not -1
    recoded = network.analysis(db, "recoded", period="all").metrics
    ei, unclassified = ei_expected(CHEMNET, lambda d: RECODE[d["type"]])
    assert recoded["not_classified"] == unclassified == 6
    assert recoded["ei_index"] == pytest.approx(ei, abs=1e-12)
    assert recoded["sector_mix"] == {"civil_society": 7, "not_classified": 6, "public": 11, "research": 6}


def test_not_classified_actors_are_drawn_grey_and_apart():
    nodes = pd.DataFrame({"key": ["a", "b"], "name": ["A", "B"], "sector_name": ["Research", "Not classified"],
                          "x": [0.1, 0.9], "y": [0.5, 0.5], "size": [1, 1], "focus": [True, True]})  # fmt: skip
    edges = pd.DataFrame(columns=["x", "y", "x2", "y2", "source_name", "target_name", "relation", "weight", "focus"])
    spec = charts.network_chart(nodes, edges, size_title="Ties").to_dict()
    encoding = next(layer["encoding"] for layer in spec["layer"] if "shape" in layer.get("encoding", {}))
    colours = dict(zip(encoding["color"]["scale"]["domain"], encoding["color"]["scale"]["range"]))
    shapes = dict(zip(encoding["shape"]["scale"]["domain"], encoding["shape"]["scale"]["range"]))
    assert (colours["Not classified"], shapes["Not classified"]) == ("#767676", "triangle-down")
    assert shapes["Research"] != shapes["Not classified"]


def test_a_mapping_whose_values_are_not_a_recode_is_refused_in_plain_words(store, tmp_path, capsys):
    (tmp_path / "stakeholders.csv").write_text("key,name,sector\nS1,A,gov\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"values": {"Stakeholders": ["gov", "public"]}}), encoding="utf-8")
    argv = ["import", str(tmp_path / "stakeholders.csv"), "--pilot", "p", "--country", "FI", "--db", str(store)]
    assert main([*argv, "--mapping", str(mapping)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert '"values" must read {"Sheet": {"field": {"value in the file": "our value"}}}' in err
    assert "Traceback" not in err and uploads(store) == 0
    mapping.write_text(json.dumps({"values": {"Stakeholders": {"sector": {"GOV": "public"}}}}), encoding="utf-8")
    assert main([*argv, "--mapping", str(mapping), "--quiet"]) == EXIT_OK  # matched as folded: any case
    assert stored(store, "p")[2] == {"public": 1}


def test_a_recode_reaches_every_vocabulary_field(store, tmp_path, capsys):
    """Kind, theme (several in a cell), phase, stakeholder groups, tie type and country, from one mapping file."""
    files = {
        "pilot.csv": "slug,name,country\nq,Q pilot,Suomi-land\n",
        "lessons.csv": "key,title,lesson,kind,themes,phase,stakeholder_groups\nL1,T,L,obstacle,confiance;numérique,start,gov\n",
        "stakeholders.csv": "key,name,sector\nS1,A,gov\nS2,B,sci\n",
        "ties.csv": "source,target,relation\nS1,S2,pol\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    recode = {
        "Pilot": {"country": {"Suomi-land": "FI"}},
        "Lessons": {"kind": {"obstacle": "barrier"}, "themes": {"confiance": "trust", "numérique": "digital"},
                    "phase": {"start": "initiate"}, "stakeholder_groups": {"gov": "public"}},
        "Stakeholders": {"sector": {"gov": "public", "sci": "research"}},
        "Ties": {"relation": {"pol": "information"}},
    }  # fmt: skip
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"values": recode}), encoding="utf-8")
    argv = ["import", *(str(tmp_path / n) for n in files), "--mapping", str(mapping), "--db", str(store), "--quiet"]
    assert main(argv) == EXIT_OK, capsys.readouterr().err
    with connect(store, readonly=True) as db:
        assert db.execute("SELECT country FROM pilots WHERE slug = 'q'").fetchone() == ("FI",)
        assert db.execute("SELECT kind, phase FROM lessons WHERE key = 'L1'").fetchone() == ("barrier", "initiate")
        themes = {t for (t,) in db.execute("SELECT t.code FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id")}
        assert themes == {"trust", "digital"}
        assert [g for (g,) in db.execute("SELECT sector FROM lesson_groups")] == ["public"]
        assert db.execute("SELECT relation FROM ties").fetchall() == [("information",)]
    assert stored(store, "q")[2] == {"public": 1, "research": 1}

"""Real CSV node and edge lists go in as they are shipped, through ``python -m lessons import`` and the Upload page (#17).

A CSV's sheet comes from a word of its name (``karate_club_edges`` → Ties, ``edges_pol`` → Ties, ``karate_club_nodes``
→ Stakeholders), else from its columns (source and target → Ties). A Stakeholders sheet with a key and no name (or a
name and no key) uses the one for the other. An edge list uploaded without stakeholders brings its ends in as new
stakeholders, never renaming one the pilot has. A Ties CSV without a relation column takes the word after the sheet's
name as its relation (``edges_pol`` → ``pol``), and says so. ``.csv.gz`` files are unpacked within the ZIP limits.
What the files hold is read independently here, with networkx (the GraphML twins) and the csv module.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter

import networkx as nx
import pytest

from lessons.cli import main
from lessons.cli.common import EXIT_INVALID, EXIT_OK
from lessons.ingest.attributes import decode
from lessons.ingest.tables import MAX_ZIP_RATIO, read_files
from lessons.store import connect
from tests.realdata import REALDATA, needs_realdata

CLASSICS = REALDATA / "networkx-classics"
CHEMNET = REALDATA / "chemnet-policy-network"
CORDIS = REALDATA / "cordis-h2020-participations"
KARATE = [CLASSICS / "karate_club_nodes.csv", CLASSICS / "karate_club_edges.csv"]
FLORENTINE = CLASSICS / "florentine_families_edges.csv"
CHEMNET_EDGES = {
    "pol": "edges_pol.csv",
    "infrep": "edges_infrep.csv",
    "sci_confirmed": "edges_sci_confirmed.csv",
    "scifrom": "edges_scifrom.csv",
    "scito": "edges_scito.csv",
}
#: chemnet's node types recoded to sectors, as in tests/test_import_shipped.py
RECODE = {"gov": "public", "sci": "research", "ig": "civil_society", "par": "not_classified", "io": "not_classified"}


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "lessons.db"
    assert main(["init", "--db", str(path)]) == EXIT_OK
    return str(path)


def run_import(store, pilot, *files, extra=()):
    return main(["import", *map(str, files), "--pilot", pilot, "--country", "NL", "--db", store, "--quiet", *extra])


def actors(store, pilot) -> dict[str, dict]:
    with connect(store, readonly=True) as db:
        rows = db.execute(
            """SELECT s.key, s.name, s.sector, s.attributes FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id
               WHERE p.slug = ?""",
            [pilot],
        ).fetchall()
    return {key: {"name": name, "sector": sector, "attributes": decode(kept)} for key, name, sector, kept in rows}


def ties(store, pilot) -> list[tuple]:
    with connect(store, readonly=True) as db:
        return db.execute(
            """SELECT a.key, b.key, t.relation, t.directed, t.weight FROM ties t JOIN pilots p ON p.id = t.pilot_id
               JOIN stakeholders a ON a.id = t.source_id JOIN stakeholders b ON b.id = t.target_id
               WHERE p.slug = ?""",
            [pilot],
        ).fetchall()


def csv_rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@needs_realdata
def test_karate_nodes_and_edges_import_as_shipped(store, capsys):
    assert run_import(store, "karate", *KARATE) == EXIT_OK
    err = capsys.readouterr().err
    assert "error" not in err.lower()
    graph = nx.read_graphml(CLASSICS / "karate_club.graphml")
    found = actors(store, "karate")
    assert len(found) == graph.number_of_nodes() == 34
    assert {k: a["name"] for k, a in found.items()} == {n: n for n in graph}  # no name column: the name is the key
    assert {k: a["attributes"] for k, a in found.items()} == {n: {"club": d["club"]} for n, d in graph.nodes(data=True)}
    stored = ties(store, "karate")
    assert len(stored) == graph.number_of_edges() == 78
    assert {frozenset((a, b)): w for a, b, _, _, w in stored} == {
        frozenset((a, b)): d["weight"] for a, b, d in graph.edges(data=True)
    }
    assert {(relation, directed) for _, _, relation, directed, _ in stored} == {("collaboration", 0)}


@needs_realdata
def test_florentine_edges_alone_bring_their_families(store, capsys):
    assert run_import(store, "flo", FLORENTINE) == EXIT_OK
    err = capsys.readouterr().err
    graph = nx.read_graphml(CLASSICS / "florentine_families.graphml")
    found = actors(store, "flo")
    assert len(found) == graph.number_of_nodes() == 15
    assert {k: a["name"] for k, a in found.items()} == {n: n for n in graph}
    assert {a["sector"] for a in found.values()} == {"not_classified"}
    stored = ties(store, "flo")
    assert len(stored) == graph.number_of_edges() == 20
    assert {frozenset(t[:2]) for t in stored} == {frozenset(e) for e in graph.edges}
    added = [line for line in err.splitlines() if "no Stakeholders sheet" in line]
    assert len(added) == 1 and "15 stakeholders named only in these ties were added" in added[0]
    assert added[0].startswith("warning: florentine_families_edges.csv")


@needs_realdata
def test_chemnet_nodes_and_five_edge_files_give_five_relations(store, tmp_path, capsys):
    mapping = tmp_path / "chemnet.json"
    mapping.write_text(json.dumps({"values": {"Stakeholders": {"sector": RECODE}}}), encoding="utf-8")
    files = [CHEMNET / "nodes.csv", *(CHEMNET / name for name in CHEMNET_EDGES.values())]
    assert run_import(store, "chem", *files, extra=["--mapping", str(mapping)]) == EXIT_OK
    err = capsys.readouterr().err
    nodes = csv_rows(CHEMNET / "nodes.csv")
    found = actors(store, "chem")
    assert set(found) == {r["actor"] for r in nodes} and all(k == a["name"] for k, a in found.items())
    expected = Counter(RECODE[r["type"]] for r in nodes)
    assert Counter(a["sector"] for a in found.values()) == expected == {
        "public": 11, "civil_society": 7, "research": 6, "not_classified": 6
    }  # fmt: skip
    assert found["BMA"]["attributes"]["intpos_Bigsolution"] == "1"  # the stances stay as attributes
    stored = ties(store, "chem")
    per_relation = Counter(relation for _, _, relation, _, _ in stored)
    assert per_relation == {relation: len(csv_rows(CHEMNET / name)) for relation, name in CHEMNET_EDGES.items()}
    assert {directed for *_, directed, _ in stored} == {1}  # a relation other than collaboration is directed
    for relation, name in CHEMNET_EDGES.items():
        pairs = {(a, b) for a, b, r, _, _ in stored if r == relation}
        assert pairs == {(r["source"], r["target"]) for r in csv_rows(CHEMNET / name)}
        said = [line for line in err.splitlines() if line.startswith(f"warning: {name}") and "relation" in line]
        assert len(said) == 1 and f"given the relation '{relation}', from the file's name" in said[0]
    assert "no Stakeholders sheet" not in err  # nodes.csv came with the ties


@needs_realdata
def test_a_ties_only_reupload_does_not_rename_the_pilots_stakeholders(store, tmp_path, capsys):
    families = sorted({end for row in csv_rows(FLORENTINE) for end in (row["source"], row["target"])})
    nodes = tmp_path / "stakeholders.csv"
    nodes.write_text("key,name\n" + "".join(f"{f},House of {f}\n" for f in families), encoding="utf-8")
    assert run_import(store, "flo", nodes, FLORENTINE) == EXIT_OK
    before = actors(store, "flo")
    assert before["Medici"]["name"] == "House of Medici"
    capsys.readouterr()
    assert main(["import", str(FLORENTINE), "--pilot", "flo", "--db", store]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "Nothing changed" in out and "no Stakeholders sheet" not in err
    assert actors(store, "flo") == before
    grown = tmp_path / "florentine_families_edges.csv"
    grown.write_text(FLORENTINE.read_text(encoding="utf-8") + "Medici,Sforza\n", encoding="utf-8")
    assert main(["import", str(grown), "--pilot", "flo", "--db", store, "--quiet"]) == EXIT_OK
    assert "1 stakeholder named only in these ties was added" in capsys.readouterr().err
    after = actors(store, "flo")
    assert after == {**before, "Sforza": {"name": "Sforza", "sector": "not_classified", "attributes": {}}}
    assert len(ties(store, "flo")) == 21


@needs_realdata
def test_a_gzipped_edge_list_reads_as_the_plain_one(store, tmp_path):
    packed = tmp_path / "karate_club_edges.csv.gz"
    packed.write_bytes(gzip.compress(KARATE[1].read_bytes()))
    assert run_import(store, "packed", KARATE[0], packed) == EXIT_OK
    assert run_import(store, "plain", *KARATE) == EXIT_OK
    assert sorted(ties(store, "packed")) == sorted(ties(store, "plain")) and len(ties(store, "plain")) == 78
    assert actors(store, "packed") == actors(store, "plain")


@needs_realdata
def test_the_real_gzipped_cordis_file_is_read_whole():
    path = CORDIS / "programme_parts.csv.gz"
    upload = read_files([(path.name, path.read_bytes())])
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert not upload.problems
    [sheet] = upload.sheets
    assert sheet.file == path.name and sheet.columns == ["rcn", "programme_part"]
    assert sheet.rows == expected


def test_a_gzip_bomb_and_a_damaged_gzip_are_refused_in_one_line(store, tmp_path, capsys):
    bomb = tmp_path / "ties.csv.gz"
    bomb.write_bytes(gzip.compress(b"source,target\n" + b"a,b\n" * 2_000_000))
    assert run_import(store, "bomb", bomb) == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"ties.csv.gz: The file unpacks to more than {MAX_ZIP_RATIO} times its size" in err
    broken = tmp_path / "edges.csv.gz"
    broken.write_bytes(gzip.compress(b"source,target\na,b\n")[:-12])
    assert run_import(store, "broken", broken) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "edges.csv.gz: The file is damaged or not what its name says (it is not a valid gzip file" in err
    assert "Traceback" not in err


def test_a_name_column_alone_gives_the_key_and_a_too_long_name_is_refused(store, tmp_path, capsys):
    nodes = tmp_path / "actors.csv"
    long_name = "Agency " + "x" * 250
    nodes.write_text(f"actor,type\nBMA,gov\n{long_name},gov\n", encoding="utf-8")
    assert run_import(store, "long", nodes) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "actors.csv, sheet Stakeholders, row 3, column actor: The name has 257 characters" in err
    assert "a key has at most 200" in err and "Add a key column" in err
    assert run_import(store, "long", nodes, extra=["--skip-invalid"]) == EXIT_OK
    assert {k: a["name"] for k, a in actors(store, "long").items()} == {"BMA": "BMA"}


@needs_realdata
def test_the_upload_page_takes_karates_two_csv_files(demo_db_path, app_on):
    at = app_on(demo_db_path, timeout=60).run()
    at.text_input(key="auth_username").set_value("coordinator")
    at.text_input(key="auth_password").set_value("demo-coordinator-pass")
    at.button(key="FormSubmitter:auth_form-Sign in").click().run()
    at.switch_page("pages/upload.py").run()
    at.get("file_uploader")[0].set_value([(p.name, p.read_bytes(), "text/csv") for p in KARATE])
    at.selectbox(key="upload_pilot").set_value("tampere-youth-guidance")
    at.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["New rows"] == f"{34 + 78:,}"
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert at.success[0].value.endswith("committed. You can undo it below.")
    found = actors(demo_db_path, "tampere-youth-guidance")
    clubs = {r["node"]: r["club"] for r in csv_rows(KARATE[0])}
    assert {k: found[k]["attributes"] for k in clubs} == {k: {"club": club} for k, club in clubs.items()}
    assert sum(1 for k in found if k.isdigit()) == 34
    assert len([t for t in ties(demo_db_path, "tampere-youth-guidance") if t[0].isdigit()]) == 78


@needs_realdata
def test_an_r_data_file_is_refused_with_how_to_export_it_from_r(tmp_path, capsys):
    """chemnet.rda as btergm ships it: R objects, not a network file; one line says how to write GraphML or CSV."""
    db = tmp_path / "r.db"
    assert main(["import", str(CHEMNET / "chemnet.rda"), "--pilot", "chem", "--country", "DE", "--db", str(db)]) == (
        EXIT_INVALID
    )
    err = capsys.readouterr().err
    assert "R data file" in err and "write_graph" in err and "Traceback" not in err
    assert err.count("chemnet.rda:") == 1
    with connect(db, readonly=True) as check:
        assert check.execute("SELECT count(*) FROM pilots WHERE slug = 'chem'").fetchone() == (0,)


@needs_realdata
def test_chemnet_forum_membership_goes_in_as_two_mode_and_projects_to_288_ties(store):
    """committee_membership.csv as shipped (actor, forum), with --two-mode: PROVENANCE.md's 288 actor pairs."""
    path = store
    source = CHEMNET / "committee_membership.csv"
    with open(source, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    forums: dict[str, set] = {}
    for row in rows:
        forums.setdefault(row["forum"], set()).add(row["actor"])
    pairs = {tuple(sorted((a, b))) for members in forums.values() for a in members for b in members if a < b}
    code = main(["import", str(source), "--two-mode", "actor:forum", "--pilot", "forums", "--country", "DE",
                 "--db", path, "--quiet"])  # fmt: skip
    assert code == EXIT_OK
    with connect(path, readonly=True) as db:
        ties = db.execute(
            "SELECT count(*) FROM ties t JOIN pilots p ON p.id = t.pilot_id WHERE p.slug = 'forums'"
        ).fetchone()[0]
        actors_in = db.execute(
            "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = 'forums'"
        ).fetchone()[0]
    assert ties == len(pairs) == 288
    assert actors_in == len({row["actor"] for row in rows}) == 30

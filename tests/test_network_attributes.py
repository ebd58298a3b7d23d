"""Real network files keep what they carry, come back out equal, and give the same communities in any row order (#17).

Everything goes through the user's path: ``python -m lessons import`` (``lessons.cli.main``) on the real files of
``../shared/realdata`` (skipped where absent), ``network-export``, ``network-stats --json``, ``uploads undo``, and an
AppTest of the network page. What a file holds is read independently here, with ElementTree and the csv module.

Until sectors may be left unclassified, the first import gives every actor a sector with a mapping's ``defaults``
(the real files have none); the round trip needs no mapping, pilot or country: the export carries them.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from xml.etree import ElementTree

import pytest

from components.network_views import file_layout, with_kept
from lessons import network
from lessons.cli import EXIT_OK, main
from lessons.ingest.attributes import decode
from lessons.store import open_store
from tests.realdata import REALDATA, needs_realdata

CLASSICS = REALDATA / "networkx-classics"
GEPHI = REALDATA / "gephi-gexf-samples"
#: file, pilot slug
FILES = {
    "karate": CLASSICS / "karate_club.graphml",
    "lesmis-graphml": CLASSICS / "les_miserables.graphml",
    "lesmis-gephi": GEPHI / "lesmis_gephi09_gexf13.gexf",
}
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF13 = "{http://www.gexf.net/1.3}"
VIZ13 = "{http://www.gexf.net/1.3/viz}"


def store(tmp_path, name: str) -> str:
    """An empty store (no demo data) at ``tmp_path/name``."""
    path = str(tmp_path / name)
    assert main(["init", "--db", path]) == EXIT_OK
    return path


def import_real(tmp_path, db: str, pilot: str, *files, capsys=None) -> str:
    """Import real files as a coordinator would from the command line, every actor given a sector; return stderr."""
    mapping = tmp_path / "sector.json"
    mapping.write_text(json.dumps({"defaults": {"Stakeholders": {"sector": "civil_society"}}}), encoding="utf-8")
    args = ["import", *map(str, files), "--db", db, "--pilot", pilot, "--country", "FR", "--mapping", str(mapping)]
    assert main([*args, "--quiet"]) == EXIT_OK
    return capsys.readouterr().err if capsys else ""


def stakeholders(db_path: str, pilot: str) -> dict[str, dict]:
    with open_store(db_path) as db:
        rows = db.execute(
            """SELECT s.key, s.name, s.sector, s.hard_to_reach, s.role, o.name, s.attributes
               FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id LEFT JOIN organisations o ON o.id = s.organisation_id
               WHERE p.slug = ?""",
            [pilot],
        ).fetchall()
    return {
        key: {"name": name, "sector": sector, "hard_to_reach": hard, "role": role, "organisation": org,
              "attributes": decode(kept)}
        for key, name, sector, hard, role, org, kept in rows
    }  # fmt: skip


def ties(db_path: str, pilot: str) -> Counter:
    with open_store(db_path) as db:
        rows = db.execute(
            """SELECT a.key, b.key, t.relation, t.directed, t.weight, t.period, t.attributes
               FROM ties t JOIN pilots p ON p.id = t.pilot_id
               JOIN stakeholders a ON a.id = t.source_id JOIN stakeholders b ON b.id = t.target_id
               WHERE p.slug = ?""",
            [pilot],
        ).fetchall()
    return Counter(
        (*(sorted((s, t)) if not directed else (s, t)), relation, directed, weight, period, json.dumps(decode(kept)))
        for s, t, relation, directed, weight, period, kept in rows
    )


def stats(db_path: str, pilot: str, capsys) -> dict:
    capsys.readouterr()
    assert main(["network-stats", "--db", db_path, "--pilot", pilot, "--period", "all", "--json"]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def same_numbers(a, b) -> bool:
    """Equal, numbers to 1e-12 (summation order may differ in the last bit), NaN equal to NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_numbers(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float | int):
        return a == pytest.approx(b, abs=1e-12, nan_ok=True)
    return a == b


# --- what the files carry is kept ---------------------------------------------------------------------------------


def gephi_nodes(path) -> dict[str, dict]:
    """Every node of the Gephi 0.9 file as the file says it, read with ElementTree."""
    root = ElementTree.parse(path).getroot()
    out = {}
    for node in root.iter(f"{GEXF13}node"):
        value = node.find(f"{GEXF13}attvalues/{GEXF13}attvalue[@for='modularity_class']").get("value")
        colour = node.find(f"{VIZ13}color")
        position = node.find(f"{VIZ13}position")
        out[node.get("id")] = {
            "Modularity Class": int(value),
            "viz:color": "#{:02x}{:02x}{:02x}".format(*(int(colour.get(c)) for c in "rgb")),
            "viz:x": float(position.get("x")),
            "viz:y": float(position.get("y")),
            "viz:size": float(node.find(f"{VIZ13}size").get("value")),
        }
    return out


@needs_realdata
def test_karate_keeps_its_club_and_names_the_graph_name_it_does_not_keep(tmp_path, capsys):
    db = store(tmp_path, "karate.db")
    err = import_real(tmp_path, db, "karate", FILES["karate"], capsys=capsys)
    root = ElementTree.parse(FILES["karate"]).getroot()
    clubs = {n.get("id"): n.find(f"{GRAPHML}data").text for n in root.iter(f"{GRAPHML}node")}
    kept = stakeholders(db, "karate")
    assert {key: s["attributes"] for key, s in kept.items()} == {key: {"club": club} for key, club in clubs.items()}
    assert Counter(clubs.values()) == {"Mr. Hi": 17, "Officer": 17}
    assert err.count("Not kept from the file") == 1  # one warning, naming what is not kept
    assert "the graph's name ('Zachary's Karate Club')" in err


@needs_realdata
def test_gephi_file_keeps_modularity_class_and_its_drawing(tmp_path, capsys):
    db = store(tmp_path, "gephi.db")
    err = import_real(tmp_path, db, "lesmis", FILES["lesmis-gephi"], capsys=capsys)
    kept = stakeholders(db, "lesmis")
    assert {key: s["attributes"] for key, s in kept.items()} == gephi_nodes(FILES["lesmis-gephi"])
    assert kept["11"]["name"] == "Valjean" and len({s["attributes"]["Modularity Class"] for s in kept.values()}) == 9
    assert err.count("Not kept from the file") == 1 and "creator 'Gephi 0.9'" in err


@needs_realdata
def test_attributes_go_through_undo_with_the_rest_of_an_upload(tmp_path, capsys):
    db = store(tmp_path, "undo.db")
    import_real(tmp_path, db, "karate", FILES["karate"])
    before = stakeholders(db, "karate")
    changed = tmp_path / "karate_club.graphml"  # the same file, one member now in the other club
    text = FILES["karate"].read_text(encoding="utf-8")
    changed.write_text(
        text.replace('<node id="0">\n      <data key="d1">Mr. Hi', '<node id="0">\n      <data key="d1">Officer')
    )
    import_real(tmp_path, db, "karate", changed)
    after = stakeholders(db, "karate")
    assert after["0"]["attributes"] == {"club": "Officer"} and before["0"]["attributes"] == {"club": "Mr. Hi"}
    assert {k: v for k, v in after.items() if k != "0"} == {k: v for k, v in before.items() if k != "0"}
    capsys.readouterr()
    assert main(["uploads", "list", "--db", db, "--json"]) == EXIT_OK
    last = json.loads(capsys.readouterr().out)[0]
    assert (last["rows_changed"], last["rows_added"]) == (1, 0)
    assert main(["uploads", "undo", str(last["id"]), "--db", db]) == EXIT_OK
    assert stakeholders(db, "karate") == before


# --- the round trip: export, import again without --pilot, the same network ---------------------------------------


@needs_realdata
@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("file_format", ["graphml", "gexf"])
def test_own_export_imports_again_without_pilot_and_gives_the_same_network(tmp_path, capsys, name, file_format):
    first = store(tmp_path, "first.db")
    import_real(tmp_path, first, name, FILES[name])
    out = tmp_path / f"{name}.{file_format}"
    assert main(["network-export", "--db", first, "--pilot", name, "--format", file_format, "--out", str(out)]) == 0
    again = store(tmp_path, "again.db")
    capsys.readouterr()
    assert main(["import", str(out), "--db", again, "--quiet"]) == EXIT_OK  # no --pilot, --country or mapping
    err = capsys.readouterr().err
    assert "Not kept" not in err  # the app's own file loses nothing
    pilots = []
    for path in (first, again):
        with open_store(path) as db:
            pilots.append(db.execute("SELECT slug, name, country FROM pilots").fetchall())
    assert pilots[1] == pilots[0] == [(name, name.replace("-", " ").capitalize(), "FR")]
    assert stakeholders(again, name) == stakeholders(first, name)
    assert ties(again, name) == ties(first, name)
    a, b = stats(first, name, capsys), stats(again, name, capsys)
    assert same_numbers(a["network"], b["network"])
    key = lambda actors: {r["key"]: {k: v for k, v in r.items() if k != "id"} for r in actors}  # noqa: E731
    assert same_numbers(key(a["actors"]), key(b["actors"]))  # the same communities, actor by actor
    assert main(["uploads", "list", "--db", again, "--json"]) == EXIT_OK
    uploads = json.loads(capsys.readouterr().out)
    assert main(["import", str(out), "--db", again]) == EXIT_OK  # once more: nothing changes, nothing recorded
    assert "Nothing changed" in capsys.readouterr().out
    assert main(["uploads", "list", "--db", again, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == uploads


# --- stable communities -------------------------------------------------------------------------------------------


def shuffled_csvs(tmp_path, seed: int) -> list:
    """Karate's node and edge CSVs (from the shared folder) with their rows, and each edge's ends, shuffled."""
    rng = random.Random(seed)
    with open(CLASSICS / "karate_club_nodes.csv", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with open(CLASSICS / "karate_club_edges.csv", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    folder = tmp_path / f"order{seed}"
    folder.mkdir()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "name", "club"])
    writer.writerows([n["node"], n["node"], n["club"]] for n in nodes)
    (folder / "stakeholders.csv").write_text(out.getvalue(), encoding="utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source", "target", "weight"])
    for edge in edges:
        ends = [edge["source"], edge["target"]]
        rng.shuffle(ends)  # an undirected tie may be written either way round
        writer.writerow([*ends, edge["weight"]])
    (folder / "ties.csv").write_text(out.getvalue(), encoding="utf-8")
    return [folder / "stakeholders.csv", folder / "ties.csv"]


@needs_realdata
def test_communities_and_modularity_do_not_depend_on_the_order_of_the_rows(tmp_path, capsys):
    seen = []
    for seed in range(4):
        db = store(tmp_path, f"order{seed}.db")
        import_real(tmp_path, db, "karate", *shuffled_csvs(tmp_path, seed))
        assert {k: s["attributes"] for k, s in stakeholders(db, "karate").items()}["33"] == {"club": "Officer"}
        result = stats(db, "karate", capsys)
        seen.append((result["network"]["modularity"], {r["key"]: r["community"] for r in result["actors"]}))
    graphml = store(tmp_path, "graphml.db")  # the same network from the GraphML file, rows in its own order
    import_real(tmp_path, graphml, "karate", FILES["karate"])
    result = stats(graphml, "karate", capsys)
    seen.append((result["network"]["modularity"], {r["key"]: r["community"] for r in result["actors"]}))
    assert all(found == seen[0] for found in seen), [m for m, _ in seen]
    assert round(seen[0][0], 4) == 0.4449 and len(set(seen[0][1].values())) == 4


# --- the network page ---------------------------------------------------------------------------------------------


def chart_spec(at) -> dict:
    """The Vega-Lite spec of the page's network chart."""
    charts = [c for c in at.get("vega_lite_chart") if "Stakeholder network" in c.proto.spec]
    return json.loads(charts[0].proto.spec)


@needs_realdata
def test_network_page_shows_kept_attributes_and_colours_and_sizes_by_them(tmp_path, app_on):
    db = store(tmp_path, "page.db")
    import_real(tmp_path, db, "lesmis", FILES["lesmis-gephi"])
    at = app_on(db, {"pilot": "lesmis"}, timeout=60)
    at.run()
    at.switch_page("pages/networks.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Actor" in d.value.columns)
    wanted = gephi_nodes(FILES["lesmis-gephi"])
    names = {s["name"]: key for key, s in stakeholders(db, "lesmis").items()}
    shown = {names[r["Actor"]]: {k: r[k] for k in wanted["11"]} for r in table.to_dict("records")}
    assert shown == wanted  # Modularity Class and Gephi's drawing, actor by actor
    colour = at.selectbox(key="networks_colour")
    assert colour.value == "sector"
    assert {"Modularity Class (from the file)", "viz:color (from the file)"} <= set(colour.options)
    colour.set_value("kept:Modularity Class").run()
    assert not at.exception, at.exception
    spec = json.dumps(chart_spec(at))
    assert '"title": "Modularity Class (from the file)"' in spec
    colour.set_value("kept:viz:color").run()
    at.selectbox(key="networks_size").set_value("kept:viz:size").run()
    assert not at.exception, at.exception
    layer = chart_spec(at)["layer"][1]["encoding"]
    assert layer["color"]["scale"] is None and layer["color"]["field"] == "colour"  # Gephi's own colours
    assert layer["size"]["title"] == "viz:size (from the file)"
    assert "club (from the file)" not in at.selectbox(key="networks_size").options  # text cannot size
    at.toggle(key="networks_file_layout").set_value(True).run()  # Gephi's own layout
    assert not at.exception, at.exception


@needs_realdata
def test_the_files_layout_keeps_its_proportions(tmp_path):
    db = store(tmp_path, "layout.db")
    import_real(tmp_path, db, "lesmis", FILES["lesmis-gephi"])
    with open_store(db) as opened:
        actors = with_kept(network.pilot_actors(opened, "lesmis"), network.pilot_attributes(opened, "lesmis"))
    placed = file_layout(actors).merge(actors[["id", "key"]], on="id").set_index("key")
    wanted = gephi_nodes(FILES["lesmis-gephi"])
    xs, ys = [w["viz:x"] for w in wanted.values()], [w["viz:y"] for w in wanted.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    for key, w in wanted.items():
        assert placed.loc[key, "x"] == pytest.approx((w["viz:x"] - min(xs)) / span, abs=1e-12)
        assert placed.loc[key, "y"] == pytest.approx((w["viz:y"] - min(ys)) / span, abs=1e-12)
    assert file_layout(actors.drop(columns="kept:viz:y")) is None  # no positions: the computed layout

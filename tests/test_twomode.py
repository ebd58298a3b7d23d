"""Two-mode data (#17): an affiliation list imported through ``python -m lessons import FILE --two-mode A:B``.

Davis's southern women (18 women × 14 events) and the Horizon 2020 SC6 participations (2,067 organisations × 455
projects) are read from the shared real-data folder and skipped where it is absent. What the store holds afterwards
(actors, events, participations, projected ties and their weights) is compared with counts computed here from the
file with plain pandas, and with networkx's ``bipartite.weighted_projected_graph`` on the file.
"""

from __future__ import annotations

import json
import time

import networkx as nx
import pandas as pd
import pytest
from networkx.algorithms import bipartite

from lessons import network
from lessons.cli import main
from lessons.cli.common import EXIT_INVALID, EXIT_OK
from lessons.network.projection import project_actors
from lessons.store import connect, open_store, table_counts
from tests.realdata import REALDATA

DAVIS = REALDATA / "networkx-classics" / "davis_southern_women_edges.csv"
H2020 = REALDATA / "cordis-h2020-participations" / "sc6_participations.csv"
H2020_SECTORS = {"HES": "research", "REC": "research", "PRC": "private", "PUB": "public", "OTH": "civil_society"}


def needs(path):
    return pytest.mark.skipif(not path.is_file(), reason=f"the shared real data is not here ({path})")


@pytest.fixture
def store(tmp_path):
    """An empty migrated store (no demo), so counts are the file's alone."""
    path = tmp_path / "store.db"
    open_store(path).close()
    return path


def expected(frame: pd.DataFrame, actor: str, event: str) -> dict:
    """Counts and weighted ties from the file with plain pandas: a self-merge on the event, pairs counted."""
    pairs = frame[[actor, event]].astype(str).drop_duplicates()
    both = pairs.merge(pairs, on=event)
    both = both[both[f"{actor}_x"] < both[f"{actor}_y"]]
    weights = both.groupby([f"{actor}_x", f"{actor}_y"]).size()
    return {
        "actors": pairs[actor].nunique(),
        "events": pairs[event].nunique(),
        "participations": len(pairs),
        "ties": {frozenset(k): int(w) for k, w in weights.items()},
    }


def networkx_projection(frame: pd.DataFrame, actor: str, event: str) -> dict:
    B = nx.Graph()
    actors = [("a", a) for a in frame[actor].astype(str).unique()]
    B.add_nodes_from(actors, bipartite=0)
    B.add_edges_from((("a", a), ("e", e)) for a, e in zip(frame[actor].astype(str), frame[event].astype(str)))
    P = bipartite.weighted_projected_graph(B, actors)
    return {frozenset((u[1], v[1])): w for u, v, w in P.edges(data="weight")}


def stored(path, slug: str) -> dict:
    with connect(path, readonly=True) as db:
        pilot = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()[0]
        keys = dict(db.execute("SELECT id, key FROM stakeholders WHERE pilot_id = ?", [pilot]).fetchall())
        ties = {
            frozenset((keys[s], keys[t])): w
            for s, t, w in db.execute(
                "SELECT source_id, target_id, weight FROM ties WHERE pilot_id = ? AND relation = 'co-participation'",
                [pilot],
            )
        }
        lists = db.execute("SELECT id FROM two_mode_lists WHERE pilot_id = ?", [pilot]).fetchall()
        count = lambda table: db.execute(  # noqa: E731
            f"SELECT count(*) FROM {table} WHERE list_id IN (SELECT id FROM two_mode_lists WHERE pilot_id = ?)", [pilot]
        ).fetchone()[0]
        sectors = dict(
            db.execute("SELECT sector, count(*) FROM stakeholders WHERE pilot_id = ? GROUP BY sector", [pilot])
        )
        return {
            "stakeholders": len(keys),
            "ties": ties,
            "lists": len(lists),
            "actors": count("two_mode_actors"),
            "events": count("two_mode_events"),
            "participations": count("two_mode_participations"),
            "sectors": sectors,
        }


def last_upload(path) -> int:
    with connect(path, readonly=True) as db:
        return db.execute("SELECT max(id) FROM uploads").fetchone()[0]


def counts_without_history(path) -> dict:
    with connect(path, readonly=True) as db:
        counts = table_counts(db)
    return {k: v for k, v in counts.items() if k not in ("uploads", "upload_changes", "audit_log", "sectors")}


# --- the projection itself -------------------------------------------------------------------------------------------


def test_projection_counts_shared_events_once_per_pair():
    pairs = [("Ann", "E1"), ("Bo", "E1"), ("Ann", "E2"), ("Bo", "E2"), ("Cy", "E2"), ("Ann", "E2"), ("Di", "E3")]
    ties = project_actors(pairs)
    assert ties.to_dict("records") == [
        {"source": "Ann", "target": "Bo", "weight": 2},
        {"source": "Ann", "target": "Cy", "weight": 1},
        {"source": "Bo", "target": "Cy", "weight": 1},
    ]


def test_an_actor_and_an_event_of_the_same_name_stay_apart():
    ties = project_actors([("X", "X"), ("Y", "X")])
    assert ties.to_dict("records") == [{"source": "X", "target": "Y", "weight": 1}]


# --- Davis's southern women: people × events, into one pilot -----------------------------------------------------


@needs(DAVIS)
def test_davis_southern_women_through_the_command_line(store, capsys):
    frame = pd.read_csv(DAVIS)
    want = expected(frame, "woman", "event")
    assert (want["actors"], want["events"], want["participations"], len(want["ties"])) == (18, 14, 89, 139)
    code = main(["import", str(DAVIS), "--two-mode", "woman:event", "--pilot", "davis", "--country", "US",
                 "--db", str(store), "--quiet"])  # fmt: skip
    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    assert "Upload 1 committed" in out.out
    assert "18 of 18 actor(s) have no sector" in out.err  # one warning, with how to set it
    got = stored(store, "davis")
    assert got["stakeholders"] == got["actors"] == want["actors"]
    assert (got["events"], got["participations"], got["lists"]) == (want["events"], want["participations"], 1)
    assert got["ties"] == want["ties"]
    assert got["ties"] == networkx_projection(frame, "woman", "event")
    assert got["sectors"] == {"not_classified": 18}
    # an ordinary stakeholder network: analysed and stored by lessons.network.storage
    with connect(store, readonly=True) as db:
        analysed = network.analysis(db, "davis", store=False)
    assert (analysed.metrics["nodes"], analysed.metrics["ties"]) == (18, 139)
    strength = analysed.actors.set_index("name")
    assert strength.loc["Evelyn Jefferson", "degree"] == 17


@needs(DAVIS)
def test_the_stored_analysis_of_all_periods_is_the_one_computed(store):
    """The import stores the all-periods analysis as a copy of the end one (only end ties): the same as computing it."""
    assert main(["import", str(DAVIS), "--two-mode", "woman:event", "--pilot", "davis", "--country", "US",
                 "--db", str(store), "--quiet"]) == EXIT_OK  # fmt: skip
    db = open_store(store)
    names = [r[0] for r in db.execute("SELECT name FROM analysis_results WHERE name LIKE '%davis%' ORDER BY name")]
    assert names == ["network-layout:davis", "network:davis:all:", "network:davis:baseline:", "network:davis:end:"]
    kept = network.analysis(db, "davis", period="all")
    db.execute("DELETE FROM analysis_results")
    fresh = network.analysis(db, "davis", period="all", store=False)
    db.close()
    assert (kept.period, kept.data_version) == ("all", fresh.data_version)
    assert kept.metrics == fresh.metrics
    pd.testing.assert_frame_equal(kept.actors, fresh.actors)
    pd.testing.assert_frame_equal(kept.edges, fresh.edges)


@needs(DAVIS)
def test_davis_again_changes_nothing_and_undo_restores_the_store(store, capsys):
    before = counts_without_history(store)
    args = ["import", str(DAVIS), "--two-mode", "woman:event", "--pilot", "davis", "--country", "US",
            "--db", str(store), "--quiet"]  # fmt: skip
    assert main(args) == EXIT_OK
    first = counts_without_history(store)
    assert main(args) == EXIT_OK
    assert "Nothing changed: upload 1 already imported this list into pilot davis." in capsys.readouterr().out
    assert counts_without_history(store) == first and last_upload(store) == 1
    assert main(["uploads", "undo", "1", "--db", str(store)]) == EXIT_OK
    assert counts_without_history(store) == before
    with connect(store, readonly=True) as db:
        assert db.execute("SELECT count(*) FROM pilots WHERE slug = 'davis'").fetchone()[0] == 0


def test_a_longer_list_into_the_same_pilot_keeps_its_actors_and_reweighs_its_ties(store, tmp_path, capsys):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("person,meeting\nAnn,M1\nBo,M1\n", encoding="utf-8")
    second.write_text("person,meeting\nAnn,M1\nBo,M1\nAnn,M2\nBo,M2\nCy,M2\n", encoding="utf-8")
    common = ["--two-mode", "person:meeting", "--pilot", "p", "--country", "FI", "--db", str(store), "--quiet"]
    assert main(["import", str(first), *common]) == EXIT_OK
    assert stored(store, "p")["ties"] == {frozenset(("Ann", "Bo")): 1}
    assert main(["import", str(second), *common]) == EXIT_OK
    assert "Stakeholders: 1 new, 2 already there; ties: 2 new, 1 with a new weight, 0 unchanged." in (
        capsys.readouterr().out
    )
    got = stored(store, "p")
    assert got["stakeholders"] == 3 and got["lists"] == 2
    assert got["ties"] == {frozenset(("Ann", "Bo")): 2, frozenset(("Ann", "Cy")): 1, frozenset(("Bo", "Cy")): 1}
    assert main(["uploads", "undo", "2", "--db", str(store)]) == EXIT_OK
    got = stored(store, "p")
    assert (got["stakeholders"], got["lists"], got["ties"]) == (2, 1, {frozenset(("Ann", "Bo")): 1})


# --- Horizon 2020 SC6: organisations × projects, the whole consortium ------------------------------------------------


@needs(H2020)
def test_h2020_subset_as_the_whole_consortium_in_under_30_seconds(store, tmp_path, capsys):
    frame = pd.read_csv(H2020)
    want = expected(frame, "pic", "rcn")
    assert (want["actors"], want["events"], want["participations"], len(want["ties"])) == (2067, 455, 3891, 20634)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"Stakeholders": {"sector": "type"}, "values": {"Stakeholders": {"sector": H2020_SECTORS}}}),
        encoding="utf-8",
    )
    before = counts_without_history(store)
    started, cpu = time.perf_counter(), time.process_time()
    code = main(["import", str(H2020), "--two-mode", "pic:rcn", "--mapping", str(mapping), "--country", "BE",
                 "--db", str(store), "--quiet"])  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = capsys.readouterr()
    print(f"\nH2020 SC6 two-mode import through the CLI: {seconds:.1f} s ({cpu:.1f} s of CPU)")
    assert code == EXIT_OK, out.err
    # 252 s as one pilot per project before #17. The CPU time is the bound: the wall time also measures whatever
    # else the machine runs (about 7 s on a quiet 2-core machine, 31 s with 20 processes waiting for its 2 cores).
    assert cpu < 30
    got = stored(store, "consortium")
    assert got["stakeholders"] == got["actors"] == want["actors"]
    assert (got["events"], got["participations"]) == (want["events"], want["participations"])
    assert got["ties"] == want["ties"]
    assert got["ties"] == networkx_projection(frame, "pic", "rcn")
    types = frame.drop_duplicates("pic")["type"].map(H2020_SECTORS).value_counts().to_dict()
    assert got["sectors"] == types
    with connect(store, readonly=True) as db:
        analysed = network.analysis(db, "consortium")  # stored by the import: loaded, not computed
        organisations = db.execute("SELECT count(*) FROM organisations").fetchone()[0]
    assert analysed.seconds > 0 and organisations == 2067
    assert (analysed.metrics["nodes"], analysed.metrics["ties"], analysed.metrics["components"]) == (2067, 20634, 112)
    assert analysed.actors.set_index("key")["degree"].idxmax() == "999991334"
    assert main(["uploads", "undo", str(last_upload(store)), "--db", str(store)]) == EXIT_OK
    assert counts_without_history(store) == before


# --- what goes wrong, said once per cause -----------------------------------------------------------------------------


def test_empty_cells_are_one_problem_per_column_and_nothing_is_written(store, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\nBo,\nCy,\n,M2\nAnn,M2\n", encoding="utf-8")
    before = counts_without_history(store)
    code = main(["import", str(path), "--two-mode", "person:meeting", "--pilot", "p", "--country", "FI",
                 "--db", str(store), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_INVALID
    assert "meeting is empty in 2 row(s): rows 3, 4." in err
    assert "person is empty in 1 row(s): rows 5." in err
    assert "nothing was written" in err
    assert counts_without_history(store) == before


def test_a_column_the_file_lacks_is_named_with_the_columns_it_has(store, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\n", encoding="utf-8")
    code = main(["import", str(path), "--two-mode", "person:event", "--pilot", "p", "--country", "FI",
                 "--db", str(store), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_INVALID
    assert "No sheet has both columns 'person' and 'event' (the file has: person, meeting)." in err


def test_a_new_pilot_needs_a_country_and_a_bad_spec_is_refused(store, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\nBo,M1\n", encoding="utf-8")
    assert main(["import", str(path), "--two-mode", "person:meeting", "--db", str(store), "--quiet"]) == EXIT_INVALID
    assert "Pilot 'consortium' is new and needs a country. Give it as --country XX" in capsys.readouterr().err
    assert main(["import", str(path), "--two-mode", "person", "--db", str(store), "--quiet"]) == EXIT_INVALID
    assert "name two columns as ACTOR_COLUMN:EVENT_COLUMN" in capsys.readouterr().err


def test_dry_run_writes_nothing(store, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\nBo,M1\n", encoding="utf-8")
    before = counts_without_history(store)
    assert main(["import", str(path), "--two-mode", "person:meeting", "--pilot", "p", "--country", "FI", "--dry-run",
                 "--db", str(store), "--quiet"]) == EXIT_OK  # fmt: skip
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out and "ties                1" in out
    assert counts_without_history(store) == before and last_upload(store) is None


def test_a_coordinator_writes_only_into_their_own_pilot(demo_db_path, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\nBo,M1\n", encoding="utf-8")
    common = ["--two-mode", "person:meeting", "--as", "coordinator", "--db", str(demo_db_path), "--quiet"]
    assert main(["import", str(path), *common]) == EXIT_INVALID
    assert "There is no pilot 'consortium', and only an administrator creates one." in capsys.readouterr().err
    assert main(["import", str(path), *common, "--pilot", "porto-homelessness-services"]) == EXIT_INVALID
    assert "You may not change pilot 'porto-homelessness-services'." in capsys.readouterr().err
    assert main(["import", str(path), *common, "--pilot", "tampere-youth-guidance"]) == EXIT_OK


def test_skip_invalid_leaves_out_rows_with_an_empty_cell(store, tmp_path, capsys):
    path = tmp_path / "attendance.csv"
    path.write_text("person,meeting\nAnn,M1\nBo,\nCy,M1\n,M2\nAnn,M2\n", encoding="utf-8")
    assert main(["import", str(path), "--two-mode", "person:meeting", "--pilot", "p", "--country", "FI",
                 "--skip-invalid", "--db", str(store), "--quiet"]) == EXIT_OK  # fmt: skip
    assert (
        "warning: attendance.csv, sheet Affiliations, row 3, column meeting: meeting is empty in 1 row(s): rows 3."
        in (capsys.readouterr().err)
    )
    got = stored(store, "p")
    assert (got["actors"], got["events"], got["participations"]) == (2, 2, 3)
    assert got["ties"] == {frozenset(("Ann", "Cy")): 1}

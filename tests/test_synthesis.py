"""Cross-pilot synthesis on small constructed corpora whose answers are known in advance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from lessons import synthesis
from lessons.store import connect, open_store

PILOTS = [("alpha", "Alpha", "FI", "cosie"), ("beta", "Beta", "PT", "interlink"), ("gamma", "Gamma", "IT", "cosie")]

# (pilot, key, kind, themes, text). Three recurring stories told in different words by different pilots, one
# contradiction (online workshops help in alpha, hinder in beta), and unrelated lessons.
CORPUS = [
    ("alpha", "L1", "enabler", ["champions"], "Local champions from the parish opened doors to isolated older residents."),
    ("beta", "L1", "enabler", ["champions", "trust"], "Parish champions opened doors to isolated older residents living alone."),
    ("gamma", "L1", "insight", ["champions"], "Isolated older residents trusted local parish champions who opened doors."),
    ("alpha", "L2", "barrier", ["legal"], "Procurement rules delayed the tender for the booking platform by months."),
    ("gamma", "L2", "barrier", ["legal"], "The tender for the booking platform was delayed by procurement rules."),
    ("alpha", "L3", "enabler", ["digital"], "Online video workshops let working parents join design sessions in the evening."),
    ("beta", "L2", "barrier", ["digital"], "Online video workshops shut out parents without laptops from design sessions."),
    ("beta", "L3", "insight", ["evaluation"], "Counting footfall at the library said little about loneliness."),
    ("gamma", "L3", "recommendation", ["sustainability"], "Budget the coordinator post beyond the end of project money."),
]  # fmt: skip


def build_store(db, corpus=CORPUS):
    ids = {}
    for slug, name, country, method in PILOTS:
        ids[slug] = db["pilots"].insert({"slug": slug, "name": name, "country": country, "methodology": method}).last_pk
    theme_ids = dict(db.execute("SELECT code, id FROM themes").fetchall())
    lesson_ids = {}
    for slug, key, kind, themes, text in corpus:
        title = text.split(" ", 6)[:6]
        lesson_id = (
            db["lessons"]
            .insert(
                {
                    "pilot_id": ids[slug],
                    "key": key,
                    "title": " ".join(title),
                    "lesson": text,
                    "kind": kind,
                    "phase": "co-design" if kind != "insight" else "evaluate",
                }  # fmt: skip
            )
            .last_pk
        )
        lesson_ids[(slug, key)] = lesson_id
        for theme in themes:
            db["lesson_themes"].insert({"lesson_id": lesson_id, "theme_id": theme_ids[theme]})
    return lesson_ids


@pytest.fixture
def store(db):
    db.lesson_ids = build_store(db)
    return db


def cell(matrix, pilot, theme, column="lessons"):
    return int(matrix[(matrix["pilot"] == pilot) & (matrix["theme"] == theme)][column].iloc[0])


def test_matrix_counts_every_pilot_theme_pair_including_gaps(store):
    matrix = synthesis.theme_matrix(store)
    themes = store.execute("SELECT count(*) FROM themes WHERE controlled = 1").fetchone()[0]
    assert len(matrix) == 3 * themes
    assert cell(matrix, "alpha", "champions") == 1 and cell(matrix, "beta", "champions") == 1
    assert cell(matrix, "alpha", "legal", "barriers") == 1 and cell(matrix, "beta", "legal") == 0
    assert cell(matrix, "beta", "trust") == 1 and cell(matrix, "alpha", "trust") == 0
    assert matrix["lessons"].sum() == sum(len(t) for *_, t, _ in CORPUS)


def test_recurring_themes_by_number_of_pilots(store):
    matrix = synthesis.theme_matrix(store)
    assert synthesis.recurring_themes(matrix, 3)["theme"].tolist() == ["champions"]
    two = synthesis.recurring_themes(matrix, 2)
    assert two["theme"].tolist() == ["champions", "digital", "legal"]
    assert two.set_index("theme").loc["digital", "pilot_names"] == "Alpha; Beta"


def test_contradictions_need_two_different_pilots(store, db):
    matrix = synthesis.theme_matrix(store)
    contested = synthesis.theme_contradictions(matrix)
    assert contested["theme"].tolist() == ["digital"]
    assert contested.iloc[0][["enabler_names", "barrier_names"]].tolist() == ["Alpha", "Beta"]
    # One pilot reporting both sides of a theme is nuance, not a contradiction between pilots.
    gamma = db.execute("SELECT id FROM pilots WHERE slug = 'gamma'").fetchone()[0]
    trust = db.execute("SELECT id FROM themes WHERE code = 'capacity'").fetchone()[0]
    for key, kind in (("T1", "enabler"), ("T2", "barrier")):
        lesson = (
            db["lessons"].insert({"pilot_id": gamma, "key": key, "title": key, "lesson": key, "kind": kind}).last_pk
        )
        db["lesson_themes"].insert({"lesson_id": lesson, "theme_id": trust})
    assert synthesis.theme_contradictions(synthesis.theme_matrix(db))["theme"].tolist() == ["digital"]


def test_gaps_list_uncovered_themes_first(store):
    gaps = synthesis.theme_gaps(synthesis.theme_matrix(store)).set_index("theme")
    assert gaps.loc["capacity", "pilots_with"] == 0 and gaps.loc["capacity", "missing_names"] == "Alpha; Beta; Gamma"
    assert gaps.loc["legal", "missing_names"] == "Beta"
    assert "champions" not in gaps.index
    assert gaps["pilots_with"].is_monotonic_increasing


def test_compare_pilots_shared_and_unique(store):
    compared = synthesis.compare_pilots(synthesis.theme_matrix(store), ["alpha", "beta"])
    assert set(compared["shared"]["theme"]) == {"champions", "digital"}
    unique = {(r.theme, r.pilot) for r in compared["unique"].itertuples()}
    assert unique == {("legal", "alpha"), ("trust", "beta"), ("evaluation", "beta")}
    shares = compared["profile"].groupby("pilot")["share"].sum()
    assert shares.round(2).tolist() == [1.0, 1.0]


def test_cell_and_theme_lessons(store):
    assert synthesis.cell_lessons(store, "alpha", "legal")["key"].tolist() == ["L2"]
    assert synthesis.cell_lessons(store, "beta", "legal").empty
    digital = synthesis.theme_lessons(store, "digital")
    assert sorted(zip(digital["pilot"], digital["kind"])) == [("alpha", "enabler"), ("beta", "barrier")]


def test_crosswalk_names_each_methodology_step_per_phase(store):
    crosswalk = synthesis.crosswalk(store).set_index("phase")
    assert crosswalk.index.tolist() == ["initiate", "understand", "co-design", "co-deliver", "evaluate"]
    methods = dict(store.execute("SELECT code, name FROM methodologies").fetchall())
    steps = store.execute(
        "SELECT name FROM methodology_steps WHERE methodology = 'cosie' AND phase = 'co-design' ORDER BY position"
    ).fetchall()
    assert crosswalk.loc["co-design", methods["cosie"]] == " · ".join(s[0] for s in steps)
    # alpha and gamma follow CoSIE: 5 co-design lessons and 1 evaluation lesson between them.
    assert crosswalk.loc["co-design", f"lessons: {methods['cosie']}"] == 5
    assert crosswalk.loc["evaluate", f"lessons: {methods['cosie']}"] == 1
    assert crosswalk.loc["co-design", f"lessons: {methods['interlink']}"] == 2
    assert crosswalk.loc["co-design", "lessons"] == 7 and crosswalk.loc["evaluate", "lessons"] == 2


def groups_by_key(store, threshold, min_pilots=2):
    sim = synthesis.similarity(store)
    result = synthesis.clusters(synthesis.lesson_facts(store), sim, threshold, min_pilots)
    members = result["members"]
    return result, sorted(sorted(f"{r.pilot}/{r.key}" for r in g.itertuples()) for _, g in members.groupby("cluster"))


def test_similar_lessons_from_different_pilots_cluster(store):
    result, groups = groups_by_key(store, 0.25)
    assert groups == [
        ["alpha/L1", "beta/L1", "gamma/L1"],
        ["alpha/L2", "gamma/L2"],
        ["alpha/L3", "beta/L2"],
    ]
    top = result["clusters"].iloc[0]
    assert top["pilots"] == 3 and {"champions", "parish", "doors"} & set(top["label"].split(", "))
    assert result["contradictions"]["enabler_names"].tolist() == ["Alpha"]
    assert result["contradictions"]["barrier_names"].tolist() == ["Beta"]
    _, three = groups_by_key(store, 0.25, min_pilots=3)
    assert three == [["alpha/L1", "beta/L1", "gamma/L1"]]


def test_threshold_cuts_are_nested(store):
    sim = synthesis.similarity(store)
    previous = None
    for threshold in np.arange(0.1, 0.8, 0.05):
        labels = sim.labels(threshold)
        if previous is not None:  # a higher threshold only splits groups, never joins them
            for cluster in set(labels):
                assert len(set(previous[labels == cluster])) == 1
        previous = labels
    assert len(set(sim.labels(0.99))) == len(sim.lesson_ids)


def test_merge_scores_never_increase(demo_db):
    sim = synthesis.similarity(demo_db)
    assert len(sim.merge_score) > 50
    assert np.all(np.diff(sim.merge_score) <= 1e-12)


def test_clustering_is_deterministic_whatever_the_row_order(store):
    texts = synthesis.lesson_texts(store)
    first = synthesis.build_similarity(texts)
    second = synthesis.build_similarity(texts.sample(frac=1, random_state=3))
    for field in ("lesson_ids", "edge_a", "edge_b", "edge_score", "merge_a", "merge_b", "merge_score"):
        assert np.array_equal(getattr(first, field), getattr(second, field)), field
    assert first.labels(0.2).tolist() == second.labels(0.2).tolist()


def brute_force_neighbours(matrix):
    """Every pair scored, each lesson's NEIGHBOURS best (≥ FLOOR, ties by position), as undirected pairs."""
    scores = (matrix @ matrix.T).toarray().astype(float)
    np.fill_diagonal(scores, -1)
    pairs = set()
    for row, values in enumerate(scores):
        ranked = sorted(((-round(v, 6), col) for col, v in enumerate(values) if round(v, 6) >= synthesis.FLOOR))
        pairs |= {(min(row, col), max(row, col)) for _, col in ranked[: synthesis.NEIGHBOURS]}
    return pairs


def test_neighbours_are_exact_whatever_the_blocks_and_the_dense_terms(demo_db, monkeypatch):
    """Each lesson's neighbours are found exactly (as if every pair were scored), whether the block holds two rows or
    all, and whichever terms are compared densely; the scores do not depend on the blocks either."""
    texts = synthesis.lesson_texts(demo_db)
    reference = synthesis.build_similarity(texts)
    analyzer = synthesis.text_similarity._Analyzer()
    matrix = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32).fit_transform(texts["text"])
    exact = brute_force_neighbours(matrix.tocsr())
    assert set(zip(reference.edge_a.tolist(), reference.edge_b.tolist())) == exact
    for cells, share, most, held, sample in (
        (2 * len(texts), 30, 512, 2_000_000, 16),  # two rows a block
        (len(texts) * len(texts), 1, 0, 2_000_000, 16),  # one block, every term sparse
        (500, 10**6, 512, 100, 3),  # every term dense, candidates thinned after every block, a dense sample
    ):
        monkeypatch.setattr(synthesis.text_similarity, "BLOCK_CELLS", cells)
        monkeypatch.setattr(synthesis.text_similarity, "DENSE_SHARE", share)
        monkeypatch.setattr(synthesis.text_similarity, "DENSE_MAX", most)
        monkeypatch.setattr(synthesis.text_similarity, "HELD", held)
        monkeypatch.setattr(synthesis.text_similarity, "SAMPLE", sample)
        again = synthesis.build_similarity(texts)
        for field in ("edge_a", "edge_b", "edge_score", "merge_a", "merge_b", "merge_score"):
            assert np.array_equal(getattr(again, field), getattr(reference, field)), (cells, share, field)


def test_result_is_stored_and_recomputed_only_after_a_change(store, monkeypatch):
    first = synthesis.similarity(store)
    assert store.execute("SELECT data_version FROM analysis_results").fetchone()[0] == first.data_version

    def refuse(_):
        raise AssertionError("recomputed although the lessons did not change")

    monkeypatch.setattr(synthesis.text_similarity, "build_similarity", refuse)
    again = synthesis.similarity(store)
    assert np.array_equal(again.merge_score, first.merge_score) and again.terms.tolist() == first.terms.tolist()
    monkeypatch.undo()
    pilot = store.execute("SELECT id FROM pilots WHERE slug = 'beta'").fetchone()[0]
    store["lessons"].insert(
        {
            "pilot_id": pilot,
            "key": "L9",
            "title": "Procurement",
            "lesson": "Procurement rules delayed the tender for the booking platform.",
            "kind": "barrier",
        }  # fmt: skip
    )
    third = synthesis.similarity(store)
    assert third.data_version > first.data_version and len(third.lesson_ids) == len(first.lesson_ids) + 1


def test_read_only_store_still_gets_an_answer(tmp_path):
    path = tmp_path / "s.db"
    db = open_store(path)
    build_store(db)
    db.close()
    readonly = connect(path, readonly=True)
    sim = synthesis.similarity(readonly)
    assert len(sim.lesson_ids) == len(CORPUS)
    assert readonly.execute("SELECT count(*) FROM analysis_results").fetchone()[0] == 0


def test_stored_payload_is_not_pickle(store):
    synthesis.similarity(store)
    payload = store.execute("SELECT payload FROM analysis_results").fetchone()[0]
    restored = synthesis.Similarity.from_bytes(payload)  # np.load(allow_pickle=False) would refuse objects
    assert restored.labels(0.25).tolist() == synthesis.similarity(store).labels(0.25).tolist()


def test_similar_lessons_come_from_other_pilots(store):
    sim = synthesis.similarity(store)
    alpha_l1 = store.lesson_ids[("alpha", "L1")]
    similar = synthesis.similar_lessons(store, sim, alpha_l1)
    assert set(similar["pilot"]) <= {"beta", "gamma"} and len(similar) >= 2
    assert similar["similarity"].is_monotonic_decreasing and (similar["similarity"] >= synthesis.SIMILAR_MIN).all()
    assert synthesis.similar_lessons(store, sim, alpha_l1, minimum=0.99).empty
    assert synthesis.similar_lessons(store, sim, 999_999).empty


def test_empty_and_wordless_stores(db):
    sim = synthesis.similarity(db)
    result = synthesis.clusters(synthesis.lesson_facts(db), sim, 0.2)
    assert len(sim.lesson_ids) == 0 and result["clusters"].empty and result["members"].empty
    build_store(db, [("alpha", "L1", "insight", [], "42 17"), ("beta", "L1", "insight", [], "99")])
    sim = synthesis.similarity(db)
    assert len(sim.lesson_ids) == 2 and synthesis.clusters(synthesis.lesson_facts(db), sim, 0.2)["clusters"].empty
    assert synthesis.theme_contradictions(synthesis.theme_matrix(db)).empty


def test_demo_answers_the_newcomers_question(demo_db):
    """On the demo: lessons that recur in at least three pilots, and where pilots disagree."""
    sim = synthesis.similarity(demo_db)
    result = synthesis.clusters(synthesis.lesson_facts(demo_db), sim, 0.2, 3)
    assert len(result["clusters"]) >= 3
    assert (result["clusters"]["pilots"] >= 3).all()
    contested = synthesis.theme_contradictions(synthesis.theme_matrix(demo_db))
    assert "digital" in set(contested["theme"])
    assert isinstance(result["clusters"]["label"].iloc[0], str) and result["clusters"]["label"].iloc[0]
    assert pd.api.types.is_bool_dtype(result["clusters"]["contradicts"])


def test_cli_analyse_stores_the_result(tmp_path, capsys):
    from lessons.cli import EXIT_OK, main

    path = tmp_path / "cli.db"
    db = open_store(path)
    build_store(db)
    db.close()
    assert main(["analyse", "--db", str(path)]) == EXIT_OK
    assert "the texts of 9 lessons compared" in capsys.readouterr().out
    with open_store(path) as db:
        assert db.execute("SELECT name FROM analysis_results").fetchall() == [("lesson_similarity",)]

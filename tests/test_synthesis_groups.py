"""Groups of similar lessons: named by their most central lesson, and cut at any threshold on whole arrays (#18, #19)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lessons import synthesis
from tests.test_synthesis import build_store

# Lesson 2 (beta) shares words with both others; lessons 1 and 3 share almost none: 2 is the group's centre.
CHAIN = [
    ("alpha", "L1", "enabler", [], "Parish champions opened doors."),
    ("beta", "L1", "enabler", [], "Parish champions opened doors to isolated older residents living alone."),
    ("gamma", "L1", "barrier", [], "Isolated older residents living alone rarely answered letters."),
    ("alpha", "L2", "barrier", [], "Procurement rules delayed the tender for the booking platform by months."),
    ("gamma", "L2", "barrier", [], "The tender for the booking platform was delayed by procurement rules."),
]


def reference_labels(sim: synthesis.Similarity, threshold: float) -> list[int]:
    """The cut worked out one merge at a time (the loop the array version replaced)."""
    n = len(sim.lesson_ids)
    cluster = list(range(n))
    members = {i: [i] for i in range(n)}
    for i, (a, b, score) in enumerate(zip(sim.merge_a, sim.merge_b, sim.merge_score)):
        if score < threshold:
            break
        members[n + i] = members.pop(int(a)) + members.pop(int(b))
    for group in members.values():
        for position in group:
            cluster[position] = min(group)
    return cluster


def test_a_group_is_named_by_its_most_central_lesson(db):
    ids = build_store(db, CHAIN)
    sim = synthesis.similarity(db)
    found = synthesis.clusters(synthesis.lesson_facts(db), sim, 0.1)
    groups = found["clusters"].set_index("central_id")
    centre = ids[("beta", "L1")]
    assert set(groups.index) == {centre, ids[("alpha", "L2")]}  # a tie of two goes to the earlier lesson
    first = groups.loc[centre]
    assert first["name"] == "Parish champions opened doors to isolated"  # the title, not a word list
    assert first["label"] == "champions, doors, opened"  # the words stay, as a second line
    assert (first["pilots"], first["lessons"], first["enablers"], first["barriers"]) == (3, 3, 2, 1)
    assert first["contradicts"] and found["contradictions"]["name"].tolist() == [first["name"]]


def test_the_centre_is_the_lesson_most_alike_the_others(db):
    build_store(db)
    sim = synthesis.similarity(db)
    found = synthesis.clusters(synthesis.lesson_facts(db), sim, 0.2)
    scores = {}
    for a, b, s in zip(sim.edge_a.tolist(), sim.edge_b.tolist(), sim.edge_score.tolist()):
        scores[(a, b)] = scores[(b, a)] = s
    members = found["members"]
    for group in found["clusters"].itertuples():
        positions = np.searchsorted(sim.lesson_ids, members[members["cluster"] == group.cluster]["id"].to_numpy())
        mean = {p: sum(scores.get((p, q), 0.0) for q in positions if q != p) for p in positions.tolist()}
        best = max(mean.values())
        assert sim.lesson_ids[min(p for p, v in mean.items() if v == best)] == group.central_id
        assert group.name == members[members["id"] == group.central_id]["title"].iloc[0]


def test_every_cut_matches_the_merge_by_merge_reference(demo_db):
    sim = synthesis.similarity(demo_db)
    for threshold in (0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.99):
        assert sim.labels(threshold).tolist() == reference_labels(sim, threshold), threshold


def test_group_counts_match_their_members(demo_db):
    facts = synthesis.lesson_facts(demo_db)
    sim = synthesis.similarity(demo_db)
    for threshold, k in ((0.2, 3), (0.1, 2), (0.35, 2)):
        found = synthesis.clusters(facts, sim, threshold, k)
        members, summary = found["members"], found["clusters"].set_index("cluster")
        by = members.groupby("cluster")
        expected = pd.DataFrame(
            {
                "pilots": by["pilot"].nunique(),
                "lessons": by.size(),
                "enablers": by["kind"].agg(lambda k: int((k == "enabler").sum())),
                "barriers": by["kind"].agg(lambda k: int((k == "barrier").sum())),
                "pilot_names": by["pilot_name"].agg(lambda names: "; ".join(sorted(set(names)))),
            }
        )
        pd.testing.assert_frame_equal(
            summary[expected.columns].sort_index(), expected.sort_index(), check_dtype=False, check_names=False
        )
        assert (summary["pilots"] >= k).all()
        assert summary["name"].str.len().gt(0).all() and summary["label"].str.len().gt(0).all()
        ordered = found["clusters"][["pilots", "lessons"]].to_numpy()
        assert all(tuple(-ordered[i]) <= tuple(-ordered[i + 1]) for i in range(len(ordered) - 1))

"""Issue #14: authoring governance models, their versions, lesson links and proposals, and model results."""

from __future__ import annotations

import math
import sqlite3

import pandas as pd
import pytest
from sqlite_utils import Database

from lessons import models
from lessons.audit import audit_entries
from lessons.migrations import migrations
from lessons.model_authoring import (
    add_element,
    create_model,
    current_elements,
    element_id_of,
    move_element,
    move_model,
    remove_element,
    retire_model,
    update_element,
    update_model,
)
from lessons.model_links import ModelError, link_lessons, propose_links, proposed_links, review_links, unlink_lessons
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import migrate, open_memory_store, seed_vocabulary, table_counts

ADMIN = cli_actor()
EDITOR = Actor("eddie", "editor")


@pytest.fixture
def store():
    db = open_memory_store()
    pilots = [db["pilots"].insert({"slug": s, "name": s.title(), "country": "FI"}).last_pk for s in ("alpha", "beta")]
    lessons = [
        db["lessons"]
        .insert({"pilot_id": pilots[i % 2], "key": f"L{i}", "title": f"Lesson {i}", "lesson": "x", "kind": "insight"})
        .last_pk
        for i in range(4)
    ]
    return db, pilots, lessons


def three_elements(db, actor=EDITOR) -> list[int]:
    create_model(db, actor, "m", name="  Model\tone ", description="What it says", methodology="cosie")
    return [
        add_element(db, actor, "m", "Shared decisions", description="Decide together"),
        add_element(db, actor, "m", "Local champions", kind="step"),
        add_element(db, actor, "m", "Open data"),
    ]


def vote(db, element_id: int, values: list[int], *, people: int | None = None, round: int = 1) -> int:
    """A closed workshop with one statement drawn from the element; ``values`` are the votes, one per person, and
    ``people`` how many joined (default: one per vote)."""
    code = f"W{db['workshops'].count + 1:05d}"
    workshop = db["workshops"].insert({"code": code, "title": "W", "status": "closed"}).last_pk
    statement = (
        db["statements"]
        .insert({"workshop_id": workshop, "key": "S01", "text": "t", "source": "element", "element_id": element_id})
        .last_pk
    )
    ids = [
        db["participants"].insert({"workshop_id": workshop, "token": f"{workshop}-{i}"}).last_pk
        for i in range(people or len(values))
    ]
    for person, value in zip(ids, values):
        db["votes"].insert({"participant_id": person, "statement_id": statement, "round": round, "value": value})
    return statement


# --- authoring -------------------------------------------------------------------------------------------------------


def test_an_editor_creates_a_model_with_ordered_elements(store):
    db, _, _ = store
    three_elements(db)
    listed = models.model_list(db).iloc[0]
    assert (listed["slug"], listed["name"], listed["summary"], listed["version"], listed["elements"]) == (
        "m", "Model one", "What it says", 1, 3,
    )  # fmt: skip
    assert [(e["key"], e["position"], e["kind"], e["name"]) for e in current_elements(db, "m")] == [
        ("E1", 1, "principle", "Shared decisions"),
        ("E2", 2, "step", "Local champions"),
        ("E3", 3, "principle", "Open data"),
    ]
    actions = audit_entries(db, ADMIN)["action"].tolist()
    assert sorted(actions) == ["model.create", "model.element.add", "model.element.add", "model.element.add"]


def test_unvoted_edits_stay_in_version_1(store):
    db, _, _ = store
    three_elements(db)
    assert move_element(db, EDITOR, "m", 3, -1) == 1
    assert update_element(db, EDITOR, "m", 1, name="Decisions shared", description="Reworded") == 1
    assert remove_element(db, EDITOR, "m", 2) == 1  # Open data, moved up to 2
    assert update_model(db, EDITOR, "m", name="Model two") == 1
    assert [(e["key"], e["position"], e["name"]) for e in current_elements(db, "m")] == [
        ("E1", 1, "Decisions shared"),
        ("E2", 2, "Local champions"),
    ]
    assert db.execute("SELECT count(*) FROM model_elements").fetchone()[0] == 2
    assert models.changes_since_vote(db, "m") is None


def test_editing_a_voted_model_makes_version_2_and_the_vote_stays_with_version_1(store):
    db, _, lessons = store
    e1, e2, _ = three_elements(db)
    link_lessons(db, EDITOR, e1, lessons[:2], "supports", note="seen in both")
    statement = vote(db, e1, [1] * 6)
    assert models.elements(db, "m").set_index("key").loc["E1", "result"] == "validated"

    assert update_element(db, EDITOR, "m", 1, name="Decisions shared") == 2
    # the statement still points at the row its workshop voted on, with the old wording
    voted_on = db.execute(
        "SELECT e.version, e.name FROM statements s JOIN model_elements e ON e.id = s.element_id WHERE s.id = ?",
        [statement],
    ).fetchone()
    assert voted_on == (1, "Shared decisions")
    now = models.elements(db, "m").set_index("key")
    assert now.loc["E1", "name"] == "Decisions shared" and now.loc["E1", "id"] != e1
    assert now.loc["E1", "supports"] == 2  # the links were carried over
    assert now.loc["E1", "result"] == "untested"  # the new wording has not been voted on
    assert models.elements(db, "m", version=1).set_index("key").loc["E1", "result"] == "validated"
    # a second edit before anyone votes on version 2 stays in version 2
    assert add_element(db, EDITOR, "m", "Budgets") and remove_element(db, EDITOR, "m", 2) == 2
    assert update_element(db, EDITOR, "m", 1, description="Now with a description") == 2
    assert db.execute("SELECT version FROM governance_models").fetchone()[0] == 2
    assert [(v.number, v.voted) for v in models.versions(db, "m").itertuples()] == [(2, 0), (1, 1)]
    assert models.changes_since_vote(db, "m") == {
        "voted_version": 1,
        "current_version": 2,
        "added": ["E4 · Budgets"],
        "removed": ["E2 · Local champions"],
        "renamed": ["E1 · Shared decisions → Decisions shared"],
        "moved": [],
        "reworded": ["E1 · Decisions shared"],
    }
    assert models.model_list(db).iloc[0]["elements"] == 3
    del e2


def test_reorder_and_retire_models(store):
    db, _, _ = store
    for slug in ("c", "b", "a"):
        create_model(db, EDITOR, slug, name=slug.upper())
    assert models.model_list(db)["slug"].tolist() == ["c", "b", "a"]
    move_model(db, EDITOR, "a", -1)
    assert models.model_list(db)["slug"].tolist() == ["c", "a", "b"]
    retire_model(db, EDITOR, "c")
    listed = models.model_list(db)
    assert listed["slug"].tolist() == ["a", "b", "c"]  # retired last, kept
    assert listed.set_index("slug").loc["c", "retired_at"] is not None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda db: create_model(db, EDITOR, "Bad Slug", name="X"), "lower-case"),
        (lambda db: create_model(db, EDITOR, "m2", name="  "), "needs a name"),
        (lambda db: create_model(db, EDITOR, "m2", name="X", methodology="nope"), "no methodology"),
        (lambda db: add_element(db, EDITOR, "m", "X", kind="rule"), "principle or a step"),
        (lambda db: update_element(db, EDITOR, "m", 9, name="X"), "no element number 9"),
        (lambda db: update_model(db, EDITOR, "zzz", name="X"), "no governance model"),
    ],
)
def test_invalid_edits_write_nothing(store, call, message):
    db, _, _ = store
    three_elements(db)
    before = table_counts(db)
    with pytest.raises(ModelError, match=message):
        call(db)
    assert table_counts(db) == before


def test_text_is_cleaned(store):
    db, _, _ = store
    three_elements(db)
    add_element(db, EDITOR, "m", "Zero\u200bwidth\u00a0", description="Cafe\u0301\r\nline")
    added = current_elements(db, "m")[-1]
    assert (added["name"], added["description"]) == ("Zerowidth", "Café\nline")


# --- links and proposals ---------------------------------------------------------------------------------------------


def test_links_in_bulk_and_proposals(store):
    db, pilots, lessons = store
    e1, *_ = three_elements(db)
    assert link_lessons(db, EDITOR, e1, [lessons[0], lessons[1]], "supports", note="n") == 2
    cora = Actor("cora", "coordinator", frozenset({pilots[0]}))
    # lessons 0 and 2 belong to alpha (cora's), 1 and 3 to beta
    assert propose_links(db, cora, e1, [lessons[2]], "challenges", note="but here") == 1
    with pytest.raises(PermissionDenied):
        propose_links(db, cora, e1, [lessons[3]], "challenges")
    with pytest.raises(PermissionDenied):
        link_lessons(db, cora, e1, [lessons[2]], "challenges")
    with pytest.raises(ModelError, match="already linked"):
        propose_links(db, cora, e1, [lessons[0]], "challenges")
    row = models.elements(db, "m").set_index("key").loc["E1"]
    assert (row["supports"], row["challenges"]) == (2, 0)  # the proposal counts nowhere yet
    assert [(p["lesson_id"], p["stance"], p["note"], p["proposed_by"]) for p in proposed_links(db)] == [
        (lessons[2], "challenges", "but here", "cora")
    ]
    assert review_links(db, EDITOR, e1, [lessons[2]], accept=True) == 1
    row = models.elements(db, "m").set_index("key").loc["E1"]
    assert (row["supports"], row["challenges"]) == (2, 1)
    propose_links(db, cora, element_id_of(db, "m", 2), [lessons[0]], "supports")
    assert review_links(db, EDITOR, element_id_of(db, "m", 2), [lessons[0]], accept=False) == 1
    assert proposed_links(db) == []
    assert unlink_lessons(db, EDITOR, e1, [lessons[1]]) == 1
    with pytest.raises(PermissionDenied):
        review_links(db, cora, e1, [lessons[2]], accept=True)


def test_only_accepted_links_count_in_the_brief(store):
    from lessons import report

    db, pilots, lessons = store
    e1, *_ = three_elements(db)
    cora = Actor("cora", "coordinator", frozenset({pilots[0]}))
    propose_links(db, cora, e1, [lessons[0]], "supports")

    def bullets():
        return next(b.items for b in report.brief(db, "model", "m").sections[0].blocks if b.kind == "bullets")

    assert bullets()[0] == "1. Shared decisions — no lesson is linked to it yet; untested (no votes yet)"
    review_links(db, EDITOR, e1, [lessons[0]], accept=True)
    assert "supported by 1 pilot" in bullets()[0]


# --- results ---------------------------------------------------------------------------------------------------------


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_results_with_n_share_and_wilson_interval(store):
    db, _, _ = store
    e1, e2, e3 = three_elements(db)
    # E1: 8 agree, 2 disagree, 1 pass in one workshop of 11 (round 2 counts; round 1 was superseded)
    statement = vote(db, e1, [-1] * 11, round=1)
    people = [r[0] for r in db.execute("SELECT participant_id FROM votes WHERE statement_id = ?", [statement])]
    for person, value in zip(people, [1] * 8 + [-1] * 2 + [0]):
        db["votes"].insert({"participant_id": person, "statement_id": statement, "round": 2, "value": value})
    # E2: 3 agree, 3 disagree -> divided -> contested
    vote(db, e2, [1, 1, 1, -1, -1, -1])
    # E3: a workshop of four people is not public: its votes do not count
    vote(db, e3, [1, 1, 1, 1])
    table = models.elements(db, "m").set_index("key")
    low, high = wilson_by_hand(8, 10)
    assert table.loc["E1", ["n", "agree", "disagree", "pass_", "agree_share", "result"]].tolist() == [
        10, 8, 2, 1, 0.8, "validated",
    ]  # fmt: skip
    assert (table.loc["E1", "low"], table.loc["E1", "high"]) == (round(low, 3), round(high, 3)) == (0.49, 0.943)
    assert table.loc["E2", ["n", "agree_share", "result"]].tolist() == [6, 0.5, "contested"]
    assert table.loc["E3", ["n", "result"]].tolist() == [0, "untested"] and pd.isna(table.loc["E3", "low"])
    assert models.model_results(db, "m") == {"elements": 3, "validated": 1, "contested": 1, "untested": 1}
    assert models.result_text(table.loc["E1"]) == "validated: 80% agree (95% CI 49%–94%, n = 10)"


# --- migration ---------------------------------------------------------------------------------------------------------


def test_m008_migrates_the_demo_store_to_version_1_with_nothing_lost():
    from lessons.demo import load_demo

    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m008_model_authoring")
    seed_vocabulary(db)
    load_demo(db)
    tables = (
        "users",
        "user_pilots",
        "model_elements",
        "lesson_elements",
        "statements",
        "governance_models",
        "audit_log",
    )
    before = {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    assert migrate(db)[0] == "m008_model_authoring"  # and any later ones
    after = {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert after["users"] == before["users"] and after["user_pilots"] == before["user_pilots"]
    # later migrations add columns at the end of statements (is_meta, m014): the columns it had are unchanged
    assert [r[: len(before["statements"][0])] for r in after["statements"]] == before["statements"]
    assert after["audit_log"] == before["audit_log"]
    # elements gain version 1 (the second column); links gain status accepted and no proposer
    assert [r[:2] + r[3:] for r in after["model_elements"]] == [r[:2] + r[2:] for r in before["model_elements"]]
    assert {r[2] for r in after["model_elements"]} == {1}
    assert after["lesson_elements"] == [r + ("accepted", None) for r in before["lesson_elements"]]
    assert [r[:6] for r in after["governance_models"]] == before["governance_models"]
    assert {r[6] for r in after["governance_models"]} == {1}
    assert db.execute("SELECT count(*) FROM model_versions").fetchone()[0] == len(before["governance_models"])
    db.execute("INSERT INTO users (username, role) VALUES ('eddie', 'editor')")  # the new role is allowed

"""Vocabularies and the crosswalk (#14): themes, tie relation types and methodology steps, administrators only;
every refusal leaves the store as it was."""

from __future__ import annotations

import pytest

from lessons.editing import EditError, map_methodology_step, save_theme
from lessons.permissions import Actor, PermissionDenied
from lessons.vocabularies import crosswalk, merge_theme, relation_counts, rename_relation, retire_theme, theme_table

ADMIN = Actor("root", "admin")
NOT_ADMINS = [
    Actor("ana", "coordinator", frozenset({1, 2, 3})),
    Actor("fay", "facilitator"),
    Actor("vic", "viewer"),
    None,
]


def snapshot(db) -> list[str]:
    return list(db.conn.iterdump())


def audit(db) -> list[tuple]:
    return db.execute("SELECT action, object_type, object_id, rows FROM audit_log ORDER BY id").fetchall()


WRITES = {
    "save_theme": lambda db, a: save_theme(db, a, "gdpr", "GDPR"),
    "retire_theme": lambda db, a: retire_theme(db, a, "trust"),
    "merge_theme": lambda db, a: merge_theme(db, a, "legal", "governance"),
    "rename_relation": lambda db, a: rename_relation(db, a, "information", "information sharing"),
    "map_methodology_step": lambda db, a: map_methodology_step(db, a, "servicedesign", 1, "initiate"),
}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("actor", NOT_ADMINS, ids=lambda a: a.role if a else "anonymous")
def test_only_an_administrator_may_change_the_vocabularies(demo_db, write, actor):
    before = snapshot(demo_db)
    with pytest.raises(PermissionDenied):
        WRITES[write](demo_db, actor)
    assert snapshot(demo_db) == before


@pytest.mark.parametrize("write", WRITES)
def test_an_administrator_may_and_each_write_is_audited(demo_db, write):
    count = len(audit(demo_db))
    WRITES[write](demo_db, ADMIN)
    assert len(audit(demo_db)) == count + 1


def test_retire_and_restore_a_theme(demo_db):
    retire_theme(demo_db, ADMIN, "trust")
    table = theme_table(demo_db).set_index("code")
    assert table.loc["trust", "retired"] == 1 and table.loc["trust", "lessons"] > 0
    retire_theme(demo_db, ADMIN, "trust", retired=False)
    assert theme_table(demo_db).set_index("code").loc["trust", "retired"] == 0
    assert audit(demo_db)[-2:] == [("theme.retire", "theme", "trust", 1), ("theme.restore", "theme", "trust", 1)]


def test_merging_a_free_tag_moves_its_lessons_and_removes_it(demo_db):
    save_theme(demo_db, ADMIN, "paperwork", "Paperwork")
    lessons = [r[0] for r in demo_db.execute("SELECT id FROM lessons ORDER BY id LIMIT 3")]
    tag = demo_db.execute("SELECT id FROM themes WHERE code = 'paperwork'").fetchone()[0]
    demo_db.conn.executemany("INSERT INTO lesson_themes VALUES (?, ?)", [(i, tag) for i in lessons])
    assert merge_theme(demo_db, ADMIN, "paperwork", "legal") == 3
    assert demo_db.execute("SELECT count(*) FROM themes WHERE code = 'paperwork'").fetchone() == (0,)
    legal = demo_db.execute(
        "SELECT lt.lesson_id FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE t.code = 'legal'"
    ).fetchall()
    assert set(lessons) <= {r[0] for r in legal}
    assert audit(demo_db)[-1] == ("theme.merge", "theme", "paperwork", 4)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda db: merge_theme(db, ADMIN, "legal", "legal"), "two different themes"),
        (lambda db: merge_theme(db, ADMIN, "nope", "legal"), "no theme 'nope'"),
        (lambda db: retire_theme(db, ADMIN, "nope"), "no theme 'nope'"),
        (lambda db: save_theme(db, ADMIN, "Bad Code", "x"), "code of lower-case"),
        (lambda db: rename_relation(db, ADMIN, "nope", "x"), "No tie has the relation 'nope'"),
        (lambda db: rename_relation(db, ADMIN, "information", "  "), "needs a name"),
        (lambda db: map_methodology_step(db, ADMIN, "servicedesign", 1, "nowhere"), "Unknown phase"),
        (lambda db: map_methodology_step(db, ADMIN, "servicedesign", 99, "initiate"), "has no step 99"),
    ],
)
def test_refusals_say_why_and_write_nothing(demo_db, call, message):
    before = snapshot(demo_db)
    with pytest.raises(EditError, match=message):
        call(demo_db)
    assert snapshot(demo_db) == before


def test_renaming_a_relation_type_changes_every_tie_that_uses_it(demo_db):
    counts = dict(zip(*relation_counts(demo_db)[["relation", "ties"]].T.values))
    assert rename_relation(demo_db, ADMIN, "information", "information sharing") == counts["information"]
    after = dict(zip(*relation_counts(demo_db)[["relation", "ties"]].T.values))
    assert "information" not in after and after["information sharing"] == counts["information"]
    assert audit(demo_db)[-1] == ("relation.rename", "tie_relation", "information", counts["information"])


def test_a_rename_that_would_merge_two_ties_is_refused(demo_db):
    relations = relation_counts(demo_db)["relation"].tolist()
    tie = demo_db.execute(
        "SELECT pilot_id, source_id, target_id, period FROM ties WHERE relation = ? LIMIT 1", [relations[0]]
    ).fetchone()
    demo_db.execute(
        "INSERT INTO ties (pilot_id, source_id, target_id, relation, period) VALUES (?, ?, ?, 'twin', ?)", list(tie)
    )
    before = snapshot(demo_db)
    with pytest.raises(EditError, match="already exist"):
        rename_relation(demo_db, ADMIN, "twin", relations[0])
    assert snapshot(demo_db) == before


def test_the_crosswalk_shows_an_edit(demo_db):
    def phases():
        return crosswalk(demo_db).query("methodology == 'servicedesign'")["phase"].tolist()

    assert phases() == ["understand", "understand", "co-design", "co-deliver"]
    map_methodology_step(demo_db, ADMIN, "servicedesign", 1, "initiate")
    assert phases() == ["initiate", "understand", "co-design", "co-deliver"]
    assert audit(demo_db)[-1] == ("crosswalk.map", "methodology_step", "servicedesign:1", 1)


def test_a_retired_theme_is_no_longer_offered_in_choosers(demo_db):
    from lessons.queries import vocabularies

    assert "trust" in vocabularies(demo_db)["themes"]["code"].tolist()
    retire_theme(demo_db, ADMIN, "trust")
    assert "trust" not in vocabularies(demo_db)["themes"]["code"].tolist()

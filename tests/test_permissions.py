"""The permission matrix of issue #3: every role against a real write for every action, on a real store.

The expected matrix below is written out by hand from the issue ("coordinators change their own pilot and nothing
else; facilitators run workshops; administrators manage accounts; policy-makers and the public read"), not derived
from ``lessons.permissions.ACTIONS``, so a change to the rules has to change this table too.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3

import pytest
from sqlite_utils import Database

from lessons import stemming
from lessons.accounts import actor_for, add_user, remove_user, set_password, update_user
from lessons.audit import audit_entries
from lessons.bundle import VOCABULARIES, data_package_zip, import_bundle, shared_tables
from lessons.catalogue import Entry, save_catalogue
from lessons.contributors import add_contributor
from lessons.editing import (
    create_pilot,
    delete_pilot,
    link_lesson_to_element,
    map_methodology_step,
    save_theme,
    update_lesson,
    update_pilot,
)
from lessons.ingest.changes import Change, Plan, commit, undo_upload
from lessons.lifecycle import change_status
from lessons.model_authoring import (
    add_element,
    create_model,
    link_lessons,
    move_element,
    move_model,
    propose_links,
    remove_element,
    retire_model,
    review_links,
    unlink_lessons,
    update_element,
    update_model,
)
from lessons.permissions import ACTIONS, Actor, PermissionDenied, can, cli_actor
from lessons.privacy import personal_data_export
from lessons.store import open_memory_store
from lessons.stories import publish_story, save_story, submit_story
from lessons.workshops import (
    add_statements,
    apply_results,
    close_workshop,
    create_workshop,
    join,
    moderate,
    open_workshop,
    remove_statement,
    set_allow_submissions,
    start_round,
    submit_statement,
)

PASSWORD = "a long enough secret"
ROLE_USERS = {"admin": "ada", "editor": "eddie", "coordinator": "cora", "facilitator": "fay", "viewer": "vic"}
CONTENT_TABLES = (
    "pilots",
    "lessons",
    "users",
    "user_pilots",
    "workshops",
    "lesson_elements",
    "governance_models",
    "model_elements",
    "model_versions",
    "themes",
    "methodology_steps",
    "audit_log",
    "data_versions",
)

# --- the store --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template():
    """Pilots alpha and beta with one lesson each, a model with one element, a draft and an open workshop, and one
    account per role (the coordinator assigned alpha) plus a spare viewer ``sam`` to manage. Built once: hashing
    passwords is slow, so each test works on a copy (see ``store``)."""
    db = open_memory_store()
    cli = cli_actor()
    ids = {
        "alpha": create_pilot(db, cli, "alpha", name="Alpha", country="FI"),
        "beta": create_pilot(db, cli, "beta", name="Beta", country="PT"),
    }
    for slug in ("alpha", "beta"):
        ids[f"lesson_{slug}"] = db.execute(
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind) VALUES (?, 'L1', ?, 'What we learned.', 'enabler')",
            [ids[slug], f"Lesson of {slug}"],
        ).lastrowid
        ids[f"validated_{slug}"] = db.execute(  # set by SQL: a fixture, not a user path
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind, status) "
            "VALUES (?, 'L3', 'Validated', 'Voted on.', 'insight', 'validated')",
            [ids[slug]],
        ).lastrowid
    model = db.execute("INSERT INTO governance_models (slug, name) VALUES ('gm', 'Governance model')").lastrowid
    ids["element"] = db.execute(
        "INSERT INTO model_elements (model_id, key, position, name) VALUES (?, 'E1', 1, 'Shared decisions')", [model]
    ).lastrowid
    db.execute(
        "INSERT INTO model_elements (model_id, key, position, name) VALUES (?, 'E2', 2, 'Local champions')", [model]
    )
    db.execute(  # a coordinator's proposal waiting for an editor
        "INSERT INTO lesson_elements (lesson_id, element_id, stance, status) VALUES (?, ?, 'supports', 'proposed')",
        [ids["lesson_beta"], ids["element"]],
    )
    ids["draft"] = create_workshop(db, cli, "Draft workshop")
    add_statements(db, cli, ids["draft"], texts=["A statement to remove."])
    ids["open"] = create_workshop(db, cli, "Open workshop", allow_submissions=True)
    open_workshop(db, cli, ids["open"])
    submit_statement(db, join(db, ids["open"], stakeholder_group="public"), "A participant's statement.")
    ids["closed"] = create_workshop(db, cli, "Closed workshop")
    add_statements(db, cli, ids["closed"], lessons=[ids["lesson_alpha"]])
    open_workshop(db, cli, ids["closed"])
    close_workshop(db, cli, ids["closed"])
    for role, name in ROLE_USERS.items():
        ids[name] = add_user(db, cli, name, PASSWORD, role=role, pilots=["alpha"] if role == "coordinator" else ())
    ids["sam"] = add_user(db, cli, "sam", PASSWORD, role="viewer")
    for slug in ("alpha", "beta"):
        ids[f"upload_{slug}"] = commit(db, cli, lesson_plan(slug, "L9"), filename=f"{slug}.csv")
    ids["story"] = save_story(db, cli, pilot="alpha", title="A story", lead="What happened.")
    submit_story(db, cli, ids["story"])
    yield db, ids
    db.close()


def lesson_plan(slug: str, key: str) -> Plan:
    """An upload that adds one lesson to a pilot."""
    after = {
        "key": key,
        "title": f"Uploaded {key}",
        "lesson": "Learned by upload.",
        "kind": "insight",
        "themes": [],
        "groups": [],
    }
    return Plan(changes=[Change("lessons", slug, (key,), "insert", None, after)])


def clone(db: Database) -> Database:
    """A private in-memory copy of ``db``."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db.conn.backup(conn)
    stemming.register(conn)  # the search index's triggers call it (m022), as on every connection the app opens
    copy = Database(conn)
    copy.execute("PRAGMA foreign_keys = ON")
    return copy


@pytest.fixture
def store(template):
    db, ids = template
    copy = clone(db)
    yield copy, dict(ids)
    copy.close()


def actor_of(db: Database, ids: dict, who: str) -> Actor | None:
    return None if who == "anonymous" else actor_for(db, ids[ROLE_USERS[who]])


def snapshot(db: Database) -> tuple[dict, dict]:
    """Row counts of every table, and a checksum of the content of the tables writes touch."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    sums = {
        t: hashlib.sha256(repr(db.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()).encode()).hexdigest()
        for t in CONTENT_TABLES
    }
    return counts, sums


def audit_rows(db: Database) -> list[tuple]:
    return db.execute("SELECT id, user_id, actor, action FROM audit_log ORDER BY id").fetchall()


# --- one real write per operation -------------------------------------------------------------------------------

# operation: (permission action, audit action recorded when it succeeds (None for a read), the call)
OPERATIONS = {
    "create_pilot": ("pilot.create", "pilot.create", lambda db, a, i: create_pilot(db, a, "gamma", name="G", country="FI")),
    "update_pilot alpha": ("pilot.edit", "pilot.edit", lambda db, a, i: update_pilot(db, a, i["alpha"], summary="New")),
    "update_pilot beta": ("pilot.edit", "pilot.edit", lambda db, a, i: update_pilot(db, a, i["beta"], summary="New")),
    "delete_pilot": ("pilot.delete", "pilot.delete", lambda db, a, i: delete_pilot(db, a, i["beta"])),
    "update_lesson alpha": (
        "lesson.edit", "lesson.edit", lambda db, a, i: update_lesson(db, a, i["lesson_alpha"], title="Retitled"),
    ),
    "update_lesson beta": (
        "lesson.edit", "lesson.edit", lambda db, a, i: update_lesson(db, a, i["lesson_beta"], title="Retitled"),
    ),
    "create_workshop": ("workshop.manage", "workshop.create", lambda db, a, i: create_workshop(db, a, "Another one")),
    "open_workshop": ("workshop.manage", "workshop.open", lambda db, a, i: open_workshop(db, a, i["draft"])),
    "close_workshop": ("workshop.manage", "workshop.close", lambda db, a, i: close_workshop(db, a, i["open"])),
    "add_statements": (
        "workshop.manage", "workshop.statements",
        lambda db, a, i: add_statements(db, a, i["draft"], lessons=[i["lesson_beta"]]),
    ),
    "remove_statement": (
        "workshop.manage", "workshop.statements", lambda db, a, i: remove_statement(db, a, i["draft"], "S01"),
    ),
    "set_allow_submissions": (
        "workshop.manage", "workshop.submissions", lambda db, a, i: set_allow_submissions(db, a, i["draft"], True),
    ),
    "moderate": ("workshop.manage", "workshop.moderate", lambda db, a, i: moderate(db, a, i["open"], "S01", True)),
    "start_round": ("workshop.manage", "workshop.round", lambda db, a, i: start_round(db, a, i["open"])),
    "apply_results": ("workshop.apply", "workshop.apply", lambda db, a, i: apply_results(db, a, i["closed"])),
    "link_lesson_to_element": (
        "model.edit", "model.link",
        lambda db, a, i: link_lesson_to_element(db, a, i["lesson_alpha"], i["element"], "supports"),
    ),
    "create_model": ("model.edit", "model.create", lambda db, a, i: create_model(db, a, "new", name="New model")),
    "update_model": ("model.edit", "model.edit", lambda db, a, i: update_model(db, a, "gm", name="Renamed")),
    "move_model": ("model.edit", "model.order", lambda db, a, i: move_model(db, a, "gm", 1)),
    "retire_model": ("model.edit", "model.retire", lambda db, a, i: retire_model(db, a, "gm")),
    "add_element": ("model.edit", "model.element.add", lambda db, a, i: add_element(db, a, "gm", "Open data")),
    "update_element": (
        "model.edit", "model.element.edit", lambda db, a, i: update_element(db, a, "gm", 1, description="New"),
    ),
    "remove_element": ("model.edit", "model.element.remove", lambda db, a, i: remove_element(db, a, "gm", 2)),
    "move_element": ("model.edit", "model.element.order", lambda db, a, i: move_element(db, a, "gm", 2, -1)),
    "link_lessons": (
        "model.link", "model.link",
        lambda db, a, i: link_lessons(db, a, i["element"], [i["lesson_alpha"]], "supports", note="Seen"),
    ),
    "review_links accept": (
        "model.link", "model.link.accept",
        lambda db, a, i: review_links(db, a, i["element"], [i["lesson_beta"]], accept=True),
    ),
    "unlink_lessons": (
        "model.link", "model.unlink", lambda db, a, i: unlink_lessons(db, a, i["element"], [i["lesson_beta"]]),
    ),
    "propose_links alpha": (
        "model.link.propose", "model.link.propose",
        lambda db, a, i: propose_links(db, a, i["element"], [i["lesson_alpha"]], "challenges", note="Not here"),
    ),
    "propose_links beta": (
        "model.link.propose", "model.link.propose",
        lambda db, a, i: propose_links(db, a, i["element"], [i["lesson_beta"]], "challenges"),
    ),
    "save_theme": ("vocabulary.edit", "theme.save", lambda db, a, i: save_theme(db, a, "housing", "Housing first")),
    "map_methodology_step": (
        "vocabulary.edit", "crosswalk.map", lambda db, a, i: map_methodology_step(db, a, "cosie", 1, "understand"),
    ),
    "add_user": ("user.manage", "user.add", lambda db, a, i: add_user(db, a, "newbie", PASSWORD, role="viewer")),
    "update_user": ("user.manage", "user.update", lambda db, a, i: update_user(db, a, "sam", role="facilitator")),
    "remove_user": ("user.manage", "user.remove", lambda db, a, i: remove_user(db, a, "sam")),
    "set_password of another": (
        "user.manage", "user.password", lambda db, a, i: set_password(db, a, "sam", "another long secret"),
    ),
    "audit_entries": ("audit.read", None, lambda db, a, i: audit_entries(db, a)),
    "import_bundle": ("bundle.import", "bundle.import", lambda db, a, i: import_into_emptied(db, a)),
    "personal_data_export": (
        "privacy.full_export", "privacy.full_export", lambda db, a, i: personal_data_export(db, a),
    ),
    "commit upload alpha": ("upload.commit", "upload.commit", lambda db, a, i: commit(db, a, lesson_plan("alpha", "L2"), filename="a.csv")),
    "commit upload beta": ("upload.commit", "upload.commit", lambda db, a, i: commit(db, a, lesson_plan("beta", "L2"), filename="b.csv")),
    "undo upload alpha": ("upload.undo", "upload.undo", lambda db, a, i: undo_upload(db, a, i["upload_alpha"])),
    "undo upload beta": ("upload.undo", "upload.undo", lambda db, a, i: undo_upload(db, a, i["upload_beta"])),
    "submit lesson alpha": ("lesson.submit", "lesson.status", lambda db, a, i: change_status(db, a, i["lesson_alpha"], "submitted")),
    "submit lesson beta": ("lesson.submit", "lesson.status", lambda db, a, i: change_status(db, a, i["lesson_beta"], "submitted")),
    "endorse lesson": ("lesson.endorse", "lesson.status", lambda db, a, i: change_status(db, a, i["validated_beta"], "endorsed", reason="Seen in three pilots.")),
    "applied elsewhere in alpha": ("lesson.apply_elsewhere", "lesson.status", lambda db, a, i: change_status(db, a, i["validated_beta"], "applied_elsewhere", where="alpha", on="2026-10-01", note="Used for the housing service.")),
    "save_catalogue": ("catalogue.edit", "catalogue.import", lambda db, a, i: save_catalogue(db, a, [Entry("matrix-tool", "software", "Matrix tool", source="test")], catalogue="test")),
    "applied elsewhere in beta": ("lesson.apply_elsewhere", "lesson.status", lambda db, a, i: change_status(db, a, i["validated_alpha"], "applied_elsewhere", where="beta", on="2026-10-01", note="Used for the housing service.")),
    "save_story alpha": ("story.edit", "story.create", lambda db, a, i: save_story(db, a, pilot="alpha", title="T")),
    "save_story beta": ("story.edit", "story.create", lambda db, a, i: save_story(db, a, pilot="beta", title="T")),
    "publish_story": ("story.publish", "story.publish", lambda db, a, i: publish_story(db, a, i["story"])),
    "add_contributor": ("contributor.edit", "contributor.add", lambda db, a, i: add_contributor(db, a, name="Pia")),
}  # fmt: skip


def import_into_emptied(db: Database, actor: Actor | None) -> dict:
    """Import the store's own data package. A bundle goes only into an empty store, so for an administrator (the
    one role allowed) the store is emptied first; any other actor tries on the full store and must be refused
    before the emptiness check."""
    payload = data_package_zip(db)
    if actor is not None and actor.role == "admin":
        for table in reversed(shared_tables(db)):
            if table not in VOCABULARIES:
                db.execute(f'DELETE FROM "{table}"')
    return import_bundle(db, actor, payload)


# --- the expected matrix, written out -----------------------------------------------------------------------------

A, R = "allowed", "refused"
WHO = ("admin", "editor", "coordinator", "facilitator", "viewer", "anonymous")  # the coordinator is assigned alpha only
MATRIX = {
    #                          admin editor coordinator facilitator viewer anonymous
    "create_pilot":             (A,    R,    R,          R,          R,     R),
    "update_pilot alpha":       (A,    R,    A,          R,          R,     R),
    "update_pilot beta":        (A,    R,    R,          R,          R,     R),
    "delete_pilot":             (A,    R,    R,          R,          R,     R),
    "update_lesson alpha":      (A,    R,    A,          R,          R,     R),
    "update_lesson beta":       (A,    R,    R,          R,          R,     R),
    "create_workshop":          (A,    R,    R,          A,          R,     R),
    "open_workshop":            (A,    R,    R,          A,          R,     R),
    "close_workshop":           (A,    R,    R,          A,          R,     R),
    "add_statements":           (A,    R,    R,          A,          R,     R),
    "remove_statement":         (A,    R,    R,          A,          R,     R),
    "set_allow_submissions":    (A,    R,    R,          A,          R,     R),
    "moderate":                 (A,    R,    R,          A,          R,     R),
    "start_round":              (A,    R,    R,          A,          R,     R),
    "apply_results":            (A,    R,    R,          A,          R,     R),
    "link_lesson_to_element":   (A,    A,    R,          R,          R,     R),
    "save_theme":               (A,    R,    R,          R,          R,     R),
    "map_methodology_step":     (A,    R,    R,          R,          R,     R),
    "add_user":                 (A,    R,    R,          R,          R,     R),
    "update_user":              (A,    R,    R,          R,          R,     R),
    "remove_user":              (A,    R,    R,          R,          R,     R),
    "set_password of another":  (A,    R,    R,          R,          R,     R),
    "audit_entries":            (A,    R,    R,          R,          R,     R),
    "import_bundle":            (A,    R,    R,          R,          R,     R),
    "personal_data_export":     (A,    R,    R,          R,          R,     R),
    "commit upload alpha":      (A,    R,    A,          R,          R,     R),
    "commit upload beta":       (A,    R,    R,          R,          R,     R),
    "undo upload alpha":        (A,    R,    A,          R,          R,     R),
    "undo upload beta":         (A,    R,    R,          R,          R,     R),
    "create_model":             (A,    A,    R,          R,          R,     R),
    "update_model":             (A,    A,    R,          R,          R,     R),
    "move_model":               (A,    A,    R,          R,          R,     R),
    "retire_model":             (A,    A,    R,          R,          R,     R),
    "add_element":              (A,    A,    R,          R,          R,     R),
    "update_element":           (A,    A,    R,          R,          R,     R),
    "remove_element":           (A,    A,    R,          R,          R,     R),
    "move_element":             (A,    A,    R,          R,          R,     R),
    "link_lessons":             (A,    A,    R,          R,          R,     R),
    "review_links accept":      (A,    A,    R,          R,          R,     R),
    "unlink_lessons":           (A,    A,    R,          R,          R,     R),
    "propose_links alpha":      (A,    A,    A,          R,          R,     R),
    "propose_links beta":       (A,    A,    R,          R,          R,     R),
    "submit lesson alpha":      (A,    R,    A,          R,          R,     R),
    "submit lesson beta":       (A,    R,    R,          R,          R,     R),
    "endorse lesson":           (A,    A,    R,          R,          R,     R),
    "applied elsewhere in alpha": (A,  A,    A,          R,          R,     R),
    "applied elsewhere in beta": (A,   A,    R,          R,          R,     R),
    "save_catalogue":           (A,    A,    R,          R,          R,     R),
    "save_story alpha":         (A,    R,    A,          R,          R,     R),
    "save_story beta":          (A,    R,    R,          R,          R,     R),
    "publish_story":            (A,    R,    R,          R,          R,     R),
    "add_contributor":          (A,    R,    A,          R,          R,     R),
}  # fmt: skip

CASES = [(op, who, MATRIX[op][k]) for op in MATRIX for k, who in enumerate(WHO)]


def test_the_matrix_covers_every_action_and_every_operation():
    assert {OPERATIONS[op][0] for op in MATRIX} == set(ACTIONS)
    assert set(MATRIX) == set(OPERATIONS)
    assert all(len(row) == len(WHO) for row in MATRIX.values())


def test_the_matrix_agrees_with_can(template):
    db, ids = template
    for op, who, expected in CASES:
        action = OPERATIONS[op][0]
        pilot = ids["beta"] if op.endswith(" beta") else ids["alpha"]
        assert can(actor_of(db, ids, who), action, pilot_id=pilot) == (expected == A), (op, who)


@pytest.mark.parametrize(("op", "who", "expected"), CASES, ids=[f"{op}-{who}" for op, who, _ in CASES])
def test_permission_matrix(store, op, who, expected):
    db, ids = store
    action, audit_action, call = OPERATIONS[op]
    actor = actor_of(db, ids, who)
    before = snapshot(db)
    audit_before = audit_rows(db)
    if expected == A:
        call(db, actor, ids)
        new = audit_rows(db)[len(audit_before) :]
        if audit_action is None:  # a read writes nothing
            assert new == []
            assert snapshot(db) == before
        else:
            assert audit_rows(db)[: len(audit_before)] == audit_before
            assert [(user_id, name, act) for _, user_id, name, act in new] == [
                (actor.user_id, actor.username, audit_action)
            ]
            assert snapshot(db)[1] != before[1]
    else:
        with pytest.raises(PermissionDenied) as refused:
            call(db, actor, ids)
        assert snapshot(db) == before
        message = str(refused.value)
        assert re.fullmatch(r"[A-Z][^.]*\.", message), message  # one plain sentence
        assert not re.search(r"\w\.\w", message), message  # no internal code such as lesson.edit
        assert not any(code in message for code in ACTIONS), message


# --- beyond the matrix -----------------------------------------------------------------------------------------


def test_a_coordinator_of_alpha_may_not_touch_beta(store):
    db, ids = store
    cora = actor_for(db, ids["cora"])
    assert cora.pilot_ids == frozenset({ids["alpha"]})
    before = snapshot(db)
    with pytest.raises(
        PermissionDenied, match="^You coordinate other pilots, so you may not change this pilot's facts"
    ):
        update_pilot(db, cora, ids["beta"], name="Taken over")
    with pytest.raises(
        PermissionDenied, match="^You coordinate other pilots, so you may not change this pilot's lesso"
    ):
        update_lesson(db, cora, ids["lesson_beta"], title="Taken over", themes=["trust"])
    assert snapshot(db) == before
    assert db.execute("SELECT name FROM pilots WHERE id = ?", [ids["beta"]]).fetchone() == ("Beta",)


def test_a_coordinator_of_two_pilots_may_edit_both(store):
    db, ids = store
    duo_id = add_user(db, cli_actor(), "duo", PASSWORD, role="coordinator", pilots=["alpha", "beta"])
    duo = actor_for(db, duo_id)
    assert duo.pilot_ids == frozenset({ids["alpha"], ids["beta"]})
    for slug in ("alpha", "beta"):
        assert update_pilot(db, duo, ids[slug], summary=f"{slug} summary") == {
            "summary": {"before": None, "after": f"{slug} summary"}
        }
        update_lesson(db, duo, ids[f"lesson_{slug}"], title=f"Lesson of {slug}, revised")
    assert db.execute("SELECT slug, summary FROM pilots ORDER BY slug").fetchall() == [
        ("alpha", "alpha summary"),
        ("beta", "beta summary"),
    ]
    assert db.execute(
        "SELECT actor, action, object_id FROM audit_log WHERE user_id = ? ORDER BY id", [duo_id]
    ).fetchall() == [
        ("duo", "pilot.edit", "alpha"),
        ("duo", "lesson.edit", "alpha:L1"),
        ("duo", "pilot.edit", "beta"),
        ("duo", "lesson.edit", "beta:L1"),
    ]
    with pytest.raises(PermissionDenied):
        create_pilot(db, duo, "gamma", name="Gamma", country="FI")


def test_a_role_change_takes_effect_at_once(store):
    db, ids = store
    cli = cli_actor()
    add_user(db, cli, "ada2", PASSWORD, role="admin")
    update_user(db, cli, "ada", role="viewer")
    ada = actor_for(db, ids["ada"])
    assert (ada.username, ada.role, ada.pilot_ids) == ("ada", "viewer", frozenset())
    before = snapshot(db)
    with pytest.raises(PermissionDenied, match="^A viewer may not change this pilot's facts"):
        update_pilot(db, ada, ids["alpha"], summary="Still admin?")
    with pytest.raises(PermissionDenied):
        audit_entries(db, ada)
    assert snapshot(db) == before


def test_a_change_of_a_coordinators_pilots_takes_effect_at_once(store):
    db, ids = store
    update_user(db, cli_actor(), "cora", pilots=["beta"])
    cora = actor_for(db, ids["cora"])
    assert cora.pilot_ids == frozenset({ids["beta"]})
    update_pilot(db, cora, ids["beta"], summary="Now mine")
    with pytest.raises(PermissionDenied):
        update_pilot(db, cora, ids["alpha"], summary="No longer mine")


def test_a_disabled_account_has_no_actor(store):
    db, ids = store
    update_user(db, cli_actor(), "cora", active=False)
    assert actor_for(db, ids["cora"]) is None
    with pytest.raises(PermissionDenied, match="^Sign in to [a-z]"):
        update_pilot(db, actor_for(db, ids["cora"]), ids["alpha"], summary="Ghost edit")
    update_user(db, cli_actor(), "cora", active=True)
    assert actor_for(db, ids["cora"]).role == "coordinator"


def test_unknown_ids_have_no_actor(store):
    db, ids = store
    assert actor_for(db, None) is None
    assert actor_for(db, 999_999) is None


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_actor_with_an_unknown_role_may_do_nothing(action):
    assert not can(Actor("mallory", "superuser", frozenset({1})), action, pilot_id=1)
    assert not can(Actor("mallory", "Admin"), action, pilot_id=1)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        can(cli_actor(), "lesson.delete")


def test_the_command_line_acts_as_an_administrator():
    actor = cli_actor()
    assert actor.role == "admin"
    assert actor.username.startswith("cli:")
    assert actor.user_id is None

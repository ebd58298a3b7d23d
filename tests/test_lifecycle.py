"""The lesson lifecycle (#14): which status changes are allowed, for whom, on what evidence, and their public record.

Every transition between two statuses is tried for every kind of actor; refusals leave the store exactly as it was.
Then: workshop results as the only way to validated or contested, the history they write, the migration of an
existing store, the CLI, uploads, the edit form, the lesson page's timeline and the "Status set by" filter.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3

import pytest

from lessons import queries
from lessons.accounts import add_user
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.editing import update_lesson
from lessons.ingest.pipeline import run_import
from lessons.ingest.problems import IngestError
from lessons.ingest.validate import Options
from lessons.lifecycle import LifecycleError, allowed_changes, change_status, status_history
from lessons.migrations import migrations
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import STATUSES, connect, migrate, open_memory_store, open_store
from lessons.workshops import add_statements, apply_results, cast_vote, close_workshop, create_workshop, join
from lessons.workshops import open_workshop as open_ws

CLI = cli_actor()
VALIDATED_ONLY_BY_WORKSHOP = (
    "A lesson becomes validated only when a facilitator applies the results of a workshop that voted on it: run a "
    "workshop on it, then apply its results."
)

# --- a store with a lesson in every status -----------------------------------------------------------------------


def build(db) -> dict:
    """Pilots alpha (1) and beta (2); in alpha one lesson per status, keyed by the status (set by SQL: a fixture)."""
    db["pilots"].insert_all(
        [{"id": 1, "slug": "alpha", "name": "Alpha", "country": "FI"}, {"id": 2, "slug": "beta", "name": "Beta",
                                                                         "country": "PT"}]
    )  # fmt: skip
    ids = {}
    for status in STATUSES:
        ids[status] = db.execute(
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind, status) VALUES (1, ?, ?, 'Learned.', 'insight', ?)",
            [status, f"A {status} lesson", status],
        ).lastrowid
    return ids


@pytest.fixture
def store():
    db = open_memory_store()
    ids = build(db)
    yield db, ids
    db.close()


ACTORS = {
    "admin": Actor("ada", "admin"),
    "editor": Actor("eddie", "editor"),  # the role arrives with governance-model authoring; the rules name it now
    "coordinator of the pilot": Actor("cora", "coordinator", frozenset({1})),
    "coordinator of another pilot": Actor("bea", "coordinator", frozenset({2})),
    "facilitator": Actor("fay", "facilitator"),
    "viewer": Actor("vic", "viewer"),
    "anonymous": None,
}
#: Who may make each change by hand, written out (the lesson is alpha's; "applied elsewhere" is applied in beta).
ALLOWED = {
    ("draft", "submitted"): {"admin", "coordinator of the pilot"},
    ("submitted", "draft"): {"admin", "coordinator of the pilot"},
    ("validated", "endorsed"): {"admin", "editor"},
    ("validated", "applied_elsewhere"): {"admin", "editor", "coordinator of another pilot"},
    ("endorsed", "applied_elsewhere"): {"admin", "editor", "coordinator of another pilot"},
}
FIELDS = {
    "endorsed": {"reason": "Seen in three pilots."},
    "applied_elsewhere": {"where": "beta", "on": "2026-10-01", "note": "Used to plan the housing service."},
}
CASES = [
    (before, after, who)
    for before, after in itertools.permutations(STATUSES, 2)
    for who in ACTORS
]  # fmt: skip


def snapshot(db) -> str:
    """Every row of the tables a status change writes."""
    rows = [
        db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        for t in ("lessons", "lesson_status_history", "audit_log")
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize(("before", "after", "who"), CASES, ids=[f"{b}->{a}-{w}" for b, a, w in CASES])
def test_every_transition_for_every_role(store, before, after, who):
    db, ids = store
    actor = ACTORS[who]
    lesson = ids[before]
    was = snapshot(db)
    if who in ALLOWED.get((before, after), ()):
        assert change_status(db, actor, lesson, after, **FIELDS.get(after, {})) == {"before": before, "after": after}
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [lesson]).fetchone() == (after,)
        row = db.execute(
            "SELECT status_before, status, source, role FROM lesson_status_history WHERE lesson_id = ?", [lesson]
        ).fetchall()
        assert row == [(before, after, "decision", actor.role)]
        assert db.execute("SELECT actor, action FROM audit_log").fetchall() == [(actor.username, "lesson.status")]
        return
    with pytest.raises((LifecycleError, PermissionDenied)) as refused:
        change_status(db, actor, lesson, after, **FIELDS.get(after, {}))
    assert snapshot(db) == was
    message = str(refused.value)
    if after == "validated":
        assert message == VALIDATED_ONLY_BY_WORKSHOP
    elif after == "contested":
        assert message.startswith("A lesson becomes contested only when a facilitator applies the results")
    else:  # the refusal names who may, or which path leads there
        assert any(w in message for w in ("administrator", "coordinator", "workshop")), message


def test_the_matrix_is_what_the_form_offers(store):
    db, ids = store
    assert allowed_changes(db, ACTORS["coordinator of the pilot"], ids["draft"]) == ["submitted"]
    assert allowed_changes(db, ACTORS["coordinator of the pilot"], ids["submitted"]) == ["draft"]
    assert allowed_changes(db, ACTORS["coordinator of the pilot"], ids["validated"]) == ["applied_elsewhere"]
    assert allowed_changes(db, ACTORS["editor"], ids["validated"]) == ["endorsed", "applied_elsewhere"]
    assert allowed_changes(db, ACTORS["admin"], ids["draft"]) == ["submitted"]
    for who in ("facilitator", "viewer", "anonymous"):
        assert all(allowed_changes(db, ACTORS[who], ids[s]) == [] for s in STATUSES), who
    assert all("validated" not in allowed_changes(db, a, ids[s]) for a in ACTORS.values() for s in STATUSES)


def test_endorsing_needs_a_reason_and_applied_elsewhere_needs_where_when_and_a_note(store):
    db, ids = store
    was = snapshot(db)
    with pytest.raises(LifecycleError, match="Give a reason"):
        change_status(db, ACTORS["editor"], ids["validated"], "endorsed", reason="  ")
    for missing, message in (("where", "Say where"), ("on", "Say when"), ("note", "Add a note")):
        fields = {k: v for k, v in FIELDS["applied_elsewhere"].items() if k != missing}
        with pytest.raises(LifecycleError, match=message):
            change_status(db, ACTORS["admin"], ids["validated"], "applied_elsewhere", **fields)
    with pytest.raises(LifecycleError, match="not a date"):
        change_status(db, ACTORS["admin"], ids["validated"], "applied_elsewhere", **{**FIELDS["applied_elsewhere"],
                                                                                    "on": "next spring"})  # fmt: skip
    assert snapshot(db) == was


def test_applied_in_an_organisation_outside_the_store(store):
    db, ids = store
    fields = {"where": "City of Gdańsk", "on": "2026-09-30", "note": "Adopted\u202e in their youth services."}
    with pytest.raises(PermissionDenied, match="coordinator of the pilot where it was applied"):
        change_status(db, ACTORS["coordinator of another pilot"], ids["endorsed"], "applied_elsewhere", **fields)
    change_status(db, ACTORS["editor"], ids["endorsed"], "applied_elsewhere", **fields)
    assert db.execute(
        "SELECT applied_pilot_id, applied_where, applied_on, note, role FROM lesson_status_history"
    ).fetchall() == [(None, "City of Gdańsk", "2026-09-30", "Adopted in their youth services.", "editor")]


def test_applied_in_a_pilot_of_the_store_names_it(store):
    db, ids = store
    change_status(db, ACTORS["coordinator of another pilot"], ids["validated"], "applied_elsewhere",
                  where="Beta", on="2026-10-01", note="Used.")  # fmt: skip
    assert db.execute("SELECT applied_pilot_id, applied_where FROM lesson_status_history").fetchall() == [(2, "Beta")]


def test_editing_a_lesson_cannot_change_its_status(store):
    db, ids = store
    cora = ACTORS["coordinator of the pilot"]
    was = snapshot(db)
    with pytest.raises(LifecycleError) as refused:
        update_lesson(db, cora, ids["submitted"], title="Renamed", status="validated")
    assert str(refused.value) == (
        f"A lesson's status is not edited: it changes along the lifecycle. {VALIDATED_ONLY_BY_WORKSHOP}"
    )
    with pytest.raises(LifecycleError):
        update_lesson(db, ACTORS["admin"], ids["validated"], status="endorsed")
    assert snapshot(db) == was
    # the status a form sends back unchanged is no change
    assert update_lesson(db, cora, ids["submitted"], title="Renamed", status="submitted") == {
        "title": {"before": "A submitted lesson", "after": "Renamed"}
    }


# --- workshops: the one way to validated and contested --------------------------------------------------------


def vote(db, lessons: list[int], votes: dict[str, list[str]], people: int = 10) -> str:
    """A closed workshop on ``lessons`` (statements S01…) where ``people`` voted as ``votes`` says."""
    code = create_workshop(db, CLI, "Validation")
    add_statements(db, CLI, code, lessons=lessons)
    open_ws(db, CLI, code)
    tokens = [join(db, code, stakeholder_group="public") for _ in range(people)]
    for key, values in votes.items():
        for token, value in zip(tokens, values):
            cast_vote(db, token, key, value)
    close_workshop(db, CLI, code)
    return code


def test_workshop_results_write_the_history_with_their_evidence(store):
    db, ids = store
    fay = ACTORS["facilitator"]
    code = vote(
        db,
        [ids["submitted"], ids["validated"]],
        {"S01": ["agree"] * 8 + ["disagree"] + ["pass"], "S02": ["agree"] * 3 + ["disagree"] * 7},
    )
    apply_results(db, fay, code)
    rows = db.execute(
        """SELECT lesson_id, status_before, status, source, user_id, role, workshop, round, agree, disagree, pass, n
           FROM lesson_status_history ORDER BY id"""
    ).fetchall()
    assert rows == [
        (ids["submitted"], "submitted", "validated", "workshop", None, "facilitator", code, 1, 8, 1, 1, 9),
        (ids["validated"], "validated", "contested", "workshop", None, "facilitator", code, 1, 3, 7, 0, 10),
    ]
    apply_results(db, fay, code)  # again: nothing more is recorded
    assert db.execute("SELECT count(*) FROM lesson_status_history").fetchone() == (2,)
    # re-validation: a contested lesson becomes validated by another workshop, never by a decision
    with pytest.raises(LifecycleError):
        change_status(db, ACTORS["admin"], ids["validated"], "validated")
    again = vote(db, [ids["validated"]], {"S01": ["agree"] * 10})
    apply_results(db, ACTORS["admin"], again)
    assert [r["status"] for r in status_history(db, ids["validated"]).to_dict("records")] == [
        "contested",
        "validated",
    ]
    # the new filter: lessons whose current status came from a workshop
    found = queries.search_lessons(db, status_set_by=["workshop"])
    assert sorted(found["key"]) == ["submitted", "validated"]


def test_a_history_row_is_public_without_the_account(store):
    db, ids = store
    user = db.execute("INSERT INTO users (username, role, password_hash) VALUES ('ada', 'admin', 'x')").lastrowid
    change_status(db, Actor("ada", "admin", user_id=user), ids["validated"], "endorsed", reason="Strong evidence")
    assert db.execute("SELECT user_id FROM lesson_status_history").fetchone() == (user,)
    public = status_history(db, ids["validated"])
    assert "user_id" not in public.columns and "ada" not in repr(public.to_dict("records"))
    from lessons.bundle import BLANKED

    assert BLANKED["lesson_status_history"] == ("user_id",)


# --- migration of an existing store ------------------------------------------------------------------------------


def test_an_existing_store_keeps_every_status_and_gets_a_first_history_row(tmp_path):
    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m007_lesson_status_history")
    assert "lesson_status_history" not in db.table_names()
    ids = build(db)
    db.execute("UPDATE lessons SET updated_at = '2025-01-02T03:04:05Z' WHERE id = ?", [ids["endorsed"]])
    db.conn.commit()
    before = db.execute("SELECT id, status FROM lessons ORDER BY id").fetchall()
    assert migrate(db)[0] == "m007_lesson_status_history"  # and the later ones
    assert db.execute("SELECT id, status FROM lessons ORDER BY id").fetchall() == before
    rows = db.execute(
        "SELECT lesson_id, status_before, status, source, reason, user_id, role FROM lesson_status_history ORDER BY id"
    ).fetchall()
    assert rows == [
        (i, None, s, "before_lifecycle", "recorded before the lifecycle existed", None, None) for i, s in before
    ]
    assert db.execute("SELECT at FROM lesson_status_history WHERE lesson_id = ?", [ids["endorsed"]]).fetchone() == (
        "2025-01-02T03:04:05Z",
    )
    assert queries.search_lessons(db, status_set_by=["before_lifecycle"]).shape[0] == len(STATUSES)
    db.close()


# --- the command line ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli_store(tmp_path):
    path = tmp_path / "cli.db"
    db = open_store(path)
    ids = build(db)
    add_user(db, CLI, "cora", "a long enough secret", role="coordinator", pilots=["alpha"])
    db.close()
    return str(path), ids


def test_cli_follows_the_same_rules(cli_store, capsys):
    path, ids = cli_store
    assert main(["lesson", "status", "--db", path, "alpha:submitted", "validated", "--as", "cora"]) == EXIT_INVALID
    assert capsys.readouterr().err.strip() == VALIDATED_ONLY_BY_WORKSHOP
    assert main(["lesson", "status", "--db", path, str(ids["draft"]), "submitted", "--as", "cora"]) == EXIT_OK
    assert capsys.readouterr().out == f"Lesson {ids['draft']}: draft → submitted.\n"
    assert main(["lesson", "status", "--db", path, "alpha:validated", "endorsed", "--as", "cora"]) == EXIT_INVALID
    assert "an administrator or an editor does" in capsys.readouterr().err
    assert main(["lesson", "status", "--db", path, "alpha:validated", "endorsed"]) == EXIT_INVALID
    assert "Give a reason" in capsys.readouterr().err
    assert main(["lesson", "status", "--db", path, "alpha:validated", "endorsed", "--reason", "Three pilots"]) == 0
    assert main([
        "lesson", "status", "--db", path, "alpha:endorsed", "applied_elsewhere", "--where", "beta", "--date",
        "2026-10-01", "--note", "Used in Porto.",
    ]) == EXIT_OK  # fmt: skip
    assert main(["lesson", "status", "--db", path, "alpha:nope", "submitted"]) == EXIT_INVALID
    assert "There is no lesson alpha:nope" in capsys.readouterr().err
    db = connect(path, readonly=True)
    assert db.execute("SELECT status, role, reason FROM lesson_status_history ORDER BY id").fetchall() == [
        ("submitted", "coordinator", None),
        ("endorsed", "admin", "Three pilots"),
        ("applied_elsewhere", "admin", None),
    ]
    db.close()


# --- uploads ------------------------------------------------------------------------------------------------------


def lessons_csv(rows: list[dict]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(r.get(c, "")) for c in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_may_set_only_draft_or_submitted(store):
    db, ids = store
    admin = ACTORS["admin"]
    data = lessons_csv([
        {"key": "L20", "title": "New", "lesson": "x", "kind": "insight", "status": "validated"},
        {"key": "submitted", "title": "Again", "lesson": "x", "kind": "insight", "status": "endorsed"},
        {"key": "validated", "title": "Back", "lesson": "x", "kind": "insight", "status": "submitted"},
    ])  # fmt: skip
    was = snapshot(db)
    with pytest.raises(IngestError) as refused:
        run_import(db, admin, [("lessons.csv", data)], Options(pilot="alpha"))
    problems = {(p.row, p.column): p for p in refused.value.problems}
    assert set(problems) == {(2, "status"), (3, "status"), (4, "status")}
    assert problems[2, "status"].message == f"An upload cannot set a lesson validated. {VALIDATED_ONLY_BY_WORKSHOP}"
    assert (
        problems[4, "status"].message == "The lesson is validated already; an upload cannot set it back to submitted."
    )
    assert "leave the cell empty" in problems[2, "status"].fix
    assert snapshot(db) == was
    # draft / submitted, and a lesson's own status, pass; an empty cell keeps what the lifecycle gave
    ok = lessons_csv([
        {"key": "L20", "title": "New", "lesson": "x", "kind": "insight", "status": "draft"},
        {"key": "draft", "title": "Ready", "lesson": "x", "kind": "insight", "status": "submitted"},
        {"key": "endorsed", "title": "Same", "lesson": "x", "kind": "insight", "status": "endorsed"},
        {"key": "validated", "title": "Kept", "lesson": "x", "kind": "insight", "status": ""},
    ])  # fmt: skip
    run_import(db, ACTORS["coordinator of the pilot"], [("lessons.csv", ok)], Options(pilot="alpha"))
    assert dict(db.execute("SELECT key, status FROM lessons WHERE key IN ('L20', 'draft', 'endorsed', 'validated')")) == {
        "L20": "draft", "draft": "submitted", "endorsed": "endorsed", "validated": "validated",
    }  # fmt: skip
    assert db.execute(
        "SELECT l.key, h.status_before, h.status, h.source, h.role, h.reason FROM lesson_status_history h "
        "JOIN lessons l ON l.id = h.lesson_id ORDER BY h.id"
    ).fetchall() == [
        ("L20", None, "draft", "upload", "coordinator", "lessons.csv"),
        ("draft", "draft", "submitted", "upload", "coordinator", "lessons.csv"),
    ]


def test_a_commit_rechecks_the_status_against_the_store_as_it_is_now(store):
    db, ids = store
    from lessons.ingest.changes import Change, Plan, commit

    before = {"id": ids["submitted"], "key": "submitted", "status": "submitted"}
    plan = Plan(changes=[Change("lessons", "alpha", ("submitted",), "update", before, {**before, "status": "submitted",
                                                                                        "title": "T"})])  # fmt: skip
    db.execute("UPDATE lessons SET status = 'validated' WHERE id = ?", [ids["submitted"]])  # a workshop, meanwhile
    was = snapshot(db)
    with pytest.raises(LifecycleError, match="validated already"):
        commit(db, ACTORS["admin"], plan, filename="late.csv")
    assert snapshot(db) == was


# --- pages --------------------------------------------------------------------------------------------------------

SUBMIT = "FormSubmitter:auth_form-Sign in"


def signed_in(app_on, path, username: str, password: str):
    at = app_on(path).run()
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(password)
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    return at


def test_the_edit_form_offers_a_coordinator_only_their_transitions(demo_db_path, app_on):
    db = open_store(demo_db_path)
    first = db.execute(
        "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = 'tampere-youth-guidance' "
        "ORDER BY l.key LIMIT 1"
    ).fetchone()[0]
    db.execute("UPDATE lessons SET status = 'draft' WHERE id = ?", [first])
    db.conn.commit()
    db.close()
    at = signed_in(app_on, demo_db_path, "coordinator", "demo-coordinator-pass")
    at.switch_page("pages/pilot_data.py").run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.label == "Status"]  # no free choice of status any more
    radio = next(r for r in at.radio if r.label == "Change the status")
    assert radio.options == ["Submit for validation"]
    assert not any("alidat" in o and o != "Submit for validation" for r in at.radio for o in r.options)
    at.button(key=next(b.key for b in at.button if b.label == "Change the status")).click().run()
    assert not at.exception
    assert any(s.value.startswith("The lesson's status is changed") for s in at.success)
    assert "**Status: Submitted**" in [m.value for m in at.markdown]
    assert next(r for r in at.radio if r.label == "Change the status").options == ["Withdraw to draft"]
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [first]).fetchone() == ("submitted",)
        assert db.execute(
            "SELECT status, role FROM lesson_status_history WHERE lesson_id = ? ORDER BY id DESC LIMIT 1", [first]
        ).fetchone() == ("submitted", "coordinator")


def test_the_lesson_page_shows_the_timeline_to_every_reader(tmp_path, app_on):
    path = tmp_path / "timeline.db"
    db = open_store(path)
    ids = build(db)
    code = vote(db, [ids["submitted"]], {"S01": ["agree"] * 8 + ["disagree"] + ["pass"] * 2}, people=11)
    user = add_user(db, CLI, "ada.lovelace", "a long enough secret", role="admin")
    from lessons.accounts import actor_for

    apply_results(db, actor_for(db, user), code)
    change_status(db, actor_for(db, user), ids["submitted"], "endorsed", reason="Seen in *three* pilots")
    db.close()
    at = app_on(path).run()  # nobody signed in
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = str(ids["submitted"])
    at.run()
    assert not at.exception
    body = "\n".join(m.value for m in at.markdown)
    assert "**How this lesson got its status**" in body
    assert f"Validated by workshop {code}, round 1\\:\u2060 8 agree, 1 disagree, 2 pass" in body
    assert "Endorsed by an administrator\\:\u2060 Seen in \\*three\\* pilots" in body
    assert "lovelace" not in body.lower()  # the account is never named

    at.button(key="lessons_back").click().run()
    at.multiselect(key="lessons_status_set_by").set_value(["decision"]).run()
    assert not at.exception
    assert at.markdown[0].value.startswith("**1 lesson** matches")
    assert at.query_params.get("set_by") in (["decision"], "decision")


def test_a_workshop_too_small_to_show_hides_its_counts_in_the_timeline(store):
    db, ids = store
    code = vote(db, [ids["submitted"]], {"S01": ["agree"] * 3}, people=3)
    apply_results(db, ACTORS["facilitator"], code, min_votes=3)
    from lessons.lifecycle import describe

    (row,) = status_history(db, ids["submitted"]).to_dict("records")
    assert (row["agree"], row["n"]) == (None, None)
    assert describe(row) == f"Validated by workshop {code}, round 1 (too few people to show votes)"


def test_the_history_table_refuses_an_unknown_status(store):
    db, ids = store
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO lesson_status_history (lesson_id, status, source) VALUES (?, 'approved', 'decision')",
            [ids["draft"]],
        )


# --- an editor endorses on the lesson's page ---------------------------------------------------------------------


def test_an_editor_endorses_a_validated_lesson_on_its_page_and_a_viewer_is_offered_nothing(demo_db_path, app_on):
    from lessons.accounts import add_user
    from lessons.permissions import cli_actor
    from lessons.store import open_store
    from tests.test_manage_pages import sign_in

    db = open_store(demo_db_path)
    lesson = db.execute("SELECT id FROM lessons WHERE status = 'validated' ORDER BY id LIMIT 1").fetchone()[0]
    add_user(db, cli_actor(), "eddie", "a long editor password", role="editor")
    db.close()
    at = app_on(demo_db_path).run()
    sign_in(at, "viewer")
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = str(lesson)
    at.run()
    assert not at.exception and not at.radio  # a viewer may change nothing: no form at all
    assert any("How this lesson got its status" in m.value for m in [*at.markdown, *at.subheader])
    at = app_on(demo_db_path).run()
    sign_in(at, "eddie", "a long editor password")
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = str(lesson)
    at.run()
    assert not at.exception
    choice = next(r for r in at.radio if r.label == "Change the status")
    assert choice.options == ["Endorse", "Record that it was applied elsewhere"]  # an editor's decisions only
    choice.set_value("endorsed")
    next(t for t in at.text_input if t.label == "Reason").set_value("Confirmed by two more pilots")
    next(b for b in at.button if b.label == "Change the status").click().run()
    assert not at.exception
    with open_store(demo_db_path) as db:
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [lesson]).fetchone()[0] == "endorsed"
        assert (
            db.execute(
                "SELECT reason FROM lesson_status_history WHERE lesson_id = ? ORDER BY id DESC LIMIT 1", [lesson]
            ).fetchone()[0]
            == "Confirmed by two more pilots"
        )

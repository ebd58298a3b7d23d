"""Validation workshops (issue #7), the domain: prepare, join, vote, submit and moderate, rounds, close and write
the results back into lesson status; and nothing lost when a hundred participants vote at once."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from lessons.accounts import actor_for, add_user
from lessons.editing import create_pilot
from lessons.permissions import PermissionDenied, cli_actor
from lessons.store import connect, open_store
from lessons.workshops import (
    MAX_STATEMENT_CHARS,
    WorkshopError,
    add_statements,
    apply_results,
    cast_vote,
    close_workshop,
    create_workshop,
    join,
    moderate,
    my_votes,
    next_statements,
    open_workshop,
    remove_statement,
    set_allow_submissions,
    start_round,
    statements,
    submit_statement,
    workshop_by_code,
)
from lessons.workshops.outcomes import preview_results
from lessons.workshops.preparation import edit_statement, move_statement

CLI = cli_actor()
T0 = datetime(2030, 5, 6, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def store(db):
    """Pilot alpha with three lessons, a model with one element, and a draft workshop drawing on all of them."""
    pilot = create_pilot(db, CLI, "alpha", name="Alpha", country="FI")
    lessons = [
        db.execute(
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind, status) VALUES (?, ?, ?, 'Text.', 'enabler', ?)",
            [pilot, f"L{i}", title, "submitted"],
        ).lastrowid
        for i, title in enumerate(["Champions open doors", "Budgets follow trust", "Apps reach everyone"], 1)
    ]
    model = db.execute("INSERT INTO governance_models (slug, name) VALUES ('gm', 'Governance model')").lastrowid
    element = db.execute(
        "INSERT INTO model_elements (model_id, key, position, name, description) "
        "VALUES (?, 'E1', 1, 'Shared decisions', 'Residents and staff decide together.')",
        [model],
    ).lastrowid
    db.conn.commit()
    code = create_workshop(db, CLI, "Validation", purpose="Settle what we learned")
    return db, code, lessons, element


def lesson_status(db, lesson_id):
    return db.execute("SELECT status FROM lessons WHERE id = ?", [lesson_id]).fetchone()[0]


def opened(store, n_participants=0, **join_args):
    db, code, lessons, element = store
    add_statements(
        db, CLI, code, lessons=lessons, elements=[element], texts=["Meetings should be held in the evening."]
    )
    open_workshop(db, CLI, code)
    return [join(db, code, stakeholder_group="public", **join_args) for _ in range(n_participants)]


# --- prepare ----------------------------------------------------------------------------------------------------


def test_statements_are_drawn_from_lessons_elements_and_free_text(store):
    db, code, lessons, element = store
    keys = add_statements(
        db, CLI, code, lessons=lessons[:2], elements=[element], texts=["  Meetings   should be\nshort. "]
    )
    assert keys == ["S01", "S02", "S03", "S04"]
    assert statements(db, code) == [
        {"key": "S01", "text": "Champions open doors", "source": "lesson", "lesson_id": lessons[0], "element_id": None, "moderation": "approved", "position": 1},
        {"key": "S02", "text": "Budgets follow trust", "source": "lesson", "lesson_id": lessons[1], "element_id": None, "moderation": "approved", "position": 2},
        {"key": "S03", "text": "Shared decisions: Residents and staff decide together.", "source": "element", "lesson_id": None, "element_id": element, "moderation": "approved", "position": 3},
        {"key": "S04", "text": "Meetings should be short.", "source": "free", "lesson_id": None, "element_id": None, "moderation": "approved", "position": 4},
    ]  # fmt: skip
    # a lesson already in the workshop is skipped; keys continue
    assert add_statements(db, CLI, code, lessons=lessons) == ["S05"]
    remove_statement(db, CLI, code, "s02")
    assert [s["key"] for s in statements(db, code)] == ["S01", "S03", "S04", "S05"]
    assert add_statements(db, CLI, code, texts=["One more statement here."]) == ["S06"]
    actions = db.execute("SELECT action, detail FROM audit_log WHERE action LIKE 'workshop.%' ORDER BY id").fetchall()
    assert [a for a, _ in actions] == ["workshop.create"] + ["workshop.statements"] * 4
    assert json.loads(actions[3][1]) == {"removed": ["S02"]}


def test_bad_statements_are_refused(store):
    db, code, lessons, _ = store
    with pytest.raises(WorkshopError, match="at least"):
        add_statements(db, CLI, code, texts=["Too short"])
    with pytest.raises(WorkshopError, match="at most"):
        add_statements(db, CLI, code, texts=["x" * (MAX_STATEMENT_CHARS + 1)])
    with pytest.raises(WorkshopError, match="no lesson"):
        add_statements(db, CLI, code, lessons=[999])
    with pytest.raises(WorkshopError, match="no workshop"):
        add_statements(db, CLI, "ZZZZZZ", lessons=lessons)
    assert statements(db, code) == []


def test_workshop_by_code_ignores_case_spaces_and_dashes(store):
    db, code, *_ = store
    spaced = f"{code[:3].lower()} - {code[3:].lower()}"
    assert workshop_by_code(db, spaced)["code"] == code
    assert workshop_by_code(db, spaced)["title"] == "Validation"
    assert workshop_by_code(db, "") is None
    open_workshop(db, CLI, spaced)
    assert workshop_by_code(db, code)["status"] == "open"


def test_statements_of_an_open_workshop_cannot_be_removed_and_closed_workshops_do_not_change(store):
    db, code, lessons, _ = store
    (token,) = opened(store, 1)
    assert add_statements(db, CLI, code, texts=["Added while the workshop is open."]) == ["S06"]
    cast_vote(db, token, "S01", "agree")
    with pytest.raises(WorkshopError, match="only before it opens"):
        remove_statement(db, CLI, code, "S01")
    with pytest.raises(WorkshopError, match="only before it opens"):
        remove_statement(db, CLI, code, "S06")  # no votes yet, but participants may have seen it
    close_workshop(db, CLI, code)
    with pytest.raises(WorkshopError, match="closed"):
        add_statements(db, CLI, code, texts=["Too late for this one."])
    with pytest.raises(WorkshopError, match="closed"):
        remove_statement(db, CLI, code, "S02")


# --- join -------------------------------------------------------------------------------------------------------


def test_join_gives_a_long_random_token_and_records_the_declared_groups(store):
    db, code, *_ = store
    opened(store)
    token = join(db, code.lower(), stakeholder_group="civil_society", pilot="alpha", country="fi")
    other = join(db, code, stakeholder_group="public")
    assert len(token) >= 32 and token != other
    assert db.execute(
        "SELECT stakeholder_group, p.slug, participants.country FROM participants "
        "LEFT JOIN pilots p ON p.id = participants.pilot_id ORDER BY participants.id"
    ).fetchall() == [("civil_society", "alpha", "FI"), ("public", None, None)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"stakeholder_group": "aliens"}, "stakeholder group"),
        ({"stakeholder_group": ""}, "stakeholder group"),
        ({"stakeholder_group": "public", "pilot": "nowhere"}, "no pilot"),
        ({"stakeholder_group": "public", "country": "XX"}, "ISO 3166"),
        ({"stakeholder_group": "public", "country": "Finland"}, "ISO 3166"),
    ],
)
def test_join_validates_what_participants_declare(store, args, message):
    db, code, *_ = store
    opened(store)
    with pytest.raises(WorkshopError, match=message):
        join(db, code, **args)
    assert db["participants"].count == 0


def test_only_open_workshops_take_participants(store):
    db, code, *_ = store
    with pytest.raises(WorkshopError, match="draft"):
        join(db, code, stakeholder_group="public")
    with pytest.raises(WorkshopError, match="no workshop"):
        join(db, "NOSUCH", stakeholder_group="public")
    open_workshop(db, CLI, code)
    close_workshop(db, CLI, code)
    with pytest.raises(WorkshopError, match="closed"):
        join(db, code, stakeholder_group="public")


# --- vote -------------------------------------------------------------------------------------------------------


def test_a_vote_is_replaced_not_added(store):
    db, code, *_ = store
    (token,) = opened(store, 1)
    cast_vote(db, token, "S01", "agree", importance=5)
    cast_vote(db, token, "s02", -1)
    cast_vote(db, token, "S03", "Pass")
    assert my_votes(db, token) == {
        "S01": {"value": 1, "importance": 5},
        "S02": {"value": -1, "importance": None},
        "S03": {"value": 0, "importance": None},
    }
    cast_vote(db, token, "S01", "disagree")
    assert my_votes(db, token)["S01"] == {"value": -1, "importance": None}
    assert db["votes"].count == 3


def test_the_store_enforces_one_vote_per_participant_statement_and_round(store):
    db, code, *_ = store
    (token,) = opened(store, 1)
    cast_vote(db, token, "S01", "agree")
    participant, statement = db.execute("SELECT participant_id, statement_id FROM votes").fetchone()
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO votes (participant_id, statement_id, round, value) VALUES (?, ?, 1, -1)",
            [participant, statement],
        )
    db.conn.rollback()
    assert db.execute("SELECT value FROM votes").fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("value", "importance", "message"),
    [("maybe", None, "agree, disagree or pass"), (2, None, "agree, disagree or pass"), (True, None, "agree"),
     ("agree", 0, "1 to 5"), ("agree", 6, "1 to 5"), ("agree", 2.5, "1 to 5")],
)  # fmt: skip
def test_bad_votes_are_refused(store, value, importance, message):
    db, code, *_ = store
    (token,) = opened(store, 1)
    with pytest.raises(WorkshopError, match=message):
        cast_vote(db, token, "S01", value, importance)
    assert db["votes"].count == 0


def test_votes_are_refused_when_not_open_or_not_a_statement(store):
    db, code, *_ = store
    (token,) = opened(store, 1)
    with pytest.raises(WorkshopError, match="not known"):
        cast_vote(db, "not-a-token", "S01", "agree")
    with pytest.raises(WorkshopError, match="no statement S99"):
        cast_vote(db, token, "S99", "agree")
    close_workshop(db, CLI, code)
    with pytest.raises(WorkshopError, match="closed"):
        cast_vote(db, token, "S01", "agree")
    other = create_workshop(db, CLI, "Still a draft")
    add_statements(db, CLI, other, texts=["A statement in a draft."])
    db.execute(
        "INSERT INTO participants (workshop_id, token, stakeholder_group) VALUES (?, 'draft-token', 'public')",
        [workshop_by_code(db, other)["id"]],
    )
    db.conn.commit()
    with pytest.raises(WorkshopError, match="draft"):
        cast_vote(db, "draft-token", "S01", "agree")
    assert db["votes"].count == 0


def test_participants_see_unanswered_statements_in_a_random_order_stable_for_each(store):
    db, code, *_ = store
    tokens = opened(store, 8)
    first = next_statements(db, tokens[0])
    assert (first["answered"], first["total"], first["round"]) == (0, 5, 1)
    order = [s["key"] for s in first["statements"]]
    assert sorted(order) == ["S01", "S02", "S03", "S04", "S05"]
    assert [s["key"] for s in next_statements(db, tokens[0])["statements"]] == order  # a rerun: the same order
    orders = {tuple(s["key"] for s in next_statements(db, t)["statements"]) for t in tokens}
    assert len(orders) > 1  # random between participants
    cast_vote(db, tokens[0], order[1], "agree")
    after = next_statements(db, tokens[0])
    assert [s["key"] for s in after["statements"]] == [k for k in order if k != order[1]]
    assert (after["answered"], after["total"]) == (1, 5)
    assert after["statements"][0]["text"]


# --- submissions and moderation ---------------------------------------------------------------------------------


def test_participants_submit_into_moderation_and_vote_once_approved(store):
    db, code, *_ = store
    (token,) = opened(store, 1)
    with pytest.raises(WorkshopError, match="does not take"):
        submit_statement(db, token, "We need childcare at the meetings.")
    set_allow_submissions(db, CLI, code, True)
    markup = "<script>alert('x')</script> is what we need"
    assert submit_statement(db, token, "We need childcare at the meetings.", now=T0) == "S06"
    assert submit_statement(db, token, markup, now=T0 + timedelta(seconds=30)) == "S07"
    with pytest.raises(WorkshopError, match="already"):
        submit_statement(db, token, "we need childcare at the meetings.", now=T0 + timedelta(seconds=60))
    with pytest.raises(WorkshopError, match="at least"):
        submit_statement(db, token, "short")
    assert [s["key"] for s in statements(db, code)] == ["S01", "S02", "S03", "S04", "S05"]
    pending = statements(db, code, include_pending=True)[5:]
    assert [(s["key"], s["text"], s["source"], s["moderation"]) for s in pending] == [
        ("S06", "We need childcare at the meetings.", "participant", "pending"),
        ("S07", markup, "participant", "pending"),  # stored as text, as typed
    ]
    with pytest.raises(WorkshopError, match="no statement S06"):
        cast_vote(db, token, "S06", "agree")
    moderate(db, CLI, code, "S06", True)
    moderate(db, CLI, code, "S07", False)
    with pytest.raises(WorkshopError, match="only participants"):
        moderate(db, CLI, code, "S01", False)
    cast_vote(db, token, "S06", "agree")
    assert [s["key"] for s in statements(db, code, include_pending=True)] == ["S01", "S02", "S03", "S04", "S05", "S06"]
    assert next_statements(db, token)["total"] == 6
    assert db.execute("SELECT detail FROM audit_log WHERE action = 'workshop.moderate' ORDER BY id").fetchall() == [
        ('{"after": "approved", "before": "pending", "statement": "S06"}',),
        ('{"after": "rejected", "before": "pending", "statement": "S07"}',),
    ]


def test_one_participant_cannot_fill_the_moderation_queue_for_everyone(store):
    """#13: a participant has a share of the queue (a pace, a number waiting, a number in all); others still suggest."""
    db, code, *_ = store
    flooder, other = opened(store, 2)
    set_allow_submissions(db, CLI, code, True)
    moment, accepted, refusals = T0, [], []
    for n in range(100):  # as fast as a script can: one every second
        try:
            accepted.append(submit_statement(db, flooder, f"Flood statement number {n}.", now=moment))
        except WorkshopError as refusal:
            refusals.append(str(refusal))
        moment += timedelta(seconds=1)
    assert len(accepted) == 4  # one per 30 seconds over 100 seconds
    assert refusals[0] == "Please wait 29 seconds before suggesting another statement."
    moment += timedelta(minutes=5)
    accepted.append(submit_statement(db, flooder, "Flood statement number 100.", now=moment))
    moment += timedelta(minutes=5)
    with pytest.raises(WorkshopError, match="^5 of your statements are waiting for the facilitator"):
        submit_statement(db, flooder, "Flood statement number 101.", now=moment)
    # the queue is still open for everyone else
    assert submit_statement(db, other, "Evening meetings suit parents better.", now=moment).startswith("S")
    for key in accepted:  # moderated: the flooder may suggest again, up to ten in all
        moderate(db, CLI, code, key, False)
    for n in range(5):
        moment += timedelta(seconds=31)
        submit_statement(db, flooder, f"Second wave statement {n}.", now=moment)
    moment += timedelta(seconds=31)
    for key in [s["key"] for s in statements(db, code, include_pending=True) if s["text"].startswith("Second")]:
        moderate(db, CLI, code, key, True)
    with pytest.raises(WorkshopError, match="You have suggested 10 statements, as many as one participant may"):
        submit_statement(db, flooder, "Third wave statement one.", now=moment)
    assert submit_statement(db, other, "Childcare helps parents attend.", now=moment).startswith("S")
    # the audit log counts suggestions by a hash of the token, never the token itself
    logged = db.execute("SELECT object_id, detail FROM audit_log WHERE action = 'workshop.suggest'").fetchall()
    assert len(logged) == 12 and not any(flooder in (o + d) or other in (o + d) for o, d in logged)


def test_the_overall_queue_cap_needs_many_participants(store, monkeypatch):
    from lessons.workshops import voting as workshops

    db, code, *_ = store
    monkeypatch.setattr(workshops, "MAX_PENDING", 6)
    tokens = opened(store, 3)
    set_allow_submissions(db, CLI, code, True)
    for n in range(6):
        submit_statement(db, tokens[n % 2], f"Queue filler statement {n}.", now=T0 + timedelta(minutes=n))
    with pytest.raises(WorkshopError, match="moderation queue is full"):
        submit_statement(db, tokens[2], "One statement too many.", now=T0 + timedelta(minutes=9))


# --- rounds -----------------------------------------------------------------------------------------------------


def test_a_new_round_keeps_earlier_votes_and_asks_everything_again(store):
    db, code, *_ = store
    (token,) = opened(store, 1)
    cast_vote(db, token, "S01", "disagree")
    with pytest.raises(WorkshopError, match="draft"):
        start_round(db, CLI, create_workshop(db, CLI, "Draft"))
    assert start_round(db, CLI, code) == 2
    assert my_votes(db, token) == {}
    assert next_statements(db, token)["answered"] == 0
    cast_vote(db, token, "S01", "agree")
    assert my_votes(db, token) == {"S01": {"value": 1, "importance": None}}
    assert my_votes(db, token, round=1) == {"S01": {"value": -1, "importance": None}}
    assert db.execute("SELECT round, value FROM votes ORDER BY round").fetchall() == [(1, -1), (2, 1)]


# --- results written back ---------------------------------------------------------------------------------------


def vote_all(db, tokens, key, values):
    for token, value in zip(tokens, values):
        cast_vote(db, token, key, value)


def test_results_set_lesson_status_with_the_workshop_as_evidence(store):
    db, code, lessons, _ = store
    tokens = opened(store, 10)
    vote_all(db, tokens, "S01", ["agree"] * 10)  # everybody agrees → validated
    vote_all(db, tokens, "S02", ["agree"] * 5 + ["disagree"] * 5)  # split → contested
    vote_all(db, tokens, "S03", ["agree"] * 4 + ["pass"] * 6)  # 4 took a side < 5 → unchanged
    with pytest.raises(WorkshopError, match="Close the workshop"):
        apply_results(db, CLI, code)
    close_workshop(db, CLI, code)
    results = apply_results(db, CLI, code)
    assert [(r["key"], r["agree"], r["disagree"], r["pass"], r["outcome"], r["status_after"]) for r in results] == [
        ("S01", 10, 0, 0, "agreed", "validated"),
        ("S02", 5, 5, 0, "divided", "contested"),
        ("S03", 4, 0, 6, "too few", "submitted"),
    ]
    assert [lesson_status(db, i) for i in lessons] == ["validated", "contested", "submitted"]
    assert db.execute("SELECT evidence_source FROM lessons").fetchall() == [(None,)] * 3
    evidence = db.execute(
        "SELECT object_id, rows, detail FROM audit_log WHERE action = 'lesson.workshop_result' ORDER BY id"
    ).fetchall()
    assert [(o, r) for o, r, _ in evidence] == [("alpha:L1", 1), ("alpha:L2", 1)]
    first = json.loads(evidence[0][2])
    assert {k: first[k] for k in ("workshop", "statement", "round", "agree", "disagree", "pass", "n", "outcome")} == {
        "workshop": code, "statement": "S01", "round": 1, "agree": 10, "disagree": 0, "pass": 0, "n": 10,
        "outcome": "agreed",
    }  # fmt: skip
    assert first["status"] == {"before": "submitted", "after": "validated"}
    # again: nothing more changes
    assert [r["status_after"] for r in apply_results(db, CLI, code)] == ["validated", "contested", "submitted"]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'workshop.apply'").fetchone() == (2,)


def test_results_use_the_last_round_and_respect_stronger_statuses(store):
    db, code, lessons, _ = store
    tokens = opened(store, 6)
    db.execute("UPDATE lessons SET status = 'endorsed' WHERE id = ?", [lessons[2]])
    db.conn.commit()
    vote_all(db, tokens, "S01", ["disagree"] * 6)
    start_round(db, CLI, code)
    vote_all(db, tokens, "S01", ["agree"] * 5 + ["disagree"])  # opinion converged in round 2: 5/6 ≥ 0.7
    vote_all(db, tokens, "S02", ["disagree"] * 6)
    vote_all(db, tokens, "S03", ["agree"] * 6)
    close_workshop(db, CLI, code)
    results = apply_results(db, CLI, code)
    assert [(r["outcome"], r["status_after"]) for r in results] == [
        ("agreed", "validated"),
        ("disagreed", "contested"),
        ("agreed", "endorsed"),  # already beyond validated
    ]
    with pytest.raises(WorkshopError, match="thresholds"):
        apply_results(db, CLI, code, agree_threshold=0.3, disagree_threshold=0.5)


# --- permissions ------------------------------------------------------------------------------------------------


def test_only_facilitators_and_admins_run_workshops_and_apply_results(store):
    db, code, lessons, _ = store
    tokens = opened(store, 5)
    vote_all(db, tokens, "S01", ["agree"] * 5)
    close_workshop(db, CLI, code)
    add_user(db, CLI, "cora", "a long enough secret", role="coordinator", pilots=["alpha"])
    add_user(db, CLI, "fay", "a long enough secret", role="facilitator")
    add_user(db, CLI, "vic", "a long enough secret", role="viewer")
    ids = dict(db.execute("SELECT username, id FROM users").fetchall())
    for who in ("cora", "vic", None):
        actor = actor_for(db, ids[who]) if who else None
        for call in (
            lambda a: apply_results(db, a, code),
            lambda a: add_statements(db, a, code, texts=["Not allowed to add this."]),
            lambda a: start_round(db, a, code),
            lambda a: set_allow_submissions(db, a, code, True),
            lambda a: moderate(db, a, code, "S01", True),
            lambda a: remove_statement(db, a, code, "S05"),
            lambda a: edit_statement(db, a, code, "S05", "Not allowed to edit this."),
            lambda a: move_statement(db, a, code, "S05", -1),
        ):
            with pytest.raises(PermissionDenied):
                call(actor)
    assert lesson_status(db, lessons[0]) == "submitted"
    apply_results(db, actor_for(db, ids["fay"]), code)
    assert lesson_status(db, lessons[0]) == "validated"


# --- a draft's statements: edit, remove, reorder ------------------------------------------------------------------


def order(db, code):
    return [(s["key"], s["position"]) for s in statements(db, code, include_pending=True)]


def workshop_audit(db):
    rows = db.execute("SELECT detail FROM audit_log WHERE action = 'workshop.statements' ORDER BY id").fetchall()
    return [json.loads(d) for (d,) in rows]


def test_a_draft_s_statements_are_edited_removed_and_reordered_and_each_change_is_audited(store):
    db, code, lessons, _ = store
    add_statements(db, CLI, code, lessons=lessons[:1], texts=["The second statement.", "The third statement."])
    assert move_statement(db, CLI, code, "s03", -2) == ["S03", "S01", "S02"]
    assert order(db, code) == [("S03", 1), ("S01", 2), ("S02", 3)]
    assert move_statement(db, CLI, code, "S03", -1) == ["S03", "S01", "S02"]  # already first: nothing moves
    assert move_statement(db, CLI, code, "S01", 5) == ["S03", "S02", "S01"]  # past the end stops there
    edit_statement(db, CLI, code, "S01", "  Champions   open doors\nto budgets. ")
    assert statements(db, code)[2] == {
        "key": "S01", "text": "Champions open doors to budgets.", "source": "lesson", "lesson_id": lessons[0],
        "element_id": None, "moderation": "approved", "position": 3,
    }  # fmt: skip
    remove_statement(db, CLI, code, "S02")
    assert order(db, code) == [("S03", 1), ("S01", 3)]
    assert add_statements(db, CLI, code, texts=["A fourth statement."]) == ["S04"]
    assert [k for k, _ in order(db, code)] == ["S03", "S01", "S04"]
    assert workshop_audit(db)[1:5] == [
        {"moved": "S03", "before": ["S01", "S02", "S03"], "after": ["S03", "S01", "S02"]},
        {"moved": "S01", "before": ["S03", "S01", "S02"], "after": ["S03", "S02", "S01"]},
        {"edited": "S01", "before": "Champions open doors", "after": "Champions open doors to budgets."},
        {"removed": ["S02"]},
    ]


def test_editing_checks_the_text_like_adding(store):
    db, code, _, _ = store
    add_statements(db, CLI, code, texts=["The first statement."])
    with pytest.raises(WorkshopError, match="at least"):
        edit_statement(db, CLI, code, "S01", "short")
    with pytest.raises(WorkshopError, match="at most"):
        edit_statement(db, CLI, code, "S01", "x" * (MAX_STATEMENT_CHARS + 1))
    with pytest.raises(WorkshopError, match="no statement S09"):
        edit_statement(db, CLI, code, "S09", "A statement that is not there.")
    edit_statement(db, CLI, code, "S01", "The first statement.")  # unchanged: nothing recorded
    assert len(workshop_audit(db)) == 1


@pytest.mark.parametrize("status", ["open", "closed"])
def test_once_opened_statements_are_not_edited_removed_or_reordered(store, status):
    db, code, _, _ = store
    opened(store)
    if status == "closed":
        close_workshop(db, CLI, code)
    before = (order(db, code), statements(db, code), len(workshop_audit(db)))
    for call in (
        lambda: edit_statement(db, CLI, code, "S01", "A change after opening."),
        lambda: remove_statement(db, CLI, code, "S01"),
        lambda: move_statement(db, CLI, code, "S02", -1),
    ):
        with pytest.raises(WorkshopError, match=f"The workshop is {status}; statements can be .* only before it opens"):
            call()
    assert (order(db, code), statements(db, code), len(workshop_audit(db))) == before


def test_the_apply_preview_counts_what_applying_does_and_writes_nothing(store):
    db, code, lessons, _ = store
    tokens = opened(store, 6)
    vote_all(db, tokens, "S01", ["agree"] * 6)
    vote_all(db, tokens, "S02", ["disagree"] * 5 + ["agree"])
    vote_all(db, tokens, "S03", ["agree"] * 3 + ["pass"] * 3)  # 3 took a side: too few
    close_workshop(db, CLI, code)
    preview = preview_results(db, code)
    assert preview == {"lessons": 3, "validated": 1, "contested": 1, "unchanged": 0, "too_few": 1}
    assert [lesson_status(db, i) for i in lessons] == ["submitted"] * 3
    applied = apply_results(db, CLI, code)
    assert sum(r["status_after"] == "validated" != r["status_before"] for r in applied) == preview["validated"]
    assert sum(r["status_after"] == "contested" != r["status_before"] for r in applied) == preview["contested"]
    assert preview_results(db, code) == {"lessons": 3, "validated": 0, "contested": 0, "unchanged": 2, "too_few": 1}


# --- nothing lost under load ------------------------------------------------------------------------------------

WRITERS, VOTES_EACH = 100, 50


def test_a_hundred_concurrent_writers_lose_no_vote(tmp_path):
    path = tmp_path / "load.db"
    with closing(open_store(path)) as db:
        code = create_workshop(db, CLI, "Under load")
        add_statements(db, CLI, code, texts=[f"Statement number {i} of the load test." for i in range(VOTES_EACH)])
        open_workshop(db, CLI, code)
        tokens = [join(db, code, stakeholder_group="public") for _ in range(WRITERS)]
    errors: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer(token: str) -> None:
        with closing(connect(path)) as mine:  # one connection per thread: SQLite connections stay in their thread
            start.wait()
            for i in range(VOTES_EACH):
                try:
                    cast_vote(mine, token, f"S{i + 1:02d}", (1, -1, 0)[i % 3], importance=1 + i % 5)
                except Exception as error:  # noqa: BLE001 - every error counts as a lost vote
                    errors.append(repr(error))

    began = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    assert errors == []
    with closing(connect(path, readonly=True)) as db:
        assert db.execute(
            "SELECT count(*), count(DISTINCT participant_id || ':' || statement_id) FROM votes"
        ).fetchone() == (
            WRITERS * VOTES_EACH,
            WRITERS * VOTES_EACH,
        )
        assert db.execute("SELECT count(DISTINCT participant_id), min(n), max(n) FROM (SELECT participant_id, count(*) n FROM votes GROUP BY participant_id)").fetchone() == (WRITERS, VOTES_EACH, VOTES_EACH)  # fmt: skip
        assert db.execute("SELECT value, count(*) FROM votes GROUP BY value ORDER BY value").fetchall() == [
            (-1, WRITERS * 17), (0, WRITERS * 16), (1, WRITERS * 17),
        ]  # fmt: skip
    assert elapsed < 20


def test_the_vote_benchmark_reports_both_rows():
    from lessons.bench import vote_benchmarks

    rows = vote_benchmarks(writers=10, votes=5, pause_ms=1)
    assert [(r["operation"], r["n"]) for r in rows] == [
        ("workshop: vote write with 10 concurrent writers", 50),
        ("workshop: vote write with 10 concurrent writers, no pause (saturated)", 50),
    ]
    assert all(r["p95_ms"] >= r["median_ms"] >= 0 for r in rows)

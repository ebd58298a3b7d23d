"""Workshop statements in several languages (#21): a facilitator adds a translation per language, participants see
their language (the original where there is none), and results count the same statement across languages."""

from __future__ import annotations

import pytest

from lessons.accounts import actor_for, add_user
from lessons.i18n import using
from lessons.permissions import PermissionDenied, cli_actor
from lessons.report.workshop import workshop_report
from lessons.store import open_store
from lessons.workshops import (
    WorkshopError,
    add_statements,
    cast_vote,
    close_workshop,
    create_workshop,
    join,
    next_statements,
    open_workshop,
    statements,
    translate_statement,
    voting,
)
from lessons.workshops.analysis import results
from lessons.workshops.public_report import public_report

CLI = cli_actor()
ORIGINAL = "Meetings should be held in the evening."
FINNISH = "Kokoukset pitää pitää iltaisin."


@pytest.fixture
def workshop(db):
    code = create_workshop(db, CLI, "Evening")
    add_statements(db, CLI, code, texts=[ORIGINAL, "Budgets should follow the pilots."])
    return db, code


def test_a_translation_is_set_changed_removed_and_audited(workshop):
    db, code = workshop
    translate_statement(db, CLI, code, "s01", "fi", f"  {FINNISH}  ")
    assert statements(db, code, translations=True)[0]["translations"] == {"fi": FINNISH}
    translate_statement(db, CLI, code, "S01", "fi", "Kokoukset pidetään iltaisin, kun ihmiset ehtivät.")
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)  # unchanged: nothing written, nothing audited
    row = db.execute("SELECT text, translated_by FROM statement_translations").fetchone()
    assert row == (FINNISH, CLI.label)
    translate_statement(db, CLI, code, "S01", "fi", "  ")
    assert statements(db, code, translations=True)[0]["translations"] == {}
    audited = db.execute(
        "SELECT detail FROM audit_log WHERE action = 'workshop.statements' AND detail LIKE '%translated%'"
    ).fetchall()
    assert len(audited) == 4


def test_participants_see_their_language_or_the_original(workshop):
    db, code = workshop
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)
    open_workshop(db, CLI, code)
    token = join(db, code, stakeholder_group="public")
    finnish = {s["key"]: s for s in next_statements(db, token, "fi")["statements"]}
    assert finnish["S01"] == {"key": "S01", "text": FINNISH, "translated": True}
    assert finnish["S02"] == {"key": "S02", "text": "Budgets should follow the pilots.", "translated": False}
    italian = {s["key"]: s["text"] for s in next_statements(db, token, "it")["statements"]}
    assert italian["S01"] == ORIGINAL
    assert {s["key"]: s["text"] for s in next_statements(db, token)["statements"]}["S01"] == ORIGINAL
    shown = statements(db, code, language="fi")[0]
    assert (shown["text"], shown["original"], shown["translated"]) == (FINNISH, ORIGINAL, True)


def test_results_count_one_statement_across_languages(workshop):
    db, code = workshop
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)
    translate_statement(db, CLI, code, "S01", "el", "Οι συναντήσεις να γίνονται το βράδυ.")
    open_workshop(db, CLI, code)
    for language in ("fi", "el", "en", "fi", "es"):
        token = join(db, code, stakeholder_group="public")
        assert next_statements(db, token, language)["total"] == 2
        cast_vote(db, token, "S01", "agree")
    close_workshop(db, CLI, code)
    table = results(db, code, store=False)["statements"].set_index("key")
    assert int(table.loc["S01", "n"]) == 5 and int(table.loc["S01", "agree"]) == 5
    assert table.loc["S01", "text"] == ORIGINAL


def test_translations_are_refused_when_they_should_be(workshop):
    db, code = workshop
    with pytest.raises(WorkshopError, match="languages"):
        translate_statement(db, CLI, code, "S01", "xx", FINNISH)
    with pytest.raises(WorkshopError, match="no statement S09"):
        translate_statement(db, CLI, code, "S09", "fi", FINNISH)
    with pytest.raises(WorkshopError, match="at least"):
        translate_statement(db, CLI, code, "S01", "fi", "Lyhyt")
    open_workshop(db, CLI, code)
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)  # allowed while open: participants see it next
    close_workshop(db, CLI, code)
    with pytest.raises(WorkshopError, match="closed"):
        translate_statement(db, CLI, code, "S01", "fi", "Kokoukset iltaisin, kiitos.")


def test_only_those_who_run_workshops_translate(workshop):
    db, code = workshop
    add_user(db, CLI, "fay", "a long enough secret", role="facilitator")
    add_user(db, CLI, "vic", "a long enough secret", role="viewer")
    ids = dict(db.execute("SELECT username, id FROM users").fetchall())
    translate_statement(db, actor_for(db, ids["fay"]), code, "S01", "fi", FINNISH)
    for actor in (actor_for(db, ids["vic"]), None):
        with pytest.raises(PermissionDenied):
            translate_statement(db, actor, code, "S01", "fi", "Kokoukset iltaisin, kiitos.")
    assert db.execute("SELECT text, translated_by FROM statement_translations").fetchall() == [(FINNISH, "fay")]


def test_a_refusal_is_worded_in_the_readers_language(workshop):
    db, code = workshop
    with using("fi"), pytest.raises(WorkshopError) as refused:
        translate_statement(db, CLI, code, "S09", "fi", FINNISH)
    assert "S09" in str(refused.value) and "statement" not in str(refused.value)


def test_the_report_words_a_statement_in_the_readers_language_and_keeps_its_figures(workshop):
    db, code = workshop
    translate_statement(db, CLI, code, "S01", "fi", FINNISH)
    open_workshop(db, CLI, code)
    for n in range(6):
        token = join(db, code, stakeholder_group="public")
        cast_vote(db, token, "S01", "agree" if n % 3 else "disagree")
    close_workshop(db, CLI, code)
    english = public_report(db, code)["statements"].set_index("key")
    finnish = public_report(db, code, language="fi")["statements"].set_index("key")
    assert english.loc["S01", "text"] == ORIGINAL and finnish.loc["S01", "text"] == FINNISH
    assert finnish.loc["S02", "text"] == "Budgets should follow the pilots."  # no translation: the original
    columns = ["n", "agree", "disagree", "pass"]
    assert finnish[columns].equals(english[columns]) and int(finnish.loc["S01", "n"]) == 6
    with using("fi"):
        report = workshop_report(db, code)
    assert FINNISH in str([b.frame for s in report.sections for b in s.blocks if b.frame is not None])


def test_a_vote_stored_by_another_voters_thread_is_refused_in_its_own_voters_language(tmp_path):
    """Group commit: whoever holds the write lock stores the queued votes; a refusal still speaks its voter's
    language, not the language of the voter who happened to store it."""
    with open_store(tmp_path / "votes.db") as db:
        code = create_workshop(db, CLI, "Evening")
        add_statements(db, CLI, code, texts=[ORIGINAL])
        open_workshop(db, CLI, code)
        token = join(db, code, stakeholder_group="public")
        with using("fi"):
            finnish = voting._PendingVote(token, "S09", 1, None)
        english = voting._PendingVote(token, "S01", 1, None)
        voting._commit_batch(db, [english, finnish])  # stored by the English voter's thread
    assert english.error is None
    assert "S09" in str(finnish.error) and "There is no statement" not in str(finnish.error)

"""``python -m lessons model …`` and ``workshop create`` (issue #14): exit codes and the --json shape."""

from __future__ import annotations

import io
import json

import pytest

from lessons.accounts import actor_for, add_user
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.permissions import PermissionDenied, cli_actor
from lessons.store import connect, open_store


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "lessons.db"
    with open_store(path) as db:
        pilot = db["pilots"].insert({"slug": "alpha", "name": "Alpha", "country": "FI"}).last_pk
        db["pilots"].insert({"slug": "beta", "name": "Beta", "country": "PT"})
        for i in (1, 2):
            db["lessons"].insert(
                {"id": i, "pilot_id": pilot + i - 1, "key": f"L{i}", "title": f"Lesson {i}", "lesson": "x",
                 "kind": "insight"}
            )  # fmt: skip
        add_user(db, cli_actor(), "cora", "a long enough secret", role="coordinator", pilots=["alpha"])
        add_user(db, cli_actor(), "vic", "a long enough secret", role="viewer")
    return str(path)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_model_add_element_link_show(path, capsys):
    assert run(capsys, "model", "list", "--db", path)[1].startswith("No governance model yet.")
    assert run(capsys, "model", "add", "pc", "--name", "Participatory", "--description", "Say", "--db", path)[0] == 0
    for title, kind in (("Shared decisions", "principle"), ("Local champions", "step")):
        assert run(capsys, "model", "element", "pc", "--add", title, "--kind", kind, "--db", path)[0] == EXIT_OK
    code, out, _ = run(capsys, "model", "link", "pc", "2", "1", "--stance", "supports", "--note", "yes", "--db", path)
    assert code == EXIT_OK and out.startswith("Linked lesson 1")
    code, out, _ = run(capsys, "model", "show", "pc", "--json", "--db", path)
    shown = json.loads(out)
    assert (shown["slug"], shown["version"], shown["results"]) == (
        "pc", 1, {"elements": 2, "validated": 0, "contested": 0, "untested": 2},
    )  # fmt: skip
    assert [(e["number"], e["name"], e["kind"], e["outcome"], e["n"], e["agree_share"], e["interval"])
            for e in shown["elements"]] == [
        (1, "Shared decisions", "principle", "untested", 0, None, None),
        (2, "Local champions", "step", "untested", 0, None, None),
    ]  # fmt: skip
    assert shown["elements"][1]["lessons"] == [
        {"id": 1, "title": "Lesson 1", "pilot": "alpha", "stance": "supports", "note": "yes"}
    ]
    listed = json.loads(run(capsys, "model", "list", "--json", "--db", path)[1])
    assert [(m["slug"], m["version"], m["elements"], m["supports"], m["untested"]) for m in listed] == [
        ("pc", 1, 2, 1, 2)
    ]


def test_coordinators_propose_and_others_are_refused_with_exit_2(path, capsys):
    run(capsys, "model", "add", "pc", "--name", "Participatory", "--db", path)
    run(capsys, "model", "element", "pc", "--add", "Shared decisions", "--db", path)
    code, out, _ = run(capsys, "model", "link", "pc", "1", "1", "--stance", "challenges", "--as", "cora", "--db", path)
    assert code == EXIT_OK and out.startswith("Proposed")
    refusals = [
        ("model", "link", "pc", "1", "2", "--stance", "supports", "--as", "cora"),  # beta is not cora's
        ("model", "add", "x", "--name", "X", "--as", "vic"),
        ("model", "element", "pc", "--add", "Y", "--as", "cora"),
        ("model", "element", "nope", "--add", "Y"),
        ("model", "link", "pc", "7", "1", "--stance", "supports"),
        ("model", "add", "Bad Slug", "--name", "X"),
        ("model", "show", "nope", "--json"),
        ("workshop", "create", "--title", "W", "--element", "pc"),
    ]
    for argv in refusals:
        code, out, err = run(capsys, *argv, "--db", path)
        assert code == EXIT_INVALID, argv
        assert out == "" and err.count("\n") == 1, (argv, err)
    with connect(path) as db:
        assert db.execute("SELECT status, proposed_by FROM lesson_elements").fetchall() == [("proposed", "cora")]
        assert db.execute("SELECT count(*) FROM governance_models").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM workshops").fetchone()[0] == 0


def test_workshop_create_with_lessons_elements_and_text(path, capsys):
    run(capsys, "model", "add", "pc", "--name", "Participatory", "--db", path)
    run(capsys, "model", "element", "pc", "--add", "Shared decisions", "--description", "Decide together", "--db", path)
    code, out, _ = run(
        capsys, "workshop", "create", "--title", "Validation", "--lesson", "1", "--element", "pc:1",
        "--text", "Residents co-design services.", "--db", path,
    )  # fmt: skip
    assert code == EXIT_OK and "with 3 statements" in out
    with connect(path) as db:
        assert db.execute("SELECT source, text FROM statements ORDER BY position").fetchall() == [
            ("lesson", "Lesson 1"),
            ("element", "Shared decisions: Decide together"),
            ("free", "Residents co-design services."),
        ]


def test_user_add_role_editor_who_then_authors_but_manages_no_accounts(path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("an editor's long secret\n"))
    assert run(capsys, "user", "add", "eddie", "--role", "editor", "--db", path)[0] == EXIT_OK
    with connect(path) as db:
        assert db.execute("SELECT role FROM users WHERE username = 'eddie'").fetchone() == ("editor",)
    assert run(capsys, "model", "add", "pc", "--name", "P", "--as", "eddie", "--db", path)[0] == EXIT_OK
    with connect(path) as db:
        actor = actor_for(db, db.execute("SELECT id FROM users WHERE username = 'eddie'").fetchone()[0])
        with pytest.raises(PermissionDenied, match="A model editor may not manage accounts."):
            add_user(db, actor, "newbie", "another long secret", role="viewer")

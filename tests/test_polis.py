"""Pol.is import and export: real conversations reproduce their published counts, exports round-trip, bad files
are refused with nothing written, and the ``workshop`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.ingest.problems import IngestError
from lessons.permissions import PermissionDenied, cli_actor
from lessons.store import connect, open_store
from lessons.workshops import WorkshopError
from lessons.workshops import polis_files as polis
from lessons.workshops.polis import export_polis, import_polis, read_polis

FIXTURE = Path(__file__).parent / "fixtures" / "polis" / "london.youth.policing"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "polis"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real Pol.is exports are not at {REALDATA}")

#: PROVENANCE.md: participants who voted, statements (rows of comments.csv), votes (latest per voter and comment).
PROVENANCE = {
    "4cvkai2ctw": (35, 44, 504),
    "2dhnep37ie": (27, 57, 1386),
    "4asymkcrjf": (160, 118, 4785),
    "3ntrtcehas": (267, 63, 5216),
    "15-per-hour-seattle": (339, 54, 2872),
    "london.youth.policing": (26, 39, 638),
}


def counts(db, code: str) -> tuple[int, int, int]:
    wid = db.execute("SELECT id FROM workshops WHERE code = ?", [code]).fetchone()[0]
    one = lambda sql: db.execute(sql, [wid]).fetchone()[0]  # noqa: E731
    return (
        one("SELECT count(*) FROM participants WHERE workshop_id = ?"),
        one("SELECT count(*) FROM statements WHERE workshop_id = ?"),
        one("SELECT count(*) FROM votes JOIN participants p ON p.id = participant_id WHERE p.workshop_id = ?"),
    )


def independent_counts(folder: Path) -> tuple[int, int, int]:
    """The counts recomputed with pandas straight from the CSVs."""
    comments, votes = pd.read_csv(folder / "comments.csv"), pd.read_csv(folder / "votes.csv")
    latest = votes.sort_values("timestamp", kind="stable").drop_duplicates(["voter-id", "comment-id"], keep="last")
    return latest["voter-id"].nunique(), len(comments), len(latest)


def store_rows(db) -> dict[str, int]:
    tables = ("workshops", "statements", "participants", "votes", "audit_log")
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def files_of(folder: Path, *names: str) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in names or ("comments.csv", "votes.csv")}


# --- real conversations ------------------------------------------------------------------------------------------


def test_fixture_conversation(db):
    code = import_polis(db, cli_actor(), FIXTURE, title="London youth policing")
    assert counts(db, code) == PROVENANCE["london.youth.policing"] == independent_counts(FIXTURE)
    workshop = db.execute("SELECT status, title, purpose FROM workshops WHERE code = ?", [code]).fetchone()
    assert workshop[:2] == ("closed", "London youth policing") and "9xxwa9jpkm" in workshop[2]
    moderation = dict(db.execute("SELECT moderation, count(*) FROM statements GROUP BY 1").fetchall())
    assert moderation == {"approved": 36, "rejected": 3}  # summary.csv: 36 comments shown
    tokens = [t for (t,) in db.execute("SELECT token FROM participants")]
    assert all(t.startswith(f"polis:9xxwa9jpkm:{code}:") for t in tokens)
    audit = db.execute("SELECT action, object_id, rows FROM audit_log WHERE action LIKE '%polis'").fetchall()
    assert audit == [("workshop.import_polis", code, 26 + 39 + 638)]


def test_latest_vote_wins(db):
    """votes.csv is not in time order and holds repeat votes: the latest by timestamp is kept."""
    votes = pd.read_csv(FIXTURE / "votes.csv")
    repeats = votes[votes.duplicated(["voter-id", "comment-id"], keep=False)]
    assert len(repeats) == 4
    code = import_polis(db, cli_actor(), FIXTURE, title="t")
    for (voter, comment), group in repeats.groupby(["voter-id", "comment-id"]):
        stored = db.execute(
            "SELECT v.value FROM votes v JOIN participants p ON p.id = v.participant_id "
            "JOIN statements s ON s.id = v.statement_id WHERE p.token = ? AND s.key = ?",
            [f"polis:9xxwa9jpkm:{code}:{voter}", f"P{comment}"],
        ).fetchall()
        assert stored == [(int(group.sort_values("timestamp")["vote"].iloc[-1]),)]


def test_sign_convention_matches_participants_votes(db):
    """1 = agree: the imported votes reproduce participants-votes.csv cell for cell, and its n-agree/n-disagree."""
    code = import_polis(db, cli_actor(), files_of(FIXTURE), title="t")
    stored = pd.DataFrame(
        db.execute(
            "SELECT p.token, s.key, v.value FROM votes v JOIN participants p ON p.id = v.participant_id "
            "JOIN statements s ON s.id = v.statement_id"
        ).fetchall(),
        columns=["token", "key", "value"],
    )
    stored["participant"] = stored["token"].str.rsplit(":", n=1).str[1].astype(int)
    stored["comment"] = stored["key"].str[1:]
    matrix = stored.pivot(index="participant", columns="comment", values="value")
    pv = pd.read_csv(FIXTURE / "participants-votes.csv").set_index("participant")
    columns = [c for c in pv.columns if c.isdigit()]
    expected = pv[columns]
    got = matrix.reindex(index=expected.index, columns=columns)
    assert ((got == expected) | (got.isna() & expected.isna())).all().all()
    assert ((expected == 1).sum(axis=1) == pv["n-agree"]).all()
    assert ((expected == -1).sum(axis=1) == pv["n-disagree"]).all()
    assert code


def test_participants_votes_only(db):
    code = import_polis(db, cli_actor(), files_of(FIXTURE, "participants-votes.csv"), title="t")
    participants, statements, votes = counts(db, code)
    assert (participants, votes) == (26, 638)
    assert statements == 36  # the columns of participants-votes.csv; the texts are not in that file
    text = db.execute("SELECT text FROM statements WHERE key = 'P1'").fetchone()[0]
    assert text == "Pol.is comment 1 (its text is not in the export)"


def test_comments_and_participants_votes_without_votes_csv(db):
    code = import_polis(db, cli_actor(), files_of(FIXTURE, "comments.csv", "participants-votes.csv"), title="t")
    assert counts(db, code) == (26, 39, 638)


@needs_realdata
@pytest.mark.parametrize("name", sorted(PROVENANCE))
def test_real_conversations(db, name):
    folder = REALDATA / name
    code = import_polis(db, cli_actor(), folder, title=name)
    assert counts(db, code) == PROVENANCE[name] == independent_counts(folder)


@needs_realdata
def test_real_moderation_and_strict_conversation(db):
    """4cvkai2ctw used strict moderation: its 6 unmoderated comments stay pending; 3ntrtcehas did not."""
    strict = import_polis(db, cli_actor(), REALDATA / "4cvkai2ctw", title="strict")
    loose = import_polis(db, cli_actor(), REALDATA / "3ntrtcehas", title="loose")
    by = "SELECT moderation, count(*) FROM statements WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?) "
    assert dict(db.execute(by + "GROUP BY 1", [strict]).fetchall()) == {"approved": 36, "pending": 6, "rejected": 2}
    assert dict(db.execute(by + "GROUP BY 1", [loose]).fetchall()) == {"approved": 58, "rejected": 5}


@needs_realdata
def test_fixture_is_the_real_file():
    for path in FIXTURE.iterdir():
        assert path.read_bytes() == (REALDATA / FIXTURE.name / path.name).read_bytes(), path.name


# --- export and round trip ---------------------------------------------------------------------------------------


def test_round_trip(db):
    code = import_polis(db, cli_actor(), FIXTURE, title="London")
    exported = export_polis(db, code)
    assert set(exported) >= {"comments.csv", "votes.csv", "participants-votes.csv"}
    again = import_polis(db, cli_actor(), exported, title="London again")
    assert counts(db, again) == counts(db, code) == (26, 39, 638)
    for name in ("participants-votes.csv",):  # each file alone re-imports to the same votes
        alone = import_polis(db, cli_actor(), {name: exported[name]}, title="alone")
        assert counts(db, alone)[0::2] == (26, 638)
    rows = (
        "SELECT s.key, s.text, s.moderation, p.token, v.value FROM votes v JOIN statements s ON s.id = v.statement_id "
        "JOIN participants p ON p.id = v.participant_id WHERE s.workshop_id = (SELECT id FROM workshops WHERE code = ?)"
    )
    strip = lambda rows: sorted((k, t, m, tok.rsplit(":", 1)[1], v) for k, t, m, tok, v in rows)  # noqa: E731
    assert strip(db.execute(rows, [again]).fetchall()) == strip(db.execute(rows, [code]).fetchall())


def test_export_format_and_our_own_workshop(db):
    """A workshop made here (keys S01…, random tokens, two rounds, formula text) exports in Pol.is's columns."""
    db.execute("INSERT INTO workshops (code, title, status, current_round) VALUES ('ABCDEF', '=Title', 'open', 2)")
    db.execute(
        "INSERT INTO statements (workshop_id, key, text, moderation, position) VALUES "
        "(1, 'S01', '=HYPERLINK(\"http://e.vil\")', 'approved', 1), (1, 'S02', 'Plain', 'pending', 2), "
        "(1, 'S03', '-2 degrees', 'rejected', 3)"
    )
    db.execute(
        "INSERT INTO participants (workshop_id, token) VALUES "
        "(1, 'secret-a'), (1, 'secret-b'), (1, 'c'), (1, 'd'), (1, 'e')"  # five: k = 5 (lessons.privacy)
    )
    db.execute(
        "INSERT INTO votes (participant_id, statement_id, round, value) VALUES "
        "(1, 1, 1, 1), (1, 1, 2, -1), (1, 2, 1, 0), (2, 1, 1, 1), (2, 3, 1, -1)"
    )
    files = export_polis(db, "ABCDEF")
    comments = pd.read_csv(pd.io.common.BytesIO(files["comments.csv"]), keep_default_na=False)
    assert list(comments.columns) == [
        "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "is-meta", "comment-body",
    ]  # fmt: skip
    assert comments[["comment-id", "agrees", "disagrees", "moderated"]].values.tolist() == [
        [0, 1, 1, 1],  # participant 1 changed to disagree in round 2: the latest round counts
        [1, 0, 0, 0],
        [2, 0, 1, -1],
    ]
    assert comments["comment-body"].tolist() == ['\'=HYPERLINK("http://e.vil")', "Plain", "'-2 degrees"]
    votes = pd.read_csv(pd.io.common.BytesIO(files["votes.csv"]))
    assert list(votes.columns) == ["timestamp", "datetime", "comment-id", "voter-id", "vote"] and len(votes) == 4
    pv = pd.read_csv(pd.io.common.BytesIO(files["participants-votes.csv"]))
    assert list(pv.columns) == [
        "participant",
        "group-id",
        "n-comments",
        "n-votes",
        "n-agree",
        "n-disagree",
        "0",
        "1",
        "2",
    ]
    assert pv[["participant", "n-votes", "n-agree", "n-disagree"]].values.tolist() == [[0, 2, 0, 1], [1, 2, 1, 1]]
    assert b"secret" not in b"".join(files.values())  # tokens are never exported
    assert b"'=Title" in files["summary.csv"]
    code = import_polis(db, cli_actor(), files, title="back")
    assert counts(db, code) == (2, 3, 4)
    back = db.execute("SELECT text, moderation FROM statements WHERE workshop_id = 2 ORDER BY position").fetchall()
    assert back == [('=HYPERLINK("http://e.vil")', "approved"), ("Plain", "pending"), ("-2 degrees", "rejected")]


# --- refusals ----------------------------------------------------------------------------------------------------

GOOD_COMMENTS = b"comment-id,moderated,comment-body\n0,1,One\n1,1,Two\n"
GOOD_VOTES = b"timestamp,comment-id,voter-id,vote\n1,0,5,1\n2,1,5,-1\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"votes.csv": b"comment-id,vote\n0,1\n"}, "votes.csv, row 1, column voter-id: the column(s) voter-id are missing"),
        ({"comments.csv": b"comment-id,text\n0,x\n"}, "comments.csv, row 1, column comment-body: the column(s)"),
        ({"votes.csv": GOOD_VOTES + b"3,1,5,agree\n"}, "votes.csv, row 4, column vote: 'agree' is not a whole number"),
        ({"votes.csv": GOOD_VOTES + b"3,1,5,2\n"}, "votes.csv, row 4, column vote: 2 is not allowed here. Use one of -1, 0, 1."),
        ({"votes.csv": GOOD_VOTES + b"3,=1+1,5,1\n"}, "votes.csv, row 4, column comment-id: '=1+1' is not a whole number"),
        ({"votes.csv": GOOD_VOTES + b"x,1,5,1\n"}, "votes.csv, row 4, column timestamp: 'x' is not a whole number"),
        ({"votes.csv": b"comment-id,voter-id,vote\n0,-3,1\n"}, "votes.csv, row 2, column voter-id: -3 is negative"),
        ({"comments.csv": GOOD_COMMENTS + b"1,1,Again\n"}, "comments.csv, row 4, column comment-id: comment 1 appears twice"),
        ({"comments.csv": GOOD_COMMENTS + b"2,1,\n"}, "comments.csv, row 4, column comment-body: is empty"),
        ({"comments.csv": GOOD_COMMENTS + b"2,7,x\n"}, "comments.csv, row 4, column moderated: 7 is not allowed"),
        ({"comments.csv": GOOD_COMMENTS, "votes.csv": GOOD_VOTES + b"3,9,5,1\n"}, "votes on comment(s) 9 that comments.csv does not have"),
        ({"votes.csv": b"\xff\xfecomment-id"}, "votes.csv: is not UTF-8 text"),
        ({"votes.csv": b""}, "votes.csv: is empty"),
        ({"notes.txt": b"hello"}, "holds none of comments.csv, votes.csv, participants-votes.csv"),
        ({"participants-votes.csv": b"participant,n-votes,n-agree,n-disagree,0,1\n1,2,1,1,-1,1\n2,1,0,1,0,x\n"},
         "participants-votes.csv, row 3, column 1: 'x' is not a whole number"),
        ({"participants-votes.csv": b"participant,n-votes,n-agree,n-disagree,0,1\n1,2,2,0,-1,1\n"},
         "participants-votes.csv, row 2, column n-agree: says 2 but the row holds 1"),
    ],
)  # fmt: skip
def test_bad_files_refused_and_nothing_written(db, files, expected):
    before = store_rows(db)
    with pytest.raises(IngestError) as caught:
        import_polis(db, cli_actor(), files, title="bad")
    assert expected in str(caught.value)
    assert all(p.fix or "none of" in p.message for p in caught.value.problems)  # every problem says how to fix it
    assert store_rows(db) == before


def test_inverted_sign_refused(db):
    """An export coded -1 = agree (as Pol.is's raw API is) fits comments.csv's agrees only when flipped: refused."""
    comments = pd.read_csv(FIXTURE / "comments.csv")
    votes = pd.read_csv(FIXTURE / "votes.csv")
    votes["vote"] = -votes["vote"]
    files = {"comments.csv": comments.to_csv(index=False).encode(), "votes.csv": votes.to_csv(index=False).encode()}
    with pytest.raises(IngestError, match="only with the sign inverted"):
        import_polis(db, cli_actor(), files, title="flipped")
    pv = pd.read_csv(FIXTURE / "participants-votes.csv", dtype=str)
    pv[["n-agree", "n-disagree"]] = pv[["n-disagree", "n-agree"]].values
    with pytest.raises(IngestError, match="inverted sign"):
        import_polis(db, cli_actor(), {"participants-votes.csv": pv.to_csv(index=False).encode()}, title="flipped")
    assert store_rows(db)["workshops"] == 0


def test_formula_text_is_kept_as_text_and_neutralised_on_export(db):
    files = {
        "comments.csv": b"comment-id,comment-body\n0,\"=cmd|' /C calc'!A0\"\n",
        "votes.csv": b"comment-id,voter-id,vote\n" + b"".join(b"0,%d,1\n" % i for i in range(5)),
    }
    code = import_polis(db, cli_actor(), files, title="t")
    assert db.execute("SELECT text FROM statements").fetchone()[0] == "=cmd|' /C calc'!A0"
    assert b"'=cmd|" in export_polis(db, code)["comments.csv"]


def test_export_follows_the_privacy_rule(db):
    """#13: no exact times, no facilitator-only purpose, and no export of a workshop of fewer than five people."""
    db.execute("INSERT INTO workshops (code, title, purpose, status) VALUES ('ABCDEF', 'T', 'Secret aim', 'closed')")
    db.execute("INSERT INTO statements (workshop_id, key, text) VALUES (1, 'S01', 'One')")
    for i in range(4):
        db.execute(
            "INSERT INTO participants (workshop_id, token, joined_at) VALUES (1, ?, '2026-03-02T09:00:00Z')", [i]
        )
        db.execute(
            "INSERT INTO votes (participant_id, statement_id, value, voted_at) VALUES (?, 1, 1, ?)",
            [i + 1, f"2026-03-02T09:0{i}:17Z"],
        )
    with pytest.raises(WorkshopError, match="fewer than 5"):
        export_polis(db, "ABCDEF")
    db.execute("INSERT INTO participants (workshop_id, token, joined_at) VALUES (1, 'late', '2026-03-09T10:00:00Z')")
    db.execute(
        "INSERT INTO votes (participant_id, statement_id, value, voted_at) VALUES (5, 1, -1, '2026-03-09T10:01:02Z')"
    )
    files = export_polis(db, "ABCDEF")
    votes = pd.read_csv(pd.io.common.BytesIO(files["votes.csv"]))
    # the late voter's day would single them out: all five share the day the range starts
    assert set(votes["timestamp"]) == {1772409600000} and set(votes["datetime"]) == {"Mon Mar 02 00:00:00 UTC 2026"}
    assert b"Secret aim" not in b"".join(files.values())


def test_huge_file_refused(db, monkeypatch, tmp_path):
    monkeypatch.setattr(polis, "MAX_FILE_BYTES", 1000)
    with pytest.raises(IngestError, match=r"votes.csv: is 1,001 bytes; the limit is 1,000"):
        import_polis(db, cli_actor(), {"votes.csv": b"x" * 1001}, title="big")
    (tmp_path / "votes.csv").write_bytes(b"comment-id,voter-id,vote\n" + b"0,1,1\n" * 200)
    with pytest.raises(IngestError, match="votes.csv: is 1,225 bytes"):
        import_polis(db, cli_actor(), tmp_path, title="big")
    with pytest.raises(IngestError, match="is 1,110 characters long"):
        monkeypatch.setattr(polis, "MAX_FILE_BYTES", 10**6)
        monkeypatch.setattr(polis, "MAX_TEXT_CHARS", 1000)
        import_polis(db, cli_actor(), {"comments.csv": b"comment-id,comment-body\n0," + b"y" * 1110}, title="t")
    assert store_rows(db)["workshops"] == 0


def test_permission_and_title(db):
    from lessons.permissions import Actor
    from lessons.workshops import WorkshopError

    coordinator = Actor(user_id=None, username="coord", role="coordinator", pilot_ids=frozenset({1}))
    with pytest.raises(PermissionDenied):
        import_polis(db, coordinator, FIXTURE, title="t")
    with pytest.raises(WorkshopError, match="needs a title"):
        import_polis(db, cli_actor(), FIXTURE, title=" ")
    assert store_rows(db)["workshops"] == 0


def test_read_polis_writes_nothing():
    conversation = read_polis(FIXTURE)
    assert (len(conversation.participants), len(conversation.comments), len(conversation.votes)) == (26, 39, 638)


# --- command line ------------------------------------------------------------------------------------------------


def test_cli_import_results_export(tmp_path, capsys):
    db_path = tmp_path / "w.db"
    open_store(db_path).close()
    assert main(["workshop", "import-polis", str(FIXTURE), "--title", "London", "--db", str(db_path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "39 statements, 26 participants, 638 votes" in out
    db = connect(db_path)
    code = db.execute("SELECT code FROM workshops WHERE title = 'London'").fetchone()[0]
    db.close()
    assert main(["workshop", "results", code, "--json", "--db", str(db_path)]) == EXIT_OK
    results = json.loads(capsys.readouterr().out)
    first = next(r for r in results["statements"] if r["key"] == "P1")
    votes = pd.read_csv(FIXTURE / "participants-votes.csv")["1"]
    assert (first["agree"], first["disagree"], first["pass"]) == tuple(int((votes == v).sum()) for v in (1, -1, 0))
    assert main(["workshop", "results", code, "--db", str(db_path)]) == EXIT_OK
    assert "P1" in capsys.readouterr().out
    out_dir = tmp_path / "export"
    assert main(["workshop", "export", code, "--out", str(out_dir), "--db", str(db_path)]) == EXIT_OK
    assert {"comments.csv", "votes.csv", "participants-votes.csv"} <= {p.name for p in out_dir.iterdir()}
    assert main(["workshop", "import-polis", str(out_dir), "--title", "Again", "--db", str(db_path)]) == EXIT_OK
    assert "39 statements, 26 participants, 638 votes" in capsys.readouterr().out


def test_cli_refusals(tmp_path, capsys):
    db_path = tmp_path / "w.db"
    open_store(db_path).close()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "votes.csv").write_text("comment-id,voter-id,vote\n0,1,yes\n", encoding="utf-8")
    assert main(["workshop", "import-polis", str(bad), "--title", "Bad", "--db", str(db_path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "votes.csv, row 2, column vote: 'yes' is not a whole number" in err and "nothing was written" in err
    assert main(["workshop", "results", "NOPE22", "--db", str(db_path)]) == EXIT_INVALID
    assert "no workshop with the code NOPE22" in capsys.readouterr().err
    assert main(["workshop", "export", "NOPE22", "--out", str(tmp_path / "o"), "--db", str(db_path)]) == EXIT_INVALID


def test_cli_results_without_the_analysis_module(tmp_path, capsys, monkeypatch):
    """Without lessons.workshops.analysis the command counts votes with its own query."""
    db_path = tmp_path / "w.db"
    db = open_store(db_path)
    code = import_polis(db, cli_actor(), FIXTURE, title="London")
    db.close()
    monkeypatch.setitem(__import__("sys").modules, "lessons.workshops.analysis", None)
    assert main(["workshop", "results", code, "--json", "--db", str(db_path)]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)["statements"]
    assert len(rows) == 39 and sum(r["n"] for r in rows) == 638

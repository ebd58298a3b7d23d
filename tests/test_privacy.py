"""Nobody singled out (#13): the one privacy rule (lessons/privacy.py) holds in every public output.

The property tests build random workshops (declared groups of 1 to 30 people, pilots, countries, days of activity)
and play the attacker: group the published per-participant records by every combination of published columns, and
subtract the shown groups of every breakdown from its total. No set of 1 to k - 1 participants may come out.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import privacy
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import open_memory_store, open_store
from lessons.workshops import WorkshopError
from lessons.workshops import analysis as workshop_analysis
from lessons.workshops.polis import export_polis

K = 5
GROUPS = ["public", "civil_society", "private", "research", "citizens", None]
COUNTRIES = ["FI", "AT", "IT", None]
DAYS = ["2026-03-02", "2026-03-03", "2026-03-09"]


@st.composite
def workshops(draw):
    """A workshop: per declared group a size of 1 to 30; each person a pilot, a country and the days they voted."""
    chosen = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=5, unique=True))
    people = []
    for group in chosen:
        for _ in range(draw(st.integers(1, 30))):
            people.append(
                {
                    "group": group,
                    "pilot": draw(st.sampled_from([1, 2, None])),
                    "country": draw(st.sampled_from(COUNTRIES)),
                    "days": draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=2, unique=True)),
                    "votes": draw(st.lists(st.sampled_from([1, 0, -1]), min_size=3, max_size=3)),
                }
            )
    return people


def build(db, people) -> str:
    """Store the workshop (code ABC234) with three statements; each person votes on all three."""
    db.execute("INSERT INTO pilots (id, slug, name, country) VALUES (1, 'a', 'A', 'FI'), (2, 'b', 'B', 'IT')")
    db.execute("INSERT INTO workshops (id, code, title, purpose, status) VALUES (1, 'ABC234', 'W', 'aim', 'closed')")
    for i in range(3):
        db.execute("INSERT INTO statements (id, workshop_id, key, text) VALUES (?, 1, ?, ?)", [i + 1, f"S0{i}", "t"])
    for pid, person in enumerate(people, start=1):
        days = sorted(person["days"])
        db.execute(
            "INSERT INTO participants (id, workshop_id, token, stakeholder_group, pilot_id, country, joined_at) "
            "VALUES (?, 1, ?, ?, ?, ?, ?)",
            [pid, f"t{pid}", person["group"], person["pilot"], person["country"], f"{days[0]}T09:{pid % 60:02d}:00Z"],
        )
        for sid, value in enumerate(person["votes"], start=1):
            day = days[(sid - 1) % len(days)]
            db.execute(
                "INSERT INTO votes (participant_id, statement_id, value, voted_at) VALUES (?, ?, ?, ?)",
                [pid, sid, value, f"{day}T10:{sid:02d}:{pid % 60:02d}Z"],
            )
    return "ABC234"


def published_copy(db, tmp_path) -> sqlite3.Connection:
    """The store as the bundle publishes it: a copy with the rule applied (lessons.privacy.anonymise_copy)."""
    path = tmp_path / f"copy-{id(db)}.db"
    path.unlink(missing_ok=True)
    db.execute("VACUUM INTO ?", [str(path)])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    privacy.anonymise_copy(conn, K)
    conn.execute("COMMIT")
    return conn


def record_classes(conn) -> Counter:
    """Sizes of the classes of published records: every published column of a participant, votes' days included."""
    days: dict[int, set] = {}
    for pid, at in conn.execute("SELECT participant_id, voted_at FROM votes"):
        days.setdefault(pid, set()).add(at)
    rows = conn.execute("SELECT id, stakeholder_group, pilot_id, country, joined_at FROM participants").fetchall()
    return Counter((g, p, c, j, tuple(sorted(days.get(i, ())))) for i, g, p, c, j in rows)


def assert_nobody_isolated_by_records(conn, people) -> None:
    classes = record_classes(conn)
    assert all(size >= K for size in classes.values()), classes
    # coarser combinations (any subset of the columns) are unions of these classes, so they hold >= k too;
    published = sum(classes.values())
    withheld = len(people) - published
    if len(people) < K:
        assert published == 0  # and no vote count of theirs is public either (part 4)
    else:
        assert withheld == 0 or withheld >= K  # what is left out cannot be had by subtraction either


def assert_breakdown_safe(table: pd.DataFrame, total: int) -> None:
    sizes = table["participants"].tolist()
    assert all(size >= K for size in sizes)
    rest = total - sum(sizes)
    assert not sizes or rest == 0 or rest >= K, (sizes, total)  # no breakdown shown: nothing to subtract


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=workshops())
def test_no_public_output_isolates_fewer_than_five_participants(people, tmp_path):
    db = open_memory_store()
    code = build(db, people)

    # 1. the bundle's per-participant records (lessons.db and the data package are made from this copy)
    conn = published_copy(db, tmp_path)
    try:
        assert_nobody_isolated_by_records(conn, people)
        assert conn.execute("SELECT count(*) FROM workshops WHERE purpose IS NOT NULL").fetchone()[0] == 0
        assert all(len(at) in (10, 21) for (at,) in conn.execute("SELECT voted_at FROM votes"))  # day or day range
    finally:
        conn.close()

    # 2. the results breakdown by declared stakeholder group (pages, results JSON, CLI)
    result = workshop_analysis.compute_results(db, code)
    assert_breakdown_safe(result["stakeholder_groups"], len(people))
    shown = result["participants"]["stakeholder_group"].dropna()
    assert all(size >= K for size in shown.value_counts())
    for statement_id, votes in result["stakeholder_votes"].groupby("statement_id"):
        total = int(result["statements"].set_index("statement_id").loc[statement_id, "n"])
        left = total - int(votes["n"].sum())
        assert left == 0 or left >= K or not len(votes)

    # 3. the Pol.is export: voter ids with days; nothing for a workshop of fewer than five
    if len(people) < K:
        with pytest.raises(WorkshopError):
            export_polis(db, code)
    else:
        votes = pd.read_csv(io.BytesIO(export_polis(db, code)["votes.csv"]))
        signatures = votes.groupby("voter-id")["timestamp"].agg(lambda s: tuple(sorted(set(s))))
        assert (signatures.value_counts() >= K).all()

    # 4. vote counts on the public pages and briefs
    from lessons import report

    counted = report.statement_results(db)
    assert counted.empty == (len(people) < K)


def test_the_reported_leak_a_lone_citizen_from_austria_is_not_in_the_published_records(tmp_path):
    """The demo bundle had 69 combinations under 5 people, e.g. one citizen from AT, whose votes anyone could read."""
    people = [{"group": "public", "pilot": 1, "country": "FI", "days": [DAYS[0]], "votes": [1, 1, 0]}] * 9
    people = people + [{"group": "citizens", "pilot": 1, "country": "AT", "days": [DAYS[0]], "votes": [-1, -1, -1]}]
    db = open_memory_store()
    build(db, people)
    conn = published_copy(db, tmp_path)
    rows = conn.execute("SELECT stakeholder_group, country, count(*) FROM participants GROUP BY 1, 2").fetchall()
    assert ("citizens", "AT", 1) not in rows and all(n >= K for *_, n in rows)


def test_the_demo_database_as_published_has_no_combination_under_five(demo_db_path, tmp_path):
    db = open_store(demo_db_path)
    raw = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM participants GROUP BY workshop_id, stakeholder_group, pilot_id, country "
        "HAVING count(*) < 5)"
    ).fetchone()[0]
    assert raw > 0  # the demo data does hold small combinations: the rule has work to do
    conn = published_copy(db, tmp_path)
    for (workshop_id,) in conn.execute("SELECT DISTINCT workshop_id FROM participants"):
        days: dict[int, set] = {}
        for pid, at in conn.execute(
            "SELECT v.participant_id, v.voted_at FROM votes v JOIN participants p ON p.id = v.participant_id "
            "WHERE p.workshop_id = ?",
            [workshop_id],
        ):
            days.setdefault(pid, set()).add(at)
        rows = conn.execute(
            "SELECT id, stakeholder_group, pilot_id, country, joined_at FROM participants WHERE workshop_id = ?",
            [workshop_id],
        ).fetchall()
        classes = Counter((g, p, c, j, tuple(sorted(days.get(i, ())))) for i, g, p, c, j in rows)
        assert min(classes.values()) >= K, (workshop_id, classes)


def test_pooling_keeps_the_remainder_at_zero_or_at_least_k():
    assert privacy.pooled(["a"] * 6 + ["b"] * 4, 5) == [None] * 10
    assert privacy.remainder_ok(10, [6], 5) is False
    shown = privacy.pooled(["a"] * 6 + ["b"] * 3 + ["c"] * 2 + ["d"] * 7, 5)
    assert Counter(shown) == {"a": 6, "d": 7, None: 5}


def test_k_can_be_raised_but_not_lowered(monkeypatch):
    monkeypatch.setenv("LESSONS_PRIVACY_K", "8")
    assert privacy.k_threshold() == 8
    monkeypatch.setenv("LESSONS_PRIVACY_K", "2")
    assert privacy.k_threshold() == 5
    monkeypatch.setenv("LESSONS_PRIVACY_K", "many")
    assert privacy.k_threshold() == 5


def test_only_administrators_take_the_full_export_and_it_is_audited_and_marked():
    db = open_memory_store()
    build(db, [{"group": "citizens", "pilot": 1, "country": "AT", "days": [DAYS[0]], "votes": [1, 0, -1]}] * 2)
    for role in ("coordinator", "facilitator", "viewer"):
        with pytest.raises(PermissionDenied):
            privacy.personal_data_export(db, Actor(username=role, role=role))
    with pytest.raises(PermissionDenied):
        privacy.personal_data_export(db, None)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
    archive = zipfile.ZipFile(io.BytesIO(privacy.personal_data_export(db, cli_actor())))
    assert archive.read("PERSONAL-DATA-README.txt").decode().startswith("PERSONAL DATA.")
    participants = pd.read_csv(io.BytesIO(archive.read("participants.csv")))
    assert participants["country"].tolist() == ["AT", "AT"] and "token" not in participants.columns
    assert db.execute("SELECT action FROM audit_log").fetchall() == [("privacy.full_export",)]


def _classes_in_published_files(participants: pd.DataFrame, votes: pd.DataFrame) -> Counter:
    days = votes.groupby("participant_id")["voted_at"].agg(lambda s: tuple(sorted(set(s))))
    people = participants.assign(days=participants["id"].map(days))
    columns = ["workshop_id", "stakeholder_group", "pilot_id", "country", "joined_at", "days"]
    return Counter(tuple(None if pd.isna(v) else v for v in row) for row in people[columns].itertuples(index=False))


def test_the_demo_bundle_downloaded_as_a_user_does_has_no_cell_under_five(demo_db_path, tmp_path, monkeypatch):
    """`python -m lessons export --format bundle`, then read its CSVs and lessons.db as anyone who downloads it."""
    import lessons.report
    from lessons.cli import main

    monkeypatch.setattr(lessons.report, "iter_bundle_briefs", lambda db: iter(()))  # the data, not the briefs
    out = tmp_path / "everything.zip"
    assert main(["export", "--format", "bundle", "--out", str(out), "--db", str(demo_db_path)]) == 0
    with zipfile.ZipFile(out) as archive:
        participants = pd.read_csv(io.BytesIO(archive.read("data/participants.csv")))
        votes = pd.read_csv(io.BytesIO(archive.read("data/votes.csv")))
        workshops = pd.read_csv(io.BytesIO(archive.read("data/workshops.csv")))
        (tmp_path / "lessons.db").write_bytes(archive.read("lessons.db"))
    assert len(participants) > 100 and len(votes) > 3000
    assert min(_classes_in_published_files(participants, votes).values()) >= K
    assert workshops["purpose"].isna().all()
    assert not votes["voted_at"].str.contains("T").any()  # no time of day anywhere
    with sqlite3.connect(tmp_path / "lessons.db") as conn:
        db_participants = pd.read_sql_query("SELECT * FROM participants", conn)
        db_votes = pd.read_sql_query("SELECT * FROM votes", conn)
        assert conn.execute("SELECT count(*) FROM workshops WHERE purpose IS NOT NULL").fetchone()[0] == 0
        triggers = set(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    assert min(_classes_in_published_files(db_participants, db_votes).values()) >= K
    with sqlite3.connect(demo_db_path) as source:  # set aside while cleaning, back as they were
        assert triggers == set(source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))


def test_the_personal_data_export_on_the_command_line_is_for_administrators(demo_db_path, tmp_path, capsys):
    from lessons.cli import main

    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "personal.zip"
    assert main(["export", "--format", "personal-data", "--out", str(out), "--db", str(demo_db_path),
                 "--as", "viewer"]) == 2  # fmt: skip
    assert "may not export workshop participants' personal data" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []  # nothing written, not even a temporary file
    assert main(["export", "--format", "personal-data", "--out", str(out), "--db", str(demo_db_path)]) == 0
    assert "PERSONAL DATA" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert len(pd.read_csv(io.BytesIO(archive.read("votes.csv")))) == 3950

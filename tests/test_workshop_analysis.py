"""Live workshop results on constructed vote matrices whose answers are known."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lessons.stored import frame_to_json
from lessons.workshops import analysis as wa

CODE = "CAMPS7"


def add_workshop(db, code: str = CODE, statements: int = 10) -> tuple[int, list[int]]:
    workshop = db["workshops"].insert({"code": code, "title": "Two camps", "status": "open"}).last_pk
    ids = [
        db["statements"]
        .insert({"workshop_id": workshop, "key": f"S{i:02d}", "text": f"Statement {i}", "position": i})
        .last_pk
        for i in range(1, statements + 1)
    ]
    return workshop, ids


def add_people(db, workshop: int, groups: list[str]) -> list[int]:
    return [
        db["participants"]
        .insert({"workshop_id": workshop, "token": f"t{workshop}-{i}", "stakeholder_group": g})
        .last_pk
        for i, g in enumerate(groups)
    ]


def cast(db, people: list[int], statements: list[int], rows, round: int = 1) -> None:
    db["votes"].insert_all(
        {"participant_id": p, "statement_id": s, "round": round, "value": int(v)}
        for p, row in zip(people, rows)
        for s, v in zip(statements, row)
        if not (isinstance(v, float) and math.isnan(v))
    )


def two_camps() -> np.ndarray:
    """16 participants, 10 statements. Rows 0–7 are camp A (public sector), rows 8–15 camp B. S01 everybody
    agrees with; S02 camp A agrees with and camp B disagrees with; S03–S09 split the camps the same way or the
    other way round, with one vote per participant flipped so nobody is identical; S10 is mostly passed."""
    a = [1, 1, 1, -1, 1, -1, 1, 1, -1, 0]
    b = [1, -1, -1, 1, -1, 1, -1, -1, 1, 0]
    rows = np.array([a] * 8 + [b] * 8, dtype=float)
    for i in range(16):
        column = 2 + i % 7
        rows[i, column] = -rows[i, column]
    rows[0, 9] = rows[8, 9] = 1  # two people take a side on S10; fourteen pass
    rows[3, 0] = 0  # one pass on S01
    return rows


@pytest.fixture
def camps(db):
    workshop, statements = add_workshop(db)
    groups = ["public"] * 8 + ["private"] * 4 + ["research"] * 3 + ["citizens"]
    people = add_people(db, workshop, groups)
    cast(db, people, statements, two_camps())
    return db, people, statements


def test_vote_matrix_reads_the_last_round(camps):
    db, people, statements = camps
    cast(db, people[:2], statements[:1], [[-1], [-1]], round=2)
    matrix, participants, texts = wa.vote_matrix(db, CODE)
    assert matrix.shape == (2, 10) and matrix.iloc[:, 0].tolist() == [-1.0, -1.0]
    assert matrix.iloc[:, 1].isna().all()
    first, participants, texts = wa.vote_matrix(db, CODE, round=1)
    assert first.shape == (16, 10) and list(first.index) == people and list(first.columns) == statements
    assert participants["stakeholder_group"].tolist()[:9] == ["public"] * 8 + ["private"]
    assert texts["key"].tolist()[:2] == ["S01", "S02"]
    assert list(texts.columns) == ["id", "key", "text", "source", "lesson_id", "element_id", "importance"]


def test_two_clear_camps_give_two_groups_with_the_right_members(camps):
    db, people, _ = camps
    result = wa.analyse(*wa.vote_matrix(db, CODE))
    assert result["summary"].loc[0, "groups"] == 2 and result["summary"].loc[0, "clustered"] == 16
    assert result["groups"]["participants"].tolist() == [8, 8]
    groups = result["participants"].set_index("participant_id")["group"]
    camp_a, camp_b = set(groups[people[:8]]), set(groups[people[8:]])
    assert len(camp_a) == 1 and len(camp_b) == 1 and camp_a != camp_b
    assert {"x", "y"} <= set(result["participants"].columns)
    assert result["participants"][["x", "y"]].notna().all().all()


def test_consensus_divisive_and_uncertain_statements(camps):
    db, *_ = camps
    result = wa.analyse(*wa.vote_matrix(db, CODE))
    flags = result["statements"].set_index("key")
    assert flags.loc["S01", "consensus"] and flags.loc["S01", "consensus_for"] == "agree"
    assert result["consensus"]["key"].tolist() == ["S01"]
    assert flags.loc["S02", "divisive"] and not flags.loc["S02", "consensus"]
    assert flags.loc["S02", "divisiveness"] == pytest.approx(1.0)
    assert not flags.loc["S01", "divisive"]
    assert result["uncertain"]["key"].tolist() == ["S10"]
    assert flags.loc["S10", "pass_share"] == pytest.approx(14 / 16)
    assert flags.loc["S01", ["agree", "disagree", "pass", "n"]].tolist() == [15, 0, 1, 16]


def test_representative_statements_tell_the_camps_apart(camps):
    db, people, _ = camps
    result = wa.analyse(*wa.vote_matrix(db, CODE))
    rep = result["representative"]
    assert set(rep["group"]) == {"A", "B"} and rep["significant"].all()
    assert (rep.groupby("group").size() <= wa.REPRESENTATIVE_MAX).all()
    group_of_a = result["participants"].set_index("participant_id").loc[people[0], "group"]
    s02 = rep[(rep["group"] == group_of_a) & (rep["key"] == "S02")]
    assert s02["repful_for"].tolist() == ["agree"]  # camp A agrees with S02 and camp B does not
    assert "S01" not in set(rep["key"])  # everybody agrees: it represents nobody


def test_a_stakeholder_group_of_four_is_never_shown_on_its_own(camps):
    db, *_ = camps
    result = wa.analyse(*wa.vote_matrix(db, CODE))
    other = "Other groups, pooled (none shown under 5 people)"
    assert result["stakeholder_groups"].values.tolist() == [["public", 8], [other, 8]]
    for frame in (result["stakeholder_votes"], result["participants"]):
        assert not {"private", "research", "citizens"} & set(frame["stakeholder_group"].dropna())
    assert set(result["stakeholder_votes"]["stakeholder_group"]) == {"public", other}


def test_a_small_group_is_never_revealed_by_subtracting_the_shown_groups_from_the_total():
    # Before #13 a lone group of four was hidden while public (6) was shown: total minus public = their votes.
    other = "Other groups, pooled (none shown under 5 people)"
    shown = wa.shown_groups(pd.Series(["public"] * 6 + ["private"] * 4))
    assert shown.tolist() == [None] * 10  # the only safe breakdown would repeat the total: none is shown
    pooled = wa.shown_groups(pd.Series(["public"] * 6 + ["citizens"] * 5 + ["private"] * 2 + ["research"] * 2))
    assert pooled.tolist()[:6] == ["public"] * 6  # the next smallest (citizens, 5) joins the pool of 4
    assert pooled.tolist()[6:] == [other] * 9
    three = wa.shown_groups(pd.Series(["public"] * 6 + ["private"] * 3 + ["research"] * 2))
    assert three.tolist() == ["public"] * 6 + [other] * 5


def test_wilson_interval_matches_a_hand_computation():
    # 7 agree of 10: p = 0.7, z = 1.959964, z² = 3.841459
    # centre = (0.7 + 3.841459 / 20) / (1 + 3.841459 / 10) = 0.892073 / 1.384146 = 0.644495
    # half = 1.959964 * sqrt(0.7 * 0.3 / 10 + 3.841459 / 400) / 1.384146 = 1.959964 * 0.174939 / 1.384146 = 0.247717
    low, high = wa.wilson(7, 10)
    assert float(low) == pytest.approx(0.644495 - 0.247717, abs=1e-5)
    assert float(high) == pytest.approx(0.644495 + 0.247717, abs=1e-5)
    low, high = wa.wilson(0, 0)
    assert math.isnan(float(low)) and math.isnan(float(high))
    low, high = wa.wilson(np.array([10]), np.array([10]))
    assert float(high[0]) == pytest.approx(1.0) and float(low[0]) == pytest.approx(10 / (10 + 3.841459), abs=1e-5)


def test_statement_table_carries_counts_interval_and_importance(db):
    workshop, statements = add_workshop(db, "IMPRT5", statements=2)
    people = add_people(db, workshop, ["public"] * 3)
    db["votes"].insert_all(
        [
            {"participant_id": people[0], "statement_id": statements[0], "value": 1, "importance": 5},
            {"participant_id": people[1], "statement_id": statements[0], "value": 1, "importance": 2},
            {"participant_id": people[2], "statement_id": statements[0], "value": -1},
            {"participant_id": people[2], "statement_id": statements[1], "value": 0},
        ]
    )
    table = wa.analyse(*wa.vote_matrix(db, "IMPRT5"))["statements"].set_index("key")
    assert table.loc["S01", "importance"] == pytest.approx(3.5) and math.isnan(table.loc["S02", "importance"])
    assert table.loc["S01", "agree_share"] == pytest.approx(2 / 3)
    low, high = wa.wilson(2, 3)
    assert table.loc["S01", ["agree_low", "agree_high"]].tolist() == pytest.approx([float(low), float(high)])


def test_convergence_shows_round_two_agreeing_more(camps):
    db, people, statements = camps
    second = two_camps()
    second[8:, :9] = np.where(np.arange(9) % 3 == 0, second[8:, :9], second[:8, :9])  # camp B mostly comes over
    cast(db, people, statements, second, round=2)
    table = wa.convergence(db, CODE)
    assert table["round"].tolist() == [1, 2]
    assert table.loc[1, "agreement_70"] > table.loc[0, "agreement_70"]
    assert table.loc[1, "mean_variance"] < table.loc[0, "mean_variance"]
    assert table.loc[1, "mean_entropy"] < table.loc[0, "mean_entropy"]
    assert table.loc[1, "variance_change"] < 0 and table.loc[1, "agreement_change"] > 0
    assert table["participants"].tolist() == [16, 16]


def test_results_are_stored_and_recomputed_only_after_a_vote(camps, monkeypatch):
    db, people, statements = camps
    first = wa.results(db, CODE)
    version = first["summary"].loc[0, "data_version"]
    stored = db.execute("SELECT data_version FROM analysis_results WHERE name = ?", [f"workshop-results:{CODE}"])
    assert stored.fetchone()[0] == version

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed although no vote arrived")

    monkeypatch.setattr(wa, "analyse", refuse)
    again = wa.results(db, CODE)
    assert set(again) == set(first)
    for key in first:
        assert frame_to_json(again[key]) == frame_to_json(first[key]), key
    monkeypatch.undo()
    with db.conn:  # a participant changes a pass into an agree
        db.execute(
            "UPDATE votes SET value = 1 WHERE participant_id = ? AND statement_id = ?", [people[3], statements[9]]
        )
    third = wa.results(db, CODE)
    assert third["summary"].loc[0, "data_version"] > version
    assert third["statements"].set_index("key").loc["S10", "agree"] == 3


def test_unknown_workshop_and_empty_workshop(db):
    with pytest.raises(KeyError):
        wa.vote_matrix(db, "NOPE22")
    add_workshop(db, "EMPTY3", statements=3)
    result = wa.results(db, "EMPTY3")
    assert result["summary"].loc[0, "participants"] == 0 and result["groups"].empty
    assert result["statements"]["n"].tolist() == [0, 0, 0] and result["consensus"].empty


def test_500_by_200_analysis_runs_and_finds_the_three_camps():
    matrix, participants, statements = wa.synthetic_votes(500, 200, camps=3, seed=7)
    result = wa.analyse(matrix, participants, statements)
    assert result["summary"].loc[0, "groups"] == 3
    table = pd.crosstab(result["participants"]["group"].to_numpy(), participants["camp"].to_numpy())
    assert ((table > 0).sum(axis=1) == 1).all()  # every opinion group is one latent camp
    assert "other_tiny" not in set(result["stakeholder_votes"]["stakeholder_group"])
    again = wa.analyse(matrix, participants, statements)
    assert again["participants"]["group"].tolist() == result["participants"]["group"].tolist()


POLIS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "polis"


def polis_matrix(conversation: str):
    """A real Pol.is conversation's latest votes on its accepted, non-meta statements, as analyse() takes them."""
    folder = POLIS / conversation
    votes = pd.DataFrame(json.loads((folder / "votes.json").read_text())).rename(
        columns={"pid": "participant_id", "tid": "statement_id"}
    )
    comments = pd.DataFrame(json.loads((folder / "comments.json").read_text())).rename(
        columns={"tid": "statement_id", "mod": "moderated"}
    )
    strict = json.loads((folder / "conversation.json").read_text()).get("strict_moderation")
    kept = comments[(comments["moderated"] >= (1 if strict else 0)) & ~comments["is_meta"].fillna(False).astype(bool)]
    matrix = votes.pivot_table(index="participant_id", columns="statement_id", values="vote", aggfunc="last")
    matrix = matrix[[s for s in matrix.columns if s in set(kept["statement_id"])]].astype(float)
    matrix = matrix[matrix.notna().any(axis=1)]
    people = pd.DataFrame({"id": matrix.index, "stakeholder_group": None})
    texts = pd.DataFrame({"id": matrix.columns, "key": matrix.columns.astype(str), "text": ""})
    return matrix, people, texts, comments.set_index("statement_id")


@pytest.mark.skipif(not POLIS.exists(), reason=f"the real Pol.is conversations are not at {POLIS}")
@pytest.mark.parametrize("conversation", ["2dhnep37ie", "4asymkcrjf"])
def test_real_polis_conversations_give_polis_group_count_and_counts(conversation):
    """Both were published by red-dwarf as fixtures named ``…-3gp-…``: Pol.is's math found three groups. The
    per-statement agree and disagree counts must equal Pol.is's own ``agree_count`` / ``disagree_count``."""
    matrix, people, texts, comments = polis_matrix(conversation)
    result = wa.analyse(matrix, people, texts)
    assert result["summary"].loc[0, "groups"] == 3
    table = result["statements"].set_index("statement_id")
    assert table["agree"].tolist() == comments.loc[table.index, "agree_count"].tolist()
    assert table["disagree"].tolist() == comments.loc[table.index, "disagree_count"].tolist()

"""A workshop's public report: publishing, responses, and its numbers against a small workshop computed by hand."""

from __future__ import annotations

import math

import pytest

from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.privacy import POOLED
from lessons.report.render import render
from lessons.report.workshop import workshop_report
from lessons.workshops import WorkshopError, apply_results, moderate, submit_statement
from lessons.workshops.public_report import own_view, public_report, publish_report, published_at, respond
from tests.test_workshop_analysis import add_people, add_workshop, cast, two_camps

CODE = "HAND23"
VIEWER = Actor(username="vera", role="viewer")
FACILITATOR = Actor(username="fay", role="facilitator")

#: 11 participants: six public sector, four private, one research.
GROUPS = ["public"] * 6 + ["private"] * 4 + ["research"]
#: Their votes on S01 (a lesson), S02, S03; None = not voted.
#: S01: 7 agree (people 0–6), 2 disagree (7, 8), 2 pass (9, 10): n = 11.
#: S02: 4 agree (0–3), 5 disagree (4–8), 1 pass (9), person 10 did not vote: n = 10.
#: S03: 2 agree (0, 1), 1 disagree (2), 8 pass (3–10): n = 11, uncertain (8/11 passes).
VOTES = [
    (1, 1, 1),
    (1, 1, 1),
    (1, 1, -1),
    (1, 1, 0),
    (1, -1, 0),
    (1, -1, 0),
    (1, -1, 0),
    (-1, -1, 0),
    (-1, -1, 0),
    (0, 0, 0),
    (0, None, 0),
]
#: Importance of S01 rated by people 0, 1, 2: 5, 4, 3 — mean 4.0 from 3 ratings.
IMPORTANCE = {0: 5, 1: 4, 2: 3}


def build(db, people: int = 11, status: str = "closed", code: str = CODE) -> dict:
    slug = "hand-made-pilot" if code == CODE else f"hand-made-{code.lower()}"  # browser tests share one store
    pilot = db["pilots"].insert({"slug": slug, "name": "Youth guidance in Tampere", "country": "FI"}).last_pk
    lesson = (
        db["lessons"]
        .insert(
            {
                "pilot_id": pilot,
                "key": "L1",
                "title": "Start with trust",
                "kind": "insight",
                "status": "submitted",
                "lesson": "Trust comes first.",
            }
        )
        .last_pk
    )
    workshop = db["workshops"].insert({"code": code, "title": "Trust in Tampere", "status": status}).last_pk
    statements = {}
    for position, (key, text, source, lesson_id, moderation) in enumerate(
        [
            ("S01", "Start with trust", "lesson", lesson, "approved"),
            ("S02", "Budgets should follow the pilots", "free", None, "approved"),
            ("S03", "Night work helps", "free", None, "approved"),
            ("S04", "Rude words about a named person", "participant", None, "rejected"),
            ("S05", "Waiting for a decision", "participant", None, "pending"),
        ],
        start=1,
    ):
        statements[key] = (
            db["statements"]
            .insert(
                {
                    "workshop_id": workshop,
                    "key": key,
                    "text": text,
                    "source": source,
                    "lesson_id": lesson_id,
                    "moderation": moderation,
                    "position": position,
                }
            )
            .last_pk
        )
    for i in range(people):
        person = (
            db["participants"]
            .insert(
                {
                    "workshop_id": workshop,
                    "token": f"secret-token-{i}" if code == CODE else f"secret-token-{code}-{i}",
                    "stakeholder_group": GROUPS[i],
                }
            )
            .last_pk
        )
        for key, value in zip(("S01", "S02", "S03"), VOTES[i]):
            if value is not None:
                db["votes"].insert(
                    {
                        "participant_id": person,
                        "statement_id": statements[key],
                        "value": value,
                        "importance": IMPORTANCE.get(i) if key == "S01" else None,
                    }
                )
    return {"lesson": lesson, "statements": statements}


def row(report: dict, key: str) -> dict:
    frame = report["statements"]
    return frame[frame["key"] == key].iloc[0].to_dict()


def test_counts_intervals_and_importance_match_the_hand_computation(db):
    build(db)
    report = public_report(db, CODE)
    assert report["workshop"]["participants"] == 11
    assert report["workshop"]["shown"] is True
    s01, s02, s03 = row(report, "S01"), row(report, "S02"), row(report, "S03")
    assert (s01["agree"], s01["disagree"], s01["pass"], s01["n"]) == (7, 2, 2, 11)
    assert (s02["agree"], s02["disagree"], s02["pass"], s02["n"]) == (4, 5, 1, 10)
    assert (s03["agree"], s03["disagree"], s03["pass"], s03["n"]) == (2, 1, 8, 11)
    # Wilson 95% for 7 of 11, by hand: p = .6364, z² = 3.8415, centre = (p + z²/22) / (1 + z²/11) = .6011,
    # half = 1.96·√(p(1−p)/11 + z²/484) / (1 + z²/11) = .2473 → [.3538, .8483].
    assert (round(s01["agree_low"], 4), round(s01["agree_high"], 4)) == (0.3538, 0.8483)
    assert (round(s02["agree_low"], 4), round(s02["agree_high"], 4)) == (0.1682, 0.6873)  # 4 of 10
    assert s01["importance"] == 4.0 and s01["importance_n"] == 3
    assert math.isnan(s02["importance"]) and s02["importance_n"] == 0
    assert list(report["uncertain"]["key"]) == ["S03"]
    assert list(report["statements"]["number"]) == [1, 2, 3]


def test_stakeholder_groups_pool_the_small_ones_and_hide_a_subtraction(db):
    build(db)
    report = public_report(db, CODE)
    # public (6) is shown; private (4) and research (1) are pooled together: 5 people.
    assert report["stakeholder_groups"].values.tolist() == [["Public sector", 6], [POOLED.format(k=5), 5]]
    votes = report["stakeholder_votes"]
    # S02: the pooled group holds only 4 votes (person 10 did not vote), so no group's votes on it are shown.
    assert set(votes["statement_id"]) == {row(report, "S01")["statement_id"], row(report, "S03")["statement_id"]}
    s01 = votes[votes["statement_id"] == row(report, "S01")["statement_id"]]
    assert s01[["stakeholder_group", "n", "agree"]].values.tolist() == [
        ["Public sector", 6, 6],
        [POOLED.format(k=5), 5, 1],
    ]


def test_a_group_of_four_beside_a_group_of_six_shows_no_groups(db):
    build(db, people=10)  # six public, four private: private alone would be the total minus public
    report = public_report(db, CODE)
    assert report["workshop"]["shown"] is True
    assert report["stakeholder_groups"].empty
    assert report["stakeholder_votes"].empty


def test_a_workshop_under_five_people_shows_no_votes(db):
    build(db, people=4)
    report = public_report(db, CODE)
    assert report["workshop"]["shown"] is False
    assert report["statements"][["n", "agree", "disagree", "pass"]].isna().all().all()
    assert report["consensus"].empty and report["uncertain"].empty and report["rounds"].empty


def test_what_happened_next_lessons_and_suggestions(db):
    ids = build(db)
    apply_results(db, cli_actor(), CODE)  # S01: 7 of 9 sides agree (≥ 70%) → validated
    respond(db, FACILITATOR, CODE, "S02", "We will raise budgets with the city in May.")
    respond(db, FACILITATOR, CODE, "S04", "Not put to the vote: it named a person.")
    report = public_report(db, CODE)
    lessons = report["lessons"]
    assert lessons[["lesson_id", "status_before", "status", "agree", "disagree", "n"]].values.tolist() == [
        [ids["lesson"], "submitted", "validated", 7, 2, 9]
    ]
    assert lessons["reason"].tolist() == ["statement 1: agreed"]  # numbered as in the report, no internal key
    assert row(report, "S02")["response"] == "We will raise budgets with the city in May."
    suggestions = report["suggestions"]
    assert suggestions["fate"].tolist() == ["not put to the vote", "not yet decided"]
    assert suggestions["response"].tolist()[0] == "Not put to the vote: it named a person."
    assert "Rude words" not in " ".join(suggestions["text"])  # text nobody approved is not published


def test_publish_and_withdraw_by_a_facilitator(db):
    build(db)
    assert published_at(db, CODE) is None
    assert publish_report(db, FACILITATOR, CODE) is not None
    assert published_at(db, CODE) is not None
    assert publish_report(db, FACILITATOR, CODE, published=False) is None
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["workshop.publish", "workshop.unpublish"]


def test_a_viewer_may_neither_publish_nor_respond(db):
    build(db)
    with pytest.raises(PermissionDenied):
        publish_report(db, VIEWER, CODE)
    with pytest.raises(PermissionDenied):
        respond(db, VIEWER, CODE, "S01", "I say so")
    assert published_at(db, CODE) is None
    assert db.execute("SELECT count(*) FROM statement_responses").fetchone()[0] == 0


def test_responses_are_plain_text_and_can_be_removed(db):
    build(db)
    respond(db, FACILITATOR, CODE, "S01", "<script>alert(1)</script>\u200b ok ")
    assert db.execute("SELECT response, responded_by_role FROM statement_responses").fetchall() == [
        ("<script>alert(1)</script> ok", "facilitator")
    ]
    respond(db, FACILITATOR, CODE, "S01", "   ")
    assert db.execute("SELECT count(*) FROM statement_responses").fetchone()[0] == 0
    with pytest.raises(WorkshopError):
        respond(db, FACILITATOR, CODE, "S99", "no such statement")


def test_the_rendered_report_shows_the_numbers_and_no_tokens(db):
    ids = build(db)
    respond(db, FACILITATOR, CODE, "S02", "We will <b>raise</b> budgets.")
    report = workshop_report(db, CODE)
    files = render(report)
    page = files[f"{report.file_stem}.html"].decode()
    assert "Start with trust" in page and "<td>7</td><td>2</td><td>2</td><td>11</td><td>64%</td><td>35–85%</td>" in page
    assert "We will &lt;b&gt;raise&lt;/b&gt; budgets." in page
    assert "secret-token" not in page
    assert f"<td>L{ids['lesson']}</td>" in page and "<td>HAND23</td>" in page  # Sources: the lesson and workshop
    assert files[f"{report.file_stem}.pdf"].startswith(b"%PDF")


def two_camp_workshop(db):
    workshop, statements = add_workshop(db, "CAMPS7")
    db.execute("UPDATE workshops SET allow_submissions = 1 WHERE id = ?", [workshop])
    people = add_people(db, workshop, ["public"] * 8 + ["private"] * 8)
    cast(db, people, statements, two_camps())
    return workshop, people


def test_a_participant_sees_their_suggestion_and_where_they_sit(db):
    workshop, people = two_camp_workshop(db)
    token = f"t{workshop}-0"
    key = submit_statement(db, token, "Open the town hall on Sundays")
    moderate(db, cli_actor(), "CAMPS7", key, approve=False)
    respond(db, FACILITATOR, "CAMPS7", key, "Not this year: the hall is being repaired.")
    mine = own_view(db, token)
    assert mine["suggestions"].values.tolist() == [
        [key, "Open the town hall on Sundays", "not put to the vote", "Not this year: the hall is being repaired."]
    ]
    assert own_view(db, f"t{workshop}-9")["suggestions"].empty  # somebody else's suggestion is not theirs
    group = mine["group"]
    assert group["people"] == 8  # camp A: people 0–7
    votes = dict(db.execute("SELECT s.text, v.value FROM votes v JOIN statements s ON s.id = v.statement_id "
                            "WHERE v.participant_id = ?", [people[0]]).fetchall())  # fmt: skip
    words = {1: "agree", -1: "disagree", 0: "pass"}
    assert len(group["statements"]) >= 1
    for row in group["statements"].to_dict("records"):
        assert row["your_vote"] == words[votes[row["text"]]]


def test_where_they_sit_is_hidden_when_the_group_is_under_k(db, monkeypatch):
    workshop, _ = two_camp_workshop(db)
    monkeypatch.setenv("LESSONS_PRIVACY_K", "9")  # both opinion groups hold 8 people
    assert own_view(db, f"t{workshop}-0")["group"] is None
    assert own_view(db, "no-such-token") is None

"""The workshop load test against a real server (#16): a small room votes through Streamlit's own protocol and
every vote it sent is in the store, once. Not a timed test: the figures are for the benchmark, not for CI."""

from __future__ import annotations

import json

from lessons.cli import main
from lessons.store import open_memory_store
from lessons.workshop_counts import seed_load_workshop, workshop_counts
from lessons.workshops import cast_vote, join


def test_three_participants_vote_through_the_real_server(capsys):
    """Through the user's path: ``python -m lessons bench --workshop-load 3 --json``."""
    assert main(["bench", "--workshop-load", "3", "--think", "0.01", "--votes", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["participants"] == 3
    assert report["votes_sent"] == 15
    assert report["votes_stored"] == 15
    assert report["duplicates"] == 0
    assert report["errors"] == 0, report["error_messages"]
    for key in ("p50_ms", "p95_ms", "max_ms", "server_peak_mb"):
        assert report[key] > 0


def test_counts_see_every_vote_once():
    db = open_memory_store()
    db["sectors"].insert({"code": "citizens", "name": "Citizens"}, pk="code", replace=True)
    code = seed_load_workshop(db, 4)
    token = join(db, code, stakeholder_group="citizens")
    cast_vote(db, token, "S01", "agree")
    cast_vote(db, token, "S01", "disagree")  # voting again replaces the vote
    cast_vote(db, token, "S02", "pass")
    assert workshop_counts(db, code) == {"statements": 4, "participants": 1, "votes": 2, "duplicates": 0}

"""The lesson similarity is computed in the background after a change, one analysis at a time per store, and a page
never waits for it: What recurs shows the result stored before the change with a note, then the new one.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from components.widgets import safe
from lessons import synthesis
from lessons.store import data_version, open_store
from lessons.synthesis import refresh
from lessons.visibility import PUBLIC, scope
from tests.test_recurs_page import open_page

NOTE = "Updating: these groups are from before the latest change"


def add_lesson(path) -> None:
    """A change of the lessons, as an upload or an edit makes one (the lessons' data version grows)."""
    with open_store(path) as db:
        pilot = db.execute("SELECT id FROM pilots ORDER BY id LIMIT 1").fetchone()[0]
        db["lessons"].insert(
            {
                "pilot_id": pilot,
                "key": "NEW-1",
                "title": "Procurement rules delayed the tender",
                "lesson": "Procurement rules delayed the tender for the booking platform by a year.",
                "kind": "barrier",
            }
        )


def infos(at) -> list[str]:
    return [e.value for e in at.info]


def test_page_shows_the_stored_groups_while_the_new_analysis_runs(demo_db_path, app_on):
    """Another worker holds the claim (the analysis is running): the page does not wait, shows the groups stored
    before the change and says so; when the new analysis is stored, the page shows it without the note."""
    with open_store(demo_db_path) as db:
        before = synthesis.similarity(db)  # stored for the demo as it was
    add_lesson(demo_db_path)
    with open_store(demo_db_path) as db:
        version = data_version(db, "lessons")
        assert refresh.claim(db, version)  # a background analysis is running (in another thread or process)
    at = open_page(app_on, demo_db_path)
    notes = [n for n in infos(at) if n.startswith(NOTE)]
    assert notes == [f"{NOTE} ({len(before.lesson_ids):,} lessons); the new analysis is running."]
    with open_store(demo_db_path) as db:
        assert synthesis.similarity_version(db) == before.data_version  # nothing was computed by the page
        with scope(db, PUBLIC):  # a visitor's view
            groups = synthesis.clusters(synthesis.lesson_facts(db), before, 0.2, 3)
    assert at.metric[1].value == str(len(groups["clusters"]))  # the stale groups, shown in full
    assert any(safe(groups["clusters"]["name"].iloc[0]) in e.label for e in at.expander)

    with open_store(demo_db_path) as db:  # the worker finishes
        synthesis.similarity(db)
        refresh.release(db)
    at = open_page(app_on, demo_db_path)
    assert not [n for n in infos(at) if n.startswith(NOTE)]
    with open_store(demo_db_path) as db:
        assert synthesis.similarity_version(db) == version


def test_a_store_with_no_analysis_yet_says_it_is_running(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        db.execute("DELETE FROM analysis_results")
        db.conn.commit()
        assert refresh.claim(db, data_version(db, "lessons"))
    at = open_page(app_on, demo_db_path)
    assert any("comparison of lesson texts is running" in n for n in infos(at))
    assert at.metric[1].value == "…"  # no count is made up
    assert not any("pilots," in e.label for e in at.expander)  # and no group is listed


def test_a_change_in_the_app_starts_the_new_analysis(demo_db_path, app_on):
    """Synchronous in tests: after a change, the first view starts (here: completes) the analysis, never twice."""
    at = open_page(app_on, demo_db_path)
    add_lesson(demo_db_path)
    at = open_page(app_on, demo_db_path)
    assert not [n for n in infos(at) if n.startswith(NOTE)]
    with open_store(demo_db_path) as db:
        assert synthesis.similarity_version(db) == data_version(db, "lessons")
        assert not refresh.is_running(db)


def test_background_thread_brings_the_stored_result_up_to_date(demo_db_path, monkeypatch):
    """Without the test switch, refresh starts a thread and returns at once; a second call while it runs does not
    start another; the thread stores the result for the current version and removes its claim."""
    started, go_on = threading.Event(), threading.Event()
    real = synthesis.text_similarity.build_similarity

    def slow(texts):
        started.set()
        assert go_on.wait(60)
        return real(texts)

    monkeypatch.setattr(synthesis.text_similarity, "build_similarity", slow)
    assert refresh.refresh(demo_db_path, wait=False)
    assert started.wait(60)
    with open_store(demo_db_path) as db:
        assert refresh.is_running(db) and synthesis.similarity_version(db) is None
    assert not refresh.refresh(demo_db_path, wait=False)  # one at a time in this process
    assert refresh.bring_up_to_date(demo_db_path) == 0  # and across processes: the claim is taken
    go_on.set()
    refresh.join(demo_db_path, timeout=120)
    with open_store(demo_db_path) as db:
        assert synthesis.similarity_version(db) == data_version(db, "lessons")
        assert not refresh.is_running(db)
        names = [r[0] for r in db.execute("SELECT name FROM analysis_results")]
    assert names == [synthesis.ANALYSIS]


def test_two_workers_at_once_compute_one_analysis(demo_db_path, monkeypatch):
    calls = []
    real = synthesis.text_similarity.build_similarity
    barrier = threading.Barrier(2)

    def counted(texts):
        calls.append(1)
        return real(texts)

    monkeypatch.setattr(synthesis.text_similarity, "build_similarity", counted)

    def worker(found):
        barrier.wait()
        found.append(refresh.bring_up_to_date(demo_db_path))

    found: list[int] = []
    threads = [threading.Thread(target=worker, args=(found,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(found) in ([0, 1], [1, 1])  # the second may start after the first finished: then it is current
    assert len(calls) == 1


def test_a_worker_catches_up_with_a_change_made_while_it_ran(demo_db_path, monkeypatch):
    real = synthesis.text_similarity.build_similarity
    changed = []

    def change_once(texts):
        if not changed:
            changed.append(1)
            add_lesson(demo_db_path)
        return real(texts)

    monkeypatch.setattr(synthesis.text_similarity, "build_similarity", change_once)
    assert refresh.bring_up_to_date(demo_db_path) == 2
    with open_store(demo_db_path) as db:
        assert synthesis.similarity_version(db) == data_version(db, "lessons")


def test_a_stale_claim_is_taken_over(demo_db_path):
    with open_store(demo_db_path) as db:
        assert refresh.claim(db, 1)
        db.execute("UPDATE analysis_results SET computed_at = '2000-01-01T00:00:00Z' WHERE name = ?", [refresh.RUNNING])
        db.conn.commit()
        assert not refresh.is_running(db)
    assert refresh.bring_up_to_date(demo_db_path) == 1


def test_briefs_use_the_stored_groups_while_the_new_analysis_runs(demo_db_path, monkeypatch):
    """A brief made on the page (read-only) reads the stored analysis even from before the change; it never
    computes one while one is stored."""
    from lessons.store import connect

    with open_store(demo_db_path) as db:
        before = synthesis.similarity(db)
    add_lesson(demo_db_path)
    monkeypatch.setattr(
        synthesis.text_similarity, "build_similarity", lambda texts: pytest.fail("a brief waited for the analysis")
    )
    db = connect(demo_db_path, readonly=True)
    try:
        shown = synthesis.similarity(db, latest=True)
    finally:
        db.close()
    assert shown.data_version == before.data_version
    assert np.array_equal(shown.merge_score, before.merge_score)


def test_a_lesson_lists_its_similar_lessons_from_the_stored_analysis_while_updating(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        lesson_id = db.execute("SELECT id FROM lessons WHERE title LIKE 'Hubs lost their coordinator%'").fetchone()[0]
        db.execute("UPDATE lessons SET status = 'submitted' WHERE id = ?", [lesson_id])  # a draft: visitors see none
        db.conn.commit()
        before = synthesis.similarity(db)
        with scope(db, PUBLIC):  # a visitor's view
            expected = synthesis.similar_lessons(db, before, lesson_id)
    add_lesson(demo_db_path)
    with open_store(demo_db_path) as db:
        assert refresh.claim(db, data_version(db, "lessons"))
    at = app_on(demo_db_path, {"lesson": str(lesson_id)})
    at.run(timeout=30)
    at.switch_page("pages/lessons.py").run(timeout=60)
    assert not at.exception, at.exception
    assert any(c.value.startswith("Updating: compared before the latest change") for c in at.caption)
    buttons = [b for b in at.button if b.key and b.key.startswith("lessons_similar_")]
    assert [int(b.key.rsplit("_", 1)[1]) for b in buttons] == expected["id"].tolist()

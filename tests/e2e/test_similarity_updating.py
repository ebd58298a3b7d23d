"""What recurs while the lesson similarity is recomputed in the background: the page shows the groups stored before
the change with a plain note, and the fresh groups replace them without a click when the new analysis is stored."""

from __future__ import annotations

import shutil

from playwright.sync_api import expect

from components import browser
from lessons import synthesis
from lessons.store import data_version, open_store
from lessons.synthesis import refresh
from tests.test_similarity_refresh import NOTE, add_lesson


def test_stale_groups_with_a_note_then_the_fresh_ones(page, demo_template, tmp_path, shoot):
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    with open_store(path) as db:
        synthesis.similarity(db)
    add_lesson(path)
    with open_store(path) as db:
        assert refresh.claim(db, data_version(db, "lessons"))  # the new analysis is running elsewhere
    with browser.app_server(path) as url:
        page.goto(f"{url}/recurs")
        note = page.get_by_text(NOTE)
        expect(note).to_be_visible()
        expect(page.get_by_test_id("stExpander").first).to_be_visible()  # the groups from before, in full
        shoot("12-what-recurs-updating")
        with open_store(path) as db:  # the running analysis finishes
            synthesis.similarity(db)
            refresh.release(db)
        expect(note).to_be_hidden(timeout=30_000)  # the page checks every 5 s and shows the new groups
        expect(page.get_by_test_id("stExpander").first).to_be_visible()
        shoot("13-what-recurs-updated")

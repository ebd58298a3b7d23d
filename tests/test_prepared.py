"""The Exports page's bundle and briefs are prepared in the background after a change (lessons.prepared), served at
once for the data version they were made from and never for another, one worker at a time per store."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from io import BytesIO

import pytest
from pypdf import PdfReader

from components import export_views as views
from components.auth import refresh_similarity
from lessons import prepared
from lessons.report import sections
from lessons.store import data_version, open_store
from lessons.visibility import PUBLIC, scope
from tests.test_pages import tiny_path  # noqa: F401 - a fixture, used by small

GENERATED = "2026-01-01T00:00:00Z"


@pytest.fixture
def small(tiny_path):  # noqa: F811 - the fixture imported above
    """A store with two pilots and three lessons in two themes: quick to prepare (the demo data takes a minute)."""
    return tiny_path


@pytest.fixture
def fixed_clock(monkeypatch):
    """Briefs say when they were made: the same moment for the prepared file and the one made on click."""
    monkeypatch.setattr(sections, "_now", lambda: GENERATED)


def version_of(path) -> int:
    with open_store(path) as db:
        return data_version(db)


def add_lesson(path, key: str = "L09") -> None:
    with open_store(path) as db:
        pilot = db.execute("SELECT id FROM pilots ORDER BY id LIMIT 1").fetchone()[0]
        db["lessons"].insert(
            {
                "pilot_id": pilot,
                "key": key,
                "title": "A new lesson",
                "lesson": "Written after.",
                "kind": "insight",
                "status": "submitted",
            }  # submitted: public, so in the files prepared for visitors
        )


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_prepared_files_are_those_a_click_makes(small, clean_caches, fixed_clock):
    path, version = str(small), version_of(small)
    assert prepared.bring_up_to_date(path) == 1
    assert prepared.bring_up_to_date(path) == 0  # current: nothing to do
    with open_store(path) as db:
        assert prepared.status(db, version) == prepared.Status(ready=True, running=False)
        names = sorted(r[0] for r in db.execute("SELECT name FROM analysis_results WHERE name LIKE 'prepared:%'"))
        kept = prepared.read(db, prepared.BUNDLE, version)
    assert names == sorted(
        [prepared.BUNDLE]
        + [prepared.brief_name(s, k, f) for s, k in [("roadmap", ""), ("theme", "digital"), ("theme", "trust")]
           for f in ("pdf", "html")]
    )  # fmt: skip
    # the page serves the kept bundle as it is
    assert views.made_bundle(path, version, "public") == kept
    # ... and it holds what a click makes: the same files, the same data and briefs (lessons.db carries fresh
    # random participant tokens, README.txt and datapackage.json when they were made, so those are compared by name only)
    with open_store(path) as db, scope(db, PUBLIC):  # prepared for visitors: public records only
        out = BytesIO()
        prepared.write_bundle(db, out)
    fresh, served = members(out.getvalue()), members(kept)
    assert fresh.keys() == served.keys()
    for made in (fresh, served):  # the data package says when it was made
        made["datapackage.json"] = {k: v for k, v in json.loads(made["datapackage.json"]).items() if k != "created"}
    assert {n: d for n, d in fresh.items() if n.endswith((".csv", ".json", ".html"))} == {
        n: d for n, d in served.items() if n.endswith((".csv", ".json", ".html"))
    }
    # each prepared brief is the brief the button makes (the PDF carries its own creation time: compared as text)
    for subject, key in [("theme", "trust"), ("roadmap", "")]:
        html = views._made_report(path, version, subject, key, "html", "public")
        assert views.made_report(path, version, subject, key, "html", "public") == html
        pdf = views._made_report(path, version, subject, key, "pdf", "public")
        assert pdf_text(views.made_report(path, version, subject, key, "pdf", "public")) == pdf_text(pdf)
        assert served[f"briefs/{prepared.brief_name(subject, key, 'html').removeprefix(prepared.PREFIX)}"] == html


def test_a_change_makes_the_prepared_files_stale_and_they_are_not_served(small, clean_caches):
    path, version = str(small), version_of(small)
    prepared.bring_up_to_date(path)
    with open_store(path) as db:
        kept = prepared.read(db, prepared.BUNDLE, version)
    add_lesson(path)
    now = version_of(path)
    with open_store(path) as db:
        assert prepared.read(db, prepared.BUNDLE, now) is None
        assert not prepared.has(db, prepared.brief_name("theme", "trust", "pdf"), now)
        assert prepared.status(db, now) == prepared.Status(ready=False, running=False)
    served = views.made_bundle(path, now, "public")
    assert served != kept and b"A new lesson" in members(served)["data/lessons.csv"]
    assert "A new lesson" not in members(kept)["data/lessons.csv"].decode()
    # the worker catches up: the new version's files replace the old ones
    assert prepared.bring_up_to_date(path) == 1
    with open_store(path) as db:
        assert prepared.kept(db) == now and prepared.read(db, prepared.BUNDLE, version) is None


def test_two_workers_at_once_prepare_once(small, monkeypatch):
    calls, real, barrier = [], prepared.make, threading.Barrier(2)

    def counted(db):
        calls.append(1)
        return real(db)

    monkeypatch.setattr(prepared, "make", counted)
    found: list[int] = []

    def worker():
        barrier.wait()
        found.append(prepared.bring_up_to_date(small))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert sorted(found) == [0, 1] and len(calls) == 1


def test_files_made_while_the_data_changed_are_not_kept_and_are_made_again(small, monkeypatch):
    real, changed = prepared.make, []

    def change_once(db):
        files = real(db)
        if not changed:
            changed.append(1)
            add_lesson(small)
        return files

    monkeypatch.setattr(prepared, "make", change_once)
    assert prepared.bring_up_to_date(small) == 1  # the first pass's files are dropped, the second's kept
    with open_store(small) as db:
        assert prepared.kept(db) == data_version(db) and not prepared.is_running(db)


def test_a_worker_that_stopped_leaves_a_claim_that_is_taken_over(small):
    with open_store(small) as db:
        assert prepared.claim(db, 1)
        assert prepared.bring_up_to_date(small) == 0  # another worker is preparing
        db.execute(
            "UPDATE analysis_results SET computed_at = '2000-01-01T00:00:00Z' WHERE name = ?", [prepared.RUNNING]
        )
        db.conn.commit()
    assert prepared.bring_up_to_date(small) == 1


def test_a_write_in_the_app_prepares_the_files_and_off_prepares_nothing(small, monkeypatch):
    add_lesson(small)
    refresh_similarity(str(small))  # the tests' default: LESSONS_PREPARE=off
    with open_store(small) as db:
        assert prepared.kept(db) is None
    monkeypatch.setenv(prepared.MODE_ENV, "sync")
    refresh_similarity(str(small))  # what components.auth.write calls after every write
    with open_store(small) as db:
        assert prepared.kept(db) == data_version(db)


def test_the_background_worker_prepares_in_a_child_process(small):
    assert prepared.prepare_soon(small, mode="background")
    prepared.join(small, 600)
    assert prepared.failure(small) is None
    with open_store(small) as db:
        assert prepared.kept(db) == data_version(db)
    assert not prepared.prepare_soon(small, mode="background")  # current: no worker


# --- the page --------------------------------------------------------------------------------------------------------


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def open_exports(app_on, path):
    at = app_on(path).run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception
    return at


def test_the_page_says_the_files_are_ready_once_prepared(small, app_on):
    prepared.bring_up_to_date(small)
    shown = captions(open_exports(app_on, small))
    assert shown.count(views.READY) == 3  # the brief, the roadmap, the bundle
    assert views.BEING_PREPARED not in shown


def test_the_page_says_the_files_are_being_prepared_and_the_buttons_still_work(small, app_on):
    prepared.bring_up_to_date(small)
    add_lesson(small)  # the kept files are stale now ...
    with open_store(small) as db:
        prepared.claim(db, data_version(db))  # ... and a worker is preparing the new ones
    at = open_exports(app_on, small)
    shown = captions(at)
    assert shown.count(views.BEING_PREPARED) == 3 and views.READY not in shown
    assert {b.key for b in at.get("download_button")} >= {"exports_bundle", "exports_roadmap_pdf", "exports_brief_pdf"}


def test_a_pilot_brief_is_not_prepared_and_the_page_promises_nothing(small, app_on):
    prepared.bring_up_to_date(small)
    at = open_exports(app_on, small)
    at.radio(key="exports_subject").set_value("pilot").run()
    assert not at.exception
    assert captions(at).count(views.READY) == 2  # the roadmap and the bundle only


def test_visiting_the_page_starts_the_preparation_when_nothing_prepares(small, app_on, monkeypatch):
    monkeypatch.setenv(prepared.MODE_ENV, "sync")  # prepared before the page is drawn
    assert captions(open_exports(app_on, small)).count(views.READY) == 3

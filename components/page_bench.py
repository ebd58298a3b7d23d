"""Time each page's server-side run through AppTest, and the app's cold start in a real browser.

Run by ``python -m lessons bench`` in a child process; prints JSON rows (operation, n, median_ms, p95_ms).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from contextlib import closing
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from components import browser
from components.auth import SESSION_KEY
from components.testing import app_test
from lessons import network
from lessons.bench import against, summarise
from lessons.store import open_store
from lessons.synth import add_network_pilot

APP = str(browser.PROJECT_DIR / "app.py")


def _timed_runs(at: AppTest, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        samples.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"page raised: {at.exception[0].message}")
    return samples


#: The anchor of every page row: Streamlit's own cost of a run, a one-line script run warm in the same AppTest harness.
EMPTY_PAGE = "an empty Streamlit page"
#: Issue #18's targets for a page's warm server-side run.
PAGE_TARGET_MS, PAGE_TARGET_P95_MS = 300, 600


def empty_page_samples(repeat: int) -> list[float]:
    """Warm runs of a one-line Streamlit script in AppTest: the floor under every page's server-side time."""
    at = AppTest.from_string("import streamlit as st\nst.write('empty')", default_timeout=60)
    at.run()
    return _timed_runs(at, max(repeat, 5))


def held(name: str, samples: list[float], anchor: list[float]) -> dict:
    """A page row beside the empty page's runs, held to the page targets (median and p95)."""
    return against(
        summarise(name, samples), EMPTY_PAGE, anchor, target_ms=PAGE_TARGET_MS, target_p95_ms=PAGE_TARGET_P95_MS
    )


def page_rows(
    repeat: int, anchor: list[float], *, user_id: int | None = None, workshop: str | None = None
) -> list[dict]:
    """Warm server-side runs of every page (AppTest through the router, the exact calls the page makes).

    Each is held to a 300 ms median and 600 ms p95, beside an empty Streamlit page timed in the same run. The Manage
    and facilitator pages run signed in as ``user_id`` (an administrator); ``workshop`` is a workshop code for the
    workshop pages.
    """
    rows = []

    def page(name: str, samples: list[float]) -> None:
        rows.append(held(name, samples, anchor))

    at = app_test(default_timeout=300)
    start = time.perf_counter()
    at.run()
    rows.append(summarise("page: overview, first run (cold caches)", [(time.perf_counter() - start) * 1000]))
    page("page: overview (warm)", _timed_runs(at, repeat))

    at.switch_page("pages/lessons.py").run()
    page("page: lessons (warm)", _timed_runs(at, repeat))

    at.multiselect(key="lessons_themes").set_value(["trust"])
    at.multiselect(key="lessons_kinds").set_value(["barrier"])
    at.text_input(key="lessons_query").set_value("champions").run()
    page("page: lessons, search + 2 facets (warm)", _timed_runs(at, repeat))

    first = next(b for b in at.button if b.key and b.key.startswith("lessons_card_"))
    first.click().run()
    page("page: lesson detail (warm)", _timed_runs(at, repeat))

    start = time.perf_counter()
    at.switch_page("pages/recurs.py").run()  # loads the stored similarity analysis (the benchmark stored it first)
    rows.append(summarise("page: what recurs, first run", [(time.perf_counter() - start) * 1000]))
    page("page: what recurs, recurring (warm)", _timed_runs(at, repeat))
    at.segmented_control(key="recurs_view").set_value("Pilot × theme").run()
    page("page: what recurs, pilot × theme matrix (warm)", _timed_runs(at, repeat))

    for script, name in (("pages/models.py", "governance models"), ("pages/exports.py", "data and exports")):
        at.switch_page(script).run()
        page(f"page: {name} (warm)", _timed_runs(at, repeat))

    visitor = app_test(default_timeout=300)
    if workshop:
        visitor.query_params["code"] = workshop
    visitor.run()
    for script, name in (("pages/vote.py", "vote in a workshop"), ("pages/workshop_report.py", "workshop report")):
        visitor.switch_page(script).run()
        page(f"page: {name}{', a closed workshop' if workshop else ''} (warm)", _timed_runs(visitor, repeat))

    if user_id is not None:
        staff = app_test(default_timeout=300)
        staff.session_state[SESSION_KEY] = user_id
        if workshop:
            staff.query_params["code"] = workshop
        staff.run()
        for script, name in (
            ("pages/workshops.py", "run a workshop, signed in"),
            ("pages/upload.py", "upload pilot summary, signed in"),
            ("pages/pilot_data.py", "edit pilot data, signed in"),
            ("pages/vocabularies.py", "vocabularies, signed in"),
            ("pages/users_audit.py", "users and audit, signed in"),
        ):
            staff.switch_page(script).run()
            if staff.exception or any(i.value.startswith("Sign in (in the sidebar)") for i in staff.info):
                raise RuntimeError(f"{script} did not run signed in: {[e.message for e in staff.exception]}")
            page(f"page: {name} (warm)", _timed_runs(staff, repeat))
    return rows


def network_page_rows(repeat: int, anchor: list[float], *, actors: int = 2000, ties: int = 10_000) -> list[dict]:
    """The Stakeholder networks page on a pilot of ``actors`` actors and ``ties`` ties (issue #6's size), in a
    temporary store whose analysis was stored when the network was written (as after an upload): the first view
    with every cache cold, then warm reruns, then a focused actor."""
    rows = []
    previous = os.environ.get("LESSONS_DB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "network.db"
        with closing(open_store(path)) as db:
            slug = add_network_pilot(db, actors=actors, ties=ties)
            network.analysis(db, slug)  # stored when the network changes
            network.pilot_layout(db, slug)
        os.environ["LESSONS_DB"] = str(path)
        try:
            st.cache_data.clear()
            st.cache_resource.clear()
            at = app_test(default_timeout=300)
            at.query_params["pilot"] = slug
            at.run()
            start = time.perf_counter()
            at.switch_page("pages/networks.py").run()
            rows.append(
                summarise(
                    f"page: networks, {actors:,} actors / {ties:,} ties, cold caches",
                    [(time.perf_counter() - start) * 1000],
                )
            )
            name = f"page: networks, {actors:,} actors / {ties:,} ties (warm)"
            rows.append(held(name, _timed_runs(at, repeat), anchor))
            at.selectbox(key="networks_actor").set_value("S00001").run()
            rows.append(held("page: networks, an actor in focus (warm)", _timed_runs(at, repeat), anchor))
        finally:
            if previous is None:
                os.environ.pop("LESSONS_DB", None)
            else:
                os.environ["LESSONS_DB"] = previous
    return rows


def cold_start_rows(runs: int = 3) -> list[dict]:
    """From ``streamlit run`` to a rendered Overview in Chromium: first start (demo database created) and restarts."""
    first, restart = [], []
    with tempfile.TemporaryDirectory() as tmp, browser.chromium() as chrome:
        db = Path(tmp) / "cold.db"
        for attempt in range(runs + 1):
            start = time.perf_counter()
            with browser.app_server(db) as url:
                page = chrome.new_page()
                page.goto(url)
                page.get_by_text("Validated lessons").wait_for(timeout=60_000)
                browser.wait_rendered(page, timeout=60_000)
                (first if attempt == 0 else restart).append((time.perf_counter() - start) * 1000)
                page.close()
    return [
        summarise("app: cold start to rendered Overview, new demo database", first),
        summarise("app: cold start to rendered Overview, existing demo database", restart),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cold-start", action="store_true")
    parser.add_argument("--user-id", type=int, help="an administrator's id: the Manage pages run signed in as them")
    parser.add_argument("--workshop", help="a workshop code for the workshop pages")
    args = parser.parse_args()
    anchor = empty_page_samples(args.repeat)
    rows = [summarise(f"anchor: {EMPTY_PAGE} (warm)", anchor)]
    rows += page_rows(args.repeat, anchor, user_id=args.user_id, workshop=args.workshop)
    rows += network_page_rows(args.repeat, anchor)
    if args.cold_start:
        rows += cold_start_rows()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

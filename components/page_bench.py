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
from components.testing import app_test
from lessons import network
from lessons.bench import summarise
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


def page_rows(repeat: int) -> list[dict]:
    rows = []
    at = app_test(default_timeout=300)
    start = time.perf_counter()
    at.run()
    rows.append(summarise("page: overview, first run (cold caches)", [(time.perf_counter() - start) * 1000]))
    rows.append(summarise("page: overview (warm)", _timed_runs(at, repeat)))

    at.switch_page("pages/lessons.py").run()
    rows.append(summarise("page: lessons (warm)", _timed_runs(at, repeat)))

    at.multiselect(key="lessons_themes").set_value(["trust"])
    at.multiselect(key="lessons_kinds").set_value(["barrier"])
    at.text_input(key="lessons_query").set_value("champions").run()
    rows.append(summarise("page: lessons, search + 2 facets (warm)", _timed_runs(at, repeat)))

    first = next(b for b in at.button if b.key and b.key.startswith("lessons_card_"))
    first.click().run()
    rows.append(summarise("page: lesson detail (warm)", _timed_runs(at, repeat)))

    start = time.perf_counter()
    at.switch_page("pages/recurs.py").run()  # loads the stored similarity analysis (the benchmark stored it first)
    rows.append(summarise("page: what recurs, first run", [(time.perf_counter() - start) * 1000]))
    rows.append(summarise("page: what recurs, recurring (warm)", _timed_runs(at, repeat)))
    at.segmented_control(key="recurs_view").set_value("Pilot × theme").run()
    rows.append(summarise("page: what recurs, pilot × theme matrix (warm)", _timed_runs(at, repeat)))
    return rows


def network_page_rows(repeat: int, *, actors: int = 2000, ties: int = 10_000) -> list[dict]:
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
            rows.append(summarise(f"page: networks, {actors:,} actors / {ties:,} ties (warm)", _timed_runs(at, repeat)))
            at.selectbox(key="networks_actor").set_value("S00001").run()
            rows.append(summarise("page: networks, an actor in focus (warm)", _timed_runs(at, repeat)))
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
    args = parser.parse_args()
    rows = page_rows(args.repeat)
    rows += network_page_rows(args.repeat)
    if args.cold_start:
        rows += cold_start_rows()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

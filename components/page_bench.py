"""Time each page's server-side run through AppTest, and the app's cold start in a real browser.

Run by ``python -m lessons bench`` in a child process; prints JSON rows (operation, n, median_ms, p95_ms).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from components import browser
from components.auth import COOKIE, SESSION_KEY
from components.testing import app_test
from lessons import network
from lessons.bench import against, largest_tables, summarise
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


#: The sidebar's pages, in its order (each page's title is its link's name and its heading).
SIDEBAR = (
    "Overview", "Lessons", "What recurs", "Stakeholder networks", "Governance models", "Vote in a workshop",
    "Run a workshop", "Workshop report", "Upload pilot summary", "Edit pilot data", "Vocabularies", "Data and exports",
    "Users and audit",
)  # fmt: skip
DATASETTE = "Datasette 0.65"
START_TARGET_RATIO, MEMORY_TARGET_MB, NAVIGATION_TARGET_MS = 2, 250, 1000


def tree_rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` and all its descendants, in MB (``VmRSS`` of ``/proc/PID/status``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def _server_pid(marker: str) -> int:
    """The id of this process's child whose command line holds ``marker`` (the server just started)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == me and marker in command:
            return int(entry.name)
    raise RuntimeError(f"no child process running {marker}")


@contextmanager
def datasette_server(store: str | Path, timeout: float = 60.0):
    """Run ``datasette serve STORE`` on a free loopback port; yield its base URL and process id."""
    port = browser.free_port()
    executable = Path(sys.executable).parent / "datasette"
    process = subprocess.Popen(
        [str(executable), "serve", str(store), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"datasette did not start on {url}") from None
                time.sleep(0.05)
        yield url, process.pid
    finally:
        browser.stop(process)


def _open_ours(chrome, url: str, token: str | None):
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    if token:
        context.add_cookies([{"name": COOKIE, "value": token, "url": url}])
    page = context.new_page()
    page.goto(url)
    page.get_by_text("Validated lessons").wait_for(timeout=120_000)
    browser.wait_rendered(page, timeout=120_000)
    return context, page


def _open_table(chrome, url: str, table: str):
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/{table}")
    page.wait_for_selector("table.rows-and-columns", timeout=120_000)
    return context, page


def browser_rows(store: str | Path, *, runs: int = 3, navigate: bool = False, token: str | None = None) -> list[dict]:
    """The app beside Datasette on the same store, in the same Chromium (issue #18).

    Start: process start to a rendered Overview, against ``datasette serve STORE`` to its largest table's page.
    Memory: the server's resident memory (children included) after every sidebar page once, against Datasette's after
    as many table pages. With ``navigate``: each sidebar click to the page's content rendered, against Datasette
    loading its table pages. ``token`` is a staff session signed in by cookie, so the Manage pages show their work.
    """
    name = Path(store).stem
    tables = largest_tables(store, len(SIDEBAR))
    ours_start, theirs_start, clicks, loads = [], [], [], []
    ours_mb = theirs_mb = 0.0
    with browser.chromium() as chrome:
        for attempt in range(runs):
            start = time.perf_counter()
            with browser.app_server(store, timeout=120) as url:
                context, page = _open_ours(chrome, url, token)
                ours_start.append((time.perf_counter() - start) * 1000)
                if attempt == runs - 1:
                    nav = page.get_by_test_id("stSidebarNav")
                    for title in (*SIDEBAR[1:], SIDEBAR[0]):
                        start = time.perf_counter()
                        nav.get_by_role("link", name=title, exact=True).click()
                        page.locator("h1").filter(has_text=title).first.wait_for(timeout=120_000)
                        browser.wait_rendered(page, timeout=120_000)
                        clicks.append((time.perf_counter() - start) * 1000)
                    ours_mb = tree_rss_mb(_server_pid("components.serve"))
                context.close()
            start = time.perf_counter()
            with datasette_server(store) as (url, pid):
                context, page = _open_table(chrome, f"{url}/{name}", tables[0])
                theirs_start.append((time.perf_counter() - start) * 1000)
                if attempt == runs - 1:
                    for table in (*tables[1:], tables[0]):
                        start = time.perf_counter()
                        page.goto(f"{url}/{name}/{table}")
                        page.wait_for_selector("table.rows-and-columns", timeout=120_000)
                        loads.append((time.perf_counter() - start) * 1000)
                    theirs_mb = tree_rss_mb(pid)
                context.close()
    started = f"{DATASETTE}: `datasette serve` to its {tables[0]} table page"
    rows = [
        against(summarise("app: process start to rendered Overview", ours_start), started, theirs_start,
                target_ratio=START_TARGET_RATIO),
    ]  # fmt: skip
    memory = {
        "operation": f"app: server memory after all {len(SIDEBAR)} pages once: {ours_mb:,.0f} MB "
        f"(Datasette after {len(loads)} table pages: {theirs_mb:,.0f} MB)",
        "n": 1, "median_ms": None, "p95_ms": None,
        "anchor": f"{DATASETTE} after {len(loads)} table pages",
        "ratio": round(ours_mb / theirs_mb, 2) if theirs_mb else None,
        "peak_mb": round(ours_mb), "target_mb": MEMORY_TARGET_MB, "met": ours_mb <= MEMORY_TARGET_MB,
    }  # fmt: skip
    rows.append(memory)
    if navigate:
        rows.append(
            against(summarise("browser: sidebar click to the page rendered, every page", clicks),
                    f"{DATASETTE}: load of a table page", loads, target_ms=NAVIGATION_TARGET_MS)
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cold-start", action="store_true")
    parser.add_argument("--user-id", type=int, help="an administrator's id: the Manage pages run signed in as them")
    parser.add_argument("--workshop", help="a workshop code for the workshop pages")
    parser.add_argument("--no-pages", action="store_true", help="skip the AppTest page runs")
    parser.add_argument("--browser", action="store_true", help="in-app navigation in Chromium beside Datasette")
    parser.add_argument("--runs", type=int, default=3, help="starts of each server (default 3)")
    args = parser.parse_args()
    rows = []
    if not args.no_pages:
        anchor = empty_page_samples(args.repeat)
        rows.append(summarise(f"anchor: {EMPTY_PAGE} (warm)", anchor))
        rows += page_rows(args.repeat, anchor, user_id=args.user_id, workshop=args.workshop)
        rows += network_page_rows(args.repeat, anchor)
    if args.cold_start:
        rows += cold_start_rows()
    if args.cold_start or args.browser:
        token = os.environ.get("LESSONS_BENCH_SESSION")
        rows += browser_rows(args.db, runs=args.runs, navigate=args.browser, token=token)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

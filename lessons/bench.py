"""``python -m lessons bench``: time the core operations on a store and print operation, n, median ms, p95 ms.

Store queries and full-text search are timed here; each page's server-side run (AppTest) and the app's cold start
are timed by ``components.page_bench`` in a separate process, so this package stays free of UI code.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from lessons import queries, synthesis
from lessons.store import PROJECT_DIR, connect, data_version, open_store
from lessons.stored import keep
from lessons.visibility import PUBLIC, scope

#: Lessons in a synthetic store of scale 1 (``python -m lessons synth --scale 1``): a row's scale is the store's.
LESSONS_PER_SCALE = 5000
SEARCHES = ["champions", "procurement", "trust facilitator", '"local champions"', "older resid", "budget", "interpret"]


def summarise(operation: str, samples_ms: list[float]) -> dict:
    """One benchmark row: operation, n, median and 95th percentile in milliseconds.

    >>> summarise("x", [1.0, 2.0, 3.0])["median_ms"]
    2.0
    """
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "operation": operation,
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
    }


#: The keys of every row ``bench --json`` prints, in order.
COLUMNS = (
    "operation", "scale", "n", "median_ms", "p95_ms", "anchor", "anchor_median_ms", "ratio", "target_ms",
    "target_p95_ms", "target_mb", "target_ratio", "met", "peak_mb", "cpu_s",
)  # fmt: skip
#: The anchor of the store's aggregates: what SQLite does fastest for a count (issue #18).
GROUP_BY_ANCHOR = "raw SQLite: GROUP BY on a narrow covering index"
FTS_ANCHOR = "raw SQLite: FTS5 best 20 with snippets"


def against(
    row: dict, anchor: str, anchor_ms: list[float], *, target_ms=None, target_ratio=None, target_p95_ms=None
) -> dict:
    """Add an anchor timed in the same run, the ratio of the medians, and the target the row is held to.

    >>> row = against(summarise("x", [4.0, 4.0]), "y", [2.0, 2.0], target_ratio=2)
    >>> row["ratio"], row["met"]
    (2.0, True)
    """
    anchor_median = round(statistics.median(anchor_ms), 3)
    row |= {"anchor": anchor, "anchor_median_ms": anchor_median}
    row["ratio"] = round(row["median_ms"] / anchor_median, 2) if anchor_median > 0 else None
    return target(row, target_ms=target_ms, target_ratio=target_ratio, target_p95_ms=target_p95_ms)


def target(row: dict, *, target_ms=None, target_ratio=None, target_p95_ms=None) -> dict:
    """Hold a row to a target and say whether it meets it.

    The median must be at most ``target_ms``, the 95th percentile at most ``target_p95_ms`` and/or the ratio to the
    anchor at most ``target_ratio``; ``met`` is None when the row has none of them.
    """
    row |= {"target_ms": target_ms, "target_p95_ms": target_p95_ms, "target_ratio": target_ratio}
    checks = []
    if target_ms is not None:
        checks.append(row["median_ms"] <= target_ms)
    if target_p95_ms is not None:
        checks.append(row["p95_ms"] <= target_p95_ms)
    if target_ratio is not None and row.get("ratio") is not None:
        checks.append(row["ratio"] <= target_ratio)
    row["met"] = all(checks) if checks else None
    return row


def complete(rows: list[dict], scale: float | None) -> list[dict]:
    """Give every row every key of :data:`COLUMNS`, in order (None where a row has no anchor or target)."""
    return [{key: row.get(key, scale if key == "scale" else None) for key in COLUMNS} for row in rows]


def _time(fn, repeat: int) -> list[float]:
    fn()  # warm the page cache and SQLite's statement cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def store_benchmarks(path: str | Path, repeat: int = 20) -> list[dict]:
    """Time the store queries the pages run, and full-text search, on the store at ``path``, each beside its anchor.

    The aggregates are held to 50 ms and compared with a ``GROUP BY`` on a covering index; the search with snippets
    is compared with the same FTS5 query on a plain ``sqlite3`` connection (at most twice its time).
    """
    rows = []
    raw = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    # As a visitor's pages read: scoped to public records (``lessons.access.reading``); the anchors read raw.
    with closing(connect(path, readonly=True)) as db, closing(raw), scope(db, PUBLIC):
        group_by = _time(lambda: raw.execute("SELECT kind, count(*) FROM lessons GROUP BY kind").fetchall(), repeat)
        first_lesson = db.execute("SELECT min(id) FROM lessons").fetchone()[0] or 1
        theme = db.execute("SELECT code FROM themes ORDER BY id LIMIT 1").fetchone()[0]
        index = queries.facet_index(db)
        aggregates = {
            "store: overview counts": lambda: queries.overview_counts(db),
            "store: pilots by country": lambda: queries.pilots_by_country(db),
            "store: lessons by theme and kind": lambda: queries.lessons_by_theme_and_kind(db),
            "store: pilot summaries": lambda: queries.pilot_summaries(db),
            "store: facet counts, each choice (from the index)": lambda: queries.facet_counts(
                index, themes=[theme], kinds=["barrier"]
            ),
        }
        for name, fn in aggregates.items():
            rows.append(against(summarise(name, _time(fn, repeat)), GROUP_BY_ANCHOR, group_by, target_ms=50))
        rows.append(
            against(
                summarise("store: facet index (once per change)", _time(lambda: queries.facet_index(db), 3)),
                GROUP_BY_ANCHOR,
                group_by,
            )  # fmt: skip
        )
        cases = {
            "store: lessons of one theme and kind": lambda: queries.search_lessons(
                db, themes=[theme], kinds=["barrier"]
            ),
            "store: lesson detail": lambda: queries.lesson_detail(db, first_lesson),
        }
        for name, fn in cases.items():
            rows.append(summarise(name, _time(fn, repeat)))
        search_samples, anchor_samples = [], []
        for term in SEARCHES:
            match = queries.match_for(db, term)
            search_samples += _time(lambda term=term: queries.search_lessons(db, query=term, limit=20), repeat)
            # the anchor: the same full-text query on its index, ranked, with snippets, on a plain connection
            anchor_samples += _time(
                lambda t=match.table, q=match.query: raw.execute(
                    f"SELECT rowid, snippet({t}, -1, '[', ']', '…', 12) FROM {t} WHERE {t} MATCH ? ORDER BY rank LIMIT 20",
                    [q],
                ).fetchall(),
                repeat,
            )
        rows.append(
            against(summarise("fts: search, best 20 with snippets", search_samples), FTS_ANCHOR, anchor_samples,
                    target_ratio=2)
        )  # fmt: skip
        count_samples = []
        for term in SEARCHES:
            count_samples += _time(lambda term=term: len(queries.search_ids(db, term)), repeat)
        rows.append(summarise("fts: count matches", count_samples))
        rows += synthesis_benchmarks(db, repeat)
        rows += lessons_page_benchmarks(db, raw, repeat)
    return rows


def lessons_page_benchmarks(db, raw, repeat: int = 20) -> list[dict]:
    """Time what the Lessons page calls for a search with two filters, beside the raw FTS5 best 20 (issue #18).

    The page's calls: the search's ids and the facet counts from the index (built once per data version, so not
    timed), then the count and one page of 20 with snippets. Held to 100 ms and to twice the anchor.
    """
    theme = db.execute(
        "SELECT t.code FROM themes t JOIN lesson_themes lt ON lt.theme_id = t.id GROUP BY t.id ORDER BY count(*) DESC"
    ).fetchone()
    filters = {"themes": [theme[0]] if theme else [], "kinds": ["enabler", "barrier"]}
    index = queries.facet_index(db)

    def page_calls(term: str) -> None:
        queries.facet_counts(index, matched=queries.search_ids(db, term), **filters)
        queries.lesson_page(db, query=term, page=1, size=20, **filters)

    samples, anchor = [], []
    for term in SEARCHES:
        match = queries.match_for(db, term)
        samples += _time(lambda term=term: page_calls(term), repeat)
        anchor += _time(
            lambda t=match.table, q=match.query: raw.execute(
                f"SELECT rowid, snippet({t}, -1, '[', ']', '…', 12) FROM {t} WHERE {t} MATCH ? ORDER BY rank LIMIT 20",
                [q],
            ).fetchall(),
            repeat,
        )
    name = "page calls: lessons search, count + facets + page of 20"
    return [against(summarise(name, samples), FTS_ANCHOR, anchor, target_ms=100, target_ratio=2)]


def synthesis_benchmarks(db, repeat: int = 20) -> list[dict]:
    """Time the cross-pilot views: the pilot × theme matrix, and clustering every lesson by text similarity.

    The clustering is done once per data change, in the background; it is timed once, in a fresh process beside the
    scikit-learn anchor (see :func:`similarity_benchmark`), and the stored result it made is then read back as every
    page view does.
    """
    import tempfile

    rows = [summarise("synthesis: pilot × theme matrix", _time(lambda: synthesis.theme_matrix(db), repeat))]
    path = db.execute("PRAGMA database_list").fetchone()[2]
    with tempfile.TemporaryDirectory() as folder:
        payload_file = Path(folder) / "similarity.npz"
        rows += similarity_benchmark(path, payload_file)
        payload = payload_file.read_bytes()
    sim = synthesis.Similarity.from_bytes(payload)
    rows.append(
        summarise("synthesis: load the stored analysis", _time(lambda: synthesis.Similarity.from_bytes(payload), 5))
    )
    facts = synthesis.lesson_facts(db)
    rows.append(
        summarise("synthesis: groups at one threshold", _time(lambda: synthesis.clusters(facts, sim, 0.2, 3), 3))
    )
    return rows


def similarity_child(kind: str, path: str, out: str = "") -> dict:
    """Run in a fresh process by :func:`similarity_benchmark`: one similarity analysis of every lesson's text.

    ``kind`` is ``ours`` (``build_similarity``, as the background analysis computes it; its result is written to
    ``out``) or ``anchor`` (scikit-learn on the same texts: ``TfidfVectorizer`` with English stop words and sublinear
    tf, then ``NearestNeighbors(metric="cosine", algorithm="brute")`` on the sparse matrix, the 12 nearest lessons of
    every lesson, which scikit-learn works out in row chunks). Returns wall and CPU seconds and the process's peak
    resident memory (``resource.getrusage`` high-water mark) with the memory it held before the analysis.
    """
    import resource

    import numpy as np

    if kind == "anchor":  # ours loads what it uses itself (lessons.learn), so its memory holds nothing of the anchor's
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.neighbors import NearestNeighbors
    with closing(connect(path, readonly=True)) as db:
        texts = synthesis.lesson_texts(db)
        version = data_version(db, "lessons")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, start = time.process_time(), time.perf_counter()
    if kind == "ours":
        result = synthesis.build_similarity(texts)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        result.data_version = version
        Path(out).write_bytes(result.to_bytes())
    else:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32).fit_transform(
            texts["text"].fillna("")
        )
        found = NearestNeighbors(
            n_neighbors=min(len(texts), synthesis.NEIGHBOURS + 1), metric="cosine", algorithm="brute"
        )
        found.fit(matrix).kneighbors(matrix)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak / 1024,
        "base_mb": base / 1024,
        "lessons": len(texts),
        "version": version,
    }


#: Issue #18's targets for the similarity analysis at 50,000 lessons.
SIMILARITY_TARGET_MS = 60_000
SIMILARITY_TARGET_MB = 600


def similarity_benchmark(path: str | Path, payload_file: str | Path) -> list[dict]:
    """Time the similarity analysis and its scikit-learn anchor, each in a fresh process on the same store's texts.

    Peak memory is each process's resident high-water mark (``resource.getrusage``), imports and texts included.
    The analysis's result is written to ``payload_file``. Rows carry ``anchor``, ``anchor_median_ms``, ``ratio``,
    ``target_ms``, ``peak_mb`` and ``met`` (the wall and memory targets, on this machine at this moment).
    """
    found = {}
    for kind in ("ours", "anchor"):
        code = (
            "import json; from lessons.bench import similarity_child; "
            f"print(json.dumps(similarity_child({kind!r}, {str(path)!r}, {str(payload_file)!r})))"
        )
        done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
        found[kind] = json.loads(done.stdout.splitlines()[-1])
    ours, anchor = found["ours"], found["anchor"]
    with closing(connect(path)) as db:  # stored as the background analysis stores it, so the pages timed next find it
        if data_version(db, "lessons") == ours["version"]:
            keep(db, synthesis.ANALYSIS, ours["version"], ours["seconds"], Path(payload_file).read_bytes())
    ratio = ours["seconds"] / anchor["seconds"]
    anchor_label = "scikit-learn TF-IDF + NearestNeighbors(cosine, brute) on the sparse matrix"
    rows = []
    for label, run in (
        (f"anchor: {anchor_label}, {anchor['lessons']:,} lessons (once per change)", anchor),
        (f"synthesis: similarity of all {ours['lessons']:,} lessons (background, once per change): "
         f"{ratio:.2f}x the anchor", ours),
    ):  # fmt: skip
        memory = f"peak {run['peak_mb']:,.0f} MB ({run['base_mb']:,.0f} MB before it), {run['cpu']:,.1f} CPU-s"
        rows.append(summarise(f"{label}; {memory}", [run["seconds"] * 1000]))
    rows[-1].update(
        anchor=anchor_label,
        anchor_median_ms=round(anchor["seconds"] * 1000, 2),
        ratio=round(ratio, 2),
        target_ms=SIMILARITY_TARGET_MS,
        peak_mb=round(ours["peak_mb"]),
        cpu_s=round(ours["cpu"], 1),
        met=ours["seconds"] * 1000 <= SIMILARITY_TARGET_MS and ours["peak_mb"] <= SIMILARITY_TARGET_MB,
    )
    return rows


def network_benchmarks(repeat: int = 20, *, actors: int = 2000, ties: int = 10_000) -> list[dict]:
    """Time the analysis of a pilot network of ``actors`` actors and ``ties`` ties (the size issue #6 sets).

    In a temporary store: its whole analysis as the first view after a network change runs it (metrics, layout, stored),
    then loading the stored analysis on a read-only connection, as every later view does.
    """
    import tempfile

    from lessons import network
    from lessons.store import open_store
    from lessons.synth import add_network_pilot

    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "network.db"
        with closing(open_store(path)) as db:
            slug = add_network_pilot(db, actors=actors, ties=ties)
            start = time.perf_counter()
            network.analysis(db, slug)
            compute_ms = (time.perf_counter() - start) * 1000
        with closing(connect(path, readonly=True)) as db:
            load = _time(lambda: network.analysis(db, slug), repeat)
    return [
        summarise(f"network: metrics of a {actors:,}-actor / {ties:,}-tie pilot (once per change)", [compute_ms]),
        summarise("network: load stored analysis", load),
    ]


#: The account the page benchmark signs in as (made in the benchmark's store, with a random password nobody knows).
BENCH_ADMIN = "bench-admin"


def bench_admin(path: str | Path) -> tuple[int, str | None]:
    """Return the id of the benchmark's administrator in the store at ``path`` (made once) and a workshop code."""
    import secrets

    from lessons.accounts import add_user
    from lessons.permissions import cli_actor

    with closing(connect(path)) as db:
        found = db.execute("SELECT id FROM users WHERE username = ?", [BENCH_ADMIN]).fetchone()
        user_id = found[0] if found else add_user(db, cli_actor(), BENCH_ADMIN, secrets.token_urlsafe(24), role="admin")
        workshop = db.execute("SELECT code FROM workshops ORDER BY id LIMIT 1").fetchone()
    return user_id, workshop[0] if workshop else None


def largest_tables(path: str | Path, n: int) -> list[str]:
    """Up to ``n`` of the store's tables, the largest first (no full-text index or SQLite internal tables)."""
    with closing(connect(path, readonly=True)) as db:
        names = [t for t in db.table_names() if not t.startswith(("sqlite_", "_")) and "_fts" not in t]
        sizes = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}
    return sorted(names, key=lambda t: (-sizes[t], t))[:n]


def page_benchmarks(
    path: str | Path, repeat: int = 10, cold_start: bool = False, *, pages: bool = True, browser: bool = False
) -> list[dict]:
    """Run ``components.page_bench`` in a child process and return its rows.

    ``pages``: every page's warm AppTest run beside an empty page; ``cold_start``: process start to a rendered
    Overview and the server's memory after every page, beside Datasette on the same store; ``browser``: also each
    sidebar click to the page rendered in Chromium, beside Datasette's table page loads.
    """
    from lessons.accounts import actor_for, start_session
    from lessons.synthesis.refresh import bring_up_to_date

    bring_up_to_date(path)  # as after the background analysis: the pages read it and never wait
    user_id, workshop = bench_admin(path)
    command = [sys.executable, "-m", "components.page_bench", "--db", str(path), "--repeat", str(repeat)]
    command += ["--user-id", str(user_id)] + (["--workshop", workshop] if workshop else [])
    command += [flag for flag, on in (("--cold-start", cold_start), ("--browser", browser), ("--no-pages", not pages))
                if on]  # fmt: skip
    env = dict(os.environ, LESSONS_DB=str(path), PYTHONPATH=str(PROJECT_DIR))
    if cold_start or browser:  # the browser signs in by the session cookie, so the Manage pages show their work
        with closing(connect(path)) as db:
            env["LESSONS_BENCH_SESSION"] = start_session(db, actor_for(db, user_id))
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"page benchmark failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)


def workshop_load_benchmark(n: int, *, think: float = 1.0, votes: int = 30) -> dict:
    """Run the workshop load test (``components.workshop_load``) in a child process and return its JSON report.

    ``n`` participants join one workshop through a real server and cast ``votes`` votes each, with think times of
    2–10 s scaled by ``think``. The report has ``participants``, ``votes_sent``, ``votes_stored``, ``duplicates``,
    ``errors``, ``p50_ms``, ``p95_ms``, ``max_ms`` and ``server_peak_mb``, and the figures behind them.
    """
    command = [sys.executable, "-m", "components.workshop_load", str(n), "--think", str(think), "--votes", str(votes)]
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    timeout = 900 + 2 * votes * 10 * think  # start-up and joins, then every think time twice over
    result = subprocess.run(
        [*command, "--json"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"workshop load test failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)


def _lesson_rows(n: int, seed: int = 11) -> list[list]:
    """``n`` lesson rows (key, title, lesson, context, recommendation, kind, themes, phase, status, recorded_on)."""
    import numpy as np

    from lessons.synth import corpus_sentences

    rng = np.random.default_rng(seed)
    corpus = corpus_sentences() or ["A lesson about co-creation with residents and staff."]
    themes = ["trust", "digital", "champions", "governance", "hard-to-reach", "evaluation"]
    kinds = ["enabler", "barrier", "recommendation", "insight"]
    phases = ["initiate", "understand", "co-design", "co-deliver", "evaluate"]
    rows = []
    for i in range(n):
        text = " ".join(corpus[int(k)] for k in rng.integers(0, len(corpus), 2))
        rows.append([
            f"L{i + 1:06d}", text.split(".")[0][:90], text, "", "", kinds[i % 4], ";".join(rng.choice(themes, 2, replace=False)),
            phases[i % 5], "submitted", f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
        ])  # fmt: skip
    return rows


HEADER = ["key", "title", "lesson", "context", "recommendation", "kind", "themes", "phase", "status", "recorded_on"]


def import_benchmarks(workdir: str | Path, *, xlsx_rows: int = 10_000, csv_rows: int = 100_000) -> list[dict]:
    """Time imports: an XLSX of ``xlsx_rows`` lessons in-process, and a CSV of ``csv_rows`` lessons through the CLI.

    The CLI import is measured against the floor, ``sqlite-utils insert`` of the same CSV into a bare table.
    """
    import csv
    import shutil

    from openpyxl import Workbook

    from lessons.ingest.pipeline import run_import
    from lessons.ingest.validate import Options
    from lessons.permissions import cli_actor
    from lessons.store import open_store

    workdir = Path(workdir)
    base = workdir / "import-base.db"
    db = open_store(base)
    db.execute("INSERT INTO pilots (slug, name, country) VALUES ('bench-pilot', 'Benchmark pilot', 'FI')")
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Lessons")
    sheet.append(HEADER)
    for row in _lesson_rows(xlsx_rows):
        sheet.append(row)
    xlsx = workdir / "lessons.xlsx"
    workbook.save(xlsx)
    target = workdir / "import-xlsx.db"
    shutil.copy(base, target)
    db = open_store(target)
    start = time.perf_counter()
    run_import(db, cli_actor(), [(xlsx.name, xlsx.read_bytes())], Options(pilot="bench-pilot"))
    xlsx_ms = (time.perf_counter() - start) * 1000
    db.close()

    csv_path = workdir / "lessons.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(_lesson_rows(csv_rows, seed=12))
    target = workdir / "import-csv.db"
    shutil.copy(base, target)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    command = [sys.executable, "-m", "lessons", "import", str(csv_path), "--pilot", "bench-pilot", "--db", str(target),
               "--quiet"]  # fmt: skip
    cli_ms, cli_cpu, cli_mb = measured(command, env=env)
    floor_db = workdir / "floor.db"
    sqlite_utils = str(Path(sys.executable).parent / "sqlite-utils")
    floor_ms, floor_cpu, floor_mb = measured([sqlite_utils, "insert", str(floor_db), "lessons", str(csv_path), "--csv"])
    cpu_ratio = round(cli_cpu / floor_cpu, 2)
    anchor = "sqlite-utils insert --csv of the same CSV into a bare table"
    return [
        summarise(f"import: {xlsx_rows:,}-lesson XLSX, in-process", [xlsx_ms]),
        summarise(f"anchor: {anchor}; {floor_cpu:,.1f} CPU-s, peak {floor_mb:,.0f} MB", [floor_ms])
        | {"cpu_s": round(floor_cpu, 1), "peak_mb": round(floor_mb)},
        summarise(f"import: {csv_rows:,}-row lessons CSV, CLI; {cli_cpu:,.1f} CPU-s ({cpu_ratio:g}x the anchor's), "
                  f"peak {cli_mb:,.0f} MB", [cli_ms])
        | {
            "anchor": anchor, "anchor_median_ms": round(floor_ms, 2), "ratio": cpu_ratio,
            "target_ratio": IMPORT_TARGET_RATIO, "target_mb": IMPORT_TARGET_MB, "cpu_s": round(cli_cpu, 1),
            "peak_mb": round(cli_mb), "met": cpu_ratio <= IMPORT_TARGET_RATIO and cli_mb <= IMPORT_TARGET_MB,
        },
    ]  # fmt: skip


#: Issue #18's targets for importing a 100,000-row CSV: CPU at most twice sqlite-utils's, peak memory.
IMPORT_TARGET_RATIO, IMPORT_TARGET_MB = 2, 250


def measured(command: list[str], *, env: dict | None = None) -> tuple[float, float, float]:
    """Run ``command`` to its end; return its wall milliseconds, CPU seconds and peak resident MB.

    The command runs under GNU ``time`` when installed, so its peak is its own: a child of this process would report
    at least this process's own size (Linux keeps the resident high-water mark across ``fork`` and ``exec``). Raises
    ``RuntimeError`` with the end of its error output when it fails.
    """
    import shutil
    import tempfile

    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as report:
        wrapped = [gnu_time, "-f", "%U %S %M", "-o", report.name, *command] if gnu_time else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = (time.perf_counter() - start) * 1000
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{command[:4]} failed:\n{errors.read().decode(errors='replace')[-2000:]}")
        if gnu_time:
            user, system, kib = report.read().split()[-3:]
            return wall, float(user) + float(system), int(kib) / 1024
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def vote_benchmarks(*, writers: int = 100, votes: int = 50, pause_ms: float = 100.0) -> list[dict]:
    """Time vote writes with ``writers`` concurrent writers.

    Each writer is a thread with its own connection to a temporary file store casting ``votes`` votes through
    :func:`lessons.workshops.cast_vote`; latency is timed per vote inside each thread. Two rows: writers pausing a
    random 0–``pause_ms`` ms between votes (still ~20 votes a second each, some 40 times faster than a person reading
    statements on a phone), and writers with no pause at all (the store saturated: each vote then queues behind the
    others, so that row is the worst case, not the target). Raises if any vote is lost or any error reaches a writer.
    """
    import random
    import tempfile
    import threading

    from lessons import workshops
    from lessons.permissions import cli_actor
    from lessons.store import open_store

    def run(path: Path, pause: float) -> list[float]:
        with closing(open_store(path)) as db:
            cli = cli_actor()
            code = workshops.create_workshop(db, cli, "Benchmark")
            workshops.add_statements(db, cli, code, texts=[f"Benchmark statement {i:03d}." for i in range(votes)])
            workshops.open_workshop(db, cli, code)
            tokens = [workshops.join(db, code, stakeholder_group="public") for _ in range(writers)]
        samples: list[float] = []
        errors: list[str] = []
        barrier = threading.Barrier(writers)

        def writer(token: str) -> None:
            rng = random.Random(token)
            mine = []
            with closing(connect(path)) as conn:
                barrier.wait()
                for i in range(votes):
                    time.sleep(rng.uniform(0, pause))
                    start = time.perf_counter()
                    try:
                        workshops.cast_vote(conn, token, workshops.statement_key(i + 1), rng.choice((1, -1, 0)))
                    except Exception as error:  # noqa: BLE001 - reported below
                        errors.append(repr(error))
                    mine.append((time.perf_counter() - start) * 1000)
            samples.extend(mine)

        threads = [threading.Thread(target=writer, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with closing(connect(path, readonly=True)) as db:
            stored = db.execute("SELECT count(*) FROM votes").fetchone()[0]
        if errors or stored != writers * votes:
            raise RuntimeError(f"votes lost: {stored} stored of {writers * votes}; errors {errors[:3]}")
        return samples

    with tempfile.TemporaryDirectory() as workdir:
        paused = run(Path(workdir) / "paused.db", pause_ms / 1000)
        saturated = run(Path(workdir) / "saturated.db", 0.0)
    return [
        summarise(f"workshop: vote write with {writers} concurrent writers", paused),
        summarise(f"workshop: vote write with {writers} concurrent writers, no pause (saturated)", saturated),
    ]


def workshop_analysis_benchmarks(repeat: int = 5, *, participants: int = 500, statements: int = 200) -> list[dict]:
    """Time live workshop results for a seeded ``participants`` × ``statements`` vote matrix with three latent camps.

    Issue #7 asks under 2 s. Timed: the analysis alone, the whole results of a store holding those votes (read, analyse,
    store; once per vote), and reading the stored results back, as every later page rerun does.
    """
    from lessons.store import open_memory_store
    from lessons.workshops import analysis as workshop_analysis

    matrix, people, texts = workshop_analysis.synthetic_votes(participants, statements, camps=3, seed=7)
    analyse = _time(lambda: workshop_analysis.analyse(matrix, people, texts), repeat)
    with closing(open_memory_store()) as db:
        workshop = db["workshops"].insert({"code": "BENCH7", "title": "Benchmark", "status": "open"}).last_pk
        db["statements"].insert_all(
            {"id": int(s.id), "workshop_id": workshop, "key": s.key, "text": s.text} for s in texts.itertuples()
        )
        db["participants"].insert_all(
            {"id": int(p.id), "workshop_id": workshop, "token": f"bench-{p.id}", "stakeholder_group": None}
            for p in people.itertuples()
        )
        stacked = matrix.stack().dropna().reset_index()
        db["votes"].insert_all(
            {"participant_id": int(p), "statement_id": int(s), "value": int(v)} for p, s, v in stacked.itertuples(False)
        )
        start = time.perf_counter()
        workshop_analysis.results(db, "BENCH7")
        compute_ms = (time.perf_counter() - start) * 1000
        load = _time(lambda: workshop_analysis.results(db, "BENCH7"), repeat)
    size = f"{participants:,} participants × {statements:,} statements"
    return [
        summarise(f"workshop: analyse {size}", analyse),
        summarise(f"workshop: results of {size} from the store (once per vote)", [compute_ms]),
        summarise("workshop: load stored results", load),
    ]


def export_child(kind: str, path: str, folder: str) -> dict:
    """Run in a fresh process by :func:`bundle_benchmark`: make one export into ``folder``; seconds and peak memory.

    ``kind`` is ``bundle`` (the bundle without briefs, streamed into a file as ``export --format bundle`` writes it),
    ``tables`` (the same without the pilots' network files: the database and the data package, like for like with the
    anchor) or ``anchor`` (what any tool must do at least: a copy with SQLite's backup API plus a CSV of each shared table,
    ``csv.writer`` over the same queries, uncompressed).
    """
    import csv
    import resource
    import sqlite3

    from lessons import bundle
    from lessons.files import atomic_output

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with closing(connect(path, readonly=True)) as db:
        if kind in ("bundle", "tables"):
            with atomic_output(Path(folder) / "bundle.zip") as out:
                bundle.write_bundle(db, out, networks=kind == "bundle")
        else:
            with closing(sqlite3.connect(Path(folder) / "anchor.db")) as copy:
                db.conn.backup(copy)
            for table in bundle.shared_tables(db):
                names, sql = bundle.tables._select(db, table)
                with open(Path(folder) / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
                    writer = csv.writer(f)
                    writer.writerow(names)
                    writer.writerows(db.execute(sql))
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(folder).iterdir())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"seconds": seconds, "peak_mb": peak / 1024, "base_mb": base / 1024, "mb": size / 1e6}


def bundle_benchmark(path: str | Path) -> list[dict]:
    """Time the bundle (no briefs) against the anchor (backup + CSV dump), each in a fresh process on the same store.

    Reports seconds, the ratio, and each process's peak resident memory (its RSS high-water mark).
    """
    import tempfile

    found = {}
    for kind in ("anchor", "tables", "bundle"):
        with tempfile.TemporaryDirectory() as folder:
            code = f"import json; from lessons.bench import export_child; print(json.dumps(export_child({kind!r}, {str(path)!r}, {folder!r})))"
            done = subprocess.run(
                [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
            )
            found[kind] = json.loads(done.stdout.splitlines()[-1])
    anchor, tables, made = found["anchor"], found["tables"], found["bundle"]
    ratio = made["seconds"] / anchor["seconds"]
    like = tables["seconds"] / anchor["seconds"]
    rows = []
    for label, run in (
        ("anchor: SQLite backup + CSV of each shared table", anchor),
        (f"bundle's tables (database + data package, privacy rule applied), zipped: {like:.1f}x the anchor", tables),
        (f"bundle streamed to a file, no briefs (tables + networks): {ratio:.1f}x the anchor", made),
    ):
        memory = f"peak {run['peak_mb']:,.0f} MB ({run['base_mb']:,.0f} MB after imports), {run['mb']:,.0f} MB written"
        rows.append(summarise(f"{label}; {memory} (once per change)", [run["seconds"] * 1000]))
    return rows


def export_benchmarks(path: str | Path) -> list[dict]:
    """Time briefs, the roadmap and the bundle, made as the *Data and exports* page makes them on a click.

    Each is made once (the page caches them per data version). The stored analyses they use are computed first, as after
    any change.
    """
    from lessons import report, synthesis
    from lessons.report.render import render
    from lessons.store import connect

    rows = []
    with closing(connect(path)) as db:
        synthesis.similarity(db)  # stored, as the What recurs and Data and exports pages store it after a change
    with closing(connect(path, readonly=True)) as db:
        theme, lessons = db.execute(
            """SELECT t.code, count(*) FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
               GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"""
        ).fetchone()
        pilot = db.execute("SELECT slug FROM pilots ORDER BY id LIMIT 1").fetchone()[0]
        for label, make in (
            (
                f"brief: theme with most lessons ({lessons:,}), PDF",
                lambda: render(report.theme_brief(db, theme), ("pdf",)),
            ),
            ("brief: the same theme, HTML", lambda: render(report.theme_brief(db, theme), ("html",))),
            ("brief: a pilot, PDF", lambda: render(report.pilot_brief(db, pilot), ("pdf",))),
            ("roadmap: PDF", lambda: render(report.roadmap(db), ("pdf",))),
            ("bundle: the briefs it carries (roadmap, models, themes)", lambda: report.bundle_briefs(db)),
        ):
            rows.append(summarise(f"{label} (once per change)", _time(make, 1)))
    return rows + bundle_benchmark(path)


def run_benchmark(
    path: str | Path,
    *,
    repeat: int = 20,
    pages: bool = True,
    cold_start: bool = False,
    imports: bool = False,
    exports: bool = False,
    browser: bool = False,
    anchors: bool = False,
) -> list[dict]:
    """All benchmark rows for the store at ``path``; each part says on standard error when it starts."""
    started = time.perf_counter()

    def part(name: str) -> None:
        print(f"[bench {time.perf_counter() - started:6.0f} s] {name}…", file=sys.stderr, flush=True)

    part("store queries and synthesis")
    rows = store_benchmarks(path, repeat)
    part("network metrics")
    rows += network_benchmarks(repeat)
    part("workshop analysis")
    rows += workshop_analysis_benchmarks()
    if anchors:
        part("workshop results beside red-dwarf, one thread each")
        rows += red_dwarf_benchmark(bench_dir(), say=lambda text: part(text))
    part("vote writes, 100 concurrent writers")
    rows += vote_benchmarks()
    if imports:
        import tempfile

        part("imports")
        with tempfile.TemporaryDirectory() as workdir:
            rows += import_benchmarks(workdir)
    if exports:
        part("exports")
        rows += export_benchmarks(path)
    if pages or cold_start or browser:
        part("pages" + (", then the app and Datasette in Chromium" if cold_start or browser else ""))
        rows += page_benchmarks(path, repeat=max(5, repeat // 2), cold_start=cold_start, pages=pages, browser=browser)
    part("done")
    with closing(connect(path, readonly=True)) as db:
        scale = round(db.execute("SELECT count(*) FROM lessons").fetchone()[0] / LESSONS_PER_SCALE, 2)
    return complete(rows, scale)


#: The scales ``bench --growth`` times, and its rule: an operation grows faster than the data when its median grows
#: more than this many times the data's own growth from scale 1 to scale 10.
GROWTH_SCALES = (0.2, 1, 2, 10)
GROWTH_SLACK = 1.5


def bench_dir() -> Path:
    """Return the folder of the benchmark's stores: ``$BENCH_DIR``, else ``$TMPDIR/cross-pilot-lessons-bench``."""
    return Path(os.environ.get("BENCH_DIR") or Path(os.environ.get("TMPDIR") or "/tmp") / "cross-pilot-lessons-bench")


def synthetic_store(folder: str | Path, scale: float, *, say=print) -> Path:
    """Return the synthetic store of ``scale`` in ``folder`` (``bench-SCALE.db``), made unless it is there already.

    It is made with ``python -m lessons synth``, as ``make bench`` makes its stores.
    """
    path = Path(folder) / f"bench-{scale:g}.db"
    if path.exists():
        with closing(connect(path, readonly=True)) as db:
            lessons = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
        if abs(lessons - scale * LESSONS_PER_SCALE) <= 0.05 * scale * LESSONS_PER_SCALE:
            open_store(path).close()  # made by an older version: migrated first, as the app would
            return path
    Path(folder).mkdir(parents=True, exist_ok=True)
    say(f"building the scale-{scale:g} store {path} (python -m lessons synth)")
    command = [sys.executable, "-m", "lessons", "synth", "--scale", f"{scale:g}", "--db", str(path), "--replace"]
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    subprocess.run(command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    return path


def growth_benchmark(folder: str | Path, scales=GROWTH_SCALES, repeat: int = 10, *, say=print) -> list[dict]:
    """Time the store benchmarks on synthetic stores of each scale and say how each operation grows with the data.

    One row per operation: its median at each scale (``median_ms_at``), the data's growth (lessons) and the
    operation's growth from scale 1 to the largest scale, and ``faster`` when the operation grew more than
    :data:`GROWTH_SLACK` times the data's growth (that is, faster than linear, with room for noise).
    """
    found = {}
    lessons = {}
    for scale in scales:
        path = synthetic_store(folder, scale, say=say)
        say(f"store benchmarks at scale {scale:g}")
        with closing(connect(path, readonly=True)) as db:
            lessons[scale] = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
        found[scale] = store_benchmarks(path, repeat)
    base = 1 if 1 in scales else scales[0]
    top = max(scales)
    data_growth = lessons[top] / lessons[base]
    rows = []
    for at_scale in zip(*(found[scale] for scale in scales)):  # the same operations in the same order at every scale
        name = at_scale[-1]["operation"].split(";")[0]
        name = re.sub(r":? [\d.]+x the anchor", "", re.sub(r"(all )?[\d,]+ lessons", "all lessons", name))
        medians = {f"{scale:g}": row["median_ms"] for scale, row in zip(scales, at_scale)}
        low, high = medians[f"{base:g}"], medians[f"{top:g}"]
        growth = round(high / low, 2) if low > 0 else None
        rows.append({
            "operation": name, "median_ms_at": medians, "data_growth": round(data_growth, 2), "growth": growth,
            "faster": growth is not None and growth > GROWTH_SLACK * data_growth,
        })  # fmt: skip
    return rows


#: The anchor of the workshop results (issue #18): red-dwarf, the Pol.is algorithm in Python, in its own environment.
RED_DWARF = "red-dwarf==0.4.0"
RED_DWARF_TARGET_RATIO = 0.2
#: One thread for every numeric library, in both processes.
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}  # fmt: skip
_RED_DWARF_CHILD = """
import json, statistics, sys, time
from reddwarf.implementations.polis import run_pipeline
votes = json.load(open(sys.argv[1]))
run_pipeline(votes=votes, random_state=7)  # warm: imports and first-call costs
samples = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    run_pipeline(votes=votes, random_state=7)
    samples.append((time.perf_counter() - start) * 1000)
print(json.dumps(samples))
"""


def red_dwarf_python(folder: str | Path, *, say=print) -> Path:
    """Return the Python of a virtual environment in ``folder`` holding red-dwarf, made (with pip) if missing.

    red-dwarf's own pins may differ from this project's, so it never enters the project's environment. Raises
    ``RuntimeError`` saying what to do when the environment cannot be made (no network, no pip).
    """
    venv = Path(folder) / "red-dwarf-venv"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import reddwarf.implementations.polis"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    say(f"installing {RED_DWARF} into its own environment {venv} (once; needs the network)")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for step in ([sys.executable, "-m", "venv", str(venv)], [str(python), "-m", "pip", "install", "-q", RED_DWARF]):
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"could not install {RED_DWARF} into {venv} ({' '.join(step[-3:])} failed):\n{done.stderr[-1500:]}\n"
                f"Install it by hand: python -m venv {venv} && {python} -m pip install {RED_DWARF}"
            )
    return python


def workshop_child(participants: int, statements: int, repeat: int) -> list[float]:
    """Run in a one-thread process by :func:`red_dwarf_benchmark`: time ``analyse`` on the seeded vote matrix (ms)."""
    from lessons.workshops import analysis as workshop_analysis

    matrix, people, texts = workshop_analysis.synthetic_votes(participants, statements, camps=3, seed=7)
    return _time(lambda: workshop_analysis.analyse(matrix, people, texts), repeat)


def red_dwarf_benchmark(
    folder: str | Path, *, participants: int = 500, statements: int = 200, repeat: int = 5, say=print
) -> list[dict]:
    """Time the workshop results beside red-dwarf's ``run_pipeline`` on the same seeded votes, both on one thread.

    Ours: :func:`lessons.workshops.analysis.analyse` on the vote matrix (groups, consensus, divisive and uncertain
    statements, per-group statistics). The anchor: red-dwarf 0.4.0's Pol.is pipeline (PCA, k-means with the group
    count chosen by silhouette, representative and consensus statements) on the same votes as its list of vote
    records, in its own environment (see :func:`red_dwarf_python`). Each is timed warm, in a fresh process with every
    numeric library held to one thread. Target: at most a fifth of red-dwarf's time.
    """
    import tempfile

    from lessons.workshops import analysis as workshop_analysis

    python = red_dwarf_python(folder, say=say)
    matrix, _, _ = workshop_analysis.synthetic_votes(participants, statements, camps=3, seed=7)
    stacked = matrix.stack().dropna().reset_index()
    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 1_700_000_000_000 + i}
        for i, (p, s, v) in enumerate(stacked.itertuples(index=False))
    ]
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), **ONE_THREAD)
    with tempfile.TemporaryDirectory() as tmp:
        votes_file = Path(tmp) / "votes.json"
        votes_file.write_text(json.dumps(votes))
        theirs = subprocess.run(
            [str(python), "-c", _RED_DWARF_CHILD, str(votes_file), str(repeat)],
            cwd=tmp, env={k: v for k, v in env.items() if k != "PYTHONPATH"}, capture_output=True, text=True,
        )  # fmt: skip
        if theirs.returncode != 0:
            raise RuntimeError(f"red-dwarf's run_pipeline failed:\n{theirs.stderr[-2000:]}")
    code = f"import json; from lessons.bench import workshop_child; print(json.dumps(workshop_child({participants}, {statements}, {repeat})))"
    ours = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if ours.returncode != 0:
        raise RuntimeError(f"the workshop analysis failed:\n{ours.stderr[-2000:]}")
    size = f"{participants:,} participants × {statements:,} statements, {len(votes):,} votes"
    return [
        against(
            summarise(f"workshop: results of {size}, one thread", json.loads(ours.stdout.splitlines()[-1])),
            "red-dwarf 0.4.0 run_pipeline (Pol.is: PCA, k-means, repness, consensus), one thread",
            json.loads(theirs.stdout.splitlines()[-1]),
            target_ratio=RED_DWARF_TARGET_RATIO,
        )
    ]

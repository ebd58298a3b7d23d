"""Commands that make, fill and measure the store: ``init``, ``demo``, ``stats``, ``synth``, ``analyse``, ``bench``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lessons.accounts import has_users
from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, FIRST_ADMIN_HINT, print_table
from lessons.store import connect, migrate, open_store, resolve_db_path, table_counts


def cmd_init(args) -> int:
    """Run the ``init`` command: create the store if needed and apply its pending migrations; return the exit code."""
    path = resolve_db_path(args.db)
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    applied = migrate(db)
    if existed:
        print(f"Migrated {path}: {len(applied)} migration(s) applied" + (f" ({', '.join(applied)})" if applied else ""))
    else:
        print(f"Created an empty store at {path}. Load the demo with `python -m lessons demo --db {path}`.")
    if not has_users(db):
        print(FIRST_ADMIN_HINT)
    return EXIT_OK


def add_init(sub, common) -> None:
    """Add the ``init`` command's options."""
    sub.add_parser("init", parents=[common], help="create an empty store, or migrate an existing one").set_defaults(
        func=cmd_init
    )


def cmd_demo(args) -> int:
    """Run the ``demo`` command: load the illustrative demo data into an empty store; return the exit code."""
    from lessons.demo import DemoDataError, load_demo
    from lessons.store import is_empty

    path = resolve_db_path(args.db)
    db = open_store(path)
    if not is_empty(db):
        print(f"{path} already holds pilots; the demo loads only into an empty store.", file=sys.stderr)
        return EXIT_INVALID
    try:
        counts = load_demo(db)
    except DemoDataError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    print(f"Loaded the illustrative demo data into {path}:")
    print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def add_demo(sub, common) -> None:
    """Add the ``demo`` command's options."""
    sub.add_parser("demo", parents=[common], help="load the illustrative demo data into an empty store").set_defaults(
        func=cmd_demo
    )


def cmd_stats(args) -> int:
    """Run the ``stats`` command: print the number of rows in each table; return the exit code."""
    db = ensure_store(args.db)
    counts = table_counts(db)
    if args.json:
        print(json.dumps({"db": str(resolve_db_path(args.db)), "tables": counts}, indent=2))
    else:
        print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def add_stats(sub, common) -> None:
    """Add the ``stats`` command's options."""
    p = sub.add_parser("stats", parents=[common], help="rows per table")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_stats)


def cmd_synth(args) -> int:
    """Run the ``synth`` command: write a synthetic consortium of the given scale; return the exit code."""
    from lessons.synth import synthesize

    path = resolve_db_path(args.db)
    if path.exists():
        if not args.replace:
            print(f"{path} exists; pass --replace to overwrite it with synthetic data.", file=sys.stderr)
            return EXIT_INVALID
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    counts, seconds = synthesize(path, scale=args.scale, seed=args.seed)
    print(f"Synthetic consortium at scale {args.scale:g} written to {path} in {seconds:.1f} s:")
    print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def add_synth(sub, common) -> None:
    """Add the ``synth`` command's options."""
    p = sub.add_parser("synth", parents=[common], help="generate a synthetic consortium for benchmarks")
    p.add_argument("--scale", type=float, default=1.0, help="1 = 50 pilots, 5,000 lessons, 100,000 votes (default 1)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--replace", action="store_true", help="overwrite an existing database file")
    p.set_defaults(func=cmd_synth)


def cmd_analyse(args) -> int:
    """Run the ``analyse`` command: compute and store the text similarity of the lessons; return the exit code."""
    from lessons.synthesis import similarity

    db = ensure_store(args.db)
    lessons = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
    result = similarity(db)
    print(
        f"Lesson similarity for data version {result.data_version}: the texts of {lessons:,} lessons compared in "
        f"{result.seconds:.1f} s, {len(result.edge_a):,} pairs of similar lessons, {len(result.merge_a):,} merges."
    )
    return EXIT_OK


def add_analyse(sub, common) -> None:
    """Add the ``analyse`` command's options."""
    p = sub.add_parser(
        "analyse",
        parents=[common],
        help="compare every lesson's text now (the app does it in the background after a change)",
    )
    p.set_defaults(func=cmd_analyse)


def cmd_bench(args) -> int:
    """Run the ``bench`` command: time the app's heavy operations on an existing store; return the exit code."""
    from lessons.bench import run_benchmark, workshop_load_benchmark

    if args.workshop_load:
        report = workshop_load_benchmark(args.workshop_load, think=args.think, votes=args.votes)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            keys = ["participants", "votes_sent", "votes_stored", "duplicates", "errors", "p50_ms", "p95_ms",
                    "max_ms", "server_peak_mb"]  # fmt: skip
            print_table([{"measure": k, "value": report.get(k)} for k in keys], ["measure", "value"])
        return EXIT_OK if not report.get("errors") and report.get("votes_stored") == report.get("votes_sent") else 1
    if args.growth:
        return bench_growth(args)
    path = resolve_db_path(args.db)
    if not path.exists():
        print(f"No database at {path}; make one with `python -m lessons synth --scale 1 --db {path}`.", file=sys.stderr)
        return EXIT_INVALID
    open_store(path).close()  # a store made by an older version is migrated first, as the app would on start
    rows = run_benchmark(
        path,
        repeat=args.repeat,
        pages=not args.no_pages,
        cold_start=args.cold_start,
        imports=args.imports,
        exports=args.exports,
        **({"browser": True} if args.browser else {}),
        **({"anchors": True} if args.anchors else {}),
    )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(bench_table(rows), list(BENCH_TABLE))
    return EXIT_OK


def bench_growth(args) -> int:
    """Run ``bench --growth``: the store benchmarks at several scales, and which operations outgrow the data."""
    from lessons.bench import GROWTH_SCALES, GROWTH_SLACK, bench_dir, growth_benchmark

    scales = [float(s) for s in args.scales.split(",")] if args.scales else list(GROWTH_SCALES)
    folder = Path(args.bench_dir) if args.bench_dir else bench_dir()

    def say(text: str) -> None:
        print(f"[bench --growth] {text}", file=sys.stderr, flush=True)

    rows = growth_benchmark(folder, scales, repeat=args.repeat, say=say)
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    top, base = f"{max(scales):g}", f"{1 if 1 in scales else scales[0]:g}"
    columns = [*(f"ms@{s:g}" for s in scales), f"growth {base}->{top}", "data", "flag"]
    print_table(
        [
            {"operation": r["operation"], **{f"ms@{k}": v for k, v in r["median_ms_at"].items()},
             f"growth {base}->{top}": "" if r["growth"] is None else f"{r['growth']:.1f}x",
             "data": f"{r['data_growth']:.1f}x", "flag": "grows faster than the data" if r["faster"] else ""}
            for r in rows
        ],
        ["operation", *columns],
    )  # fmt: skip
    print(
        f"\nRule: an operation grows faster than the data when its median from scale {base} to scale {top} grows more "
        f"than {GROWTH_SLACK:g} x the data's growth (lessons); medians in ms, store of each scale in {folder}."
    )
    return EXIT_OK


#: The columns of ``bench``'s table (``--json`` has every key of ``lessons.bench.COLUMNS``).
BENCH_TABLE = ("operation", "n", "median_ms", "p95_ms", "anchor_ms", "ratio", "target", "met")


def bench_table(rows: list[dict]) -> list[dict]:
    """Lay out benchmark rows as the table shows them: the anchor's median, the ratio, the target, met yes/NO."""
    shown = []
    for row in rows:
        goal = []
        if row.get("target_ms") is not None:
            goal.append(f"<= {row['target_ms']} ms")
        if row.get("target_mb") is not None:
            goal.append(f"<= {row['target_mb']} MB")
        if row.get("target_p95_ms") is not None:
            goal.append(f"p95 <= {row['target_p95_ms']} ms")
        if row.get("target_ratio") is not None:
            goal.append(f"<= {row['target_ratio']}x")
        shown.append(
            {
                "operation": row["operation"], "n": row["n"],
                "median_ms": "" if row["median_ms"] is None else row["median_ms"],
                "p95_ms": "" if row["p95_ms"] is None else row["p95_ms"],
                "anchor_ms": "" if row.get("anchor_median_ms") is None else row["anchor_median_ms"],
                "ratio": "" if row.get("ratio") is None else f"{row['ratio']:,.2f}",
                "target": ", ".join(goal), "met": {True: "yes", False: "NO"}.get(row.get("met"), ""),
            }
        )  # fmt: skip
    return shown


def add_bench(sub, common) -> None:
    """Add the ``bench`` command's options."""
    p = sub.add_parser("bench", parents=[common], help="time the core operations and every page")
    p.add_argument("--repeat", type=int, default=20, help="timed runs per operation (default 20)")
    p.add_argument("--no-pages", action="store_true", help="skip the AppTest page runs")
    p.add_argument(
        "--cold-start", action="store_true", help="also time the app's cold start in Chromium (on the demo data)"
    )
    p.add_argument("--imports", action="store_true", help="also time XLSX and CSV imports (about a minute)")
    p.add_argument("--exports", action="store_true", help="also time briefs, the roadmap and the bundle, once each")
    p.add_argument(
        "--browser", action="store_true",
        help="also time in-app navigation in Chromium (each sidebar click) beside Datasette's page loads",
    )  # fmt: skip
    p.add_argument(
        "--workshop-load", type=int, metavar="N",
        help="instead: start the app and send N simulated participants into one workshop through the real server",
    )  # fmt: skip
    p.add_argument("--think", type=float, default=1.0, help="with --workshop-load: scale the 2-10 s think time")
    p.add_argument("--votes", type=int, default=30, help="with --workshop-load: votes per participant (default 30)")
    p.add_argument(
        "--anchors", action="store_true",
        help="also time the workshop results beside red-dwarf's run_pipeline, one thread each (red-dwarf is installed "
        "into its own environment in the bench folder on first use)",
    )  # fmt: skip
    p.add_argument(
        "--growth", action="store_true",
        help="instead: time the store at scales 0.2, 1, 2 and 10 (made or reused in the bench folder) and flag any "
        "operation that grows faster than the data",
    )  # fmt: skip
    p.add_argument("--scales", help="with --growth: the scales, comma-separated (default 0.2,1,2,10)")
    p.add_argument(
        "--bench-dir", help="with --growth: the folder of the stores (default $BENCH_DIR, else the make bench folder)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_bench)

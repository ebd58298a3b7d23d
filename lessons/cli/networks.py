"""Commands on stakeholder networks: ``network-export`` and ``network-stats``."""

from __future__ import annotations

import json
import sys

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, print_table
from lessons.files import write_atomic


def cmd_network_export(args) -> int:
    """Run the ``network-export`` command: write a pilot's network to a file; return the exit code."""
    from lessons.network_io import export_network, pilot_network_frames

    db = ensure_store(args.db)
    filters = {"relations": args.relation, "period": args.period}
    try:
        nodes, ties = pilot_network_frames(db, args.pilot, **filters)
        data = export_network(db, args.pilot, args.format, per_edge_direction=args.per_edge_direction, **filters)
    except ValueError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    write_atomic(args.out, data)
    print(f"Wrote {len(nodes):,} stakeholders and {len(ties):,} ties of {args.pilot} to {args.out}.")
    if args.format in ("graphml", "gexf") and ties["directed"].nunique() > 1 and not args.per_edge_direction:
        print(
            "note: the network mixes directed and undirected ties; it is written as a directed graph with each "
            "tie's direction in the edge attribute 'directed' (networkx and igraph read it). For Gephi's mixed "
            "graphs or to upload it here again, add --per-edge-direction (networkx then refuses the file).",
            file=sys.stderr,
        )
    return EXIT_OK


def add_network_export(sub, common) -> None:
    """Add the ``network-export`` command's options."""
    p = sub.add_parser("network-export", parents=[common], help="write a pilot's stakeholder network to a file")
    p.add_argument("--pilot", required=True, metavar="SLUG")
    p.add_argument(
        "--format",
        required=True,
        choices=["graphml", "gexf", "csv", "zip"],
        help="GraphML, GEXF 1.2draft, a CSV edge list, or a ZIP of stakeholders.csv and ties.csv",
    )
    p.add_argument("--relation", action="append", default=[], metavar="R", help="only ties of this relation (repeat)")
    p.add_argument("--period", default="all", help="baseline, end, an ISO date, or all (default)")
    p.add_argument(
        "--per-edge-direction",
        action="store_true",
        help="GraphML/GEXF: mark undirected ties of a mixed network per edge (Gephi, re-import; networkx refuses)",
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_network_export)


def _metric_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_metric_text(v)}" for k, v in value.items())
    return str(value)


def cmd_network_stats(args) -> int:
    """Run the ``network-stats`` command: print a pilot network's metrics, as a table or JSON; return the exit code."""
    import pandas as pd

    from lessons.network import SCALAR_METRICS, analysis

    db = ensure_store(args.db)
    try:
        result = analysis(db, args.pilot, relations=args.relation, period=args.period)
    except ValueError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        out = {
            "pilot": result.pilot,
            "period": result.period,
            "relations": list(result.relations),
            "data_version": result.data_version,
            "approximate": result.approximate,
            "network": result.metrics,
            "actors": json.loads(result.actors.to_json(orient="records")),
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return EXIT_OK
    chosen = ", ".join(result.relations) or "all relations"
    print(f"Network of {result.pilot} ({result.period}, {chosen}); betweenness normalised as networkx does.")
    if result.approximate:
        print("Betweenness and closeness are estimated from sampled sources (a network this size).")
    rows = [{"metric": k, "value": _metric_text(result.metrics.get(k))} for k in ["directed", *SCALAR_METRICS]]
    rows += [{"metric": "sector_mix", "value": _metric_text(result.metrics["sector_mix"])}]
    rows += [{"metric": "ei_by_sector", "value": _metric_text(result.metrics["ei_by_sector"])}]
    print_table(rows, ["metric", "value"])
    print()
    columns = ["key", "name", "sector", "degree", "in_degree", "out_degree", "betweenness", "closeness",
               "eigenvector", "pagerank", "community", "brokerage_role", "is_broker"]  # fmt: skip
    table = result.actors.sort_values(["betweenness", "key"], ascending=[False, True])[columns]
    cells = [dict(zip(columns, (_metric_text(v) for v in row))) for row in table.itertuples(index=False)]
    numeric = {
        c for c in columns if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    }
    print_table(cells, columns, right=numeric)
    return EXIT_OK


def add_network_stats(sub, common) -> None:
    """Add the ``network-stats`` command's options."""
    p = sub.add_parser(
        "network-stats", parents=[common], help="a pilot's network metrics and each actor's (stored per change)"
    )
    p.add_argument("--pilot", required=True, metavar="SLUG")
    p.add_argument(
        "--relation", action="append", default=[], metavar="TYPE", help="only ties of this relation (repeat)"
    )
    p.add_argument("--period", choices=["end", "baseline", "all"], default="end", help="which ties (default end)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_network_stats)

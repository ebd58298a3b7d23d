"""``python -m lessons``: create, fill, inspect and benchmark the store from the command line.

The database path comes from ``--db``, else ``$LESSONS_DB``, else ``data/lessons.db``. Every command except
``init`` and ``synth`` creates the demo database first when no database exists yet, as the app does.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from lessons.accounts import AccountError, has_users
from lessons.editing import EditError
from lessons.files import OutputError, atomic_output, write_atomic
from lessons.lifecycle import LifecycleError
from lessons.model_authoring import ModelError
from lessons.permissions import ROLES, PermissionDenied, cli_actor
from lessons.store import connect, migrate, open_store, resolve_db_path, table_counts
from lessons.workshops import WorkshopError

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
FIRST_ADMIN_HINT = (
    "No accounts yet. Create the first administrator with:\n"
    "    python -m lessons user add NAME --role admin\n"
    "(you will be asked for a password; or pipe it in on standard input)."
)


def ensure_store(path: str | Path | None = None):
    """Open the store at ``path``; when there is no database yet, create it from the demo data."""
    from lessons.demo import load_demo

    path = resolve_db_path(path)
    fresh = not path.exists()
    db = open_store(path)
    if fresh:
        load_demo(db)
    return db


def _print_table(rows: list[dict], columns: list[str], out=None) -> None:
    out = out or sys.stdout
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in columns}
    out.write("  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    out.write("  ".join("-" * widths[c] for c in columns) + "\n")
    for r in rows:
        cells = []
        for c in columns:
            value = r.get(c, "")
            text = f"{value:,.1f}" if isinstance(value, float) else str(value)
            cells.append(text.rjust(widths[c]) if isinstance(value, (int, float)) else text.ljust(widths[c]))
        out.write("  ".join(cells).rstrip() + "\n")


def cmd_init(args) -> int:
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


def cmd_demo(args) -> int:
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
    _print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def cmd_stats(args) -> int:
    db = ensure_store(args.db)
    counts = table_counts(db)
    if args.json:
        print(json.dumps({"db": str(resolve_db_path(args.db)), "tables": counts}, indent=2))
    else:
        _print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def cmd_synth(args) -> int:
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
    _print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def cmd_analyse(args) -> int:
    from lessons.synthesis import similarity

    db = ensure_store(args.db)
    lessons = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
    result = similarity(db)
    print(
        f"Lesson similarity for data version {result.data_version}: the texts of {lessons:,} lessons compared in "
        f"{result.seconds:.1f} s, {len(result.edge_a):,} pairs of similar lessons, {len(result.merge_a):,} merges."
    )
    return EXIT_OK


def cmd_bench(args) -> int:
    from lessons.bench import run_benchmark

    path = resolve_db_path(args.db)
    if not path.exists():
        print(f"No database at {path}; make one with `python -m lessons synth --scale 1 --db {path}`.", file=sys.stderr)
        return EXIT_INVALID
    rows = run_benchmark(
        path,
        repeat=args.repeat,
        pages=not args.no_pages,
        cold_start=args.cold_start,
        imports=args.imports,
        exports=args.exports,
    )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_table(rows, ["operation", "n", "median_ms", "p95_ms"])
    return EXIT_OK


def read_password(prompt: str = "Password: ") -> str:
    """A new password from a hidden prompt (asked twice), or the first line of standard input when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Repeat the password: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def cmd_user(args) -> int:
    from lessons.accounts import add_user, list_users, remove_user, set_password, update_user

    db = ensure_store(args.db)
    actor = cli_actor()
    if args.user_command == "list":
        users = list_users(db, actor)
        if args.json:
            print(users.to_json(orient="records", indent=2))
        elif users.empty:
            print(FIRST_ADMIN_HINT)
        else:
            _print_table(
                users.fillna("").to_dict("records"),
                ["username", "role", "pilots", "active", "display_name", "last_login_at"],
            )
        return EXIT_OK
    if args.user_command == "add":
        add_user(
            db,
            actor,
            args.name,
            read_password(),
            role=args.role,
            pilots=args.pilot,
            display_name=args.display_name,
            email=args.email,
        )
        print(f"Created {args.role} {args.name!r}.")
    elif args.user_command == "passwd":
        set_password(db, actor, args.name, read_password("New password: "))
        print(f"Changed the password of {args.name!r}.")
    elif args.user_command == "update":
        update_user(
            db, actor, args.name, role=args.role, pilots=args.pilot, display_name=args.display_name, email=args.email,
            active=None if args.active is None else args.active == "yes",
        )  # fmt: skip
        print(f"Updated {args.name!r}.")
    elif args.user_command == "remove":
        remove_user(db, actor, args.name)
        print(f"Removed {args.name!r}; the audit log keeps its history.")
    return EXIT_OK


def cmd_audit(args) -> int:
    from lessons.audit import audit_entries
    from lessons.exports import to_csv

    db = ensure_store(args.db)
    entries = audit_entries(
        db, cli_actor(), since=args.since, until=args.until, who=args.user, action=args.action, limit=args.limit
    )
    if args.format == "json":
        print(entries.to_json(orient="records", indent=2))
    elif args.format == "csv":
        sys.stdout.write(to_csv(entries))
    elif entries.empty:
        print("No audit entries match.")
    else:
        _print_table(
            entries.fillna("").to_dict("records"), ["at", "actor", "action", "object_type", "object_id", "rows"]
        )
    return EXIT_OK


def _acting(db, username: str | None):
    """The command line's actor: a local administrator, or the named account with ``--as``."""
    if not username:
        return cli_actor()
    from lessons.accounts import actor_for

    row = db.execute("SELECT id FROM users WHERE username = ? AND active = 1", [username]).fetchone()
    actor = actor_for(db, row[0]) if row else None
    if actor is None:
        raise AccountError(f"There is no active account {username!r}.")
    return actor


def _progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"\r{fraction:4.0%}  {message:<60}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_import(args) -> int:
    from lessons.ingest.pipeline import problems_frame, rejected_csv, run_import
    from lessons.ingest.problems import IngestError
    from lessons.ingest.validate import Options

    db = ensure_store(args.db)
    actor = _acting(db, args.as_user)
    try:
        mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8")) if args.mapping else {}
        if not isinstance(mapping, dict):
            raise ValueError("it must be a JSON object")
    except (OSError, ValueError) as err:  # ValueError covers bad JSON and bad UTF-8
        print(f"{args.mapping}: the mapping cannot be read ({err}); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    options = Options(
        pilot=args.pilot or mapping.get("pilot"),
        mapping={k: v for k, v in mapping.items() if isinstance(v, dict)},
        separator=args.separator or mapping.get("separator", ";"),
        date_order=args.date_order or mapping.get("date_order", "DMY"),
        skip_invalid=args.skip_invalid,
        country=args.country or mapping.get("country"),
        defaults=mapping.get("defaults", {}),
        remove_missing=args.remove_missing,
    )
    try:
        files = [(Path(f).name, Path(f).read_bytes()) for f in args.files]
    except OSError as err:
        print(f"{err.filename}: cannot be read ({err.strerror}); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    try:
        outcome = run_import(
            db, actor, files, options, dry_run=args.dry_run, progress=None if args.quiet else _progress
        )
    except IngestError as err:
        for problem in err.problems:
            print(str(problem), file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    except PermissionDenied as refused:
        print(f"{refused} Nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    for problem in outcome.problems:
        if problem.severity == "warning":
            print(f"warning: {problem}", file=sys.stderr)
    summary = outcome.plan.summary()
    if summary:
        _print_table(summary, ["pilot", "table", "added", "changed", "removed"])
    for note in outcome.plan.notes:
        print(note)
    if outcome.prepared.rejected:
        print(f"{len(outcome.prepared.rejected)} row(s) set aside as invalid.", file=sys.stderr)
        if args.rejected:
            write_atomic(args.rejected, rejected_csv(outcome.prepared))
            print(f"They are in {args.rejected}, each with its reason.", file=sys.stderr)
        else:
            print(problems_frame(outcome.errors).to_string(index=False), file=sys.stderr)
    if args.dry_run:
        print("Dry run: nothing was written.")
    else:
        print(
            f"Upload {outcome.upload_id} committed. Undo it with `python -m lessons uploads undo {outcome.upload_id}`."
        )
    return EXIT_OK


def cmd_uploads(args) -> int:
    from lessons.ingest.changes import UndoError, list_uploads, undo_upload

    db = ensure_store(args.db)
    actor = _acting(db, args.as_user)
    if args.uploads_command == "list":
        rows = list_uploads(db, pilot_ids=None if actor.role == "admin" else actor.pilot_ids)
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
        else:
            _print_table(
                [{k: ("" if v is None else v) for k, v in r.items()} for r in rows],
                [
                    "id",
                    "uploaded_at",
                    "username",
                    "filename",
                    "pilots",
                    "rows_added",
                    "rows_changed",
                    "rows_removed",
                    "status",
                ],
            )
        return EXIT_OK
    try:
        restored = undo_upload(db, actor, args.id)
    except UndoError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    print(f"Upload {args.id} undone: {restored} row(s) restored as they were before it.")
    return EXIT_OK


def cmd_template(args) -> int:
    from lessons.ingest.template import build_template

    db = ensure_store(args.db)
    write_atomic(args.out, build_template(db))
    print(f"Wrote the pilot-summary template to {args.out}.")
    return EXIT_OK


def cmd_network_export(args) -> int:
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


def cmd_network_stats(args) -> int:
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
    _print_table(rows, ["metric", "value"])
    print()
    columns = ["key", "name", "sector", "degree", "in_degree", "out_degree", "betweenness", "closeness",
               "eigenvector", "pagerank", "community", "brokerage_role", "is_broker"]  # fmt: skip
    table = result.actors.sort_values(["betweenness", "key"], ascending=[False, True])[columns]
    cells = [[_metric_text(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]) for c in columns]
    for row in [columns, ["-" * w for w in widths], *cells]:
        print("  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric)).rstrip())
    return EXIT_OK


def cmd_workshop(args) -> int:
    """``workshop import-polis | results | export``: Pol.is interoperability and a workshop's results."""
    from lessons.ingest.problems import IngestError
    from lessons.workshops.polis import export_polis, import_polis

    db = ensure_store(args.db)
    if args.workshop_command == "create":
        return _workshop_create(db, args)
    if args.workshop_command == "import-polis":
        try:
            code = import_polis(db, _acting(db, args.as_user), Path(args.dir), title=args.title)
        except IngestError as err:
            for problem in err.problems:
                print(str(problem), file=sys.stderr)
            print(f"{len(err.problems)} problem(s); nothing was written.", file=sys.stderr)
            return EXIT_INVALID
        n = {t: db.execute(f"SELECT count(*) FROM {t} {w}", [code]).fetchone()[0] for t, w in _WORKSHOP_COUNTS.items()}
        print(
            f"Imported {args.dir} as the closed workshop {code}: {n['statements']} statements, "
            f"{n['participants']} participants, {n['votes']} votes."
        )
        return EXIT_OK
    if db.execute("SELECT 1 FROM workshops WHERE code = ?", [args.code]).fetchone() is None:
        raise WorkshopError(f"There is no workshop with the code {args.code}.")
    if args.workshop_command == "export":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in export_polis(db, args.code).items():
            write_atomic(out / name, data)
        print(f"Wrote the workshop {args.code} as a Pol.is export to {out}/ (comments, votes, participants-votes).")
        return EXIT_OK
    try:
        from lessons.workshops.analysis import results
    except ImportError:
        results = None
    if results is not None:
        found = results(db, args.code)
        tables = {k: json.loads(v.to_json(orient="records")) if hasattr(v, "to_json") else v for k, v in found.items()}
        rows = tables["statements"]
    else:
        rows = [dict(zip(("key", "text", "n", "agree", "disagree", "pass"), r)) for r in db.execute(
            """SELECT s.key, s.text, count(v.id), coalesce(sum(v.value = 1), 0), coalesce(sum(v.value = -1), 0),
                      coalesce(sum(v.value = 0), 0)
               FROM statements s JOIN workshops w ON w.id = s.workshop_id
               LEFT JOIN votes v ON v.statement_id = s.id AND v.round = w.current_round
               WHERE w.code = ? GROUP BY s.id ORDER BY s.position, s.id""", [args.code])]  # fmt: skip
        tables = {"statements": rows}
    if args.json:
        print(json.dumps(tables, indent=2, ensure_ascii=False, default=str))
    else:
        _print_table(
            [{k: r.get(k) for k in ("key", "n", "agree", "disagree", "pass")} | {"text": str(r.get("text", ""))[:60]}
             for r in rows], ["key", "n", "agree", "disagree", "pass", "text"],
        )  # fmt: skip
    return EXIT_OK


def cmd_lesson(args) -> int:
    """``lesson status LESSON STATUS``: move a lesson along its lifecycle (the same rules as the app)."""
    from lessons.lifecycle import change_status

    db = ensure_store(args.db)
    ref = str(args.lesson)
    if ":" in ref:
        slug, key = ref.split(":", 1)
        row = db.execute(
            "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = ?", [slug, key]
        ).fetchone()
    else:
        row = db.execute("SELECT id FROM lessons WHERE id = ?", [int(ref) if ref.isdigit() else -1]).fetchone()
    if row is None:
        print(f"There is no lesson {ref} (give its id, or PILOT:KEY such as tampere:L03).", file=sys.stderr)
        return EXIT_INVALID
    changed = change_status(
        db, _acting(db, args.as_user), row[0], args.status,
        reason=args.reason, where=args.where, on=args.date, note=args.note,
    )  # fmt: skip
    print(f"Lesson {ref}: {changed['before']} → {changed['after']}.")
    return EXIT_OK


def _workshop_create(db, args) -> int:
    """``workshop create --title TEXT [--lesson ID ...] [--element SLUG:NUMBER ...] [--text TEXT ...]``."""
    from lessons.model_authoring import element_id_of
    from lessons.workshops import add_statements, create_workshop

    actor = _acting(db, args.as_user)
    elements = []
    for spec in args.element or ():
        slug, _, number = spec.rpartition(":")
        if not slug or not number.isdigit():
            raise ModelError(f"Name an element as SLUG:NUMBER, e.g. local-champions:2, not {spec!r}.")
        elements.append(element_id_of(db, slug, int(number)))
    with db.atomic():
        code = create_workshop(db, actor, args.title)
        keys = add_statements(db, actor, code, lessons=args.lesson or (), elements=elements, texts=args.text or ())
    print(f"Created the draft workshop {code} with {len(keys)} statements.")
    return EXIT_OK


def cmd_model(args) -> int:
    """``model add | element | link | list | show``: author governance models and link lessons to them."""
    from lessons import model_authoring as authoring
    from lessons import models
    from lessons.permissions import can

    db = ensure_store(args.db)
    if args.model_command == "list":
        found = models.model_list(db)
        rows = []
        for row in found.to_dict("records"):
            rows.append(
                {k: row[k] for k in ("slug", "name", "version", "elements", "supports", "challenges")}
                | models.model_results(db, row["slug"])
                | {"retired": bool(row["retired_at"])}
            )
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        elif not rows:
            print(
                "No governance model yet. An administrator or model editor creates one with\n"
                "    python -m lessons model add SLUG --name TEXT\n"
                "or on the Governance models page (Edit)."
            )
        else:
            _print_table(rows, ["slug", "version", "elements", "validated", "contested", "untested", "name"])
        return EXIT_OK
    if args.model_command == "show":
        shown = model_json(db, args.slug)
        if args.json:
            print(json.dumps(shown, indent=2, ensure_ascii=False, default=str))
        else:
            print(f"{shown['name']} (version {shown['version']})")
            for e in shown["elements"]:
                print(f"  {e['number']}. {e['name']} [{e['kind']}]: {e['outcome']}, n = {e['n']}")
        return EXIT_OK
    actor = _acting(db, args.as_user)
    if args.model_command == "add":
        authoring.create_model(
            db, actor, args.slug, name=args.name, description=args.description, methodology=args.methodology
        )
        print(f"Created the governance model {args.slug} (version 1, no elements yet).")
    elif args.model_command == "element":
        authoring.add_element(db, actor, args.slug, args.add, kind=args.kind, description=args.description)
        print(f"Added element {len(authoring.current_elements(db, args.slug))} to {args.slug}.")
    elif args.model_command == "link":
        element = authoring.element_id_of(db, args.slug, args.number)
        if can(actor, "model.link"):
            authoring.link_lessons(db, actor, element, [args.lesson], args.stance, args.note)
            print(f"Linked lesson {args.lesson} to element {args.number} of {args.slug} ({args.stance}).")
        else:
            authoring.propose_links(db, actor, element, [args.lesson], args.stance, args.note)
            print(f"Proposed linking lesson {args.lesson} to element {args.number} of {args.slug}; an editor decides.")
    return EXIT_OK


def model_json(db, slug: str) -> dict:
    """A model as ``model show --json`` prints it: its current version, and its elements in order, each with its
    accepted lesson links, outcome, n (agree + disagree), agree share and 95% Wilson interval."""
    from lessons import model_authoring as authoring
    from lessons import models

    model = authoring.model_row(db, slug)
    parts = models.elements(db, slug)
    elements = []
    for number, e in enumerate(parts.itertuples(), start=1):
        linked = models.element_lessons(db, int(e.id))
        elements.append(
            {
                "number": number,
                "key": e.key,
                "kind": e.kind,
                "name": e.name,
                "description": e.description if isinstance(e.description, str) else None,
                "outcome": e.result,
                "n": int(e.n),
                "agree": int(e.agree),
                "disagree": int(e.disagree),
                "pass": int(e.pass_),
                "agree_share": None if not e.n else float(e.agree_share),
                "interval": None if not e.n else [float(e.low), float(e.high)],
                "lessons": [
                    {"id": int(r.id), "title": r.title, "pilot": r.pilot, "stance": r.stance, "note": r.note}
                    for r in linked.itertuples()
                ],
            }
        )
    return {
        "slug": model["slug"],
        "name": model["name"],
        "description": model["summary"],
        "methodology": model["methodology"],
        "source": model["source"],
        "version": model["version"],
        "retired": model["retired_at"] is not None,
        "results": models.model_results(db, slug),
        "changes_since_vote": models.changes_since_vote(db, slug),
        "elements": elements,
    }


EXPORT_FORMATS = ("bundle", "sqlite", "datapackage", "datasette-metadata", "personal-data")


def _write(out: Path, data: bytes) -> bool:
    """Write a file whole or not at all; on failure say why on stderr and return False."""
    try:
        write_atomic(out, data)
    except OutputError as err:
        print(err, file=sys.stderr)
        return False
    return True


def cmd_brief(args) -> int:
    """``brief --theme CODE | --pilot SLUG | --model SLUG | --roadmap --out FILE.pdf|.html``."""
    from lessons import report
    from lessons.report_render import render

    out = Path(args.out)
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in ("pdf", "html"):
        print(f"{args.out}: name the file .pdf or .html, the format to write.", file=sys.stderr)
        return EXIT_INVALID
    db = ensure_store(args.db)
    try:
        if args.roadmap:
            made = report.roadmap(db)
        else:
            subject, key = next((s, getattr(args, s)) for s in report.SUBJECTS if getattr(args, s))
            made = report.brief(db, subject, key)
    except report.ReportError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    if not _write(out, next(iter(render(made, (file_format,)).values()))):
        return EXIT_INVALID
    print(f"Wrote “{made.title}” to {out}: {len(made.lessons):,} lessons and {len(made.workshops):,} workshops cited.")
    return EXIT_OK


def cmd_export(args) -> int:
    """``export --format bundle|sqlite|datapackage|datasette-metadata|personal-data --out FILE``: the shared data set,
    or (administrators) the participants' personal data."""
    from lessons import bundle

    db = ensure_store(args.db)
    out = Path(args.out)
    with atomic_output(out) as stream:  # streamed: nothing is held whole, and a failure leaves no partial file
        if args.format == "bundle":
            from lessons.report import iter_bundle_briefs

            bundle.write_bundle(db, stream, briefs=iter_bundle_briefs(db))
            what = "the bundle (database, data package, networks, briefs)"
        elif args.format == "sqlite":
            bundle.write_sqlite(db, stream)
            what = "the database without accounts or secrets"
        elif args.format == "datapackage":
            bundle.write_data_package_zip(db, stream)
            what = "the Frictionless data package"
        elif args.format == "personal-data":
            from lessons.privacy import personal_data_export

            stream.write(personal_data_export(db, _acting(db, args.as_user)))
            what = "PERSONAL DATA (every participant and vote, unpooled; do not publish or share it)"
        else:
            stream.write(json.dumps(bundle.datasette_metadata(db), indent=2, ensure_ascii=False).encode("utf-8"))
            what = "the Datasette metadata"
        size = f" ({stream.tell() / 1e6:,.1f} MB)" if stream.seekable() else ""
    print(f"Wrote {what} to {out}{size}.")
    return EXIT_OK


def cmd_import_bundle(args) -> int:
    """``import-bundle FILE.zip``: fill an empty store from a bundle's data package."""
    from lessons.bundle import BundleError, import_bundle

    source = Path(args.file)
    try:
        payload = source.read_bytes()
    except OSError as err:
        print(f"Cannot read {source}: {err.strerror or err}.", file=sys.stderr)
        return EXIT_INVALID
    path = resolve_db_path(args.db)
    db = open_store(path)
    actor = _acting(db, args.as_user)
    try:
        counts = import_bundle(db, actor, payload, filename=source.name)
    except BundleError as err:
        for problem in err.problems:
            print(str(problem), file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing was written." if err.problems else err, file=sys.stderr)
        return EXIT_INVALID
    print(f"Imported {source} into {path}:")
    _print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


_WORKSHOP_COUNTS = {
    "statements": "WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?)",
    "participants": "WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?)",
    "votes": "WHERE participant_id IN (SELECT p.id FROM participants p JOIN workshops w ON w.id = p.workshop_id "
    "WHERE w.code = ?)",
}


def _metric_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_metric_text(v)}" for k, v in value.items())
    return str(value)


def cmd_methodology(args) -> int:
    """``methodology import FILE``: a published process description (an INTERLINK co-production schema folder,
    its metadata.json or a zip of it) as a methodology in the crosswalk."""
    from lessons.methodologies import ImportRefused, commit_import, parse_schema, preview, read_files, suggest_mapping

    db = ensure_store(args.db)
    actor = _acting(db, args.as_user)
    try:
        methodology = parse_schema(read_files(args.file), source=Path(args.file).name, code=args.code)
        mapping = suggest_mapping(db, methodology)
        for item in args.map or []:
            step, _, phase = item.partition("=")
            names = {s.name.lower(): s.position for s in methodology.steps}
            position = int(step) if step.strip().isdigit() else names.get(step.strip().lower())
            if position not in mapping or not phase:
                raise ImportRefused([(args.file, f"--map {item}", "no such step, or no phase", "use STEP=PHASE")])
            mapping[position] = phase.strip()
        rows = preview(db, methodology, mapping)
        print(f"{methodology.code}: {methodology.name} ({len(rows)} steps)")
        _print_table(rows, ["position", "step", "phase"])
        if args.dry_run:
            print("Dry run: nothing was written.")
            return EXIT_OK
        commit_import(db, actor, methodology, mapping, replace=args.replace)
    except ImportRefused as refused:
        for file, where, cause, fix in refused.problems:
            print(f"{file}: {where}: {cause}. Fix: {fix}.", file=sys.stderr)
        print(f"{len(refused.problems)} problem(s); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    print(f"Imported methodology {methodology.code} with {len(rows)} steps.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: $LESSONS_DB, else data/lessons.db)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("init", parents=[common], help="create an empty store, or migrate an existing one").set_defaults(
        func=cmd_init
    )
    sub.add_parser("demo", parents=[common], help="load the illustrative demo data into an empty store").set_defaults(
        func=cmd_demo
    )
    p = sub.add_parser("stats", parents=[common], help="rows per table")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("synth", parents=[common], help="generate a synthetic consortium for benchmarks")
    p.add_argument("--scale", type=float, default=1.0, help="1 = 50 pilots, 5,000 lessons, 100,000 votes (default 1)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--replace", action="store_true", help="overwrite an existing database file")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser(
        "analyse", parents=[common], help="compare every lesson's text now (the app otherwise does it on first view)"
    )
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("bench", parents=[common], help="time the core operations and every page")
    p.add_argument("--repeat", type=int, default=20, help="timed runs per operation (default 20)")
    p.add_argument("--no-pages", action="store_true", help="skip the AppTest page runs")
    p.add_argument(
        "--cold-start", action="store_true", help="also time the app's cold start in Chromium (on the demo data)"
    )
    p.add_argument("--imports", action="store_true", help="also time XLSX and CSV imports (about a minute)")
    p.add_argument("--exports", action="store_true", help="also time briefs, the roadmap and the bundle, once each")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("user", help="manage accounts (the command line acts as an administrator)")
    users = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    u = users.add_parser(
        "add", parents=[common], help="create an account; the password is asked for, or read from stdin"
    )
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument(
        "--pilot", action="append", default=[], metavar="SLUG", help="a pilot a coordinator may change (repeat)"
    )
    u.add_argument("--display-name", help="name shown in the app")
    u.add_argument("--email", help="e-mail address, for single sign-on")
    u = users.add_parser("update", parents=[common], help="change role, pilots, name, e-mail or whether active")
    u.add_argument("name")
    u.add_argument("--role", choices=ROLES)
    u.add_argument("--pilot", action="append", default=None, metavar="SLUG", help="replaces the coordinator's pilots")
    u.add_argument("--display-name")
    u.add_argument("--email")
    u.add_argument("--active", choices=["yes", "no"])
    u = users.add_parser("list", parents=[common], help="every account, its role and pilots")
    u.add_argument("--json", action="store_true")
    u = users.add_parser("passwd", parents=[common], help="set a new password (asked for, or read from stdin)")
    u.add_argument("name")
    u = users.add_parser("remove", parents=[common], help="delete an account (the audit log keeps its name)")
    u.add_argument("name")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("import", parents=[common], help="import pilot summaries (all or nothing unless --skip-invalid)")
    p.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .csv, .zip, .json, .graphml or .gexf")
    p.add_argument("--pilot", metavar="SLUG", help="the pilot for rows that name none")
    p.add_argument(
        "--mapping", metavar="M.json", help='column mapping, e.g. {"Lessons": {"title": "Subject"}, "separator": ","}'
    )
    p.add_argument("--separator", help="separator of multi-value cells (default ;)")
    p.add_argument(
        "--date-order", choices=["DMY", "MDY", "YMD"], help="day/month order of dates like 04/05/2021 (default DMY)"
    )
    p.add_argument("--country", metavar="XX", help="country of pilots the file creates (administrators)")
    p.add_argument("--dry-run", action="store_true", help="check and show the preview; write nothing")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows and set the others aside")
    p.add_argument(
        "--remove-missing", action="store_true", help="remove the pilot's rows that a sheet in the files no longer has"
    )
    p.add_argument("--rejected", metavar="FILE.csv", help="with --skip-invalid: write the rows set aside, with reasons")
    p.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("uploads", help="list uploads or undo one")
    ups = p.add_subparsers(dest="uploads_command", required=True, metavar="ACTION")
    u = ups.add_parser("list", parents=[common], help="uploads, newest first")
    u.add_argument("--json", action="store_true")
    u.add_argument("--as", dest="as_user", metavar="USER")
    u = ups.add_parser("undo", parents=[common], help="restore the pilots as they were before an upload")
    u.add_argument("id", type=int)
    u.add_argument("--as", dest="as_user", metavar="USER")
    p.set_defaults(func=cmd_uploads)

    p = sub.add_parser("template", parents=[common], help="write the pilot-summary template workbook")
    p.add_argument("--out", required=True, metavar="FILE.xlsx")
    p.set_defaults(func=cmd_template)

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

    p = sub.add_parser("audit", parents=[common], help="print the audit log, newest first")
    p.add_argument("--since", help="ISO date or date-time, e.g. 2026-11-01")
    p.add_argument("--until", help="ISO date (inclusive) or date-time")
    p.add_argument("--user", help="only this actor")
    p.add_argument("--action", help="only this action or family, e.g. signin or user.add")
    p.add_argument("--limit", type=int)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("export", parents=[common], help="write the shared data set (no accounts or secrets)")
    p.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="bundle: one ZIP of everything; sqlite: the database; datapackage: ZIP of datapackage.json and CSVs; "
        "datasette-metadata: metadata.json for Datasette; personal-data: (administrators) every participant and "
        "vote, unpooled, marked personal data",
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (personal-data needs an admin)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("brief", parents=[common], help="write a policy brief or the roadmap as PDF or HTML")
    about = p.add_mutually_exclusive_group(required=True)
    about.add_argument("--theme", metavar="CODE", help="a theme's code (e.g. trust)")
    about.add_argument("--pilot", metavar="SLUG", help="a pilot's slug")
    about.add_argument("--model", metavar="SLUG", help="a governance model's slug")
    about.add_argument("--roadmap", action="store_true", help="the roadmap to co-creation")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("import-bundle", parents=[common], help="fill an empty store from a bundle (or data package)")
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    p.set_defaults(func=cmd_import_bundle)

    p = sub.add_parser("workshop", help="Pol.is import and export, and a workshop's results")
    ws = p.add_subparsers(dest="workshop_command", required=True, metavar="ACTION")
    w = ws.add_parser("import-polis", parents=[common], help="import a Pol.is conversation export as a closed workshop")
    w.add_argument("dir", metavar="DIR", help="folder with comments.csv and votes.csv, or participants-votes.csv")
    w.add_argument("--title", required=True, metavar="TEXT", help="the workshop's title")
    w.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    w = ws.add_parser("create", parents=[common], help="prepare a draft workshop with statements")
    w.add_argument("--title", required=True, metavar="TEXT", help="the workshop's title")
    w.add_argument("--lesson", type=int, action="append", metavar="ID", help="a lesson as a statement (repeatable)")
    w.add_argument("--element", action="append", metavar="SLUG:NUMBER", help="a model element as a statement")
    w.add_argument("--text", action="append", metavar="TEXT", help="a free-text statement (repeatable)")
    w.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    w = ws.add_parser("results", parents=[common], help="per-statement agree / disagree / pass of a workshop")
    w.add_argument("code", metavar="CODE")
    w.add_argument("--json", action="store_true", help="machine-readable output")
    w = ws.add_parser("export", parents=[common], help="write a workshop as a Pol.is export (CSV files)")
    w.add_argument("code", metavar="CODE")
    w.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(func=cmd_workshop)

    p = sub.add_parser("lesson", help="a lesson's status, along the lifecycle's rules")
    ls = p.add_subparsers(dest="lesson_command", required=True, metavar="ACTION")
    w = ls.add_parser(
        "status", parents=[common], help="submit, withdraw, endorse, or record that a lesson was applied elsewhere"
    )
    w.add_argument("lesson", metavar="LESSON_ID", help="the lesson's id, or PILOT:KEY (e.g. tampere:L03)")
    w.add_argument("status", metavar="STATUS", help="submitted, draft, endorsed or applied_elsewhere")
    w.add_argument("--reason", metavar="TEXT", help="why (required to endorse)")
    w.add_argument("--where", metavar="TEXT", help="applied_elsewhere: a pilot's slug or name, or an organisation")
    w.add_argument("--date", metavar="YYYY-MM-DD", help="applied_elsewhere: when it was applied")
    w.add_argument("--note", metavar="TEXT", help="applied_elsewhere: how it was applied")
    w.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    p.set_defaults(func=cmd_lesson)
    p = sub.add_parser("model", help="author governance models and link lessons to them")
    ms = p.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument(
        "--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)"
    )
    m = ms.add_parser("add", parents=[common, acting], help="create a governance model")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--name", required=True, metavar="TEXT")
    m.add_argument("--description", metavar="TEXT")
    m.add_argument("--methodology", metavar="CODE")
    m = ms.add_parser("element", parents=[common, acting], help="add an element to a model")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--add", required=True, metavar="TITLE")
    m.add_argument("--kind", choices=("principle", "step"), default="principle")
    m.add_argument("--description", metavar="TEXT")
    m = ms.add_parser("link", parents=[common, acting], help="link a lesson to an element (coordinators propose)")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("number", type=int, metavar="ELEMENT_NUMBER")
    m.add_argument("lesson", type=int, metavar="LESSON_ID")
    m.add_argument("--stance", required=True, choices=("supports", "challenges"))
    m.add_argument("--note", metavar="TEXT")
    m = ms.add_parser("list", parents=[common, acting], help="every model with its version and results")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    m = ms.add_parser("show", parents=[common, acting], help="a model's elements, links and results")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_model)
    p = sub.add_parser("methodology", help="import a methodology from a published process description")
    ms = p.add_subparsers(dest="methodology_command", required=True, metavar="ACTION")
    m = ms.add_parser(
        "import", parents=[common], help="an INTERLINK co-production schema (folder, metadata.json or zip)"
    )
    m.add_argument("file", metavar="FILE")
    m.add_argument("--code", metavar="CODE", help="the methodology's code (default: interlink-<schema id>)")
    m.add_argument("--map", action="append", metavar="STEP=PHASE", help="map a step (position or name) to a phase")
    m.add_argument("--dry-run", action="store_true", help="show the steps and mapping; write nothing")
    m.add_argument("--replace", action="store_true", help="replace the steps of an existing methodology of that code")
    m.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    p.set_defaults(func=cmd_methodology)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (AccountError, EditError, WorkshopError, PermissionDenied, OutputError, LifecycleError, ModelError) as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK

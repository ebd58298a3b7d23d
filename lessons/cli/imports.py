"""Commands that bring data in: ``import``, ``uploads``, ``template`` and ``methodology import``.

``import`` reads pilot summaries; ``uploads`` lists uploads and undoes one.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as, print_table
from lessons.exports import to_csv
from lessons.files import write_atomic
from lessons.permissions import PermissionDenied


class _Progress:
    """The progress line on stderr, rewritten in place; :meth:`end` ends it before anything else is printed."""

    def __init__(self):
        self.open = False

    def __call__(self, fraction: float, message: str) -> None:
        sys.stderr.write(f"\r{fraction:4.0%}  {message:<60}")
        self.open = fraction < 1
        if not self.open:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


def _report(problems, args, *, prefix: str = "") -> None:
    """Print one line per cause (its count and first rows), or every problem with ``--all-problems``."""
    from lessons.ingest.problems import grouped

    if args.all_problems:
        for problem in problems:
            print(f"{prefix if problem.severity == 'warning' else ''}{problem}", file=sys.stderr)
    else:
        for group in grouped(problems):
            print(f"{prefix if group.severity == 'warning' else ''}{group}", file=sys.stderr)


def _write_problems(problems, args) -> None:
    """Write every problem, one per row, to the CSV that ``--problems`` names (when it names one)."""
    from lessons.ingest.pipeline import problems_frame

    if args.problems and problems:
        write_atomic(args.problems, to_csv(problems_frame(problems)))
        print(f"Every problem, one per row, is in {args.problems}.", file=sys.stderr)


def cmd_import(args) -> int:
    """Run the ``import`` command: check and import pilot summaries (or only check them); return the exit code."""
    from lessons.ingest.pipeline import NOTHING_CHANGED, rejected_csv, run_import
    from lessons.ingest.problems import IngestError, grouped
    from lessons.ingest.validate import MAPPING_KEYS, Options

    db = ensure_store(args.db)
    actor = acting_as(db, args.as_user)
    try:
        mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8")) if args.mapping else {}
        if not isinstance(mapping, dict):
            raise ValueError("it must be a JSON object")
        values = mapping.get("values", {})
        if not isinstance(values, dict) or not all(
            isinstance(fields, dict) and all(isinstance(recode, dict) for recode in fields.values())
            for fields in values.values()
        ):
            raise ValueError('"values" must read {"Sheet": {"field": {"value in the file": "our value"}}}')
    except (OSError, ValueError) as err:  # ValueError covers bad JSON and bad UTF-8
        print(f"{args.mapping}: the mapping cannot be read ({err}); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    if args.two_mode:
        from lessons.cli.twomode import import_two_mode

        return import_two_mode(db, actor, args, mapping)
    options = Options(
        pilot=args.pilot or mapping.get("pilot"),
        mapping={k: v for k, v in mapping.items() if isinstance(v, dict) and k not in MAPPING_KEYS},
        separator=args.separator or mapping.get("separator", ";"),
        date_order=args.date_order or mapping.get("date_order", "DMY"),
        skip_invalid=args.skip_invalid,
        country=args.country or mapping.get("country"),
        defaults=mapping.get("defaults", {}),
        values=mapping.get("values", {}),
        remove_missing=args.remove_missing,
    )
    try:
        files = [(Path(f).name, Path(f).read_bytes()) for f in args.files]
    except OSError as err:
        print(f"{err.filename}: cannot be read ({err.strerror}); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    progress = _Progress()
    gc.disable()  # one import, then the process ends: the cycle collector only rescanned the rows, again and again
    try:
        outcome = run_import(db, actor, files, options, dry_run=args.dry_run, progress=None if args.quiet else progress)
    except IngestError as err:
        progress.end()
        _report(err.problems, args)
        _write_problems(err.problems, args)
        causes = len(grouped(err.problems))
        more = "" if args.problems or args.all_problems else " (--problems FILE.csv writes them one per row)"
        print(f"{len(err.problems)} problem(s) of {causes} kind(s){more}; nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    except PermissionDenied as refused:
        progress.end()
        print(f"{refused} Nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    finally:
        gc.enable()
    progress.end()
    _report([p for p in outcome.problems if p.severity == "warning"], args, prefix="warning: ")
    summary = outcome.plan.summary()
    if summary:
        print_table(summary, ["pilot", "table", "added", "changed", "removed"])
    for note in outcome.plan.notes:
        print(note)
    if outcome.prepared.rejected:
        print(f"{len(outcome.prepared.rejected)} row(s) set aside as invalid.", file=sys.stderr)
        if args.rejected:
            write_atomic(args.rejected, rejected_csv(outcome.prepared))
            print(f"They are in {args.rejected}, each with its reason.", file=sys.stderr)
        else:
            _report(outcome.errors, args)
    _write_problems(outcome.problems, args)
    if args.dry_run:
        print("Dry run: nothing was written.")
    elif outcome.upload_id is None:
        print(f"{NOTHING_CHANGED} No upload was recorded.")
    else:
        print(
            f"Upload {outcome.upload_id} committed. Undo it with `python -m lessons uploads undo {outcome.upload_id}`."
        )
    return EXIT_OK


def add_import(sub, common) -> None:
    """Add the ``import`` command's options."""
    p = sub.add_parser("import", parents=[common], help="import pilot summaries (all or nothing unless --skip-invalid)")
    p.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .csv (.csv.gz), .zip, .json, .graphml or .gexf")
    p.add_argument("--pilot", metavar="SLUG", help="the pilot for rows that name none")
    p.add_argument(
        "--two-mode",
        metavar="ACTOR:EVENT",
        help="an affiliation list: project it onto the actors (consortium without --pilot)",
    )
    p.add_argument(
        "--mapping",
        metavar="M.json",
        help='column mapping, e.g. {"Lessons": {"title": "Subject"}, "separator": ",", '
        '"values": {"Stakeholders": {"sector": {"gov": "public"}}}} (values: recode the file\'s words into ours)',
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
    p.add_argument(
        "--problems", metavar="FILE.csv", help="write every problem, one per row, to this CSV (the screen groups them)"
    )
    p.add_argument(
        "--all-problems", action="store_true", help="print every problem on its own line instead of one per cause"
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_import)


def cmd_uploads(args) -> int:
    """Run the ``uploads`` command: list the uploads the actor may see, or undo one; return the exit code."""
    from lessons.ingest.changes import UndoError, list_uploads, undo_upload
    from lessons.uploads import visible

    db = ensure_store(args.db)
    actor = acting_as(db, args.as_user)
    if args.uploads_command == "list":
        rows = visible(list_uploads(db), actor)
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
        else:
            print_table(
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


def add_uploads(sub, common) -> None:
    """Add the ``uploads`` command's options."""
    p = sub.add_parser("uploads", help="list uploads or undo one")
    ups = p.add_subparsers(dest="uploads_command", required=True, metavar="ACTION")
    u = ups.add_parser("list", parents=[common], help="uploads, newest first")
    u.add_argument("--json", action="store_true")
    u.add_argument("--as", dest="as_user", metavar="USER")
    u = ups.add_parser("undo", parents=[common], help="restore the pilots as they were before an upload")
    u.add_argument("id", type=int)
    u.add_argument("--as", dest="as_user", metavar="USER")
    p.set_defaults(func=cmd_uploads)


def cmd_template(args) -> int:
    """Run the ``template`` command: write the pilot-summary template workbook; return the exit code."""
    from lessons.ingest.template import build_template

    db = ensure_store(args.db)
    write_atomic(args.out, build_template(db))
    print(f"Wrote the pilot-summary template to {args.out}.")
    return EXIT_OK


def add_template(sub, common) -> None:
    """Add the ``template`` command's options."""
    p = sub.add_parser("template", parents=[common], help="write the pilot-summary template workbook")
    p.add_argument("--out", required=True, metavar="FILE.xlsx")
    p.set_defaults(func=cmd_template)


def cmd_methodology(args) -> int:
    """Run ``methodology import FILE``: import a published process description as a methodology in the crosswalk.

    The description is an INTERLINK co-production schema folder, its metadata.json or a zip of it.
    """
    from lessons.methodologies import ImportRefused, commit_import, parse_schema, preview, read_files, suggest_mapping

    db = ensure_store(args.db)
    actor = acting_as(db, args.as_user)
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
        print_table(rows, ["position", "step", "phase"])
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


def add_methodology(sub, common) -> None:
    """Add the ``methodology`` command's options."""
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

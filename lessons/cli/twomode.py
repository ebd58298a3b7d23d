"""``import FILE --two-mode ACTOR:EVENT``: an affiliation list imported two-mode and projected onto its actors.

Called by :func:`lessons.cli.imports.cmd_import` when ``--two-mode`` is given; ``--pilot`` names the pilot whose
network receives the projection, without it the whole consortium's (see :mod:`lessons.ingest.twomode`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lessons.cli.common import EXIT_INVALID, EXIT_OK, print_table

__all__ = ["import_two_mode", "options_from_args"]


def _progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"\r{fraction:4.0%}  {message:<60}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def options_from_args(args, mapping: dict):
    """Return the :class:`~lessons.ingest.twomode.TwoModeOptions` of the command line and the mapping file.

    The mapping file's ``Stakeholders`` entry may name the ``sector`` and ``name`` columns, ``defaults`` a sector
    for every actor, and ``values`` recode the file's sector values.
    """
    from lessons.ingest.twomode import TwoModeOptions, parse_columns

    actor_column, event_column = parse_columns(args.two_mode)
    sheet = mapping.get("Stakeholders") if isinstance(mapping.get("Stakeholders"), dict) else {}
    defaults = (mapping.get("defaults") or {}).get("Stakeholders") or {}
    values = ((mapping.get("values") or {}).get("Stakeholders") or {}).get("sector") or {}
    return TwoModeOptions(
        actor_column=actor_column,
        event_column=event_column,
        pilot=args.pilot or mapping.get("pilot"),
        country=(args.country or mapping.get("country") or "").upper() or None,
        skip_invalid=args.skip_invalid,
        mapping=tuple(sorted((str(k), str(v)) for k, v in sheet.items() if k in ("sector", "name"))),
        defaults=tuple(sorted((str(k), str(v)) for k, v in defaults.items() if k == "sector")),
        values=tuple(sorted((str(k), str(v)) for k, v in values.items())),
    )


def import_two_mode(db, actor, args, mapping: dict) -> int:
    """Run ``import --two-mode``: check, then (unless ``--dry-run``) write and measure; return the exit code."""
    from lessons.ingest.problems import IngestError
    from lessons.ingest.twomode_commit import run_two_mode_import
    from lessons.permissions import PermissionDenied

    started = time.perf_counter()
    try:
        options = options_from_args(args, mapping)
    except ValueError as err:
        print(f"{err} Nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    try:
        files = [(Path(f).name, Path(f).read_bytes()) for f in args.files]
    except OSError as err:
        print(f"{err.filename}: cannot be read ({err.strerror}); nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    try:
        outcome = run_two_mode_import(
            db, actor, files, options, dry_run=args.dry_run, progress=None if args.quiet else _progress
        )
    except IngestError as err:
        if not args.quiet:
            sys.stderr.write("\n")  # the progress line ends before the first problem
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
    where = f"pilot {options.slug}" if options.pilot else f"the whole consortium (pilot {options.slug})"
    print(f"Affiliation list {outcome.affiliations.file} ({options.actor_column} × {options.event_column}) → {where}:")
    print_table(outcome.summary(), ["pilot", "what", "count"])
    if args.dry_run:
        print("Dry run: nothing was written.")
        return EXIT_OK
    if outcome.already is not None:
        print(
            f"Nothing changed: upload {outcome.already} already imported this list into pilot {options.slug}. "
            f"To import it read differently (another sector column, say), undo that upload first."
        )
        return EXIT_OK
    written = outcome.written
    print(
        f"Stakeholders: {written['stakeholders_new']:,} new, {written['stakeholders_kept']:,} already there; "
        f"ties: {written['ties_new']:,} new, {written['ties_changed']:,} with a new weight, "
        f"{written['ties_kept']:,} unchanged."
    )
    print(
        f"Upload {outcome.upload_id} committed in {time.perf_counter() - started:.1f} s "
        f"(reading {outcome.seconds['read']:.1f} s, writing {outcome.seconds['write']:.1f} s, measuring the network "
        f"{outcome.seconds['measure']:.1f} s). Undo it with `python -m lessons uploads undo {outcome.upload_id}`."
    )
    return EXIT_OK

"""Commands that write the shared data set and reports: ``export``, ``brief`` and ``import-bundle``.

``import-bundle`` is the way back in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as, print_table
from lessons.files import OutputError, atomic_output, write_atomic
from lessons.i18n import DEFAULT, LANGUAGES
from lessons.store import open_store, resolve_db_path
from lessons.visibility import EVERYONE, PUBLIC, scope

#: The ``--public`` option: the file a visitor would get (the command line otherwise writes every record).
PUBLIC_HELP = (
    "only what a visitor who has not signed in may see: public pilots and lessons, no draft (the file to publish); "
    "without it, every record"
)
EXPORT_FORMATS = ("bundle", "sqlite", "datapackage", "datasette-metadata", "personal-data")


def _write(out: Path, data: bytes) -> bool:
    """Write a file whole or not at all; on failure say why on stderr and return False."""
    try:
        write_atomic(out, data)
    except OutputError as err:
        print(err, file=sys.stderr)
        return False
    return True


def cmd_export(args) -> int:
    """Run ``export --format bundle|sqlite|datapackage|datasette-metadata|personal-data --out FILE``.

    It writes the shared data set, or (administrators) the participants' personal data.
    """
    from lessons import bundle

    db = ensure_store(args.db)
    out = Path(args.out)
    if args.format == "bundle":
        from lessons.synthesis import similarity

        similarity(db)  # the briefs name groups of similar lessons: computed now if the lessons changed
    readers = PUBLIC if args.public else EVERYONE
    with atomic_output(out) as stream, scope(db, readers):  # streamed: nothing held whole, no partial file
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

            stream.write(personal_data_export(db, acting_as(db, args.as_user)))
            what = "PERSONAL DATA (every participant and vote, unpooled; do not publish or share it)"
        else:
            stream.write(json.dumps(bundle.datasette_metadata(db), indent=2, ensure_ascii=False).encode("utf-8"))
            what = "the Datasette metadata"
        size = f" ({stream.tell() / 1e6:,.1f} MB)" if stream.seekable() else ""
    print(f"Wrote {what}{' (public records only)' if args.public else ''} to {out}{size}.")
    return EXIT_OK


def add_export(sub, common) -> None:
    """Add the ``export`` command's options."""
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
    p.add_argument("--public", action="store_true", help=PUBLIC_HELP)
    p.set_defaults(func=cmd_export)


def cmd_brief(args) -> int:
    """``brief --theme CODE | --pilot SLUG | --model SLUG | --roadmap --out FILE.pdf|.html [--lang fi]``."""
    from lessons import report
    from lessons.report.render import render

    out = Path(args.out)
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in ("pdf", "html"):
        print(f"{args.out}: name the file .pdf or .html, the format to write.", file=sys.stderr)
        return EXIT_INVALID
    from lessons.synthesis import similarity

    db = ensure_store(args.db)
    similarity(db)  # the brief names groups of similar lessons: computed now if the lessons changed
    try:
        with scope(db, PUBLIC if args.public else EVERYONE):
            if args.roadmap:
                made = report.roadmap(db, language=args.lang)
            else:
                subject, key = next((s, getattr(args, s)) for s in report.SUBJECTS if getattr(args, s))
                made = report.brief(db, subject, key, args.lang)
    except report.ReportError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    if not _write(out, next(iter(render(made, (file_format,)).values()))):
        return EXIT_INVALID
    print(f"Wrote “{made.title}” to {out}: {len(made.lessons):,} lessons and {len(made.workshops):,} workshops cited.")
    return EXIT_OK


def add_brief(sub, common) -> None:
    """Add the ``brief`` command's options."""
    p = sub.add_parser("brief", parents=[common], help="write a policy brief or the roadmap as PDF or HTML")
    about = p.add_mutually_exclusive_group(required=True)
    about.add_argument("--theme", metavar="CODE", help="a theme's code (e.g. trust)")
    about.add_argument("--pilot", metavar="SLUG", help="a pilot's slug")
    about.add_argument("--model", metavar="SLUG", help="a governance model's slug")
    about.add_argument("--roadmap", action="store_true", help="the roadmap to co-creation")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")
    p.add_argument("--public", action="store_true", help=PUBLIC_HELP)
    p.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=DEFAULT,
        help="the language to write it in: " + ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items()),
    )
    p.set_defaults(func=cmd_brief)


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
    actor = acting_as(db, args.as_user)
    try:
        counts = import_bundle(db, actor, payload, filename=source.name)
    except BundleError as err:
        for problem in err.problems:
            print(str(problem), file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing was written." if err.problems else err, file=sys.stderr)
        return EXIT_INVALID
    print(f"Imported {source} into {path}:")
    print_table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    return EXIT_OK


def add_import_bundle(sub, common) -> None:
    """Add the ``import-bundle`` command's options."""
    p = sub.add_parser("import-bundle", parents=[common], help="fill an empty store from a bundle (or data package)")
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    p.set_defaults(func=cmd_import_bundle)

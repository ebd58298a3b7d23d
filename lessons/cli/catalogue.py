"""The ``catalogue`` command: import a catalogue of methods and tools, list it, link lessons and pilots to entries.

``catalogue import DIR`` reads INTERLINK's published catalogue as it ships (a folder); ``catalogue import FILE``
a spreadsheet (``.csv`` or ``.xlsx``, one row per entry). ``catalogue list`` prints the entries (``--json`` for
every field); ``catalogue link LESSON... --entry CODE`` records that lessons (or ``--pilot SLUG``) used an entry.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as, print_table

SHEET_HELP = """\
A spreadsheet (.csv in UTF-8, or .xlsx: its first sheet) has one row per entry and these columns:
  code (required)      the entry's code: letters, digits, - _ . ; a code already in the catalogue is updated
  name (required)      its name
  kind (required)      method, process, stage, knowledge or software
  source (required)    where the entry's information comes from
  description          what it is and how it is used
  problem              the problem it addresses, in words
  phase                a phase's code or name: initiate, understand, co-design, co-deliver, evaluate
  effort               low, medium or high
  link                 a web address (https://...)
  licence              the tool's licence
  language             the language of its texts (default en)
  problems             codes of problem profiles already in the catalogue, separated by ;
  name_XX, description_XX, problem_XX
                       the texts in language XX (e.g. name_es)
A file with any problem writes nothing; each problem names its row, column and how to fix it."""


def cmd_catalogue(args) -> int:
    """``catalogue import | list | link``: the catalogue of methods and tools."""
    from lessons import catalogue
    from lessons.ingest.problems import IngestError

    db = ensure_store(args.db)
    if args.catalogue_command == "list":
        rows = catalogue.entry_list(
            db, kinds=args.kind or (), phases=args.phase or (), problems=args.problem or (),
            languages=args.language or (), language=args.lang,
        )  # fmt: skip
        if args.json:
            found = []
            for row in rows.to_dict("records"):
                detail = catalogue.entry_detail(db, row["code"])
                if args.lang:  # the texts in that language where the entry has them, and which language each is in
                    texts = catalogue.entry_texts(db, row["code"], args.lang)
                    detail |= {f: texts[f] for f in ("name", "description", "problem")}
                    detail |= {"text_languages": texts["languages"], "fallback": texts["fallback"]}
                found.append(
                    {k: detail[k] for k in ("code", "kind", "name", "description", "problem", "phase", "effort",
                                            "link", "source", "licence", "language", "catalogue")}
                    | {k: detail[k] for k in ("text_languages", "fallback") if k in detail}
                    | {
                        "languages": row["languages"].split(", ") if row["languages"] else [],
                        "problems": [p["code"] for p in detail["problems"]],
                        "translations": [{"language": lang, "field": f, "text": t} for lang, f, t in detail["translations"]],
                        "lessons": [f"{r.pilot}:{r.key}" for r in detail["lessons"].itertuples()],
                        "pilots": list(detail["pilots"]["slug"]),
                    }
                )  # fmt: skip
            print(json.dumps(found, indent=2, ensure_ascii=False))
        elif rows.empty:
            print("No entry matches.")
        else:
            shown = [
                {"code": r["code"], "kind": r["kind"], "phase": r["phase"] or "", "effort": r["effort"] or "",
                 "languages": r["languages"] or "", "lessons": r["lessons"], "name": r["name"]}
                for r in rows.to_dict("records")
            ]  # fmt: skip
            print_table(shown, ["code", "kind", "phase", "effort", "languages", "lessons", "name"])
            print(f"{len(shown)} entries.")
        return EXIT_OK
    actor = acting_as(db, args.as_user)
    try:
        if args.catalogue_command == "import":
            path = Path(args.source)
            if path.is_dir() or not path.suffix:
                counts = catalogue.import_interlink(db, actor, path)
            else:
                counts = catalogue.import_sheet(db, actor, path)
            print(
                f"Imported {args.source}: {counts['entries_added']} entries added, {counts['entries_updated']} "
                f"updated, {counts['entries_unchanged']} unchanged; {counts['problems_added']} problem profiles "
                f"added, {counts['problems_updated']} updated, {counts['problems_unchanged']} unchanged."
            )
        elif args.catalogue_command == "link":
            if args.pilot:
                ids = []
                for slug in args.pilot:
                    row = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()
                    if row is None:
                        raise catalogue.CatalogueError(f"There is no pilot {slug!r}.")
                    ids.append(row[0])
                changed = catalogue.link_pilots(db, actor, ids, args.entry, unlink=args.remove)
                what = "pilot(s)"
            else:
                if not args.lessons:
                    raise catalogue.CatalogueError("Name the lessons (LESSON_ID or PILOT:KEY) or give --pilot SLUG.")
                ids = catalogue.resolve_lessons(db, args.lessons)
                changed = catalogue.link_lessons(db, actor, ids, args.entry, unlink=args.remove)
                what = "lesson(s)"
            verb = "Unlinked" if args.remove else "Linked"
            print(
                f"{verb} {changed} {what} {'from' if args.remove else 'to'} {args.entry} ({len(ids) - changed} already so)."
            )
    except IngestError as err:
        print(f"Nothing was imported. {err}", file=sys.stderr)
        return EXIT_INVALID
    except catalogue.CatalogueError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def add_catalogue(sub, common) -> None:
    """Add the ``catalogue`` command's options."""
    p = sub.add_parser("catalogue", help="the catalogue of methods and tools: import, list, link lessons to entries")
    cs = p.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument(
        "--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)"
    )
    i = cs.add_parser(
        "import", parents=[common, acting], help="import INTERLINK's catalogue folder, or a spreadsheet of entries",
        description="Import INTERLINK's published catalogue (a folder holding interlinkers/ and problemprofiles/) "
        "or a spreadsheet of entries. Importing again updates entries by their code and adds no duplicate.",
        epilog=SHEET_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    i.add_argument("source", metavar="DIR_OR_FILE", help="the catalogue's folder, or a .csv / .xlsx file")
    ls = cs.add_parser("list", parents=[common], help="list the entries (filters combine)")
    ls.add_argument("--json", action="store_true", help="every field, translations and who used it, as JSON")
    ls.add_argument("--kind", action="append", metavar="KIND", help="method, process, stage, knowledge or software")
    ls.add_argument("--phase", action="append", metavar="PHASE", help="a phase's code, e.g. co-design")
    ls.add_argument("--problem", action="append", metavar="CODE", help="a problem profile's code, e.g. UND_PROBLEM_2")
    ls.add_argument("--language", action="append", metavar="XX", help="entries with a text in this language")
    ls.add_argument(
        "--lang", metavar="XX", help="show names and descriptions in this language where an entry has them, else in "
        "English (with --json: text_languages says which language each text is in, fallback whether any is not XX)",
    )  # fmt: skip
    ln = cs.add_parser("link", parents=[common, acting], help="record that lessons (or pilots) used an entry")
    ln.add_argument("lessons", nargs="*", metavar="LESSON_KEY", help="a lesson's id or PILOT:KEY (e.g. tampere:L03)")
    ln.add_argument("--entry", required=True, metavar="CODE", help="the entry's code (see catalogue list)")
    ln.add_argument("--pilot", action="append", metavar="SLUG", help="link this pilot instead of lessons")
    ln.add_argument("--remove", action="store_true", help="remove the links instead")
    p.set_defaults(func=cmd_catalogue)

"""The ``translations`` command: lessons in other languages, translated in a spreadsheet.

``translations export --lang fi FILE.xlsx`` writes a workbook with a row per lesson not written in Finnish (its
original texts beside empty columns, or the translation already made); ``translations import FILE.xlsx`` writes the
filled rows back (checked first: a file with any problem writes nothing); ``translations todo --lang fi`` lists the
lessons not yet translated into Finnish.
"""

from __future__ import annotations

import sys

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as, print_table


def cmd_translations(args) -> int:
    """Run ``translations export | import | todo``: lessons' translations."""
    from lessons import translations
    from lessons.files import write_atomic
    from lessons.ingest.problems import IngestError

    db = ensure_store(args.db)
    try:
        if args.translations_command == "todo":
            rows = translations.untranslated(db, args.lang)
            if rows.empty:
                print(f"Every lesson is written in or translated into {args.lang}.")
            else:
                shown = [{**r, "lesson": f"{r['pilot']}:{r['key']}"} for r in rows.to_dict("records")]
                print_table(shown, ["lesson", "language", "status", "title"])
                print(f"{len(shown)} lesson(s) to translate into {args.lang}.")
        elif args.translations_command == "export":
            data = translations.export_sheet(db, args.lang, only_untranslated=args.untranslated)
            write_atomic(args.file, data)
            print(f"Wrote {args.file}: lessons to translate into {args.lang}.")
        else:
            actor = acting_as(db, args.as_user)
            count = translations.import_sheet(db, actor, args.file)
            print(f"Imported {args.file}: {count} translation(s) written.")
    except IngestError as err:
        print(f"Nothing was imported. {err}", file=sys.stderr)
        return EXIT_INVALID
    except translations.TranslationError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def add_translations(sub, common) -> None:
    """Add the ``translations`` command's options."""
    p = sub.add_parser("translations", help="lessons in other languages: export, import, what is left to translate")
    ts = p.add_subparsers(dest="translations_command", required=True, metavar="ACTION")
    e = ts.add_parser("export", parents=[common], help="write a workbook of lessons to translate into a language")
    e.add_argument("--lang", required=True, metavar="XX", help="the language to translate into (ISO 639-1, e.g. fi)")
    e.add_argument("--untranslated", action="store_true", help="only the lessons not translated yet")
    e.add_argument("file", metavar="FILE.xlsx", help="the workbook to write")
    i = ts.add_parser("import", parents=[common], help="write the translations of a filled-in workbook")
    i.add_argument("file", metavar="FILE.xlsx", help="a workbook made by translations export, filled in")
    i.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    t = ts.add_parser("todo", parents=[common], help="list the lessons not yet translated into a language")
    t.add_argument("--lang", required=True, metavar="XX", help="the language (ISO 639-1, e.g. fi)")
    p.set_defaults(func=cmd_translations)

"""``python -m lessons search``: the Lessons page's search on the command line, with the same results."""

from __future__ import annotations

import json
import sys

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, print_table
from lessons.queries import COLUMNS, MATCH_END, MATCH_START, fts_query, search_lessons
from lessons.text import clean_text

__all__ = ["MARKS", "add_search", "cmd_search", "marked"]

#: How a matched word is marked in the printed snippets: ``[word]``.
MARKS = ("[", "]")
#: The fields ``--json`` gives for each lesson, and the columns of the table.
FIELDS = ["id", "key", "pilot", "pilot_name", "country", "title", "kind", "status", "recorded_on", "themes", "snippet"]
TABLE = ["key", "pilot", "title", "snippet"]


def marked(snippet) -> str:
    r"""Return a snippet on one line, its matched words between :data:`MARKS`.

    >>> marked("the \ue000O-ring\ue001 failed\nin the cold")
    'the [O-ring] failed in the cold'
    """
    text = clean_text(snippet, multiline=False)
    return text.replace(MATCH_START, MARKS[0]).replace(MATCH_END, MARKS[1])


def cmd_search(args) -> int:
    """Run the ``search`` command: print the lessons a search finds, best first; return the exit code."""
    query = " ".join(args.query).strip()
    if fts_query(query) is None:
        print(f"Nothing to search for in {query!r}: type at least one word (letters or digits).", file=sys.stderr)
        return EXIT_INVALID
    if args.limit is not None and args.limit < 1:
        print(f"--limit must be 1 or more, not {args.limit}.", file=sys.stderr)
        return EXIT_INVALID
    db = ensure_store(args.db)
    found = search_lessons(db, query=query, column=args.column, limit=None if args.count else args.limit)
    if args.count:
        count = len(found)
        print(json.dumps({"query": query, "column": args.column, "count": count}) if args.json else count)
        return EXIT_OK
    rows = [
        {field: ("" if value is None else value) for field, value in zip(FIELDS, row)}
        for row in found[FIELDS].astype(object).itertuples(index=False)
    ]
    for row in rows:
        row["snippet"] = marked(row["snippet"])
        row["title"] = clean_text(row["title"], multiline=False)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif not rows:
        where = f" in the {args.column} column" if args.column else ""
        print(f"No lesson matches {query!r}{where}.")
    else:
        print_table(rows, TABLE)
        print(f"{len(rows)} lesson(s), best matches first.")
    return EXIT_OK


def add_search(sub, common) -> None:
    """Add the ``search`` command's options."""
    p = sub.add_parser(
        "search",
        parents=[common],
        help="search the lessons as the Lessons page does",
        description=(
            "Search the lessons' title, lesson, context and recommendation as the Lessons page does. Every word must "
            "occur, in any of its forms (review finds reviewed); the last word may be the start of a word "
            "(communicat finds communication, not community); words joined by a hyphen are found as written "
            '(O-ring); "double quotes" make a phrase. Matched words are shown [like this].'
        ),
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="the search text (several words are one search)")
    p.add_argument("--column", choices=COLUMNS, help="search one column only (default: all four)")
    p.add_argument("--count", action="store_true", help="print only the number of lessons found")
    p.add_argument("--limit", type=int, metavar="N", help="at most N lessons, the best first (default: all)")
    p.add_argument("--json", action="store_true", help="machine-readable output (every field of each lesson)")
    p.set_defaults(func=cmd_search)

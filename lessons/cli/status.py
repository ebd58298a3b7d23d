"""The ``lesson status`` command: move a lesson along its status lifecycle (:mod:`lessons.lifecycle`).

It follows the same rules as the app.
"""

from __future__ import annotations

import sys

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as


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
        db, acting_as(db, args.as_user), row[0], args.status,
        reason=args.reason, where=args.where, on=args.date, note=args.note,
    )  # fmt: skip
    print(f"Lesson {ref}: {changed['before']} → {changed['after']}.")
    return EXIT_OK


def add_lesson(sub, common) -> None:
    """Add the ``lesson`` command's options."""
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

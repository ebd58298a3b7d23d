"""What every command shares: exit codes, the first-administrator hint, the table printer and the acting account."""

from __future__ import annotations

import sys

from lessons.accounts import AccountError, actor_for
from lessons.permissions import cli_actor

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
FIRST_ADMIN_HINT = (
    "No accounts yet. Create the first administrator with:\n"
    "    python -m lessons user add NAME --role admin\n"
    "(you will be asked for a password; or pipe it in on standard input)."
)


def print_table(rows: list[dict], columns: list[str], out=None) -> None:
    """Print ``rows`` as an aligned text table of ``columns`` (numbers right-aligned, floats to one decimal)."""
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


def acting_as(db, username: str | None):
    """Return the command line's actor: a local administrator, or the named account with ``--as``."""
    if not username:
        return cli_actor()
    row = db.execute("SELECT id FROM users WHERE username = ? AND active = 1", [username]).fetchone()
    actor = actor_for(db, row[0]) if row else None
    if actor is None:
        raise AccountError(f"There is no active account {username!r}.")
    return actor

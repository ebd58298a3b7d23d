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


def print_table(rows: list[dict], columns: list[str], out=None, *, right: set[str] | None = None) -> None:
    """Print ``rows`` as an aligned text table of ``columns`` (the one table printer of the command line).

    Numbers are right-aligned and floats shown to one decimal; ``right`` names columns to right-align whatever
    their cells hold (cells already formatted as text, headers aligned with them).
    """
    out = out or sys.stdout
    right = right or set()

    def text(value) -> str:
        return f"{value:,.1f}" if isinstance(value, float) else str(value)

    cells = [{c: text(r.get(c, "")) for c in columns} for r in rows]
    widths = {c: max([len(c), *(len(row[c]) for row in cells)]) for c in columns}
    out.write("  ".join(c.rjust(widths[c]) if c in right else c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    out.write("  ".join("-" * widths[c] for c in columns) + "\n")
    for r, row in zip(rows, cells):
        aligned = [
            row[c].rjust(widths[c]) if c in right or isinstance(r.get(c), (int, float)) else row[c].ljust(widths[c])
            for c in columns
        ]
        out.write("  ".join(aligned).rstrip() + "\n")


def acting_as(db, username: str | None):
    """Return the command line's actor: a local administrator, or the named account with ``--as``."""
    if not username:
        return cli_actor()
    row = db.execute("SELECT id FROM users WHERE username = ? AND active = 1", [username]).fetchone()
    actor = actor_for(db, row[0]) if row else None
    if actor is None:
        raise AccountError(f"There is no active account {username!r}.")
    return actor

"""Commands for accounts and accountability: ``user`` (add, update, list, passwd, remove) and ``audit``."""

from __future__ import annotations

import getpass
import sys

from lessons.accounts import AccountError
from lessons.boot import ensure_store
from lessons.cli.common import EXIT_OK, FIRST_ADMIN_HINT, print_table
from lessons.permissions import ROLES, cli_actor


def read_password(prompt: str = "Password: ") -> str:
    """Read a new password from a hidden prompt (asked twice), or the first line of standard input when piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Repeat the password: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def cmd_user(args) -> int:
    """Run the ``user`` command: list, add, change or remove accounts; return the exit code."""
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
            print_table(
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


def add_user(sub, common) -> None:
    """Add the ``user`` command's options."""
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


def cmd_audit(args) -> int:
    """Run the ``audit`` command: print the matching audit log entries; return the exit code."""
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
        print_table(
            entries.fillna("").to_dict("records"), ["at", "actor", "action", "object_type", "object_id", "rows"]
        )
    return EXIT_OK


def add_audit(sub, common) -> None:
    """Add the ``audit`` command's options."""
    p = sub.add_parser("audit", parents=[common], help="print the audit log, newest first")
    p.add_argument("--since", help="ISO date or date-time, e.g. 2026-11-01")
    p.add_argument("--until", help="ISO date (inclusive) or date-time")
    p.add_argument("--user", help="only this actor")
    p.add_argument("--action", help="only this action or family, e.g. signin or user.add")
    p.add_argument("--limit", type=int)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_audit)

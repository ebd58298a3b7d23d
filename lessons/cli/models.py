"""The ``model`` command: author governance models (add, element, link) and read them (list, show)."""

from __future__ import annotations

import argparse
import json

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_OK, acting_as, print_table


def cmd_model(args) -> int:
    """``model add | element | link | list | show``: author governance models and link lessons to them."""
    from lessons import model_authoring as authoring
    from lessons import models
    from lessons.permissions import can

    db = ensure_store(args.db)
    if args.model_command == "list":
        found = models.model_list(db)
        rows = []
        for row in found.to_dict("records"):
            rows.append(
                {k: row[k] for k in ("slug", "name", "version", "elements", "supports", "challenges")}
                | models.model_results(db, row["slug"])
                | {"retired": bool(row["retired_at"])}
            )
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        elif not rows:
            print(
                "No governance model yet. An administrator or model editor creates one with\n"
                "    python -m lessons model add SLUG --name TEXT\n"
                "or on the Governance models page (Edit)."
            )
        else:
            print_table(rows, ["slug", "version", "elements", "validated", "contested", "untested", "name"])
        return EXIT_OK
    if args.model_command == "show":
        shown = model_json(db, args.slug)
        if args.json:
            print(json.dumps(shown, indent=2, ensure_ascii=False, default=str))
        else:
            print(f"{shown['name']} (version {shown['version']})")
            for e in shown["elements"]:
                print(f"  {e['number']}. {e['name']} [{e['kind']}]: {e['outcome']}, n = {e['n']}")
        return EXIT_OK
    actor = acting_as(db, args.as_user)
    if args.model_command == "add":
        authoring.create_model(
            db, actor, args.slug, name=args.name, description=args.description, methodology=args.methodology
        )
        print(f"Created the governance model {args.slug} (version 1, no elements yet).")
    elif args.model_command == "element":
        authoring.add_element(db, actor, args.slug, args.add, kind=args.kind, description=args.description)
        print(f"Added element {len(authoring.current_elements(db, args.slug))} to {args.slug}.")
    elif args.model_command == "link":
        element = authoring.element_id_of(db, args.slug, args.number)
        if can(actor, "model.link"):
            authoring.link_lessons(db, actor, element, [args.lesson], args.stance, args.note)
            print(f"Linked lesson {args.lesson} to element {args.number} of {args.slug} ({args.stance}).")
        else:
            authoring.propose_links(db, actor, element, [args.lesson], args.stance, args.note)
            print(f"Proposed linking lesson {args.lesson} to element {args.number} of {args.slug}; an editor decides.")
    return EXIT_OK


def model_json(db, slug: str) -> dict:
    """Return a model as ``model show --json`` prints it: its current version and its elements in order.

    Each element comes with its accepted lesson links, outcome, n (agree + disagree), agree share and 95% Wilson
    interval.
    """
    from lessons import model_authoring as authoring
    from lessons import models

    model = authoring.model_row(db, slug)
    parts = models.elements(db, slug)
    elements = []
    for number, e in enumerate(parts.itertuples(), start=1):
        linked = models.element_lessons(db, int(e.id))
        elements.append(
            {
                "number": number,
                "key": e.key,
                "kind": e.kind,
                "name": e.name,
                "description": e.description if isinstance(e.description, str) else None,
                "outcome": e.result,
                "n": int(e.n),
                "agree": int(e.agree),
                "disagree": int(e.disagree),
                "pass": int(e.pass_),
                "agree_share": None if not e.n else float(e.agree_share),
                "interval": None if not e.n else [float(e.low), float(e.high)],
                "lessons": [
                    {"id": int(r.id), "title": r.title, "pilot": r.pilot, "stance": r.stance, "note": r.note}
                    for r in linked.itertuples()
                ],
            }
        )
    return {
        "slug": model["slug"],
        "name": model["name"],
        "description": model["summary"],
        "methodology": model["methodology"],
        "source": model["source"],
        "version": model["version"],
        "retired": model["retired_at"] is not None,
        "results": models.model_results(db, slug),
        "changes_since_vote": models.changes_since_vote(db, slug),
        "elements": elements,
    }


def add_model(sub, common) -> None:
    """Add the ``model`` command's options."""
    p = sub.add_parser("model", help="author governance models and link lessons to them")
    ms = p.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument(
        "--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)"
    )
    m = ms.add_parser("add", parents=[common, acting], help="create a governance model")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--name", required=True, metavar="TEXT")
    m.add_argument("--description", metavar="TEXT")
    m.add_argument("--methodology", metavar="CODE")
    m = ms.add_parser("element", parents=[common, acting], help="add an element to a model")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--add", required=True, metavar="TITLE")
    m.add_argument("--kind", choices=("principle", "step"), default="principle")
    m.add_argument("--description", metavar="TEXT")
    m = ms.add_parser("link", parents=[common, acting], help="link a lesson to an element (coordinators propose)")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("number", type=int, metavar="ELEMENT_NUMBER")
    m.add_argument("lesson", type=int, metavar="LESSON_ID")
    m.add_argument("--stance", required=True, choices=("supports", "challenges"))
    m.add_argument("--note", metavar="TEXT")
    m = ms.add_parser("list", parents=[common, acting], help="every model with its version and results")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    m = ms.add_parser("show", parents=[common, acting], help="a model's elements, links and results")
    m.add_argument("slug", metavar="SLUG")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_model)

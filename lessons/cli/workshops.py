"""The ``workshop`` command: create a draft workshop, Pol.is import and export, and a workshop's results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lessons.boot import ensure_store
from lessons.cli.common import EXIT_INVALID, EXIT_OK, acting_as, print_table
from lessons.files import write_atomic
from lessons.model_authoring import ModelError
from lessons.workshops import WorkshopError

_WORKSHOP_COUNTS = {
    "statements": "WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?)",
    "participants": "WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?)",
    "votes": "WHERE participant_id IN (SELECT p.id FROM participants p JOIN workshops w ON w.id = p.workshop_id "
    "WHERE w.code = ?)",
}


def cmd_workshop(args) -> int:
    """``workshop import-polis | results | export``: Pol.is interoperability and a workshop's results."""
    from lessons.ingest.problems import IngestError
    from lessons.workshops.polis import export_polis, import_polis

    db = ensure_store(args.db)
    if args.workshop_command == "create":
        return _workshop_create(db, args)
    if args.workshop_command == "import-polis":
        try:
            code = import_polis(db, acting_as(db, args.as_user), Path(args.dir), title=args.title)
        except IngestError as err:
            for problem in err.problems:
                print(str(problem), file=sys.stderr)
            print(f"{len(err.problems)} problem(s); nothing was written.", file=sys.stderr)
            return EXIT_INVALID
        n = {t: db.execute(f"SELECT count(*) FROM {t} {w}", [code]).fetchone()[0] for t, w in _WORKSHOP_COUNTS.items()}
        meta = db.execute(
            "SELECT count(*) FROM statements WHERE is_meta AND workshop_id = (SELECT id FROM workshops WHERE code = ?)",
            [code],
        ).fetchone()[0]
        print(
            f"Imported {args.dir} as the closed workshop {code}: {n['statements']} statements"
            + (f" ({meta} meta, kept and left out of the analysis)" if meta else "")
            + f", {n['participants']} participants, {n['votes']} votes."
        )
        return EXIT_OK
    if db.execute("SELECT 1 FROM workshops WHERE code = ?", [args.code]).fetchone() is None:
        raise WorkshopError(f"There is no workshop with the code {args.code}.")
    if args.workshop_command == "export":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in export_polis(db, args.code).items():
            write_atomic(out / name, data)
        print(f"Wrote the workshop {args.code} as a Pol.is export to {out}/ (comments, votes, participants-votes).")
        return EXIT_OK
    try:
        from lessons.workshops.analysis import participation_text, results
    except ImportError:
        rows = [dict(zip(("key", "text", "n", "agree", "disagree", "pass"), r)) for r in db.execute(
            """SELECT s.key, s.text, count(v.id), coalesce(sum(v.value = 1), 0), coalesce(sum(v.value = -1), 0),
                      coalesce(sum(v.value = 0), 0)
               FROM statements s JOIN workshops w ON w.id = s.workshop_id
               LEFT JOIN votes v ON v.statement_id = s.id AND v.round = w.current_round
               WHERE w.code = ? GROUP BY s.id ORDER BY s.position, s.id""", [args.code])]  # fmt: skip
        if args.json:
            print(json.dumps({"statements": rows}, indent=2, ensure_ascii=False, default=str))
        else:
            print_table(rows, ["key", "n", "agree", "disagree", "pass", "text"])
        return EXIT_OK
    found = results(db, args.code, method=args.method)
    tables = {k: json.loads(v.to_json(orient="records")) if hasattr(v, "to_json") else v for k, v in found.items()}
    rows = tables["statements"]
    if args.json:
        tables["participation_text"] = participation_text(found)
        people = found["participants"]  # each participant's group by their id in the source export (ours if none)
        tables["group_by_participant"] = {
            str(source if isinstance(source, str) else f"#{pid}"): group if isinstance(group, str) else None
            for pid, source, group in zip(people["participant_id"], people["source_id"], people["group"])
        }
        print(json.dumps(tables, indent=2, ensure_ascii=False, default=str))
    else:
        method = "Pol.is-compatible" if args.method == "polis" else "ours (default)"
        print(f"Analysis method: {method}. {participation_text(found)}")
        print_table(
            [{k: r.get(k) for k in ("key", "n", "agree", "disagree", "pass")} | {"text": str(r.get("text", ""))[:60]}
             for r in rows], ["key", "n", "agree", "disagree", "pass", "text"],
        )  # fmt: skip
        if tables["meta"]:
            print(f"{len(tables['meta'])} meta statement(s), shown here and left out of the analysis:")
            print_table(
                [{k: r.get(k) for k in ("key", "n", "agree", "disagree", "pass")} | {"text": str(r["text"])[:60]}
                 for r in tables["meta"]], ["key", "n", "agree", "disagree", "pass", "text"],
            )  # fmt: skip
    return EXIT_OK


def _workshop_create(db, args) -> int:
    """``workshop create --title TEXT [--lesson ID ...] [--element SLUG:NUMBER ...] [--text TEXT ...]``."""
    from lessons.model_authoring import element_id_of
    from lessons.workshops import add_statements, create_workshop

    actor = acting_as(db, args.as_user)
    elements = []
    for spec in args.element or ():
        slug, _, number = spec.rpartition(":")
        if not slug or not number.isdigit():
            raise ModelError(f"Name an element as SLUG:NUMBER, e.g. local-champions:2, not {spec!r}.")
        elements.append(element_id_of(db, slug, int(number)))
    with db.atomic():
        code = create_workshop(db, actor, args.title)
        keys = add_statements(db, actor, code, lessons=args.lesson or (), elements=elements, texts=args.text or ())
    print(f"Created the draft workshop {code} with {len(keys)} statements.")
    return EXIT_OK


def add_workshop(sub, common) -> None:
    """Add the ``workshop`` command's options."""
    p = sub.add_parser("workshop", help="Pol.is import and export, and a workshop's results")
    ws = p.add_subparsers(dest="workshop_command", required=True, metavar="ACTION")
    w = ws.add_parser("import-polis", parents=[common], help="import a Pol.is conversation export as a closed workshop")
    w.add_argument("dir", metavar="DIR", help="folder with comments.csv and votes.csv, or participants-votes.csv")
    w.add_argument("--title", required=True, metavar="TEXT", help="the workshop's title")
    w.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    w = ws.add_parser("create", parents=[common], help="prepare a draft workshop with statements")
    w.add_argument("--title", required=True, metavar="TEXT", help="the workshop's title")
    w.add_argument("--lesson", type=int, action="append", metavar="ID", help="a lesson as a statement (repeatable)")
    w.add_argument("--element", action="append", metavar="SLUG:NUMBER", help="a model element as a statement")
    w.add_argument("--text", action="append", metavar="TEXT", help="a free-text statement (repeatable)")
    w.add_argument("--as", dest="as_user", metavar="USER", help="act as this account (default: a local administrator)")
    w = ws.add_parser("results", parents=[common], help="per-statement agree / disagree / pass of a workshop")
    w.add_argument("code", metavar="CODE")
    w.add_argument("--json", action="store_true", help="machine-readable output")
    w.add_argument(
        "--method",
        choices=("default", "polis"),
        default="default",
        help="the analysis: ours (default, stricter) or polis (Pol.is-compatible: its filter, base clusters, k, repness)",
    )
    w = ws.add_parser("export", parents=[common], help="write a workshop as a Pol.is export (CSV files)")
    w.add_argument("code", metavar="CODE")
    w.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(func=cmd_workshop)

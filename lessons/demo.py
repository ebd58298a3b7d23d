"""Build the illustrative demo consortium from the human-readable files in ``data/demo/``.

Every reference (pilot slugs, stakeholder keys, lesson and element refs, vocabulary codes) is checked before
anything is written; the load is one transaction, so a broken source file leaves the store untouched.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
from pathlib import Path

from sqlite_utils import Database

from lessons.audit import record
from lessons.lifecycle import write_history
from lessons.permissions import ROLES
from lessons.store import EVIDENCE_STRENGTHS, KINDS, PROJECT_DIR, STATUSES, is_empty

DEMO_DIR = PROJECT_DIR / "data" / "demo"
DEMO_NOTICE = "Illustrative demo data: invented pilots, not real pilot results."
PERIODS = ("baseline", "end")
VOTE_VALUES = {"agree": 1, "disagree": -1, "pass": 0}
YES = {"yes": 1, "no": 0, "": 0}


class DemoDataError(ValueError):
    """The demo source files are inconsistent; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the demo data:\n" + "\n".join(problems[:50]))


def _csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _toml(path: Path, key: str) -> list[dict]:
    if not path.exists():
        return []
    with open(path, "rb") as f:
        return tomllib.load(f).get(key, [])


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def read_demo(source: Path = DEMO_DIR) -> dict[str, list]:
    """Read every demo source file into plain rows (no validation)."""
    source = Path(source)
    lessons = []
    for path in sorted((source / "lessons").glob("*.csv")):
        for number, row in enumerate(_csv(path), start=2):
            lessons.append(dict(row, pilot=path.stem, _file=f"lessons/{path.name}", _row=number))
    return {
        "pilots": _csv(source / "pilots.csv"),
        "lessons": lessons,
        "stakeholders": _csv(source / "stakeholders.csv"),
        "ties": _csv(source / "ties.csv"),
        "lesson_stakeholders": _csv(source / "lesson_stakeholders.csv"),
        "models": _toml(source / "governance_models.toml", "model"),
        "workshops": _toml(source / "workshops.toml", "workshop"),
        "participants": _csv(source / "participants.csv"),
        "votes": _csv(source / "votes.csv"),
        "users": _csv(source / "users.csv"),
    }


def validate_demo(db: Database, data: dict[str, list]) -> list[str]:
    """Return every problem in ``data`` as ``file row N: message`` lines (an empty list when all is well)."""
    problems: list[str] = []
    vocab = {
        name: {r[0] for r in db.execute(f"SELECT code FROM {name}").fetchall()}
        for name in ("themes", "phases", "sectors", "methodologies")
    }

    def need(ok: bool, where: str, message: str) -> None:
        if not ok:
            problems.append(f"{where}: {message}")

    slugs = set()
    for i, p in enumerate(data["pilots"], start=2):
        where = f"pilots.csv row {i}"
        need(bool(p.get("slug")) and p["slug"] not in slugs, where, f"missing or duplicate slug {p.get('slug')!r}")
        slugs.add(p.get("slug"))
        need(len(p.get("country", "")) == 2 and p["country"].isupper(), where, "country must be ISO alpha-2")
        need(p.get("methodology") in vocab["methodologies"], where, f"unknown methodology {p.get('methodology')!r}")
    lesson_refs = set()
    for row in data["lessons"]:
        where = f"{row['_file']} row {row['_row']}"
        need(row["pilot"] in slugs, where, f"no pilot with slug {row['pilot']!r} in pilots.csv")
        ref = f"{row['pilot']}:{row.get('key')}"
        need(bool(row.get("key")) and ref not in lesson_refs, where, f"missing or duplicate key {row.get('key')!r}")
        lesson_refs.add(ref)
        for field in ("title", "lesson"):
            need(bool(row.get(field)), where, f"{field} is empty")
        need(row.get("kind") in KINDS, where, f"kind {row.get('kind')!r} is not one of {', '.join(KINDS)}")
        need(row.get("status", "draft") in STATUSES, where, f"unknown status {row.get('status')!r}")
        need(row.get("phase") in vocab["phases"], where, f"unknown phase {row.get('phase')!r}")
        strength = row.get("evidence_strength")
        need(not strength or strength in EVIDENCE_STRENGTHS, where, f"unknown evidence strength {strength!r}")
        for theme in _split(row.get("themes", "")):
            need(theme in vocab["themes"], where, f"unknown theme {theme!r}")
        for group in _split(row.get("stakeholder_groups", "")):
            need(group in vocab["sectors"], where, f"unknown stakeholder group {group!r}")
    actors = set()
    for i, s in enumerate(data["stakeholders"], start=2):
        where = f"stakeholders.csv row {i}"
        ref = (s.get("pilot"), s.get("key"))
        need(s.get("pilot") in slugs, where, f"unknown pilot {s.get('pilot')!r}")
        need(ref not in actors, where, f"duplicate stakeholder key {s.get('key')!r}")
        actors.add(ref)
        need(s.get("sector") in vocab["sectors"], where, f"unknown sector {s.get('sector')!r}")
        need(s.get("hard_to_reach", "").lower() in YES, where, "hard_to_reach must be yes or no")
    for i, t in enumerate(data["ties"], start=2):
        where = f"ties.csv row {i}"
        for end in ("source", "target"):
            need(
                (t.get("pilot"), t.get(end)) in actors,
                where,
                f"{end} {t.get(end)!r} is not a stakeholder of {t.get('pilot')!r}",
            )
        need(t.get("source") != t.get("target"), where, "a stakeholder cannot be tied to itself")
        need(t.get("period") in PERIODS, where, f"period must be baseline or end, not {t.get('period')!r}")
        need(
            not t.get("weight") or re.fullmatch(r"[1-5](\.0+)?", t["weight"]) is not None,
            where,
            f"weight must be a number from 1 to 5, not {t.get('weight')!r}",
        )
    lesson_keys = {(row.get("pilot"), row.get("key")) for row in data["lessons"]}
    for i, link in enumerate(data["lesson_stakeholders"], start=2):
        where = f"lesson_stakeholders.csv row {i}"
        need((link.get("pilot"), link.get("lesson")) in lesson_keys, where, f"unknown lesson {link.get('lesson')!r}")
        need(
            (link.get("pilot"), link.get("stakeholder")) in actors,
            where,
            f"{link.get('stakeholder')!r} is not a stakeholder of {link.get('pilot')!r}",
        )
    element_refs = set()
    for m in data["models"]:
        where = f"governance_models.toml model {m.get('slug')!r}"
        need(m.get("methodology") in vocab["methodologies"] or not m.get("methodology"), where, "unknown methodology")
        for e in m.get("element", []):
            element_refs.add(f"{m.get('slug')}:{e.get('key')}")
            need(not e.get("phase") or e["phase"] in vocab["phases"], where, f"element {e.get('key')}: unknown phase")
            for ref in e.get("supports", []) + e.get("challenges", []):
                need(ref in lesson_refs, where, f"element {e.get('key')}: no lesson {ref!r}")
    statement_refs = set()
    workshop_codes = set()
    for w in data["workshops"]:
        where = f"workshops.toml workshop {w.get('code')!r}"
        workshop_codes.add(w.get("code"))
        for s in w.get("statement", []):
            statement_refs.add((w.get("code"), s.get("key")))
            if s.get("lesson"):
                need(s["lesson"] in lesson_refs, where, f"statement {s.get('key')}: no lesson {s['lesson']!r}")
            if s.get("element"):
                need(s["element"] in element_refs, where, f"statement {s.get('key')}: no element {s['element']!r}")
    people = set()
    for i, p in enumerate(data["participants"], start=2):
        where = f"participants.csv row {i}"
        need(p.get("workshop") in workshop_codes, where, f"unknown workshop {p.get('workshop')!r}")
        need(p.get("stakeholder_group") in vocab["sectors"], where, "unknown stakeholder group")
        need(not p.get("pilot") or p["pilot"] in slugs, where, f"unknown pilot {p.get('pilot')!r}")
        people.add((p.get("workshop"), p.get("participant")))
    cast = set()
    for i, v in enumerate(data["votes"], start=2):
        where = f"votes.csv row {i}"
        ballot = (v.get("workshop"), v.get("participant"), v.get("statement"), v.get("round") or "1")
        need(ballot not in cast, where, "a participant votes once per statement and round; this vote repeats one")
        cast.add(ballot)
        need((v.get("workshop"), v.get("participant")) in people, where, "unknown participant")
        need(
            (v.get("workshop"), v.get("statement")) in statement_refs,
            where,
            f"unknown statement {v.get('statement')!r}",
        )
        need(v.get("vote") in VOTE_VALUES, where, f"vote must be agree, disagree or pass, not {v.get('vote')!r}")
    for i, u in enumerate(data["users"], start=2):
        where = f"users.csv row {i}"
        need(u.get("role") in ROLES, where, f"unknown role {u.get('role')!r}")
        need(u.get("password_hash", "").startswith("$argon2id$"), where, "password_hash must be an argon2id hash")
        for slug in _split(u.get("pilots", "")):
            need(slug in slugs, where, f"unknown pilot {slug!r}")
    return problems


#: What the lifecycle's record says of the demo's statuses: set with the illustrative data, by no one.
DEMO_HISTORY_REASON = "set with the illustrative demo data"


def load_demo(db: Database, source: Path = DEMO_DIR, *, actor: str = "demo loader") -> dict[str, int]:
    """Load the demo consortium into an empty store in one transaction; return rows written per table.

    Raises
    ------
    DemoDataError
        When a source file is inconsistent; nothing is written.
    ValueError
        When the store already holds pilots.
    """
    if not is_empty(db):
        raise ValueError("the store already holds pilots; load the demo into a new, empty database")
    data = read_demo(source)
    problems = validate_demo(db, data)
    if problems:
        raise DemoDataError(problems)
    counts: dict[str, int] = {}
    with db.atomic():
        theme_ids = {r["code"]: r["id"] for r in db.query("SELECT id, code FROM themes")}
        upload_id = (
            db["uploads"]
            .insert({"filename": "data/demo", "format": "demo", "username": actor, "note": DEMO_NOTICE})
            .last_pk
        )
        pilot_ids = {}
        columns = set(db["pilots"].columns_dict)  # a store at an older migration lacks later columns (coordinates)
        for p in data["pilots"]:
            pilot_ids[p["slug"]] = db["pilots"].insert({k: v or None for k, v in p.items() if k in columns}).last_pk
        lesson_ids = {}
        for row in data["lessons"]:
            lesson_id = (
                db["lessons"]
                .insert(
                    {
                        "pilot_id": pilot_ids[row["pilot"]],
                        "upload_id": upload_id,
                        **{
                            k: row.get(k) or None
                            for k in (
                                "key",
                                "title",
                                "lesson",
                                "context",
                                "recommendation",
                                "kind",
                                "phase",
                                "evidence_source",
                                "evidence_strength",
                                "language",
                                "recorded_on",
                            )
                        },
                        "status": row.get("status") or "draft",
                    }
                )
                .last_pk
            )
            lesson_ids[f"{row['pilot']}:{row['key']}"] = lesson_id
            write_history(
                db, None, lesson_id, None, row.get("status") or "draft", source="upload", reason=DEMO_HISTORY_REASON
            )
            db["lesson_themes"].insert_all(
                [{"lesson_id": lesson_id, "theme_id": theme_ids[t]} for t in dict.fromkeys(_split(row["themes"]))]
            )
            db["lesson_groups"].insert_all(
                [
                    {"lesson_id": lesson_id, "sector": g}
                    for g in dict.fromkeys(_split(row.get("stakeholder_groups", "")))
                ]
            )
        org_ids: dict[str, int] = {}
        actor_ids = {}
        for s in data["stakeholders"]:
            org = s.get("organisation")
            if org and org not in org_ids:
                org_ids[org] = db["organisations"].insert({"name": org, "sector": s["sector"]}).last_pk
            actor_ids[(s["pilot"], s["key"])] = (
                db["stakeholders"]
                .insert(
                    {
                        "pilot_id": pilot_ids[s["pilot"]],
                        "key": s["key"],
                        "name": s["name"],
                        "organisation_id": org_ids.get(org) if org else None,
                        "sector": s["sector"],
                        "hard_to_reach": YES[s.get("hard_to_reach", "").lower()],
                        "role": s.get("role") or None,
                        "upload_id": upload_id,
                    }
                )
                .last_pk
            )
        db["ties"].insert_all(
            {
                "pilot_id": pilot_ids[t["pilot"]],
                "source_id": actor_ids[(t["pilot"], t["source"])],
                "target_id": actor_ids[(t["pilot"], t["target"])],
                "relation": t.get("relation") or "collaboration",
                "directed": YES[t.get("directed", "").lower()],
                "weight": float(t.get("weight") or 1),
                "period": t.get("period") or "end",
                "upload_id": upload_id,
            }
            for t in data["ties"]
        )
        db["lesson_stakeholders"].insert_all(
            {
                "lesson_id": lesson_ids[f"{link['pilot']}:{link['lesson']}"],
                "stakeholder_id": actor_ids[(link["pilot"], link["stakeholder"])],
            }
            for link in data["lesson_stakeholders"]
        )
        element_ids = {}
        for m in data["models"]:
            model_id = (
                db["governance_models"]
                .insert({k: m.get(k) for k in ("slug", "name", "inspired_by", "methodology", "summary")})
                .last_pk
            )
            for e in m.get("element", []):
                element_id = (
                    db["model_elements"]
                    .insert(
                        {
                            "model_id": model_id,
                            **{k: e.get(k) for k in ("key", "position", "kind", "name", "description", "phase")},
                        }
                    )
                    .last_pk
                )
                element_ids[f"{m['slug']}:{e['key']}"] = element_id
                links = {ref: "supports" for ref in e.get("supports", [])}
                links.update({ref: "challenges" for ref in e.get("challenges", [])})
                db["lesson_elements"].insert_all(
                    {"lesson_id": lesson_ids[ref], "element_id": element_id, "stance": stance}
                    for ref, stance in links.items()
                )
        statement_ids = {}
        workshop_ids = {}
        for w in data["workshops"]:
            workshop_ids[w["code"]] = (
                db["workshops"]
                .insert(
                    {
                        "code": w["code"],
                        "title": w["title"],
                        "purpose": w.get("purpose"),
                        "status": w.get("status", "closed"),
                        "current_round": int(w.get("rounds", 1)),
                        "allow_submissions": int(bool(w.get("allow_submissions"))),
                        "opened_at": w.get("opened_at"),
                        "closed_at": w.get("closed_at"),
                    }
                )
                .last_pk
            )
            for position, s in enumerate(w.get("statement", []), start=1):
                statement_ids[(w["code"], s["key"])] = (
                    db["statements"]
                    .insert(
                        {
                            "workshop_id": workshop_ids[w["code"]],
                            "key": s["key"],
                            "text": s["text"],
                            "source": s.get("source", "free"),
                            "lesson_id": lesson_ids.get(s.get("lesson", "")),
                            "element_id": element_ids.get(s.get("element", "")),
                            "position": position,
                            **({"created_at": w["opened_at"]} if w.get("opened_at") else {}),
                        }
                    )
                    .last_pk
                )
        participant_ids = {}
        for p in data["participants"]:
            token = hashlib.sha256(f"demo:{p['workshop']}:{p['participant']}".encode()).hexdigest()[:32]
            participant_ids[(p["workshop"], p["participant"])] = (
                db["participants"]
                .insert(
                    {
                        "workshop_id": workshop_ids[p["workshop"]],
                        "token": token,
                        "stakeholder_group": p["stakeholder_group"],
                        "pilot_id": pilot_ids.get(p.get("pilot") or ""),
                        "country": p.get("country") or None,
                    }
                )
                .last_pk
            )
        db["votes"].insert_all(
            (
                {
                    "participant_id": participant_ids[(v["workshop"], v["participant"])],
                    "statement_id": statement_ids[(v["workshop"], v["statement"])],
                    "round": int(v.get("round") or 1),
                    "value": VOTE_VALUES[v["vote"]],
                    "importance": int(v["importance"]) if v.get("importance") else None,
                }
                for v in data["votes"]
            ),
            batch_size=1000,
        )
        counts = {
            "pilots": len(pilot_ids),
            "lessons": len(lesson_ids),
            "stakeholders": len(actor_ids),
            "ties": len(data["ties"]),
            "governance_models": len(data["models"]),
            "model_elements": len(element_ids),
            "workshops": len(workshop_ids),
            "statements": len(statement_ids),
            "participants": len(participant_ids),
            "votes": len(data["votes"]),
        }
        db.execute(
            "UPDATE uploads SET rows_added = ? WHERE id = ?",
            [sum(counts.values()), upload_id],
        )
        for u in data["users"]:
            user_id = db.execute(
                "INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
                [u["username"], u.get("display_name") or None, u["role"], u["password_hash"]],
            ).lastrowid
            db.conn.executemany(
                "INSERT INTO user_pilots (user_id, pilot_id) VALUES (?, ?)",
                [(user_id, pilot_ids[slug]) for slug in _split(u.get("pilots", ""))],
            )
        counts["users"] = len(data["users"])
        record(db, actor, "demo.load", object_type="store", rows=sum(counts.values()), detail=counts)
    return counts

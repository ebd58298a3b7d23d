"""Reading the store for a report, and citing what it reads.

Lessons are cited as ``L<id> (<pilot>)``, vote counts with their workshop, round, n and 95% Wilson interval;
:class:`_Citations` collects what a report cites for its *Sources*. Also the small wording helpers every section shares
(plurals, percentages, numbers).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.privacy import public_workshop
from lessons.queries import KIND_LABELS, STATUS_LABELS
from lessons.store import frame as _frame
from lessons.workshops.analysis import wilson

#: The most lessons one citation names; the rest are counted with the Lessons-page filter that lists them all.
MAX_CITED = 50


_LESSONS = """
    SELECT l.id, l.key, l.title, l.lesson, l.recommendation, l.kind, l.status, l.phase, ph.name AS phase_name,
           ph.position AS phase_position, l.evidence_source, l.evidence_strength, p.slug AS pilot,
           p.name AS pilot_name, p.country
    FROM lessons l JOIN pilots p ON p.id = l.pilot_id LEFT JOIN phases ph ON ph.code = l.phase
"""


def _lessons(db: Database, where: str = "", params=()) -> pd.DataFrame:
    return _frame(db, f"{_LESSONS} {where} ORDER BY p.name, l.key", params)


def statement_results(db: Database) -> pd.DataFrame:
    """Every approved workshop statement with votes, counted in the last round it was voted on.

        Columns: statement_id, statement (key), text, lesson_id, element_id, workshop (code), workshop_title,
        workshop_status, round, rounds (of the workshop), agree, disagree, pass, n, agree_share, agree_low,
        agree_high (95% Wilson interval of the share agreeing among all n votes, passes included).

    >>> from lessons.store import open_memory_store
        >>> statement_results(open_memory_store()).empty
        True
    """
    out = _frame(
        db,
        f"""SELECT s.id AS statement_id, s.key AS statement, s.text, s.lesson_id, s.element_id, w.code AS workshop,
                  w.title AS workshop_title, w.status AS workshop_status, v.round, w.current_round AS rounds,
                  sum(v.value = 1) AS agree, sum(v.value = -1) AS disagree, sum(v.value = 0) AS pass, count(*) AS n
           FROM statements s JOIN workshops w ON w.id = s.workshop_id JOIN votes v ON v.statement_id = s.id
           WHERE s.moderation = 'approved' AND {public_workshop("w")}
             AND v.round = (SELECT max(v2.round) FROM votes v2 WHERE v2.statement_id = s.id)
           GROUP BY s.id ORDER BY w.code, s.key""",
    )
    low, high = wilson(out["agree"].to_numpy(), out["n"].to_numpy()) if len(out) else ([], [])
    out["agree_share"] = out["agree"] / out["n"] if len(out) else []
    out["agree_low"], out["agree_high"] = low, high
    return out


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def vote_citation(row) -> str:
    """``workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass (n = 44; 86% agree, 95% CI 73–94%)``.

    >>> vote_citation({"workshop": "ABC234", "round": 1, "agree": 7, "disagree": 2, "pass": 1, "n": 10,
    ...                "agree_share": 0.7, "agree_low": 0.3968, "agree_high": 0.8922})
    'workshop ABC234, round 1: 7 agree, 2 disagree, 1 pass (n = 10; 70% agree, 95% CI 40–89%)'
    """
    still = " (workshop still open)" if row.get("workshop_status", "closed") != "closed" else ""
    return (
        f"workshop {row['workshop']}, round {int(row['round'])}: {int(row['agree'])} agree, "
        f"{int(row['disagree'])} disagree, {int(row['pass'])} pass (n = {int(row['n'])}; "
        f"{_percent(row['agree_share'])} agree, 95% CI {_percent(row['agree_low'])[:-1]}–{_percent(row['agree_high'])})"
        f"{still}"
    )


class _Citations:
    """Collects what a report cites, so *Sources* lists exactly those records."""

    def __init__(self, db: Database):
        self.db = db
        self.lesson_ids: set[int] = set()
        self.workshop_codes: set[str] = set()

    def lessons(self, frame: pd.DataFrame, limit: int | None = None, where: str = "") -> str:
        """``L12, L30 (Tampere); L45 (Porto)``: ids grouped by pilot, in the frame's order.

        At most ``limit`` pilots and :data:`MAX_CITED` lessons are named (and listed under Sources); the rest are
        counted, with ``where`` saying how to find them all (a filter of the Lessons page).
        """
        if frame.empty:
            return ""
        ids = [int(i) for i in frame["id"]]
        pilots: dict[str, list[int]] = {}
        for lesson_id, pilot in zip(ids, frame["pilot_name"]):
            pilots.setdefault(pilot, []).append(lesson_id)
        named, shown = 0, []
        for pilot, chosen in pilots.items():
            if (limit is not None and len(shown) >= limit) or named >= MAX_CITED:
                break
            chosen = chosen[: MAX_CITED - named]
            named += len(chosen)
            shown.append((pilot, chosen))
            self.lesson_ids.update(chosen)
        text = "; ".join(f"{', '.join(f'L{i}' for i in chosen)} ({pilot})" for pilot, chosen in shown)
        if named < len(ids):
            rest = len(ids) - named
            text += f"; and {rest:,} more {'lesson' if rest == 1 else 'lessons'}"
            text += f" from {len(pilots) - len(shown)} more pilots" if len(shown) < len(pilots) else ""
            text += f" — {where}" if where else ""
        return text

    def lesson(self, row) -> str:
        self.lesson_ids.add(int(row["id"]))
        return f"L{int(row['id'])} ({row['pilot_name']})"

    def votes(self, row) -> str:
        self.workshop_codes.add(str(row["workshop"]))
        return vote_citation(row)

    def sources(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        ids = sorted(self.lesson_ids)
        lessons = (
            _frame(
                self.db,
                f"""SELECT 'L' || l.id AS lesson, p.name AS pilot, p.country, l.key, l.title, l.kind, l.status,
                           l.evidence_source AS evidence
                    FROM lessons l JOIN pilots p ON p.id = l.pilot_id
                    WHERE l.id IN ({", ".join("?" * len(ids))}) ORDER BY l.id""",
                ids,
            )
            if ids
            else pd.DataFrame(columns=["lesson", "pilot", "country", "key", "title", "kind", "status", "evidence"])
        )
        lessons["kind"] = lessons["kind"].map(KIND_LABELS).fillna(lessons["kind"])
        lessons["status"] = lessons["status"].map(STATUS_LABELS).fillna(lessons["status"])
        codes = sorted(self.workshop_codes)
        workshops = (
            _frame(
                self.db,
                f"""SELECT w.code AS workshop, w.title, w.status, w.current_round AS rounds,
                           coalesce(substr(w.opened_at, 1, 10), 'not opened') AS held,
                           (SELECT count(*) FROM participants pa WHERE pa.workshop_id = w.id) AS participants,
                           (SELECT count(*) FROM votes v JOIN statements s ON s.id = v.statement_id
                            WHERE s.workshop_id = w.id) AS votes
                    FROM workshops w WHERE w.code IN ({", ".join("?" * len(codes))}) ORDER BY w.code""",
                codes,
            )
            if codes
            else pd.DataFrame(columns=["workshop", "title", "status", "rounds", "held", "participants", "votes"])
        )
        return lessons, workshops


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _verb(n: int, verb: str) -> str:
    """Return the verb agreeing with a count: ``1 pilot reports``, ``2 pilots report``."""
    return f"{verb}s" if n == 1 else verb


def _a(word: str) -> str:
    """Put the indefinite article before ``word``: ``an enabler``, ``a barrier``."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _number(value, digits: int = 2) -> str:
    """``–`` for a missing value, whole numbers without decimals, others with ``digits``.

    >>> _number(None), _number(60.0), _number(0.0412), _number(3)
    ('–', '60', '0.04', '3')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"

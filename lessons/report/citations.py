"""Reading the store for a report, and citing what it reads.

Lessons are cited as ``L<id> (<pilot>)``, vote counts with their workshop, round, n and 95% Wilson interval;
:class:`_Citations` collects what a report cites for its *Sources*. Also the small wording helpers every section shares
(counts, percentages, numbers, written for the language in use: :mod:`lessons.i18n`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.i18n import _, day, ngettext, number, percent, pgettext
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
    return "–" if value is None or pd.isna(value) else percent(float(value))


def _interval(low, high) -> str:
    """Write a 95% interval in the language: ``40–89%`` (the first bound as a bare number, as typeset).

    >>> _interval(0.3968, 0.8922)
    '40–89%'
    """
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "–"
    return _("{low}–{high}").format(low=number(round(100 * float(low))), high=percent(float(high)))


def _n(message: str, n) -> str:
    """Fill a counted message's ``{n}`` with the count written for the language."""
    return message.format(n=number(int(n)))


def vote_citation(row) -> str:
    """``workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass (n = 44; 86% agree, 95% CI 73–94%)``.

    >>> vote_citation({"workshop": "ABC234", "round": 1, "agree": 7, "disagree": 2, "pass": 1, "n": 10,
    ...                "agree_share": 0.7, "agree_low": 0.3968, "agree_high": 0.8922})
    'workshop ABC234, round 1: 7 agree, 2 disagree, 1 pass (n = 10; 70% agree, 95% CI 40–89%)'
    """
    text = _(
        "workshop {workshop}, round {round}: {agree} agree, {disagree} disagree, {passes} pass "
        "(n = {n}; {share} agree, 95% CI {interval})"
    ).format(
        workshop=row["workshop"],
        round=number(int(row["round"])),
        agree=number(int(row["agree"])),
        disagree=number(int(row["disagree"])),
        passes=number(int(row["pass"])),
        n=number(int(row["n"])),
        share=_percent(row["agree_share"]),
        interval=_interval(row["agree_low"], row["agree_high"]),
    )
    if row.get("workshop_status", "closed") != "closed":
        text = _("{citation} (workshop still open)").format(citation=text)
    return text


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
            rest, others = len(ids) - named, len(pilots) - len(shown)
            if len(shown) < len(pilots):
                more = _("and {lessons} from {pilots}").format(
                    lessons=_n(ngettext("{n} more lesson", "{n} more lessons", rest), rest),
                    pilots=_n(ngettext("{n} more pilot", "{n} more pilots", others), others),
                )
            else:
                more = _n(ngettext("and {n} more lesson", "and {n} more lessons", rest), rest)
            text += f"; {more}" + (f" — {where}" if where else "")
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
        lessons["kind"] = [_(KIND_LABELS.get(k, k)) for k in lessons["kind"]]
        lessons["status"] = [_(STATUS_LABELS.get(s, s)) for s in lessons["status"]]
        codes = sorted(self.workshop_codes)
        workshops = (
            _frame(
                self.db,
                f"""SELECT w.code AS workshop, w.title, w.status, w.current_round AS rounds,
                           substr(w.opened_at, 1, 10) AS held,
                           (SELECT count(*) FROM participants pa WHERE pa.workshop_id = w.id) AS participants,
                           (SELECT count(*) FROM votes v JOIN statements s ON s.id = v.statement_id
                            WHERE s.workshop_id = w.id) AS votes
                    FROM workshops w WHERE w.code IN ({", ".join("?" * len(codes))}) ORDER BY w.code""",
                codes,
            )
            if codes
            else pd.DataFrame(columns=["workshop", "title", "status", "rounds", "held", "participants", "votes"])
        )
        workshops["status"] = [_workshop_status(s) for s in workshops["status"]]
        workshops["held"] = [day(h) if isinstance(h, str) and h else _("not opened") for h in workshops["held"]]
        return lessons, workshops


def _workshop_status(status: str) -> str:
    """Name a workshop's status as the Sources table shows it, in the language in use."""
    names = {
        "draft": pgettext("workshop status", "draft"),
        "open": pgettext("workshop status", "open"),
        "closed": pgettext("workshop status", "closed"),
    }
    return names.get(status, status)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _number(value, digits: int = 2) -> str:
    """``–`` for a missing value, whole numbers without decimals, others with ``digits``.

    >>> _number(None), _number(60.0), _number(0.0412), _number(3)
    ('–', '60', '0.04', '3')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if float(value).is_integer():
        return number(int(value))
    return number(float(value), digits)

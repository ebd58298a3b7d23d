"""Workshop rounds and outcomes: Delphi rounds, the verdict on each statement, and writing verdicts back.

The verdicts are written back into the status of the lessons the statements were drawn from.

Results are written back by :func:`apply_results` after closing, a separate step so the facilitator sees the
results before lessons change (``workshop.apply``). The analysis of the votes lives in
:mod:`lessons.workshops.analysis`.
"""

from __future__ import annotations

from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _
from lessons.lifecycle import write_history
from lessons.permissions import Actor, authorize
from lessons.workshops.rooms import WorkshopError, _rows, _workshop


def start_round(db: Database, actor: Actor, code: str) -> int:
    """Start the next Delphi round of an open workshop; return its number.

    Earlier rounds' votes are kept, and participants answer every statement again.
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] != "open":
            raise WorkshopError(
                _("The workshop is closed; open it to start another round.")
                if workshop["status"] == "closed"
                else _("The workshop is a draft; open it to start another round.")
            )
        new_round = workshop["current_round"] + 1
        db.execute("UPDATE workshops SET current_round = ? WHERE id = ?", [new_round, workshop["id"]])
        record(
            db, actor, "workshop.round", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"round": new_round},
        )  # fmt: skip
    return new_round


#: Lesson statuses a workshop's agreement does not lower to ``validated``.
BEYOND_VALIDATED = ("endorsed", "applied_elsewhere")


def outcome(agree: int, disagree: int, *, agree_threshold: float, disagree_threshold: float, min_votes: int) -> str:
    """Return the verdict on a statement from its agree and disagree votes (passes do not count).

    ``too few`` when fewer than ``min_votes`` took a side; else ``agreed`` when the agreeing share is at least
    ``agree_threshold``, ``disagreed`` when it is at most ``disagree_threshold``, and ``divided`` in between.

    >>> rules = dict(agree_threshold=0.7, disagree_threshold=0.3, min_votes=5)
    >>> outcome(9, 1, **rules), outcome(1, 9, **rules), outcome(5, 5, **rules), outcome(4, 0, **rules)
    ('agreed', 'disagreed', 'divided', 'too few')
    """
    n = agree + disagree
    if n < min_votes:
        return "too few"
    share = agree / n
    if share >= agree_threshold:
        return "agreed"
    if share <= disagree_threshold:
        return "disagreed"
    return "divided"


def _lesson_tallies(db: Database, workshop: dict) -> list[dict]:
    """Each approved lesson statement's votes in the workshop's current round, with its lesson's status."""
    return _rows(
        db,
        """SELECT s.key, s.lesson_id, l.status, l.key AS lesson_key, p.slug AS pilot,
                  coalesce(sum(v.value = 1), 0) AS agree, coalesce(sum(v.value = -1), 0) AS disagree,
                  coalesce(sum(v.value = 0), 0) AS pass
           FROM statements s
           JOIN lessons l ON l.id = s.lesson_id
           JOIN pilots p ON p.id = l.pilot_id
           LEFT JOIN votes v ON v.statement_id = s.id AND v.round = ?
           WHERE s.workshop_id = ? AND s.source = 'lesson' AND s.moderation = 'approved'
           GROUP BY s.id ORDER BY s.position, s.id""",
        [workshop["current_round"], workshop["id"]],
    )


def _status_after(verdict: str, before: str) -> str:
    if verdict == "agreed" and before not in BEYOND_VALIDATED:
        return "validated"
    if verdict in ("disagreed", "divided"):
        return "contested"
    return before


def preview_results(
    db: Database, code: str, *, agree_threshold: float = 0.7, disagree_threshold: float = 0.3, min_votes: int = 5
) -> dict[str, int]:
    """Count what :func:`apply_results` would do now, writing nothing: the confirmation names the consequence.

    Returns ``lessons`` (lesson statements), ``validated`` and ``contested`` (lessons that would change to that
    status), ``unchanged`` (a verdict that keeps the status) and ``too_few`` (fewer than ``min_votes`` took a side).

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop
    >>> db = open_memory_store()
    >>> preview_results(db, create_workshop(db, cli_actor(), "Validation"))
    {'lessons': 0, 'validated': 0, 'contested': 0, 'unchanged': 0, 'too_few': 0}
    """
    rules = dict(agree_threshold=agree_threshold, disagree_threshold=disagree_threshold, min_votes=int(min_votes))
    counts = {"lessons": 0, "validated": 0, "contested": 0, "unchanged": 0, "too_few": 0}
    for row in _lesson_tallies(db, _workshop(db, code)):
        verdict = outcome(row["agree"], row["disagree"], **rules)
        after = _status_after(verdict, row["status"])
        counts["lessons"] += 1
        if verdict == "too few":
            counts["too_few"] += 1
        elif after != row["status"]:
            counts[after] += 1
        else:
            counts["unchanged"] += 1
    return counts


def apply_results(
    db: Database,
    actor: Actor,
    code: str,
    *,
    agree_threshold: float = 0.7,
    disagree_threshold: float = 0.3,
    min_votes: int = 5,
) -> list[dict]:
    """Write a closed workshop's results back into the status of the lessons its statements were drawn from.

    On the votes of the last round, each approved lesson statement gets an :func:`outcome`: ``agreed`` sets the
    lesson ``validated`` (a lesson already ``endorsed`` or ``applied_elsewhere`` keeps that status), ``disagreed``
    and ``divided`` set it ``contested``, ``too few`` leaves it as it is. Every lesson with a verdict gets an audit
    entry ``lesson.workshop_result`` carrying the workshop code, statement, round and counts: the evidence; every
    status it changes gets a row of ``lesson_status_history`` with that evidence (``lessons.lifecycle``: this is
    the only way a lesson becomes validated or contested).
    ``lessons.evidence_source`` is not touched. Facilitators and admins may do it (``workshop.apply``); running it
    again changes nothing more. Returns one dict per lesson statement: key, lesson_id, agree, disagree, pass, n,
    share, outcome, status_before, status_after.
    """
    authorize(actor, "workshop.apply")
    if not 0 <= disagree_threshold < agree_threshold <= 1:
        raise WorkshopError(_("The thresholds must satisfy 0 ≤ disagree threshold < agree threshold ≤ 1."))
    rules = dict(agree_threshold=agree_threshold, disagree_threshold=disagree_threshold, min_votes=int(min_votes))
    results = []
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] != "closed":
            raise WorkshopError(_("Close the workshop before applying its results to lessons."))
        rows = _lesson_tallies(db, workshop)
        for row in rows:
            verdict = outcome(row["agree"], row["disagree"], **rules)
            before = row["status"]
            after = _status_after(verdict, before)
            n = row["agree"] + row["disagree"]
            result = {
                "key": row["key"],
                "lesson_id": row["lesson_id"],
                "agree": row["agree"],
                "disagree": row["disagree"],
                "pass": row["pass"],
                "n": n,
                "share": round(row["agree"] / n, 3) if n else None,
                "outcome": verdict,
                "status_before": before,
                "status_after": after,
            }
            results.append(result)
            if verdict == "too few":
                continue
            if after != before:
                db.execute(
                    "UPDATE lessons SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                    [after, row["lesson_id"]],
                )
                write_history(
                    db, actor, row["lesson_id"], before, after, source="workshop",
                    reason=f"statement {row['key']}: {verdict}",
                    evidence={"workshop": workshop["code"], "round": workshop["current_round"],
                              **{k: result[k] for k in ("agree", "disagree", "pass", "n")}},
                )  # fmt: skip
            record(
                db,
                actor,
                "lesson.workshop_result",
                object_type="lesson",
                object_id=f"{row['pilot']}:{row['lesson_key']}",
                rows=int(after != before),
                detail={
                    "workshop": workshop["code"],
                    "statement": row["key"],
                    "round": workshop["current_round"],
                    **{k: result[k] for k in ("agree", "disagree", "pass", "n", "share", "outcome")},
                    "status": {"before": before, "after": after},
                    "rules": rules,
                },
            )
        record(
            db,
            actor,
            "workshop.apply",
            object_type="workshop",
            object_id=workshop["code"],
            rows=sum(r["status_after"] != r["status_before"] for r in results),
            detail={"round": workshop["current_round"], "statements": len(results), "rules": rules},
        )
    return results

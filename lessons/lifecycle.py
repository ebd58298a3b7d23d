"""The lesson lifecycle: which status changes are allowed, by whom and on what evidence, and their public record.

What is called *validated* was validated by people in a room. So a lesson's status changes only along these paths:

============================  ==========================================================  ======================
change                        who                                                         needs
============================  ==========================================================  ======================
draft → submitted             the coordinator of the lesson's pilot, or an administrator  —
submitted → draft             the same (the coordinator withdraws it)                     —
→ validated / contested       only applying a workshop's results                          the workshop's votes
                              (:func:`lessons.workshops.apply_results`, by a facilitator
                              or an administrator)
validated → endorsed          an administrator or an editor                               a reason
validated / endorsed →        an administrator or an editor; also the coordinator of the  where (a pilot of the
applied_elsewhere             pilot where it was applied, when that pilot is in the store store, or an
                                                                                          organisation), a date,
                                                                                          a note
============================  ==========================================================  ======================

A workshop's results apply to a lesson whatever its status: agreement validates a draft, submitted or contested
lesson (an endorsed or applied lesson keeps its status), disagreement or a divided vote contests it. A coordinator
records "applied elsewhere" only naming a pilot they coordinate as the place; an organisation outside the store
is named by an administrator or an editor.

Every change writes one row of ``lesson_status_history`` (who: account and role; when; why; the evidence) and an
audit entry in the same transaction. The history without the account ids is public: the lesson's page shows it
to every reader, by role and workshop, never by name. Uploads may only set ``draft`` or ``submitted`` (or repeat
the status a lesson has): see :func:`upload_status_problem`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import N_, Labels, _, day, number, pgettext
from lessons.permissions import ACTIONS, Actor, PermissionDenied, can, doing, role_name
from lessons.privacy import public_workshop
from lessons.store import STATUSES
from lessons.text import clean_text

#: Statuses a lesson reaches only through a workshop's results.
WORKSHOP_STATUSES = ("validated", "contested")
#: Statuses an upload may set (besides repeating the status a lesson already has).
UPLOAD_STATUSES = ("draft", "submitted")
#: Decisions people make by hand: (from, to) → the permission it needs.
DECISIONS = {
    ("draft", "submitted"): "lesson.submit",
    ("submitted", "draft"): "lesson.submit",
    ("validated", "endorsed"): "lesson.endorse",
    ("validated", "applied_elsewhere"): "lesson.apply_elsewhere",
    ("endorsed", "applied_elsewhere"): "lesson.apply_elsewhere",
}
#: How a form offers each decision.
DECISION_LABELS = Labels(
    {
        "submitted": N_("Submit for validation"),
        "draft": N_("Withdraw to draft"),
        "endorsed": N_("Endorse"),
        "applied_elsewhere": N_("Record that it was applied elsewhere"),
    }
)
_COUNTS = ("agree", "disagree", "pass", "n")


class LifecycleError(ValueError):
    """A status change the lifecycle does not allow; the message says which path is. Nothing was written."""


def status_name(status: str | None) -> str:
    """Name a status in a sentence, in the language in use: ``applied elsewhere`` (an unknown one as it is).

    >>> status_name("applied_elsewhere"), status_name("odd_one")
    ('applied elsewhere', 'odd one')
    """
    names = {
        "draft": pgettext("lesson status", "draft"),
        "submitted": pgettext("lesson status", "submitted"),
        "validated": pgettext("lesson status", "validated"),
        "contested": pgettext("lesson status", "contested"),
        "endorsed": pgettext("lesson status", "endorsed"),
        "applied_elsewhere": pgettext("lesson status", "applied elsewhere"),
    }
    return names.get(status) or str(status).replace("_", " ")


def path_to(status: str) -> str:
    """Describe the one path to ``status`` in plain words (what a refusal says).

    >>> path_to("validated")
    'A lesson becomes validated only when a facilitator applies the results of a workshop that voted on it: run a workshop on it, then apply its results.'
    """
    return _(_PATHS[status])


#: The one path to each status, as a refusal says it.
_PATHS = {
    "validated": N_(
        "A lesson becomes validated only when a facilitator applies the results of a workshop that voted on it: "
        "run a workshop on it, then apply its results."
    ),
    "contested": N_(
        "A lesson becomes contested only when a facilitator applies the results of a workshop that voted on it: "
        "run a workshop on it, then apply its results."
    ),
    "submitted": N_("A draft lesson is submitted for validation by the coordinator of its pilot or an administrator."),
    "draft": N_("Only a submitted lesson goes back to draft, by the coordinator of its pilot or an administrator."),
    "endorsed": N_(
        "A lesson is endorsed only once a workshop has validated it, by an administrator or an editor, with a reason."
    ),
    "applied_elsewhere": N_(
        "A validated or endorsed lesson is recorded as applied elsewhere by an administrator or an editor (or the "
        "coordinator of the pilot where it was applied), with where, when and a note."
    ),
}


def _lesson(db: Database, lesson_id: int) -> dict:
    cursor = db.execute(
        "SELECT l.id, l.key, l.status, l.pilot_id, p.slug AS pilot FROM lessons l JOIN pilots p ON p.id = l.pilot_id "
        "WHERE l.id = ?",
        [int(lesson_id)],
    )
    row = cursor.fetchone()
    if row is None:
        raise LifecycleError(_("That lesson no longer exists."))
    return dict(zip([c[0] for c in cursor.description], row))


def allowed_changes(db: Database, actor: Actor | None, lesson_id: int) -> list[str]:
    """Return the statuses ``actor`` may move the lesson to by hand, in lifecycle order (what an edit form offers).

    A coordinator may be offered ``applied_elsewhere`` (for their own pilots as the place where it was applied).

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor or None
        Who is signed in.
    lesson_id : int
        ``lessons.id``.

    Returns
    -------
    list of str
        Status codes; empty when nothing may be changed by hand.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"id": 1, "slug": "a", "name": "A", "country": "FI"})
    >>> _ = db["lessons"].insert({"id": 1, "pilot_id": 1, "key": "L1", "title": "T", "lesson": "x",
    ...                           "kind": "insight", "status": "draft"})
    >>> allowed_changes(db, Actor("ana", "coordinator", frozenset({1})), 1)
    ['submitted']
    >>> allowed_changes(db, Actor("fay", "facilitator"), 1)
    []
    """
    current = _lesson(db, lesson_id)
    found = []
    for (before, after), action in DECISIONS.items():
        if before != current["status"]:
            continue
        if action == "lesson.apply_elsewhere":
            ok = can(actor, action, None) or (
                actor is not None and actor.role == "coordinator" and bool(actor.pilot_ids)
            )
        else:
            ok = can(actor, action, current["pilot_id"])
        if ok:
            found.append(after)
    return found


_WHO_DOES = {
    "lesson.submit": N_("the coordinator of the lesson's pilot or an administrator does"),
    "lesson.endorse": N_("an administrator or an editor does, with a reason"),
    "lesson.apply_elsewhere": N_(
        "an administrator, an editor or the coordinator of the pilot where it was applied does"
    ),
}


def _refuse_role(actor: Actor | None, action: str, status: str) -> None:
    """Raise :class:`PermissionDenied` in one sentence that says who may."""
    who = _(_WHO_DOES[action])
    if actor is None:
        raise PermissionDenied(_("Sign in to {what}; {who}.").format(what=doing(action, signed_out=True), who=who))
    if actor.role == "coordinator" and ACTIONS[action][1] and actor.role in ACTIONS[action][0]:
        raise PermissionDenied(
            _("You coordinate other pilots, so you may not {what}; {who}.").format(what=doing(action), who=who)
        )
    role = role_name(actor.role)
    message = _("An {role} may not {what}; {who}.") if actor.role == "admin" else _("A {role} may not {what}; {who}.")
    raise PermissionDenied(message.format(role=role, what=doing(action), who=who))


def write_history(
    db: Database,
    actor: Actor | None,
    lesson_id: int,
    before: str | None,
    after: str,
    *,
    source: str,
    reason: str | None = None,
    evidence: dict | None = None,
    applied: dict | None = None,
) -> None:
    """Append one row to ``lesson_status_history`` in the caller's transaction (no check: callers check).

    Parameters
    ----------
    db : Database
        The store, inside the transaction that changes the status.
    actor : Actor or None
        Who made the change; its user id and role are recorded.
    lesson_id : int
        ``lessons.id``.
    before, after : str
        The status before (None for a new lesson) and after.
    source : str
        ``decision`` (a person decided), ``workshop`` (a workshop's results) or ``upload``.
    reason : str, optional
        Why.
    evidence : dict, optional
        For workshops: ``workshop`` (code), ``round``, ``agree``, ``disagree``, ``pass``, ``n``.
    applied : dict, optional
        For ``applied_elsewhere``: ``pilot_id`` (or None), ``where`` (text), ``on`` (ISO date), ``note``.
    """
    evidence = evidence or {}
    applied = applied or {}
    db.execute(
        _HISTORY_INSERT,
        [
            int(lesson_id), before, after, source,
            None if actor is None else actor.user_id, None if actor is None else actor.role, reason,
            evidence.get("workshop"), evidence.get("round"), evidence.get("agree"), evidence.get("disagree"),
            evidence.get("pass"), evidence.get("n"),
            applied.get("pilot_id"), applied.get("where"), applied.get("on"), applied.get("note"),
        ],
    )  # fmt: skip


def write_histories(
    db: Database, actor: Actor | None, lesson_ids: list[int], statuses: list[str], *, source: str, reason: str | None
) -> None:
    """Append the first status of many new lessons, as :func:`write_history` would one by one (one prepared statement)."""
    user_id, role = (None, None) if actor is None else (actor.user_id, actor.role)
    db.conn.executemany(  # the columns of evidence and of applied_elsewhere are left NULL, as write_history leaves them
        """INSERT INTO lesson_status_history (lesson_id, status, source, at, user_id, role, reason)
           VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?)""",
        ((int(lesson_id), status, source, user_id, role, reason) for lesson_id, status in zip(lesson_ids, statuses)),
    )


_HISTORY_INSERT = """INSERT INTO lesson_status_history (lesson_id, status_before, status, source, at, user_id, role,
    reason, workshop, round, agree, disagree, pass, n, applied_pilot_id, applied_where, applied_on, note)
    VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def change_status(
    db: Database,
    actor: Actor | None,
    lesson_id: int,
    status: str,
    *,
    reason: str | None = None,
    where: str | None = None,
    on: str | date | None = None,
    note: str | None = None,
) -> dict:
    """Move a lesson to ``status`` by a person's decision, if the lifecycle allows it; record it publicly.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor or None
        Who decides.
    lesson_id : int
        ``lessons.id``.
    status : str
        The new status. ``validated`` and ``contested`` are always refused here: only
        :func:`lessons.workshops.apply_results` sets them.
    reason : str, optional
        Why; required to endorse.
    where : str, optional
        For ``applied_elsewhere``: a pilot of the store (its slug or name) or an organisation's name.
    on : str or date, optional
        For ``applied_elsewhere``: when (ISO date).
    note : str, optional
        For ``applied_elsewhere``: how it was applied.

    Returns
    -------
    dict
        ``before`` and ``after``.

    Raises
    ------
    LifecycleError
        The change is not a path of the lifecycle, or a required field is missing; the message names the path.
    PermissionDenied
        The actor's role may not make it.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"id": 1, "slug": "a", "name": "A", "country": "FI"})
    >>> _ = db["lessons"].insert({"id": 1, "pilot_id": 1, "key": "L1", "title": "T", "lesson": "x",
    ...                           "kind": "insight", "status": "draft"})
    >>> ana = Actor("ana", "coordinator", frozenset({1}))
    >>> change_status(db, ana, 1, "submitted")
    {'before': 'draft', 'after': 'submitted'}
    >>> change_status(db, ana, 1, "validated")
    Traceback (most recent call last):
    ...
    lessons.lifecycle.LifecycleError: A lesson becomes validated only when a facilitator applies the results of a workshop that voted on it: run a workshop on it, then apply its results.
    """
    if status not in STATUSES:
        raise LifecycleError(
            _("{status} is not a status; the statuses are {statuses}.").format(
                status=repr(status), statuses=", ".join(STATUSES)
            )
        )
    reason = clean_text(reason).strip() or None if reason else None
    note = clean_text(note).strip() or None if note else None
    where = clean_text(where, multiline=False).strip() or None if where else None
    if status in WORKSHOP_STATUSES:
        raise LifecycleError(path_to(status))
    with db.atomic():
        lesson = _lesson(db, lesson_id)
        before = lesson["status"]
        if before == status:
            raise LifecycleError(_("The lesson is {status} already.").format(status=status_name(status)))
        action = DECISIONS.get((before, status))
        if action is None:
            raise LifecycleError(
                _("The lesson is {status}. {path}").format(status=status_name(before), path=path_to(status))
            )
        applied = None
        if action == "lesson.apply_elsewhere":
            if not where:
                raise LifecycleError(_("Say where it was applied: a pilot of the store, or an organisation's name."))
            if not on:
                raise LifecycleError(_("Say when it was applied (a date like 2026-03-31)."))
            try:
                on = (on if isinstance(on, date) else date.fromisoformat(str(on))).isoformat()
            except ValueError:
                raise LifecycleError(
                    _("{value} is not a date; write it like 2026-03-31.").format(value=repr(on))
                ) from None
            if not note:
                raise LifecycleError(_("Add a note on how it was applied there."))
            row = db.execute(
                "SELECT id, name FROM pilots WHERE slug = ? OR name = ? COLLATE NOCASE", [where, where]
            ).fetchone()
            target = row[0] if row else None
            if row:
                where = row[1]
            if not can(actor, action, target):
                _refuse_role(actor, action, status)
            applied = {"pilot_id": target, "where": where, "on": on, "note": note}
        elif not can(actor, action, lesson["pilot_id"]):
            _refuse_role(actor, action, status)
        if action == "lesson.endorse" and not reason:
            raise LifecycleError(_("Give a reason for endorsing the lesson: it is shown with the lesson."))
        db.execute(
            "UPDATE lessons SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
            [status, lesson["id"]],
        )
        write_history(db, actor, lesson["id"], before, status, source="decision", reason=reason, applied=applied)
        record(
            db, actor, "lesson.status", object_type="lesson", object_id=f"{lesson['pilot']}:{lesson['key']}", rows=1,
            detail={"status": {"before": before, "after": status}, "reason": reason, **(applied or {})},
        )  # fmt: skip
    return {"before": before, "after": status}


def upload_status_problem(current: str | None, given: str | None) -> str | None:
    """Why an upload may not set a lesson's status to ``given`` (None when it may).

    An upload may set ``draft`` or ``submitted`` on a new lesson or on one that is draft or submitted, and may
    repeat whatever status a lesson has; anything else goes through the lifecycle.

    >>> upload_status_problem(None, "submitted") is None, upload_status_problem("validated", "validated") is None
    (True, True)
    >>> upload_status_problem(None, "validated")
    'An upload cannot set a lesson validated. A lesson becomes validated only when a facilitator applies the results of a workshop that voted on it: run a workshop on it, then apply its results.'
    """
    if not given or given == current:
        return None
    if given not in UPLOAD_STATUSES:
        return _("An upload cannot set a lesson {status}. {path}").format(
            status=status_name(given), path=path_to(given)
        )
    if current not in (None, *UPLOAD_STATUSES):
        return _("The lesson is {status} already; an upload cannot set it back to {given}.").format(
            status=status_name(current), given=status_name(given)
        )
    return None


def status_history(db: Database, lesson_id: int) -> pd.DataFrame:
    """Return a lesson's status history, oldest first, without account ids (what every reader may see).

    The vote counts of a workshop with fewer participants than the privacy threshold are empty (as everywhere).

    Columns id, at, status_before, status, source, role, reason, workshop, round, agree, disagree, pass, n,
    applied_where, applied_on, note.
    """
    shown = public_workshop("w")
    cursor = db.execute(
        f"""SELECT h.id, h.at, h.status_before, h.status, h.source, h.role, h.reason, h.workshop, h.round,
                   {", ".join(f"CASE WHEN w.id IS NULL OR {shown} THEN h.{c} END AS {c}" for c in _COUNTS)},
                   h.applied_where, h.applied_on, h.note
            FROM lesson_status_history h LEFT JOIN workshops w ON w.code = h.workshop
            WHERE h.lesson_id = ? ORDER BY h.at, h.id""",
        [int(lesson_id)],
    )
    # object columns: counts stay integers and missing values None (not NaN), as the timeline reads them
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description], dtype=object)


def describe(row: dict) -> str:
    """One line of the public timeline: who acted by role or workshop, never by name (plain text, not escaped).

    >>> describe({"status": "validated", "source": "workshop", "workshop": "HVR3QT", "round": 2, "agree": 38,
    ...           "disagree": 1, "pass": 5, "role": "facilitator"})
    'Validated by workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass'
    >>> describe({"status": "endorsed", "source": "decision", "role": "admin", "reason": "Seen in three pilots"})
    'Endorsed by an administrator: Seen in three pilots'
    """
    status = status_name(row["status"])
    status = status[:1].upper() + status[1:]
    source = row.get("source")
    if source == "before_lifecycle":
        return _("{status}: recorded before the lifecycle existed").format(status=status)
    if source == "workshop":
        if row.get("agree") is None:
            return _("{status} by workshop {workshop}, round {round} (too few people to show votes)").format(
                status=status, workshop=row.get("workshop"), round=_count(row.get("round"))
            )
        return _(
            "{status} by workshop {workshop}, round {round}: {agree} agree, {disagree} disagree, {passes} pass"
        ).format(
            status=status,
            workshop=row.get("workshop"),
            round=_count(row.get("round")),
            agree=_count(row.get("agree")),
            disagree=_count(row.get("disagree")),
            passes=_count(row.get("pass")),
        )
    if not row.get("role"):  # no account acted (the demo data, an import)
        return _("{status}: {reason}").format(
            status=status, reason=row.get("reason") or _("recorded without an account")
        )
    article = _("{status} by an {role}") if row.get("role") == "admin" else _("{status} by a {role}")
    text = article.format(status=status, role=role_name(row.get("role")))
    if source == "upload":
        text = _("{change} (upload)").format(change=text)
    if row.get("status") == "applied_elsewhere":
        text = _("{change} — in {place} on {when}: {note}").format(
            change=text, place=row.get("applied_where"), when=day(row.get("applied_on")), note=row.get("note")
        )
    elif row.get("reason"):
        text = _("{change}: {reason}").format(change=text, reason=row["reason"])
    return text


def _count(value) -> str:
    """Write a count for the language (a missing one as nothing)."""
    return "" if value is None else number(int(value))

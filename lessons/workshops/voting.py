"""What participants do: join a workshop anonymously, vote, see what is left to answer, suggest statements.

Participants have no account: :func:`join` gives them a secret token, and votes and submissions are checked
against the workshop, not against permissions (votes are not audited one by one; a submission's audit entry names a
hash of the token, to count each participant's share). Participant writes are short ``BEGIN IMMEDIATE``
transactions retried on a busy store (:class:`Retry`), and votes are group-committed, so a room voting at once
loses nothing.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import math
import random
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pycountry
from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import _, current, ngettext, number, using
from lessons.workshops.preparation import _clean_text, _next_number, _next_position, statement_key
from lessons.workshops.rooms import WorkshopError, _row, _workshop, normalise_code

#: Participants' statements a workshop holds waiting for moderation at most: a flood stops here, and it takes at
#: least ``MAX_PENDING // MAX_PENDING_PER_PARTICIPANT`` participants to reach it.
MAX_PENDING = 200
#: One participant's statements waiting for moderation at most, and suggested in all per workshop at most.
MAX_PENDING_PER_PARTICIPANT = 5
MAX_SUGGESTIONS_PER_PARTICIPANT = 10
#: A participant suggests at most one statement per this many seconds.
SUGGESTION_INTERVAL_S = 30
#: Votes, by the words the buttons use and by the Pol.is numbers.
VOTE_VALUES = {"agree": 1, "disagree": -1, "pass": 0, 1: 1, -1: -1, 0: 0}


# --- participants -----------------------------------------------------------------------------------------------


class Retry:
    """Run a short write transaction (``BEGIN IMMEDIATE``), retrying with backoff while SQLite reports it busy.

    Retries when SQLite reports the database busy or locked beyond its busy timeout; only then does the error reach the
    caller.
    """

    attempts = 8

    @staticmethod
    def run(db: Database, work):
        """Run ``work`` in a write transaction, retrying with backoff while the database is busy; return its result."""
        if db.conn.in_transaction:  # inside the caller's transaction: it commits
            return work()
        delay = 0.005
        for attempt in range(Retry.attempts):
            try:
                with _write_lock(db):
                    db.conn.execute("BEGIN IMMEDIATE")
                    try:
                        result = work()
                    except BaseException:
                        db.conn.rollback()
                        raise
                    db.conn.execute("COMMIT")
                return result
            except sqlite3.OperationalError as error:
                message = str(error).lower()
                if ("locked" not in message and "busy" not in message) or attempt == Retry.attempts - 1:
                    raise
                if db.conn.in_transaction:
                    db.conn.rollback()
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _write_lock(db: Database):
    """Return this process's one lock per database file, where threads (Streamlit sessions) queue for the write lock.

    They queue in turn, instead of sleeping in SQLite's busy handler, which would let some writers wait seconds while
    others pass. Other processes are still kept apart by SQLite's own locking and the busy timeout. In-memory stores
    need no lock. The lock is found once per connection.
    """
    lock = getattr(db, "_workshop_write_lock", None)
    if lock is None:
        path = db.conn.execute("PRAGMA database_list").fetchone()[2]
        if not path:
            lock = contextlib.nullcontext()
        else:
            with _LOCKS_GUARD:
                lock = _LOCKS.setdefault(path, threading.Lock())
        db._workshop_write_lock = lock
    return lock


def _participant(db: Database, token: str) -> dict:
    participant = _row(
        db,
        """SELECT p.id, p.workshop_id, p.stakeholder_group, w.code, w.status, w.current_round, w.allow_submissions
           FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ?""",
        [str(token or "")],
    )
    if participant is None:
        raise WorkshopError(_("This voting link is not known; join the workshop with its code."))
    return participant


def join(
    db: Database, code: str, *, stakeholder_group: str, pilot: str | None = None, country: str | None = None
) -> str:
    """Join an open workshop as an anonymous participant; return the participant's secret token.

    The token (``secrets.token_urlsafe``) is all a participant has: kept in their browser, it lets them vote and
    change their votes. ``stakeholder_group`` is a ``sectors`` code; ``pilot`` a pilot slug and ``country`` an
    ISO 3166 alpha-2 code, both optional.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop, open_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> open_workshop(db, cli_actor(), code)
    >>> len(join(db, code, stakeholder_group="public", country="fi")) > 30
    True
    """
    group = (stakeholder_group or "").strip()
    if not db.execute("SELECT 1 FROM sectors WHERE code = ?", [group]).fetchone():
        raise WorkshopError(_("Choose your stakeholder group from the list."))
    pilot_id = None
    if pilot:
        row = db.execute("SELECT id FROM pilots WHERE slug = ?", [pilot.strip()]).fetchone()
        if row is None:
            raise WorkshopError(_("There is no pilot {pilot}.").format(pilot=repr(pilot)))
        pilot_id = row[0]
    if country:
        country = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country) or pycountry.countries.get(alpha_2=country) is None:
            raise WorkshopError(_("Country must be an ISO 3166 two-letter code, e.g. FI or PT."))
    token = secrets.token_urlsafe(24)

    def work():
        workshop = _workshop(db, code)
        if workshop["status"] != "open":
            raise WorkshopError(
                _("The workshop is closed; it is not taking participants now.")
                if workshop["status"] == "closed"
                else _("The workshop is draft; it is not taking participants now.")
            )
        db.execute(
            "INSERT INTO participants (workshop_id, token, stakeholder_group, pilot_id, country) VALUES (?, ?, ?, ?, ?)",
            [workshop["id"], token, group, pilot_id, country or None],
        )

    Retry.run(db, work)
    return token


def rejoin(db: Database, code: str, token: str) -> str | None:
    """Return ``token`` when it is a participant of the workshop ``code``, else None.

    A participant who reloads the page, closes the tab or whose phone slept comes back with the token their browser
    kept (in the link or a cookie); this is the check that lets them in again as the same participant, with their
    votes, instead of joining anew. It writes nothing, whatever the workshop's status: a closed workshop still shows
    its participant what they answered. A token of another workshop, or one that is not a token at all, is refused.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    code : str
        The workshop's join code, as in the link (any case).
    token : str
        The secret token the browser kept.

    Returns
    -------
    str or None
        The token, or None when it does not belong to this workshop.

    Examples
    --------
    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> from lessons.workshops.rooms import create_workshop, open_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> open_workshop(db, cli_actor(), code)
    >>> token = join(db, code, stakeholder_group="public")
    >>> rejoin(db, code.lower(), token) == token
    True
    >>> rejoin(db, code, "not-a-token"), rejoin(db, "ZZZZZZ", token)
    (None, None)
    """
    token, code = str(token or ""), normalise_code(code)
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token) or not code:
        return None
    row = db.execute(
        "SELECT 1 FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ? AND w.code = ?",
        [token, code],
    ).fetchone()
    return token if row else None


def vote_value(value) -> int:
    """Convert a vote to its stored value: 1 agree, -1 disagree, 0 pass.

    >>> vote_value("Agree"), vote_value(-1), vote_value("pass")
    (1, -1, 0)
    """
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, bool) or key not in VOTE_VALUES:
        raise WorkshopError(_("A vote is agree, disagree or pass."))
    return VOTE_VALUES[key]


@dataclass
class _PendingVote:
    """A vote waiting for the next group commit of its database file."""

    token: str
    key: str
    value: int
    importance: int | None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    #: The voter's language: another voter's thread may store this vote, and a refusal is worded for its voter.
    language: str = field(default_factory=current)


_QUEUES: dict[str, collections.deque] = {}


def _store_vote(db: Database, vote: _PendingVote) -> None:
    """Check and upsert one vote on ``db`` (inside the caller's transaction)."""
    row = db.conn.execute(
        """SELECT p.id, w.status, w.current_round, s.id, s.moderation
           FROM participants p JOIN workshops w ON w.id = p.workshop_id
           LEFT JOIN statements s ON s.workshop_id = w.id AND s.key = ?
           WHERE p.token = ?""",
        [str(vote.key or "").upper(), str(vote.token or "")],
    ).fetchone()
    if row is None:
        raise WorkshopError(_("This voting link is not known; join the workshop with its code."))
    participant_id, status, current_round, statement_id, moderation = row
    if status != "open":
        raise WorkshopError(
            _("The workshop is closed; votes are not taken now.")
            if status == "closed"
            else _("The workshop is draft; votes are not taken now.")
        )
    if statement_id is None or moderation != "approved":
        raise WorkshopError(_("There is no statement {key} to vote on.").format(key=vote.key))
    db.conn.execute(
        """INSERT INTO votes (participant_id, statement_id, round, value, importance) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (participant_id, statement_id, round) DO UPDATE SET
               value = excluded.value, importance = excluded.importance, voted_at = excluded.voted_at""",
        [participant_id, statement_id, current_round, vote.value, vote.importance],
    )


def _commit_batch(db: Database, batch: list[_PendingVote]) -> None:
    """Store every vote of ``batch`` in one ``BEGIN IMMEDIATE`` transaction.

    A refused vote — closed workshop, unknown statement — is refused alone; the whole batch is retried with backoff
    while another process holds the database; each vote's waiter is then released with its own outcome.
    """
    delay = 0.005
    for attempt in range(Retry.attempts):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                errors = []
                for vote in batch:
                    try:
                        with using(vote.language):
                            _store_vote(db, vote)
                        errors.append(None)
                    except WorkshopError as refused:
                        errors.append(refused)
                db.conn.execute("COMMIT")
            except BaseException:
                db.conn.rollback()
                raise
            for vote, error in zip(batch, errors):
                vote.error = error
            return
        except sqlite3.OperationalError as error:
            message = str(error).lower()
            if ("locked" not in message and "busy" not in message) or attempt == Retry.attempts - 1:
                for vote in batch:
                    vote.error = error
                return
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)


def cast_vote(db: Database, token: str, statement_key: str, value, importance: int | None = None) -> None:
    """Vote on a statement in the current round; voting again replaces the earlier vote of this round.

    ``value`` is agree / disagree / pass or 1 / -1 / 0; ``importance`` an optional 1–5. Only open workshops and
    approved statements take votes. Votes are written by group commit: a vote joins its database file's queue; the
    first voter to get the file's write lock stores every queued vote in one short ``BEGIN IMMEDIATE``
    transaction (retried with backoff if another process holds the database) and releases the others, who find
    their vote already stored. A crowd voting at once thus shares transactions instead of queueing for one each,
    loses nothing and sees no "database is locked".
    """
    value = vote_value(value)
    if importance is not None:
        if isinstance(importance, bool) or int(importance) != importance or not 1 <= int(importance) <= 5:
            raise WorkshopError(_("Importance is a whole number from 1 to 5."))
        importance = int(importance)
    vote = _PendingVote(str(token or ""), str(statement_key or ""), value, importance)
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    if not path or db.conn.in_transaction:  # in-memory store, or inside the caller's transaction
        Retry.run(db, lambda: _store_vote(db, vote))
        return
    with _LOCKS_GUARD:
        queue = _QUEUES.setdefault(path, collections.deque())
    queue.append(vote)
    with _write_lock(db):
        if not vote.done.is_set():
            batch = []
            while queue:
                batch.append(queue.popleft())
            _commit_batch(db, batch)
            for pending in batch:
                pending.done.set()
    vote.done.wait()
    if vote.error is not None:
        raise vote.error


def my_votes(db: Database, token: str, *, round: int | None = None) -> dict[str, dict]:
    """Return the participant's votes of the current round (or ``round``): statement key → value and importance.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db, cli = open_memory_store(), cli_actor()
    >>> from lessons.workshops import add_statements, create_workshop, open_workshop
    >>> code = create_workshop(db, cli, "Validation")
    >>> add_statements(db, cli, code, texts=["Residents should co-design services."])
    ['S01']
    >>> open_workshop(db, cli, code)
    >>> token = join(db, code, stakeholder_group="public")
    >>> cast_vote(db, token, "S01", "agree", importance=4)
    >>> my_votes(db, token)
    {'S01': {'value': 1, 'importance': 4}}
    """
    participant = _participant(db, token)
    cursor = db.execute(
        """SELECT s.key, v.value, v.importance FROM votes v JOIN statements s ON s.id = v.statement_id
           WHERE v.participant_id = ? AND v.round = ? ORDER BY s.position, s.id""",
        [participant["id"], participant["current_round"] if round is None else int(round)],
    )
    return {key: {"value": value, "importance": importance} for key, value, importance in cursor}


def _shuffle_key(token: str, key: str) -> str:
    return hashlib.sha256(f"{token}\x1f{key}".encode()).hexdigest()


def next_statements(db: Database, token: str, language: str | None = None) -> dict:
    """Return what the participant still has to answer in the current round, and their progress.

    Returns ``{"statements": [...], "answered": n, "total": n, "round": r}``: the approved statements without a
    vote of this participant in this round, each a dict of key and text, in a random order that is stable for the
    participant (each statement is placed by a hash of the token and its key, so a rerun shows the same order and a
    statement added later does not reshuffle the rest). With ``language``, a statement's text is its translation
    into that language where one exists (``translated`` says so), the original otherwise.
    """
    participant = _participant(db, token)
    cursor = db.execute(
        """SELECT s.key, coalesce(t.text, s.text), v.id IS NOT NULL, t.text IS NOT NULL FROM statements s
           LEFT JOIN votes v ON v.statement_id = s.id AND v.participant_id = ? AND v.round = ?
           LEFT JOIN statement_translations t ON t.statement_id = s.id AND t.language = ?
           WHERE s.workshop_id = ? AND s.moderation = 'approved'""",
        [participant["id"], participant["current_round"], language or "", participant["workshop_id"]],
    )
    rows = cursor.fetchall()
    todo = sorted((r for r in rows if not r[2]), key=lambda r: _shuffle_key(token, r[0]))
    return {
        "statements": [{"key": k, "text": t, "translated": bool(tr)} for k, t, _done, tr in todo],
        "answered": sum(1 for r in rows if r[2]),
        "total": len(rows),
        "round": participant["current_round"],
    }


def _suggester(token: str) -> str:
    """Return who suggested a statement, as the audit log keeps it: a hash of the participant's token.

    The token itself is never logged, and the statement is not tied to its author.
    """
    return hashlib.sha256(f"suggestion\x1f{token}".encode()).hexdigest()[:32]


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _check_suggestion_quota(db: Database, workshop_id: int, suggester: str, now: str) -> None:
    """Refuse a participant's suggestion beyond their share.

    One per ``SUGGESTION_INTERVAL_S`` seconds, ``MAX_PENDING_PER_PARTICIPANT`` waiting for moderation,
    ``MAX_SUGGESTIONS_PER_PARTICIPANT`` in all.
    """
    total, latest, pending = db.execute(
        """SELECT count(*), max(a.at), coalesce(sum(s.moderation = 'pending'), 0) FROM audit_log a
           LEFT JOIN statements s ON s.workshop_id = ? AND s.key = json_extract(a.detail, '$.statement')
           WHERE a.action = 'workshop.suggest' AND a.object_type = 'participant' AND a.object_id = ?""",
        [workshop_id, suggester],
    ).fetchone()
    if latest is not None:
        elapsed = (_parse_stamp(now) - _parse_stamp(latest)).total_seconds()
        if elapsed < SUGGESTION_INTERVAL_S:
            wait = math.ceil(SUGGESTION_INTERVAL_S - max(elapsed, 0))
            raise WorkshopError(
                ngettext(
                    "Please wait {n} second before suggesting another statement.",
                    "Please wait {n} seconds before suggesting another statement.",
                    wait,
                ).format(n=number(wait))
            )
    if total >= MAX_SUGGESTIONS_PER_PARTICIPANT:
        raise WorkshopError(
            ngettext(
                "You have suggested {n} statement, as many as one participant may suggest in this workshop.",
                "You have suggested {n} statements, as many as one participant may suggest in this workshop.",
                total,
            ).format(n=number(total))
        )
    if pending >= MAX_PENDING_PER_PARTICIPANT:
        raise WorkshopError(
            ngettext(
                "{n} of your statements is waiting for the facilitator; suggest more once it has been looked at.",
                "{n} of your statements are waiting for the facilitator; suggest more once they have been looked at.",
                pending,
            ).format(n=number(pending))
        )


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def submit_statement(db: Database, token: str, text: str, *, now: datetime | None = None) -> str:
    """Submit a participant's own statement into the moderation queue (``pending``); return its key.

    Only while the workshop is open and takes submissions. The text is stored as plain text
    (:func:`~lessons.text.clean_text`, whitespace folded, 10–280 characters) and must be shown as text, never as
    markup; a text the workshop already has is refused.

    So that nobody can fill the queue for everyone, a participant suggests at most one statement per
    ``SUGGESTION_INTERVAL_S`` seconds, has at most ``MAX_PENDING_PER_PARTICIPANT`` waiting for moderation and
    suggests at most ``MAX_SUGGESTIONS_PER_PARTICIPANT`` in all; the queue as a whole holds at most ``MAX_PENDING``.
    Each suggestion is counted by an audit entry ``workshop.suggest`` naming a hash of the participant's token and
    the statement's key; the statement itself is not tied to who wrote it.
    """
    text = _clean_text(text)
    stamp = _stamp(now)
    suggester = _suggester(str(token or ""))

    def work():
        participant = _participant(db, token)
        if participant["status"] != "open":
            raise WorkshopError(
                _("The workshop is closed; it is not taking statements now.")
                if participant["status"] == "closed"
                else _("The workshop is draft; it is not taking statements now.")
            )
        if not participant["allow_submissions"]:
            raise WorkshopError(_("This workshop does not take participants' statements."))
        _check_suggestion_quota(db, participant["workshop_id"], suggester, stamp)
        same = db.execute(
            "SELECT 1 FROM statements WHERE workshop_id = ? AND lower(text) = lower(?) AND moderation != 'rejected'",
            [participant["workshop_id"], text],
        ).fetchone()
        if same:
            raise WorkshopError(_("That statement is already in the workshop."))
        pending = db.execute(
            "SELECT count(*) FROM statements WHERE workshop_id = ? AND source = 'participant' AND moderation = 'pending'",
            [participant["workshop_id"]],
        ).fetchone()[0]
        if pending >= MAX_PENDING:
            raise WorkshopError(_("The moderation queue is full; try again once the facilitator has caught up."))
        key = statement_key(_next_number(db, participant["workshop_id"]))
        db.execute(
            """INSERT INTO statements (workshop_id, key, text, source, moderation, position)
               VALUES (?, ?, ?, 'participant', 'pending', ?)""",
            [participant["workshop_id"], key, text, _next_position(db, participant["workshop_id"])],
        )
        record(
            db, "participant", "workshop.suggest", object_type="participant", object_id=suggester, rows=1,
            detail={"workshop": participant["code"], "statement": key}, at=stamp,
        )  # fmt: skip
        return key

    return Retry.run(db, work)

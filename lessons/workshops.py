"""Validation workshops, the domain: prepare, open, vote, moderate, run rounds, close and write results back.

Facilitators and admins prepare and run workshops (``workshop.manage``) and apply their results to lessons
(``workshop.apply``); each of those steps is audited. Participants have no account: :func:`join` gives them a
secret token, and votes and submissions are checked against the workshop, not against permissions (votes are not
audited one by one; a submission's audit entry names a hash of the token, to count each participant's share). Participant writes are short ``BEGIN IMMEDIATE`` transactions retried on a busy store, so
a room voting at once loses nothing.

Lifecycle: ``draft`` → ``open`` → ``closed`` (a closed workshop may be reopened). Statements can be added while
draft or open, and removed while nobody has voted on them; a closed workshop's statements do not change.
Results are written back by :func:`apply_results` after closing, a separate step so the facilitator sees the
results before lessons change. Analysis of the results lives in ``lessons.workshop_analysis``.
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
from lessons.lifecycle import write_history
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

#: Join codes use characters that cannot be confused when read aloud or typed: no 0/O, no 1/I/L.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class WorkshopError(ValueError):
    """A workshop step that cannot be taken now; the message says why."""


def new_join_code(db: Database) -> str:
    """A join code no workshop uses yet.

    >>> from lessons.store import open_memory_store
    >>> code = new_join_code(open_memory_store())
    >>> len(code) == CODE_LENGTH and set(code) <= set(JOIN_ALPHABET)
    True
    """
    while True:
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.execute("SELECT 1 FROM workshops WHERE code = ?", [code]).fetchone():
            return code


def create_workshop(
    db: Database, actor: Actor, title: str, *, purpose: str | None = None, allow_submissions: bool = False
) -> str:
    """Prepare a workshop in draft; return its join code."""
    authorize(actor, "workshop.manage")
    title = clean_text(title, multiline=False).strip()
    purpose = clean_text(purpose).strip() or None
    if not title:
        raise WorkshopError("A workshop needs a title.")
    with db.atomic():
        code = new_join_code(db)
        db.execute(
            "INSERT INTO workshops (code, title, purpose, allow_submissions, created_by) VALUES (?, ?, ?, ?, ?)",
            [code, title, purpose, int(allow_submissions), actor.user_id],
        )
        record(db, actor, "workshop.create", object_type="workshop", object_id=code, rows=1, detail={"title": title})
    return code


def _set_status(db: Database, actor: Actor, code: str, status: str, allowed_from: tuple[str, ...], stamp: str) -> None:
    authorize(actor, "workshop.manage")
    with db.atomic():
        code = normalise_code(code)
        row = db.execute("SELECT status FROM workshops WHERE code = ?", [code]).fetchone()
        if row is None:
            raise WorkshopError(f"There is no workshop with the code {code}.")
        if row[0] not in allowed_from:
            raise WorkshopError(f"The workshop is {row[0]}; it cannot be {status} now.")
        db.execute(
            f"UPDATE workshops SET status = ?, {stamp} = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE code = ?",
            [status, code],
        )
        record(
            db,
            actor,
            f"workshop.{'open' if status == 'open' else 'close'}",
            object_type="workshop",
            object_id=code,
            rows=1,
        )


def open_workshop(db: Database, actor: Actor, code: str) -> None:
    """Open a draft (or reopen a closed) workshop for voting."""
    _set_status(db, actor, code, "open", ("draft", "closed"), "opened_at")


def close_workshop(db: Database, actor: Actor, code: str) -> None:
    """Close an open workshop: no more votes."""
    _set_status(db, actor, code, "closed", ("open",), "closed_at")


# --- preparing statements ---------------------------------------------------------------------------------------

#: Statement text limits (characters), for facilitators' free text and participants' submissions alike.
MIN_STATEMENT_CHARS = 10
MAX_STATEMENT_CHARS = 280
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


def normalise_code(code: str | None) -> str:
    """A join code as stored: capitals, without spaces or dashes.

    >>> normalise_code(" ab-c 23k ")
    'ABC23K'
    """
    return re.sub(r"[\s\-]+", "", str(code or "")).upper()


def _row(db: Database, sql: str, params) -> dict | None:
    cursor = db.execute(sql, list(params))
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row))


def _rows(db: Database, sql: str, params=()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def workshop_by_code(db: Database, code: str | None) -> dict | None:
    """The workshop with join ``code`` as a dict of its columns, or None; case, spaces and dashes do not matter.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> workshop_by_code(db, code.lower())["status"], workshop_by_code(db, "nope")
    ('draft', None)
    """
    return _row(db, "SELECT * FROM workshops WHERE code = ?", [normalise_code(code)])


def _workshop(db: Database, code: str) -> dict:
    workshop = workshop_by_code(db, code)
    if workshop is None:
        raise WorkshopError(f"There is no workshop with the code {normalise_code(code)}.")
    return workshop


def _clean_text(text: str | None) -> str:
    """Statement text as stored: :func:`~lessons.text.clean_text`, then runs of whitespace folded to one space
    (plain text, never markup)."""
    text = re.sub(r"\s+", " ", clean_text(text)).strip()
    if len(text) < MIN_STATEMENT_CHARS:
        raise WorkshopError(f"A statement needs at least {MIN_STATEMENT_CHARS} characters.")
    if len(text) > MAX_STATEMENT_CHARS:
        raise WorkshopError(f"A statement may have at most {MAX_STATEMENT_CHARS} characters; this has {len(text)}.")
    return text


def _next_number(db: Database, workshop_id: int) -> int:
    """The number of the next statement key: one past the highest ``S<n>`` ever used (removed keys are not reused
    while a later key exists)."""
    row = db.execute(
        "SELECT max(CAST(substr(key, 2) AS INTEGER)) FROM statements WHERE workshop_id = ? AND key GLOB 'S[0-9]*'",
        [workshop_id],
    ).fetchone()
    return (row[0] or 0) + 1


def _next_position(db: Database, workshop_id: int) -> int:
    row = db.execute("SELECT max(position) FROM statements WHERE workshop_id = ?", [workshop_id]).fetchone()
    return (row[0] or 0) + 1


def statement_key(number: int) -> str:
    """``S01``, ``S02`` … ``S99``, ``S100``.

    >>> statement_key(7), statement_key(123)
    ('S07', 'S123')
    """
    return f"S{number:02d}"


def add_statements(db: Database, actor: Actor, code: str, *, lessons=(), elements=(), texts=()) -> list[str]:
    """Add statements to a draft or open workshop; return the keys of the statements added, in order.

    A lesson becomes its title (source ``lesson``), a governance-model element its name and description
    (``element``), a free text itself (``free``); all are approved. A lesson or element the workshop already has
    is skipped. Statements may be added while the workshop is open (participants see them next); not once closed.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["Residents should co-design services."])
    ['S01']
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] == "closed":
            raise WorkshopError("The workshop is closed; reopen it to add statements.")
        items: list[tuple[str, str, int | None, int | None]] = []
        have_lessons = {
            r[0] for r in db.execute("SELECT lesson_id FROM statements WHERE workshop_id = ?", [workshop["id"]])
        }
        have_elements = {
            r[0] for r in db.execute("SELECT element_id FROM statements WHERE workshop_id = ?", [workshop["id"]])
        }
        for lesson_id in dict.fromkeys(int(i) for i in lessons):
            lesson = _row(db, "SELECT id, title FROM lessons WHERE id = ?", [lesson_id])
            if lesson is None:
                raise WorkshopError(f"There is no lesson {lesson_id}.")
            if lesson_id not in have_lessons:
                items.append((_clip(lesson["title"]), "lesson", lesson_id, None))
        for element_id in dict.fromkeys(int(i) for i in elements):
            element = _row(db, "SELECT id, name, description FROM model_elements WHERE id = ?", [element_id])
            if element is None:
                raise WorkshopError(f"There is no governance-model element {element_id}.")
            if element_id not in have_elements:
                text = element["name"] + (f": {element['description']}" if element["description"] else "")
                items.append((_clip(text), "element", None, element_id))
        for text in texts:
            items.append((_clean_text(text), "free", None, None))
        number = _next_number(db, workshop["id"])
        position = _next_position(db, workshop["id"])
        keys = []
        for offset, (text, source, lesson_id, element_id) in enumerate(items):
            key = statement_key(number + offset)
            db.execute(
                """INSERT INTO statements (workshop_id, key, text, source, lesson_id, element_id, moderation, position)
                   VALUES (?, ?, ?, ?, ?, ?, 'approved', ?)""",
                [workshop["id"], key, text, source, lesson_id, element_id, position + offset],
            )
            keys.append(key)
        if keys:
            record(
                db,
                actor,
                "workshop.statements",
                object_type="workshop",
                object_id=workshop["code"],
                rows=len(keys),
                detail={"added": keys},
            )
    return keys


def _clip(text: str) -> str:
    """Text drawn from a lesson or element, folded to one line and cut to the statement length limit."""
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    return text if len(text) <= MAX_STATEMENT_CHARS else text[: MAX_STATEMENT_CHARS - 1].rstrip() + "…"


def remove_statement(db: Database, actor: Actor, code: str, key: str) -> None:
    """Remove a statement from a workshop: in draft, or while open as long as nobody has voted on it (votes are
    never thrown away; reject or leave such a statement instead)."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] == "closed":
            raise WorkshopError("The workshop is closed; its statements can no longer change.")
        statement = _row(
            db, "SELECT id FROM statements WHERE workshop_id = ? AND key = ?", [workshop["id"], str(key).upper()]
        )
        if statement is None:
            raise WorkshopError(f"The workshop has no statement {key}.")
        if db.execute("SELECT 1 FROM votes WHERE statement_id = ? LIMIT 1", [statement["id"]]).fetchone():
            raise WorkshopError(f"Participants have voted on {key}; it cannot be removed.")
        db.execute("DELETE FROM statements WHERE id = ?", [statement["id"]])
        record(
            db, actor, "workshop.statements", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"removed": [str(key).upper()]},
        )  # fmt: skip


def set_allow_submissions(db: Database, actor: Actor, code: str, allow: bool) -> None:
    """Whether participants may submit their own statements (into moderation)."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        db.execute("UPDATE workshops SET allow_submissions = ? WHERE id = ?", [int(bool(allow)), workshop["id"]])
        record(
            db, actor, "workshop.submissions", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"allow_submissions": bool(allow)},
        )  # fmt: skip


def statements(db: Database, code: str, *, include_pending: bool = False) -> list[dict]:
    """The workshop's statements in the facilitator's order: approved ones, and pending submissions too when
    ``include_pending`` (rejected ones never). Each is a dict of key, text, source, lesson_id, element_id,
    moderation and position.
    """
    workshop = _workshop(db, code)
    wanted = ("approved", "pending") if include_pending else ("approved",)
    return _rows(
        db,
        f"""SELECT key, text, source, lesson_id, element_id, moderation, position FROM statements
            WHERE workshop_id = ? AND moderation IN ({", ".join("?" for _ in wanted)})
            ORDER BY position, id""",
        [workshop["id"], *wanted],
    )


# --- participants -----------------------------------------------------------------------------------------------


class Retry:
    """Run a short write transaction (``BEGIN IMMEDIATE``), retrying with backoff when SQLite reports the database
    busy or locked beyond its busy timeout; only then does the error reach the caller."""

    attempts = 8

    @staticmethod
    def run(db: Database, work):
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
    """One lock per database file in this process: threads (Streamlit sessions) queue for the write lock here,
    in turn, instead of sleeping in SQLite's busy handler, which would let some writers wait seconds while others
    pass. Other processes are still kept apart by SQLite's own locking and the busy timeout. In-memory stores need
    no lock. The lock is found once per connection."""
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
        raise WorkshopError("This voting link is not known; join the workshop with its code.")
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
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> open_workshop(db, cli_actor(), code)
    >>> len(join(db, code, stakeholder_group="public", country="fi")) > 30
    True
    """
    group = (stakeholder_group or "").strip()
    if not db.execute("SELECT 1 FROM sectors WHERE code = ?", [group]).fetchone():
        raise WorkshopError("Choose your stakeholder group from the list.")
    pilot_id = None
    if pilot:
        row = db.execute("SELECT id FROM pilots WHERE slug = ?", [pilot.strip()]).fetchone()
        if row is None:
            raise WorkshopError(f"There is no pilot {pilot!r}.")
        pilot_id = row[0]
    if country:
        country = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country) or pycountry.countries.get(alpha_2=country) is None:
            raise WorkshopError("Country must be an ISO 3166 two-letter code, e.g. FI or PT.")
    token = secrets.token_urlsafe(24)

    def work():
        workshop = _workshop(db, code)
        if workshop["status"] != "open":
            raise WorkshopError(f"The workshop is {workshop['status']}; it is not taking participants now.")
        db.execute(
            "INSERT INTO participants (workshop_id, token, stakeholder_group, pilot_id, country) VALUES (?, ?, ?, ?, ?)",
            [workshop["id"], token, group, pilot_id, country or None],
        )

    Retry.run(db, work)
    return token


def vote_value(value) -> int:
    """A vote as stored: 1 agree, -1 disagree, 0 pass.

    >>> vote_value("Agree"), vote_value(-1), vote_value("pass")
    (1, -1, 0)
    """
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, bool) or key not in VOTE_VALUES:
        raise WorkshopError("A vote is agree, disagree or pass.")
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
        raise WorkshopError("This voting link is not known; join the workshop with its code.")
    participant_id, status, current_round, statement_id, moderation = row
    if status != "open":
        raise WorkshopError(f"The workshop is {status}; votes are not taken now.")
    if statement_id is None or moderation != "approved":
        raise WorkshopError(f"There is no statement {vote.key} to vote on.")
    db.conn.execute(
        """INSERT INTO votes (participant_id, statement_id, round, value, importance) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (participant_id, statement_id, round) DO UPDATE SET
               value = excluded.value, importance = excluded.importance, voted_at = excluded.voted_at""",
        [participant_id, statement_id, current_round, vote.value, vote.importance],
    )


def _commit_batch(db: Database, batch: list[_PendingVote]) -> None:
    """Store every vote of ``batch`` in one ``BEGIN IMMEDIATE`` transaction (a refused vote — closed workshop,
    unknown statement — is refused alone), retrying the whole batch with backoff while another process holds the
    database; each vote's waiter is then released with its own outcome."""
    delay = 0.005
    for attempt in range(Retry.attempts):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                errors = []
                for vote in batch:
                    try:
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
            raise WorkshopError("Importance is a whole number from 1 to 5.")
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
    """The participant's votes of the current round (or ``round``): statement key → value and importance.

    >>> from lessons.permissions import cli_actor
    >>> from lessons.store import open_memory_store
    >>> db, cli = open_memory_store(), cli_actor()
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


def next_statements(db: Database, token: str) -> dict:
    """What the participant still has to answer in the current round, and their progress.

    Returns ``{"statements": [...], "answered": n, "total": n, "round": r}``: the approved statements without a
    vote of this participant in this round, each a dict of key and text, in a random order that is stable for the
    participant (each statement is placed by a hash of the token and its key, so a rerun shows the same order and a
    statement added later does not reshuffle the rest).
    """
    participant = _participant(db, token)
    cursor = db.execute(
        """SELECT s.key, s.text, v.id IS NOT NULL FROM statements s
           LEFT JOIN votes v ON v.statement_id = s.id AND v.participant_id = ? AND v.round = ?
           WHERE s.workshop_id = ? AND s.moderation = 'approved'""",
        [participant["id"], participant["current_round"], participant["workshop_id"]],
    )
    rows = cursor.fetchall()
    todo = sorted(((k, t) for k, t, done in rows if not done), key=lambda kt: _shuffle_key(token, kt[0]))
    return {
        "statements": [{"key": k, "text": t} for k, t in todo],
        "answered": sum(1 for *_, done in rows if done),
        "total": len(rows),
        "round": participant["current_round"],
    }


def _suggester(token: str) -> str:
    """Who suggested a statement, as the audit log keeps it: a hash of the participant's token (the token itself is
    never logged, and the statement is not tied to its author)."""
    return hashlib.sha256(f"suggestion\x1f{token}".encode()).hexdigest()[:32]


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _check_suggestion_quota(db: Database, workshop_id: int, suggester: str, now: str) -> None:
    """Refuse a participant's suggestion beyond their share: one per ``SUGGESTION_INTERVAL_S`` seconds,
    ``MAX_PENDING_PER_PARTICIPANT`` waiting for moderation, ``MAX_SUGGESTIONS_PER_PARTICIPANT`` in all."""
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
            raise WorkshopError(f"Please wait {wait} seconds before suggesting another statement.")
    if total >= MAX_SUGGESTIONS_PER_PARTICIPANT:
        raise WorkshopError(
            f"You have suggested {total} statements, as many as one participant may suggest in this workshop."
        )
    if pending >= MAX_PENDING_PER_PARTICIPANT:
        raise WorkshopError(
            f"{pending} of your statements are waiting for the facilitator; suggest more once they have been looked at."
        )


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def submit_statement(db: Database, token: str, text: str, *, now: datetime | None = None) -> str:
    """A participant's own statement, into the moderation queue (``pending``); return its key.

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
            raise WorkshopError(f"The workshop is {participant['status']}; it is not taking statements now.")
        if not participant["allow_submissions"]:
            raise WorkshopError("This workshop does not take participants' statements.")
        _check_suggestion_quota(db, participant["workshop_id"], suggester, stamp)
        same = db.execute(
            "SELECT 1 FROM statements WHERE workshop_id = ? AND lower(text) = lower(?) AND moderation != 'rejected'",
            [participant["workshop_id"], text],
        ).fetchone()
        if same:
            raise WorkshopError("That statement is already in the workshop.")
        pending = db.execute(
            "SELECT count(*) FROM statements WHERE workshop_id = ? AND source = 'participant' AND moderation = 'pending'",
            [participant["workshop_id"]],
        ).fetchone()[0]
        if pending >= MAX_PENDING:
            raise WorkshopError("The moderation queue is full; try again once the facilitator has caught up.")
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


# --- moderation, rounds and results -----------------------------------------------------------------------------


def moderate(db: Database, actor: Actor, code: str, key: str, approve: bool) -> None:
    """Approve a participant's statement (participants vote on it from then on) or reject it (it is never shown)."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        statement = _row(
            db,
            "SELECT id, source, moderation FROM statements WHERE workshop_id = ? AND key = ?",
            [workshop["id"], str(key).upper()],
        )
        if statement is None:
            raise WorkshopError(f"The workshop has no statement {key}.")
        if statement["source"] != "participant":
            raise WorkshopError(f"{key} was prepared by the facilitator; only participants' statements are moderated.")
        decision = "approved" if approve else "rejected"
        db.execute("UPDATE statements SET moderation = ? WHERE id = ?", [decision, statement["id"]])
        record(
            db, actor, "workshop.moderate", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"statement": str(key).upper(), "before": statement["moderation"], "after": decision},
        )  # fmt: skip


def start_round(db: Database, actor: Actor, code: str) -> int:
    """Start the next Delphi round of an open workshop; return its number. Earlier rounds' votes are kept, and
    participants answer every statement again."""
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] != "open":
            raise WorkshopError(f"The workshop is {workshop['status']}; open it to start another round.")
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
    """The verdict on a statement from its agree and disagree votes (passes do not count).

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
        raise WorkshopError("The thresholds must satisfy 0 ≤ disagree threshold < agree threshold ≤ 1.")
    rules = dict(agree_threshold=agree_threshold, disagree_threshold=disagree_threshold, min_votes=int(min_votes))
    results = []
    with db.atomic():
        workshop = _workshop(db, code)
        if workshop["status"] != "closed":
            raise WorkshopError("Close the workshop before applying its results to lessons.")
        rows = _rows(
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
        for row in rows:
            verdict = outcome(row["agree"], row["disagree"], **rules)
            before = row["status"]
            after = before
            if verdict == "agreed" and before not in BEYOND_VALIDATED:
                after = "validated"
            elif verdict in ("disagreed", "divided"):
                after = "contested"
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


def workshop_list(db: Database) -> list[dict]:
    """Every workshop, newest first: code, title, status, current_round, allow_submissions, statements (approved),
    pending, participants, votes.

    >>> from lessons.store import open_memory_store
    >>> workshop_list(open_memory_store())
    []
    """
    return _rows(
        db,
        """SELECT w.code, w.title, w.purpose, w.status, w.current_round, w.allow_submissions,
                  (SELECT count(*) FROM statements s WHERE s.workshop_id = w.id AND s.moderation = 'approved')
                      AS statements,
                  (SELECT count(*) FROM statements s WHERE s.workshop_id = w.id AND s.moderation = 'pending')
                      AS pending,
                  (SELECT count(*) FROM participants p WHERE p.workshop_id = w.id) AS participants,
                  (SELECT count(*) FROM votes v JOIN participants p ON p.id = v.participant_id
                   WHERE p.workshop_id = w.id) AS votes
           FROM workshops w ORDER BY w.created_at DESC, w.id DESC""",
    )

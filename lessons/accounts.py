"""Accounts, passwords and sign-in.

Passwords are hashed with argon2id (argon2-cffi) and never stored, logged or shown. Sign-in failures are recorded in
the audit log; after :data:`FREE_FAILURES` failures for a name, further attempts for that name are refused for a
growing while. Messages never reveal whether a name exists.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import secrets
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import N_, _, ngettext, number
from lessons.permissions import ROLES, Actor, authorize
from lessons.text import clean_text

#: argon2id with the library's recommended parameters (RFC 9106, low-memory profile): what every deployment uses.
PRODUCTION_HASHER = PasswordHasher()
#: The cheapest parameters argon2 accepts, for the test suite only: it sets ``LESSONS_ARGON2_TEST=1``
#: (tests/conftest.py) so that its hundreds of hashes cost microseconds instead of a quarter second each. A hash made
#: either way verifies either way (the parameters are stored in the hash); never set the variable in production.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
HASHER = TEST_HASHER if os.environ.get("LESSONS_ARGON2_TEST") == "1" else PRODUCTION_HASHER
MIN_PASSWORD_LENGTH = 10
FREE_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=24)  # failures since the last success within a day count towards the wait
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
SIGN_IN_FAILED = N_("Wrong user name or password.")
#: How long a staff session lasts after sign-in (a working day); signing out ends it at once.
SESSION_LENGTH = timedelta(hours=12)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,39}")


@functools.cache
def _dummy_hash() -> str:
    """Return the hash checked when a name does not exist, so an unknown name costs as much time as a wrong password."""
    return HASHER.hash("not a real password, only for equal timing")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out (the message says why and what to do)."""


class SignInRefused(Exception):
    """Sign-in failed; ``message`` is safe to show and reveals nothing about whether the name exists."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``.

    >>> hash_password("correct horse battery").startswith("$argon2id$")
    True
    """
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a missing or malformed hash)."""
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(username: str, password: str) -> None:
    """Refuse passwords that are too short or contain the user name."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least {n} characters.").format(n=number(MIN_PASSWORD_LENGTH)))
    if username.lower() in password.lower():
        raise AccountError(_("The password must not contain the user name."))


def _pilot_ids(db: Database, slugs) -> list[int]:
    ids = []
    for slug in dict.fromkeys(slugs or ()):
        row = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()
        if row is None:
            raise AccountError(
                _("There is no pilot {slug}. `python -m lessons stats` and the Overview list the pilots.").format(
                    slug=repr(slug)
                )
            )
        ids.append(row[0])
    return ids


def _check_role(role: str, pilots) -> None:
    if role not in ROLES:
        raise AccountError(
            _("Unknown role {role}: choose one of {roles}.").format(role=repr(role), roles=", ".join(ROLES))
        )
    if role == "coordinator" and not pilots:
        raise AccountError(_("A coordinator needs at least one pilot (--pilot SLUG)."))
    if role != "coordinator" and pilots:
        raise AccountError(_("Only coordinators are assigned pilots."))


def _user_row(db: Database, username: str) -> dict:
    cursor = db.execute("SELECT * FROM users WHERE username = ?", [username])
    row = cursor.fetchone()
    if row is None:
        raise AccountError(_("There is no account {username}.").format(username=repr(username)))
    return dict(zip([c[0] for c in cursor.description], row))


def _display_name(name: str | None) -> str | None:
    """Return a display name as stored: one line of clean text, or None when empty."""
    return clean_text(name, multiline=False).strip() or None


def has_users(db: Database) -> bool:
    """Return True once any account exists."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def add_user(
    db: Database,
    actor: Actor,
    username: str,
    password: str,
    *,
    role: str,
    pilots=(),
    display_name: str | None = None,
    email: str | None = None,
) -> int:
    """Create an account (admins only; on a store with no account yet, the command line creates the first admin)."""
    authorize(actor, "user.manage")
    username = (username or "").strip()
    if not _USERNAME.fullmatch(username):
        raise AccountError(
            _("A user name has 2–40 letters, digits, dots, dashes, underscores or @, starting with a letter or digit.")
        )
    _check_role(role, pilots)
    check_password(username, password)
    display_name = _display_name(display_name)
    with db.atomic():
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise AccountError(_("An account {username} exists already.").format(username=repr(username)))
        pilot_ids = _pilot_ids(db, pilots)
        user_id = db.execute(
            "INSERT INTO users (username, display_name, email, role, password_hash) VALUES (?, ?, ?, ?, ?)",
            [username, display_name, (email or "").strip().lower() or None, role, hash_password(password)],
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO user_pilots (user_id, pilot_id) VALUES (?, ?)", [(user_id, p) for p in pilot_ids]
        )
        record(
            db, actor, "user.add", object_type="user", object_id=username, rows=1 + len(pilot_ids),
            detail={"role": role, "pilots": list(pilots or ())},
        )  # fmt: skip
    return user_id


def update_user(
    db: Database,
    actor: Actor,
    username: str,
    *,
    role: str | None = None,
    pilots=None,
    display_name: str | None = None,
    email: str | None = None,
    active: bool | None = None,
) -> None:
    """Change an account's role, pilots, name, e-mail or whether it is active (admins only)."""
    authorize(actor, "user.manage")
    if display_name is not None:
        display_name = _display_name(display_name) or ""
    with db.atomic():
        user = _user_row(db, username)
        new_role = role or user["role"]
        current = [r[0] for r in db.execute(
            "SELECT p.slug FROM user_pilots up JOIN pilots p ON p.id = up.pilot_id WHERE up.user_id = ? ORDER BY p.slug",
            [user["id"]],
        )]  # fmt: skip
        new_pilots = current if pilots is None else list(pilots)
        if new_role != "coordinator" and pilots is None:
            new_pilots = []
        _check_role(new_role, new_pilots)
        demoted = user["active"] and (new_role != "admin" or active is False)
        if user["role"] == "admin" and demoted and _active_admins(db) <= 1:
            raise AccountError(_("This is the last active administrator; make another administrator first."))
        changes = {}
        for column, value in (("role", role), ("display_name", display_name), ("email", email), ("active", active)):
            if value is not None and value != user[column]:
                changes[column] = int(value) if column == "active" else value
        if changes:
            db.execute(
                f"UPDATE users SET {', '.join(f'{c} = ?' for c in changes)} WHERE id = ?",
                [*changes.values(), user["id"]],
            )
        if changes.get("active") == 0:
            _end_sessions_of(db, user["id"])
        if sorted(new_pilots) != current:
            db.execute("DELETE FROM user_pilots WHERE user_id = ?", [user["id"]])
            db.conn.executemany(
                "INSERT INTO user_pilots (user_id, pilot_id) VALUES (?, ?)",
                [(user["id"], p) for p in _pilot_ids(db, new_pilots)],
            )
            changes["pilots"] = sorted(new_pilots)
        if changes:
            record(db, actor, "user.update", object_type="user", object_id=username, rows=1, detail=changes)


def _active_admins(db: Database) -> int:
    return db.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0]


def set_password(db: Database, actor: Actor, username: str, password: str) -> None:
    """Set a new password: admins for anyone, every user for their own account."""
    if actor is None or actor.username.lower() != (username or "").lower():
        authorize(actor, "user.manage")
    check_password(username, password)
    with db.atomic():
        user = _user_row(db, username)
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hash_password(password), user["id"]])
        _end_sessions_of(db, user["id"])
        record(db, actor, "user.password", object_type="user", object_id=user["username"], rows=1)


def remove_user(db: Database, actor: Actor, username: str) -> None:
    """Delete an account (admins only); the audit log keeps the name. The last active admin cannot be removed."""
    authorize(actor, "user.manage")
    with db.atomic():
        user = _user_row(db, username)
        if user["role"] == "admin" and user["active"] and _active_admins(db) <= 1:
            raise AccountError(_("This is the last active administrator; make another administrator first."))
        db.execute("DELETE FROM users WHERE id = ?", [user["id"]])
        record(db, actor, "user.remove", object_type="user", object_id=user["username"], rows=1)


def list_users(db: Database, actor: Actor) -> pd.DataFrame:
    """Every account with its role and pilots (never a password hash); admins only."""
    authorize(actor, "user.manage")
    cursor = db.execute(
        """SELECT u.username, u.display_name, u.email, u.role, u.active,
                  (SELECT group_concat(p.slug, ', ') FROM user_pilots up JOIN pilots p ON p.id = up.pilot_id
                   WHERE up.user_id = u.id) AS pilots,
                  u.created_at, u.last_login_at
           FROM users u ORDER BY u.username"""
    )
    return pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def actor_for(db: Database, user_id: int | None) -> Actor | None:
    """Return the current :class:`Actor` of an active account, re-read so role and pilot changes apply at once."""
    if user_id is None:
        return None
    row = db.execute(
        "SELECT id, username, role, display_name FROM users WHERE id = ? AND active = 1", [int(user_id)]
    ).fetchone()
    if row is None:
        return None
    pilots = frozenset(r[0] for r in db.execute("SELECT pilot_id FROM user_pilots WHERE user_id = ?", [row[0]]))
    return Actor(username=row[1], role=row[2], pilot_ids=pilots, user_id=row[0], display_name=row[3])


def actor_for_email(db: Database, email: str | None) -> Actor | None:
    """Return the active account whose e-mail matches a single-sign-on identity, if any."""
    row = db.execute(
        "SELECT id FROM users WHERE email = ? COLLATE NOCASE AND active = 1", [(email or "").strip()]
    ).fetchone()
    return actor_for(db, row[0]) if row else None


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _wait(db: Database, key: str, now: datetime) -> timedelta:
    """How long attempts for ``key`` must still wait (zero when they may go ahead).

    Attempts still being checked (``signin.attempt``) count as failures until their outcome is recorded.
    """
    last_ok = db.execute(
        "SELECT max(at) FROM audit_log WHERE action = 'signin.ok' AND object_type = 'user_name' AND object_id = ?",
        [key],
    ).fetchone()[0]
    since = max(_stamp(now - FAILURE_WINDOW), last_ok or "")
    failures, latest = db.execute(
        """SELECT count(*), max(at) FROM audit_log
           WHERE action IN ('signin.failed', 'signin.attempt') AND object_type = 'user_name' AND object_id = ?
             AND at > ?""",
        [key, since],
    ).fetchone()
    if failures < FREE_FAILURES:
        return timedelta(0)
    wait = min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), MAX_WAIT)
    latest_at = datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return max(timedelta(0), latest_at + wait - now)


@contextlib.contextmanager
def _write_transaction(db: Database):
    """Open a transaction that takes the database's write lock at its start (``BEGIN IMMEDIATE``).

    What it reads thus cannot change before it writes, across threads and processes; inside a caller's transaction, it
    is a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check a name and password; return the :class:`Actor` or raise :class:`SignInRefused`.

    Every failure is recorded in the audit log. After five failures for a name (since its last successful sign-in,
    within a day), attempts for that name wait 30 seconds, then 1, 2, 4… minutes (at most 15) after each further
    failure, whether or not the name exists, so the messages reveal nothing about which names exist.

    The wait is checked and the attempt reserved (an audit entry ``signin.attempt``, counted as a failure) in one
    ``BEGIN IMMEDIATE`` transaction, so attempts made at once — from threads or processes — are counted one after
    the other and at most five reach the password check before the wait starts. The password is checked outside
    the transaction (argon2 is slow on purpose); the reserved entry then becomes ``signin.failed`` or ``signin.ok``.
    An attempt cut off in between keeps counting as a failure.
    """
    now = _now(now)
    key = (username or "").strip().lower()[:80]
    with _write_transaction(db):
        wait = _wait(db, key, now)
        if wait > timedelta(0):
            seconds = math.ceil(wait.total_seconds())
            record(
                db, key or "(empty)", "signin.throttled", object_type="user_name", object_id=key,
                detail={"wait_s": seconds}, at=_stamp(now),
            )  # fmt: skip
        else:
            record(db, key or "(empty)", "signin.attempt", object_type="user_name", object_id=key, at=_stamp(now))
            attempt = db.execute("SELECT last_insert_rowid()").fetchone()[0]
    if wait > timedelta(0):
        raise SignInRefused(
            ngettext(
                "Too many failed sign-in attempts for this name. Try again in {n} second.",
                "Too many failed sign-in attempts for this name. Try again in {n} seconds.",
                seconds,
            ).format(n=number(seconds)),
            retry_after=seconds,
        )
    row = db.execute(
        "SELECT id, password_hash FROM users WHERE username = ? AND active = 1", [username.strip() if username else ""]
    ).fetchone()
    ok = verify_password(row[1] if row else None, password or "")
    new_hash = hash_password(password) if ok and HASHER.check_needs_rehash(row[1]) else None
    with db.atomic():
        if not ok:
            db.execute("UPDATE audit_log SET action = 'signin.failed' WHERE id = ?", [attempt])
        else:
            db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [_stamp(now), row[0]])
            if new_hash:
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, row[0]])
            db.execute("UPDATE audit_log SET action = 'signin.ok', actor = ? WHERE id = ?", [key, attempt])
    if not ok:
        raise SignInRefused(_(SIGN_IN_FAILED))
    return actor_for(db, row[0])


# --- staff sessions: signed in across reloads ----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _end_sessions_of(db: Database, user_id: int, *, now: datetime | None = None) -> None:
    db.execute(
        "UPDATE staff_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", [_stamp(_now(now)), user_id]
    )


def start_session(db: Database, actor: Actor, *, now: datetime | None = None) -> str:
    """Start a staff session for a signed-in user and return its secret token (for the browser's cookie only).

    Only the token's SHA-256 hash is stored, so a copy of the store lets nobody sign in as anyone. The session
    lasts :data:`SESSION_LENGTH` unless :func:`end_session`, a new password or a disabled account ends it sooner.
    Sessions that ended or expired more than a day ago are removed at the same time.
    """
    if actor is None or actor.user_id is None:
        raise AccountError(_("Only a signed-in account has a session."))
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with db.atomic():
        db.execute(
            "DELETE FROM staff_sessions WHERE coalesce(ended_at, expires_at) < ?", [_stamp(now - timedelta(days=1))]
        )
        db.execute(
            "INSERT INTO staff_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [_token_hash(token), actor.user_id, _stamp(now), _stamp(now + SESSION_LENGTH)],
        )
    return token


def session_actor(db: Database, token: str | None, *, now: datetime | None = None) -> Actor | None:
    """Return the user of a live session token, or None (unknown, ended or expired token, or disabled account).

    Examples
    --------
    >>> from lessons.store import connect
    >>> session_actor(connect(":memory:"), "not-a-token") is None
    True
    """
    if not token or not _TOKEN.fullmatch(token):
        return None
    row = db.execute(
        "SELECT user_id FROM staff_sessions WHERE token_hash = ? AND ended_at IS NULL AND expires_at > ?",
        [_token_hash(token), _stamp(_now(now))],
    ).fetchone()
    return actor_for(db, row[0]) if row else None


def end_session(db: Database, token: str | None, *, now: datetime | None = None) -> bool:
    """End a staff session (signing out): its token no longer signs anyone in, wherever it was copied.

    Returns whether a live session was ended.
    """
    if not token or not _TOKEN.fullmatch(token):
        return False
    with db.atomic():
        cursor = db.execute(
            "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            [_stamp(_now(now)), _token_hash(token)],
        )
    return cursor.rowcount > 0

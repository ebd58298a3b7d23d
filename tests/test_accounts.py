"""Accounts, passwords and sign-in (issue #3): hashing, rules, the last administrator, throttling, and the CLI."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlite_utils import Database

from lessons import accounts, cli, stemming
from lessons.accounts import (
    FAILURE_WINDOW,
    FIRST_WAIT,
    FREE_FAILURES,
    MAX_WAIT,
    MIN_PASSWORD_LENGTH,
    SESSION_LENGTH,
    SIGN_IN_FAILED,
    AccountError,
    SignInRefused,
    _stamp,
    actor_for,
    actor_for_email,
    add_user,
    check_password,
    end_session,
    hash_password,
    list_users,
    remove_user,
    session_actor,
    set_password,
    sign_in,
    start_session,
    update_user,
    verify_password,
)
from lessons.audit import record
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.editing import create_pilot
from lessons.permissions import PermissionDenied, cli_actor
from lessons.store import PROJECT_DIR, connect, open_memory_store, open_store

PASSWORD = "a long enough secret"
T0 = datetime(2030, 5, 6, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def template():
    """Pilots alpha and beta; the admin ``root``, the coordinator ``cora`` (alpha, with an e-mail) and the viewer
    ``vic``, all with :data:`PASSWORD`. Built once; tests get a copy."""
    db = open_memory_store()
    cli_ = cli_actor()
    create_pilot(db, cli_, "alpha", name="Alpha", country="FI")
    create_pilot(db, cli_, "beta", name="Beta", country="PT")
    ids = {
        "root": add_user(db, cli_, "root", PASSWORD, role="admin"),
        "cora": add_user(
            db,
            cli_,
            "cora",
            PASSWORD,
            role="coordinator",
            pilots=["alpha"],
            email="Cora@Example.ORG",
            display_name="Cora",
        ),
        "vic": add_user(db, cli_, "vic", PASSWORD, role="viewer"),
    }
    yield db, ids
    db.close()


@pytest.fixture
def store(template):
    db, ids = template
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db.conn.backup(conn)
    stemming.register(conn)  # the search index's triggers call it (m022), as on every connection the app opens
    copy = Database(conn)
    copy.execute("PRAGMA foreign_keys = ON")
    yield copy, dict(ids)
    copy.close()


def count(db: Database, table: str, where: str = "1", params=()) -> int:
    return db.execute(f"SELECT count(*) FROM {table} WHERE {where}", list(params)).fetchone()[0]


def audit(db: Database, action_prefix: str = "") -> list[tuple]:
    return db.execute(
        "SELECT actor, action, object_type, object_id, rows, detail FROM audit_log WHERE action LIKE ? ORDER BY id",
        [action_prefix + "%"],
    ).fetchall()


def refused(db, username, password, now) -> SignInRefused:
    with pytest.raises(SignInRefused) as info:
        sign_in(db, username, password, now=now)
    return info.value


def fail(db, username, times, now):
    for _ in range(times):
        assert refused(db, username, "wrong password!", now).message == SIGN_IN_FAILED


# --- hashing ---------------------------------------------------------------------------------------------------


def test_hashes_are_argon2id_salted_and_verifiable():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and second.startswith("$argon2id$")
    assert first != second  # salted
    assert PASSWORD not in first
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)
    assert not verify_password(first, PASSWORD + "!")
    assert not verify_password(first, "")


def test_production_hashes_use_the_recommended_parameters():
    """The suite hashes cheaply (tests/conftest.py); a deployment, which never sets the variable, hashes with
    argon2id at the library's recommended cost (RFC 9106, low-memory: 64 MiB, 3 passes, 4 lanes)."""
    assert accounts.HASHER is accounts.TEST_HASHER  # the suite's own setting is in force here
    production = subprocess.run(
        [sys.executable, "-c", "from lessons import accounts; print(accounts.hash_password('a long enough secret'))"],
        cwd=PROJECT_DIR,
        env={k: v for k, v in os.environ.items() if k != "LESSONS_ARGON2_TEST"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parameters = extract_parameters(production)
    assert parameters == RFC_9106_LOW_MEMORY
    assert (parameters.type, parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        Type.ID,
        65536,
        3,
        4,
    )
    assert verify_password(production, PASSWORD) and not verify_password(production, PASSWORD + "!")
    assert extract_parameters(hash_password(PASSWORD)).memory_cost == 8  # and the suite's hashes are the cheap ones


@pytest.mark.parametrize("bad", [None, "", "not a hash", "$argon2id$garbage", "$2b$12$abcdefghijklmnopqrstuv"])
def test_a_missing_or_malformed_hash_never_verifies(bad):
    assert verify_password(bad, PASSWORD) is False
    # the dummy hash used for equal timing must not let its own password in either
    assert verify_password(bad, "not a real password, only for equal timing") is False


# --- rules -----------------------------------------------------------------------------------------------------


def test_password_rules():
    check_password("ana", "x" * MIN_PASSWORD_LENGTH)
    with pytest.raises(AccountError, match=f"^The password must have at least {MIN_PASSWORD_LENGTH} characters"):
        check_password("ana", "x" * (MIN_PASSWORD_LENGTH - 1))
    with pytest.raises(AccountError, match="at least"):
        check_password("ana", "")
    with pytest.raises(AccountError, match="^The password must not contain the user name"):
        check_password("ana", "my-ANA-password-2024")


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("newbie", "short", "at least 10 characters"),
        ("newbie", "xx-NewBie-xx-long", "must not contain the user name"),
        ("a", PASSWORD, "2–40 letters"),
        ("-dash", PASSWORD, "2–40 letters"),
        ("two words", PASSWORD, "2–40 letters"),
        ("x" * 41, PASSWORD, "2–40 letters"),
        ("", PASSWORD, "2–40 letters"),
        ("slash/name", PASSWORD, "2–40 letters"),
        ("cora", PASSWORD, "exists already"),
        ("CORA", PASSWORD, "exists already"),
        ("root ", PASSWORD, "exists already"),
    ],
)
def test_add_user_refuses_bad_names_passwords_and_duplicates(store, username, password, message):
    db, _ = store
    users, entries = count(db, "users"), count(db, "audit_log")
    with pytest.raises(AccountError, match=message):
        add_user(db, cli_actor(), username, password, role="viewer")
    assert (count(db, "users"), count(db, "audit_log")) == (users, entries)


@pytest.mark.parametrize("username", ["ab", "ana.smith@city-x_1", "x" * 40])
def test_add_user_accepts_names_of_two_to_forty_characters(store, username):
    db, _ = store
    user_id = add_user(db, cli_actor(), f"  {username} ", PASSWORD, role="viewer")
    assert actor_for(db, user_id).username == username


@pytest.mark.parametrize(
    ("role", "pilots", "message"),
    [
        ("coordinator", [], "^A coordinator needs at least one pilot"),
        ("viewer", ["alpha"], "^Only coordinators are assigned pilots"),
        ("admin", ["alpha"], "^Only coordinators are assigned pilots"),
        ("superuser", [], "^Unknown role 'superuser'"),
        ("coordinator", ["alpha", "nope"], "^There is no pilot 'nope'"),
    ],
)
def test_add_user_refuses_roles_and_pilots_that_do_not_fit(store, role, pilots, message):
    db, _ = store
    users, links, entries = count(db, "users"), count(db, "user_pilots"), count(db, "audit_log")
    with pytest.raises(AccountError, match=message):
        add_user(db, cli_actor(), "newbie", PASSWORD, role=role, pilots=pilots)
    assert (count(db, "users"), count(db, "user_pilots"), count(db, "audit_log")) == (users, links, entries)


def test_add_user_stores_role_pilots_and_records_it(store):
    db, _ = store
    user_id = add_user(
        db, cli_actor(), "duo", PASSWORD, role="coordinator", pilots=["beta", "alpha", "beta"], email=" Duo@X.ORG "
    )
    actor = actor_for(db, user_id)
    assert actor.role == "coordinator" and len(actor.pilot_ids) == 2
    assert db.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone() == ("duo@x.org",)
    assert audit(db, "user.add")[-1] == (
        cli_actor().username,
        "user.add",
        "user",
        "duo",
        3,
        '{"pilots": ["beta", "alpha", "beta"], "role": "coordinator"}',
    )


def test_update_user_changes_role_and_pilots(store):
    db, ids = store
    update_user(db, cli_actor(), "vic", role="coordinator", pilots=["alpha", "beta"])
    assert actor_for(db, ids["vic"]).role == "coordinator"
    assert len(actor_for(db, ids["vic"]).pilot_ids) == 2
    update_user(db, cli_actor(), "vic", role="viewer")  # leaving the coordinator role drops the pilots
    vic = actor_for(db, ids["vic"])
    assert (vic.role, vic.pilot_ids) == ("viewer", frozenset())
    with pytest.raises(AccountError, match="^A coordinator needs at least one pilot"):
        update_user(db, cli_actor(), "vic", role="coordinator")
    with pytest.raises(AccountError, match="^There is no account 'nobody'"):
        update_user(db, cli_actor(), "nobody", role="viewer")
    entries = count(db, "audit_log")
    update_user(db, cli_actor(), "vic", role="viewer")  # no change, no entry
    assert count(db, "audit_log") == entries


# --- the last administrator --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda db: remove_user(db, cli_actor(), "root"),
        lambda db: update_user(db, cli_actor(), "root", role="viewer"),
        lambda db: update_user(db, cli_actor(), "root", role="coordinator", pilots=["alpha"]),
        lambda db: update_user(db, cli_actor(), "root", active=False),
    ],
    ids=["remove", "demote", "demote-to-coordinator", "disable"],
)
def test_the_last_active_admin_cannot_be_removed_demoted_or_disabled(store, change):
    db, ids = store
    with pytest.raises(AccountError, match="^This is the last active administrator"):
        change(db)
    root = actor_for(db, ids["root"])
    assert root is not None and root.role == "admin"


def test_an_admin_can_be_demoted_once_another_admin_exists(store):
    db, ids = store
    add_user(db, cli_actor(), "root2", PASSWORD, role="admin")
    update_user(db, cli_actor(), "root", role="viewer")
    assert actor_for(db, ids["root"]).role == "viewer"
    with pytest.raises(AccountError, match="last active administrator"):
        remove_user(db, cli_actor(), "root2")


def test_a_disabled_admin_does_not_count_as_an_active_admin(store):
    db, _ = store
    add_user(db, cli_actor(), "root2", PASSWORD, role="admin")
    update_user(db, cli_actor(), "root2", active=False)
    with pytest.raises(AccountError, match="last active administrator"):
        update_user(db, cli_actor(), "root", active=False)
    remove_user(db, cli_actor(), "root2")  # removing a disabled admin is fine
    assert count(db, "users", "username = 'root2'") == 0


def test_a_disabled_admin_can_be_demoted_while_another_admin_is_active(store):
    db, _ = store
    add_user(db, cli_actor(), "root2", PASSWORD, role="admin")
    update_user(db, cli_actor(), "root2", active=False)
    update_user(db, cli_actor(), "root2", role="viewer")
    assert db.execute("SELECT role FROM users WHERE username = 'root2'").fetchone() == ("viewer",)


# --- passwords ---------------------------------------------------------------------------------------------------


def test_a_user_may_change_their_own_password_but_not_anothers(store):
    db, ids = store
    vic = actor_for(db, ids["vic"])
    set_password(db, vic, "VIC", "my new long secret")
    assert sign_in(db, "vic", "my new long secret", now=T0).user_id == ids["vic"]
    hash_before = db.execute("SELECT password_hash FROM users WHERE username = 'cora'").fetchone()
    with pytest.raises(PermissionDenied, match="^A viewer may not manage accounts"):
        set_password(db, vic, "cora", "taken over account")
    with pytest.raises(PermissionDenied, match="^Sign in to [a-z]"):
        set_password(db, None, "cora", "taken over account")
    assert db.execute("SELECT password_hash FROM users WHERE username = 'cora'").fetchone() == hash_before
    with pytest.raises(AccountError, match="at least"):
        set_password(db, vic, "vic", "short")
    set_password(db, actor_for(db, ids["root"]), "cora", "reset by the admin")
    assert sign_in(db, "cora", "reset by the admin", now=T0).username == "cora"
    assert audit(db, "user.password") == [
        ("vic", "user.password", "user", "vic", 1, None),
        ("root", "user.password", "user", "cora", 1, None),
    ]


def test_set_password_of_an_unknown_account_is_refused(store):
    db, _ = store
    with pytest.raises(AccountError, match="^There is no account 'ghost'"):
        set_password(db, cli_actor(), "ghost", "a fine long secret")


def test_list_users_never_shows_a_hash(store):
    db, ids = store
    users = list_users(db, cli_actor())
    assert list(users.columns) == [
        "username",
        "display_name",
        "email",
        "role",
        "active",
        "pilots",
        "created_at",
        "last_login_at",
    ]
    assert not any("argon2" in str(v) for v in users.to_numpy().ravel())
    assert users[["username", "role", "pilots"]].fillna("").to_dict("records") == [
        {"username": "cora", "role": "coordinator", "pilots": "alpha"},
        {"username": "root", "role": "admin", "pilots": ""},
        {"username": "vic", "role": "viewer", "pilots": ""},
    ]
    with pytest.raises(PermissionDenied):
        list_users(db, actor_for(db, ids["cora"]))


# --- sign-in -----------------------------------------------------------------------------------------------------


def test_sign_in_with_the_right_password(store):
    db, ids = store
    actor = sign_in(db, " CORA ", PASSWORD, now=T0)
    assert (actor.username, actor.role, actor.user_id, actor.display_name) == (
        "cora",
        "coordinator",
        ids["cora"],
        "Cora",
    )
    assert len(actor.pilot_ids) == 1
    assert db.execute("SELECT last_login_at FROM users WHERE id = ?", [ids["cora"]]).fetchone() == (
        "2030-05-06T12:00:00.000Z",
    )
    assert db.execute(
        "SELECT at, actor, action, object_type, object_id FROM audit_log ORDER BY id DESC"
    ).fetchone() == (
        "2030-05-06T12:00:00.000Z",
        "cora",
        "signin.ok",
        "user_name",
        "cora",
    )


def test_a_wrong_password_and_an_unknown_name_look_the_same(store):
    db, _ = store
    wrong = refused(db, "cora", "not the password", T0)
    unknown = refused(db, "nobody", PASSWORD, T0)
    empty = refused(db, "", "", T0)
    assert wrong.message == unknown.message == empty.message == str(wrong) == SIGN_IN_FAILED
    assert wrong.retry_after is unknown.retry_after is None
    assert audit(db, "signin") == [
        ("cora", "signin.failed", "user_name", "cora", 0, None),
        ("nobody", "signin.failed", "user_name", "nobody", 0, None),
        ("(empty)", "signin.failed", "user_name", "", 0, None),
    ]
    assert db.execute("SELECT last_login_at FROM users WHERE username = 'cora'").fetchone() == (None,)


def test_a_disabled_account_cannot_sign_in(store):
    db, _ = store
    update_user(db, cli_actor(), "cora", active=False)
    assert refused(db, "cora", PASSWORD, T0).message == SIGN_IN_FAILED
    update_user(db, cli_actor(), "cora", active=True)
    assert sign_in(db, "cora", PASSWORD, now=T0 + timedelta(seconds=1)).username == "cora"


@pytest.mark.parametrize("name", ["cora", "nobody"])
def test_five_failures_are_free_then_the_name_waits_30_seconds(store, name):
    db, _ = store
    fail(db, name, FREE_FAILURES - 1, T0)
    fail(db, name, 1, T0)  # the fifth failure is still answered normally
    # the sixth attempt is refused even with the right password, and the same way whether or not the name exists
    throttled = refused(db, name, PASSWORD, T0 + timedelta(milliseconds=500))
    assert throttled.retry_after == 30
    assert throttled.message == "Too many failed sign-in attempts for this name. Try again in 30 seconds."
    assert audit(db, "signin.throttled") == [(name, "signin.throttled", "user_name", name, 0, '{"wait_s": 30}')]
    # the throttled attempt does not count as a failure, nor does it sign in
    assert count(db, "audit_log", "action = 'signin.failed'") == FREE_FAILURES
    assert count(db, "audit_log", "action = 'signin.ok'") == 0


def test_the_sixth_attempt_at_the_same_instant_waits_exactly_30_seconds(store):
    db, _ = store
    fail(db, "cora", FREE_FAILURES, T0)
    assert refused(db, "cora", PASSWORD, T0).retry_after == int(FIRST_WAIT.total_seconds())


def test_throttling_is_per_name_and_ignores_case_and_spaces(store):
    db, _ = store
    fail(db, "CORA", 2, T0)
    fail(db, " cora ", 3, T0)
    assert refused(db, "Cora", PASSWORD, T0 + timedelta(seconds=1.5)).retry_after == 29
    assert sign_in(db, "vic", PASSWORD, now=T0 + timedelta(seconds=1.5)).username == "vic"


def test_after_the_wait_an_attempt_goes_through(store):
    db, _ = store
    fail(db, "cora", FREE_FAILURES, T0)
    for seconds in (1, 10, 29.5):  # hammering during the wait does not extend it
        assert refused(db, "cora", PASSWORD, T0 + timedelta(seconds=seconds)).retry_after is not None
    assert sign_in(db, "cora", PASSWORD, now=T0 + FIRST_WAIT).username == "cora"


def test_waits_double_after_each_further_failure(store):
    db, _ = store
    fail(db, "nobody", FREE_FAILURES, T0)
    moment, waits = T0, []
    for _ in range(4):
        wait = refused(db, "nobody", "guess", moment + timedelta(milliseconds=500)).retry_after
        waits.append(wait)
        moment += timedelta(seconds=wait)
        fail(db, "nobody", 1, moment)  # allowed again, and wrong again
    assert waits == [30, 60, 120, 240]
    assert refused(db, "nobody", "guess", moment + timedelta(milliseconds=500)).retry_after == 480


def test_waits_are_capped(store):
    db, _ = store
    for k in range(12):  # twelve failures within the window, the latest at T0
        record(
            db, "cora", "signin.failed", object_type="user_name", object_id="cora", at=_stamp(T0 - timedelta(seconds=k))
        )
    throttled = refused(db, "cora", PASSWORD, T0 + timedelta(milliseconds=500))
    assert throttled.retry_after == int(MAX_WAIT.total_seconds())
    assert sign_in(db, "cora", PASSWORD, now=T0 + MAX_WAIT).username == "cora"


def test_failures_older_than_the_window_do_not_count(store):
    db, _ = store
    fail(db, "cora", FREE_FAILURES, T0)
    later = T0 + FAILURE_WINDOW + timedelta(seconds=1)
    fail(db, "cora", FREE_FAILURES - 1, later)  # four recent failures: still free
    assert sign_in(db, "cora", PASSWORD, now=later).username == "cora"


def test_a_successful_sign_in_resets_the_count(store):
    db, _ = store
    fail(db, "cora", FREE_FAILURES, T0)
    after_wait = T0 + FIRST_WAIT
    sign_in(db, "cora", PASSWORD, now=after_wait)
    fail(db, "cora", FREE_FAILURES - 1, after_wait + timedelta(seconds=1))
    assert sign_in(db, "cora", PASSWORD, now=after_wait + timedelta(seconds=2)).username == "cora"


# --- staff sessions (#16) ----------------------------------------------------------------------------------------


def test_a_session_signs_its_user_in_until_it_is_ended(store):
    db, ids = store
    token = start_session(db, sign_in(db, "cora", PASSWORD, now=T0), now=T0)
    assert session_actor(db, token, now=T0 + timedelta(hours=1)).user_id == ids["cora"]
    # only a hash is stored: the token appears nowhere in the store
    assert count(db, "staff_sessions", "token_hash = ?", [token]) == 0
    assert count(db, "staff_sessions", "user_id = ?", [ids["cora"]]) == 1
    assert end_session(db, token, now=T0 + timedelta(hours=2)) is True
    assert session_actor(db, token, now=T0 + timedelta(hours=2)) is None
    assert end_session(db, token) is False  # ending it twice changes nothing


def test_a_session_expires_after_its_length(store):
    db, _ = store
    token = start_session(db, sign_in(db, "cora", PASSWORD, now=T0), now=T0)
    assert session_actor(db, token, now=T0 + SESSION_LENGTH - timedelta(seconds=1)) is not None
    assert session_actor(db, token, now=T0 + SESSION_LENGTH) is None


def test_a_new_password_or_a_disabled_account_ends_every_session(store):
    db, ids = store
    cora = sign_in(db, "cora", PASSWORD, now=T0)
    first, second = start_session(db, cora, now=T0), start_session(db, cora, now=T0)
    vic = start_session(db, sign_in(db, "vic", PASSWORD, now=T0), now=T0)
    set_password(db, cora, "cora", "another long secret")
    assert session_actor(db, first, now=T0) is None and session_actor(db, second, now=T0) is None
    assert session_actor(db, vic, now=T0).username == "vic"  # other people's sessions go on
    again = start_session(db, cora, now=T0)
    update_user(db, cli_actor(), "cora", active=False)
    assert session_actor(db, again, now=T0) is None
    update_user(db, cli_actor(), "cora", active=True)
    assert session_actor(db, again, now=T0) is None  # re-enabling does not bring old sessions back


def test_a_removed_account_takes_its_sessions_with_it(store):
    db, ids = store
    token = start_session(db, sign_in(db, "vic", PASSWORD, now=T0), now=T0)
    remove_user(db, cli_actor(), "vic")
    assert session_actor(db, token, now=T0) is None
    assert count(db, "staff_sessions", "user_id = ?", [ids["vic"]]) == 0


@pytest.mark.parametrize("token", [None, "", "short", "x" * 200, "' OR 1=1 --" + "a" * 30])
def test_malformed_tokens_sign_nobody_in(store, token):
    db, _ = store
    start_session(db, sign_in(db, "cora", PASSWORD, now=T0), now=T0)
    assert session_actor(db, token, now=T0) is None
    assert end_session(db, token) is False


def test_old_sessions_are_cleared_when_a_new_one_starts(store):
    db, _ = store
    cora = sign_in(db, "cora", PASSWORD, now=T0)
    ended = start_session(db, cora, now=T0)
    end_session(db, ended, now=T0)
    start_session(db, cora, now=T0 + SESSION_LENGTH)  # the ended one is kept a day for the record
    assert count(db, "staff_sessions") == 2
    start_session(db, cora, now=T0 + timedelta(days=3))  # then removed; the expired one too
    assert count(db, "staff_sessions") == 1


def test_only_a_signed_in_account_has_a_session(store):
    db, _ = store
    with pytest.raises(AccountError):
        start_session(db, cli_actor())


def test_actor_for_email(store):
    db, ids = store
    assert actor_for_email(db, "cora@example.org").user_id == ids["cora"]
    assert actor_for_email(db, " CORA@example.ORG ").username == "cora"
    assert actor_for_email(db, "nobody@example.org") is None
    assert actor_for_email(db, "") is None
    assert actor_for_email(db, None) is None
    update_user(db, cli_actor(), "vic", email="Vic@Example.org")
    assert actor_for_email(db, "vic@example.org").username == "vic"
    update_user(db, cli_actor(), "cora", active=False)
    assert actor_for_email(db, "cora@example.org") is None


# --- the password is never kept ------------------------------------------------------------------------------------


def test_passwords_appear_nowhere_in_the_database_file(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "secret.db"
    db = open_store(path)
    create_pilot(db, cli_actor(), "alpha", name="Alpha", country="FI")
    first, second, typo = "first-Secret-9182", "second-Secret-7364", "typo-Secret-5521"
    user_id = add_user(db, cli_actor(), "pat", first, role="coordinator", pilots=["alpha"])
    set_password(db, actor_for(db, user_id), "pat", second)
    with pytest.raises(SignInRefused):
        sign_in(db, "pat", typo)
    sign_in(db, "pat", second)
    dump = "\n".join(db.conn.iterdump())
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("secret.db"))
    for secret in (first, second, typo):
        assert secret not in dump
        assert secret.encode() not in raw
        assert secret not in caplog.text
    assert "$argon2id$" in dump  # the hash is there, the password is not


# --- the command line ---------------------------------------------------------------------------------------------


def run(argv, stdin=""):
    """Run the CLI in-process with ``stdin`` as standard input."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(stdin))
        return main(argv)


def test_cli_user_lifecycle(demo_db_path, capsys):
    db = ["--db", str(demo_db_path)]
    assert (
        run(
            ["user", "add", "newbie", "--role", "coordinator", "--pilot", "tampere-youth-guidance", *db],
            PASSWORD + "\n",
        )
        == EXIT_OK
    )
    assert capsys.readouterr().out == "Created coordinator 'newbie'.\n"
    store = connect(demo_db_path)
    assert sign_in(store, "newbie", PASSWORD).role == "coordinator"

    assert run(["user", "list", "--json", *db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "password" not in out and "argon2" not in out
    listed = {u["username"]: u for u in json.loads(out)}
    assert set(listed) == {"admin", "coordinator", "coordinator.south", "facilitator", "viewer", "newbie"}
    assert (listed["newbie"]["role"], listed["newbie"]["pilots"]) == ("coordinator", "tampere-youth-guidance")

    assert run(["user", "update", "newbie", "--role", "viewer", *db]) == EXIT_OK
    assert capsys.readouterr().out == "Updated 'newbie'.\n"
    assert sign_in(store, "newbie", PASSWORD).role == "viewer"

    assert run(["user", "passwd", "newbie", *db], "the second long secret\r\n") == EXIT_OK
    assert capsys.readouterr().out == "Changed the password of 'newbie'.\n"
    assert sign_in(store, "newbie", "the second long secret").username == "newbie"
    with pytest.raises(SignInRefused):
        sign_in(store, "newbie", PASSWORD)

    assert run(["user", "remove", "newbie", *db]) == EXIT_OK
    assert capsys.readouterr().out == "Removed 'newbie'; the audit log keeps its history.\n"
    assert count(store, "users", "username = 'newbie'") == 0
    actions = [
        r[0]
        for r in store.execute(
            "SELECT action FROM audit_log WHERE object_id = 'newbie' AND action LIKE 'user.%' ORDER BY id"
        )
    ]
    assert actions == ["user.add", "user.update", "user.password", "user.remove"]
    store.close()


def test_cli_user_list_as_a_table(demo_db_path, capsys):
    assert run(["user", "list", "--db", str(demo_db_path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["username", "role", "pilots", "active", "display_name", "last_login_at"]
    assert "coordinator.south" in out and "argon2" not in out


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["user", "add", "newbie", "--role", "viewer"], "short\n", "The password must have at least 10 characters."),
        (["user", "add", "newbie", "--role", "viewer"], "", "The password must have at least 10 characters."),
        (["user", "add", "newbie", "--role", "coordinator"], PASSWORD, "A coordinator needs at least one pilot"),
        (["user", "add", "newbie", "--role", "coordinator", "--pilot", "nope"], PASSWORD, "There is no pilot 'nope'"),
        (["user", "add", "Admin", "--role", "viewer"], PASSWORD, "An account 'Admin' exists already."),
        (["user", "remove", "admin"], "", "This is the last active administrator"),
        (["user", "update", "admin", "--role", "viewer"], "", "This is the last active administrator"),
        (["user", "update", "admin", "--active", "no"], "", "This is the last active administrator"),
        (["user", "remove", "ghost"], "", "There is no account 'ghost'."),
        (["user", "passwd", "viewer"], "short\n", "The password must have at least 10 characters."),
    ],
)
def test_cli_refusals_exit_2_with_the_message_on_stderr(demo_db_path, capsys, argv, stdin, message):
    before = connect(demo_db_path)
    users = before.execute("SELECT * FROM users ORDER BY id").fetchall()
    before.close()
    assert run([*argv, "--db", str(demo_db_path)], stdin) == EXIT_INVALID
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    after = connect(demo_db_path)
    assert after.execute("SELECT * FROM users ORDER BY id").fetchall() == users
    after.close()


def test_cli_refuses_an_unknown_role_through_argparse(demo_db_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run(["user", "add", "newbie", "--role", "superuser", "--db", str(demo_db_path)], PASSWORD)
    assert exited.value.code == EXIT_INVALID
    assert "invalid choice: 'superuser'" in capsys.readouterr().err


def test_the_password_is_never_a_command_line_argument(demo_db_path, capsys):
    def options(parser: argparse.ArgumentParser):
        for action in parser._actions:
            yield from action.option_strings
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from options(sub)

    every = set(options(cli.build_parser()))
    assert {"--role", "--pilot", "--db"} <= every  # the walk reaches the user commands
    assert not [o for o in every if "pass" in o.lower() or "secret" in o.lower()]
    with pytest.raises(SystemExit) as exited:
        run(["user", "add", "newbie", "--role", "viewer", "--password", PASSWORD, "--db", str(demo_db_path)])
    assert exited.value.code == EXIT_INVALID
    assert PASSWORD not in capsys.readouterr().out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("typed", "expected"), [(["a fine long secret"] * 2, EXIT_OK), (["one long secret", "another"], EXIT_INVALID)]
)
def test_cli_on_a_terminal_asks_twice_without_echo(demo_db_path, monkeypatch, capsys, typed, expected):
    prompts = []
    answers = iter(typed)
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(cli.accounts.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(answers))
    assert main(["user", "add", "newbie", "--role", "viewer", "--db", str(demo_db_path)]) == expected
    assert prompts == ["Password: ", "Repeat the password: "]
    captured = capsys.readouterr()
    if expected == EXIT_INVALID:
        assert captured.err == "The two passwords differ; nothing was changed.\n"
    store = connect(demo_db_path)
    assert count(store, "users", "username = 'newbie'") == (expected == EXIT_OK)
    store.close()


@pytest.mark.parametrize("name", ["cora", "nobody"])
def test_parallel_wrong_passwords_reach_the_password_check_at_most_five_times(tmp_path, monkeypatch, name):
    """60 attempts at once for one name, each from its own thread and connection to a file store (#13)."""
    import threading

    from lessons import accounts

    path = tmp_path / "lessons.db"
    setup = open_store(path)
    add_user(setup, cli_actor(), "cora", PASSWORD, role="viewer")
    setup.close()
    checked, guard = [], threading.Lock()
    real_verify = accounts.verify_password

    def counting_verify(password_hash, password):
        with guard:
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting_verify)
    start, outcomes = threading.Barrier(60), []

    def attempt(n):
        db = connect(path)
        try:
            start.wait()
            sign_in(db, name, f"wrong password {n}", now=T0)
        except SignInRefused as refusal:
            with guard:
                outcomes.append(refusal.message)
        finally:
            db.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= FREE_FAILURES
    assert len(outcomes) == 60
    throttled = "Too many failed sign-in attempts for this name. Try again in 30 seconds."
    assert sorted(set(outcomes)) == [throttled, SIGN_IN_FAILED]  # the same for a known and an unknown name
    assert outcomes.count(SIGN_IN_FAILED) == len(checked)
    db = connect(path)
    assert count(db, "audit_log", "action = 'signin.failed'") == len(checked)
    assert count(db, "audit_log", "action = 'signin.throttled'") == 60 - len(checked)
    assert count(db, "audit_log", "action = 'signin.attempt'") == 0
    db.close()

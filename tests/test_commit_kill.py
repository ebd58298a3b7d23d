"""Killing an import (SIGKILL, no clean-up) never leaves a damaged store or half an upload.

An import of a few hundred lessons runs in a subprocess through the real CLI and is killed: while SQLite runs its
``COMMIT`` (the test-only hook ``LESSONS_TEST_PAUSE_AT_COMMIT`` of :mod:`lessons.ingest.commit` holds it there), just
after ``COMMIT`` returned, racing the commit, and at points spread over the whole import. After each kill the store is
opened as the app would open it: ``PRAGMA integrity_check`` says ok, foreign keys hold, and the upload is all or
nothing: either the store is exactly as before, or the whole upload is in (its uploads row, every change row, every
lesson, its audit row).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lessons.ingest.commit import TEST_PAUSE_ENV
from lessons.store import open_store

ROOT = Path(__file__).resolve().parent.parent
PILOT = "tampere-youth-guidance"
LESSONS = 400


@pytest.fixture(scope="module")
def upload_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "lessons.csv"
    rows = [
        f"K{i:04d},Lesson {i} on night buses,Young people came when buses ran late ({i}).,insight"
        for i in range(LESSONS)
    ]
    path.write_text("key,title,lesson,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def state(path: Path) -> dict:
    """What an upload changes, read after recovery; ``integrity`` and ``foreign_keys`` must stay clean."""
    with open_store(path) as db:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "integrity": one("PRAGMA integrity_check"),
            "foreign_keys": db.execute("PRAGMA foreign_key_check").fetchall(),
            "lessons": one(
                f"SELECT count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = '{PILOT}'"
            ),
            "uploads": db.execute("SELECT id, status, rows_added FROM uploads ORDER BY id").fetchall(),
            "changes": one("SELECT count(*) FROM upload_changes"),
            "audited": one("SELECT count(*) FROM audit_log WHERE action = 'upload.commit'"),
        }


def start(db: Path, upload_file: Path, pause: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != TEST_PAUSE_ENV}
    if pause:
        env[TEST_PAUSE_ENV] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "lessons", "import", str(upload_file), "--pilot", PILOT, "--db", str(db), "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(marker: Path, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert process.poll() is None, f"the import ended before the hook: {process.communicate()}"
        assert time.monotonic() < deadline, "the hook was never reached"
        time.sleep(0.0005)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def outcomes(demo_template, upload_file, tmp_path_factory) -> dict:
    """The store before the upload and after a clean run of it: the only two states a kill may leave."""
    path = tmp_path_factory.mktemp("clean") / "demo.db"
    shutil.copy(demo_template, path)
    before = state(path)
    started = time.monotonic()
    done = start(path, upload_file)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    after = state(path)
    assert after["lessons"] == before["lessons"] + LESSONS and after["changes"] == before["changes"] + LESSONS
    return {"before": before, "after": after, "seconds": time.monotonic() - started}


def all_or_nothing(path: Path, outcomes: dict) -> str:
    now = state(path)
    assert now["integrity"] == "ok" and now["foreign_keys"] == []
    if now == outcomes["before"]:
        return "nothing"
    assert now == outcomes["after"], f"half an upload: {now}"
    return "all"


@pytest.mark.parametrize(("stage", "expected"), [("commit", "nothing"), ("committed", "all")])
def test_a_kill_inside_or_right_after_commit_leaves_nothing_or_all(
    stage, expected, demo_db_path, upload_file, outcomes, tmp_path
):
    marker = tmp_path / "marker"
    process = start(demo_db_path, upload_file, f"{stage}:{marker}")
    wait_for(marker, process)
    kill(process)
    assert all_or_nothing(demo_db_path, outcomes) == expected


@pytest.mark.parametrize("delay", [0, 0.0005, 0.002, 0.01])
def test_a_kill_racing_the_commit_leaves_nothing_or_all(delay, demo_db_path, upload_file, outcomes, tmp_path):
    marker = tmp_path / "marker"
    process = start(demo_db_path, upload_file, f"commit!:{marker}")
    wait_for(marker, process)
    time.sleep(delay)
    if process.poll() is None:
        kill(process)
    all_or_nothing(demo_db_path, outcomes)


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.7, 0.8, 0.9, 0.95])
def test_a_kill_anywhere_in_the_import_leaves_nothing_or_all(fraction, demo_db_path, upload_file, outcomes):
    process = start(demo_db_path, upload_file)
    time.sleep(outcomes["seconds"] * fraction)
    if process.poll() is None:
        kill(process)
    all_or_nothing(demo_db_path, outcomes)

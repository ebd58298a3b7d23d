"""Output files are written whole or not at all (#13): a full disk leaves the old file byte for byte, no temporary
file, and a one-line message with exit code 2 — for every file the command line writes."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from lessons import files
from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.files import OutputError, atomic_output, write_atomic
from lessons.store import connect

OLD = b"the good file from yesterday\n" * 100
DISK_FULL = "No space left on device; "


class FullDisk(io.FileIO):
    """A file on a disk with ``room`` bytes free: a write that does not fit writes what fits, then fails."""

    room = 0

    def write(self, data) -> int:
        free = FullDisk.room - self.tell()
        if len(data) > free:
            if free > 0:
                super().write(bytes(data)[:free])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch):
    """Files that :mod:`lessons.files` opens sit on a full disk; set ``FullDisk.room`` to leave some room."""
    FullDisk.room = 0

    def on_full_disk(file, mode="r", *args, **kwargs):
        assert "b" in mode and "w" in mode
        return io.BufferedWriter(FullDisk(file, "w"))

    monkeypatch.setattr(files, "open", on_full_disk, raising=False)
    return FullDisk


@pytest.fixture
def no_default_db(monkeypatch, tmp_path):
    from lessons import store

    monkeypatch.setattr(store, "DEFAULT_DB", tmp_path / "default" / "lessons.db")
    monkeypatch.delenv("LESSONS_DB", raising=False)


@pytest.fixture
def quick_briefs(monkeypatch):
    """Briefs stand-in (rendering them is tested in ``test_report``)."""
    from lessons import report

    monkeypatch.setattr(report, "iter_bundle_briefs", lambda db: iter([("briefs/brief.pdf", b"%PDF-1.4 brief")]))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the helper -----------------------------------------------------------------------------------------------------


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, full_disk):
    target = tmp_path / "everything.zip"
    target.write_bytes(OLD)
    full_disk.room = 1000
    with pytest.raises(OutputError, match=f"Cannot write {target}: {DISK_FULL}everything.zip is left as it was"):
        with atomic_output(target) as out:
            for _ in range(100):
                out.write(b"x" * 100)
    assert target.read_bytes() == OLD
    assert listing(tmp_path) == ["everything.zip"]


def test_a_full_disk_at_the_final_flush_keeps_the_old_file(tmp_path, full_disk):
    """Buffered bytes reach the disk only when the file is closed: that failure counts too."""
    target = tmp_path / "brief.html"
    target.write_bytes(OLD)
    full_disk.room = 10
    with pytest.raises(OutputError):
        write_atomic(target, b"<html>short</html>")
    assert target.read_bytes() == OLD and listing(tmp_path) == ["brief.html"]


def test_an_error_while_making_the_content_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.csv"
    target.write_bytes(OLD)
    with pytest.raises(ZeroDivisionError), atomic_output(target) as out:
        out.write(b"half a file")
        _ = 1 / 0
    assert target.read_bytes() == OLD and listing(tmp_path) == ["a.csv"]


def test_a_successful_write_replaces_the_file_keeping_its_permissions(tmp_path):
    target = tmp_path / "a.csv"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_atomic(target, "new,text\n")
    assert target.read_bytes() == b"new,text\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert listing(tmp_path) == ["a.csv"]
    fresh = tmp_path / "b.csv"
    write_atomic(fresh, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.csv"
    real.write_bytes(OLD)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_device_is_written_directly(tmp_path):
    write_atomic("/dev/null", b"nothing to replace")  # no temporary file next to /dev/null, no rename over it
    link = tmp_path / "stdout"  # as /dev/stdout is a link to the process's pipe or terminal
    link.symlink_to("/dev/null")
    write_atomic(link, b"through the link")
    assert link.is_symlink() and listing(tmp_path) == ["stdout"]


# --- every file the command line writes -----------------------------------------------------------------------------


def _rejected_csv(tmp_path: Path) -> list[str]:
    source = tmp_path / "lessons.csv"
    source.write_text("key;title;lesson;kind\nL90;Good;x;insight\nL91;Bad;x;nonsense\n", encoding="utf-8")
    return ["import", str(source), "--pilot", "tampere-youth-guidance", "--skip-invalid", "--dry-run", "--rejected"]


def _workshop(db_path: Path) -> str:
    db = connect(db_path, readonly=True)
    try:
        return db.execute("SELECT code FROM workshops ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        db.close()


COMMANDS = {
    "bundle": lambda tmp, db: ["export", "--format", "bundle", "--out"],
    "sqlite": lambda tmp, db: ["export", "--format", "sqlite", "--out"],
    "datapackage": lambda tmp, db: ["export", "--format", "datapackage", "--out"],
    "metadata": lambda tmp, db: ["export", "--format", "datasette-metadata", "--out"],
    "brief": lambda tmp, db: ["brief", "--roadmap", "--out"],
    "template": lambda tmp, db: ["template", "--out"],
    "network": lambda tmp, db: ["network-export", "--pilot", "tampere-youth-guidance", "--format", "zip", "--out"],
    "rejected": lambda tmp, db: _rejected_csv(tmp),
}
NAMES = {"brief": "out.html", "template": "out.xlsx", "rejected": "rejected.csv", "metadata": "out.json"}


@pytest.mark.parametrize(
    ("command", "room"),
    [(c, 0) for c in COMMANDS]
    + [(c, 50) for c in COMMANDS]
    + [("bundle", 200_000), ("sqlite", 200_000), ("datapackage", 50_000)],  # the disk fills midway
)
def test_every_cli_output_on_a_full_disk(command, room, demo_db_path, tmp_path, capsys, full_disk, no_default_db,
                                         quick_briefs):  # fmt: skip
    """The old file stays byte for byte, no temporary file is left, the command exits 2 with one plain line."""
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / NAMES.get(command, "out.zip")
    target.write_bytes(OLD)
    full_disk.room = room
    argv = [*COMMANDS[command](tmp_path, demo_db_path), str(target), "--db", str(demo_db_path)]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"Cannot write {target}: {DISK_FULL}{target.name} is left as it was." in err
    assert "Traceback" not in err
    assert target.read_bytes() == OLD
    assert listing(folder) == [target.name]


def test_workshop_export_on_a_full_disk_keeps_each_old_file(demo_db_path, tmp_path, capsys, full_disk,
                                                            no_default_db):  # fmt: skip
    folder = tmp_path / "polis"
    folder.mkdir()
    (folder / "comments.csv").write_bytes(OLD)
    code = _workshop(demo_db_path)
    assert main(["workshop", "export", code, "--out", str(folder), "--db", str(demo_db_path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert DISK_FULL in err and "Traceback" not in err
    assert (folder / "comments.csv").read_bytes() == OLD
    assert all(not name.startswith(".") for name in listing(folder))


def test_the_outputs_are_still_written_when_there_is_room(demo_db_path, tmp_path, no_default_db, quick_briefs):
    for command in COMMANDS:
        target = tmp_path / NAMES.get(command, "out.zip")
        target.write_bytes(OLD)
        argv = [*COMMANDS[command](tmp_path, demo_db_path), str(target), "--db", str(demo_db_path)]
        assert main(argv) == EXIT_OK, command
        assert target.read_bytes() != OLD, command
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.testzip() is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- a real full file system ----------------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (root only; skipped elsewhere)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_bundle_on_a_really_full_disk_keeps_yesterdays_bundle(tiny_disk, demo_db_path, capsys, no_default_db,
                                                                 quick_briefs):  # fmt: skip
    old = io.BytesIO()
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("README.txt", b"yesterday's bundle\n" * 20_000)
    target = tiny_disk / "everything.zip"
    target.write_bytes(old.getvalue())
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    (tiny_disk / "filler").write_bytes(b"\0" * (free - 200 * 1024))  # 200 KB left: less than a bundle
    argv = ["export", "--format", "bundle", "--out", str(target), "--db", str(demo_db_path)]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"Cannot write {target}: {DISK_FULL}" in err and "Traceback" not in err
    assert target.read_bytes() == old.getvalue()
    assert listing(tiny_disk) == ["everything.zip", "filler"]

"""Output files written whole or not at all.

Every file the command line writes goes through :func:`atomic_output` (or :func:`write_atomic`): the content is
written to a temporary file in the same folder, flushed and synced to disk, then renamed over the target in one
step (``os.replace``) and the folder synced. When anything fails on the way (a full disk, a quota, an error while
the content is made) the temporary file is removed, an existing file of that name is left exactly as it was, and
:class:`OutputError` says what happened in one plain sentence.

Targets that are not regular files (``/dev/stdout``, a named pipe) cannot be replaced; they are written directly.
A symbolic link is followed: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_UMASK = os.umask(0)
os.umask(_UMASK)


class OutputError(Exception):
    """An output file could not be written; an existing file of that name is unchanged.

    >>> str(OutputError("out.zip", OSError(28, "No space left on device")))
    'Cannot write out.zip: No space left on device; out.zip is left as it was.'
    """

    def __init__(self, path: str | Path, error: BaseException):
        self.path = Path(path)
        self.reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        name = self.path.name or str(self.path)
        super().__init__(f"Cannot write {path}: {self.reason}; {name} is left as it was.")


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """Open a binary file to write ``path`` through: it appears under that name, complete, only when the block succeeds.

    Parameters
    ----------
    path : str or Path
        The file to (re)place.

    Yields
    ------
    BinaryIO
        A file open for writing (seekable, so ZIP archives can be written into it).

    Raises
    ------
    OutputError
        Writing failed (an ``OSError`` inside the block or while syncing and renaming). The temporary file is gone
        and an existing file at ``path`` is unchanged. Other exceptions from the block pass through unchanged, after
        the same clean-up.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt") as f:
    ...     _ = f.write(b"whole")
    >>> (folder / "a.txt").read_bytes()
    b'whole'
    >>> with atomic_output(folder / "a.txt") as f:
    ...     _ = f.write(b"half")
    ...     raise OSError(28, "No space left on device")
    Traceback (most recent call last):
    ...
    lessons.files.OutputError: Cannot write ...a.txt: No space left on device; a.txt is left as it was.
    >>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'whole', ['a.txt'])
    """
    shown = path
    path = Path(path)
    try:
        mode = path.stat().st_mode  # of what a symbolic link points to
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise OutputError(shown, err) from None
    if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe: nothing to replace
        try:
            with open(path, "wb") as direct:
                yield direct
        except OSError as err:
            raise OutputError(shown, err) from None
        return
    if path.is_symlink():  # replace the file it points to, keep the link
        path = Path(os.path.realpath(path))
    folder = path.parent
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise OutputError(shown, err) from None
    try:
        with open(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(err, OSError):
            raise OutputError(shown, err) from None
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; file systems that cannot sync a folder are left to do what they can."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: str | Path, data: bytes | str) -> None:
    r"""Write ``data`` (text as UTF-8) to ``path`` whole or not at all; see :func:`atomic_output`.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "b.csv"
    >>> write_atomic(target, "a,b\n")
    >>> target.read_text()
    'a,b\n'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_output(path) as out:
        out.write(data)

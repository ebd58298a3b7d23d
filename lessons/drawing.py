"""The briefs and the bundle for :mod:`lessons.prepared`, loaded on first use.

Importing :mod:`lessons.report` and :mod:`lessons.bundle` loads the whole drawing stack (fpdf2, fontTools,
vl-convert, Pillow, openpyxl, and through the briefs' network sections networkx and scipy): about a second and 60 MB.
Every page that saves data starts the background preparation of the *Data and exports* files
(:func:`lessons.prepared.prepare_soon`), whose worker is a child process: the app server that only starts it, or
reads what it kept, never needs that stack. The worker calls these functions, which import it when first called.
With :mod:`lessons.learn`, one of the two modules of the domain that import inside functions (tests/test_architecture.py
lists them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pandas as pd
from sqlite_utils import Database

__all__ = ["brief_files", "iter_bundle_briefs", "subjects", "write_bundle"]


def subjects(db: Database) -> dict[str, pd.DataFrame]:
    """Return what a brief can be about (:func:`lessons.report.subjects`)."""
    from lessons.report import subjects as listed

    return listed(db)


def brief_files(db: Database, subject: str, key: str) -> dict[str, bytes]:
    """Return the brief about ``subject`` ``key`` drawn as HTML and PDF, by file name (:func:`lessons.report.brief`)."""
    from lessons.report import brief
    from lessons.report.render import render

    return render(brief(db, subject, key))


def iter_bundle_briefs(db: Database) -> Iterator[tuple[str, bytes]]:
    """Yield the briefs a bundle carries, one at a time (:func:`lessons.report.iter_bundle_briefs`)."""
    from lessons.report import iter_bundle_briefs as drawn

    yield from drawn(db)


def write_bundle(db: Database, out: BinaryIO, *, briefs: Iterable[tuple[str, bytes]]) -> None:
    """Stream the whole bundle with ``briefs`` into ``out`` (:func:`lessons.bundle.write_bundle`)."""
    from lessons.bundle import write_bundle as written

    written(db, out, briefs=briefs)

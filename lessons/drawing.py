"""Briefs, the roadmap, a workshop's report and the bundle, drawn with a stack loaded on first use.

Importing :mod:`lessons.report` and :mod:`lessons.bundle` loads the whole drawing stack (fpdf2, fontTools,
vl-convert, Pillow, openpyxl, and through the briefs' network sections networkx and scipy): about a second and 60 MB.
Every page that saves data starts the background preparation of the *Data and exports* files
(:func:`lessons.prepared.prepare_soon`), whose worker is a child process, and the pages offering a brief or a report
make the file only when its button is clicked: the app server that only starts the worker, reads what it kept or
shows the buttons never needs that stack. The worker and the buttons call these functions, which import it when
first called.
With :mod:`lessons.learn`, one of the two modules of the domain that import inside functions (tests/test_architecture.py
lists them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pandas as pd
from sqlite_utils import Database

__all__ = [
    "brief_files", "iter_bundle_briefs", "render", "report_file", "subjects", "workshop_report", "write_bundle",
]  # fmt: skip


def subjects(db: Database) -> dict[str, pd.DataFrame]:
    """Return what a brief can be about (:func:`lessons.report.subjects`)."""
    from lessons.report import subjects as listed

    return listed(db)


def brief_files(db: Database, subject: str, key: str, language: str = "en") -> dict[str, bytes]:
    """Return the brief about ``subject`` ``key`` drawn as HTML and PDF, by file name (:func:`lessons.report.brief`)."""
    from lessons.report import brief
    from lessons.report.render import render

    return render(brief(db, subject, key, language))


def report_file(db: Database, subject: str, key: str, file_format: str, language: str = "en") -> bytes:
    """Return the roadmap (``subject`` roadmap) or a brief (theme, pilot or model ``key``) as PDF or HTML.

    Written in ``language`` (a code of :data:`lessons.i18n.LANGUAGES`).
    """
    from lessons.report import brief, roadmap
    from lessons.report.render import render as drawn

    made = roadmap(db, language=language) if subject == "roadmap" else brief(db, subject, key, language)
    return next(iter(drawn(made, (file_format,)).values()))


def workshop_report(db: Database, code: str):
    """Return the public report of workshop ``code`` (:func:`lessons.report.workshop.workshop_report`)."""
    from lessons.report.workshop import workshop_report as made

    return made(db, code)


def render(report, formats=("html", "pdf")) -> dict[str, bytes]:
    """Render a report's files in ``formats`` by name (:func:`lessons.report.render.render`)."""
    from lessons.report.render import render as drawn

    return drawn(report, formats)


def iter_bundle_briefs(db: Database) -> Iterator[tuple[str, bytes]]:
    """Yield the briefs a bundle carries, one at a time (:func:`lessons.report.iter_bundle_briefs`)."""
    from lessons.report import iter_bundle_briefs as drawn

    yield from drawn(db)


def write_bundle(db: Database, out: BinaryIO, *, briefs: Iterable[tuple[str, bytes]]) -> None:
    """Stream the whole bundle with ``briefs`` into ``out`` (:func:`lessons.bundle.write_bundle`)."""
    from lessons.bundle import write_bundle as written

    written(db, out, briefs=briefs)

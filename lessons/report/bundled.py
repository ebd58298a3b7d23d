"""The briefs a data bundle carries, made and rendered one at a time."""

from __future__ import annotations

from collections.abc import Iterator

from sqlite_utils import Database

from lessons.report.briefs import model_brief, subjects, theme_brief
from lessons.report.render import render
from lessons.report.roadmaps import roadmap


def bundle_briefs(db: Database) -> dict[str, bytes]:
    """Make the briefs a data bundle carries, as HTML and PDF under ``briefs/``.

    The roadmap, one brief per governance model and one per theme that has lessons (pilot briefs are made on request: a
    consortium may have hundreds).
    """
    return dict(iter_bundle_briefs(db))


def iter_bundle_briefs(db: Database) -> Iterator[tuple[str, bytes]]:
    """:func:`bundle_briefs` one file at a time, made when asked for (the bundle writes each and lets it go)."""
    memo: dict = {}
    found = subjects(db)
    makers = [lambda: roadmap(db, memo=memo)]
    makers += [lambda key=key: model_brief(db, key, memo=memo) for key in found["model"]["key"]]
    makers += [lambda key=key: theme_brief(db, key, memo=memo) for key in found["theme"]["key"]]
    for make in makers:
        for name, data in render(make()).items():
            yield f"briefs/{name}", data

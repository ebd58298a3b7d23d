"""Faceted counts for the Lessons page, and the span of dates lessons were recorded on.

Every filter's values with the number of lessons each would leave, computed from an index read once per data version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.queries.filters import (
    _COLUMNS,
    _LINKED,
    _STATUS_SET_BY,
    DATE_FIELDS,
    FILTER_FIELDS,
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_SET_BY_LABELS,
    _check_filters,
    iso_date,
)
from lessons.queries.fulltext import search_ids
from lessons.store import KINDS, NOT_CLASSIFIED, STATUSES
from lessons.store import frame as _frame


def _facet_options(db: Database) -> dict[str, pd.DataFrame]:
    """Every value each filter offers, in the order shown (columns value, label)."""
    return {
        "pilots": _frame(
            db,
            "SELECT slug AS value, name || coalesce(' (' || country || ')', '') AS label FROM pilots ORDER BY name, slug",
        ),
        "countries": _frame(
            db,
            """SELECT DISTINCT country AS value, country AS label FROM pilots
               WHERE country IS NOT NULL AND country <> '' ORDER BY country""",
        ),
        "themes": _frame(db, "SELECT code AS value, name AS label FROM themes ORDER BY name, code"),
        "kinds": pd.DataFrame({"value": list(KINDS), "label": [KIND_LABELS[k] for k in KINDS]}),
        "phases": _frame(db, "SELECT code AS value, name AS label FROM phases ORDER BY position"),
        "statuses": pd.DataFrame({"value": list(STATUSES), "label": [STATUS_LABELS[s] for s in STATUSES]}),
        "groups": _frame(
            db, "SELECT code AS value, name AS label FROM sectors WHERE code <> ? ORDER BY name", [NOT_CLASSIFIED]
        ),
        "methodologies": _frame(db, "SELECT code AS value, name AS label FROM methodologies ORDER BY name"),
        "status_set_by": pd.DataFrame(
            {"value": list(STATUS_SET_BY_LABELS), "label": list(STATUS_SET_BY_LABELS.values())}
        ),
        # the languages lessons are written or translated in, by code (pages name them in the reader's language)
        "languages": _frame(
            db,
            """SELECT language AS value, language AS label FROM lessons GROUP BY language
               UNION SELECT language, language FROM lesson_translations GROUP BY language ORDER BY 1""",
        ),
        # the catalogue's entries some lesson used (the others would only ever count 0)
        "methods": _frame(
            db,
            """SELECT code AS value, name AS label FROM catalogue_entries
               WHERE id IN (SELECT entry_id FROM lesson_methods) ORDER BY name COLLATE NOCASE, code""",
        ),
    }


def facet_index(db: Database) -> dict:
    """Read what faceted counts are computed from, once per data version (see :func:`facet_counts`).

    Returns a dict: ``lessons`` (a frame with one row per lesson: ``id``, one column per one-value filter named as
    in ``FILTER_FIELDS`` — pilots, countries, kinds, phases, statuses, methodologies, status_set_by — and
    ``recorded``, the ISO date or None), ``themes``, ``groups``, ``methods`` and ``languages`` (frames of ``id``, ``value`` pairs: a lesson's theme codes, the
    sectors of its stakeholder groups, the codes of the catalogue's methods and tools it used and the languages it
    is written or translated in), ``options`` (every filter's values and labels, in the order shown) and
    ``codes``: per filter, the lesson (row position) and option (position in ``options``, -1 for a value not
    offered) of every pair, as integer arrays, so that a count is a ``bincount`` and not a pandas group-by.
    """
    lessons = _frame(
        db,
        f"""SELECT l.id, p.slug AS pilots, p.country AS countries, l.kind AS kinds, l.phase AS phases,
                  l.status AS statuses, p.methodology AS methodologies, {_STATUS_SET_BY} AS status_set_by,
                  substr(l.recorded_on, 1, 10) AS recorded
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id ORDER BY l.id""",
    )
    for name in _COLUMNS:  # few distinct values: categories make the index small
        lessons[name] = lessons[name].astype("category")
    themes = _frame(db, "SELECT lesson_id AS id, theme_id FROM lesson_themes")
    codes = dict(db.execute("SELECT id, code FROM themes").fetchall())
    index = {
        "lessons": lessons,
        "themes": pd.DataFrame({"id": themes["id"], "value": themes["theme_id"].map(codes).astype("category")}),
        "groups": _frame(db, "SELECT lesson_id AS id, sector AS value FROM lesson_groups").astype(
            {"value": "category"}
        ),
        "methods": _frame(
            db,
            """SELECT lm.lesson_id AS id, ce.code AS value FROM lesson_methods lm
               JOIN catalogue_entries ce ON ce.id = lm.entry_id""",
        ).astype({"value": "category"}),
        "languages": _frame(
            db,
            """SELECT id, language AS value FROM lessons
               UNION SELECT lesson_id AS id, language AS value FROM lesson_translations ORDER BY 1""",
        ).astype({"value": "category"}),
        "options": _facet_options(db),
    }
    index["codes"] = _codes(index)
    return index


def _codes(index: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per filter, the (lesson row, option position) pairs of the index as integer arrays (see :func:`facet_index`)."""
    ids = index["lessons"]["id"].to_numpy(np.int64)  # ascending: the index reads lessons by id
    found = {}
    for name in FILTER_FIELDS:
        position = {str(v): i for i, v in enumerate(index["options"][name]["value"])}
        if name in _LINKED:
            link = index[name]
            linked = link["id"].to_numpy(np.int64)
            rows = np.minimum(np.searchsorted(ids, linked), max(len(ids) - 1, 0))
            known = (rows < len(ids)) & (ids[rows] == linked) if len(ids) else np.zeros(len(linked), dtype=bool)
            rows, values = rows[known], link["value"][known]
        else:
            rows, values = np.arange(len(ids)), index["lessons"][name]
        values = values.astype("category")  # each distinct value looked up once
        lookup = np.array([position.get(str(v), -1) for v in values.cat.categories] + [-1], dtype=np.int64)
        found[name] = (rows, lookup[values.cat.codes.to_numpy()])  # code -1 (no value) → lookup[-1] = -1
    return found


def facet_counts(index: dict, *, matched=None, **filters) -> dict[str, pd.DataFrame]:
    """Count facets from a :func:`facet_index`.

    For each filter, its options with the number of lessons that would match if the option were chosen.

    The search (``matched``: the ids it found, None for no search), the date range and every *other* filter apply;
    the filter's own choice does not, since values within a filter are alternatives.

    Parameters
    ----------
    index : dict
        What :func:`facet_index` returned.
    matched : sequence of int, optional
        Ids of the lessons the search found (:func:`search_ids`); None when there is no search.
    **filters
        The current choice: any of ``FILTER_FIELDS`` (sequences of values) and ``recorded_from``, ``recorded_to``.

    Returns
    -------
    dict of str to DataFrame
        One frame per name in ``FILTER_FIELDS``, columns ``value``, ``label``, ``lessons``, every option listed
        (also those with no lesson). Countries and languages are labelled by their code; pages name them.
    """
    _check_filters(filters)
    rows = index["lessons"]
    codes = index["codes"]
    base = np.ones(len(rows), dtype=bool)
    if matched is not None:
        base &= np.isin(rows["id"].to_numpy(np.int64), np.fromiter(matched, dtype=np.int64))
    for name, keep in zip(DATE_FIELDS, ("ge", "le")):
        day = iso_date(filters.get(name))
        if day:  # lessons without a date drop out only when a range is set
            base &= getattr(rows["recorded"], keep)(day).fillna(False).to_numpy(bool)
    masks = {}
    for name in FILTER_FIELDS:
        chosen = {str(v) for v in filters.get(name) or ()}
        if not chosen:
            continue
        wanted = np.array([str(v) in chosen for v in index["options"][name]["value"]] + [False])  # [-1]: not offered
        pair_rows, options = codes[name]
        mask = np.zeros(len(rows), dtype=bool)
        mask[pair_rows[wanted[options]]] = True
        masks[name] = mask
    counted = {}
    for name in FILTER_FIELDS:
        keep = base.copy()
        for other, mask in masks.items():
            if other != name:
                keep &= mask
        pair_rows, options = codes[name]
        frame = index["options"][name].copy()
        chosen = options[keep[pair_rows]]
        frame["lessons"] = np.bincount(chosen[chosen >= 0], minlength=len(frame))[: len(frame)].astype(int)
        counted[name] = frame
    return counted


def facets(db: Database, *, query: str | None = None, **filters) -> dict[str, pd.DataFrame]:
    """Filter options with lesson counts, as in a faceted search (see :func:`facet_counts`).

    Without arguments the counts are plain totals. Pages cache :func:`facet_index` per data version and call
    :func:`facet_counts` for each choice; this is the same in one call.

    Parameters
    ----------
    db : Database
        The store.
    query : str, optional
        The search text, as for :func:`search_lessons`.
    **filters
        The current choice: any of ``FILTER_FIELDS`` (sequences of values) and ``recorded_from``, ``recorded_to``.

    Returns
    -------
    dict of str to DataFrame
        One frame per name in ``FILTER_FIELDS``, columns ``value``, ``label``, ``lessons``.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> f = facets(open_memory_store())
    >>> list(f) == list(FILTER_FIELDS)
    True
    >>> list(f["kinds"].itertuples(index=False, name=None))
    [('enabler', 'Enabler', 0), ('barrier', 'Barrier', 0), ('recommendation', 'Recommendation', 0), ('insight', 'Insight', 0)]
    """
    return facet_counts(facet_index(db), matched=search_ids(db, query), **filters)


def recorded_span(db: Database) -> dict:
    """Return the first and last dates lessons were recorded on, and how many lessons have no date.

    The dates are ISO text, None when no lesson has one.

    >>> from lessons.store import open_memory_store
    >>> recorded_span(open_memory_store())
    {'first': None, 'last': None, 'undated': 0}
    """
    first, last, undated = db.execute(
        """SELECT min(substr(recorded_on, 1, 10)), max(substr(recorded_on, 1, 10)),
                  coalesce(sum(recorded_on IS NULL OR recorded_on = ''), 0)
           FROM lessons"""
    ).fetchone()
    return {"first": first, "last": last, "undated": undated}

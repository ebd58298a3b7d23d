"""The Lessons page's filters and their labels, and the one translation of a search and filters into SQL.

That SQL selects lessons (:func:`_selection`) and is shared by the lists, the facets and the exports.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from lessons.i18n import N_, Labels
from lessons.queries.fulltext import Match, match_for, match_sql
from lessons.store import KIND_LABELS, STATUS_LABELS  # noqa: F401 (re-exported with the filters)

#: Statuses that count as "validated" on the Overview: validated, and the later stages built on validation.
VALIDATED_STATUSES = ("validated", "endorsed", "applied_elsewhere")
#: The Lessons page's filters, in the order it shows them: values within one filter are alternatives, different
#: filters must all hold.
FILTER_FIELDS = (
    "pilots", "countries", "themes", "kinds", "phases", "statuses", "groups", "methodologies", "status_set_by",
    "methods",
)  # fmt: skip
#: Where a lesson's current status came from (the source of its latest ``lesson_status_history`` row).
STATUS_SET_BY_LABELS = Labels(
    {
        "workshop": N_("A workshop's votes (validated or contested in a workshop)"),
        "decision": N_("A decision (submitted, endorsed, applied elsewhere)"),
        "upload": N_("An upload or the demo data"),
        "before_lifecycle": N_("Before the lifecycle existed"),
    }
)
_STATUS_SET_BY = "(SELECT h.source FROM lesson_status_history h WHERE h.lesson_id = l.id ORDER BY h.id DESC LIMIT 1)"
#: The date range on ``lessons.recorded_on`` (inclusive; set, it leaves out lessons without a date).
DATE_FIELDS = ("recorded_from", "recorded_to")
#: Filters on one column of the lesson or its pilot.
_COLUMNS = {
    "pilots": "p.slug",
    "countries": "p.country",
    "kinds": "l.kind",
    "phases": "l.phase",
    "statuses": "l.status",
    "methodologies": "p.methodology",
    "status_set_by": _STATUS_SET_BY,
}
#: Filters on a linked table, where a lesson can have several values: the ids of lessons having any of them.
_LINKED = {
    "themes": "SELECT lt2.lesson_id FROM lesson_themes lt2 JOIN themes t2 ON t2.id = lt2.theme_id WHERE t2.code IN ({})",
    "groups": "SELECT lg2.lesson_id FROM lesson_groups lg2 WHERE lg2.sector IN ({})",
    # the methods and tools of the catalogue a lesson is linked to (``lesson_methods``), by entry code
    "methods": """SELECT lm2.lesson_id FROM lesson_methods lm2 JOIN catalogue_entries ce2 ON ce2.id = lm2.entry_id
                  WHERE ce2.code IN ({})""",
}


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join('?' * len(values))})", values


def iso_date(value) -> str | None:
    """Write a date (``date``, ``datetime`` or ISO text) as ``YYYY-MM-DD``; None for an empty value.

    >>> iso_date("2021-04-01"), iso_date(date(2021, 4, 1)), iso_date(None), iso_date("")
    ('2021-04-01', '2021-04-01', None, None)
    >>> iso_date("April 2021")
    Traceback (most recent call last):
    ...
    ValueError: Invalid isoformat string: 'April 2021'
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)).isoformat()


def _check_filters(filters: dict) -> None:
    unknown = set(filters) - set(FILTER_FIELDS) - set(DATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown lesson filter: {', '.join(sorted(unknown))}")


def _selection(
    db: Database, query: str | None, filters: dict, *, column: str | None = None
) -> tuple[str, list[str], list, Match | None]:
    """Return the FROM source, WHERE conditions and parameters that select the lessons matching a search and filters.

    The source names the lesson ``l``; conditions on the pilot use ``p`` (the caller joins ``pilots p``); a search
    joins its index (``match.table``) for ranking and snippets. ``column`` limits the search to one column.
    Returns (source, conditions, params, the search's :class:`~lessons.queries.fulltext.Match` or None).
    """
    _check_filters(filters)
    where, params = [], []
    match = match_for(db, query, column=column)
    if query and match is None:
        where.append("0")  # nothing searchable was typed: no lesson matches
    if match:
        source = f"{match.table} JOIN lessons l ON l.id = {match.table}.rowid"
        condition, searched = match_sql(match)
        where.append(condition)
        params += searched
    else:
        source = "lessons l"
    for name, operator in zip(DATE_FIELDS, (">=", "<=")):
        day = iso_date(filters.get(name))
        if day:  # lessons without a date drop out only when a range is set
            where.append(f"substr(l.recorded_on, 1, 10) {operator} ?")
            params.append(day)
    for name in FILTER_FIELDS:
        chosen = [str(v) for v in filters.get(name) or ()]
        if chosen:
            marks = ", ".join("?" * len(chosen))
            if name in _LINKED:
                where.append(f"l.id IN ({_LINKED[name].format(marks)})")
            else:
                where.append(f"{_COLUMNS[name]} IN ({marks})")
            params += chosen
    return source, where, params, match


def _where(conditions: list[str]) -> str:
    return "WHERE " + " AND ".join(conditions) if conditions else ""

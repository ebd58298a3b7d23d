"""Read-side queries the pages and the benchmark use. Every query is parameterised; results are plain frames.

The package's rooms: :mod:`~lessons.queries.filters` (the filters and the SQL selecting lessons),
:mod:`~lessons.queries.fulltext` (search text to FTS5), :mod:`~lessons.queries.search` (lists of lessons),
:mod:`~lessons.queries.faceting` (faceted counts), :mod:`~lessons.queries.overview` (headline counts) and
:mod:`~lessons.queries.records` (one lesson or pilot in full, the vocabularies).
"""

from lessons.queries.faceting import facet_counts, facet_index, facets, recorded_span
from lessons.queries.filters import (
    DATE_FIELDS,
    FILTER_FIELDS,
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_SET_BY_LABELS,
    VALIDATED_STATUSES,
    iso_date,
)
from lessons.queries.fulltext import COLUMNS, FORMS, Match, fts_query, match_for, match_sql, search_ids, word_forms
from lessons.queries.overview import lessons_by_theme_and_kind, overview_counts, pilot_summaries, pilots_by_country
from lessons.queries.records import (
    demo_notice,
    lesson_detail,
    lesson_validation,
    pilot_lessons,
    pilot_record,
    vocabularies,
)
from lessons.queries.search import (
    MATCH_END,
    MATCH_START,
    LessonPage,
    lesson_labels,
    lesson_page,
    lessons_for_export,
    preview,
    search_lessons,
)

__all__ = [
    "COLUMNS",
    "FORMS",
    "Match",
    "DATE_FIELDS",
    "FILTER_FIELDS",
    "KIND_LABELS",
    "LessonPage",
    "MATCH_END",
    "MATCH_START",
    "STATUS_LABELS",
    "STATUS_SET_BY_LABELS",
    "VALIDATED_STATUSES",
    "demo_notice",
    "facet_counts",
    "facet_index",
    "facets",
    "fts_query",
    "iso_date",
    "lesson_detail",
    "lesson_labels",
    "lesson_page",
    "lesson_validation",
    "lessons_by_theme_and_kind",
    "lessons_for_export",
    "match_for",
    "match_sql",
    "overview_counts",
    "pilot_lessons",
    "pilot_record",
    "pilot_summaries",
    "pilots_by_country",
    "preview",
    "recorded_span",
    "search_ids",
    "search_lessons",
    "vocabularies",
    "word_forms",
]

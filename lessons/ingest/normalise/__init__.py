"""Turn values typed in coordinators' own words and languages into our codes, dates, numbers and yes/no.

Everything here is a pure function of its input. A value that cannot be understood raises :class:`ValueError`
(or, for vocabularies, returns a :class:`Match` without a code) carrying a plain-language message that the
importer shows to the person who uploaded the file.

Vocabularies match case- and accent-insensitively through :func:`fold` and suggest the nearest code for near
misses; dates are read from ISO 8601, day.month.year or month/day/year (as the upload states), written-out
month names in the main European languages, and spreadsheet date numbers.

Modules: ``folding`` (:func:`fold`, and how values are quoted in messages), ``vocabulary`` (:class:`Vocabulary`,
kinds, statuses, evidence strengths, sectors), ``countries`` (ISO 3166-1 names in European languages), ``dates``
(:func:`parse_date`) and ``values`` (yes/no, numbers, cells holding several values). Import the names from here:
``from lessons.ingest import normalise as norm; norm.fold(...)``.
"""

from __future__ import annotations

from lessons.ingest.normalise.countries import COUNTRY_ALIASES, COUNTRY_LANGUAGES, country_vocabulary
from lessons.ingest.normalise.dates import DATE_ORDERS, MAX_DATE_LENGTH, MAX_YEAR, MIN_YEAR, parse_date
from lessons.ingest.normalise.folding import fold
from lessons.ingest.normalise.values import MAX_NUMBER_LENGTH, parse_bool, parse_number, split_multi
from lessons.ingest.normalise.vocabulary import (
    MAX_MATCH_LENGTH,
    SECTOR_ALIASES,
    SHOWN_LISTED,
    SUGGEST_PREFIX,
    SUGGEST_RATIO,
    Match,
    Vocabulary,
    evidence_strengths,
    kinds,
    sectors_vocabulary,
    statuses,
    vocabulary_from_rows,
)

__all__ = [
    "COUNTRY_ALIASES",
    "COUNTRY_LANGUAGES",
    "DATE_ORDERS",
    "MAX_DATE_LENGTH",
    "MAX_MATCH_LENGTH",
    "MAX_NUMBER_LENGTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "SECTOR_ALIASES",
    "SHOWN_LISTED",
    "SUGGEST_PREFIX",
    "SUGGEST_RATIO",
    "Match",
    "Vocabulary",
    "country_vocabulary",
    "evidence_strengths",
    "fold",
    "kinds",
    "parse_bool",
    "parse_date",
    "parse_number",
    "sectors_vocabulary",
    "split_multi",
    "statuses",
    "vocabulary_from_rows",
]

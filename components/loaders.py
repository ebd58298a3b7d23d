"""Readers shared by several pages: the store's path and data version, and the cached views of lessons, pilots,
vocabularies and accounts.

Pages get data only through loaders in ``components/``: the ones several pages share are here; an area's own
loaders sit at the top of its ``*_views.py`` beside the sections that show them (``synthesis_views``,
``network_views``, ``workshop_views``, ``models_views``, ``export_views``, ``upload_views``). Every loader reaches
the store through :func:`lessons.access.reading` (or :func:`lessons.access.writing` for analyses that are stored
once computed) on a short-lived connection, since SQLite connections must not cross Streamlit's threads, and calls
domain functions: no SQL in ``components/``. Every cache has a ``ttl`` and ``max_entries`` and is keyed by
(database path, data version, arguments), so a view is recomputed only when its data changes; loaders that depend
on the signed-in user are not cached, so a changed role applies at once. ``tests/test_architecture.py`` checks this
and names the three exceptions.
"""

from __future__ import annotations

import pandas as pd
import pycountry
import streamlit as st

from lessons import exports, i18n, pilot_reads, queries, vocabularies
from lessons.access import reading
from lessons.accounts import list_users
from lessons.audit import audit_entries
from lessons.boot import ensure_store
from lessons.editing import editable_pilots
from lessons.lifecycle import allowed_changes
from lessons.methodologies import parse_schema, suggest_mapping
from lessons.pilot_archive import deleted_pilots, deletion_summary
from lessons.store import data_version as _data_version
from lessons.store import resolve_db_path

TTL = 3600


def db_path() -> str:
    """The database the app shows: ``$LESSONS_DB``, else ``data/lessons.db``."""
    return str(resolve_db_path())


@st.cache_resource(max_entries=8)
def prepare_store(path: str) -> str:
    """Create (from the demo data) or migrate the store once per process and path."""
    ensure_store(path).close()
    return path


def data_version(path: str, area: str | None = None) -> int:
    """Current version of ``area`` (all areas when None); cheap, read on every rerun."""
    with reading(path) as db:
        return _data_version(db, area)


def country_name(code: str) -> str:
    """The reader's language's name of an ISO 3166 alpha-2 code (English: pycountry's short name; the code when
    unknown)."""
    country = pycountry.countries.get(alpha_2=code or "")
    return i18n.country(code, getattr(country, "common_name", None) or getattr(country, "name", None) or code)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _load_overview(path: str, version: int, *, audience: str, lang: str) -> dict:
    """Counts, pilots by country, lessons by theme and kind, and pilot summaries."""
    with reading(path, audience) as db:
        countries = queries.pilots_by_country(db)
        countries.insert(1, "country_name", [country_name(c) for c in countries["country"]])
        pilots = queries.pilot_summaries(db)
        pilots.insert(4, "country_name", [country_name(c) for c in pilots["country"]])
        return {
            "counts": queries.overview_counts(db),
            "countries": countries,
            "themes": queries.lessons_by_theme_and_kind(db),
            "pilots": pilots,
            "notice": queries.demo_notice(db),
        }


def load_overview(path: str, version: int, *, audience: str) -> dict:
    """Counts, pilots by country, lessons by theme and kind, and pilot summaries.

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_overview(path, version, audience=audience, lang=i18n.current())


@st.cache_data(ttl=TTL, max_entries=12, show_spinner=False)
def load_facet_index(path: str, version: int, *, audience: str, lang: str = "") -> dict:
    """What the Lessons page's filter counts are computed from, read once per data version (and per language: the
    options' labels are in the reader's language; ``lang`` keys the cache)."""
    with reading(path, audience) as db:
        return queries.facet_index(db)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def _load_facets(
    path: str, version: int, query: str = "", *, audience: str, lang: str, **filters
) -> dict[str, pd.DataFrame]:
    """Filter options with lesson counts for the current search and filters (each count: the lessons matching if
    that option were chosen); countries are named and listed by name. Without a choice, plain totals."""
    index = load_facet_index(path, version, audience=audience, lang=lang)
    with reading(path, audience) as db:
        matched = queries.search_ids(db, query)
    counted = queries.facet_counts(index, matched=matched, **filters)
    countries = counted["countries"]
    countries["label"] = [country_name(code) for code in countries["value"]]
    counted["countries"] = countries.sort_values("label", key=lambda labels: labels.str.casefold(), ignore_index=True)
    return counted


def load_facets(path: str, version: int, query: str = "", *, audience: str, **filters) -> dict[str, pd.DataFrame]:
    """Filter options with lesson counts for the current search and filters (each count: the lessons matching if
    that option were chosen); countries are named and listed by name. Without a choice, plain totals.

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_facets(path, version, query, audience=audience, lang=i18n.current(), **filters)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_recorded_span(path: str, version: int, *, audience: str) -> dict:
    """The first and last dates lessons were recorded on, and how many have no date."""
    with reading(path, audience) as db:
        return queries.recorded_span(db)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def _load_lessons(path: str, version: int, query: str = "", *, audience: str, lang: str, **filters) -> pd.DataFrame:
    """Lessons matching a search and filters (pass tuples and dates, so the arguments hash), with the pilots'
    country names in ``country_name``."""
    with reading(path, audience) as db:
        found = queries.search_lessons(db, query=query, **filters)
    names = {code: country_name(code) for code in found["country"].unique()}
    found.insert(found.columns.get_loc("country") + 1, "country_name", found["country"].map(names))
    return found


def load_lessons(path: str, version: int, query: str = "", *, audience: str, **filters) -> pd.DataFrame:
    """Lessons matching a search and filters (pass tuples and dates, so the arguments hash), with the pilots'
    country names in ``country_name``.

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_lessons(path, version, query, audience=audience, lang=i18n.current(), **filters)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def _load_lesson_page(
    path: str, version: int, query: str = "", page: int = 1, size: int = 20, *, audience: str, lang: str, **filters
):
    """One page of the lessons matching a search and filters (pass tuples and dates, so the arguments hash), with
    the total and the number of pages (a :class:`lessons.queries.LessonPage`); the pilots' country names in
    ``country_name``."""
    with reading(path, audience) as db:
        found = queries.lesson_page(db, query=query, page=page, size=size, **filters)
    rows = found.rows
    names = {code: country_name(code) for code in rows["country"].unique()}
    rows.insert(rows.columns.get_loc("country") + 1, "country_name", rows["country"].map(names))
    return found._replace(rows=rows)


def load_lesson_page(
    path: str, version: int, query: str = "", page: int = 1, size: int = 20, *, audience: str, **filters
):
    """One page of the lessons matching a search and filters (pass tuples and dates, so the arguments hash), with
    the total and the number of pages (a :class:`lessons.queries.LessonPage`); the pilots' country names in
    ``country_name``.

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_lesson_page(path, version, query, page, size, audience=audience, lang=i18n.current(), **filters)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def _load_lessons_export(
    path: str, version: int, file_format: str, query: str = "", *, audience: str, lang: str, **filters
) -> bytes:
    """Every lesson matching a search and filters as a CSV (UTF-8) or XLSX file, with readable headers, country
    names and formula-like cells neutralised."""
    with reading(path, audience) as db:
        frame = queries.lessons_for_export(db, query=query, **filters)
    frame["country"] = [country_name(code) for code in frame["country"]]
    sheet = exports.lessons_sheet(frame)
    if file_format == "xlsx":
        return exports.to_xlsx(sheet, sheet_name="Lessons")
    return exports.to_csv(sheet).encode("utf-8")


def load_lessons_export(
    path: str, version: int, file_format: str, query: str = "", *, audience: str, **filters
) -> bytes:
    """Every lesson matching a search and filters as a CSV (UTF-8) or XLSX file, with readable headers, country
    names and formula-like cells neutralised.

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_lessons_export(path, version, file_format, query, audience=audience, lang=i18n.current(), **filters)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _load_lesson(path: str, version: int, lesson_id: int, *, audience: str, lang: str) -> dict | None:
    """One lesson with its context, themes, groups, provenance, governance-model links, workshop validation results
    and its pilot's country name (``country_name``)."""
    with reading(path, audience) as db:
        detail = queries.lesson_detail(db, lesson_id)
    if detail is not None:
        detail["country_name"] = country_name(detail["country"])
    return detail


def load_lesson(path: str, version: int, lesson_id: int, *, audience: str) -> dict | None:
    """One lesson with its context, themes, groups, provenance, governance-model links, workshop validation results
    and its pilot's country name (``country_name``).

    Cached per language: the names in it (countries, labels) are in the reader's language."""
    return _load_lesson(path, version, lesson_id, audience=audience, lang=i18n.current())


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_notice(path: str, version: int) -> str | None:
    """The illustrative-data notice, when the store holds demo or synthetic data."""
    with reading(path) as db:
        return queries.demo_notice(db)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_vocabularies(path: str, version: int) -> dict[str, pd.DataFrame]:
    """Codes and names for choosers."""
    with reading(path) as db:
        return queries.vocabularies(db)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_pilot(path: str, version: int, pilot_id: int, *, audience: str) -> tuple[dict | None, pd.DataFrame]:
    """A pilot's record and its lessons (id, key, title, kind, status)."""
    with reading(path, audience) as db:
        return queries.pilot_record(db, pilot_id), queries.pilot_lessons(db, pilot_id)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_pilot_actors(path: str, version: int, pilot: str, *, audience: str) -> dict[str, str]:
    """A pilot's stakeholders, key → "name (sector)", in key order."""
    with reading(path, audience) as db:
        return pilot_reads.pilot_actors(db, pilot)


def load_editable_pilots(path: str, actor) -> pd.DataFrame:
    """The pilots this user may change (not cached: it depends on the user and must follow role changes)."""
    with reading(path) as db:
        return editable_pilots(db, actor)


def load_status_changes(path: str, actor, lesson_id: int) -> list[str]:
    """The statuses this user may move a lesson to (not cached: it depends on the user and the lesson's status)."""
    with reading(path) as db:
        return allowed_changes(db, actor, lesson_id)


def load_users(path: str, actor) -> pd.DataFrame:
    """Every account (admins only; refused otherwise by the domain); missing values are None, not NaN."""
    with reading(path) as db:
        users = list_users(db, actor)
    return users.astype(object).where(users.notna(), None)


def load_audit(path: str, actor, **filters) -> pd.DataFrame:
    """Audit entries, newest first (admins only). Never cached: the log must be current."""
    with reading(path) as db:
        return audit_entries(db, actor, **filters)


def clear_all() -> None:
    """Drop every cached view (after a write that bypasses the version counters, and between tests)."""
    st.cache_data.clear()


def load_vocabulary_tables(path: str, actor) -> dict[str, pd.DataFrame]:
    """Themes with their lesson counts, tie relation types in use, the crosswalk and the shared phases, for the
    Vocabularies page (administrators; not cached: the page shows each write at once)."""
    with reading(path) as db:
        return {
            "themes": vocabularies.theme_table(db),
            "relations": vocabularies.relation_counts(db),
            "crosswalk": vocabularies.crosswalk(db),
            "phases": queries.vocabularies(db)["phases"],
        }


def check_methodology(path: str, files: dict[str, bytes], source: str):
    """Read and check an uploaded process description: (methodology, suggested mapping); raises ImportRefused."""
    with reading(path) as db:
        methodology = parse_schema(files, source=source)
        return methodology, suggest_mapping(db, methodology)


def load_deletion(path: str, pilot_id: int | None = None) -> tuple[dict, list[dict]]:
    """What deleting ``pilot_id`` would take or unlink (counts), and the deletions that can be undone."""
    with reading(path) as db:
        return (deletion_summary(db, pilot_id) if pilot_id is not None else {}), deleted_pilots(db)

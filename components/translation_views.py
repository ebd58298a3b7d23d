"""Lessons in the reader's language (#21): cards and the lesson page show a translation where one exists and say so,
the language filter names languages, and the Translate page's sections (what is left, a translation's form, the
spreadsheet's download and upload)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from components import auth, language
from components.loaders import TTL
from components.widgets import safe
from lessons import queries, synthesis, translations
from lessons.access import reading
from lessons.i18n import LANGUAGES, _, language_name, ngettext, number
from lessons.ingest.problems import IngestError
from lessons.permissions import can
from lessons.translations import language_label

#: The Translate page's widget keys start with this.
TRANSLATE_KEY = "translate"


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_shown(path: str, version: int, ids: tuple[int, ...], lang: str, *, audience: str) -> dict[int, dict]:
    """The lessons ``ids`` as a reader of ``lang`` sees them: the translation's texts where one exists, and which."""
    with reading(path, audience) as db:
        return translations.shown_by_id(db, ids, lang)


def language_note(shown: dict, reader: str) -> str | None:
    """Say what a reader of ``reader`` is shown: a translation and by whom, or the original (None when it is theirs).

    >>> language_note({"is_translation": True, "original_language": "it", "translated_by": "Ana"}, "en")
    'Translated from Italian by Ana'
    >>> language_note({"is_translation": False, "original_language": "it", "shown_language": "it"}, "en")
    'Original in Italian'
    >>> language_note({"is_translation": False, "original_language": "en", "shown_language": "en"}, "en") is None
    True
    """
    original = language_label(shown.get("original_language"), reader)
    if shown.get("is_translation"):
        if shown.get("translated_by"):
            return _("Translated from {language} by {name}").format(language=original, name=shown["translated_by"])
        return _("Translated from {language}").format(language=original)
    if (shown.get("shown_language") or "en") != reader:
        return _("Original in {language}").format(language=original)
    return None


def in_reader_language(fetch: Callable[..., object], path: str, version: int, audience: str) -> Callable[..., object]:
    """Wrap a Lessons page ``fetch``: each page's rows in the reader's language, with a ``language_note`` each."""

    def fetched(**options):
        found = fetch(**options)
        rows = found.rows
        if rows.empty:
            return found
        reader = language.current()
        shown = load_shown(path, version, tuple(int(i) for i in rows["id"]), reader, audience=audience)
        rows = rows.copy()
        notes, titles, snippets = [], [], []
        for row in rows.itertuples():
            seen = shown.get(int(row.id))
            notes.append(language_note(seen, reader) if seen else None)
            translated = bool(seen and seen["is_translation"])
            titles.append(seen["title"] if translated else row.title)
            snippets.append(queries.preview(seen["lesson"]) if translated else row.snippet)
        rows["title"], rows["snippet"], rows["language_note"] = titles, snippets, notes
        return found._replace(rows=rows)

    return fetched


def detail_in_reader_language(path: str, version: int, detail: dict | None, audience: str) -> dict | None:
    """Return a lesson's detail with its texts in the reader's language where translated, and a ``language_note``."""
    if detail is None:
        return None
    reader = language.current()
    seen = load_shown(path, version, (int(detail["id"]),), reader, audience=audience).get(int(detail["id"]))
    if seen is None:
        return detail
    out = dict(detail)
    if seen["is_translation"]:
        for field in translations.FIELDS:
            out[field] = seen[field]
    out["language_note"] = language_note(seen, reader)
    return out


def named_languages(facets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return the facets with each language named in the reader's language, listed by name."""
    if "languages" not in facets:
        return facets
    reader = language.current()
    frame = facets["languages"].copy()
    frame["label"] = [language_label(code, reader) for code in frame["value"]]
    return {**facets, "languages": frame.sort_values("label", key=lambda s: s.str.casefold(), ignore_index=True)}


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_left_out(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """The lessons the reader sees that text similarity leaves out: no text in English, written or translated."""
    with reading(path, audience) as db:
        return synthesis.left_out_of_comparison(db)


def left_out_note(path: str, version: int, audience: str) -> None:
    """Say on What recurs which lessons the groups of similar lessons could not compare, and why (#21)."""
    left = load_left_out(path, version, audience=audience)
    if left.empty:
        return
    reader = language.current()
    languages = safe(", ".join(sorted({language_label(code, reader) for code in left["language"]})))
    st.caption(
        ngettext(
            "{n} lesson is left out of the groups of similar lessons: it is written in {languages} and has no "
            "English translation to compare it by.",
            "{n} lessons are left out of the groups of similar lessons: they are written in {languages} and have no "
            "English translation to compare them by.",
            len(left),
        ).format(n=number(len(left)), languages=languages),
        help=_("Lessons are compared in English. Coordinators can translate them on the Translate lessons page."),
    )


# --- the Translate page -------------------------------------------------------------------------------------------


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_untranslated(path: str, version: int, target: str, *, audience: str) -> pd.DataFrame:
    """The lessons the reader sees that are not written in ``target`` nor translated into it."""
    with reading(path, audience) as db:
        return translations.untranslated(db, target)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_languages(path: str, version: int, *, audience: str) -> list[str]:
    """The languages the lessons are written or translated in."""
    with reading(path, audience) as db:
        return translations.lesson_languages(db)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_original(path: str, version: int, lesson_id: int, *, audience: str) -> dict | None:
    """A lesson's texts as written, its language, and its translations."""
    with reading(path, audience) as db:
        return translations.original(db, lesson_id)


def target_languages(path: str, version: int, audience: str) -> list[str]:
    """The languages offered to translate into: the interface's, then any other the lessons use."""
    from_interface = [code for code in LANGUAGES if code != "en"] + ["en"]
    return from_interface + [c for c in load_languages(path, version, audience=audience) if c not in from_interface]


def target_label(code: str) -> str:
    """Name a language in the reader's language, with its own name when that differs ("Finnish (Suomi)")."""
    reader = language.current()
    named, own = language_label(code, reader), language_name(code)
    return named if named.casefold() == own.casefold() else f"{named} ({own})"


def untranslated_section(rows: pd.DataFrame, target: str) -> None:
    """How many lessons are left to translate into ``target``, and which."""
    label = safe(language_label(target, language.current()))  # a code from the store is text, never markup
    if rows.empty:
        st.success(_("Every lesson you can see is written in {language} or translated into it.").format(language=label))
        return
    st.markdown(
        ngettext(
            "**{n} lesson** is not yet translated into {language}.",
            "**{n} lessons** are not yet translated into {language}.",
            len(rows),
        ).format(n=number(len(rows)), language=label)
    )
    reader = language.current()
    table = pd.DataFrame(
        {
            _("Pilot"): rows["pilot_name"],
            _("Key"): rows["key"],
            _("Title"): rows["title"],
            _("Written in"): [language_label(c, reader) for c in rows["language"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def translation_form(path: str, version: int, rows: pd.DataFrame, target: str, audience: str) -> None:
    """Choose a lesson left to translate (or any other by key) and enter its translation; saved with who wrote it."""
    actor = auth.current_actor(path)
    if actor is None:
        st.info(
            _("Sign in (in the sidebar) as a coordinator or an administrator to enter translations."),
            icon=":material/lock:",
        )
        return
    if st.session_state.pop(f"{TRANSLATE_KEY}_saved", False):
        st.success(_("Translation saved."), icon=":material/check_circle:")
    labels = {
        int(r.id): f"{r.pilot_name} · {r.key} · {r.title}"
        for r in rows.itertuples()
        if can(actor, "lesson.edit", int(r.pilot_id))
    }
    if not labels:
        if not rows.empty:
            st.info(_("You may translate only the lessons of the pilots you coordinate; none of them is left."))
        return
    chosen = st.selectbox(_("Lesson to translate"), list(labels), format_func=labels.get, key=f"{TRANSLATE_KEY}_lesson")
    original = load_original(path, version, int(chosen), audience=audience)
    if original is None:
        return
    reader = language.current()
    st.caption(_("Written in {language}:").format(language=language_label(original["language"], reader)))
    st.text(original["title"])
    st.text(original["lesson"])
    with st.form(f"{TRANSLATE_KEY}_form_{chosen}_{target}", clear_on_submit=False, enter_to_submit=False):
        title = st.text_input(_("Title"), key=f"{TRANSLATE_KEY}_title_{chosen}")
        lesson = st.text_area(_("What was learned"), key=f"{TRANSLATE_KEY}_text_{chosen}")
        context = st.text_area(_("Context"), key=f"{TRANSLATE_KEY}_context_{chosen}") if original["context"] else None
        recommendation = (
            st.text_area(_("Recommendation"), key=f"{TRANSLATE_KEY}_recommendation_{chosen}")
            if original["recommendation"]
            else None
        )
        st.caption(
            _("It will be shown as a translation, with your name: {name}.").format(name=safe(actor.label)),
        )
        saved = st.form_submit_button(_("Save the translation"), type="primary")
    if saved:
        done = auth.write(
            path, translations.set_translation, actor, int(chosen), target, title=title, lesson=lesson,
            context=context, recommendation=recommendation,
        )  # fmt: skip
        if done:  # read again: the lesson leaves the list
            st.session_state[f"{TRANSLATE_KEY}_saved"] = True
            st.rerun()


def sheet_section(path: str, target: str, audience: str) -> None:
    """Download the lessons to translate into ``target`` as a workbook; upload it filled in."""
    actor = auth.current_actor(path)
    st.markdown(
        _("Translate many lessons at once in a spreadsheet: download it, fill in the empty columns, upload it.")
    )

    def workbook() -> bytes:
        with reading(path, audience) as db:
            return translations.export_sheet(db, target)

    st.download_button(
        _("Download the lessons to translate (XLSX)"),
        data=workbook,
        file_name=f"translations-{target}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"{TRANSLATE_KEY}_download",
        on_click="ignore",
    )
    if actor is None:
        return
    upload = st.file_uploader(_("Upload a filled-in workbook"), type=["xlsx"], key=f"{TRANSLATE_KEY}_upload")
    if upload is None or not st.button(_("Import the translations"), key=f"{TRANSLATE_KEY}_import"):
        return
    try:  # checked first, so every problem is shown with its row, column and fix
        with reading(path) as db:
            translations.read_sheet(db, data=upload.getvalue(), filename=upload.name)
    except IngestError as err:
        st.error(_("Nothing was imported. Fix these problems and upload the file again:"), icon=":material/error:")
        st.text("\n".join(str(p) for p in err.problems))
        return
    count = auth.write(path, translations.import_sheet, actor, data=upload.getvalue(), filename=upload.name)
    if count is not None:
        st.success(
            ngettext("{n} translation imported.", "{n} translations imported.", count).format(n=number(count)),
            icon=":material/check_circle:",
        )

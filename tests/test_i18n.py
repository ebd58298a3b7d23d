"""The interface in six languages (#21): catalogues complete and correct, no string left unmarked, the language chosen
from the link, the picker, the browser and its memory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lessons import i18n
from lessons.cli import messages
from lessons.i18n import LANGUAGES, N_, _, ngettext, placeholders, using

ROOT = Path(__file__).resolve().parent.parent

#: Files whose every user-visible string is a message. Each area's files join this list when they are marked, and
#: from then on a string written straight into a Streamlit call fails the test below.
MARKED = [
    "app.py",
    "components/language.py",
    "pages/overview.py",
    "pages/lessons.py",
    "pages/recurs.py",
    "components/widgets.py",
    "components/charts.py",
    "components/loaders.py",
    "components/auth.py",
    "components/url_state.py",
    "components/synthesis_views.py",
    "lessons/chart_specs.py",
    "pages/pilots.py",
    "pages/stories.py",
    "pages/methods.py",
    "pages/contributors.py",
    "components/pilot_views.py",
    "components/story_views.py",
    "components/catalogue_views.py",
    "components/contributor_views.py",
    "pages/vote.py",
    "pages/workshops.py",
    "pages/workshop_report.py",
    "components/vote_views.py",
    "components/workshop_views.py",
    "components/report_views.py",
    "pages/networks.py",
    "pages/models.py",
    "components/network_views.py",
    "components/network_tables.py",
    "components/models_views.py",
    "components/twomode_views.py",
    "lessons/models.py",
    "lessons/model_authoring.py",
    "lessons/model_links.py",
    "pages/translations.py",
    "components/translation_views.py",
    # manage
    "pages/upload.py",
    "pages/pilot_data.py",
    "pages/vocabularies.py",
    "pages/exports.py",
    "pages/users_audit.py",
    "components/upload_views.py",
    "components/editors.py",
    "components/export_views.py",
    "components/vocabulary_views.py",
    "lessons/ingest/normalise/vocabulary.py",
    "lessons/ingest/normalise/countries.py",
    "lessons/ingest/undo.py",
    "lessons/ingest/networks/dispatch.py",
    "lessons/ingest/networks/edgelist.py",
    "lessons/catalogue/sheet.py",
    "lessons/catalogue/interlink.py",
]

#: Streamlit calls that show text: their string arguments must be messages.
SHOWS_TEXT = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning", "error", "success",
    "toast", "button", "download_button", "link_button", "page_link", "form_submit_button", "checkbox", "toggle",
    "radio", "selectbox", "multiselect", "select_slider", "slider", "text_input", "text_area", "number_input",
    "date_input", "time_input", "file_uploader", "expander", "popover", "tabs", "metric", "status", "spinner",
    "segmented_control", "pills", "feedback", "chat_input", "camera_input", "color_picker", "Page",
    "TextColumn", "NumberColumn", "LinkColumn", "DateColumn", "DatetimeColumn", "CheckboxColumn",
    "SelectboxColumn", "ProgressColumn", "ListColumn", "Column", "BarChartColumn", "LineChartColumn",
}  # fmt: skip
#: Keyword arguments that are never shown as text.
NOT_TEXT = {"key", "icon", "type", "format", "url_path", "mime", "file_name", "on_click", "on_change", "width",
            "height", "data", "autocomplete", "label_visibility", "help_visibility", "args", "kwargs", "value",
            "options", "default", "max_chars", "step", "min_value", "max_value", "accept_multiple_files", "page",
            "url", "use_container_width", "selection_mode", "disabled", "border", "alignment", "anchor",
            "visibility", "position"}  # fmt: skip


def _literal_text(node: ast.AST) -> str | None:
    """Return the English words a node writes straight into the page, or None when it writes none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    if text.startswith(":material/") or text.startswith(("pages/", "http")):
        return None
    words = [w for w in text.replace("*", " ").split() if sum(c.isalpha() for c in w) >= 2]
    return text if words else None


def unmarked(path: Path) -> list[str]:
    """Return the strings a file writes straight into a Streamlit call, each with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWS_TEXT:
            continue
        candidates = list(node.args) + [k.value for k in node.keywords if k.arg not in NOT_TEXT]
        for arg in candidates:
            items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
            for item in items:
                text = _literal_text(item)
                if text is not None:
                    found.append(f"{path.name}:{item.lineno}: {text[:60]!r}")
    return found


@pytest.mark.parametrize("name", MARKED)
def test_no_string_is_written_straight_into_the_page(name):
    assert unmarked(ROOT / name) == []


def test_the_lint_finds_a_string_written_straight_into_the_page(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.title("Lessons")\nst.button(_("Save"), help=f"Saves {x} now")\n')
    assert [line.split(": ", 1)[1] for line in unmarked(page)] == ["'Lessons'", "'Saves   now'"]


def test_every_marked_file_is_in_an_area_and_every_area_file_exists():
    held = {p.as_posix() for globs in i18n.areas().values() for p in messages.area_files(globs)}
    named = [name for globs in i18n.areas().values() for name in globs]
    assert [name for name in named if not messages.area_files([name])] == []
    assert [name for name in MARKED if name not in held] == []


def test_the_catalogues_are_complete_and_keep_their_placeholders():
    assert messages.problems() == []


def test_the_check_finds_an_untranslated_message_and_a_lost_placeholder(tmp_path, monkeypatch):
    (tmp_path / "locale" / "fi" / "LC_MESSAGES").mkdir(parents=True)
    source = tmp_path / "page.py"
    source.write_text('_("Hello")\n_("{n} lessons")\n_("Bye")\n')
    (tmp_path / "locale" / "areas.json").write_text('{"demo": ["page.py"]}')
    (tmp_path / "locale" / "fi" / "LC_MESSAGES" / "demo.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\nmsgid "Hello"\nmsgstr "Hei"\n\nmsgid "{n} lessons"\nmsgstr "opit"\n'
    )
    monkeypatch.setattr(messages, "ROOT", tmp_path)
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(messages, "SOURCES", ("*.py",))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(messages, "LANGUAGES", {"en": "English", "fi": "Suomi"})
    found = messages.problems()
    assert any("'{n} lessons' has placeholders [], not ['n']" in line for line in found)
    assert any("'Bye' is not translated" in line for line in found)
    assert not any("'Hello'" in line for line in found)


def test_plural_forms_follow_each_language():
    with using("lv"):
        catalogue = i18n.catalogue("lv")
        assert catalogue is not None and catalogue.plural(21) != catalogue.plural(2)  # Latvian: three forms
    assert ngettext("{n} lesson", "{n} lessons", 1) == "{n} lesson"
    assert ngettext("{n} lesson", "{n} lessons", 0) == "{n} lessons"


def test_a_message_shows_in_the_language_in_use_and_falls_back_to_english():
    assert _("Lessons") == "Lessons"
    with using("fi"):
        assert _("Lessons") == "Opit"
        assert _("A sentence nobody translated") == "A sentence nobody translated"
        with using("el"):
            assert _("Lessons") == "Διδάγματα"
        assert i18n.current() == "fi"
    with using("xx"):  # unknown: the reader's own, here English
        assert _("Lessons") == "Lessons"
    assert N_("Lessons") == "Lessons"


def test_placeholders_are_read_in_order():
    assert placeholders("{pilot}: {n:,} of {total}") == ["pilot", "n", "total"]


def test_numbers_and_dates_follow_the_language():
    with using("fi"):
        assert i18n.number(1234.5, 1) == "1\xa0234,5"
        assert i18n.day("2026-03-04") == "4.3.2026"
    with using("es"):
        assert i18n.number(12345.5, 1) == "12.345,5"
    assert i18n.day("2026-03-04") == "Mar 4, 2026"
    assert i18n.day(None) == "" and i18n.day("not a date") == "not a date"


def test_the_browsers_language_tag_is_matched_to_an_interface_language():
    assert i18n.best_match("fi-FI,fi;q=0.9,en;q=0.8") == "fi"
    assert i18n.best_match("pt-BR") is None and i18n.best_match("") is None


# --- the reader's language in the app (AppTest) -----------------------------------------------------------------


def _nav_titles(at) -> list[str]:
    return [p.page_name for p in at.get("navigation")] if at.get("navigation") else []


def test_a_link_with_lang_opens_the_app_in_that_language_and_the_picker_changes_it(demo_db_path, app_on):
    at = app_on(demo_db_path, {"lang": "fi"}).run()
    assert not at.exception
    assert at.session_state["lang"] == "fi"
    picker = at.sidebar.selectbox(key="lang_picker")
    assert picker.value == "fi" and picker.label == "Kieli (Language)"
    picker.set_value("it").run()
    assert at.session_state["lang"] == "it"
    assert at.query_params["lang"] in ("it", ["it"])
    assert at.sidebar.selectbox(key="lang_picker").label == "Lingua (Language)"
    at.sidebar.selectbox(key="lang_picker").set_value("en").run()
    assert at.session_state["lang"] == "en" and "lang" not in at.query_params
    assert at.sidebar.selectbox(key="lang_picker").label == "Language"


def test_an_unknown_lang_in_the_link_is_ignored(demo_db_path, app_on):
    at = app_on(demo_db_path, {"lang": "<script>"}).run()
    assert not at.exception and at.session_state["lang"] == "en"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_names_itself_in_the_picker(code):
    assert i18n.language_name(code) == LANGUAGES[code]

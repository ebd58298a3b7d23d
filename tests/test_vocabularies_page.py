"""AppTest for the Vocabularies page and the pilot-deletion confirmation on Edit pilot data (#14)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from lessons.store import connect
from tests.test_manage_pages import app, sign_in  # noqa: F401  (the fixture and the sign-in helper)

PAGE = "pages/vocabularies.py"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "interlink_schema"


def query(path, sql, params=()):
    db = connect(path)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def test_the_page_is_registered_under_manage():
    assert (
        'st.Page("pages/vocabularies.py", title=_("Vocabularies")' in (Path(__file__).parents[1] / "app.py").read_text()
    )


def test_anonymous_visitors_see_the_sign_in_form_only(app):  # noqa: F811
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.info[0].value.startswith("Sign in (in the sidebar)")
    assert not app.tabs and not app.get("file_uploader")


@pytest.mark.parametrize("user", ["viewer", "coordinator", "facilitator"])
def test_other_roles_are_refused(app, user):  # noqa: F811
    sign_in(app, user)
    app.switch_page(PAGE).run()
    assert not app.exception
    assert "Only administrators change the vocabularies" in app.info[0].value
    assert not app.tabs and not [w for w in app.text_input if (w.key or "").startswith("vocab")]


def test_an_admin_sees_the_editors_and_renames_a_relation_type(app, demo_db_path):  # noqa: F811
    sign_in(app, "admin")
    app.switch_page(PAGE).run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Themes", "Tie types", "Crosswalk", "Import a methodology"]
    assert app.selectbox(key="vocab_theme_pick") and app.selectbox(key="vocab_crosswalk_pick")
    before = query(demo_db_path, "SELECT count(*) FROM ties WHERE relation = 'advice'")[0][0]
    app.selectbox(key="vocab_relation_pick").set_value("advice")
    app.text_input(key="vocab_relation_new").set_value("advises")
    app.button(key="FormSubmitter:vocab_relation_form-Rename").click().run()
    assert not app.exception
    assert f"Renamed on {before} tie{'s' if before != 1 else ''}." in [s.value for s in app.success]
    assert query(demo_db_path, "SELECT count(*) FROM ties WHERE relation = 'advises'")[0][0] == before


def test_an_admin_changes_the_crosswalk(app, demo_db_path):  # noqa: F811
    sign_in(app, "admin")
    app.switch_page(PAGE).run()
    app.selectbox(key="vocab_crosswalk_pick").set_value("servicedesign").run()
    app.selectbox(key="vocab_step_servicedesign_1").set_value("initiate")
    app.button(key="FormSubmitter:vocab_crosswalk_form_servicedesign-Save mapping").click().run()
    assert not app.exception
    assert query(
        demo_db_path, "SELECT phase FROM methodology_steps WHERE methodology = 'servicedesign' AND position = 1"
    ) == [("initiate",)]


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(FIXTURE.rglob("*.json")):
            archive.write(path, f"solutioncorefinementprocess/{path.relative_to(FIXTURE)}")
    return buffer.getvalue()


def test_an_admin_imports_a_schema_by_upload(app, demo_db_path):  # noqa: F811
    sign_in(app, "admin")
    app.switch_page(PAGE).run()
    app.get("file_uploader")[0].set_value(("schema.zip", zipped(), "application/zip")).run()
    assert not app.exception
    assert app.text_input(key="vocab_import_code").value == "interlink-solutioncorefinementprocess"
    app.selectbox(key="vocab_import_step_1").set_value("understand")
    app.button(key="FormSubmitter:vocab_import_form-Import methodology").click().run()
    assert not app.exception
    assert query(
        demo_db_path,
        "SELECT name, phase FROM methodology_steps WHERE methodology = 'interlink-solutioncorefinementprocess' "
        "ORDER BY position",
    ) == [("Co-reflection of solution", "understand"), ("Re-design of solution", "co-design")]


def test_a_corrupt_upload_is_refused_on_the_page(app, demo_db_path):  # noqa: F811
    sign_in(app, "admin")
    app.switch_page(PAGE).run()
    app.get("file_uploader")[0].set_value(("metadata.json", b'{"id": ', "application/json")).run()
    assert not app.exception
    assert app.error[0].value.startswith("Nothing was written")
    assert "vocab_import_code" not in [t.key for t in app.text_input]
    assert "not valid JSON" in " ".join(m.value for m in app.markdown)


def test_deleting_a_pilot_asks_for_its_slug_and_can_be_undone(app, demo_db_path):  # noqa: F811
    sign_in(app, "admin")
    app.switch_page("pages/pilot_data.py").run()
    slug = query(demo_db_path, "SELECT slug FROM pilots ORDER BY name LIMIT 1")[0][0]
    warning = [w.value for w in app.warning if w.value.startswith("Deleting ")][0]
    assert "lesson" in warning and "workshop statement" in warning and "can undo it" in warning
    assert app.button(key="pilotdata_delete").disabled
    app.text_input(key="pilotdata_delete_slug").set_value(slug).run()
    assert not app.button(key="pilotdata_delete").disabled
    app.button(key="pilotdata_delete").click().run()
    assert not app.exception
    assert query(demo_db_path, "SELECT count(*) FROM pilots WHERE slug = ?", [slug]) == [(0,)]
    app.run()
    [undo] = [b for b in app.button if (b.key or "").startswith("pilotdata_undo_")]
    undo.click().run()
    assert not app.exception
    assert query(demo_db_path, "SELECT count(*) FROM pilots WHERE slug = ?", [slug]) == [(1,)]


@pytest.mark.parametrize("user", ["coordinator", "viewer"])
def test_no_deletion_for_other_roles(app, user):  # noqa: F811
    sign_in(app, user)
    app.switch_page("pages/pilot_data.py").run()
    assert not app.exception
    assert not [b for b in app.button if (b.key or "").startswith("pilotdata_delete")]


def test_a_lesson_keeps_a_retired_theme_in_its_form(app, demo_db_path):  # noqa: F811
    from lessons.permissions import Actor
    from lessons.vocabularies import retire_theme

    db = connect(demo_db_path)
    retire_theme(db, Actor("root", "admin"), "trust")
    db.close()
    sign_in(app, "admin")
    app.switch_page("pages/pilot_data.py").run()
    assert not app.exception
    lesson = app.selectbox(key="pilotdata_lesson").value
    codes = query(
        demo_db_path,
        "SELECT t.code FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE lt.lesson_id = ?",
        [lesson],
    )
    [themes] = [m for m in app.multiselect if m.label == "Themes"]
    assert ("Trust and relationships" in themes.options) == (("trust",) in codes)
    assert "trust" in themes.value or ("trust",) not in codes

"""AppTest of the upload flow: errors shown; preview → commit → counts change → undo → counts restored."""

from __future__ import annotations

import pytest

from lessons.store import connect

SUBMIT = "FormSubmitter:auth_form-Sign in"
GOOD = "key,title,lesson,kind,themes\nL90,Night buses mattered,Young people came when buses ran late.,insight,trust\n"
BAD = "key,title,lesson,kind\nL91,,No title here,enabeler\n"


@pytest.fixture
def coordinator(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.text_input(key="auth_username").set_value("coordinator")
    at.text_input(key="auth_password").set_value("demo-coordinator-pass")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def lessons_of_tampere(path) -> int:
    with connect(path, readonly=True) as db:
        return db.execute(
            "SELECT count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = 'tampere-youth-guidance'"
        ).fetchone()[0]


def upload(at, name: str, text: str):
    at.get("file_uploader")[0].set_value((name, text.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_pilot").set_value("tampere-youth-guidance")
    at.run()
    assert not at.exception
    return at


def test_the_coordinator_is_offered_only_their_pilot(coordinator):
    assert coordinator.selectbox(key="upload_pilot").options == [
        "— named in the file —",
        "Youth guidance one-stop shop (FI)",
    ]
    assert coordinator.get("download_button")[0].label == "Download the template (XLSX)"


def test_problems_are_shown_and_nothing_can_be_committed(coordinator, demo_db_path):
    upload(coordinator, "lessons.csv", BAD)
    # 'enabeler' is recoded to its suggestion on the page, preselected and shown; choosing to keep it is an error
    assert coordinator.selectbox(key="upload_recode_Lessons_kind_enabeler").value == "enabler"
    assert coordinator.error[0].value.startswith("1 problem of 1 kind must be fixed")
    coordinator.selectbox(key="upload_recode_Lessons_kind_enabeler").set_value("— keep as written —").run()
    assert coordinator.error[0].value.startswith("2 problems of 2 kinds must be fixed")
    problems = coordinator.dataframe[0].value
    assert set(problems["column"]) >= {"title", "kind"} and set(problems["row"]) == {2}
    assert "upload_commit" not in [b.key for b in coordinator.button]
    assert lessons_of_tampere(demo_db_path) == 22


def test_preview_commit_and_undo(coordinator, demo_db_path):
    upload(coordinator, "lessons.csv", GOOD)
    metrics = {m.label: m.value for m in coordinator.metric}
    assert metrics == {"New rows": "1", "Changed rows": "0", "Removed rows": "0"}
    coordinator.checkbox(key="upload_remove").check().run()  # a complete summary: the 22 others would go
    assert {m.label: m.value for m in coordinator.metric}["Removed rows"] == "22"
    coordinator.button(key="upload_commit").click().run()
    assert not coordinator.exception
    assert coordinator.success[0].value.startswith("Upload 2 committed")
    assert lessons_of_tampere(demo_db_path) == 1
    coordinator.selectbox(key="upload_undo_pick").set_value(2)
    coordinator.button(key="upload_undo").click().run()
    assert not coordinator.exception
    assert "Upload 2 undone" in coordinator.success[-1].value
    assert lessons_of_tampere(demo_db_path) == 22


def test_skip_invalid_imports_the_good_rows(coordinator, demo_db_path):
    coordinator.checkbox(key="upload_skip").check()
    upload(coordinator, "lessons.csv", GOOD + BAD.split("\n", 1)[1])
    metrics = {m.label: m.value for m in coordinator.metric}
    assert metrics["New rows"] == "1" and metrics["Removed rows"] == "0"
    assert any(b.label == "Download the rows set aside (CSV)" for b in coordinator.get("download_button"))
    coordinator.button(key="upload_commit").click().run()
    assert lessons_of_tampere(demo_db_path) == 23


def test_a_foreign_register_through_the_page_mapping(coordinator, demo_db_path):
    """A spreadsheet of the coordinator's own shape: columns mapped on the page, the missing kind given once."""
    text = "Ref,Subject,What we learned,Tags\nT-1,Buddies helped,Buddies helped newcomers,trust;champions\n"
    upload(coordinator, "our-register.csv", text)
    assert "No column holds" in coordinator.error[0].value or coordinator.error
    assert coordinator.selectbox(key="upload_map_Lessons_key").value == "Ref"
    coordinator.selectbox(key="upload_map_Lessons_title").set_value("Subject")
    coordinator.selectbox(key="upload_map_Lessons_lesson").set_value("What we learned")
    coordinator.selectbox(key="upload_default_Lessons_kind").set_value("insight").run()
    assert not coordinator.exception
    assert {m.label: m.value for m in coordinator.metric}["New rows"] == "1"
    coordinator.button(key="upload_commit").click().run()
    assert lessons_of_tampere(demo_db_path) == 23


MODELS = "slug,name\nopen-data,Open data first\n"
ELEMENTS = "model,number,title,kind\nopen-data,1,Ask first,step\nopen-data,2,Publish the results,step\n"


def test_an_administrator_previews_commits_and_undoes_model_sheets(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.text_input(key="auth_username").set_value("admin")
    at.text_input(key="auth_password").set_value("demo-admin-pass")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    at.get("file_uploader")[0].set_value(
        [("models.csv", MODELS.encode(), "text/csv"), ("model_elements.csv", ELEMENTS.encode(), "text/csv")]
    )
    at.run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric} == {"New rows": "3", "Changed rows": "0", "Removed rows": "0"}
    assert [e.label for e in at.expander if "row by row" in e.label and ":" in e.label] == [
        "Models: 1 change row by row",
        "Model elements: 2 changes row by row",
    ]
    elements = at.dataframe[-2].value  # the row-by-row tables come before the upload history
    assert list(elements.columns[:2]) == ["model", "what"] and list(elements["details"]) == [
        "Ask first",
        "Publish the results",
    ]
    at.button(key="upload_commit").click().run()
    assert not at.exception
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT count(*) FROM model_elements e JOIN governance_models g ON g.id = e.model_id "
                          "WHERE g.slug = 'open-data'").fetchone()[0] == 2  # fmt: skip
        upload_id = db.execute("SELECT max(id) FROM uploads").fetchone()[0]
    at.selectbox(key="upload_undo_pick").set_value(upload_id)
    at.button(key="upload_undo").click().run()
    assert not at.exception
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT count(*) FROM governance_models WHERE slug = 'open-data'").fetchone()[0] == 0


def test_an_editor_uploads_model_sheets_and_sees_their_upload_to_undo(demo_db_path, app_on):
    from lessons.accounts import add_user
    from lessons.permissions import cli_actor
    from lessons.store import open_store

    with open_store(demo_db_path) as db:
        add_user(db, cli_actor(), "eddie", "a long enough secret", role="editor")
    at = app_on(demo_db_path).run()
    at.text_input(key="auth_username").set_value("eddie")
    at.text_input(key="auth_password").set_value("a long enough secret")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception and not at.info  # not turned away: an editor uploads the model sheets
    at.get("file_uploader")[0].set_value([("models.csv", MODELS.encode(), "text/csv")])
    at.run()
    at.button(key="upload_commit").click().run()
    assert not at.exception
    with connect(demo_db_path, readonly=True) as db:
        upload_id = db.execute("SELECT max(id) FROM uploads").fetchone()[0]
    assert at.selectbox(key="upload_undo_pick").options == [str(upload_id)]  # only theirs, not the pilots' uploads

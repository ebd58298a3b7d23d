"""AppTest for sign-in and the Manage pages: who sees which write widgets, and refusals as clear messages."""

from __future__ import annotations

import pytest

from lessons.store import connect

PASSWORDS = {
    "admin": "demo-admin-pass",
    "coordinator": "demo-coordinator-pass",
    "coordinator.south": "demo-coordinator-pass",
    "facilitator": "demo-facilitator-pass",
    "viewer": "demo-viewer-pass",
}
SUBMIT = "FormSubmitter:auth_form-Sign in"


@pytest.fixture
def app(demo_db_path, app_on):
    return app_on(demo_db_path).run()


def sign_in(at, username, password=None):
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(password or PASSWORDS[username])
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    return at


def page_widget_keys(at, prefix):
    keys = [
        w.key for kind in ("text_input", "text_area", "selectbox", "multiselect", "button") for w in getattr(at, kind)
    ]
    return [k for k in keys if k and k.startswith(prefix)]


@pytest.mark.parametrize("page", ["pages/upload.py", "pages/pilot_data.py", "pages/users_audit.py"])
def test_manage_pages_without_sign_in_show_the_form_and_no_write_widgets(app, page):
    app.switch_page(page).run()
    assert not app.exception
    assert [t.key for t in app.text_input] == ["auth_username", "auth_password"]
    assert app.info[0].value.startswith("Sign in (in the sidebar)")
    assert page_widget_keys(app, "pilotdata") == page_widget_keys(app, "users") == page_widget_keys(app, "upload") == []
    assert not app.get("file_uploader")
    assert not app.tabs


def test_a_coordinator_sees_only_their_own_pilots(app):
    sign_in(app, "coordinator")
    assert "Signed in as **Demo coordinator \\(Tampere\\)** · Pilot coordinator" in [
        c.value for c in app.sidebar.caption
    ]
    app.switch_page("pages/pilot_data.py").run()
    assert app.selectbox(key="pilotdata_pilot").options == ["Youth guidance one-stop shop (FI)"]
    sign_out(app)
    sign_in(app, "coordinator.south")
    app.switch_page("pages/pilot_data.py").run()
    assert app.selectbox(key="pilotdata_pilot").options == [
        "Digital inclusion of older residents (ES)",
        "Housing-first support network (PT)",
    ]


def sign_out(at):
    at.button(key="auth_signout").click().run()
    assert [t.key for t in at.text_input][:2] == ["auth_username", "auth_password"]


def test_an_admin_may_edit_every_pilot(app):
    sign_in(app, "admin")
    app.switch_page("pages/pilot_data.py").run()
    assert len(app.selectbox(key="pilotdata_pilot").options) == 12


@pytest.mark.parametrize("who", ["viewer", "facilitator"])
def test_viewers_and_facilitators_may_change_no_pilot(app, who):
    sign_in(app, who)
    app.switch_page("pages/pilot_data.py").run()
    assert not app.exception
    assert "may not change any pilot" in app.info[0].value
    assert page_widget_keys(app, "pilotdata") == []
    app.switch_page("pages/users_audit.py").run()
    assert app.info[0].value == "Only administrators manage accounts and read the audit log."


def test_a_wrong_password_gets_one_plain_message(app):
    sign_in(app, "coordinator", "not-the-password")
    assert [e.value for e in app.error] == ["Wrong user name or password."]
    sign_in(app, "nobody-by-this-name", "not-the-password")
    assert [e.value for e in app.error] == ["Wrong user name or password."]


def test_a_coordinator_corrects_a_lesson_and_the_audit_log_records_it(app, demo_db_path):
    sign_in(app, "coordinator")
    app.switch_page("pages/pilot_data.py").run()
    assert app.selectbox(key="pilotdata_lesson").options[0].startswith("L01 · ")
    title = next(t for t in app.text_input if t.label == "Title")
    title.set_value("A corrected title for the guidance lesson")
    app.button(key=next(b.key for b in app.button if b.label == "Save lesson")).click().run()
    assert not app.exception
    assert any(s.value.startswith("Saved: Title") for s in app.success)
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT actor, action, object_id FROM audit_log WHERE action = 'lesson.edit'").fetchall() == [
            ("coordinator", "lesson.edit", "tampere-youth-guidance:L01")
        ]


def test_an_admin_sees_accounts_and_the_audit_log_and_adds_an_account(app, demo_db_path):
    sign_in(app, "admin")
    app.switch_page("pages/users_audit.py").run()
    assert not app.exception
    accounts = app.dataframe[0].value
    assert list(accounts["User name"]) == ["admin", "coordinator", "coordinator.south", "facilitator", "viewer"]
    assert not {"password_hash", "Password hash"} & set(accounts.columns)
    audit = app.dataframe[1].value
    assert {"demo.load", "signin.ok"} <= set(audit["What"])
    assert app.get("download_button")

    form = [t for t in app.text_input if t.label == "User name" and t.key != "auth_username"][0]
    form.set_value("new.coordinator")
    app.selectbox(key=next(s.key for s in app.selectbox if s.label == "Role")).set_value("coordinator")
    pilots = next(m for m in app.multiselect if m.label == "Pilots this coordinator may change")
    pilots.set_value(["porto-homelessness-services"])
    next(t for t in app.text_input if t.label == "Password").set_value("a-long-enough-password")
    app.button(key=next(b.key for b in app.button if b.label == "Create account")).click().run()
    assert not app.exception
    assert "Account created." in [s.value for s in app.success]
    with connect(demo_db_path, readonly=True) as db:
        row = db.execute("SELECT role, password_hash FROM users WHERE username = 'new.coordinator'").fetchone()
    assert row[0] == "coordinator" and row[1].startswith("$argon2id$")


def test_a_refused_account_change_is_a_message_not_a_traceback(app):
    sign_in(app, "admin")
    app.switch_page("pages/users_audit.py").run()
    form = [t for t in app.text_input if t.label == "User name" and t.key != "auth_username"][0]
    form.set_value("x")
    next(t for t in app.text_input if t.label == "Password").set_value("short")
    app.button(key=next(b.key for b in app.button if b.label == "Create account")).click().run()
    assert not app.exception
    assert app.error and "user name" in app.error[0].value.lower()


def test_the_private_setting_hides_every_page_until_sign_in(demo_db_path, monkeypatch, app_on):
    monkeypatch.setenv("LESSONS_REQUIRE_SIGN_IN", "1")
    at = app_on(demo_db_path).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Cross-Pilot Lessons"]
    assert not at.metric
    assert "private" in at.info[0].value
    sign_in(at, "viewer")
    assert [t.value for t in at.title] == ["Overview"]
    assert at.metric


def test_a_coordinator_names_the_stakeholders_a_lesson_concerns(app, demo_db_path):
    sign_in(app, "coordinator")
    app.switch_page("pages/pilot_data.py").run()
    chooser = next(m for m in app.multiselect if m.label == "Stakeholders this lesson concerns")
    chooser.set_value(["S01", "S03"])
    app.button(key=next(b.key for b in app.button if b.label == "Save lesson")).click().run()
    assert not app.exception
    assert any("Stakeholders this lesson concerns" in s.value for s in app.success)
    with connect(demo_db_path, readonly=True) as db:
        linked = db.execute(
            """SELECT s.key FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id
               JOIN lessons l ON l.id = ls.lesson_id JOIN pilots p ON p.id = l.pilot_id
               WHERE p.slug = 'tampere-youth-guidance' AND l.key = 'L01' ORDER BY s.key"""
        ).fetchall()
        assert linked == [("S01",), ("S03",)]
        detail = db.execute("SELECT detail FROM audit_log WHERE action = 'lesson.edit'").fetchone()[0]
        assert '"S01"' in detail and '"S03"' in detail

"""AppTest for the participant's page: join with a code, vote one statement at a time, change a vote, come back
as the same participant, and see the workshop alone (no staff menu, no sign-in form, no internal keys)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store

CLI = cli_actor()


def open_workshop(
    path, *, texts=("Residents should co-design services.", "Budgets should follow pilots."), allow=False
):
    with open_store(path) as db:
        code = workshops.create_workshop(db, CLI, "Test workshop", allow_submissions=allow)
        workshops.add_statements(db, CLI, code, texts=list(texts))
        workshops.open_workshop(db, CLI, code)
    return code


def vote_page(app_on, path, code: str | None = None, **params) -> AppTest:
    at = app_on(path, ({"code": code} if code else {}) | params)
    at.context = {"url": "http://localhost:8501/vote"}  # what the browser sends on /vote
    at.run()
    at.switch_page("pages/vote.py").run()
    assert not at.exception
    return at


def join(at: AppTest, group: str = "citizens") -> None:
    at.selectbox[0].set_value(group)
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception


def test_join_from_a_link_vote_and_change_a_vote(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    assert at.text_input(key="vote_code").value == code
    assert any(m.value == "**Test workshop**" for m in at.markdown)
    join(at)
    token = at.session_state["vote_token"]
    assert at.get("progress")[0].proto.text.startswith("0 of 2")
    first = next(b for b in at.button if b.key and b.key.startswith("vote_agree_"))
    first.click().run()
    assert at.get("progress")[0].proto.text.startswith("1 of 2")
    next(b for b in at.button if b.key and b.key.startswith("vote_disagree_")).click().run()
    assert any("answered every statement" in s.value for s in at.success)
    with open_store(demo_db_path) as db:
        assert sorted(v["value"] for v in workshops.my_votes(db, token).values()) == [-1, 1]
        assert db.execute("SELECT stakeholder_group FROM participants WHERE token = ?", [token]).fetchone() == (
            "citizens",
        )
    changed = first.key.rsplit("_", 1)[1]
    assert not [w for w in at.segmented_control if w.key.startswith("vote_change_")]  # folded until asked for
    at.toggle(key="vote_show_mine").set_value(True).run()
    labels = [c.label for c in at.segmented_control if c.key.startswith("vote_change_")]
    assert len(labels) > 1 and len(set(labels)) == len(labels), labels  # each its own accessible name (#19)
    at.segmented_control(key=f"vote_change_{changed}").set_value("pass").run()
    with open_store(demo_db_path) as db:
        assert workshops.my_votes(db, token)[changed]["value"] == 0


def test_a_closed_workshop_or_a_wrong_code_says_so(demo_db_path, app_on):
    at = vote_page(app_on, demo_db_path, "ZZZZZZ")
    assert any("No workshop has this code" in w.value for w in at.warning)
    with open_store(demo_db_path) as db:
        closed = db.execute("SELECT code FROM workshops WHERE status = 'closed' LIMIT 1").fetchone()[0]
    at = vote_page(app_on, demo_db_path, closed)
    assert any("not taking votes now" in i.value for i in at.info)
    join(at)
    assert "vote_token" not in at.session_state
    assert any("not taking participants" in e.value for e in at.error)


def test_joining_with_a_pilot_and_country(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    at.selectbox[0].set_value("research")
    at.selectbox[1].set_value("porto-homelessness-services")
    next(t for t in at.text_input if t.label.startswith("Your country")).set_value("pt")
    next(b for b in at.button if b.label == "Join").click().run()
    token = at.session_state["vote_token"]
    with open_store(demo_db_path) as db:
        assert db.execute(
            "SELECT p.stakeholder_group, pi.slug, p.country FROM participants p JOIN pilots pi ON pi.id = p.pilot_id "
            "WHERE p.token = ?",
            [token],
        ).fetchone() == ("research", "porto-homelessness-services", "PT")


def test_joining_needs_a_group(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    next(b for b in at.button if b.label == "Join").click().run()
    assert any("Choose your stakeholder group" in e.value for e in at.error)
    assert "vote_token" not in at.session_state


def test_a_participant_suggests_a_statement(demo_db_path, app_on):
    code = open_workshop(demo_db_path, allow=True)
    at = vote_page(app_on, demo_db_path, code)
    join(at, "public")
    at.text_area[0].set_value("Pilots should publish their budgets to residents.")
    next(b for b in at.button if b.label == "Send to the facilitator").click().run()
    assert not at.exception
    with open_store(demo_db_path) as db:
        pending = workshops.statements(db, code, include_pending=True)
    assert [s["text"] for s in pending if s.get("moderation") == "pending"] == [
        "Pilots should publish their budgets to residents."
    ]


def test_private_consortium_still_lets_participants_vote(demo_db_path, monkeypatch, app_on):
    monkeypatch.setenv("LESSONS_REQUIRE_SIGN_IN", "1")
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    assert at.title[0].value == "Vote in a workshop"


def test_a_second_round_shows_the_previous_rounds_answer(demo_db_path, app_on):
    code = open_workshop(demo_db_path, texts=("Residents should co-design services.",))
    with open_store(demo_db_path) as db:
        for value in ("agree", "agree", "agree", "disagree"):
            workshops.cast_vote(db, workshops.join(db, code, stakeholder_group="public"), "S01", value)
        workshops.start_round(db, CLI, code)
    at = vote_page(app_on, demo_db_path, code)
    join(at)
    assert any("Last round, 4 people answered: 75% agree, 25% disagree, 0% passed." in i.value for i in at.info)


def rendered(at: AppTest) -> str:
    """Everything the page sends to the browser, as text (every element's message, widget options included)."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def consortium_words(path) -> set[str]:
    """Pilot names and slugs, their countries' names and the workshops' titles: what a stranger must not see."""
    import pycountry

    with open_store(path) as db:
        pilots = db.execute("SELECT slug, name, country FROM pilots").fetchall()
        titles = {r[0] for r in db.execute("SELECT title FROM workshops")}
    countries = {pycountry.countries.get(alpha_2=c).name for *_, c in pilots if c}
    return {slug for slug, _, _ in pilots} | {name for _, name, _ in pilots} | countries | titles


def test_in_a_private_consortium_a_stranger_without_a_code_sees_nothing_of_it(demo_db_path, monkeypatch, app_on):
    """#13: without a valid join code, no pilot, country or workshop title reaches the browser."""
    monkeypatch.setenv("LESSONS_REQUIRE_SIGN_IN", "1")
    code = open_workshop(demo_db_path)
    words = consortium_words(demo_db_path)
    assert len(words) > 10
    for at in (vote_page(app_on, demo_db_path), vote_page(app_on, demo_db_path, "ZZZZZZ")):
        page = rendered(at)
        assert [w for w in words if w in page] == []
        assert not [s for s in at.selectbox if s.key != "vote_lang"] and not any(b.label == "Join" for b in at.button)
    at = vote_page(app_on, demo_db_path, code)
    assert any(m.value == "**Test workshop**" for m in at.markdown)
    assert at.selectbox[0].label == "Your stakeholder group"
    join(at)
    assert at.session_state["vote_token"]


def participants(path) -> int:
    with open_store(path) as db:
        return db.execute("SELECT count(*) FROM participants").fetchone()[0]


def test_a_reload_with_the_link_is_the_same_participant_with_their_progress(demo_db_path, app_on):
    code = open_workshop(demo_db_path, texts=("First statement here.", "Second one here.", "Third one here."))
    at = vote_page(app_on, demo_db_path, code)
    join(at)
    token = at.session_state["vote_token"]
    assert at.query_params["code"] == code and at.query_params["me"] == token  # a reload keeps both
    next(b for b in at.button if b.key and b.key.startswith("vote_agree_")).click().run()
    before = participants(demo_db_path)
    again = vote_page(app_on, demo_db_path, code, me=token)  # a new browser session on the same link
    assert again.session_state["vote_token"] == token
    assert again.get("progress")[0].proto.text.startswith("1 of 3")
    assert not any(b.label == "Join" for b in again.button)
    assert participants(demo_db_path) == before


def test_a_token_of_another_workshop_or_none_at_all_joins_afresh(demo_db_path, app_on):
    code, other = open_workshop(demo_db_path), open_workshop(demo_db_path)
    with open_store(demo_db_path) as db:
        stranger = workshops.join(db, other, stakeholder_group="public")
    for me in (stranger, "nonsense", "x" * 40):
        at = vote_page(app_on, demo_db_path, code, me=me)
        assert "vote_token" not in at.session_state
        assert any(b.label == "Join" for b in at.button)
        assert "me" not in at.query_params


def test_leaving_forgets_the_participant_on_this_device(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    join(at)
    at.button(key="vote_leave").click().run()
    assert "vote_token" not in at.session_state and "me" not in at.query_params
    assert any(b.label == "Join" for b in at.button)


def shown_text(at: AppTest) -> list[str]:
    """What a participant reads: titles, text, alerts, progress, and the labels of buttons and other widgets."""
    texts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "success", "error")
             for e in getattr(at, kind)]  # fmt: skip
    texts += [w.label for kind in ("button", "segmented_control", "toggle") for w in getattr(at, kind)]
    return texts + [p.proto.text for p in at.get("progress")]


def test_the_card_shows_the_workshop_and_three_equal_answers_and_no_staff_pieces(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    with open_store(demo_db_path) as db:
        db.execute("UPDATE workshops SET purpose = ? WHERE code = ?", ["Check what the pilots learned.", code])
        db.conn.commit()
    at = vote_page(app_on, demo_db_path, code)
    assert not [t for t in at.text_input if t.label in ("User name", "Password")]  # no sign-in form
    join(at)
    assert at.title[0].value == "Test workshop"
    assert any(m.value == "Check what the pilots learned\\." for m in at.markdown)
    assert at.get("progress")[0].proto.text == "0 of 2 answered"
    assert at.get("progress")[0].proto.value > 0  # a sliver shows the bar before the first answer
    assert [s.value for s in at.subheader] in (
        ["Residents should co\\-design services\\."],
        ["Budgets should follow pilots\\."],
    )
    answers = [b for b in at.button if b.key and b.key.split("_")[1] in ("agree", "disagree", "pass")]
    assert [b.label for b in answers] == ["Agree", "Disagree", "Pass / unsure"]
    assert {b.proto.type for b in answers} == {"secondary"} and all(b.proto.icon for b in answers)
    assert not any(re.search(r"\bS\d\d\b", t) for t in shown_text(at)), shown_text(at)
    assert not [t for t in at.text_input if t.label in ("User name", "Password")]


def test_staff_pages_keep_their_sign_in_form(demo_db_path, app_on):
    at = app_on(demo_db_path)
    at.context = {"url": "http://localhost:8501/lessons"}
    at.run()
    assert [t.label for t in at.sidebar.text_input][:2] == ["User name", "Password"]


def test_user_text_never_reaches_the_focus_script(demo_db_path, app_on):
    """The announcement takes the statement from the rendered page; the script holds only our own words."""
    hostile = "Residents </script><img src=x onerror=alert(1)> should \u2028 decide & co."
    code = open_workshop(demo_db_path, texts=(hostile, "Budgets should follow pilots."))
    at = vote_page(app_on, demo_db_path, code)
    join(at)
    for _ in range(2):
        scripts = [node.proto.body for node in at.get("html") if not node.proto.body.startswith("<style>")]
        assert scripts and all(s.startswith("<script>") and s.count("</script>") == 1 for s in scripts)
        assert not [s for s in scripts if "Residents" in s or "Budgets" in s or "onerror" in s]
        next(b for b in at.button if b.key and b.key.startswith("vote_agree_")).click().run()


def test_a_participant_back_after_the_workshop_closed_sees_their_progress_and_no_buttons(demo_db_path, app_on):
    code = open_workshop(demo_db_path)
    at = vote_page(app_on, demo_db_path, code)
    join(at)
    token = at.session_state["vote_token"]
    next(b for b in at.button if b.key and b.key.startswith("vote_agree_")).click().run()
    with open_store(demo_db_path) as db:
        workshops.close_workshop(db, CLI, code)
    again = vote_page(app_on, demo_db_path, code, me=token)
    assert again.get("progress")[0].proto.text.startswith("1 of 2")
    assert any("not taking votes now" in i.value for i in again.info)
    assert not [b for b in again.button if b.key and b.key.startswith("vote_agree_")]
    links = again.get("page_link")
    assert [(link.proto.label, link.proto.page) for link in links][-1][
        0
    ] == "What became of the statements and your ideas"
    assert f"token={token}" in links[-1].proto.query_string and f"code={code}" in links[-1].proto.query_string

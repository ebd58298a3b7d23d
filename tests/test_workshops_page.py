"""AppTest for Run a workshop: a facilitator prepares, opens, watches results, runs a round, closes and applies.

Every step that changes what participants or lessons see waits for a confirmation that names its consequence.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import segno
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.workshop_views import qr_png
from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops.polis import export_polis_zip
from tests.realdata import REALDATA, needs_realdata


def signed_in(app_on, path, username="facilitator", password="demo-facilitator-pass") -> AppTest:
    at = app_on(path, timeout=60)
    at.run()
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page("pages/workshops.py").run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def confirm(at: AppTest, label: str, yes: str, consequence: str | None = None) -> None:
    """Click an action, check that nothing happened yet and the box names the consequence, then confirm."""
    click(at, label)
    box = at.get_by_key("workshops_confirm_box") if hasattr(at, "get_by_key") else None
    shown = " ".join(t.value for t in at.text)
    if consequence:
        assert consequence in shown, shown
    assert box is not None
    click(at, yes)


def status(code: str, path) -> str:
    with open_store(path) as db:
        return workshops.workshop_by_code(db, code)["status"]


def show(at: AppTest, tab: str) -> None:
    at.session_state["workshops_view"] = tab
    at.run()
    assert not at.exception, at.exception


def test_a_facilitator_runs_a_workshop_end_to_end(demo_db_path, app_on):
    at = signed_in(app_on, demo_db_path)
    next(t for t in at.text_input if t.label == "Title").set_value("Spring validation")
    click(at, "Create workshop")
    code = at.session_state["workshops_code"]
    with open_store(demo_db_path) as db:
        lesson_id = db.execute("SELECT id FROM lessons WHERE status = 'submitted' LIMIT 1").fetchone()[0]
    next(m for m in at.multiselect if m.label == "From lessons").set_value([lesson_id])
    next(t for t in at.text_area if t.label == "Your own statements, one per line").set_value(
        "Every pilot should publish what it learned.\nBudgets should follow what residents ask for."
    )
    click(at, "Add statements")
    assert any("Added 3 statements" in s.value for s in at.success)
    click(at, "Open for voting")
    assert status(code, demo_db_path) == "draft"  # nothing happens without confirming
    assert "can join and vote on its 3 statements" in " ".join(t.value for t in at.text)
    click(at, "Yes, open for voting")
    assert status(code, demo_db_path) == "open"
    assert any(m.value.startswith("**Open for voting** · round 1") for m in at.markdown)  # the status is current
    with open_store(demo_db_path) as db:
        tokens = [workshops.join(db, code, stakeholder_group="citizens") for _ in range(6)]
        for token in tokens:
            for key in ("S01", "S02", "S03"):
                workshops.cast_vote(db, token, key, "agree")
    show(at, "Live results")
    assert {m.label: m.value for m in at.metric}["Votes"] == "18"
    confirm(at, "Start another round", "Yes, start the round", "Round 2 starts")
    with open_store(demo_db_path) as db:
        assert workshops.workshop_by_code(db, code)["current_round"] == 2
        for token in tokens:
            workshops.cast_vote(db, token, "S01", "agree")
    at.run()
    confirm(at, "Close voting", "Yes, close voting", "6 participants have cast 24 votes")
    assert status(code, demo_db_path) == "closed"
    assert any(m.value.startswith("**Closed** · round 2") for m in at.markdown)
    click(at, "Apply results to lessons")
    shown = " ".join(t.value for t in at.text)
    assert "Apply the results: 1 lesson becomes validated, 0 contested" in shown
    assert "recorded as evidence" in shown
    with open_store(demo_db_path) as db:  # nothing applied yet
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [lesson_id]).fetchone() == ("submitted",)
    click(at, "Yes, apply the results")
    assert any("1 of 1 lessons changed status" in s.value for s in at.success)
    with open_store(demo_db_path) as db:
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [lesson_id]).fetchone() == ("validated",)


def test_a_viewer_cannot_run_workshops(demo_db_path, app_on):
    at = signed_in(app_on, demo_db_path, "viewer", "demo-viewer-pass")
    assert any("prepared and run by facilitators" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("Create workshop", "Import from Pol.is")]


def test_applying_a_workshop_without_lesson_statements_says_so(demo_db_path, app_on):
    # found by tests/e2e/test_models_journey.py: a workshop on governance-model elements only returned no lesson
    # results, and the click on "Apply results to lessons" showed nothing at all
    with open_store(demo_db_path) as db:
        code = workshops.create_workshop(db, cli_actor(), "Elements only")
        workshops.add_statements(db, cli_actor(), code, texts=["A free statement."])
        workshops.open_workshop(db, cli_actor(), code)
        workshops.close_workshop(db, cli_actor(), code)
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    click(at, "Apply results to lessons")
    click(at, "Yes, apply the results")
    assert not at.error
    assert any("No statement of this workshop was drawn from a lesson" in i.value for i in at.info)


def draft_workshop(path, texts=("The first statement here.", "The second statement here.")) -> str:
    with open_store(path) as db:
        code = workshops.create_workshop(db, cli_actor(), "Draft to prepare")
        workshops.add_statements(db, cli_actor(), code, texts=list(texts))
    return code


def keys_in_order(path, code) -> list[str]:
    with open_store(path) as db:
        return [s["key"] for s in workshops.statements(db, code)]


def test_cancel_leaves_the_workshop_as_it_was(demo_db_path, app_on):
    code = draft_workshop(demo_db_path)
    with open_store(demo_db_path) as db:
        workshops.open_workshop(db, cli_actor(), code)
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    click(at, "Close voting")
    click(at, "Cancel")
    assert status(code, demo_db_path) == "open"
    assert not [b for b in at.button if b.label == "Yes, close voting"]
    click(at, "Start another round")
    click(at, "Cancel")
    with open_store(demo_db_path) as db:
        assert workshops.workshop_by_code(db, code)["current_round"] == 1


def test_a_draft_s_statements_are_reordered_edited_and_removed_on_the_page(demo_db_path, app_on):
    code = draft_workshop(demo_db_path, ("The first statement here.", "The second statement here.", "A third one."))
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    at.button(key="workshops_up_S02").click().run()
    assert keys_in_order(demo_db_path, code) == ["S02", "S01", "S03"]
    assert at.button(key="workshops_up_S02").disabled  # now first
    at.button(key="workshops_down_S02").click().run()
    assert keys_in_order(demo_db_path, code) == ["S01", "S02", "S03"]
    at.button(key="workshops_edit_S03").click().run()
    next(t for t in at.text_area if t.label == "Text of S03").set_value("A third statement, clearer now.")
    next(b for b in at.button if b.label == "Save").click().run()
    with open_store(demo_db_path) as db:
        assert workshops.statements(db, code)[2]["text"] == "A third statement, clearer now."
    at.button(key="workshops_remove_S01").click().run()
    assert keys_in_order(demo_db_path, code) == ["S01", "S02", "S03"]  # not before confirming
    click(at, "Yes, remove S01")
    assert keys_in_order(demo_db_path, code) == ["S02", "S03"]
    confirm(at, "Open for voting", "Yes, open for voting")
    assert not [b for b in at.button if b.label in ("Up", "Down", "Edit", "Remove")]
    assert any("can no longer be edited" in c.value for c in at.caption)


def test_the_projector_shows_the_code_the_link_and_a_qr_code(demo_db_path, app_on):
    code = draft_workshop(demo_db_path)
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    show(at, "Projector")
    assert any(f"Code: **{code}**" in m.value for m in at.markdown)
    assert any(c.value.endswith(f"/vote?code={code}") for c in at.code)
    (image,) = at.image
    assert image.captions == ["Scan to join"]
    assert image.value[0].endswith(".png")  # lossless: a JPEG would blur the modules
    assert image.proto.imgs[0].alt.endswith(f"/vote?code={code}")
    assert not at.metric  # nothing refreshes by itself beside the facilitator's buttons
    at.query_params["view"] = "projector"  # the projector on its own, for the screen in the room
    at.run()
    assert not at.exception, at.exception
    assert len(at.image) == 1 and any(f"Code: **{code}**" in m.value for m in at.markdown)
    assert not at.title and not at.main.button and not at.main.selectbox  # nothing but the projector
    assert {m.label for m in at.metric} == {"Joined", "Votes"}


def test_the_qr_code_is_a_lossless_picture_of_the_join_link():
    link = "http://localhost:8501/vote?code=ABC234"
    png = qr_png(link)
    assert png.startswith(b"\x89PNG")
    assert png == qr_png(link) != qr_png(link.replace("ABC234", "ABC235"))
    picture = Image.open(io.BytesIO(png)).convert("L")
    modules = segno.make(link, error="m").matrix  # what the link encodes, module by module
    scale = picture.width // (len(modules) + 8)  # a 4-module quiet zone each side
    assert picture.width == picture.height == scale * (len(modules) + 8) and scale >= 10
    seen = [[picture.getpixel(((4 + x) * scale + scale // 2, (4 + y) * scale + scale // 2)) < 128
             for x in range(len(modules))] for y in range(len(modules))]  # fmt: skip
    assert seen == [[bool(m) for m in row] for row in modules]


def import_on_page(at: AppTest, files: list[tuple[str, bytes, str]], title: str) -> None:
    at.file_uploader(key="workshops_polis_files").set_value(files)
    at.text_input(key="workshops_polis_title").set_value(title)
    next(b for b in at.button if b.label == "Import from Pol.is").click().run()
    assert not at.exception, at.exception


@needs_realdata
def test_a_real_polis_export_is_imported_through_the_page_and_exported_again(demo_db_path, app_on):
    folder = REALDATA / "polis" / "15-per-hour-seattle"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"):
            archive.write(folder / name, f"15-per-hour-seattle/{name}")
    at = signed_in(app_on, demo_db_path)
    import_on_page(at, [("15-per-hour-seattle.zip", buffer.getvalue(), "application/zip")], "Seattle minimum wage")
    code = at.session_state["workshops_code"]
    with open_store(demo_db_path) as db:
        found = workshops.workshop_by_code(db, code)
        votes = db.execute(
            "SELECT count(*) FROM votes v JOIN statements s ON s.id = v.statement_id WHERE s.workshop_id = ?",
            [found["id"]],
        ).fetchone()[0]
    assert (found["title"], found["status"]) == ("Seattle minimum wage", "closed")
    assert votes > 1000
    show(at, "Pol.is export")
    (download,) = at.download_button
    assert download.label == "Download as a Pol.is export (ZIP)"
    with open_store(demo_db_path) as db:
        exported = zipfile.ZipFile(io.BytesIO(export_polis_zip(db, code)))
    assert "votes.csv" in exported.namelist()
    assert len(exported.read("votes.csv").decode().splitlines()) - 1 <= votes


@needs_realdata
def test_the_export_s_separate_files_import_too(demo_db_path, app_on):
    folder = REALDATA / "polis" / "15-per-hour-seattle"
    at = signed_in(app_on, demo_db_path)
    files = [(n, (folder / n).read_bytes(), "text/csv") for n in ("comments.csv", "votes.csv")]
    import_on_page(at, files, "Seattle, files")
    assert any("Seattle, files" in o for o in at.selectbox(key="workshops_code").options)


def test_a_broken_upload_is_refused_with_its_problems_and_nothing_is_written(demo_db_path, app_on):
    at = signed_in(app_on, demo_db_path)
    with open_store(demo_db_path) as db:
        before = len(workshops.workshop_list(db))
    import_on_page(at, [("votes.csv", b"comment-id,voter-id,vote\n1,2,7\n", "text/csv")], "Broken")
    assert any("Nothing was written" in e.value for e in at.error)
    assert any(
        "row 2, column vote" in m.value and "7 is not allowed" in m.value for m in at.markdown
    )  # each problem, with its place
    import_on_page(at, [("export.zip", b"not a zip", "application/zip")], "Broken")
    assert any("not a readable ZIP" in m.value for m in at.markdown)
    with open_store(demo_db_path) as db:
        assert len(workshops.workshop_list(db)) == before


def test_a_workshop_of_fewer_than_five_is_not_exported(demo_db_path, app_on):
    code = draft_workshop(demo_db_path)
    with open_store(demo_db_path) as db:
        workshops.open_workshop(db, cli_actor(), code)
        token = workshops.join(db, code, stakeholder_group="citizens")
        workshops.cast_vote(db, token, "S01", "agree")
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    show(at, "Pol.is export")
    assert not at.download_button
    assert any("fewer than 5" in i.value for i in at.info)


def test_the_facilitator_chooses_the_analysis_method(demo_db_path, app_on):
    """Live results offer ours (default) and Pol.is-compatible, and say why participants are not placed."""
    folder = Path(__file__).parent / "fixtures" / "polis" / "london.youth.policing"
    files = [(n, (folder / n).read_bytes(), "text/csv") for n in ("comments.csv", "votes.csv")]
    at = signed_in(app_on, demo_db_path)
    import_on_page(at, files, "London youth policing")
    show(at, "Live results")
    radio = at.radio(key="workshops_method")
    assert radio.value == "default" and radio.options == ["ours (default)", "Pol.is-compatible"]
    captions = " ".join(c.value for c in at.caption)
    assert "26 participants voted. 24 are placed in an opinion group; 2 voted on fewer than 7" in captions
    radio.set_value("polis").run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "26 participants voted. 25 are placed in an opinion group" in captions
    assert "as Pol.is counts" in captions and "Pol.is's consensus" in captions

"""Visibility of pilots and lessons on every read path (#20): each reader sees only what they may see.

A store with three pilots (public, consortium, private) and, in each, lessons of each visibility plus a public draft.
Every lesson's title and text carry a marker word naming its pilot and visibility; every read function, export,
brief and the bundle is run for each kind of reader on a connection scoped to them (as ``lessons.access.reading``
scopes the app's), and what it returns must hold the markers of exactly the lessons that reader may see — so a read
path that forgot the rule fails here, and so does one that hides too much.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from lessons import bundle, exports, network, pilot_reads, queries, report, synthesis, translations
from lessons.access import reading
from lessons.editing import EditError, update_lesson, update_pilot
from lessons.lifecycle import change_status
from lessons.permissions import Actor
from lessons.report.render import render
from lessons.store import open_memory_store, open_store
from lessons.visibility import EVERYONE, PUBLIC, Audience, audience_of, scope

PILOTS = {"pub": "public", "cons": "consortium", "priv": "private"}
LESSONS = {"pub": "public", "cons": "consortium", "priv": "private", "draft": "public"}


def marker(pilot: str, lesson: str) -> str:
    return f"zq{pilot}x{lesson}zq"


def build(db) -> dict[str, int]:
    """Three pilots, four lessons each (one per visibility and a public draft), with themes, a stakeholder and a tie."""
    ids = {}
    theme = db.execute("SELECT id FROM themes ORDER BY id LIMIT 1").fetchone()[0]
    for slug, level in PILOTS.items():
        pilot = db.execute(
            "INSERT INTO pilots (slug, name, country, visibility, summary) VALUES (?, ?, 'FI', ?, ?)",
            [slug, f"Pilot {marker(slug, 'pilot')}", level, f"About {marker(slug, 'pilot')}"],
        ).lastrowid
        ids[slug] = pilot
        a = db.execute(
            "INSERT INTO stakeholders (pilot_id, key, name, sector) VALUES (?, 'S1', ?, 'public')",
            [pilot, f"Actor {marker(slug, 'actor')}"],
        ).lastrowid
        b = db.execute(
            "INSERT INTO stakeholders (pilot_id, key, name, sector) VALUES (?, 'S2', 'Other', 'research')", [pilot]
        ).lastrowid
        db.execute("INSERT INTO ties (pilot_id, source_id, target_id, relation) VALUES (?, ?, ?, 'collaboration')",
                   [pilot, a, b])  # fmt: skip
        for key, level_of_lesson in LESSONS.items():
            word = marker(slug, key)
            lesson = db.execute(
                """INSERT INTO lessons (pilot_id, key, title, lesson, kind, status, visibility)
                   VALUES (?, ?, ?, ?, 'enabler', ?, ?)""",
                [pilot, key, f"Trust {word}", f"Local champions built trust {word}",
                 "draft" if key == "draft" else "validated", level_of_lesson],
            ).lastrowid  # fmt: skip
            db.execute("INSERT INTO lesson_themes (lesson_id, theme_id) VALUES (?, ?)", [lesson, theme])
            db.execute("INSERT INTO lesson_stakeholders (lesson_id, stakeholder_id) VALUES (?, ?)", [lesson, a])
            db.execute(  # a translation carries the marker too: it is seen only with its lesson (#21)
                "INSERT INTO lesson_translations (lesson_id, language, title, lesson) VALUES (?, 'it', ?, ?)",
                [lesson, f"Fiducia {word}", f"I campioni locali {word}"],
            )
    db.conn.commit()
    return ids


def expected(audience: Audience) -> set[str]:
    """The markers of the lessons ``audience`` may see."""
    seen = set()
    for slug, pilot_level in PILOTS.items():
        own = audience.everything or ids_of(slug) in audience.pilot_ids
        if not (own or pilot_level in audience.levels):
            continue
        for key, level in LESSONS.items():
            effective = "consortium" if key == "draft" and level == "public" else level
            if own or effective in audience.levels:
                seen.add(marker(slug, key))
    return seen


def ids_of(slug: str) -> int:
    return list(PILOTS).index(slug) + 1


READERS = {
    "visitor": None,
    "viewer": Actor("vic", "viewer"),
    "facilitator": Actor("fay", "facilitator"),
    "coordinator of the private pilot": Actor("cai", "coordinator", frozenset({ids_of("priv")})),
    "coordinator of the public pilot": Actor("cat", "coordinator", frozenset({ids_of("pub")})),
    "administrator": Actor("ana", "admin"),
}
ALL_LESSON_MARKERS = {marker(p, k) for p in PILOTS for k in LESSONS}


@pytest.fixture(scope="module")
def store():
    db = open_memory_store()
    build(db)
    yield db
    db.close()


def _text(result) -> str:
    """Everything a result holds, as text (frames in full, bytes decoded, reports by their repr)."""
    import pandas as pd  # noqa: PLC0415 - test helper

    if isinstance(result, bytes):
        return result.decode("utf-8", "replace")
    if isinstance(result, pd.DataFrame):
        return result.to_csv()
    if isinstance(result, dict):
        return " ".join(_text(v) for v in result.values()) + repr(list(result))
    if isinstance(result, (list, tuple, set)):
        return " ".join(_text(v) for v in result)
    return repr(result)


def _sheet_text(data: bytes) -> str:
    """Every cell of a workbook's first sheet, as text."""
    from openpyxl import load_workbook  # noqa: PLC0415 - test helper

    sheet = load_workbook(io.BytesIO(data)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def _lesson_ids(db) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM main.lessons ORDER BY id")]


#: Every read a page, an export or a brief makes: (name, call on a scoped connection). Calls that take a lesson or a
#: pilot are made for every one of them, so a read by id is checked as well as a list.
READS = {
    "lessons.queries.search_lessons": lambda db: queries.search_lessons(db),
    "lessons.queries.search_lessons (a search)": lambda db: queries.search_lessons(db, query="champions"),
    "lessons.queries.lesson_page": lambda db: queries.lesson_page(db, size=100).rows,
    "lessons.queries.lesson_page (a search)": lambda db: queries.lesson_page(db, query="trust", size=100).rows,
    "lessons.queries.lessons_for_export": lambda db: queries.lessons_for_export(db),
    "lessons.queries.lesson_detail (each lesson)": lambda db: [queries.lesson_detail(db, i) for i in _lesson_ids(db)],
    "lessons.queries.pilot_lessons (each pilot)": lambda db: [queries.pilot_lessons(db, i) for i in (1, 2, 3)],
    "lessons.queries.pilot_record (each pilot)": lambda db: [queries.pilot_record(db, i) for i in (1, 2, 3)],
    "lessons.queries.pilot_summaries": lambda db: queries.pilot_summaries(db),
    "lessons.queries.facets": lambda db: queries.facets(db),
    "lessons.translations.untranslated": lambda db: translations.untranslated(db, "de"),
    "lessons.translations.shown_rows": lambda db: translations.shown_rows(
        db, queries.search_lessons(db).to_dict("records"), "it"
    ),
    "lessons.translations.export_sheet": lambda db: _sheet_text(translations.export_sheet(db, "de")),
    "lessons.synthesis.lesson_facts": lambda db: synthesis.lesson_facts(db),
    "lessons.synthesis.lesson_texts": lambda db: synthesis.lesson_texts(db),
    "lessons.synthesis.theme_lessons": lambda db: synthesis.theme_lessons(
        db, db.execute("SELECT code FROM themes ORDER BY id LIMIT 1").fetchone()[0], kinds=("enabler",)
    ),
    "lessons.synthesis.cell_lessons (each pilot)": lambda db: [
        synthesis.cell_lessons(db, slug, db.execute("SELECT code FROM themes ORDER BY id LIMIT 1").fetchone()[0])
        for slug in PILOTS
    ],
    "lessons.network.actor_lessons (each actor)": lambda db: [
        network.actor_lessons(db, i) for (i,) in db.execute("SELECT id FROM main.stakeholders").fetchall()
    ],
    "lessons.exports.lessons_sheet": lambda db: exports.to_csv(exports.lessons_sheet(queries.lessons_for_export(db))),
    "lessons.report.pilot_brief (each pilot it sees)": lambda db: [
        render(report.pilot_brief(db, slug), ("html",)) for slug in queries.pilot_summaries(db)["slug"]
    ],
    "lessons.report.roadmap": lambda db: render(report.roadmap(db), ("html",)),
}


#: Reads that list every lesson they are about: they must show all the reader may see, not only nothing more.
COMPLETE = {
    "lessons.queries.search_lessons",
    "lessons.queries.lesson_page",
    "lessons.queries.lessons_for_export",
    "lessons.translations.untranslated",
    "lessons.translations.shown_rows",
    "lessons.translations.export_sheet",
    "lessons.queries.lesson_detail (each lesson)",
    "lessons.queries.pilot_lessons (each pilot)",
    "lessons.synthesis.lesson_facts",
    "lessons.synthesis.lesson_texts",
    "lessons.synthesis.cell_lessons (each pilot)",
    "lessons.exports.lessons_sheet",
}


def visible_pilots(audience: Audience) -> set[str]:
    return {s for s in PILOTS if audience.everything or PILOTS[s] in audience.levels or ids_of(s) in audience.pilot_ids}


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("read", list(READS))
def test_every_read_path_shows_a_reader_exactly_what_they_may_see(store, reader, read):
    audience = audience_of(READERS[reader])
    with scope(store, audience):
        text = _text(READS[read](store))
    shown = {m for m in ALL_LESSON_MARKERS if m in text}
    may_see = expected(audience)
    assert not shown - may_see, f"{read} showed {reader} lessons they may not see: {sorted(shown - may_see)}"
    if read in COMPLETE:
        assert shown == may_see, f"{read} hid lessons {reader} may see"
    pilots = {slug for slug in PILOTS if marker(slug, "pilot") in text}
    assert pilots <= visible_pilots(audience), f"{read} named pilots {reader} may not see"


@pytest.mark.parametrize("reader", list(READERS))
def test_pilots_and_their_networks_follow_the_pilots_visibility(store, reader):
    audience = audience_of(READERS[reader])
    with scope(store, audience):
        slugs = set(queries.pilot_summaries(store)["slug"])
        networks = set(pilot_reads.network_pilots(store)["slug"])
        actors = {slug: len(network.pilot_actors(store, slug)) for slug in slugs}
        for hidden in set(PILOTS) - slugs:  # asked by name, a pilot the reader may not see is not there
            with pytest.raises(ValueError, match="there is no pilot"):
                network.pilot_actors(store, hidden)
            with pytest.raises(ValueError):
                report.pilot_brief(store, hidden)
        counts = queries.overview_counts(store)
    may = visible_pilots(audience)
    assert slugs == may
    assert networks == may
    assert {s for s, n in actors.items() if n} == may
    assert counts["pilots"] == len(may)
    assert counts["lessons"] == len(expected(audience))


@pytest.mark.parametrize("reader", ["visitor", "viewer", "coordinator of the private pilot", "administrator"])
def test_counts_from_the_summary_table_match_what_the_reader_sees(store, reader):
    audience = audience_of(READERS[reader])
    with scope(store, audience):
        by_theme = int(queries.lessons_by_theme_and_kind(store)["lessons"].sum())
        matrix = int(synthesis.theme_matrix(store)["lessons"].sum())
    assert by_theme == matrix == len(expected(audience))


@pytest.mark.parametrize("reader", ["visitor", "viewer", "coordinator of the private pilot"])
def test_the_bundle_holds_only_what_the_reader_may_see(store, reader):
    audience = audience_of(READERS[reader])
    with scope(store, audience):
        copy = bundle.export_sqlite(store)
        package = bundle.data_package_zip(store)
    may, hidden = expected(audience), ALL_LESSON_MARKERS - expected(audience)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.db"
        path.write_bytes(copy)
        conn = sqlite3.connect(path)
        titles = " ".join(row[0] for row in conn.execute("SELECT title || ' ' || lesson FROM lessons"))
        pilots = {row[0] for row in conn.execute("SELECT slug FROM pilots")}
        words = {row[0] for row in conn.execute("SELECT term FROM lessons_words_vocab")}
        stemmed = conn.execute("SELECT count(*) FROM lessons_fts").fetchone()[0]
        conn.close()
    assert {m for m in ALL_LESSON_MARKERS if m in titles} == may
    assert pilots == {s for s in PILOTS if any(marker(s, k) in may for k in LESSONS)} | (
        {s for s in PILOTS if PILOTS[s] in audience.levels}
    )
    assert not {m for m in hidden if m in words}, "the copy's search index still holds hidden lessons' words"
    assert stemmed == len(may)
    for marker_word in hidden:
        assert marker_word.encode() not in copy
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert {m for m in ALL_LESSON_MARKERS if m in text} == may


def test_a_draft_is_never_public_and_becomes_public_when_submitted():
    db = open_memory_store()
    build(db)
    admin = Actor("ana", "admin")
    draft = db.execute("SELECT id FROM lessons WHERE key = 'draft' AND pilot_id = 1").fetchone()[0]
    with scope(db, PUBLIC):
        assert marker("pub", "draft") not in _text(queries.search_lessons(db))
    change_status(db, admin, draft, "submitted", reason="ready")
    with scope(db, PUBLIC):
        assert marker("pub", "draft") in _text(queries.search_lessons(db))
        assert int(queries.lessons_by_theme_and_kind(db)["lessons"].sum()) == len(expected(PUBLIC)) + 1


def test_coordinators_set_their_own_pilots_and_lessons_visibility_and_nobody_else_does():
    db = open_memory_store()
    build(db)
    own = Actor("cat", "coordinator", frozenset({ids_of("pub")}))
    lesson = db.execute("SELECT id FROM lessons WHERE key = 'pub' AND pilot_id = 1").fetchone()[0]
    assert update_lesson(db, own, lesson, visibility="private") == {
        "visibility": {"before": "public", "after": "private"}
    }
    with scope(db, PUBLIC):
        assert marker("pub", "pub") not in _text(queries.search_lessons(db))
    with scope(db, audience_of(own)):
        assert marker("pub", "pub") in _text(queries.search_lessons(db))
    update_pilot(db, own, ids_of("pub"), visibility="consortium")
    with scope(db, PUBLIC):
        assert queries.overview_counts(db)["pilots"] == 0
    with pytest.raises(EditError, match="Visibility must be one of"):
        update_pilot(db, own, ids_of("pub"), visibility="secret")
    from lessons.permissions import PermissionDenied  # noqa: PLC0415

    with pytest.raises(PermissionDenied):
        update_pilot(db, own, ids_of("priv"), visibility="public")
    audit = db.execute("SELECT count(*) FROM audit_log WHERE action IN ('pilot.edit', 'lesson.edit')").fetchone()[0]
    assert audit == 2


def test_a_scoped_connection_cannot_write_what_it_reads(store):
    with scope(store, PUBLIC), pytest.raises(sqlite3.OperationalError):
        store.execute("UPDATE lessons SET title = 'x'")


def test_the_apps_read_connections_are_scoped_by_their_reader(tmp_path):
    path = tmp_path / "lessons.db"
    with open_store(path) as db:
        build(db)
    for audience in (PUBLIC, Audience(True), Audience(True, pilot_ids=frozenset({3})), EVERYONE):
        with reading(path, audience.token) as db:
            found = _text(queries.search_lessons(db))
        assert {m for m in ALL_LESSON_MARKERS if m in found} == expected(audience)


# --- The pages ------------------------------------------------------------------------------------------------------

SIGN_IN = "FormSubmitter:auth_form-Sign in"


def _signed_in(app_on, path, username: str, params: dict | None = None):
    at = app_on(path, params).run()
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(f"demo-{username}-pass")
    at.button(key=SIGN_IN).click().run()
    assert not at.exception
    return at


def _page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [str(m.value) for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return " ".join(map(str, parts))


@pytest.fixture
def marked_demo(demo_db_path):
    """The demo store with one pilot's lessons marked consortium, one lesson private and one a public draft."""
    with open_store(demo_db_path) as db:
        rows = db.execute(
            "SELECT l.id, p.id, p.slug FROM lessons l JOIN pilots p ON p.id = l.pilot_id ORDER BY p.slug, l.key"
        ).fetchall()
        first_pilot = rows[0][1]
        consortium = [r[0] for r in rows if r[1] == first_pilot][:2]
        private = next(r[0] for r in rows if r[1] != first_pilot)
        titles = {}
        for lesson_id, word, level in [
            (consortium[0], "zqconsortiumzq", "consortium"),
            (private, "zqprivatezq", "private"),
        ]:
            db.execute(
                "UPDATE lessons SET title = title || ' ' || ?, visibility = ? WHERE id = ?", [word, level, lesson_id]
            )
            titles[word] = lesson_id
        db.execute("UPDATE lessons SET title = title || ' zqdraftzq', status = 'draft' WHERE id = ?", [consortium[1]])
        db.conn.commit()
    return demo_db_path


def test_a_visitor_never_sees_consortium_private_or_draft_lessons_on_the_lessons_page(marked_demo, app_on):
    at = app_on(marked_demo).run()
    at.switch_page("pages/lessons.py").run()
    for word in ("zqconsortiumzq", "zqprivatezq", "zqdraftzq"):  # each found by an administrator (below)
        at.text_input(key="lessons_query").set_value(word).run()
        assert not at.exception
        assert word not in _page_text(at)
        assert any("No lesson" in i.value or "no lesson" in i.value for i in [*at.info, *at.caption, *at.markdown])


@pytest.mark.parametrize("username, seen, hidden", [
    ("viewer", {"zqconsortiumzq", "zqdraftzq"}, {"zqprivatezq"}),
    ("admin", {"zqconsortiumzq", "zqdraftzq", "zqprivatezq"}, set()),
])  # fmt: skip
def test_signed_in_users_see_what_their_role_allows(marked_demo, app_on, username, seen, hidden):
    at = _signed_in(app_on, marked_demo, username)
    at.switch_page("pages/lessons.py").run()
    for word in seen | hidden:
        at.text_input(key="lessons_query").set_value(word).run()
        assert not at.exception
        assert (word in _page_text(at)) == (word in seen), word


def test_overview_counts_follow_the_reader(marked_demo, app_on):
    visitor = {m.label: m.value for m in app_on(marked_demo).run().metric}
    admin = _signed_in(app_on, marked_demo, "admin")
    counted = {m.label: m.value for m in admin.metric}
    with open_store(marked_demo) as db:
        total = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
        public = db.execute(
            "SELECT count(*) FROM lessons WHERE visibility = 'public' AND status <> 'draft'"
        ).fetchone()[0]
    assert int(counted["Lessons"].replace(",", "")) == total
    assert int(visitor["Lessons"].replace(",", "")) == public < total


def test_a_lesson_link_to_a_hidden_lesson_says_nothing_of_it(marked_demo, app_on):
    with open_store(marked_demo) as db:
        hidden = db.execute("SELECT id FROM lessons WHERE title LIKE '%zqprivatezq%'").fetchone()[0]
    at = app_on(marked_demo, {"lesson": str(hidden)}).run()
    assert not at.exception
    assert "zqprivatezq" not in _page_text(at)


# --- The command line -----------------------------------------------------------------------------------------------


def test_export_and_brief_with_public_write_only_what_a_visitor_may_see(tmp_path, capsys):
    from lessons.cli import main  # noqa: PLC0415

    path = tmp_path / "lessons.db"
    with open_store(path) as db:
        build(db)
    assert (
        main(["export", "--format", "sqlite", "--public", "--out", str(tmp_path / "public.db"), "--db", str(path)]) == 0
    )
    assert "(public records only)" in capsys.readouterr().out
    assert main(["export", "--format", "sqlite", "--out", str(tmp_path / "all.db"), "--db", str(path)]) == 0
    for name, audience in (("public.db", PUBLIC), ("all.db", EVERYONE)):
        conn = sqlite3.connect(tmp_path / name)
        titles = " ".join(r[0] for r in conn.execute("SELECT title FROM lessons"))
        conn.close()
        assert {m for m in ALL_LESSON_MARKERS if m in titles} == expected(audience)
    assert main(["brief", "--pilot", "cons", "--public", "--out", str(tmp_path / "b.html"), "--db", str(path)]) == 2
    assert "no pilot" in capsys.readouterr().err
    assert main(["brief", "--pilot", "pub", "--public", "--out", str(tmp_path / "b.html"), "--db", str(path)]) == 0
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert marker("pub", "pub") in html and marker("pub", "cons") not in html and marker("pub", "draft") not in html


def test_a_private_pilots_page_and_its_dot_are_there_only_for_its_own_people(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        slug, name = db.execute("SELECT slug, name FROM pilots ORDER BY slug LIMIT 1").fetchone()
        db.execute("UPDATE pilots SET visibility = 'private' WHERE slug = ?", [slug])
        db.conn.commit()
    at = app_on(demo_db_path, {"pilot": slug}).run()
    at.switch_page("pages/pilots.py").run()
    assert not at.exception
    assert any("There is no pilot" in w.value for w in at.warning)
    at = app_on(demo_db_path).run()
    at.switch_page("pages/pilots.py").run()
    assert name not in _page_text(at)
    admin = _signed_in(app_on, demo_db_path, "admin", {"pilot": slug})
    admin.switch_page("pages/pilots.py").run()
    assert not admin.exception and not admin.warning
    assert name in " ".join(t.value for t in admin.title)


def test_a_draft_story_is_not_in_a_visitors_view_or_bundle():
    db = open_memory_store()
    build(db)
    for status, visibility in (("published", "public"), ("draft", "public"), ("published", "consortium")):
        db.execute(
            "INSERT INTO stories (pilot_id, title, lead, body, status, visibility) VALUES (1, ?, 'x', 'y', ?, ?)",
            [f"Story zq{status}x{visibility}zq", status, visibility],
        )
    db.conn.commit()
    with scope(db, PUBLIC):
        titles = " ".join(r[0] for r in db.execute("SELECT title FROM stories"))
        copy = bundle.export_sqlite(db)
    assert "zqpublishedxpubliczq" in titles and "zqdraft" not in titles and "consortium" not in titles
    assert (
        b"zqpublishedxpubliczq" in copy and b"zqdraftxpubliczq" not in copy and b"zqpublishedxconsortiumzq" not in copy
    )

"""Policy briefs and the roadmap (the lessons/report package): content with known answers on the
demo data and on a small constructed store, citations that match the store, and the HTML and PDF files (text read
back with pypdf)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from lessons import network, report
from lessons.report.render import chart_png, render, to_html, to_pdf
from lessons.workshops.analysis import wilson


def ids(sql_rows) -> set[int]:
    return {int(r[0]) for r in sql_rows}


def cited(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\bL(\d+)\b", text)}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def all_text(made: report.Report) -> str:
    parts = []
    for section in made.sections:
        for block in section.blocks:
            parts += [block.text, *block.items]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    from shutil import copy

    from lessons.store import open_store

    path = tmp_path_factory.mktemp("report") / "demo.db"
    copy(demo_template, path)
    store = open_store(path)
    yield store
    store.close()


# --- Statement results ------------------------------------------------------------------------------------------------


def test_statement_results_count_the_last_round_with_wilson_intervals(demo):
    results = report.statement_results(demo)
    assert len(results) > 0
    for row in results.sample(10, random_state=1).to_dict("records"):
        last = demo.execute("SELECT max(round) FROM votes WHERE statement_id = ?", [row["statement_id"]]).fetchone()[0]
        assert row["round"] == last
        counts = demo.execute(
            "SELECT sum(value = 1), sum(value = -1), sum(value = 0), count(*) FROM votes "
            "WHERE statement_id = ? AND round = ?",
            [row["statement_id"], last],
        ).fetchone()
        assert (row["agree"], row["disagree"], row["pass"], row["n"]) == tuple(counts)
        low, high = wilson(counts[0], counts[3])
        assert row["agree_low"] == pytest.approx(float(low)) and row["agree_high"] == pytest.approx(float(high))


# --- Theme brief ------------------------------------------------------------------------------------------------------


def test_theme_brief_sections_sources_and_contradiction(demo):
    made = report.theme_brief(demo, "trust")
    assert [s.heading for s in made.sections] == [
        "In brief",
        "What recurs across pilots",
        "Where pilots disagree",
        "What validation workshops said",
        "Who was involved",
    ]
    tagged = ids(
        demo.execute(
            "SELECT lt.lesson_id FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE t.code = 'trust'"
        ).fetchall()
    )
    sources = {int(x[1:]) for x in made.lessons["lesson"]}
    assert tagged <= sources  # every lesson of the theme is a source
    assert cited(all_text(made)) <= sources  # and nothing is cited that Sources does not list
    enablers = ids(
        demo.execute(
            """SELECT l.id FROM lessons l JOIN lesson_themes lt ON lt.lesson_id = l.id JOIN themes t ON t.id = lt.theme_id
               WHERE t.code = 'trust' AND l.kind = 'enabler'"""
        ).fetchall()
    )
    disagree = made.sections[2]
    enabler_line = next(i for i in disagree.blocks[1].items if i.startswith("Enabler"))
    assert cited(enabler_line) == enablers


def test_theme_brief_validation_cites_workshops_and_counts(demo):
    made = report.theme_brief(demo, "trust")
    expected = report.statement_results(demo)
    trust = ids(
        demo.execute(
            "SELECT lt.lesson_id FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id WHERE t.code = 'trust'"
        ).fetchall()
    )
    expected = expected[expected["lesson_id"].isin(trust)]
    validation = made.sections[3]
    items = validation.blocks[1].items
    assert len(items) == len(expected) > 0
    for row in expected.to_dict("records"):
        line = next(i for i in items if i.startswith(f"L{int(row['lesson_id'])} "))
        assert f"workshop {row['workshop']}, round {row['round']}: {row['agree']} agree" in line
        assert f"(n = {row['n']};" in line
    assert set(made.workshops["workshop"]) == set(expected["workshop"])
    chart = next(b for b in validation.blocks if b.kind == "chart")
    assert chart.spec["title"] and chart.alt and len(chart.frame) == len(expected)


def test_an_unknown_subject_is_a_plain_error(demo):
    with pytest.raises(report.ReportError, match="no theme"):
        report.theme_brief(demo, "nope")
    with pytest.raises(report.ReportError, match="no pilot"):
        report.brief(demo, "pilot", "nope")
    with pytest.raises(report.ReportError, match="not “town”"):
        report.brief(demo, "town", "x")


# --- Pilot and model briefs --------------------------------------------------------------------------------------------


def test_pilot_brief_network_facts_match_the_analysis(demo):
    made = report.pilot_brief(demo, "tampere-youth-guidance")
    net = next(s for s in made.sections if s.heading == "The stakeholder network")
    facts = network.analysis(demo, "tampere-youth-guidance").metrics
    assert f"{facts['nodes']} stakeholders and {facts['ties']} ties" in net.blocks[0].text
    top = net.blocks[1].frame
    assert top["Betweenness"].is_monotonic_decreasing and len(top) == 8
    own = ids(
        demo.execute(
            "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ?", ["tampere-youth-guidance"]
        ).fetchall()
    )
    assert own <= {int(x[1:]) for x in made.lessons["lesson"]}
    assert "Finland" in made.subtitle


def test_model_brief_counts_supports_and_challenges(demo):
    made = report.model_brief(demo, "local-champions")
    elements = made.sections[0].blocks[-1].frame  # the table behind the evidence chart
    expected = demo.execute(
        """SELECT e.position, sum(le.stance = 'supports'), sum(le.stance = 'challenges')
           FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
           LEFT JOIN lesson_elements le ON le.element_id = e.id WHERE gm.slug = 'local-champions'
           GROUP BY e.id ORDER BY e.position"""
    ).fetchall()
    got = list(zip(elements["#"], elements["Supporting lessons"], elements["Challenging lessons"]))
    assert got == [(p, s or 0, c or 0) for p, s, c in expected]
    linked = ids(
        demo.execute(
            """SELECT le.lesson_id FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
               JOIN governance_models gm ON gm.id = e.model_id WHERE gm.slug = 'local-champions'"""
        ).fetchall()
    )
    sources = {int(x[1:]) for x in made.lessons["lesson"]}
    assert cited(all_text(made)) == sources
    assert len(linked & sources) >= 0.8 * len(linked)  # up to 6 pilots per element are named, the rest counted
    first = made.sections[0].blocks[2].items[0]
    assert first.startswith("1. ") and "supported by" in first


# --- Roadmap ------------------------------------------------------------------------------------------------------------


def test_roadmap_orders_every_validated_lesson_by_phase(demo):
    made = report.roadmap(demo)
    validated = ids(
        demo.execute("SELECT id FROM lessons WHERE status IN ('validated', 'endorsed', 'applied_elsewhere')").fetchall()
    )
    assert {int(x[1:]) for x in made.lessons["lesson"]} == validated
    steps = [s.heading for s in made.sections[1:]]
    phases = [r[0] for r in demo.execute("SELECT name FROM phases ORDER BY position").fetchall()]
    assert [h.split(". ", 1)[1] for h in steps[: len(phases)]] == phases
    for section in made.sections[1:]:
        phase = section.heading.split(". ", 1)[1]
        expected = ids(
            demo.execute(
                """SELECT l.id FROM lessons l JOIN phases ph ON ph.code = l.phase
                   WHERE ph.name = ? AND l.status IN ('validated', 'endorsed', 'applied_elsewhere')""",
                [phase],
            ).fetchall()
        )
        bullets = [i for b in section.blocks if b.kind == "bullets" for i in b.items]
        assert {int(re.search(r"\[L(\d+) ", i).group(1)) for i in bullets} == expected
    assert "What to watch out for" in [b.text for s in made.sections for b in s.blocks if b.kind == "subheading"]


def test_roadmap_of_a_store_without_validated_lessons_says_what_to_do(db):
    made = report.roadmap(db)
    assert "No lesson has been validated yet" in made.sections[0].blocks[0].text
    assert pdf_text(to_pdf(made)).count("No validated lesson for this phase yet.") == 5


# --- Files --------------------------------------------------------------------------------------------------------------


def test_pdf_text_holds_the_sections_cited_ids_and_votes(demo):
    made = report.theme_brief(demo, "trust")
    files = render(made)
    text = pdf_text(files["brief-theme-trust.pdf"])
    for heading in (
        "In brief",
        "What recurs across pilots",
        "Where pilots disagree",
        "What validation workshops said",
        "Who was involved",
        "Sources",
    ):
        assert heading in text
    flat = re.sub(r"\s+", " ", text)
    assert cited(flat) >= {int(x[1:]) for x in made.lessons["lesson"]}
    row = report.statement_results(demo).query("workshop == 'HVR3QT'").iloc[0]
    assert "workshop HVR3QT" in flat and "Illustrative demo data" in flat
    reader = PdfReader(BytesIO(files["brief-theme-trust.pdf"]))
    assert reader.metadata.title == "Policy brief: Trust and relationships"
    assert [o.title for o in reader.outline][:2] == ["In brief", "What recurs across pilots"]
    assert sum(len(page.images) for page in reader.pages) == sum(
        b.kind == "chart" for s in made.sections for b in s.blocks
    )
    assert row["n"] > 0


def test_roadmap_pdf_and_html(demo):
    files = render(report.roadmap(demo))
    text = re.sub(r"\s+", " ", pdf_text(files["roadmap-to-co-creation.pdf"]))
    assert "Step 1. Initiate and mobilise" in text and "What to do" in text and "Sources" in text
    page = files["roadmap-to-co-creation.html"].decode()
    assert page.count("<img ") == page.count("<figure>") >= 1
    assert 'alt="Stacked bar chart' in page


def test_user_text_is_escaped_in_html_and_printed_as_text_in_pdf(db):
    db["pilots"].insert({"id": 1, "slug": "lodz", "name": "Łódź <b>pilot</b> Ő", "country": "PL"})
    db["pilots"].insert({"id": 2, "slug": "x", "name": "Second & co", "country": "FI"})
    theme = db.execute("SELECT id, code FROM themes WHERE code = 'trust'").fetchone()
    for i, (pilot, kind, title) in enumerate(
        [(1, "enabler", "<script>alert(1)</script> trust grew"), (2, "barrier", '=HYPERLINK("x") trust fell')], 1
    ):
        db["lessons"].insert(
            {"id": i, "pilot_id": pilot, "key": f"K{i}", "title": title, "lesson": "Text", "kind": kind}
        )
        db["lesson_themes"].insert({"lesson_id": i, "theme_id": theme[0]})
    made = report.theme_brief(db, "trust")
    page = to_html(made).decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>pilot</b>" not in page and "Łódź &lt;b&gt;pilot&lt;/b&gt; Ő" in page
    text = pdf_text(to_pdf(made))
    assert "Łódź <b>pilot</b> Ő" in text and "<script>alert(1)</script>" in text
    disagree = made.sections[2]
    assert "1 pilot reports Trust and relationships as an enabler and 1 pilot as a barrier." == disagree.blocks[0].text


def test_chart_images_are_png():
    png = chart_png(
        {
            "data": {"values": [{"a": "x", "b": 1}]},
            "mark": "bar",
            "encoding": {"x": {"field": "b", "type": "quantitative"}},
        }
    )
    assert png.startswith(b"\x89PNG")


def test_bundle_briefs_names(demo):
    files = report.bundle_briefs(demo)
    themes = demo.execute("SELECT count(DISTINCT theme_id) FROM lesson_themes").fetchone()[0]
    models = demo.execute("SELECT count(*) FROM governance_models").fetchone()[0]
    assert len(files) == 2 * (1 + themes + models)
    assert "briefs/roadmap-to-co-creation.pdf" in files and "briefs/brief-model-local-champions.html" in files
    assert all(data[:4] == b"%PDF" for name, data in files.items() if name.endswith(".pdf"))


def test_long_citations_name_the_first_lessons_and_count_the_rest(demo, monkeypatch):
    monkeypatch.setattr("lessons.report.citations.MAX_CITED", 5)
    made = report.theme_brief(demo, "trust")
    first = made.sections[0].blocks[0].items[0]
    assert len(cited(first)) == 5
    assert "and 33 more lessons from 10 more pilots — the Lessons page lists them all under theme “Trust" in first
    assert cited(all_text(made)) == {int(x[1:]) for x in made.lessons["lesson"]}


def test_a_roadmap_phase_lists_the_best_validated_steps_and_counts_the_rest(demo, monkeypatch):
    monkeypatch.setattr("lessons.report.roadmaps.ROADMAP_STEPS", 2)
    made = report.roadmap(demo)
    step = next(s for s in made.sections if s.heading == "Step 2. Understand needs")
    todo = step.blocks[[b.text for b in step.blocks].index("What to do") + 1].items
    assert len(todo) == 2
    assert any(b.text.startswith("17 more validated lessons of this kind") for b in step.blocks)
    lows = [float(re.search(r"95% CI (\d+)–", i).group(1)) if "CI" in i else -1 for i in todo]
    assert lows == sorted(lows, reverse=True)


def test_many_voted_statements_list_the_most_and_least_agreed(demo, monkeypatch):
    results = report.statement_results(demo)
    per_theme = demo.execute(
        """SELECT t.code, count(DISTINCT s.id) FROM statements s JOIN lesson_themes lt ON lt.lesson_id = s.lesson_id
           JOIN themes t ON t.id = lt.theme_id GROUP BY t.code ORDER BY 2 DESC LIMIT 1"""
    ).fetchone()
    assert per_theme[1] >= 8
    monkeypatch.setattr("lessons.report.sections.VOTES_LISTED", 7)
    made = report.theme_brief(demo, per_theme[0])
    validation = made.sections[3]
    items = validation.blocks[1].items
    table = next(b for b in validation.blocks if b.kind == "chart").frame
    voted = results[results["lesson_id"].isin([int(x[1:]) for x in made.lessons["lesson"]])]
    assert len(items) == 7 and len(table) == len(voted) > 7
    assert validation.blocks[2].text.startswith("Listed: the 2 statements most agreed with and the 5 least")
    expected = list(table["Statement about"].head(2)) + list(table["Statement about"].tail(5))
    assert [i.split(": workshop")[0] for i in items] == expected


def test_control_characters_and_letters_the_font_lacks_never_break_a_brief(db):
    # a vertical tab (Word's soft line break) made vl-convert abort the whole process; CJK has no glyph in DejaVu
    db["pilots"].insert({"id": 1, "slug": "a", "name": "Alpha\x0bBeta 東京", "country": "FI"})
    db["pilots"].insert({"id": 2, "slug": "b", "name": "Gamma\x00", "country": "PT"})
    theme = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
    for i, pilot, kind in ((1, 1, "enabler"), (2, 2, "barrier")):
        db["lessons"].insert(
            {"id": i, "pilot_id": pilot, "key": f"K{i}", "title": f"T\x1b{i}", "lesson": "x", "kind": kind}
        )
        db["lesson_themes"].insert({"lesson_id": i, "theme_id": theme})
    files = render(report.theme_brief(db, "trust"))
    text = pdf_text(files["brief-theme-trust.pdf"])
    assert "AlphaBeta ??" in text and "\x0b" not in text and "\x1b" not in text
    assert "Alpha\x0bBeta 東京" in files["brief-theme-trust.html"].decode()  # the web page keeps what was written


def test_roadmap_flags_a_cited_vote_without_a_clear_majority(demo):
    made = report.roadmap(demo)
    items = [i for s in made.sections for b in s.blocks if b.kind == "bullets" for i in b.items]
    voted = [i for i in items if "95% CI" in i]
    unclear = [i for i in voted if int(re.search(r"95% CI (\d+)–", i).group(1)) < 50]
    assert unclear and all(i.endswith(", no clear majority in this vote]") for i in unclear)
    assert not any("no clear majority" in i for i in voted if i not in unclear)


def test_recurring_groups_are_named_by_their_most_typical_lesson_as_on_the_page(demo):
    """A brief names each group as What recurs does (#19): by its most central lesson's title, its words beside."""
    from lessons import synthesis
    from lessons.report.sections import GROUP_THRESHOLD

    groups = synthesis.clusters(
        synthesis.lesson_facts(demo), synthesis.similarity(demo, latest=True), GROUP_THRESHOLD, 2
    )
    names = dict(zip(groups["clusters"]["label"], groups["clusters"]["name"]))
    recurs = report.theme_brief(demo, "champions").sections[1]
    items = [item for block in recurs.blocks for item in getattr(block, "items", None) or []]
    assert items, "the demo's champions brief lists groups that recur"
    for item in items:
        words = re.search(r"shared words: ([^)]*)\)", item).group(1)
        assert item.startswith(f"{names[words]} — "), item

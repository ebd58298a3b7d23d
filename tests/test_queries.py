"""Read-side queries on a tiny hand-built store: three pilots, six lessons, one model, one workshop."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lessons import queries
from lessons.queries import MATCH_START, Match, fts_query, search_lessons, word_forms

PILOTS = [
    # id, slug, name, country, city, service_area, methodology
    (1, "tampere", "Tampere youth hub", "FI", "Tampere", "youth employment", "cosie"),
    (2, "oulu", "Oulu home care", "FI", "Oulu", "home care", "improve"),
    (3, "valencia", "Valencia digital help", "ES", "Valencia", "digital public services", "interlink"),
]
LESSONS = [
    # id, pilot, key, title, lesson, kind, phase, status, themes, groups
    (
        1,
        1,
        "L01",
        "Local champions kept young people coming",
        "Champions from the youth centre brokered trust between young people and guidance workers.",
        "enabler",
        "initiate",
        "validated",
        ["champions", "trust"],
        ["citizens", "public"],
    ),
    (
        2,
        1,
        "L02",
        "Procurement rules delayed the walk-in desk",
        "Buying the booking system took nine months of contract talks.",
        "barrier",
        "co-deliver",
        "submitted",
        ["legal"],
        ["public"],
    ),
    (
        3,
        1,
        "L03",
        "Feedback drives repeat attendance",
        "Telling participants what happened to their ideas brought them back.",
        "recommendation",
        "evaluate",
        "endorsed",
        ["communication", "expectations"],
        [],
    ),
    (
        4,
        2,
        "L01",
        "Carers need telephone support",
        "Older carers stopped taking part when sessions moved online without telephone support.",
        "barrier",
        "understand",
        "draft",
        ["digital", "hard-to-reach"],
        ["citizens"],
    ),
    (
        5,
        2,
        "L02",
        "Trust grew with one facilitator",
        "The same facilitator at every session built trust with residents.",
        "insight",
        "co-design",
        "applied_elsewhere",
        ["trust"],
        [],
    ),
    (
        6,
        3,
        "L01",
        "Library volunteers as digital champions",
        "Volunteers met older residents in the café of the library and explained the online procedures.",
        "enabler",
        "co-design",
        "contested",
        ["champions", "digital"],
        ["civil_society"],
    ),
]

#: When each lesson was recorded (lesson 5 has no date).
RECORDED = {1: "2021-01-15", 2: "2021-04-01", 3: "2021-09-30", 4: "2022-02-01", 5: None, 6: "2022-06-15"}


@pytest.fixture
def tiny(db):
    with db.atomic():
        for pid, slug, name, country, city, service, method in PILOTS:
            db["pilots"].insert(
                {
                    "id": pid,
                    "slug": slug,
                    "name": name,
                    "country": country,
                    "city": city,
                    "service_area": service,
                    "methodology": method,
                    "start_date": "2020-01-01",
                    "end_date": "2021-12-31",
                    "summary": f"{name} summary",
                }
            )
        db["uploads"].insert(
            {
                "id": 1,
                "pilot_id": 1,
                "filename": "tampere.csv",
                "format": "csv",
                "username": "anna",
                "uploaded_at": "2021-05-04T10:00:00Z",
            }
        )
        theme_ids = dict(db.execute("SELECT code, id FROM themes").fetchall())
        for lid, pid, key, title, text, kind, phase, status, themes, groups in LESSONS:
            db["lessons"].insert(
                {
                    "id": lid,
                    "pilot_id": pid,
                    "key": key,
                    "title": title,
                    "lesson": text,
                    "kind": kind,
                    "phase": phase,
                    "status": status,
                    "recorded_on": RECORDED[lid],
                    "upload_id": 1 if pid == 1 else None,
                }
            )
            db["lesson_themes"].insert_all([{"lesson_id": lid, "theme_id": theme_ids[t]} for t in themes])
            db["lesson_groups"].insert_all([{"lesson_id": lid, "sector": g} for g in groups])
        db["stakeholders"].insert_all(
            [
                {"id": 1, "pilot_id": 1, "key": "S01", "name": "City", "sector": "public"},
                {"id": 2, "pilot_id": 1, "key": "S02", "name": "Youth", "sector": "citizens"},
                {"id": 3, "pilot_id": 2, "key": "S01", "name": "Care", "sector": "public"},
            ]
        )
        db["governance_models"].insert({"id": 1, "slug": "relational", "name": "Relational co-creation"})
        db["model_elements"].insert_all(
            [
                {"id": 1, "model_id": 1, "key": "E1", "position": 1, "name": "Start from assets", "kind": "principle"},
                {"id": 2, "model_id": 1, "key": "E2", "position": 2, "name": "Listen first", "kind": "step"},
            ]
        )
        db["lesson_elements"].insert_all(
            [
                {"lesson_id": 1, "element_id": 2, "stance": "challenges"},
                {"lesson_id": 1, "element_id": 1, "stance": "supports"},
            ]
        )
        db["workshops"].insert({"id": 1, "code": "ABC234", "title": "Validation", "status": "closed"})
        db["statements"].insert({"id": 1, "workshop_id": 1, "key": "S01", "text": "Champions matter", "lesson_id": 1})
        db["participants"].insert_all(  # five people joined (k = 5, lessons.privacy); two voted
            {"id": i, "workshop_id": 1, "token": t} for i, t in zip((1, 2, 101, 102, 103), "abcde")
        )
        db["votes"].insert_all(
            [{"participant_id": 1, "statement_id": 1, "value": 1}, {"participant_id": 2, "statement_id": 1, "value": 0}]
        )
    return db


def records(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def ids(frame: pd.DataFrame) -> list[int]:
    return [int(i) for i in frame["id"]]


# --- overview -----------------------------------------------------------------------------------------------


def test_overview_counts(tiny):
    assert queries.overview_counts(tiny) == {
        "pilots": 3,
        "countries": 2,
        "lessons": 6,
        "validated": 3,
        "stakeholders": 3,
        "workshops": 1,
        "votes": 2,
    }


def test_overview_counts_empty(db):
    assert queries.overview_counts(db) == {
        "pilots": 0,
        "countries": 0,
        "lessons": 0,
        "validated": 0,
        "stakeholders": 0,
        "workshops": 0,
        "votes": 0,
    }


def test_pilots_by_country(tiny):
    frame = queries.pilots_by_country(tiny)
    assert list(frame.columns) == ["country", "pilots", "lessons"]
    assert records(frame) == [("FI", 2, 5), ("ES", 1, 1)]


def test_pilots_by_country_counts_pilots_without_lessons(tiny):
    tiny["pilots"].insert({"slug": "riga", "name": "Riga desk", "country": "LV"})
    assert records(queries.pilots_by_country(tiny)) == [("FI", 2, 5), ("ES", 1, 1), ("LV", 1, 0)]


def test_lessons_by_theme_and_kind(tiny):
    frame = queries.lessons_by_theme_and_kind(tiny)
    assert list(frame.columns) == ["theme", "kind", "lessons"]
    assert records(frame) == [
        ("Communication", "recommendation", 1),
        ("Digital tools and data", "barrier", 1),
        ("Digital tools and data", "enabler", 1),
        ("Engagement of hard-to-reach groups", "barrier", 1),
        ("Facilitation and local champions", "enabler", 2),
        ("Legal and procurement", "barrier", 1),
        ("Managing expectations", "recommendation", 1),
        ("Trust and relationships", "enabler", 1),
        ("Trust and relationships", "insight", 1),
    ]


def test_pilot_summaries(tiny):
    frame = queries.pilot_summaries(tiny)
    assert list(frame.columns) == [
        "id",
        "slug",
        "name",
        "country",
        "city",
        "service_area",
        "target_groups",
        "start_date",
        "end_date",
        "methodology",
        "summary",
        "lessons",
        "validated",
        "stakeholders",
    ]
    assert records(frame[["slug", "name", "country", "methodology", "lessons", "validated", "stakeholders"]]) == [
        ("oulu", "Oulu home care", "FI", "IMPROVE co-production methodology", 2, 1, 1),
        ("tampere", "Tampere youth hub", "FI", "CoSIE pilot cycle", 3, 2, 2),
        ("valencia", "Valencia digital help", "ES", "INTERLINK co-production", 1, 0, 0),
    ]


# --- facets -------------------------------------------------------------------------------------------------


def test_facets(tiny):
    f = queries.facets(tiny)
    assert list(f) == list(queries.FILTER_FIELDS)
    for frame in f.values():
        assert list(frame.columns) == ["value", "label", "lessons"]
    assert records(f["pilots"]) == [
        ("oulu", "Oulu home care (FI)", 2),
        ("tampere", "Tampere youth hub (FI)", 3),
        ("valencia", "Valencia digital help (ES)", 1),
    ]
    assert records(f["countries"]) == [("ES", "ES", 1), ("FI", "FI", 5)]  # pages name the countries
    assert records(f["kinds"]) == [
        ("enabler", "Enabler", 2),
        ("barrier", "Barrier", 2),
        ("recommendation", "Recommendation", 1),
        ("insight", "Insight", 1),
    ]
    assert records(f["phases"]) == [
        ("initiate", "Initiate and mobilise", 1),
        ("understand", "Understand needs", 1),
        ("co-design", "Co-design", 2),
        ("co-deliver", "Co-deliver", 1),
        ("evaluate", "Evaluate and sustain", 1),
    ]
    assert records(f["themes"]) == [
        ("communication", "Communication", 1),
        ("digital", "Digital tools and data", 2),
        ("hard-to-reach", "Engagement of hard-to-reach groups", 1),
        ("evaluation", "Evaluation and impact", 0),
        ("champions", "Facilitation and local champions", 2),
        ("governance", "Governance and accountability", 0),
        ("legal", "Legal and procurement", 1),
        ("expectations", "Managing expectations", 1),
        ("org-change", "Organisational change", 0),
        ("policy", "Policy and political support", 0),
        ("sustainability", "Resources and sustainability", 0),
        ("capacity", "Skills and capacity building", 0),
        ("trust", "Trust and relationships", 2),
    ]
    assert records(f["statuses"]) == [
        ("draft", "Draft", 1),
        ("submitted", "Submitted", 1),
        ("validated", "Validated", 1),
        ("contested", "Contested", 1),
        ("endorsed", "Endorsed", 1),
        ("applied_elsewhere", "Applied elsewhere", 1),
    ]
    assert records(f["groups"]) == [
        ("citizens", "Citizens / service users", 2),
        ("civil_society", "Civil society", 1),
        ("private", "Private sector", 0),
        ("public", "Public sector", 2),
        ("research", "Research", 0),
    ]
    assert records(f["methodologies"]) == [
        ("cosie", "CoSIE pilot cycle", 3),
        ("improve", "IMPROVE co-production methodology", 2),
        ("interlink", "INTERLINK co-production", 1),
        ("servicedesign", "Service design (Double Diamond)", 0),
        ("wenovate", "We-novate open innovation process", 0),
    ]


def counts(facet: pd.DataFrame) -> dict[str, int]:
    """The options that have lessons, with their counts."""
    return {row.value: row.lessons for row in facet.itertuples() if row.lessons}


def test_facet_counts_ignore_their_own_filter_and_apply_the_others(tiny):
    f = queries.facets(tiny, kinds=["barrier"])
    # the kind facet still offers every kind with its total: choosing another kind widens the result
    assert counts(f["kinds"]) == {"enabler": 2, "barrier": 2, "recommendation": 1, "insight": 1}
    # the other facets count only barriers (lessons 2 and 4)
    assert counts(f["pilots"]) == {"oulu": 1, "tampere": 1}
    assert counts(f["countries"]) == {"FI": 2}
    assert counts(f["themes"]) == {"legal": 1, "digital": 1, "hard-to-reach": 1}
    assert counts(f["groups"]) == {"public": 1, "citizens": 1}
    assert counts(f["methodologies"]) == {"cosie": 1, "improve": 1}
    assert counts(f["statuses"]) == {"submitted": 1, "draft": 1}

    f = queries.facets(tiny, kinds=["barrier"], countries=["FI"])
    assert counts(f["kinds"]) == {"enabler": 1, "barrier": 2, "recommendation": 1, "insight": 1}  # in Finland
    assert counts(f["countries"]) == {"FI": 2}  # barriers: none in Spain
    assert counts(f["pilots"]) == {"oulu": 1, "tampere": 1}


def test_facet_counts_of_linked_filters(tiny):
    f = queries.facets(tiny, themes=["trust"])
    assert counts(f["themes"]) == counts(queries.facets(tiny)["themes"])  # unchanged by its own choice
    assert counts(f["pilots"]) == {"tampere": 1, "oulu": 1}
    f = queries.facets(tiny, groups=["citizens"])
    assert counts(f["groups"]) == {"citizens": 2, "civil_society": 1, "public": 2}
    assert counts(f["themes"]) == {"champions": 1, "trust": 1, "digital": 1, "hard-to-reach": 1}
    assert counts(f["kinds"]) == {"enabler": 1, "barrier": 1}


def test_facet_counts_follow_the_search_and_the_dates(tiny):
    f = queries.facets(tiny, query="champions")
    assert counts(f["themes"]) == {"champions": 2, "trust": 1, "digital": 1}
    assert counts(f["kinds"]) == {"enabler": 2}
    assert counts(f["countries"]) == {"FI": 1, "ES": 1}
    f = queries.facets(tiny, recorded_from="2022-01-01")
    assert counts(f["kinds"]) == {"barrier": 1, "enabler": 1}
    f = queries.facets(tiny, recorded_to="2021-04-01", statuses=["submitted"])
    assert counts(f["statuses"]) == {"validated": 1, "submitted": 1}
    assert counts(f["pilots"]) == {"tampere": 1}
    assert all(frame["lessons"].sum() == 0 for frame in queries.facets(tiny, query="*").values())


CHOICES = [
    {},
    {"kinds": ["barrier", "enabler"]},
    {"kinds": ["barrier"], "countries": ["FI"], "themes": ["digital", "legal"]},
    {"query": "champions", "groups": ["citizens"]},
    {"query": "trust", "recorded_from": "2021-01-01", "statuses": ["validated", "applied_elsewhere"]},
    {"methodologies": ["cosie"], "phases": ["evaluate", "co-deliver"], "recorded_to": date(2021, 6, 30)},
    {"pilots": ["valencia"], "groups": ["civil_society"], "query": "library"},
]


@pytest.mark.parametrize("choice", CHOICES)
def test_each_facet_count_is_what_choosing_that_option_alone_would_find(tiny, choice):
    """The definition of a faceted count, checked against the search itself for every option of every facet."""
    f = queries.facets(tiny, **choice)
    for name, frame in f.items():
        for value, count in zip(frame["value"], frame["lessons"]):
            assert count == len(search_lessons(tiny, **(choice | {name: [value]}))), (name, value)


def test_facet_index_and_counts_are_the_two_halves_of_facets(tiny):
    index = queries.facet_index(tiny)
    assert list(index["lessons"].columns) == ["id", *queries.filters._COLUMNS, "recorded"]
    assert sorted(index["themes"]["id"]) == [1, 1, 2, 3, 3, 4, 4, 5, 6, 6]
    matched = queries.search_ids(tiny, "champions")
    assert sorted(matched) == [1, 6]
    split = queries.facet_counts(index, matched=matched, kinds=["enabler"])
    whole = queries.facets(tiny, query="champions", kinds=["enabler"])
    for name in queries.FILTER_FIELDS:
        pd.testing.assert_frame_equal(split[name], whole[name])


def test_facets_refuse_unknown_filters(tiny):
    with pytest.raises(TypeError, match="unknown lesson filter: colour"):
        queries.facets(tiny, colour=["red"])
    with pytest.raises(TypeError, match="unknown lesson filter"):
        search_lessons(tiny, pilot=["oulu"])


def test_recorded_span(tiny):
    assert queries.recorded_span(tiny) == {"first": "2021-01-15", "last": "2022-06-15", "undated": 1}


# --- search -------------------------------------------------------------------------------------------------

SEARCH_COLUMNS = [
    "id",
    "key",
    "title",
    "lesson",
    "kind",
    "phase",
    "phase_name",
    "status",
    "recorded_on",
    "pilot",
    "pilot_name",
    "country",
    "themes",
    "snippet",
]


def test_search_without_filters_lists_every_lesson_by_pilot_then_key(tiny):
    frame = search_lessons(tiny)
    assert list(frame.columns) == SEARCH_COLUMNS
    assert records(frame[["id", "pilot", "key", "phase_name"]]) == [
        (4, "oulu", "L01", "Understand needs"),
        (5, "oulu", "L02", "Co-design"),
        (1, "tampere", "L01", "Initiate and mobilise"),
        (2, "tampere", "L02", "Co-deliver"),
        (3, "tampere", "L03", "Evaluate and sustain"),
        (6, "valencia", "L01", "Co-design"),
    ]
    # the order inside group_concat is not specified: compare the names as sets
    assert [sorted(t.split("; ")) for t in frame["themes"]] == [
        ["Digital tools and data", "Engagement of hard-to-reach groups"],
        ["Trust and relationships"],
        ["Facilitation and local champions", "Trust and relationships"],
        ["Legal and procurement"],
        ["Communication", "Managing expectations"],
        ["Digital tools and data", "Facilitation and local champions"],
    ]
    assert list(frame["snippet"]) == [text[:220] for text in frame["lesson"]]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"pilots": ["oulu"]}, [4, 5]),
        ({"pilots": ["oulu", "valencia"]}, [4, 5, 6]),
        ({"themes": ["champions"]}, [1, 6]),
        ({"themes": ["trust", "legal"]}, [5, 1, 2]),
        ({"kinds": ["barrier"]}, [4, 2]),
        ({"kinds": ["barrier", "insight"]}, [4, 5, 2]),
        ({"phases": ["co-design"]}, [5, 6]),
        ({"phases": ["evaluate", "initiate"]}, [1, 3]),
        ({"themes": ["champions"], "kinds": ["enabler"], "phases": ["co-design"]}, [6]),
        ({"pilots": ["tampere", "oulu"], "kinds": ["barrier"]}, [4, 2]),
        ({"pilots": ["tampere"], "themes": ["trust"], "kinds": ["enabler"], "phases": ["initiate"]}, [1]),
        ({"pilots": ["valencia"], "kinds": ["barrier"]}, []),
        ({"pilots": ["nowhere"]}, []),
        ({"themes": ["policy"]}, []),
        ({"countries": ["ES"]}, [6]),
        ({"countries": ["FI"]}, [4, 5, 1, 2, 3]),
        ({"countries": ["FI", "ES"]}, [4, 5, 1, 2, 3, 6]),
        ({"countries": ["LV"]}, []),
        ({"statuses": ["validated"]}, [1]),
        ({"statuses": ["draft", "contested"]}, [4, 6]),
        ({"groups": ["public"]}, [1, 2]),
        ({"groups": ["citizens"]}, [4, 1]),
        ({"groups": ["civil_society", "citizens"]}, [4, 1, 6]),
        ({"groups": ["research"]}, []),
        ({"methodologies": ["improve"]}, [4, 5]),
        ({"methodologies": ["cosie", "interlink"]}, [1, 2, 3, 6]),
        ({"methodologies": ["wenovate"]}, []),
        ({"countries": ["FI"], "groups": ["citizens"]}, [4, 1]),
        ({"methodologies": ["cosie"], "statuses": ["submitted", "endorsed"], "groups": ["public"]}, [2]),
        ({"countries": ["ES"], "themes": ["digital"], "kinds": ["enabler"], "statuses": ["contested"]}, [6]),
        ({"countries": ["ES"], "methodologies": ["improve"]}, []),
    ],
)
def test_search_filters(tiny, filters, expected):
    assert ids(search_lessons(tiny, **filters)) == expected


@pytest.mark.parametrize(
    "dates, expected",
    [
        ({}, [4, 5, 1, 2, 3, 6]),  # no range: lessons without a date are in
        ({"recorded_from": "2021-04-01"}, [4, 2, 3, 6]),  # from a date on, inclusive; the undated lesson is out
        ({"recorded_to": "2021-04-01"}, [1, 2]),  # up to a date, inclusive
        ({"recorded_from": "2021-02-01", "recorded_to": "2022-02-01"}, [4, 2, 3]),
        ({"recorded_from": date(2021, 2, 1), "recorded_to": date(2022, 2, 1)}, [4, 2, 3]),
        ({"recorded_from": "2022-06-15", "recorded_to": "2022-06-15"}, [6]),
        ({"recorded_from": "2023-01-01"}, []),
        ({"recorded_from": "2022-01-01", "recorded_to": "2021-01-01"}, []),  # reversed: nothing
        ({"recorded_from": None, "recorded_to": ""}, [4, 5, 1, 2, 3, 6]),  # empty values set no range
    ],
)
def test_search_date_range(tiny, dates, expected):
    assert ids(search_lessons(tiny, **dates)) == expected


def test_search_date_range_with_times_and_other_filters(tiny):
    tiny["lessons"].update(6, {"recorded_on": "2022-06-15T09:30:00Z"})  # a time part still counts as that day
    assert ids(search_lessons(tiny, recorded_to="2022-06-15")) == [4, 1, 2, 3, 6]
    assert ids(search_lessons(tiny, query="champions", recorded_from="2021-06-01")) == [6]
    assert ids(search_lessons(tiny, kinds=["barrier"], recorded_from="2022-01-01")) == [4]


def test_search_date_range_refuses_what_is_not_a_date(tiny):
    with pytest.raises(ValueError):
        search_lessons(tiny, recorded_from="April 2021")


def test_search_limit(tiny):
    assert ids(search_lessons(tiny, limit=2)) == [4, 5]


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"champion"', [1, 6]),  # stemming: champion finds champions, no prefix (ends with a quote)
        ('"delay"', [2]),  # delayed
        ("champion", [1, 6]),
        ("libr", [6]),  # prefix on the last word: libraries
        ('"libr"', []),  # a quoted word is not a prefix
        ("libr volunteers", []),  # only the last word is a prefix
        ("volunteers libr", [6]),
        ('"local champions"', [1]),
        ('"champions local"', []),
        ("trust facilitator", [5]),
        ("cafe", [6]),  # accents folded
        ("CAFÉ", [6]),
        ("nothing-matches-this", []),
    ],
)
def test_search_text(tiny, query, expected):
    assert sorted(ids(search_lessons(tiny, query=query))) == expected


def test_search_text_with_filters(tiny):
    assert sorted(ids(search_lessons(tiny, query="trust"))) == [1, 5]
    assert ids(search_lessons(tiny, query="trust", pilots=["oulu"])) == [5]
    assert ids(search_lessons(tiny, query="champions", kinds=["enabler"], phases=["co-design"])) == [6]
    assert ids(search_lessons(tiny, query="champions", themes=["trust"])) == [1]
    assert ids(search_lessons(tiny, query="champions", pilots=["oulu"])) == []


def test_search_snippet_marks_matches(tiny):
    frame = search_lessons(tiny, query='"telephone"')
    assert ids(frame) == [4]
    assert list(frame.columns) == SEARCH_COLUMNS
    assert f"{queries.MATCH_START}telephone{queries.MATCH_END}" in frame["snippet"][0]


def test_search_ranks_title_and_body_hits(tiny):
    frame = search_lessons(tiny, query="champions", limit=1)
    assert len(frame) == 1
    assert ids(frame)[0] in (1, 6)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "AND OR NOT",
        "NEAR(",
        "NEAR(trust champions, 2)",
        "*",
        "col:value",
        "title:champions",
        "^",
        "^trust",
        "'; DROP TABLE lessons; --",
        '"',
        '""',
        "trust)",
        "(",
        "-trust",
        "+",
        "a OR",
        "   ",
        "\x00",
        "😀 champions",
        "{title lesson}: trust",
    ],
)
def test_hostile_search_input_never_raises(tiny, query):
    frame = search_lessons(tiny, query=query)
    assert isinstance(frame, pd.DataFrame)
    assert tiny["lessons"].count == 6


def test_hostile_words_are_searched_as_plain_words(tiny):
    assert ids(search_lessons(tiny, query="'; DROP TABLE lessons; --")) == []
    assert ids(search_lessons(tiny, query='"unbalanced')) == []
    assert sorted(ids(search_lessons(tiny, query='"champions'))) == [1, 6]
    assert ids(search_lessons(tiny, query="*")) == []
    assert ids(search_lessons(tiny, query="title:champions")) == []  # 'title' is a word here, not a column


@pytest.mark.parametrize("query", ["*", "^", '""'])
def test_unsearchable_query_returns_the_documented_columns(tiny, query):
    frame = search_lessons(tiny, query=query)
    assert frame.empty
    assert list(frame.columns) == SEARCH_COLUMNS


# --- export ------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "id",
    "pilot",
    "pilot_name",
    "country",
    "key",
    "title",
    "lesson",
    "context",
    "recommendation",
    "kind",
    "phase_name",
    "themes",
    "groups",
    "methodology",
    "status",
    "evidence_strength",
    "evidence_source",
    "recorded_on",
    "language",
]


def test_lessons_for_export_has_every_field_in_search_order(tiny):
    frame = queries.lessons_for_export(tiny)
    assert list(frame.columns) == EXPORT_COLUMNS
    assert ids(frame) == ids(search_lessons(tiny))
    first = frame[frame["id"] == 1].iloc[0].to_dict()
    assert {k: first[k] for k in ("pilot_name", "country", "themes", "groups", "methodology", "recorded_on")} == {
        "pilot_name": "Tampere youth hub",
        "country": "FI",
        "themes": "Facilitation and local champions; Trust and relationships",
        "groups": "Citizens / service users; Public sector",
        "methodology": "CoSIE pilot cycle",
        "recorded_on": "2021-01-15",
    }
    assert pd.isna(frame.loc[frame["id"] == 3, "groups"].iloc[0])  # no group


@pytest.mark.parametrize("choice", CHOICES)
def test_lessons_for_export_finds_what_the_search_finds(tiny, choice):
    assert ids(queries.lessons_for_export(tiny, **choice)) == ids(search_lessons(tiny, **choice))


# --- validation ---------------------------------------------------------------------------------------------

VALIDATION_COLUMNS = ["workshop_id", "workshop", "status", "round", "agree", "disagree", "pass", "votes"]


def test_lesson_validation_counts_votes_per_workshop_and_round(tiny):
    frame = queries.lesson_validation(tiny, 1)
    assert list(frame.columns) == VALIDATION_COLUMNS
    assert records(frame) == [(1, "Validation", "closed", 1, 1, 0, 1, 2)]


def test_lesson_validation_across_workshops_rounds_and_statements(tiny):
    tiny["workshops"].update(1, {"opened_at": "2021-05-01T09:00:00Z"})
    for workshop in (
        {"id": 2, "code": "DEF567", "title": "Delphi", "status": "open", "current_round": 2,
         "opened_at": "2021-06-01T09:00:00Z"},
        {"id": 3, "code": "GHJ789", "title": "Next spring", "status": "draft", "created_at": "2021-07-01T09:00:00Z"},
        {"id": 4, "code": "KMN234", "title": "Early", "status": "closed", "opened_at": "2020-01-01T09:00:00Z"},
    ):  # fmt: skip
        tiny["workshops"].insert(workshop)
    for statement in (
        {"id": 2, "workshop_id": 2, "key": "S01", "text": "Champions matter", "lesson_id": 1},
        {"id": 3, "workshop_id": 2, "key": "S02", "text": "Champions matter, reworded", "lesson_id": 1},
        {"id": 4, "workshop_id": 2, "key": "S03", "text": "Rejected", "lesson_id": 1, "moderation": "rejected"},
        {"id": 5, "workshop_id": 2, "key": "S04", "text": "Another lesson", "lesson_id": 2},
        {"id": 6, "workshop_id": 3, "key": "S01", "text": "Not voted yet", "lesson_id": 1},
        {"id": 7, "workshop_id": 4, "key": "S01", "text": "Free statement"},
    ):
        tiny["statements"].insert(statement)
    tiny["participants"].insert_all({"id": i, "workshop_id": 2, "token": f"d{i}"} for i in (3, 4, 5, 6, 201))
    votes = [  # participant, statement, round, value
        (3, 2, 1, 1), (4, 2, 1, 1), (5, 2, 1, -1), (6, 2, 1, 0),
        (3, 3, 1, 1),  # the second statement of the same lesson adds to the same round
        (3, 2, 2, 1), (4, 2, 2, -1), (5, 2, 2, -1),
        (3, 4, 1, -1), (4, 4, 1, -1),  # a rejected statement: not counted
        (3, 5, 1, 1),  # another lesson's statement: not counted
    ]  # fmt: skip
    tiny["votes"].insert_all({"participant_id": p, "statement_id": s, "round": r, "value": v} for p, s, r, v in votes)
    assert records(queries.lesson_validation(tiny, 1)) == [
        (1, "Validation", "closed", 1, 1, 0, 1, 2),
        (2, "Delphi", "open", 1, 3, 1, 1, 5),
        (2, "Delphi", "open", 2, 1, 2, 0, 3),
        (3, "Next spring", "draft", 1, 0, 0, 0, 0),
    ]
    assert records(queries.lesson_validation(tiny, 2)) == [(2, "Delphi", "open", 1, 1, 0, 0, 1)]
    assert queries.lesson_detail(tiny, 1)["validation"][1] == {
        "workshop_id": 2,
        "workshop": "Delphi",
        "status": "open",
        "round": 1,
        "agree": 3,
        "disagree": 1,
        "pass": 1,
        "votes": 5,
    }


def test_lesson_validation_of_a_lesson_no_workshop_used(tiny):
    frame = queries.lesson_validation(tiny, 5)
    assert frame.empty and list(frame.columns) == VALIDATION_COLUMNS
    assert queries.lesson_detail(tiny, 5)["validation"] == []


# --- lesson detail ------------------------------------------------------------------------------------------


def test_lesson_detail(tiny):
    detail = queries.lesson_detail(tiny, 1)
    assert {
        k: detail[k]
        for k in (
            "id",
            "key",
            "title",
            "kind",
            "phase",
            "phase_name",
            "status",
            "pilot",
            "pilot_name",
            "country",
            "city",
            "methodology",
            "upload_id",
            "upload_file",
            "upload_at",
            "upload_by",
        )
    } == {
        "id": 1,
        "key": "L01",
        "title": "Local champions kept young people coming",
        "kind": "enabler",
        "phase": "initiate",
        "phase_name": "Initiate and mobilise",
        "status": "validated",
        "pilot": "tampere",
        "pilot_name": "Tampere youth hub",
        "country": "FI",
        "city": "Tampere",
        "methodology": "CoSIE pilot cycle",
        "upload_id": 1,
        "upload_file": "tampere.csv",
        "upload_at": "2021-05-04T10:00:00Z",
        "upload_by": "anna",
    }
    assert detail["themes"] == ["Facilitation and local champions", "Trust and relationships"]
    assert detail["groups"] == ["Citizens / service users", "Public sector"]
    assert detail["elements"] == [
        {"model": "Relational co-creation", "element": "Start from assets", "stance": "supports"},
        {"model": "Relational co-creation", "element": "Listen first", "stance": "challenges"},
    ]
    assert detail["validation"] == [
        {
            "workshop_id": 1,
            "workshop": "Validation",
            "status": "closed",
            "round": 1,
            "agree": 1,
            "disagree": 0,
            "pass": 1,
            "votes": 2,
        }
    ]


def test_lesson_detail_without_links_or_upload(tiny):
    detail = queries.lesson_detail(tiny, 5)
    assert (detail["pilot"], detail["upload_file"], detail["upload_by"]) == ("oulu", None, None)
    assert detail["themes"] == ["Trust and relationships"]
    assert detail["groups"] == []
    assert detail["elements"] == []


def test_lesson_detail_unknown_id(tiny):
    assert queries.lesson_detail(tiny, 999) is None


# --- demo notice --------------------------------------------------------------------------------------------


def test_demo_notice(tiny):
    assert queries.demo_notice(tiny) is None
    upload = tiny["uploads"].insert({"filename": "data/demo", "format": "demo", "note": "Illustrative."}).last_pk
    assert queries.demo_notice(tiny) == "Illustrative."
    tiny["uploads"].update(upload, {"status": "undone"})
    assert queries.demo_notice(tiny) is None
    tiny["uploads"].insert({"filename": "synth", "format": "synthetic", "note": "Synthetic."})
    assert queries.demo_notice(tiny) == "Synthetic."


# --- fts_query ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, written, stemmed",
    [
        ('champion "local authority" proc', '"champion" AND "proc"*', '"local authority"'),
        ("trust", '"trust"*', None),
        ("trust facilitator", '"trust" AND "facilitator"*', None),
        ('"local champions"', None, '"local champions"'),
        ('"local champions" trust', '"trust"*', '"local champions"'),
        ('"unbalanced', '"unbalanced"*', None),
        ("AND OR NOT", '"AND" AND "OR" AND "NOT"*', None),
        ("NEAR(", '"NEAR"*', None),
        ("col:value", '"col" AND "value"*', None),
        ("'; DROP TABLE lessons; --", '"DROP" AND "TABLE" AND "lessons"*', None),
        ("hard-to-reach", '"hard to reach"*', None),  # hyphenated: one phrase as written
        ("O-ring seal", '"O ring" AND "seal"*', None),
        ("NASA's", '"NASA s"*', None),
        ("Malmö", '"Malmö"*', None),
        ('"a, b!"', None, '"a b"'),
    ],
)
def test_fts_query(text, written, stemmed):
    match = fts_query(text)
    assert (match.written, match.stemmed) == (written, stemmed)


@pytest.mark.parametrize("text", ['  "" ', "", None, "   ", "*", "^", "_", "-"])
def test_fts_query_nothing_searchable(text):
    assert fts_query(text) is None


def test_fts_query_hyphens_must_be_in_the_text_and_a_column_narrows():
    assert fts_query("O-ring").hyphenated == ("%O-ring%",)
    assert fts_query("co-creation workshop").hyphenated == ("%co-creation%",)
    assert fts_query("NASA's").hyphenated == ()  # apostrophes vary (' ’): the phrase alone decides
    assert fts_query("trust", column="lesson") == Match('lesson : ("trust"*)', None, (), "lesson")
    with pytest.raises(ValueError, match="no column 'pilot'"):
        fts_query("trust", column="pilot")


def test_a_prefix_finds_words_whose_stem_is_shorter(db):
    """The stemmed index holds "commun" for communication: a prefix must still find it (and follow edits)."""
    pilot = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI"}).last_pk
    texts = {"L1": "Communication failed at night.", "L2": "We communicated with carers.", "L3": "Champions helped."}
    ids = {
        key: db["lessons"]
        .insert({"pilot_id": pilot, "key": key, "title": key, "lesson": text, "kind": "insight"})
        .last_pk
        for key, text in texts.items()
    }
    assert sorted(search_lessons(db, query="communicat")["key"]) == ["L1", "L2"]
    assert search_lessons(db, query="communicat")["snippet"].str.contains(MATCH_START).all()
    assert sorted(search_lessons(db, query="champ")["key"]) == ["L3"]
    assert sorted(search_lessons(db, query="carers communicat")["key"]) == ["L2"]
    assert search_lessons(db, query='"communicat"').empty  # a quoted word is a whole word
    db["lessons"].update(ids["L3"], {"lesson": "Champions communicated well."})
    assert sorted(search_lessons(db, query="communicat")["key"]) == ["L1", "L2", "L3"]
    db["lessons"].delete(ids["L2"])
    assert sorted(search_lessons(db, query="communicat")["key"]) == ["L1", "L3"]
    assert word_forms(db, ["Communication"]) == {"Communication": ["communicated", "communication"]}


def test_a_prefix_is_not_stemmed_and_a_whole_word_is(db):
    """ "communicat" finds communication, not community, though the stemmer makes "commun" of both (#17)."""
    pilot = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI"}).last_pk
    texts = {
        "L1": "Communication failed at night.",
        "L2": "The community met weekly.",
        "L3": "Communities and communicators.",
        "L4": "Generous donors; general rules.",
        "L5": "We communicate by phone.",
        "L6": "Residents were excluded.",
    }
    for key, text in texts.items():
        db["lessons"].insert({"pilot_id": pilot, "key": key, "title": key, "lesson": text, "kind": "insight"})

    def keys(query, **kw):
        return sorted(search_lessons(db, query=query, **kw)["key"])

    assert keys("communicat") == ["L1", "L3", "L5"]
    assert keys("communit") == ["L2", "L3"]
    # typed whole, a word stands for every word of its Porter stem, which for "commun" includes community
    assert keys("communication") == ["L1", "L2", "L3", "L5"]
    assert keys("communication failed") == ["L1"]
    assert keys("generat") == []  # "gener" is the stem of general and generous, but neither starts with generat
    assert keys("communic") == ["L1", "L3", "L5"]  # its stem is "commun", but it is no word: a start only
    assert keys("excluding") == ["L6"]  # no lesson says excluding, but it ends as an inflected word: typed whole
    assert keys("communicat", column="title") == []
    assert keys("communicat", column="lesson") == ["L1", "L3", "L5"]


def test_hyphenated_words_match_as_written(db):
    pilot = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI"}).last_pk
    texts = {
        "L1": "The O-ring failed in the cold.",
        "L2": "O-rings were replaced.",
        "L3": "An O ring, a ring of O.",
        "L4": "Co-creation with residents; a follow-up visit.",
        "L5": "The creation of a co op; follow up later.",
        "L6": "Zero-ring tolerance.",
    }
    for key, text in texts.items():
        db["lessons"].insert({"pilot_id": pilot, "key": key, "title": key, "lesson": text, "kind": "insight"})

    def keys(query):
        return sorted(search_lessons(db, query=query)["key"])

    assert keys("O-ring") == ["L1", "L2"]
    assert keys("o-rings") == ["L1", "L2"]  # typed whole, the last word also stands for its forms
    assert keys("O-ring cold") == ["L1"]
    assert keys("co-creation") == ["L4"]
    assert keys("co-creat") == ["L4"]
    assert keys("follow-up") == ["L4"]
    assert keys("ring") == ["L1", "L2", "L3", "L6"]  # the word alone is still found inside hyphenated words
    snippet = search_lessons(db, query="co-creation")["snippet"][0]
    assert f"{MATCH_START}Co-creation{queries.MATCH_END}" in snippet

"""components.url_state: links read into widget state and state written back as links, without a Streamlit run."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from components.url_state import Param, decode, encode, iso_date
from components.widgets import LESSON_FACETS, lesson_url_spec

FACETS = {
    name: pd.DataFrame({"value": values})
    for name, values in {
        "pilots": ["alpha", "beta"],
        "countries": ["FI", "PT"],
        "themes": ["trust", "digital"],
        "kinds": ["enabler", "barrier", "recommendation", "insight"],
        "phases": ["initiate", "evaluate"],
        "statuses": ["draft", "submitted", "validated"],
        "groups": ["citizens", "public"],
        "methodologies": ["improve", "cosie"],
        "status_set_by": ["decision"],
        "methods": ["world-cafe"],
        "languages": ["en", "it"],
    }.items()
}
SPEC = lesson_url_spec(FACETS)


def test_the_lessons_link_keeps_the_parameter_names_shared_links_use():
    assert list(SPEC) == ["q", *(param for param, *_ in LESSON_FACETS), "from", "to", "view", "lesson", "page"]
    assert [p for p, *_ in LESSON_FACETS] == [
        "pilot", "country", "theme", "kind", "phase", "status", "group", "method", "set_by", "uses", "written_in",
    ]  # fmt: skip


def test_a_link_opens_the_state_it_names():
    state = decode(
        SPEC,
        {
            "q": ["local champions"],
            "theme": ["trust", "digital"],
            "kind": ["enabler"],
            "from": ["2021-01-01"],
            "to": ["2022-12-31"],
            "view": ["Table"],
            "lesson": ["7"],
            "page": ["2"],
        },
    )
    assert state["lessons_query"] == "local champions"
    assert state["lessons_themes"] == ["trust", "digital"] and state["lessons_kinds"] == ["enabler"]
    assert state["lessons_pilots"] == [] and state["lessons_status_set_by"] == []
    assert (state["lessons_from"], state["lessons_to"]) == (date(2021, 1, 1), date(2022, 12, 31))
    assert (state["lessons_view"], state["lessons_open"], state["lessons_pageno"]) == ("Table", 7, 2)


def test_a_plain_link_gives_every_default():
    state = decode(SPEC, {})
    assert state["lessons_query"] == "" and state["lessons_view"] == "Cards"
    assert state["lessons_from"] is None and state["lessons_to"] is None
    assert (state["lessons_open"], state["lessons_pageno"]) == (0, 1)
    assert all(state[f"lessons_{name}"] == [] for _p, name, *_ in LESSON_FACETS)


@pytest.mark.parametrize(
    ("name", "texts", "key", "expected"),
    [
        ("theme", ["trust", "not-a-theme", "<script>"], "lessons_themes", ["trust"]),
        ("status", ["lost"], "lessons_statuses", []),
        ("from", ["yesterday"], "lessons_from", None),
        ("from", ["1899-12-31"], "lessons_from", None),
        ("to", ["2101-01-01"], "lessons_to", None),
        ("to", ["0001-01-01"], "lessons_to", None),
        ("view", ["Carousel"], "lessons_view", "Cards"),
        ("lesson", ["abc"], "lessons_open", 0),
        ("page", ["two"], "lessons_pageno", 1),
    ],
)
def test_a_value_not_allowed_or_unreadable_is_ignored(name, texts, key, expected):
    assert decode(SPEC, {name: texts})[key] == expected


def test_dates_at_the_edges_of_1900_2100_are_kept():
    state = decode(SPEC, {"from": ["1900-01-01"], "to": ["2100-12-31"]})
    assert (state["lessons_from"], state["lessons_to"]) == (date(1900, 1, 1), date(2100, 12, 31))


def test_a_single_value_parameter_takes_the_first_allowed_value():
    spec = {"k": Param("recurs_k", 3, allowed={"2", "3", "4"})}
    assert decode(spec, {"k": ["9", "4", "2"]}) == {"recurs_k": 4}


def test_the_state_is_written_as_the_link_it_came_from():
    link = {
        "q": "people",
        "country": ["FI"],
        "status": ["submitted", "validated"],
        "from": "2021-01-01",
        "view": "Table",
        "lesson": "7",
        "page": "2",
    }
    as_read = {name: value if isinstance(value, list) else [value] for name, value in link.items()}
    assert encode(SPEC, decode(SPEC, as_read)) == link


def test_defaults_stay_out_of_the_link():
    assert encode(SPEC, decode(SPEC, {})) == {}
    assert encode(SPEC, {"lessons_view": "Cards", "lessons_open": 0, "lessons_pageno": 1, "lessons_query": ""}) == {}


def test_iso_date_refuses_years_outside_the_importer_range():
    assert iso_date("2021-04-01") == date(2021, 4, 1)
    for text in ("1899-12-31", "2101-01-01", "2021-13-01", ""):
        with pytest.raises(ValueError):
            iso_date(text)

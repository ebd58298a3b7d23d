"""Spreadsheet files people download: no cell may become a formula, text arrives as written (but neutralised)."""

from __future__ import annotations

from io import BytesIO

import pandas as pd
import pytest
from openpyxl import load_workbook

from lessons import queries
from lessons.exports import CELL_LIMIT, LESSON_COLUMNS, lessons_sheet, to_csv, to_xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=cmd",
    "\r=cmd",
    "=",
]


def cells(data: bytes, sheet: str | None = None) -> list[list]:
    book = load_workbook(BytesIO(data))
    return [list(row) for row in (book[sheet] if sheet else book.active).iter_rows()]


def test_no_xlsx_cell_is_ever_a_formula():
    frame = pd.DataFrame({"title": HOSTILE, "n": range(len(HOSTILE))})
    rows = cells(to_xlsx(frame, sheet_name="Lessons"), "Lessons")
    assert all(cell.data_type != "f" for row in rows for cell in row)
    # (XML reads a carriage return back as a line feed)
    assert [row[0].value for row in rows] == ["title"] + ["'" + text.replace("\r", "\n") for text in HOSTILE]
    assert rows[1][0].data_type == "s"
    assert rows[1][0].value == '\'=HYPERLINK("http://evil.example","click")'


def test_xlsx_keeps_numbers_and_plain_text_and_leaves_missing_values_empty():
    frame = pd.DataFrame({"title": ["Plain", None, "Zürich – naïve ✓"], "votes": [3, 4, 5], "share": [0.5, None, 1.0]})
    rows = cells(to_xlsx(frame))
    assert [[c.value for c in row] for row in rows] == [
        ["title", "votes", "share"],
        ["Plain", 3, 0.5],
        [None, 4, None],
        ["Zürich – naïve ✓", 5, 1.0],
    ]
    assert rows[1][1].data_type == "n"
    assert rows[0][0].font.bold


def test_xlsx_drops_control_characters_and_cuts_overlong_text():
    frame = pd.DataFrame({"text": ["a\x00b\x0bc\x1fd\te", "\x01=cmd()", "x" * (CELL_LIMIT + 10)]})
    rows = cells(to_xlsx(frame))
    assert rows[1][0].value == "abcd\te"  # tabs are legal inside text
    assert rows[2][0].value == "'=cmd()"  # a formula revealed by the stripping is still neutralised
    assert len(rows[3][0].value) == CELL_LIMIT


@pytest.mark.parametrize(
    "name, expected", [("Lessons", "Lessons"), ("a/b:c*d?[e]", "a-b-c-d--e-"), ("x" * 40, "x" * 31), ("", "Data")]
)
def test_xlsx_sheet_names_are_ones_spreadsheets_accept(name, expected):
    assert load_workbook(BytesIO(to_xlsx(pd.DataFrame({"a": [1]}), sheet_name=name))).sheetnames == [expected]


def test_xlsx_of_an_empty_frame_has_its_header():
    assert [[c.value for c in row] for row in cells(to_xlsx(pd.DataFrame({"a": [], "b": []})))] == [["a", "b"]]


def test_csv_neutralises_the_same_cells():
    text = to_csv(pd.DataFrame({"title": HOSTILE[:4]}))
    assert text.splitlines()[1:] == [
        '"\'=HYPERLINK(""http://evil.example"",""click"")"',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1:A2)",
    ]


def test_lessons_sheet_has_readable_headers_in_order():
    frame = pd.DataFrame([{c: None for c in LESSON_COLUMNS} | {"kind": "enabler", "status": "validated", "id": 1}])
    frame["extra"] = "left out"
    sheet = lessons_sheet(frame)
    assert list(sheet.columns) == list(LESSON_COLUMNS.values())
    assert sheet.loc[0, ["Kind", "Status"]].tolist() == ["Enabler", "Validated"]


def test_a_lessons_download_from_the_store(db):
    pilot = db["pilots"].insert({"slug": "p", "name": "=Pilot", "country": "FI"}).last_pk
    db["lessons"].insert(
        {
            "pilot_id": pilot,
            "key": "L01",
            "title": '=HYPERLINK("http://evil.example")',
            "lesson": "-1 is not a formula here",
            "context": "@context",
            "recommendation": "Do it.",
            "kind": "barrier",
            "status": "applied_elsewhere",
            "recorded_on": "2021-04-01",
        }
    )
    sheet = lessons_sheet(queries.lessons_for_export(db))
    rows = cells(to_xlsx(sheet, sheet_name="Lessons"))
    assert all(cell.data_type != "f" for row in rows for cell in row)
    found = dict(zip([c.value for c in rows[0]], [c.value for c in rows[1]]))
    assert found["Title"] == '\'=HYPERLINK("http://evil.example")'
    assert found["Pilot"] == "'=Pilot"
    assert (found["What was learned"], found["Context"]) == ("'-1 is not a formula here", "'@context")
    assert (found["Kind"], found["Status"], found["Recorded on"]) == ("Barrier", "Applied elsewhere", "2021-04-01")
    assert "'=HYPERLINK" in to_csv(sheet)

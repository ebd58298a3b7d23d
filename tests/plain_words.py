"""What a policy-maker must never read in a table: raw column names, codes, "None" or "nan" (#19).

``unplain(at)`` lists every such header or cell in the tables an AppTest run rendered (``st.dataframe`` and
``st.table``), naming the table by its headers, so a failing test says where to look.
"""

from __future__ import annotations

import re

import pandas as pd

#: A code or a column name as the store spells it: lower case words joined by underscores (``mean_entropy``,
#: ``civil_society``).
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
#: How pandas and Streamlit show a missing value.
MISSING = {"None", "none", "nan", "NaN", "<NA>", "NaT", "null"}


def _unplain_text(value) -> str | None:
    text = str(value).replace("\\", "")  # st.table's Markdown escapes
    if SNAKE.match(text):
        return "a code"
    if text in MISSING:
        return "a missing value shown as such"
    return None


def unplain_frame(frame: pd.DataFrame) -> list[str]:
    """List the headers and cells of one table a reader would not understand."""
    where = " | ".join(str(c) for c in frame.columns)[:120]
    found = []
    names = [*map(str, frame.columns), frame.columns.name, frame.index.name]
    for name in names:
        if name is not None and (why := _unplain_text(name)):
            found.append(f"header {name!r} is {why} (table: {where})")
    for column in frame.columns:
        for value in frame[column].tolist():
            if value is None or (isinstance(value, float) and pd.isna(value)):
                found.append(f"column {column!r} shows a missing value as None (table: {where})")
                break
            if isinstance(value, str) and (why := _unplain_text(value)):
                found.append(f"column {column!r} holds {value!r}, {why} (table: {where})")
                break
    for value in frame.index.tolist() if frame.index.name else []:
        if isinstance(value, str) and (why := _unplain_text(value)):
            found.append(f"row {value!r} is {why} (table: {where})")
    return found


def unplain(at) -> list[str]:
    """List every header or cell of every table rendered by the AppTest ``at`` that is not in plain words."""
    found = []
    for element in [*at.dataframe, *at.table]:
        found += unplain_frame(element.value)
    return found

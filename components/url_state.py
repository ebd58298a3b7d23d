"""Keep a page's widget state in the URL (``st.query_params``), so a filtered view is a link that reopens it.

A spec maps each query parameter to ``(session_state key, multi, allowed values or None, default)``, optionally
followed by a function that reads the parameter's text into the state's value (``iso_date`` for dates). Without
one, a value takes the type of the default. A value that cannot be read, or is not allowed, is ignored.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

#: The dates a date parameter may hold: the years the importer accepts for lesson dates.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)


def iso_date(text: str) -> date:
    """Read an ISO date from a link (``YYYY-MM-DD``), refusing anything outside 1900–2100.

    >>> iso_date("2021-04-01")
    datetime.date(2021, 4, 1)
    >>> iso_date("0001-01-01")
    Traceback (most recent call last):
    ...
    ValueError: 0001-01-01 is outside 1900-2100
    """
    value = date.fromisoformat(text)
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{text} is outside 1900-2100")
    return value


def _current(spec: dict) -> dict:
    return {param: tuple(st.query_params.get_all(param)) for param in spec}


def _read(text: str, default, parse):
    """The state value for one parameter's text, or ``default`` when it cannot be read.

    >>> _read("3", 1, None), _read("x", 1, None), _read("2021-04-01", None, iso_date), _read("soon", None, iso_date)
    (3, 1, datetime.date(2021, 4, 1), None)
    """
    if parse is None:
        parse = type(default) if default is not None else str
    try:
        return parse(text)
    except (TypeError, ValueError):
        return default


def restore(page_key: str, spec: dict) -> None:
    """Set widget state from the URL when the URL changed since this page last wrote it (links, reloads)."""
    current = _current(spec)
    if st.session_state.get(f"{page_key}_url") == current:
        return
    for param, (state_key, multi, allowed, default, *rest) in spec.items():
        values = [v for v in current[param] if allowed is None or v in allowed]
        if multi:
            st.session_state[state_key] = values
        elif values:
            st.session_state[state_key] = _read(values[0], default, rest[0] if rest else None)
        else:
            st.session_state[state_key] = default
    st.session_state[f"{page_key}_url"] = current


def publish(page_key: str, spec: dict) -> None:
    """Write the widgets' state into the URL (defaults are left out, so plain views keep plain links)."""
    params = {}
    for param, (state_key, multi, _allowed, default, *_rest) in spec.items():
        value = st.session_state.get(state_key)
        if multi:
            if value:
                params[param] = [str(v) for v in value]
        elif value not in (None, "", default):
            params[param] = value.isoformat() if isinstance(value, date) else str(value)
    if {k: tuple(v) if isinstance(v, list) else (v,) for k, v in params.items()} != {
        k: v for k, v in _current(spec).items() if v
    }:
        st.query_params.from_dict(params)
    st.session_state[f"{page_key}_url"] = _current(spec)

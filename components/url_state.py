"""Keep a page's widget state in the URL (``st.query_params``), so a filtered view is a link that reopens it.

A spec maps each query parameter to ``(session_state key, multi, allowed values or None, default)``.
"""

from __future__ import annotations

import streamlit as st


def _current(spec: dict) -> dict:
    return {param: tuple(st.query_params.get_all(param)) for param in spec}


def restore(page_key: str, spec: dict) -> None:
    """Set widget state from the URL when the URL changed since this page last wrote it (links, reloads)."""
    current = _current(spec)
    if st.session_state.get(f"{page_key}_url") == current:
        return
    for param, (state_key, multi, allowed, default) in spec.items():
        values = [v for v in current[param] if allowed is None or v in allowed]
        if multi:
            st.session_state[state_key] = values
        elif values:
            st.session_state[state_key] = type(default)(values[0]) if default is not None else values[0]
        else:
            st.session_state[state_key] = default
    st.session_state[f"{page_key}_url"] = current


def publish(page_key: str, spec: dict) -> None:
    """Write the widgets' state into the URL (defaults are left out, so plain views keep plain links)."""
    params = {}
    for param, (state_key, multi, _allowed, default) in spec.items():
        value = st.session_state.get(state_key)
        if multi:
            if value:
                params[param] = [str(v) for v in value]
        elif value not in (None, "", default):
            params[param] = str(value)
    if {k: tuple(v) if isinstance(v, list) else (v,) for k, v in params.items()} != {
        k: v for k, v in _current(spec).items() if v
    }:
        st.query_params.from_dict(params)
    st.session_state[f"{page_key}_url"] = _current(spec)

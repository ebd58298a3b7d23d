"""Keep a page's widget state in the URL (``st.query_params``), so a filtered view is a link that reopens it.

A page describes its link as a spec: a dict from query parameter name to :class:`Param` (the session-state key it
fills, its default, the values allowed). :func:`decode` and :func:`encode` turn parameters into state and back and
touch no Streamlit; :func:`restore` (top of the page) and :func:`publish` (end of the page) apply them.

Why not ``bind="query-params"`` (Streamlit 1.67): a bound widget's parameter is named by its widget key
(``lessons_themes``, not ``theme``) and holds the option's *label* (``Portugal (1)``, a model's name), not its value
(``PT``, a slug). The facet labels carry live counts, so such links would break with the next upload or filter, and
every link shared so far (``?theme=trust&pilot=alpha``) would be dropped as invalid. The URL is also written by the
browser, so AppTest cannot see it. Measured against 1.67.0; see issue #15.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from components.language import link_params

__all__ = ["FIRST_DATE", "LAST_DATE", "Param", "decode", "encode", "iso_date", "publish", "restore"]

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


@dataclass(frozen=True)
class Param:
    """One query parameter: the session-state ``key`` it fills and the value it has when the link says nothing.

    ``allowed`` lists the texts a link may hold (None: any); ``many`` keeps every allowed value as a list (a
    multiselect); ``read`` turns the text into the state's value (default: the type of ``default``, else ``str``).
    """

    key: str
    default: object = None
    allowed: Collection[str] | None = None
    many: bool = False
    read: Callable[[str], object] | None = None

    def parse(self, text: str) -> object:
        """The state value for one text, or the default when it cannot be read.

        >>> Param("k", 1).parse("3"), Param("k", 1).parse("x"), Param("d", read=iso_date).parse("soon")
        (3, 1, None)
        """
        read = self.read or (type(self.default) if self.default is not None else str)
        try:
            return read(text)
        except (TypeError, ValueError):
            return self.default


def decode(spec: Mapping[str, Param], params: Mapping[str, Sequence[str]]) -> dict[str, object]:
    """The session state a link asks for: every key of the spec, its default where a value is missing or not allowed.

    >>> spec = {"k": Param("recurs_k", 3, allowed={"2", "3", "4"}), "pilot": Param("p", many=True, allowed={"a", "b"})}
    >>> decode(spec, {"k": ["4"], "pilot": ["b", "zz", "a"]})
    {'recurs_k': 4, 'p': ['b', 'a']}
    >>> decode(spec, {"k": ["99"]})
    {'recurs_k': 3, 'p': []}
    """
    state: dict[str, object] = {}
    for name, param in spec.items():
        values = [v for v in params.get(name, ()) if param.allowed is None or v in param.allowed]
        if param.many:
            state[param.key] = values
        else:
            state[param.key] = param.parse(values[0]) if values else param.default
    return state


def encode(spec: Mapping[str, Param], state: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The link for a state: defaults and empty choices are left out, so a plain view keeps a plain link.

    >>> spec = {"q": Param("query", ""), "from": Param("start", read=iso_date), "theme": Param("themes", many=True)}
    >>> encode(spec, {"query": "trust", "start": date(2021, 4, 1), "themes": ["a", "b"]})
    {'q': 'trust', 'from': '2021-04-01', 'theme': ['a', 'b']}
    >>> encode(spec, {"query": "", "themes": []})
    {}
    """
    params: dict[str, str | list[str]] = {}
    for name, param in spec.items():
        value = state.get(param.key)
        if param.many:
            if value:
                params[name] = [str(v) for v in value]
        elif value not in (None, "", param.default):
            params[name] = value.isoformat() if isinstance(value, date) else str(value)
    return params


def _current(spec: Mapping[str, Param]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(st.query_params.get_all(name)) for name in spec}


def restore(page: str, spec: Mapping[str, Param]) -> None:
    """Set widget state from the URL when the URL changed since this page last wrote it (links, reloads, back)."""
    current = _current(spec)
    if st.session_state.get(f"{page}_url") == current:
        return
    for key, value in decode(spec, current).items():
        st.session_state[key] = value
    st.session_state[f"{page}_url"] = current


def publish(page: str, spec: Mapping[str, Param]) -> None:
    """Write the widgets' state into the URL when it differs from what the URL already says; the reader's language
    (``?lang=``) stays in it, so a shared filtered link opens in the language it was shared in."""
    wanted = encode(spec, st.session_state)
    shown = {name: values for name, values in _current(spec).items() if values}
    if {name: tuple(v) if isinstance(v, list) else (v,) for name, v in wanted.items()} != shown:
        st.query_params.from_dict({**wanted, **link_params()})
    st.session_state[f"{page}_url"] = _current(spec)

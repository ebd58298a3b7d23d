"""CSV edge lists: one tie per row, the two ends in named columns, stakeholders named by their keys."""

from __future__ import annotations

from lessons.i18n import _, ngettext, number
from lessons.ingest.networks import limits
from lessons.ingest.networks.builder import NetworkData, _Builder, _only
from lessons.ingest.networks.names import _DIRECTIONS, _NO, _YES, _Entry, _fold


def _column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    return next((c for c in columns if _fold(c) == _fold(wanted)), None)


def _yes_no(text: str) -> bool | None:
    folded = _fold(text)
    return True if folded in _YES else False if folded in _NO else None


def read_edge_list(
    rows: list[dict[str, str]], filename: str, *, source: str = "source", target: str = "target", directed: bool = False
) -> NetworkData:
    """Read CSV rows (as :class:`csv.DictReader` gives them) into stakeholder and tie rows.

    Parameters
    ----------
    rows : list of dict
        One dict per data row, column name to text; the header is row 1, so ``rows[0]`` is row 2.
    filename : str
        The file's name, used in problems.
    source, target : str
        Names of the columns holding the two ends (compared without case or accents).
    directed : bool
        Direction of ties whose row does not say (no ``directed`` column, or an empty cell).

    Returns
    -------
    NetworkData
        One tie per row (``relation`` from a relation/type/kind/label column, ``weight``, ``period``, a
        ``directed`` yes/no column; a ``type`` column holding only Directed/Undirected, as Gephi exports it, gives
        the direction), one stakeholder per distinct end (named by its key), and every problem.

    Examples
    --------
    >>> net = read_edge_list([{"from": "A", "to": "B", "directed": "yes"}, {"from": "A", "to": "A", "directed": ""}], "t.csv", source="From", target="To")
    >>> [(t["source"], t["target"], t["directed"], t["_row"]) for t in net.ties]
    [('A', 'B', True, 2), ('A', 'A', False, 3)]
    >>> print(net.problems[0])
    t.csv, row 3, column target: The tie goes from 'A' to itself: a stakeholder cannot be tied to itself. Remove this tie, or correct its source or target.
    """
    builder = _Builder(filename)
    if len(rows) > limits.MAX_ELEMENTS:
        return _only(
            filename,
            _("The file has {n} rows; at most {limit} ties are read.").format(
                n=number(len(rows)), limit=number(limits.MAX_ELEMENTS)
            ),
            _("Upload the stakeholder network of one pilot."),
        )
    if not rows:
        return _only(
            filename,
            _("The edge list holds no ties."),
            _(
                "Put one tie per row below the header: the key of the stakeholder it starts from and the one it goes to."
            ),
        )
    columns = list(dict.fromkeys(k for r in rows for k in r if k is not None))
    ends = _column(columns, source), _column(columns, target)
    if None in ends:
        missing = _(" and ").join(f"'{w}'" for w, found in zip((source, target), ends) if found is None)
        listed = ", ".join(f"'{c}'" for c in columns) or _("none")
        return _only(
            filename,
            _("The edge list has no column {missing} (its columns: {listed}).").format(missing=missing, listed=listed),
            _("Name the columns of the two ends source and target, or choose them when uploading."),
            row=1,
        )
    src, tgt = ends
    flag = _column(columns, "directed")
    kind = _column(columns, "type")
    if flag is None and kind is not None:
        values = {_fold(r.get(kind) or "") for r in rows} - {""}
        if values and values <= set(_DIRECTIONS):
            flag = kind  # Gephi's edge table: Type = Directed / Undirected
    known: set[str] = set()
    for position, raw in enumerate(rows):
        row = position + 2
        values = {k: "" if v is None else str(v) for k, v in raw.items() if k is not None}
        extra = [str(v) for v in (raw.get(None) or []) if v not in (None, "")]
        if not any(v.strip() for v in values.values()) and not extra:
            continue
        tie_directed = directed
        if flag is not None and values.get(flag, "").strip():
            said = _DIRECTIONS.get(_fold(values[flag])) if flag == kind else _yes_no(values[flag])
            if said is None:
                builder.problem(
                    row,
                    flag,
                    (
                        _("'{value}' does not say whether the tie is directed; it was read as directed.")
                        if directed
                        else _("'{value}' does not say whether the tie is directed; it was read as undirected.")
                    ).format(value=values[flag]),
                    _("Write yes or no."),
                    "warning",
                )
            else:
                tie_directed = said
        entries = [_Entry(k, v) for k, v in values.items() if k not in (src, tgt, flag) and v.strip()]
        if extra:
            entries.append(_Entry("extra cells", extra, raw=True))
            builder.problem(
                row,
                None,
                ngettext(
                    "This row has {n} cell(s) more than the header; they were kept as 'extra cells'.",
                    "This row has {n} cell(s) more than the header; they were kept as 'extra cells'.",
                    len(extra),
                ).format(n=number(len(extra))),
                _("Remove the extra cells, or quote cells that contain the separator."),
                "warning",
            )
        a, b = values.get(src, "").strip(), values.get(tgt, "").strip()
        for key in (a, b):
            if key and key not in known:
                known.add(key)
                builder.add_node(key, [], row)
        builder.add_tie(a, b, tie_directed, entries, row)
        if len(builder.ties) + len(builder.stakeholders) > limits.MAX_ELEMENTS:
            return _only(
                filename,
                _(
                    "The network has more than {limit} stakeholders and ties together; reading stopped at row {row}."
                ).format(limit=number(limits.MAX_ELEMENTS), row=row),
                _("Upload the stakeholder network of one pilot."),
            )
    if not builder.ties:
        builder.problem(
            None,
            None,
            _("The edge list holds no ties."),
            _(
                "Put one tie per row below the header: the key of the stakeholder it starts from and the one it goes to."
            ),
        )
        return NetworkData([], [], builder.problems)
    return builder.finish(nodes_declared=False, what="ties")

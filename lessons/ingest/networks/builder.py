"""The builder every reader shares: records, the checks common to every format, and the problems found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lessons.i18n import _, ngettext, number
from lessons.ingest.networks import limits
from lessons.ingest.networks.names import (
    _NO,
    _NODE_FIELDS,
    _TIE_FIELDS,
    _YES,
    _convert,
    _Entry,
    _first_text,
    _fold,
    _number,
)
from lessons.ingest.problems import Problem


@dataclass
class NetworkData:
    """Rows read from one network file, and every problem found in it.

    ``stakeholders`` holds one dict per node: ``key``, ``name``, ``sector``, ``hard_to_reach``, ``role``,
    ``organisation``, ``pilot`` (raw text or None), ``attributes`` (everything else, by name), ``_row`` (where it was
    read) and ``_pilot`` (the pilot's ``name`` and ``country`` when the node names them, as this app's exports do).
    ``ties`` holds one dict per edge: ``source``, ``target``, ``relation``, ``directed`` (bool), ``weight`` (float
    or None when the file gives none), ``period``, ``pilot`` (its source's), ``attributes`` and ``_row``. What the
    file holds and no row keeps (the graph's own data, meta data, yEd graphics …) is named in one warning.
    """

    stakeholders: list[dict] = field(default_factory=list)
    ties: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


class _Builder:
    """Collects records and problems for one file; ``finish`` runs the checks common to every format."""

    def __init__(self, filename: str):
        self.filename = filename
        self.stakeholders: list[dict] = []
        self.ties: list[dict] = []
        self.problems: list[Problem] = []
        self._tallies: dict[tuple, list] = {}
        self.not_kept: dict[str, None] = {}  # what the file holds that no row keeps, in the order met

    def drop(self, what: str) -> None:
        """Note something the file holds that is not kept; :meth:`finish` names them all in one warning."""
        self.not_kept.setdefault(what, None)

    def problem(self, row, column, message, fix, severity="error") -> None:
        self.problems.append(Problem(self.filename, None, row, column, message, fix, severity))

    def tally(
        self, key: tuple, row, column, message: Callable[[int], str], fix: str, severity: str = "warning"
    ) -> None:
        """One problem for many occurrences: ``message(n)`` says it once the count ``n`` is known (with ``ngettext``)."""
        if key in self._tallies:
            self._tallies[key][4] += 1
        else:
            self._tallies[key] = [row, column, message, fix, 1, severity]

    def split(self, entries: list[_Entry], spec: dict, row) -> tuple[dict, dict]:
        """Map entries to columns by name (first alias wins); the rest, converted by type, go to ``attributes``."""
        folded = [_fold(e.name) for e in entries]
        used: dict[int, str] = {}
        mapped: dict[str, _Entry] = {}
        for column, aliases in spec.items():
            for alias in aliases:
                hit = next(
                    (i for i, f in enumerate(folded) if f == alias and i not in used and not entries[i].raw and _first_text(entries[i].value) is not None),
                    None,
                )  # fmt: skip
                if hit is not None:
                    used[hit] = column
                    mapped[column] = entries[hit]
                    break
        attributes: dict = {}
        for i, entry in enumerate(entries):
            timed = isinstance(entry.value, list) and not entry.raw
            if i in used and not timed:
                continue
            if i in used and timed:
                column = used[i].replace("_", " ")
                self.tally(
                    ("timed", entry.name), row, entry.name,
                    lambda n, name=entry.name, column=column: ngettext(
                        "'{name}' has several values over time ({n} record); the first was used as the {column}.",
                        "'{name}' has several values over time ({n} records); the first was used as the {column}.",
                        n,
                    ).format(n=number(n), name=name, column=column),
                    _("All values are kept with the record; check that the first is the one you mean."),
                )  # fmt: skip
            elif i not in used and (_redundant(entry, folded[i], mapped) or _empty(entry)):
                continue
            name = entry.name
            while name in attributes:
                name += "_2"
            attributes[name] = self._typed(entry, row)
        return {k: _first_text(v.value) for k, v in mapped.items()}, attributes

    def _typed(self, entry: _Entry, row):
        if entry.raw:
            return entry.value
        values = entry.value if isinstance(entry.value, list) else [{"value": entry.value}]
        out = []
        for item in values:
            text = item.get("value")
            try:
                converted = _convert(text, entry.kind) if text is not None else None
            except ValueError:
                converted = text
                self.tally(
                    ("type", entry.name), row, entry.name,
                    lambda n, name=entry.name, kind=entry.kind, text=text: ngettext(
                        "'{name}' is declared as {kind}, but {n} value is not (first: '{text}'); it was kept as text.",
                        "'{name}' is declared as {kind}, but {n} values are not (first: '{text}'); they were kept as text.",
                        n,
                    ).format(n=number(n), name=name, kind=kind, text=text),
                    _("Correct the values, or declare '{name}' as a string attribute.").format(name=entry.name),
                )  # fmt: skip
            out.append({**item, "value": converted})
        return out if isinstance(entry.value, list) else out[0]["value"]

    def add_node(self, key: str, entries: list[_Entry], row) -> None:
        mapped, attributes = self.split(entries, _NODE_FIELDS, row)
        if "key" in attributes and str(attributes["key"]).strip() == key:
            del attributes["key"]  # this app's exports repeat the id as data (igraph mangles ids, not text)
        if mapped.get("sector") and "sector_name" in attributes:
            del attributes["sector_name"]  # the sector's name, which comes with the sector
        facts = {}
        if mapped.get("pilot"):
            for name in ("name", "country"):
                value = attributes.pop(f"pilot_{name}", None)
                if value not in (None, ""):
                    facts[name] = str(value)
        self.stakeholders.append(
            {
                "key": key,
                "name": mapped.get("name") or key,
                "sector": mapped.get("sector"),
                "hard_to_reach": mapped.get("hard_to_reach"),
                "role": mapped.get("role"),
                "organisation": mapped.get("organisation"),
                "pilot": mapped.get("pilot"),
                "attributes": attributes,
                "_row": row,
                "_pilot": facts,
            }
        )

    def add_tie(
        self, source: str, target: str, directed: bool, entries: list[_Entry], row, period=None, *, marked=False
    ) -> None:
        """Record a tie.

        Without a per-edge direction mark (``marked``), a yes/no data value named ``directed`` — as this app's own
        exports write it — decides the direction, so mixed networks survive a round trip.
        """
        flag = next((e for e in entries if not e.raw and _fold(e.name) == "directed"), None)
        text = (_first_text(flag.value) or "").casefold() if flag else ""
        if text in _YES or text in _NO:
            if not marked:
                directed = text in _YES
            if directed == (text in _YES):  # it says what the mark says: nothing more to keep
                entries = [e for e in entries if e is not flag]
        mapped, attributes = self.split(entries, _TIE_FIELDS, row)
        weight = None
        if mapped.get("weight") is not None:
            column = next(
                e.name
                for e in entries
                if _fold(e.name) in _TIE_FIELDS["weight"] and _first_text(e.value) == mapped["weight"]
            )
            try:
                weight = _number(mapped["weight"])
            except ValueError:
                attributes.setdefault(column, mapped["weight"])
                self.problem(
                    row,
                    column,
                    _("The weight '{value}' is not a number.").format(value=mapped["weight"]),
                    _("Give the strength as a number greater than 0, e.g. 1 to 5, or leave it empty."),
                )
            else:
                if weight <= 0:
                    self.problem(
                        row,
                        column,
                        _("The weight {value} is not greater than 0.").format(value=mapped["weight"]),
                        _("Give the strength as a number greater than 0, e.g. 1 to 5, or leave it empty."),
                    )
        self.ties.append(
            {
                "source": source,
                "target": target,
                "pilot": None,
                "relation": mapped.get("relation"),
                "directed": directed,
                "weight": weight,
                "period": mapped.get("period") or period,
                "attributes": attributes,
                "_row": row,
            }
        )

    def finish(self, *, nodes_declared: bool = True, what: str = "nodes") -> NetworkData:
        """Check the records (empty, duplicate ids, unknown ends, self-loops, parallel ties) and sort the problems."""
        if not self.stakeholders:
            self.problem(
                None,
                None,
                _("The file holds no stakeholders (no ties).")
                if what == "ties"
                else _("The file holds no stakeholders (no nodes)."),
                _("Export the network again with its nodes, or choose the file that holds them."),
            )
        first_row: dict[str, object] = {}
        for node in self.stakeholders:
            if node["key"] in first_row:
                first = first_row[node["key"]]
                self.problem(
                    node["_row"],
                    "id",
                    (
                        _("The node id '{key}' is used twice (first on row {row}).")
                        if first is not None
                        else _("The node id '{key}' is used twice.")
                    ).format(key=node["key"], row=first),
                    _("Give every stakeholder its own id, or merge the two nodes into one."),
                )
            else:
                first_row[node["key"]] = node["_row"]
        seen: dict[tuple, object] = {}
        for tie in self.ties:
            row, source, target = tie["_row"], tie["source"], tie["target"]
            for end, value in (("source", source), ("target", target)):
                if not value:
                    self.problem(
                        row,
                        end,
                        _("The tie has no source.") if end == "source" else _("The tie has no target."),
                        _("Give the key of the stakeholder the tie starts from.")
                        if end == "source"
                        else _("Give the key of the stakeholder the tie goes to."),
                    )
                elif nodes_declared and value not in first_row:
                    self.problem(
                        row,
                        end,
                        (
                            _("The tie's source '{value}' is not one of the nodes.")
                            if end == "source"
                            else _("The tie's target '{value}' is not one of the nodes.")
                        ).format(value=value),
                        (
                            _("Add a node with id '{value}', or correct the tie's source.")
                            if end == "source"
                            else _("Add a node with id '{value}', or correct the tie's target.")
                        ).format(value=value),
                    )
            if source and source == target:
                self.problem(
                    row,
                    "target",
                    _("The tie goes from '{source}' to itself: a stakeholder cannot be tied to itself.").format(
                        source=source
                    ),
                    _("Remove this tie, or correct its source or target."),
                )
                continue
            ends = (source, target) if tie["directed"] else tuple(sorted((source, target)))
            key = (ends, tie["directed"], tie["relation"], tie["period"])
            if source and target and key in seen:
                said = (
                    _(
                        "There is already a tie between '{source}' and '{target}' (first on row {row}): parallel tie kept."
                    )
                    if seen[key] is not None
                    else _("There is already a tie between '{source}' and '{target}': parallel tie kept.")
                )
                self.problem(
                    row, None, said.format(source=source, target=target, row=seen[key]),
                    _("Remove it if it is a duplicate; keep it if the two ties mean different things (then give them different relations)."), "warning",
                )  # fmt: skip
            else:
                seen.setdefault(key, row)
        pilots = {node["key"]: node["pilot"] for node in self.stakeholders if node.get("pilot")}
        for tie in self.ties:
            tie["pilot"] = pilots.get(tie["source"]) or pilots.get(tie["target"])
        if self.not_kept:
            self.problem(
                None, None,
                ngettext("Not kept from the file: {items}.", "Not kept from the file: {items}.", len(self.not_kept)).format(items="; ".join(self.not_kept)),
                _("Everything else is kept with its stakeholder or tie; to keep these too, put them on the nodes or edges in your network tool."),
                "warning",
            )  # fmt: skip
        for row, column, message, fix, n, severity in self._tallies.values():
            self.problems.append(Problem(self.filename, None, row, column, message(n), fix, severity))
        self.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        return NetworkData(self.stakeholders, self.ties, self.problems)


def _empty(entry: _Entry) -> bool:
    """Tell whether a value is empty (``<data key="d6"/>``, an empty cell): an empty value is no data."""
    return not entry.raw and not isinstance(entry.value, list) and _first_text(entry.value) is None


def _redundant(entry: _Entry, folded: str, mapped: dict[str, _Entry]) -> bool:
    """Tell whether a value repeats a mapped value (Gephi 0.8 writes the weight twice): it adds nothing."""
    for column, used in mapped.items():
        if _fold(used.name) == folded and not isinstance(entry.value, list):
            a, b = _first_text(entry.value), _first_text(used.value)
            if a == b:
                return True
            if column == "weight":
                try:
                    return _number(a or "") == _number(b or "")
                except ValueError:
                    return False
    return False


def _only(filename: str, message: str, fix: str, row=None) -> NetworkData:
    return NetworkData([], [], [Problem(filename, None, row, None, message, fix)])


def _too_big_or_empty(data: bytes, filename: str) -> NetworkData | None:
    if len(data) > limits.MAX_FILE_BYTES:
        return _only(
            filename,
            _("The file is {size} MB; at most {limit} MB are accepted.").format(
                size=number(round(len(data) / 2**20)), limit=number(limits.MAX_FILE_BYTES // 2**20)
            ),
            _("Upload a smaller network, e.g. without layout (viz) data."),
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        return _only(filename, _("The file is empty."), _("Choose the file that holds your network."))
    return None

"""Read a pilot's stakeholder network: GraphML, GEXF (1.1draft, 1.2draft, 1.3, as Gephi writes them) or a CSV edge list.

Every reader returns a :class:`NetworkData`: plain rows for the ``stakeholders`` and ``ties`` tables plus every
problem found, as :class:`~lessons.ingest.problems.Problem` values. Readers never raise on bad input and never drop
data silently: a record with an error is still returned (its ``_row`` matches the problem's ``row``), so the preview
can show it and the importer can decide. For XML files ``_row`` and ``Problem.row`` are source line numbers; for CSV
files they are spreadsheet rows (the header is row 1).

XML is read with :mod:`xml.parsers.expat` (which gives line numbers) after refusing any DOCTYPE or entity
declaration, so entity expansion ("billion laughs") and external entities (XXE) cannot happen. Values are kept raw:
sectors, yes/no flags and periods are normalised by another module.

>>> net = read_network(b"source,target,weight\\nCity,NGO,2\\nNGO,University,1\\n", "ties.csv")
>>> [s["key"] for s in net.stakeholders], [t["weight"] for t in net.ties], net.problems
(['City', 'NGO', 'University'], [2.0, 1.0], [])
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath
from xml.parsers import expat

from lessons.ingest.fields import STAKEHOLDERS, TIES
from lessons.ingest.problems import Problem

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ELEMENTS = 200_000
GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
GEXF_NAMESPACES = {
    "": "no namespace",
    "http://www.gexf.net/1.1draft": "1.1draft",
    "http://www.gexf.net/1.2draft": "1.2draft",
    "http://gexf.net/1.3": "1.3",
    "http://www.gexf.net/1.3": "1.3",
}
_GEXF_NAMESPACE = re.compile(r"^https?://(www\.)?gexf\.net/1\.\d+(draft)?/?$")
_DIRECTIONS = {"directed": True, "undirected": False, "mutual": False}
_YES = {"yes", "y", "true", "t", "1", "directed", "ja", "oui", "si", "sí", "kyllä"}
_NO = {"no", "n", "false", "f", "0", "undirected", "nein", "non", "ei"}
_TIME_ATTRIBUTES = ("start", "end", "startopen", "endopen", "timestamp", "timestamps")


@dataclass
class NetworkData:
    """Rows read from one network file, and every problem found in it.

    ``stakeholders`` holds one dict per node: ``key``, ``name``, ``sector``, ``hard_to_reach``, ``role``,
    ``organisation`` (raw text or None), ``attributes`` (everything else, by name) and ``_row`` (where it was read).
    ``ties`` holds one dict per edge: ``source``, ``target``, ``relation``, ``directed`` (bool), ``weight`` (float
    or None when the file gives none), ``period``, ``attributes`` and ``_row``.
    """

    stakeholders: list[dict] = field(default_factory=list)
    ties: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


# --- names: which attribute feeds which column --------------------------------------------------------------------


def _fold(text) -> str:
    """Compare names without case, accents, dashes or underscores.

    >>> _fold("Hard_to-Reach"), _fold("Organisación")
    ('hard to reach', 'organisacion')
    """
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[_\-.]", " ", text).casefold().split())


def _aliases(fields, name: str, *first: str) -> tuple[str, ...]:
    spec = next(f for f in fields if f.name == name)
    return tuple(dict.fromkeys(_fold(a) for a in (*first, spec.name, spec.label, *spec.aliases)))


_NODE_FIELDS = {
    "name": _aliases(STAKEHOLDERS, "name", "label", "name"),
    "sector": _aliases(STAKEHOLDERS, "sector"),
    "hard_to_reach": _aliases(STAKEHOLDERS, "hard_to_reach"),
    "role": _aliases(STAKEHOLDERS, "role"),
    "organisation": _aliases(STAKEHOLDERS, "organisation"),
}
_TIE_FIELDS = {
    "relation": (*_aliases(TIES, "relation"), "edge label"),
    "weight": _aliases(TIES, "weight"),
    "period": _aliases(TIES, "period"),
}
_SOURCE_NAMES = _aliases(TIES, "source", "source")
_TARGET_NAMES = _aliases(TIES, "target", "target")


@dataclass
class _Entry:
    """One named value of a node or edge. ``value`` is text, or a list of timed values ``{"value", "start", …}``."""

    name: str
    value: object
    kind: str = "string"
    raw: bool = False  # kept as it is in ``attributes``, never mapped to a column


def _first_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0].get("value") if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _convert(value: str, kind: str):
    """A text value as its declared GraphML/GEXF type; raises ValueError when it does not fit."""
    kind = (kind or "string").casefold()
    text = value.strip()
    if kind in ("int", "integer", "long", "short", "byte"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        if text.casefold() in ("true", "1"):
            return True
        if text.casefold() in ("false", "0"):
            return False
        raise ValueError(text)
    return value


def _number(text: str) -> float:
    """A weight: ``2``, ``2.5`` or ``2,5``; raises ValueError for anything else (including nan and infinity)."""
    from lessons.ingest.normalise import parse_number

    try:
        value = parse_number(text)
    except OverflowError:
        raise ValueError(text) from None
    if value is None or not math.isfinite(value):
        raise ValueError(text)
    return value


def _iso_date(text: str | None) -> str | None:
    """The ISO date a GEXF start/timestamp holds, else None (Gephi also writes plain numbers there).

    >>> _iso_date("2023-04-01"), _iso_date("2023-04-01T10:00:00"), _iso_date("2.0")
    ('2023-04-01', '2023-04-01', None)
    """
    if not text or not re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        return None


# --- the shared builder: records, checks and problems -------------------------------------------------------------


class _Builder:
    """Collects records and problems for one file; ``finish`` runs the checks common to every format."""

    def __init__(self, filename: str):
        self.filename = filename
        self.stakeholders: list[dict] = []
        self.ties: list[dict] = []
        self.problems: list[Problem] = []
        self._tallies: dict[tuple, list] = {}

    def problem(self, row, column, message, fix, severity="error") -> None:
        self.problems.append(Problem(self.filename, None, row, column, message, fix, severity))

    def tally(self, key: tuple, row, column, message: str, fix: str, severity: str = "warning") -> None:
        """One problem for many occurrences: ``message`` may use ``{n}`` (how many) and ``{s}`` (plural s)."""
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
                self.tally(
                    ("timed", entry.name), row, entry.name,
                    f"'{entry.name}' has several values over time ({{n}} record{{s}}); the first was used as the {used[i].replace('_', ' ')}.",
                    "All values are kept with the record; check that the first is the one you mean.",
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
                    f"'{entry.name}' is declared as {entry.kind}, but {{n}} value{{s}} are not (first: '{text}'); they were kept as text.",
                    f"Correct the values, or declare '{entry.name}' as a string attribute.",
                )  # fmt: skip
            out.append({**item, "value": converted})
        return out if isinstance(entry.value, list) else out[0]["value"]

    def add_node(self, key: str, entries: list[_Entry], row) -> None:
        mapped, attributes = self.split(entries, _NODE_FIELDS, row)
        self.stakeholders.append(
            {
                "key": key,
                "name": mapped.get("name") or key,
                "sector": mapped.get("sector"),
                "hard_to_reach": mapped.get("hard_to_reach"),
                "role": mapped.get("role"),
                "organisation": mapped.get("organisation"),
                "attributes": attributes,
                "_row": row,
            }
        )

    def add_tie(
        self, source: str, target: str, directed: bool, entries: list[_Entry], row, period=None, *, marked=False
    ) -> None:
        """Record a tie. Without a per-edge direction mark (``marked``), a yes/no data value named ``directed`` —
        as this app's own exports write it — decides the direction, so mixed networks survive a round trip."""
        if not marked:
            flag = next((e for e in entries if not e.raw and _fold(e.name) == "directed"), None)
            text = (_first_text(flag.value) or "").casefold() if flag else ""
            if text in _YES or text in _NO:
                directed = text in _YES
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
                    f"The weight '{mapped['weight']}' is not a number.",
                    "Give the strength as a number greater than 0, e.g. 1 to 5, or leave it empty.",
                )
            else:
                if weight <= 0:
                    self.problem(
                        row,
                        column,
                        f"The weight {mapped['weight']} is not greater than 0.",
                        "Give the strength as a number greater than 0, e.g. 1 to 5, or leave it empty.",
                    )
        self.ties.append(
            {
                "source": source,
                "target": target,
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
                f"The file holds no stakeholders (no {what}).",
                "Export the network again with its nodes, or choose the file that holds them.",
            )
        first_row: dict[str, object] = {}
        for node in self.stakeholders:
            if node["key"] in first_row:
                where = f" (first on row {first_row[node['key']]})" if first_row[node["key"]] is not None else ""
                self.problem(
                    node["_row"],
                    "id",
                    f"The node id '{node['key']}' is used twice{where}.",
                    "Give every stakeholder its own id, or merge the two nodes into one.",
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
                        f"The tie has no {end}.",
                        f"Give the key of the stakeholder the tie {'starts from' if end == 'source' else 'goes to'}.",
                    )
                elif nodes_declared and value not in first_row:
                    self.problem(
                        row,
                        end,
                        f"The tie's {end} '{value}' is not one of the nodes.",
                        f"Add a node with id '{value}', or correct the tie's {end}.",
                    )
            if source and source == target:
                self.problem(
                    row,
                    "target",
                    f"The tie goes from '{source}' to itself: a stakeholder cannot be tied to itself.",
                    "Remove this tie, or correct its source or target.",
                )
                continue
            ends = (source, target) if tie["directed"] else tuple(sorted((source, target)))
            key = (ends, tie["directed"], tie["relation"], tie["period"])
            if source and target and key in seen:
                where = f" (first on row {seen[key]})" if seen[key] is not None else ""
                self.problem(
                    row, None, f"There is already a tie between '{source}' and '{target}'{where}: parallel tie kept.",
                    "Remove it if it is a duplicate; keep it if the two ties mean different things (then give them different relations).", "warning",
                )  # fmt: skip
            else:
                seen.setdefault(key, row)
        for row, column, message, fix, n, severity in self._tallies.values():
            self.problems.append(Problem(self.filename, None, row, column, _plural(message, n), fix, severity))
        self.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        return NetworkData(self.stakeholders, self.ties, self.problems)


def _plural(message: str, n: int) -> str:
    """Fill ``{n}`` and ``{s}`` by replacement, not ``str.format``: the message holds names from the file, whose
    braces must stay text.

    >>> _plural("'{x}' has {n} value{s}", 2)
    "'{x}' has 2 values"
    """
    return message.replace("{n}", str(n)).replace("{s}", "" if n == 1 else "s")


def _empty(entry: _Entry) -> bool:
    """An empty value (``<data key="d6"/>``, an empty cell) is no data."""
    return not entry.raw and not isinstance(entry.value, list) and _first_text(entry.value) is None


def _redundant(entry: _Entry, folded: str, mapped: dict[str, _Entry]) -> bool:
    """A second copy of a mapped value (Gephi 0.8 writes the weight twice) adds nothing."""
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


# --- XML, safely --------------------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


class _TooMany(Exception):
    pass


def _only(filename: str, message: str, fix: str, row=None) -> NetworkData:
    return NetworkData([], [], [Problem(filename, None, row, None, message, fix)])


def _too_big_or_empty(data: bytes, filename: str) -> NetworkData | None:
    if len(data) > MAX_FILE_BYTES:
        return _only(
            filename,
            f"The file is {len(data) / 2**20:,.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB are accepted.",
            "Upload a smaller network, e.g. without layout (viz) data.",
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        return _only(filename, "The file is empty.", "Choose the file that holds your network.")
    return None


def _declares(data: bytes) -> bool:
    """Whether the bytes hold a DOCTYPE or ENTITY declaration (also in UTF-16)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return True
    head = data[:4]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head in (b"<\x00?\x00", b"\x00<\x00?"):
        codec = (
            "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if head[0] == 0x3C else "utf-16-be")
        )
        text = data.decode(codec, errors="ignore")
        return "<!DOCTYPE" in text or "<!ENTITY" in text
    return False


_REFUSAL = (
    "The file contains a DOCTYPE/entity declaration, which is not allowed in uploads (it can make the server read other files or run out of memory).",
    "Export the network again from Gephi, yEd or networkx (their files have none), or delete the <!DOCTYPE …> part from the top of the file.",
)


def _parse(data: bytes, filename: str, reader) -> Problem | None:
    """Feed the XML to ``reader`` (``start(ns, name, attrs, line)``, ``end(ns, name)``, ``text(str)``) via expat."""
    if _declares(data):
        return Problem(filename, None, None, None, *_REFUSAL)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise _Refused

    def start(name, attrs):
        ns, _, local = name.rpartition("}")
        reader.start(ns, local, attrs, parser.CurrentLineNumber)

    def end(name):
        ns, _, local = name.rpartition("}")
        reader.end(ns, local)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = reader.text
    try:
        parser.Parse(data, True)
    except _Refused:
        return Problem(filename, None, None, None, *_REFUSAL)
    except _TooMany:
        return Problem(
            filename, None, parser.CurrentLineNumber, None,
            f"The network has more than {MAX_ELEMENTS:,} nodes and edges together; reading stopped there.",
            "Upload the stakeholder network of one pilot; a network this large needs a direct database import.",
        )  # fmt: skip
    except (LookupError, ValueError) as err:  # expat asks Python for the codec the XML declaration names
        if isinstance(err, ValueError) and "encoding" not in str(err):
            raise
        declared = re.search(rb"encoding\s*=\s*[\"']([^\"']{0,40})", data[:400])
        named = declared.group(1).decode("latin-1") if declared else "?"
        return Problem(
            filename, None, 1, None,
            f"The XML declaration names the encoding '{named}', which cannot be read here.",
            "Save or export the file as UTF-8 (the first line then says encoding=\"UTF-8\").",
        )  # fmt: skip
    except expat.ExpatError as err:
        return Problem(
            filename, None, err.lineno, None,
            f"The file is not well-formed XML: {expat.ErrorString(err.code)} at line {err.lineno}, column {err.offset + 1}.",
            "Export the network again from your network tool; if you edited the file by hand, check the tags near that line.",
        )  # fmt: skip
    return None


class _XMLReader:
    """Common state of the two XML readers: an element stack and a bounded element count."""

    def __init__(self, builder: _Builder):
        self.b = builder
        self.stack: list[tuple[str, object]] = []  # (local name, record) of open core elements
        self.skip = 0  # depth inside a subtree that is ignored (layout, meta, a second graph …)
        self.count = 0
        self.root: str | None = None
        self.root_ns: str | None = None

    def counted(self) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise _TooMany

    def nearest(self, *names: str):
        return next((record for local, record in reversed(self.stack) if local in names), None)


# --- GraphML ------------------------------------------------------------------------------------------------------


class _GraphMLReader(_XMLReader):
    def __init__(self, builder):
        super().__init__(builder)
        self.keys: dict[str, dict] = {}
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.graph_defaults: list[bool] = []
        self.graphs = 0
        self.nested = 0
        self.hyperedges: list[int] = []
        self.data: dict | None = None
        self.data_depth = 0
        self.default_for: dict | None = None
        self.foreign_root = False

    def start(self, ns, local, attrs, line):
        if self.root is None:
            self.root, self.root_ns = local, ns
        if self.data is not None:  # inside <data>: keep yEd's label text, ignore other graphics
            self.data_depth += 1
            if local in ("NodeLabel", "EdgeLabel") and self.data["label"] is None:
                self.data["label"] = []
                self.data["label_depth"] = self.data_depth
            return
        if self.skip or ns not in (GRAPHML_NAMESPACE, ""):
            self.skip += 1
            return
        record = None
        if local == "key":
            record = {
                "id": attrs.get("id", ""), "for": attrs.get("for", "all"), "name": attrs.get("attr.name"),
                "type": attrs.get("attr.type", "string"), "yfiles": attrs.get("yfiles.type"), "default": None, "line": line,
            }  # fmt: skip
            self.keys.setdefault(record["id"], record)
        elif local == "default" and self.stack and self.stack[-1][0] == "key":
            self.default_for = self.stack[-1][1]
            self.default_for["default"] = ""
        elif local == "graph":
            if not self.graph_defaults:
                self.graphs += 1
                if self.graphs > 1:
                    self.skip += 1
                    return
            else:
                self.nested += 1
            inherited = self.graph_defaults[-1] if self.graph_defaults else False
            edgedefault = attrs.get("edgedefault")
            self.graph_defaults.append(
                edgedefault == "directed" if edgedefault in ("directed", "undirected") else inherited
            )
            if edgedefault not in (None, "directed", "undirected"):
                self.b.problem(
                    line,
                    "edgedefault",
                    f"edgedefault='{edgedefault}' is neither directed nor undirected; ties were read as {'directed' if inherited else 'undirected'}.",
                    "Set edgedefault to directed or undirected.",
                    "warning",
                )
        elif local == "node" and self.graph_defaults:
            self.counted()
            parent = self.nearest("node")
            record = {"id": attrs.get("id", ""), "line": line, "data": [], "parent": parent["id"] if parent else None}
            self.nodes.append(record)
        elif local == "edge" and self.graph_defaults:
            self.counted()
            extra = {k: v for k, v in attrs.items() if k not in ("source", "target", "directed")}
            record = {"source": attrs.get("source", ""), "target": attrs.get("target", ""), "directed": attrs.get("directed"), "default": self.graph_defaults[-1], "line": line, "xml": extra, "data": []}  # fmt: skip
            self.edges.append(record)
        elif local == "hyperedge":
            self.hyperedges.append(line)
            self.skip += 1
            return
        elif local == "data" and self.stack and self.stack[-1][0] in ("node", "edge") and self.stack[-1][1] is not None:
            self.data = {
                "key": attrs.get("key", ""),
                "text": [],
                "label": None,
                "line": line,
                "owner": self.stack[-1][1],
            }
            self.data_depth = 0
            return
        self.stack.append((local, record))

    def end(self, ns, local):
        if self.data is not None:
            if self.data_depth == 0:
                data, self.data = self.data, None
                label = "".join(data["label"]) if data["label"] is not None else None
                data["owner"]["data"].append((data["key"], "".join(data["text"]), label, data["line"]))
                return
            if self.data.get("label_depth") == self.data_depth:
                self.data["label_depth"] = None
            self.data_depth -= 1
            return
        if self.skip:
            self.skip -= 1
            return
        self.stack.pop()
        if local == "graph":
            self.graph_defaults.pop()
        elif local == "default":
            self.default_for = None

    def text(self, text):
        if self.data is not None:
            if self.data_depth == 0:
                self.data["text"].append(text)
            elif self.data.get("label_depth"):
                self.data["label"].append(text)
        elif self.default_for is not None:
            self.default_for["default"] += text

    def entries(self, data: list[tuple], domain: str) -> list[_Entry]:
        out, present = [], set()
        for key_id, text, label, line in data:
            present.add(key_id)
            key = self.keys.get(key_id)
            if key is None:
                self.b.tally(
                    ("undeclared", key_id), line, key_id,
                    f"The data key '{key_id}' is not declared with a <key> element ({{n}} value{{s}}); the values were kept as '{key_id}'.",
                    f"Declare it at the top of the file: <key id=\"{key_id}\" for=\"{domain}\" attr.name=\"…\" attr.type=\"string\"/>.",
                )  # fmt: skip
                out.append(_Entry(key_id, text))
            elif key["yfiles"]:  # yEd keeps node and edge labels inside its graphics
                if label and label.strip():
                    out.append(_Entry("label", label.strip()))
            else:
                out.append(_Entry(key["name"] or key_id, text, key["type"]))
        for key in self.keys.values():
            if (
                key["for"] in (domain, "all")
                and key["default"] is not None
                and key["id"] not in present
                and not key["yfiles"]
            ):
                out.append(_Entry(key["name"] or key["id"], key["default"], key["type"]))
        return out

    def build(self) -> None:
        b = self.b
        if self.root != "graphml":
            b.problem(
                None,
                None,
                f"The file is not GraphML: its outermost element is <{self.root}>, not <graphml>.",
                "Export the network as GraphML (.graphml), GEXF (.gexf) or a CSV edge list.",
            )
            return
        if self.graphs == 0:
            b.problem(
                None,
                None,
                "The GraphML file has no <graph> element.",
                "Export the network again from your network tool.",
            )
            return
        if self.graphs > 1:
            b.problem(
                None,
                None,
                f"The file holds {self.graphs} graphs; only the first was read.",
                "Upload each pilot's network as its own file.",
                "warning",
            )
        if self.nested:
            b.problem(
                None,
                None,
                "The file has nested graphs (groups); all their nodes and edges were read into one network.",
                "Each node's group is kept as its attribute 'parent'; check that this is what you want.",
                "warning",
            )
        if self.hyperedges:
            b.problem(
                self.hyperedges[0],
                None,
                f"The file has {len(self.hyperedges)} hyperedge(s), which were not read: a tie joins exactly two stakeholders.",
                "Replace each hyperedge by ties between pairs of stakeholders.",
            )
        for node in self.nodes:
            entries = self.entries(node["data"], "node")
            if node["parent"] is not None:
                entries.append(_Entry("parent", node["parent"], raw=True))
            b.add_node(node["id"], entries, node["line"])
        for edge in self.edges:
            directed = edge["default"]
            flag = edge["directed"]
            if flag is not None:
                if flag.strip().casefold() in ("true", "1"):
                    directed = True
                elif flag.strip().casefold() in ("false", "0"):
                    directed = False
                else:
                    b.problem(
                        edge["line"],
                        "directed",
                        f"directed='{flag}' is neither true nor false; the tie was read as {'directed' if directed else 'undirected'}.",
                        'Write directed="true" or directed="false".',
                        "warning",
                    )
            entries = [_Entry(k, v) for k, v in edge["xml"].items()]
            b.add_tie(
                edge["source"],
                edge["target"],
                directed,
                entries + self.entries(edge["data"], "edge"),
                edge["line"],
                marked=flag is not None,
            )


def read_graphml(data: bytes, filename: str) -> NetworkData:
    """Read a GraphML file into stakeholder and tie rows.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name, used in problems.

    Returns
    -------
    NetworkData
        One stakeholder per ``<node>`` (name from a ``label``/``name`` data key, or yEd's node label, else the id),
        one tie per ``<edge>`` (direction from ``edgedefault``, overridden by an edge's ``directed``), and every
        problem. Parallel edges are kept, each with a warning.

    Examples
    --------
    >>> doc = b'''<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
    ...   <key id="d0" for="node" attr.name="Sector" attr.type="string"/>
    ...   <graph edgedefault="directed">
    ...     <node id="a"><data key="d0">public</data></node><node id="b"/>
    ...     <edge source="a" target="b"/><edge source="b" target="c"/>
    ...   </graph>
    ... </graphml>'''
    >>> net = read_graphml(doc, "pilot.graphml")
    >>> net.stakeholders[0]["sector"], len(net.ties), net.ties[0]["directed"]
    ('public', 2, True)
    >>> print(net.problems[0])
    pilot.graphml, row 5, column target: The tie's target 'c' is not one of the nodes. Add a node with id 'c', or correct the tie's target.
    """
    early = _too_big_or_empty(data, filename)
    if early is not None:
        return early
    builder = _Builder(filename)
    reader = _GraphMLReader(builder)
    failure = _parse(data, filename, reader)
    if failure is not None:
        return NetworkData([], [], [failure])
    reader.build()
    if any(p.row is None and p.severity == "error" for p in builder.problems):
        return NetworkData([], [], builder.problems)
    return builder.finish()


# --- GEXF ---------------------------------------------------------------------------------------------------------


class _GEXFReader(_XMLReader):
    def __init__(self, builder):
        super().__init__(builder)
        self.declared: dict[str, dict[str, dict]] = {"node": {}, "edge": {}}
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.default_directed = False
        self.graphs = 0
        self.in_graph = False
        self.default_for: dict | None = None
        self.counts: dict[str, tuple[str, int]] = {}
        self.version: str | None = None

    def start(self, ns, local, attrs, line):
        if self.root is None:
            self.root, self.root_ns = local, ns
            self.version = GEXF_NAMESPACES.get(ns)
        if self.skip or ns != self.root_ns or local == "meta":
            self.skip += 1
            return
        record = None
        if local == "graph":
            self.graphs += 1
            if self.graphs > 1:
                self.skip += 1
                return
            self.in_graph = True
            kind = attrs.get("defaultedgetype", "undirected")
            if kind not in _DIRECTIONS:
                self.b.problem(
                    line,
                    "defaultedgetype",
                    f"defaultedgetype='{kind}' is not directed, undirected or mutual; ties were read as undirected.",
                    "Set defaultedgetype to directed or undirected.",
                    "warning",
                )
            self.default_directed = _DIRECTIONS.get(kind, False)
        elif local == "attributes":
            record = {"class": attrs.get("class", "node")}
        elif local == "attribute":
            block = self.nearest("attributes") or {"class": "node"}
            record = {
                "id": attrs.get("id", ""),
                "title": attrs.get("title"),
                "type": attrs.get("type", "string"),
                "default": None,
            }
            self.declared.setdefault(block["class"], {}).setdefault(record["id"], record)
        elif local == "default" and self.stack and self.stack[-1][0] == "attribute":
            self.default_for = self.stack[-1][1]
            self.default_for["default"] = ""
        elif local in ("nodes", "edges") and "count" in attrs:
            self.counts.setdefault(local, (attrs["count"], line))
        elif local == "node" and self.in_graph:
            self.counted()
            parent = self.nearest("node")
            record = {"id": attrs.get("id", ""), "xml": {k: v for k, v in attrs.items() if k != "id"}, "line": line, "values": [], "spells": [], "parents": [], "parent": parent["id"] if parent else None}  # fmt: skip
            self.nodes.append(record)
        elif local == "edge" and self.in_graph:
            self.counted()
            record = {"xml": dict(attrs), "line": line, "values": [], "spells": [], "parents": []}
            self.edges.append(record)
        elif local == "attvalue":
            owner = self.nearest("node", "edge")
            if owner is not None:
                owner["values"].append((attrs.get("for", attrs.get("id", "")), attrs, line))
        elif local == "spell":
            owner = self.nearest("node", "edge")
            if owner is not None:
                owner["spells"].append(dict(attrs))
        elif local == "parent":
            owner = self.nearest("node")
            if owner is not None and "for" in attrs:
                owner["parents"].append(attrs["for"])
        self.stack.append((local, record))

    def end(self, ns, local):
        if self.skip:
            self.skip -= 1
            return
        self.stack.pop()
        if local == "default":
            self.default_for = None
        elif local == "graph":
            self.in_graph = False

    def text(self, text):
        if self.default_for is not None:
            self.default_for["default"] += text

    def entries(self, record: dict, domain: str) -> list[_Entry]:
        declared = self.declared.get(domain, {})
        out = [_Entry(k, v) for k, v in record["xml"].items()]
        groups: dict[str, list] = {}
        for key, attrs, line in record["values"]:
            groups.setdefault(key, []).append((attrs, line))
        for key, values in groups.items():
            spec = declared.get(key)
            if spec is None:
                self.b.tally(
                    ("undeclared", domain, key), values[0][1], key,
                    f"The {domain} value for '{key}' refers to an attribute not declared in <attributes class=\"{domain}\"> ({{n}} {domain}{{s}}); it was kept as '{key}'.",
                    f"Declare it in the file (<attribute id=\"{key}\" title=\"{key}\" type=\"string\"/>), or check that it is not a typing mistake.",
                )  # fmt: skip
            name, kind = (spec["title"] or spec["id"], spec["type"]) if spec else (key, "string")
            timed = len(values) > 1 or any(t in attrs for attrs, _ in values for t in _TIME_ATTRIBUTES)
            if timed:
                items = [
                    {"value": attrs.get("value"), **{t: attrs[t] for t in _TIME_ATTRIBUTES if t in attrs}}
                    for attrs, _ in values
                ]
                out.append(_Entry(name, items, kind))
            else:
                out.append(_Entry(name, values[0][0].get("value"), kind))
        for key, spec in declared.items():
            if spec["default"] is not None and key not in groups:
                out.append(_Entry(spec["title"] or key, spec["default"], spec["type"]))
        if record["spells"]:
            out.append(_Entry("spells", record["spells"], raw=True))
        if record["parents"]:
            out.append(_Entry("parents", record["parents"], raw=True))
        return out

    def build(self) -> None:
        b = self.b
        if self.root != "gexf":
            b.problem(
                None,
                None,
                f"The file is not GEXF: its outermost element is <{self.root}>, not <gexf>.",
                "Export the network as GEXF (.gexf), GraphML (.graphml) or a CSV edge list.",
            )
            return
        if self.version is None:
            if _GEXF_NAMESPACE.match(self.root_ns or ""):
                self.version = self.root_ns
            else:
                b.problem(
                    None,
                    None,
                    f"The GEXF namespace '{self.root_ns}' is not one we know; the file was read as GEXF 1.3.",
                    "Export it from Gephi as GEXF 1.2 or 1.3 if anything looks wrong.",
                    "warning",
                )
        if self.graphs == 0:
            b.problem(None, None, "The GEXF file has no <graph> element.", "Export the network again from Gephi.")
            return
        for node in self.nodes:
            entries = self.entries(node, "node")
            if node["parent"] is not None:
                entries.append(_Entry("parent", node["parent"], raw=True))
            b.add_node(node["id"], entries, node["line"])
        for edge in self.edges:
            xml = edge["xml"]
            source, target, kind = xml.pop("source", ""), xml.pop("target", ""), xml.pop("type", None)
            directed = self.default_directed
            if kind is not None:
                if kind in _DIRECTIONS:
                    directed = _DIRECTIONS[kind]
                    if kind == "mutual":
                        xml["edge type"] = kind
                else:
                    b.problem(
                        edge["line"],
                        "type",
                        f"The edge type '{kind}' is not directed, undirected or mutual; the tie was read as {'directed' if directed else 'undirected'}.",
                        'Use type="directed" or type="undirected".',
                        "warning",
                    )
                    xml["edge type"] = kind
            spell = edge["spells"][0] if edge["spells"] else {}
            start = xml.get("start") or xml.get("timestamp") or spell.get("start") or spell.get("timestamp")
            b.add_tie(
                source,
                target,
                directed,
                self.entries(edge, "edge"),
                edge["line"],
                period=_iso_date(start),
                marked=kind is not None,
            )
        for local, (stated, line) in self.counts.items():
            found = len(self.nodes) if local == "nodes" else len(self.edges)
            if stated.strip() != str(found):
                b.problem(
                    line,
                    "count",
                    f"The file says it has {stated} {local[:-1]}s but {found} were found.",
                    "Check that the file was saved completely.",
                    "warning",
                )


def read_gexf(data: bytes, filename: str) -> NetworkData:
    """Read a GEXF file (1.1draft, 1.2draft, 1.3 or without namespace) into stakeholder and tie rows.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name, used in problems.

    Returns
    -------
    NetworkData
        One stakeholder per ``<node>`` (name from its ``label``), one tie per ``<edge>`` (direction from
        ``defaultedgetype``, overridden by the edge's ``type``; ``weight`` from its attribute; period from a
        ``period`` attribute or a start date), and every problem. ``viz:`` layout is ignored. Values for attributes
        that ``<attributes>`` does not declare (Gephi 0.8 writes some) are kept under their id, with one warning
        per attribute.

    Examples
    --------
    >>> doc = b'''<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed">
    ...   <attributes class="node"><attribute id="0" title="Type" type="string"/></attributes>
    ...   <nodes><node id="1" label="City council"><attvalues><attvalue for="0" value="public"/>
    ...     <attvalue for="9" value="x"/></attvalues></node>
    ...   <node id="2" label="Youth NGO"/></nodes>
    ...   <edges><edge id="e" source="1" target="2" weight="3" label="funding"/></edges>
    ... </graph></gexf>'''
    >>> net = read_gexf(doc, "pilot.gexf")
    >>> [(s["name"], s["sector"], s["attributes"]) for s in net.stakeholders]
    [('City council', 'public', {'9': 'x'}), ('Youth NGO', None, {})]
    >>> {k: net.ties[0][k] for k in ("relation", "directed", "weight", "attributes")}
    {'relation': 'funding', 'directed': True, 'weight': 3.0, 'attributes': {'id': 'e'}}
    >>> net.problems[0].message
    'The node value for \\'9\\' refers to an attribute not declared in <attributes class="node"> (1 node); it was kept as \\'9\\'.'
    """
    early = _too_big_or_empty(data, filename)
    if early is not None:
        return early
    builder = _Builder(filename)
    reader = _GEXFReader(builder)
    failure = _parse(data, filename, reader)
    if failure is not None:
        return NetworkData([], [], [failure])
    reader.build()
    if any(p.row is None and p.severity == "error" for p in builder.problems):
        return NetworkData([], [], builder.problems)
    return builder.finish()


# --- CSV edge lists -----------------------------------------------------------------------------------------------


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
    if len(rows) > MAX_ELEMENTS:
        return _only(
            filename,
            f"The file has {len(rows):,} rows; at most {MAX_ELEMENTS:,} ties are read.",
            "Upload the stakeholder network of one pilot.",
        )
    if not rows:
        return _only(
            filename,
            "The edge list holds no ties.",
            "Put one tie per row below the header: the key of the stakeholder it starts from and the one it goes to.",
        )
    columns = list(dict.fromkeys(k for r in rows for k in r if k is not None))
    ends = _column(columns, source), _column(columns, target)
    if None in ends:
        missing = " and ".join(f"'{w}'" for w, found in zip((source, target), ends) if found is None)
        listed = ", ".join(f"'{c}'" for c in columns) or "none"
        return _only(
            filename,
            f"The edge list has no column {missing} (its columns: {listed}).",
            "Name the columns of the two ends source and target, or choose them when uploading.",
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
                    f"'{values[flag]}' does not say whether the tie is directed; it was read as {'directed' if directed else 'undirected'}.",
                    "Write yes or no.",
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
                f"This row has {len(extra)} cell(s) more than the header; they were kept as 'extra cells'.",
                "Remove the extra cells, or quote cells that contain the separator.",
                "warning",
            )
        a, b = values.get(src, "").strip(), values.get(tgt, "").strip()
        for key in (a, b):
            if key and key not in known:
                known.add(key)
                builder.add_node(key, [], row)
        builder.add_tie(a, b, tie_directed, entries, row)
        if len(builder.ties) + len(builder.stakeholders) > MAX_ELEMENTS:
            return _only(
                filename,
                f"The network has more than {MAX_ELEMENTS:,} stakeholders and ties together; reading stopped at row {row}.",
                "Upload the stakeholder network of one pilot.",
            )
    if not builder.ties:
        builder.problem(
            None,
            None,
            "The edge list holds no ties.",
            "Put one tie per row below the header: the key of the stakeholder it starts from and the one it goes to.",
        )
        return NetworkData([], [], builder.problems)
    return builder.finish(nodes_declared=False, what="ties")


# --- dispatch -----------------------------------------------------------------------------------------------------


def _root_name(data: bytes) -> str | None:
    """Local name of the XML root element, or None when the bytes do not look like XML.

    >>> _root_name(b'<?xml version="1.0"?><!-- <x> --><g:gexf xmlns:g="u">'), _root_name(b"source,target")
    ('gexf', None)
    """
    head = data[:16384]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore")
    elif head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")
    text = text.lstrip()
    if not text.startswith("<"):
        return None
    text = re.sub(r"<!--.*?(-->|$)", "", text, flags=re.S)
    found = re.search(r"<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", text)
    return found.group(1) if found else ""


def _guess_ends(columns: list[str]) -> tuple[str | None, str | None]:
    folded = {_fold(c): c for c in reversed(columns)}
    source = next((folded[a] for a in _SOURCE_NAMES if a in folded), None)
    target = next((folded[a] for a in _TARGET_NAMES if a in folded), None)
    return source, target


def read_network(
    data: bytes, filename: str, *, source: str | None = None, target: str | None = None, directed: bool = False
) -> NetworkData:
    """Read an uploaded network file, whatever its format: GraphML, GEXF or a CSV edge list.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name; the extension helps when the content does not say.
    source, target : str, optional
        Edge-list columns of the two ends. By default ``source``/``target`` or a synonym (from/to, sender/receiver,
        ego/alter); a file with neither gets an error naming its columns.
    directed : bool
        Edge lists only: direction of ties whose row does not say.

    Returns
    -------
    NetworkData
        See :func:`read_graphml`, :func:`read_gexf` and :func:`read_edge_list`. A CSV is decoded as UTF-8 (with or
        without BOM), UTF-16 with BOM, else Latin-1 with a warning; its separator is detected.

    Examples
    --------
    >>> net = read_network("ego;alter\\nÄänekoski;Oulu\\n".encode("utf-16"), "ties.csv")
    >>> net.ties[0]["source"], net.ties[0]["target"], net.problems
    ('Äänekoski', 'Oulu', [])
    >>> read_network(b"PK\\x03\\x04", "ties.xlsx").problems[0].message
    "Files of type '.xlsx' are not read as networks."
    """
    early = _too_big_or_empty(data, filename)
    if early is not None:
        return early
    suffix = PurePath(filename).suffix.lower()
    root = _root_name(data)
    if root == "graphml" or (root is None and suffix == ".graphml"):
        return read_graphml(data, filename)
    if root == "gexf" or (root is None and suffix == ".gexf"):
        return read_gexf(data, filename)
    if root is not None:
        return _only(
            filename,
            f"The file is XML but neither GraphML nor GEXF (its outermost element is <{root}>).",
            "Export the network as GraphML (.graphml), GEXF (.gexf) or a CSV edge list.",
        )
    if suffix not in (".csv", ".tsv", ".txt", ""):
        return _only(
            filename,
            f"Files of type '{suffix}' are not read as networks.",
            "Upload GraphML (.graphml), GEXF (.gexf) or a CSV edge list (.csv) with columns source and target.",
        )
    from lessons.ingest.tables import decode, read_csv_text  # the house CSV reader; imported late, it imports us

    problems: list[Problem] = []
    text = decode(data, filename, problems)
    sheet = read_csv_text(text, filename, "Ties", problems) if text is not None else None
    problems = [replace(p, sheet=None) for p in problems]
    if sheet is None or not sheet.rows:
        return NetworkData([], [], problems)
    guessed = _guess_ends(sheet.columns)
    source, target = source or guessed[0] or "source", target or guessed[1] or "target"
    network = read_edge_list(sheet.rows, filename, source=source, target=target, directed=directed)
    network.problems[:0] = problems
    return network

"""GEXF 1.1draft, 1.2draft and 1.3, as Gephi writes them: static and dynamic (timed) values and spells."""

from __future__ import annotations

import math
import re

from lessons.i18n import _, ngettext, number
from lessons.ingest.networks.builder import NetworkData
from lessons.ingest.networks.graphml import OWN_EXPORT, _short
from lessons.ingest.networks.names import _DIRECTIONS, _Entry, _iso_date
from lessons.ingest.networks.safexml import _XMLReader, read_xml_network

GEXF_NAMESPACES = {
    "": "no namespace",
    "http://www.gexf.net/1.1draft": "1.1draft",
    "http://www.gexf.net/1.2draft": "1.2draft",
    "http://gexf.net/1.3": "1.3",
    "http://www.gexf.net/1.3": "1.3",
}
_GEXF_NAMESPACE = re.compile(r"^https?://(www\.)?gexf\.net/1\.\d+(draft)?/?$")
_TIME_ATTRIBUTES = ("start", "end", "startopen", "endopen", "timestamp", "timestamps")
#: The attributes Gephi's drawing (``viz:``) is kept under; :mod:`lessons.network_io` writes them back as ``viz:``.
_VIZ_ELEMENTS = ("color", "position", "size", "thickness", "shape")
VIZ_ATTRIBUTES = ("viz:color", "viz:alpha", "viz:x", "viz:y", "viz:z", "viz:size", "viz:thickness", "viz:shape")


def _float(text):
    """Return ``text`` as a finite float, or as it is when it is not one (kept as text).

    >>> _float("2.5"), _float("1e999"), _float("wide")
    (2.5, '1e999', 'wide')
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    return value if math.isfinite(value) else text


def viz_values(local: str, attrs: dict) -> list[tuple[str, object]]:
    """Return the attributes a ``viz:`` element gives a node or edge (colour as ``#rrggbb``, numbers as floats).

    >>> viz_values("color", {"r": "245", "g": "91", "b": "91"}), viz_values("position", {"x": "-1.5", "y": "2"})
    ([('viz:color', '#f55b5b')], [('viz:x', -1.5), ('viz:y', 2.0)])
    """
    if local == "color":
        out = []
        if attrs.get("hex"):
            out.append(("viz:color", attrs["hex"].strip().lower()))
        else:
            try:
                rgb = [max(0, min(255, int(float(attrs.get(c, "0"))))) for c in "rgb"]
                out.append(("viz:color", "#{:02x}{:02x}{:02x}".format(*rgb)))
            except (ValueError, OverflowError):  # not numbers, or numbers beyond any float
                out.append(("viz:color", " ".join(f"{c}={attrs.get(c)}" for c in "rgb")))
        if attrs.get("a") is not None:
            out.append(("viz:alpha", _float(attrs["a"])))
        return out
    if local == "position":
        return [(f"viz:{c}", _float(attrs[c])) for c in "xyz" if attrs.get(c) is not None]
    if local in ("size", "thickness"):
        return [(f"viz:{local}", _float(attrs.get("value")))] if attrs.get("value") is not None else []
    if local == "shape":
        return [("viz:shape", attrs.get("value") or attrs.get("uri") or "")]
    return []


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
        self.meta: dict[str, str] = {}  # <meta>'s children's text: not kept, named in the warning
        self.meta_at: str | None = None
        self.in_meta = False

    def start(self, ns, local, attrs, line):
        if self.root is None:
            self.root, self.root_ns = local, ns
            self.version = GEXF_NAMESPACES.get(ns)
        if self.in_meta and self.skip == 1:
            self.meta_at = local
            self.meta.setdefault(local, "")
        if not self.skip and ns != self.root_ns and (ns.rstrip("/").endswith("viz") or local in _VIZ_ELEMENTS):
            owner = self.nearest("node", "edge")
            if owner is not None:
                owner["viz"].extend(viz_values(local, attrs))
            else:
                self.b.drop(_("viz:{element} outside a node or edge").format(element=local))
        elif not self.skip and local == "meta":
            self.in_meta = True
        elif not self.skip and ns != self.root_ns:
            self.b.drop(_("<{element}> elements of another vocabulary than GEXF").format(element=local))
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
                    _(
                        "defaultedgetype='{value}' is not directed, undirected or mutual; ties were read as undirected."
                    ).format(value=kind),
                    _("Set defaultedgetype to directed or undirected."),
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
            record = {"id": attrs.get("id", ""), "xml": {k: v for k, v in attrs.items() if k != "id"}, "line": line, "values": [], "spells": [], "parents": [], "viz": [], "parent": parent["id"] if parent else None}  # fmt: skip
            self.nodes.append(record)
        elif local == "edge" and self.in_graph:
            self.counted()
            record = {"xml": dict(attrs), "line": line, "values": [], "spells": [], "parents": [], "viz": []}
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
            if self.in_meta:
                self.meta_at = None
                self.in_meta = self.skip > 0
            return
        self.stack.pop()
        if local == "default":
            self.default_for = None
        elif local == "graph":
            self.in_graph = False

    def text(self, text):
        if self.default_for is not None:
            self.default_for["default"] += text
        elif self.meta_at is not None:
            self.meta[self.meta_at] += text

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
                    (lambda n, key=key: ngettext(
                        "The node value for '{key}' refers to an attribute not declared in <attributes class=\"node\"> ({n} node); it was kept as '{key}'.",
                        "The node value for '{key}' refers to an attribute not declared in <attributes class=\"node\"> ({n} nodes); it was kept as '{key}'.",
                        n,
                    ).format(n=number(n), key=key)) if domain == "node" else (lambda n, key=key: ngettext(
                        "The edge value for '{key}' refers to an attribute not declared in <attributes class=\"edge\"> ({n} edge); it was kept as '{key}'.",
                        "The edge value for '{key}' refers to an attribute not declared in <attributes class=\"edge\"> ({n} edges); it was kept as '{key}'.",
                        n,
                    ).format(n=number(n), key=key)),
                    _("Declare it in the file (<attribute id=\"{key}\" title=\"{key}\" type=\"string\"/>), or check that it is not a typing mistake.").format(key=key),
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
        out += [_Entry(name, value, raw=True) for name, value in record["viz"]]
        return out

    def build(self) -> None:
        b = self.b
        if self.root != "gexf":
            b.problem(
                None,
                None,
                _("The file is not GEXF: its outermost element is <{root}>, not <gexf>.").format(root=self.root),
                _("Export the network as GEXF (.gexf), GraphML (.graphml) or a CSV edge list."),
            )
            return
        if self.version is None:
            if _GEXF_NAMESPACE.match(self.root_ns or ""):
                self.version = self.root_ns
            else:
                b.problem(
                    None,
                    None,
                    _("The GEXF namespace '{namespace}' is not one we know; the file was read as GEXF 1.3.").format(
                        namespace=self.root_ns
                    ),
                    _("Export it from Gephi as GEXF 1.2 or 1.3 if anything looks wrong."),
                    "warning",
                )
        if self.graphs == 0:
            b.problem(None, None, _("The GEXF file has no <graph> element."), _("Export the network again from Gephi."))
            return
        said = {k: _short(v) for k, v in self.meta.items() if v.strip()}
        if said and OWN_EXPORT.removesuffix(".").removeprefix("Written by ") != said.get("creator"):
            b.drop(_("the file's meta data ({items})").format(items=", ".join(f"{k} '{v}'" for k, v in said.items())))
        for node in self.nodes:
            entries = self.entries(node, "node")
            if node["parent"] is not None:
                entries.append(_Entry("parent", node["parent"], raw=True))
            b.add_node(node["id"], entries, node["line"])
        for position, edge in enumerate(self.edges):
            xml = edge["xml"]
            if xml.get("id") == str(position):
                del xml["id"]  # an id that only numbers the edges in order (as Gephi writes them) carries nothing
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
                        (
                            _(
                                "The edge type '{value}' is not directed, undirected or mutual; the tie was read as directed."
                            )
                            if directed
                            else _(
                                "The edge type '{value}' is not directed, undirected or mutual; the tie was read as undirected."
                            )
                        ).format(value=kind),
                        _('Use type="directed" or type="undirected".'),
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
                    (
                        ngettext(
                            "The file says it has {stated} nodes but {found} were found.",
                            "The file says it has {stated} nodes but {found} were found.",
                            found,
                        )
                        if local == "nodes"
                        else ngettext(
                            "The file says it has {stated} edges but {found} were found.",
                            "The file says it has {stated} edges but {found} were found.",
                            found,
                        )
                    ).format(stated=stated, found=number(found)),
                    _("Check that the file was saved completely."),
                    "warning",
                )


def read_gexf(data: bytes, filename: str) -> NetworkData:
    r"""Read a GEXF file (1.1draft, 1.2draft, 1.3 or without namespace) into stakeholder and tie rows.

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
    {'relation': None, 'directed': True, 'weight': 3.0, 'attributes': {'id': 'e', 'label': 'funding'}}
    >>> net.problems[0].message
    'The node value for \'9\' refers to an attribute not declared in <attributes class="node"> (1 node); it was kept as \'9\'.'
    """
    return read_xml_network(data, filename, _GEXFReader)

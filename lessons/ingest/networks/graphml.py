"""GraphML, as networkx, igraph, yEd and Gephi write it."""

from __future__ import annotations

from lessons.i18n import N_, _, ngettext, number
from lessons.ingest.networks.builder import NetworkData
from lessons.ingest.networks.names import _Entry
from lessons.ingest.networks.safexml import _XMLReader, read_xml_network

GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
YED = N_("yEd's drawing (positions, colours, shapes of nodes and edges)")
#: How this app's own exports end their description (written anew on every export, so not worth a warning).
OWN_EXPORT = "Written by Cross-Pilot Lessons."


def _short(text: str, limit: int = 60) -> str:
    r"""Return ``text`` on one line, cut to ``limit`` characters.

    >>> _short("Zachary's\n  Karate Club"), _short("x" * 70)[-3:]
    ("Zachary's Karate Club", 'xx…')
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        self.graph_record: dict = {"data": []}  # the first graph's own <data> (its name …): not kept, named
        self.desc: list[str] | None = None
        self.descriptions: list[str] = []

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
            if not self.skip and self.stack:
                self.b.drop(
                    _(YED)
                    if "yworks" in ns
                    else _("<{element}> elements of another vocabulary than GraphML").format(element=local)
                )
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
                    (
                        _("edgedefault='{value}' is neither directed nor undirected; ties were read as directed.")
                        if inherited
                        else _(
                            "edgedefault='{value}' is neither directed nor undirected; ties were read as undirected."
                        )
                    ).format(value=edgedefault),
                    _("Set edgedefault to directed or undirected."),
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
        elif local == "data" and self.stack and self.stack[-1][0] in ("node", "edge", "graph"):
            owner = self.stack[-1][1] if self.stack[-1][0] != "graph" else self.graph_record
            if owner is not None:
                self.data = {"key": attrs.get("key", ""), "text": [], "label": None, "line": line, "owner": owner}
                self.data_depth = 0
                return
        elif local == "desc" and self.stack and self.stack[-1][0] == "graph":
            self.desc = []
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
        elif local == "desc" and self.desc is not None:
            self.descriptions.append("".join(self.desc).strip())
            self.desc = None

    def text(self, text):
        if self.data is not None:
            if self.data_depth == 0:
                self.data["text"].append(text)
            elif self.data.get("label_depth"):
                self.data["label"].append(text)
        elif self.default_for is not None:
            self.default_for["default"] += text
        elif self.desc is not None:
            self.desc.append(text)

    def entries(self, data: list[tuple], domain: str) -> list[_Entry]:
        out, present = [], set()
        for key_id, text, label, line in data:
            present.add(key_id)
            key = self.keys.get(key_id)
            if key is None:
                self.b.tally(
                    ("undeclared", key_id), line, key_id,
                    lambda n, key=key_id: ngettext(
                        "The data key '{key}' is not declared with a <key> element ({n} value); the value was kept as '{key}'.",
                        "The data key '{key}' is not declared with a <key> element ({n} values); the values were kept as '{key}'.",
                        n,
                    ).format(n=number(n), key=key),
                    _("Declare it at the top of the file: <key id=\"{key}\" for=\"{domain}\" attr.name=\"…\" attr.type=\"string\"/>.").format(key=key_id, domain=domain),
                )  # fmt: skip
                out.append(_Entry(key_id, text))
            elif key["yfiles"]:  # yEd keeps node and edge labels inside its graphics
                if label and label.strip():
                    out.append(_Entry("label", label.strip()))
                self.b.drop(_(YED))
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
                _("The file is not GraphML: its outermost element is <{root}>, not <graphml>.").format(root=self.root),
                _("Export the network as GraphML (.graphml), GEXF (.gexf) or a CSV edge list."),
            )
            return
        if self.graphs == 0:
            b.problem(
                None,
                None,
                _("The GraphML file has no <graph> element."),
                _("Export the network again from your network tool."),
            )
            return
        if self.graphs > 1:
            b.problem(
                None,
                None,
                _("The file holds {n} graphs; only the first was read.").format(n=number(self.graphs)),
                _("Upload each pilot's network as its own file."),
                "warning",
            )
        if self.nested:
            b.problem(
                None,
                None,
                _("The file has nested graphs (groups); all their nodes and edges were read into one network."),
                _("Each node's group is kept as its attribute 'parent'; check that this is what you want."),
                "warning",
            )
        if self.hyperedges:
            b.problem(
                self.hyperedges[0],
                None,
                ngettext(
                    "The file has {n} hyperedge(s), which were not read: a tie joins exactly two stakeholders.",
                    "The file has {n} hyperedge(s), which were not read: a tie joins exactly two stakeholders.",
                    len(self.hyperedges),
                ).format(n=number(len(self.hyperedges))),
                _("Replace each hyperedge by ties between pairs of stakeholders."),
            )
        for key_id, text, _kind, _line in self.graph_record["data"]:
            name = (self.keys.get(key_id) or {}).get("name") or key_id
            b.drop(_("the graph's {name} ('{text}')").format(name=name, text=_short(text)))
        for text in self.descriptions:
            if text and not text.endswith(OWN_EXPORT):  # this app's own description is written anew on export
                b.drop(_("the graph's description ('{text}')").format(text=_short(text)))
        for node in self.nodes:
            entries = self.entries(node["data"], "node")
            if node["parent"] is not None:
                entries.append(_Entry("parent", node["parent"], raw=True))
            b.add_node(node["id"], entries, node["line"])
        for position, edge in enumerate(self.edges):
            if edge["xml"].get("id") in (str(position), f"e{position}"):
                del edge["xml"]["id"]  # an id that only numbers the edges in order carries nothing
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
                        (
                            _("directed='{value}' is neither true nor false; the tie was read as directed.")
                            if directed
                            else _("directed='{value}' is neither true nor false; the tie was read as undirected.")
                        ).format(value=flag),
                        _('Write directed="true" or directed="false".'),
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
    return read_xml_network(data, filename, _GraphMLReader)

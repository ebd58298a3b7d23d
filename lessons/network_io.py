"""Export a pilot's stakeholder network as GraphML, GEXF 1.2draft or CSV, for networkx, igraph and Gephi.

The files are written here, by hand, rather than by networkx's writers: networkx writes one graph type (directed or
not) and needs a graph object first, while a pilot's network mixes directed ties (funding, information, …) with
undirected ones (collaboration), keeps parallel ties (two relations or two periods between the same pair) and holds
user text that must be escaped with care. Importing is :mod:`lessons.ingest.networks`; what one writes, the other
reads back (``tests/test_network_io.py`` checks the round trip, and that networkx and igraph read the files).

What a file holds
-----------------
*Nodes* are all the pilot's stakeholders, whatever the filters: an actor with no tie of the chosen relations or period
is an isolated node, which is a finding in itself. A node's **id is the stakeholder key** (``S01``…), stable across
uploads and what the importer matches on; its **label is the name**. Node attributes: ``key`` (the id again, as
data: igraph 1.0 gives an ``&`` in an id as ``&#38;``, but reads element text exactly), ``sector`` (code),
``sector_name``, ``hard_to_reach`` (boolean), ``organisation``, ``role``, ``pilot`` (the pilot's slug),
``pilot_name`` and ``pilot_country``: the importer reads these three back, so the file imports again without choosing
the pilot. A value the store does not have is left out, not written empty. Then every attribute the stakeholders
kept from the file they came from (Gephi's *Modularity Class*, karate's ``club`` …; typed boolean, long, double or
string from the values), and in GEXF Gephi's drawing as ``viz:`` elements (``viz:color``, ``viz:position``,
``viz:size``; in GraphML they are plain attributes named ``viz:x``, ``viz:color`` …).

*Ties* are edges from the stored source to the stored target, with the attributes ``relation``, ``weight``,
``period`` and ``directed`` (boolean), and what each tie kept from its file (a GEXF edge's ``label`` is written as
the edge's label, its ``id`` as its id when every tie has its own). Parallel ties (the same pair with another relation or period) are separate
edges. Periods are a plain edge attribute (``baseline``, ``end`` or an ISO date), not GEXF's dynamic spells, so every
reader sees them the same way; filter on ``period`` to compare baseline and end.

Direction
---------
Every tie carries ``directed`` as an attribute. When all exported ties agree, the graph is declared directed or
undirected accordingly (``edgedefault`` in GraphML, ``defaultedgetype`` in GEXF). A network that mixes both is
declared directed, and by default an undirected tie is written as an edge from its source to its target with
``directed=false``: networkx cannot hold mixed graphs (it refuses a file whose edges override the default direction),
igraph ignores per-edge direction, so this is the form networkx, igraph and Gephi all read. With
``per_edge_direction=True`` each undirected tie of a mixed network is also marked the standard way (GraphML
``directed="false"``, GEXF ``type="undirected"``): Gephi then shows a mixed graph and this app's importer restores
every tie's direction, but networkx refuses the file. (This app's importer reads direction from the structure
only, so re-importing a default export of a mixed network makes its undirected ties directed.)

Text
----
Names, roles and keys are user data. Markup characters and quotes are escaped; tabs, line feeds and carriage returns
are written as character references where XML would otherwise normalise them away; characters XML 1.0 cannot hold
(control characters other than tab, line feed and carriage return; U+FFFE, U+FFFF, unpaired surrogates) are
dropped, as the importer drops them too. Emoji and every other character are kept, in UTF-8.

Gephi
-----
Gephi is not installed where this is built and tested, so no test opens the files in Gephi. What Gephi's importers
need is checked instead: GEXF with the root namespace ``http://www.gexf.net/1.2draft`` and ``version="1.2"``, its
attributes declared with ``class="node"``/``"edge"`` and types from GEXF's list, every ``attvalue`` referring to a
declared attribute, unique node and edge ids and edges between existing nodes; GraphML key ids that Gephi does not
take for its own properties (it maps ``label`` to the node label and ``weight`` to the edge weight, and reserves
``d3``/``d7`` for yEd's labels), no edge ids (igraph 1.0 fills its edge ``id`` attribute wrongly from them; the
GraphML spec makes them optional) and no graph-level data keys (Gephi's GraphML importer reports them as errors).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from lessons.exports import to_csv
from lessons.ingest.attributes import decode as _decode_attributes

GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
CREATOR = "Cross-Pilot Lessons"
NODE_COLUMNS = ["id", "key", "name", "sector", "sector_name", "hard_to_reach", "organisation", "role"]
TIE_COLUMNS = ["source", "target", "relation", "directed", "weight", "period"]
#: Node attributes written to GraphML and GEXF (besides id and label), with their type.
NODE_ATTRIBUTES = {
    "key": "string",
    "sector": "string",
    "sector_name": "string",
    "hard_to_reach": "boolean",
    "organisation": "string",
    "role": "string",
    "pilot": "string",
    "pilot_name": "string",
    "pilot_country": "string",
}
#: Kept attributes GEXF writes as Gephi's drawing (``viz:`` elements) rather than as values.
VIZ_NAMESPACE = "http://www.gexf.net/1.2draft/viz"
#: Edge attributes written to GraphML; GEXF writes ``weight`` as the edge's own attribute instead.
EDGE_ATTRIBUTES = {"relation": "string", "weight": "double", "period": "string", "directed": "boolean"}
FORMATS = ("graphml", "gexf", "csv", "zip")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass
class _Network:
    pilot: dict
    nodes: list[dict]
    ties: list[dict]
    relations: tuple[str, ...]
    period: str

    @property
    def default_directed(self) -> bool:
        """Directed when any tie is (a mixed network is declared directed); undirected when no tie is."""
        return any(t["directed"] for t in self.ties)

    @property
    def mixed(self) -> bool:
        return len({t["directed"] for t in self.ties}) > 1

    def description(self) -> str:
        relations = ", ".join(self.relations) if self.relations else "all"
        return (
            f"Stakeholder network of the pilot {self.pilot['name']} ({self.pilot['slug']}): "
            f"{len(self.nodes)} stakeholders, {len(self.ties)} ties; relations: {relations}; period: {self.period}. "
            f"Written by {CREATOR}."
        )


def _load(db: Database, pilot: str, relations, period: str) -> _Network:
    row = db.execute("SELECT id, slug, name, country FROM pilots WHERE slug = ?", [pilot]).fetchone()
    if row is None:
        raise ValueError(f"There is no pilot '{pilot}'.")
    pilot_row = dict(zip(("id", "slug", "name", "country"), row))
    relations = (relations,) if isinstance(relations, str) else tuple(relations or ())
    period = period or "all"
    cursor = db.execute(
        """SELECT s.id, s.key, s.name, s.sector, sec.name AS sector_name, s.hard_to_reach,
                  o.name AS organisation, s.role, s.attributes
           FROM stakeholders s
           LEFT JOIN sectors sec ON sec.code = s.sector
           LEFT JOIN organisations o ON o.id = s.organisation_id
           WHERE s.pilot_id = ? ORDER BY s.key""",
        [pilot_row["id"]],
    )
    nodes = [dict(zip([*NODE_COLUMNS, "attributes"], r)) for r in cursor.fetchall()]
    for node in nodes:
        node["hard_to_reach"] = bool(node["hard_to_reach"])
        node["attributes"] = _decode_attributes(node["attributes"])
    where, params = ["t.pilot_id = ?"], [pilot_row["id"]]
    if relations:
        where.append(f"t.relation IN ({', '.join('?' * len(relations))})")
        params += relations
    if period != "all":
        where.append("t.period = ?")
        params.append(period)
    cursor = db.execute(
        f"""SELECT a.key, b.key, t.relation, t.directed, t.weight, t.period, t.attributes
            FROM ties t JOIN stakeholders a ON a.id = t.source_id JOIN stakeholders b ON b.id = t.target_id
            WHERE {" AND ".join(where)}
            ORDER BY a.key, b.key, t.relation, t.period, t.directed""",
        params,
    )
    ties = [dict(zip([*TIE_COLUMNS, "attributes"], r)) for r in cursor.fetchall()]
    for tie in ties:
        tie["directed"], tie["weight"] = bool(tie["directed"]), float(tie["weight"])
        tie["attributes"] = _decode_attributes(tie["attributes"])
    return _Network(pilot_row, nodes, ties, relations, period)


def pilot_network_frames(
    db: Database, pilot: str, *, relations=(), period: str = "all"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a pilot's stakeholders and ties as two frames, the rows every export writes.

    Parameters
    ----------
    db : Database
        The store.
    pilot : str
        The pilot's slug.
    relations : sequence of str, optional
        Only ties of these relations (default: every relation). Stakeholders are all kept.
    period : str
        ``all`` (default), or only ties of this period (``baseline``, ``end`` or an ISO date).

    Returns
    -------
    nodes : DataFrame
        ``id`` (row id in the store), ``key``, ``name``, ``sector``, ``sector_name``, ``hard_to_reach`` (bool),
        ``organisation``, ``role``; one row per stakeholder, by key.
    ties : DataFrame
        ``source`` and ``target`` (stakeholder keys), ``relation``, ``directed`` (bool), ``weight`` (float),
        ``period``; ordered by source, target, relation and period.

    Raises
    ------
    ValueError
        When there is no pilot with that slug.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pid = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    >>> a, b = (db["stakeholders"].insert({"pilot_id": pid, "key": k, "name": n, "sector": s}).last_pk
    ...         for k, n, s in [("S01", "City", "public"), ("S02", "Residents", "citizens")])
    >>> _ = db["ties"].insert({"pilot_id": pid, "source_id": a, "target_id": b, "relation": "funding", "directed": 1})
    >>> nodes, ties = pilot_network_frames(db, "oulu")
    >>> nodes[["key", "name", "sector_name", "hard_to_reach"]].to_dict("records")[1]
    {'key': 'S02', 'name': 'Residents', 'sector_name': 'Citizens / service users', 'hard_to_reach': False}
    >>> ties.to_dict("records")
    [{'source': 'S01', 'target': 'S02', 'relation': 'funding', 'directed': True, 'weight': 1.0, 'period': 'end'}]
    >>> len(pilot_network_frames(db, "oulu", relations=["advice"])[1])
    0
    """
    network = _load(db, pilot, relations, period)
    nodes = pd.DataFrame(network.nodes, columns=NODE_COLUMNS)  # kept attributes: GraphML and GEXF only
    ties = pd.DataFrame(network.ties, columns=TIE_COLUMNS)
    return nodes.astype({"hard_to_reach": bool}), ties.astype({"directed": bool, "weight": float})


# --- XML, escaped by hand -----------------------------------------------------------------------------------------


def xml_text(value) -> str:
    r"""Text as XML element content: markup escaped, a carriage return as ``&#13;``, characters XML cannot hold dropped.

    >>> xml_text('Tom & Jerry <"ok">\r\n\x07😀')
    'Tom &amp; Jerry &lt;"ok"&gt;&#13;\n😀'
    """
    text = _NOT_XML.sub("", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attribute(value) -> str:
    r"""Text as a double-quoted XML attribute value: also quotes, tabs and line feeds as references.

    >>> xml_attribute('say "hi"\tthen\nleave')
    'say &quot;hi&quot;&#9;then&#10;leave'
    """
    return xml_text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _value(value, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    if isinstance(value, list | dict):  # values over time, spells: as JSON text
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _kind(values: list) -> str:
    """Return the GraphML/GEXF type that holds every one of ``values``: boolean, long, double or string.

    >>> _kind([True, False]), _kind([1, 2]), _kind([1, 2.5]), _kind([1, "a"])
    ('boolean', 'long', 'double', 'string')
    """
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if any(isinstance(v, bool) for v in values):
        return "string"
    if all(isinstance(v, int) for v in values):
        return "long"
    if all(isinstance(v, int | float) for v in values):
        return "double"
    return "string"


def _kept(records: list[dict], reserved=()) -> dict[str, str]:
    """Return the attributes kept on ``records`` (name → type), in name order, leaving out ``reserved`` names."""
    values: dict[str, list] = {}
    for record in records:
        for name, value in record["attributes"].items():
            if name not in reserved and value is not None:
                values.setdefault(name, []).append(value)
    return {name: _kind(values[name]) for name in sorted(values)}


def _edge_ids(ties: list[dict]) -> tuple[list[str], bool]:
    """Return the GEXF edge ids, and whether they are the ties' own.

    The ties' own are the ids they kept from their file, when each tie has its own; else 0, 1, …
    """
    kept = [str(t["attributes"].get("id") or "") for t in ties]
    if kept and all(kept) and len(set(kept)) == len(kept):
        return kept, True
    return [str(n) for n in range(len(ties))], False


def _without(attributes: dict, names: set) -> dict:
    return {k: v for k, v in attributes.items() if k not in names}


def _present(value) -> bool:
    return value is not None and value != ""


def _attvalues(inner: str) -> str:
    return f"<attvalues>{inner}</attvalues>" if inner else ""


def _node_values(network: _Network, node: dict) -> dict:
    pilot = network.pilot
    return {"pilot": pilot["slug"], "pilot_name": pilot["name"], "pilot_country": pilot["country"], **node}


def _viz(attributes: dict) -> str:
    """Return the ``viz:`` elements of a node or edge from its kept drawing attributes (GEXF)."""
    out = []
    colour = attributes.get("viz:color")
    if isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        alpha = attributes.get("viz:alpha")
        a = f' a="{_value(alpha, "double")}"' if isinstance(alpha, int | float) and not isinstance(alpha, bool) else ""
        out.append(f'<viz:color r="{r}" g="{g}" b="{b}"{a}/>')
    position = [(c, attributes.get(f"viz:{c}")) for c in "xyz"]
    if all(isinstance(v, int | float) for c, v in position[:2]):
        out.append(
            "<viz:position "
            + " ".join(f'{c}="{_value(v, "double")}"' for c, v in position if isinstance(v, int | float))
            + "/>"
        )
    for name in ("size", "thickness"):
        value = attributes.get(f"viz:{name}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(f'<viz:{name} value="{_value(value, "double")}"/>')
    if isinstance(attributes.get("viz:shape"), str) and attributes["viz:shape"]:
        out.append(f'<viz:shape value="{xml_attribute(attributes["viz:shape"])}"/>')
    return "".join(out)


def _written_as_viz(attributes: dict) -> set[str]:
    """Return the drawing attributes :func:`_viz` writes as ``viz:`` elements (the others stay values)."""
    written = set()
    colour = attributes.get("viz:color")
    if isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        written.add("viz:color")
        if isinstance(attributes.get("viz:alpha"), int | float) and not isinstance(attributes["viz:alpha"], bool):
            written.add("viz:alpha")
    numeric = {n for n, v in attributes.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    if {"viz:x", "viz:y"} <= numeric:
        written |= {"viz:x", "viz:y"} | ({"viz:z"} & numeric)
    written |= {"viz:size", "viz:thickness"} & numeric
    if isinstance(attributes.get("viz:shape"), str) and attributes["viz:shape"]:
        written.add("viz:shape")
    return written


def to_graphml(
    db: Database, pilot: str, *, relations=(), period: str = "all", per_edge_direction: bool = False
) -> bytes:
    """Write a pilot's stakeholder network as GraphML (UTF-8), for networkx, igraph, Gephi and yEd.

    Node ids are stakeholder keys, the ``label`` key holds the name (Gephi shows it as the node label); the other
    node and edge attributes, the filters, and how direction and text are written are described in the module
    docstring. Edges have no ids (optional in GraphML; igraph misreads them).

    Parameters
    ----------
    db : Database
        The store.
    pilot : str
        The pilot's slug.
    relations, period
        Filters on the ties, as in :func:`pilot_network_frames`.
    per_edge_direction : bool
        In a network mixing directed and undirected ties, also mark each undirected tie ``directed="false"``
        (Gephi and this app's importer honour it; networkx then refuses the file).

    Returns
    -------
    bytes

    Examples
    --------
    >>> import io, networkx as nx
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pid = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    >>> a, b = (db["stakeholders"].insert({"pilot_id": pid, "key": k, "name": n, "sector": "public"}).last_pk
    ...         for k, n in [("S01", "City & region"), ("S02", "Library")])
    >>> _ = db["ties"].insert({"pilot_id": pid, "source_id": a, "target_id": b, "weight": 2})
    >>> graph = nx.read_graphml(io.BytesIO(to_graphml(db, "oulu")))
    >>> graph.nodes["S01"]["label"], graph.is_directed(), graph.edges["S01", "S02"]
    ('City & region', False, {'relation': 'collaboration', 'weight': 2.0, 'period': 'end', 'directed': False})
    """
    network = _load(db, pilot, relations, period)
    default = network.default_directed
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<graphml xmlns="{GRAPHML_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GRAPHML_NAMESPACE} {GRAPHML_NAMESPACE}/1.0/graphml.xsd">',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
    ]
    for name, kind in NODE_ATTRIBUTES.items():
        out.append(f'  <key id="{name}" for="node" attr.name="{name}" attr.type="{kind}"/>')
    for name, kind in EDGE_ATTRIBUTES.items():
        out.append(f'  <key id="{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>')
    node_kept, tie_kept = _kept(network.nodes), _kept(network.ties)
    node_ids = {name: f"node{i}" for i, name in enumerate(node_kept)}
    tie_ids = {name: f"edge{i}" for i, name in enumerate(tie_kept)}
    for domain, kept, ids in (("node", node_kept, node_ids), ("edge", tie_kept, tie_ids)):
        for name, kind in kept.items():
            out.append(f'  <key id="{ids[name]}" for="{domain}" attr.name="{xml_attribute(name)}" attr.type="{kind}"/>')
    out.append(
        f'  <graph id="{xml_attribute(network.pilot["slug"])}" edgedefault="{"directed" if default else "undirected"}">'
    )
    out.append(f"    <desc>{xml_text(network.description())}</desc>")
    for node in network.nodes:
        values = _node_values(network, node)
        data = [f'<data key="label">{xml_text(node["name"])}</data>']
        data += [
            f'<data key="{name}">{xml_text(_value(values[name], kind))}</data>'
            for name, kind in NODE_ATTRIBUTES.items()
            if _present(values[name])
        ]
        data += [
            f'<data key="{node_ids[name]}">{xml_text(_value(value, node_kept[name]))}</data>'
            for name, value in node["attributes"].items()
            if name in node_kept and value is not None
        ]
        out.append(f'    <node id="{xml_attribute(node["key"])}">{"".join(data)}</node>')
    for tie in network.ties:
        flag = ' directed="false"' if per_edge_direction and tie["directed"] != default else ""
        data = "".join(
            f'<data key="{name}">{xml_text(_value(tie[name], kind))}</data>'
            for name, kind in EDGE_ATTRIBUTES.items()
            if _present(tie[name])
        ) + "".join(
            f'<data key="{tie_ids[name]}">{xml_text(_value(value, tie_kept[name]))}</data>'
            for name, value in tie["attributes"].items()
            if name in tie_kept and value is not None
        )
        out.append(
            f'    <edge source="{xml_attribute(tie["source"])}" target="{xml_attribute(tie["target"])}"{flag}>{data}</edge>'
        )
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


def to_gexf(db: Database, pilot: str, *, relations=(), period: str = "all", per_edge_direction: bool = False) -> bytes:
    """Write a pilot's stakeholder network as GEXF 1.2draft (UTF-8), Gephi's own format, also read by networkx.

    Node ids are stakeholder keys and node labels their names; the weight is the edge's ``weight``; the other
    attributes are declared in ``<attributes class="node">`` and ``<attributes class="edge">`` (static mode) and given
    per node and edge as ``<attvalue>``. Edge ids are ``0``, ``1``, … in the order written. Periods are an edge
    attribute, not dynamic spells. See the module docstring for direction, text and what was checked for Gephi.

    Parameters
    ----------
    db : Database
        The store.
    pilot : str
        The pilot's slug.
    relations, period
        Filters on the ties, as in :func:`pilot_network_frames`.
    per_edge_direction : bool
        In a network mixing directed and undirected ties, also give each undirected tie ``type="undirected"``
        (Gephi and this app's importer honour it; networkx then refuses the file).

    Returns
    -------
    bytes

    Examples
    --------
    >>> import io, networkx as nx
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pid = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    >>> a, b = (db["stakeholders"].insert({"pilot_id": pid, "key": k, "name": n, "sector": "public"}).last_pk
    ...         for k, n in [("S01", "City"), ("S02", "Library")])
    >>> for relation in ("funding", "advice"):
    ...     _ = db["ties"].insert({"pilot_id": pid, "source_id": a, "target_id": b, "relation": relation, "directed": 1})
    >>> graph = nx.read_gexf(io.BytesIO(to_gexf(db, "oulu")))
    >>> sorted(d["relation"] for _, _, d in graph.edges(data=True)), graph.is_directed(), graph.is_multigraph()
    (['advice', 'funding'], True, True)
    """
    network = _load(db, pilot, relations, period)
    default = network.default_directed
    edge_attributes = {k: v for k, v in EDGE_ATTRIBUTES.items() if k != "weight"}
    edge_ids, own_ids = _edge_ids(network.ties)
    for node in network.nodes:  # what GEXF writes as viz: elements, labels or ids is not written again as a value
        node["values"] = _without(node["attributes"], _written_as_viz(node["attributes"]))
    for tie in network.ties:
        labelled = {"label"} if tie["attributes"].get("label") not in (None, "") else set()
        reserved = _written_as_viz(tie["attributes"]) | labelled | ({"id"} if own_ids else set())
        tie["values"] = _without(tie["attributes"], reserved)
    node_kept = _kept([{"attributes": n["values"]} for n in network.nodes])
    tie_kept = _kept([{"attributes": t["values"]} for t in network.ties])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:viz="{VIZ_NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd" version="1.2">',
        f"  <meta><creator>{CREATOR}</creator><description>{xml_text(network.description())}</description></meta>",
        f'  <graph mode="static" defaultedgetype="{"directed" if default else "undirected"}">',
    ]
    node_ids = {name: f"node{i}" for i, name in enumerate(node_kept)}
    tie_ids = {name: f"edge{i}" for i, name in enumerate(tie_kept)}
    for klass, attributes, kept, ids in (
        ("node", NODE_ATTRIBUTES, node_kept, node_ids),
        ("edge", edge_attributes, tie_kept, tie_ids),
    ):
        out.append(f'    <attributes class="{klass}" mode="static">')
        out += [f'      <attribute id="{n}" title="{n}" type="{k}"/>' for n, k in attributes.items()]
        out += [f'      <attribute id="{ids[n]}" title="{xml_attribute(n)}" type="{k}"/>' for n, k in kept.items()]
        out.append("    </attributes>")
    out.append(f'    <nodes count="{len(network.nodes)}">')
    for node in network.nodes:
        values = _node_values(network, node)
        attvalues = "".join(
            f'<attvalue for="{name}" value="{xml_attribute(_value(values[name], kind))}"/>'
            for name, kind in NODE_ATTRIBUTES.items()
            if _present(values[name])
        ) + "".join(
            f'<attvalue for="{node_ids[name]}" value="{xml_attribute(_value(value, node_kept[name]))}"/>'
            for name, value in node["values"].items()
            if name in node_kept and value is not None
        )
        out.append(
            f'      <node id="{xml_attribute(node["key"])}" label="{xml_attribute(node["name"])}">'
            f"{_attvalues(attvalues)}{_viz(node['attributes'])}</node>"
        )
    out += ["    </nodes>", f'    <edges count="{len(network.ties)}">']
    for number, tie in enumerate(network.ties):
        kind = ' type="undirected"' if per_edge_direction and tie["directed"] != default else ""
        label = tie["attributes"].get("label")
        label = f' label="{xml_attribute(_value(label, "string"))}"' if label not in (None, "") else ""
        attvalues = "".join(
            f'<attvalue for="{name}" value="{xml_attribute(_value(tie[name], k))}"/>'
            for name, k in edge_attributes.items()
            if _present(tie[name])
        ) + "".join(
            f'<attvalue for="{tie_ids[name]}" value="{xml_attribute(_value(value, tie_kept[name]))}"/>'
            for name, value in tie["values"].items()
            if name in tie_kept and value is not None
        )
        out.append(
            f'      <edge id="{xml_attribute(edge_ids[number])}" source="{xml_attribute(tie["source"])}" '
            f'target="{xml_attribute(tie["target"])}"{kind}{label} weight="{_value(tie["weight"], "double")}">'
            f"{_attvalues(attvalues)}{_viz(tie['attributes'])}</edge>"
        )
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(out).encode("utf-8")


# --- CSV ----------------------------------------------------------------------------------------------------------


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def to_edge_csv(db: Database, pilot: str, *, relations=(), period: str = "all") -> bytes:
    """Write the ties as a CSV edge list (UTF-8), one row per tie.

    Columns: ``source``, ``target``, ``relation``, ``directed`` (yes/no), ``weight``, ``period``.

    Source and target are stakeholder keys. An edge list cannot hold isolated stakeholders or stakeholders'
    attributes: :func:`to_nodes_csv` and :func:`to_csv_zip` carry them. Cells a spreadsheet would run as a formula
    (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe
    (:func:`lessons.exports.neutralise`), which stays on re-import; GraphML and GEXF keep such text as it is.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pid = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"}).last_pk
    >>> a, b = (db["stakeholders"].insert({"pilot_id": pid, "key": k, "name": k, "sector": "public"}).last_pk
    ...         for k in ("S01", "=S02"))
    >>> _ = db["ties"].insert({"pilot_id": pid, "source_id": a, "target_id": b, "weight": 2.5, "period": "baseline"})
    >>> print(to_edge_csv(db, "oulu").decode())
    source,target,relation,directed,weight,period
    S01,'=S02,collaboration,no,2.5,baseline
    <BLANKLINE>
    """
    _, ties = pilot_network_frames(db, pilot, relations=relations, period=period)
    ties["directed"] = ties["directed"].map(_yes_no).astype(object)
    return to_csv(ties).encode("utf-8")


def to_nodes_csv(db: Database, pilot: str) -> bytes:
    """Write the stakeholders as CSV (UTF-8), formula-like cells neutralised as in :func:`to_edge_csv`.

    Columns: ``key``, ``name``, ``sector``, ``sector_name``, ``hard_to_reach`` (yes/no), ``organisation``, ``role``.

    The columns are those of the template's Stakeholders sheet (``sector_name`` is for people and is not read back).
    """
    nodes, _ = pilot_network_frames(db, pilot)
    nodes["hard_to_reach"] = nodes["hard_to_reach"].map(_yes_no).astype(object)
    return to_csv(nodes.drop(columns="id")).encode("utf-8")


def to_csv_zip(db: Database, pilot: str, *, relations=(), period: str = "all") -> bytes:
    """``stakeholders.csv`` (:func:`to_nodes_csv`) and ``ties.csv`` (:func:`to_edge_csv`) in one ZIP archive.

    The archive is what the app's importer reads back whole (upload it with the pilot chosen, or
    ``python -m lessons import FILE.zip --pilot SLUG``): every stakeholder, isolated or not, with its attributes,
    and every tie. Its bytes depend only on the network (members carry a fixed date).

    Examples
    --------
    >>> import zipfile, io
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"})
    >>> zipfile.ZipFile(io.BytesIO(to_csv_zip(db, "oulu"))).namelist()
    ['stakeholders.csv', 'ties.csv']
    """
    members = {
        "stakeholders.csv": to_nodes_csv(db, pilot),
        "ties.csv": to_edge_csv(db, pilot, relations=relations, period=period),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def export_network(
    db: Database, pilot: str, file_format: str, *, relations=(), period: str = "all", per_edge_direction: bool = False
) -> bytes:
    r"""Export the network in one of ``FORMATS``: ``graphml``, ``gexf``, ``csv`` (the edge list) or ``zip`` (both CSVs).

    ``per_edge_direction`` applies to GraphML and GEXF; CSV always has a ``directed`` column.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"slug": "oulu", "name": "Oulu", "country": "FI"})
    >>> export_network(db, "oulu", "csv")
    b'source,target,relation,directed,weight,period\n'
    >>> export_network(db, "oulu", "pajek")
    Traceback (most recent call last):
    ...
    ValueError: Unknown network format 'pajek'; use graphml, gexf, csv or zip.
    """
    if file_format in ("graphml", "gexf"):
        writer = to_graphml if file_format == "graphml" else to_gexf
        return writer(db, pilot, relations=relations, period=period, per_edge_direction=per_edge_direction)
    if file_format == "csv":
        return to_edge_csv(db, pilot, relations=relations, period=period)
    if file_format == "zip":
        return to_csv_zip(db, pilot, relations=relations, period=period)
    raise ValueError(f"Unknown network format '{file_format}'; use graphml, gexf, csv or zip.")

r"""Read a pilot's stakeholder network: GraphML, GEXF (1.1draft, 1.2draft, 1.3, as Gephi writes them) or a CSV edge list.

Every reader returns a :class:`NetworkData`: plain rows for the ``stakeholders`` and ``ties`` tables plus every
problem found, as :class:`~lessons.ingest.problems.Problem` values. Readers never raise on bad input and never drop
data silently: a record with an error is still returned (its ``_row`` matches the problem's ``row``), so the preview
can show it and the importer can decide. For XML files ``_row`` and ``Problem.row`` are source line numbers; for CSV
files they are spreadsheet rows (the header is row 1).

XML is read with :mod:`xml.parsers.expat` (which gives line numbers) after refusing any DOCTYPE or entity
declaration, so entity expansion ("billion laughs") and external entities (XXE) cannot happen. Values are kept raw:
sectors, yes/no flags and periods are normalised by another module.

>>> net = read_network(b"source,target,weight\nCity,NGO,2\nNGO,University,1\n", "ties.csv")
>>> [s["key"] for s in net.stakeholders], [t["weight"] for t in net.ties], net.problems
(['City', 'NGO', 'University'], [2.0, 1.0], [])

The package: :mod:`~lessons.ingest.networks.names` (which attribute feeds which column),
:mod:`~lessons.ingest.networks.builder` (records, the checks every format shares, problems),
:mod:`~lessons.ingest.networks.safexml` (expat without entities), one module per format
(:mod:`~lessons.ingest.networks.graphml`, :mod:`~lessons.ingest.networks.gexf`,
:mod:`~lessons.ingest.networks.edgelist`), :mod:`~lessons.ingest.networks.dispatch` (any file, format detected) and
:mod:`~lessons.ingest.networks.limits` (size limits). A new format is one more module beside them, named in
:func:`read_network`.
"""

from lessons.ingest.networks.builder import NetworkData
from lessons.ingest.networks.dispatch import read_network
from lessons.ingest.networks.edgelist import read_edge_list
from lessons.ingest.networks.gexf import GEXF_NAMESPACES, read_gexf
from lessons.ingest.networks.graphml import GRAPHML_NAMESPACE, read_graphml
from lessons.ingest.networks.limits import MAX_ELEMENTS, MAX_FILE_BYTES

__all__ = [
    "GEXF_NAMESPACES",
    "GRAPHML_NAMESPACE",
    "MAX_ELEMENTS",
    "MAX_FILE_BYTES",
    "NetworkData",
    "read_edge_list",
    "read_gexf",
    "read_graphml",
    "read_network",
]

"""Any network file: GraphML, GEXF or a CSV edge list, told apart by content first and extension second."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from lessons.i18n import _
from lessons.ingest.networks.builder import NetworkData, _only, _too_big_or_empty
from lessons.ingest.networks.edgelist import read_edge_list
from lessons.ingest.networks.gexf import read_gexf
from lessons.ingest.networks.graphml import read_graphml
from lessons.ingest.networks.names import _SOURCE_NAMES, _TARGET_NAMES, _fold
from lessons.ingest.problems import Problem
from lessons.ingest.sheet import decode, read_csv_text


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
    r"""Read an uploaded network file, whatever its format: GraphML, GEXF or a CSV edge list.

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
    >>> net = read_network("ego;alter\nÄänekoski;Oulu\n".encode("utf-16"), "ties.csv")
    >>> net.ties[0]["source"], net.ties[0]["target"], net.problems
    ('Äänekoski', 'Oulu', [])
    >>> read_network(b"PK\x03\x04", "ties.xlsx").problems[0].message
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
            _("The file is XML but neither GraphML nor GEXF (its outermost element is <{root}>).").format(root=root),
            _("Export the network as GraphML (.graphml), GEXF (.gexf) or a CSV edge list."),
        )
    if suffix not in (".csv", ".tsv", ".txt", ""):
        return _only(
            filename,
            _("Files of type '{suffix}' are not read as networks.").format(suffix=suffix),
            _("Upload GraphML (.graphml), GEXF (.gexf) or a CSV edge list (.csv) with columns source and target."),
        )
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

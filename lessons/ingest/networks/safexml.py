"""XML, safely: expat with line numbers, after refusing any DOCTYPE or entity declaration.

Refusing them means no entity expansion and no external entities; the element count is bounded too.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from lessons.ingest.networks import limits
from lessons.ingest.networks.builder import NetworkData, _Builder, _too_big_or_empty
from lessons.ingest.problems import Problem


class _Refused(Exception):
    pass


class _TooMany(Exception):
    pass


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
            f"The network has more than {limits.MAX_ELEMENTS:,} nodes and edges together; reading stopped there.",
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
        if self.count > limits.MAX_ELEMENTS:
            raise _TooMany

    def nearest(self, *names: str):
        return next((record for local, record in reversed(self.stack) if local in names), None)


def read_xml_network(data: bytes, filename: str, reader_class) -> NetworkData:
    """Read a GraphML or GEXF file with ``reader_class``: the size checks, safe parsing, then the builder's checks.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name, for the problems.
    reader_class : type
        An :class:`_XMLReader` subclass that turns the parser's events into the builder's nodes and ties.

    Returns
    -------
    NetworkData
        The stakeholders and ties, or the problems that stopped the reading.
    """
    early = _too_big_or_empty(data, filename)
    if early is not None:
        return early
    builder = _Builder(filename)
    reader = reader_class(builder)
    failure = _parse(data, filename, reader)
    if failure is not None:
        return NetworkData([], [], [failure])
    reader.build()
    if any(p.row is None and p.severity == "error" for p in builder.problems):
        return NetworkData([], [], builder.problems)
    return builder.finish()

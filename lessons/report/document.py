"""What a brief or the roadmap is made of: a :class:`Report` of :class:`Section` s of :class:`Block` s.

Plain content that :mod:`lessons.report.render` writes as HTML and PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lessons.i18n import current


class ReportError(ValueError):
    """The subject of a brief does not exist (a plain sentence for the user)."""


@dataclass
class Block:
    """One piece of a section: a paragraph, bullets, a table, a chart or an image.

    ``text`` (a paragraph), ``bullets`` (``items``), ``table`` (``frame`` with ``caption``), ``chart`` (a Vega-Lite
    ``spec``, its ``alt`` text, and the ``frame`` it draws as a table) or ``image`` (PNG or JPEG bytes in ``image``,
    with its ``alt`` text: a story's picture).
    """

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    caption: str = ""
    spec: dict | None = None
    alt: str = ""
    image: bytes | None = None


@dataclass
class Section:
    """A section of a report: a heading and its blocks, in order."""

    heading: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(Block("text", text=text))

    def subheading(self, text: str) -> None:
        """Add a subheading."""
        self.blocks.append(Block("subheading", text=text))

    def bullets(self, items: list[str]) -> None:
        """Add a bulleted list of ``items`` (nothing when there are none)."""
        if items:
            self.blocks.append(Block("bullets", items=list(items)))

    def table(self, frame: pd.DataFrame, caption: str = "") -> None:
        """Add a table of ``frame`` with an optional caption."""
        self.blocks.append(Block("table", frame=frame.reset_index(drop=True), caption=caption))

    def chart(self, spec: dict, alt: str, frame: pd.DataFrame, caption: str = "") -> None:
        """Add a chart: a Vega-Lite ``spec``, its ``alt`` text and the ``frame`` it draws, shown as a table too."""
        self.blocks.append(Block("chart", spec=spec, alt=alt, frame=frame.reset_index(drop=True), caption=caption))

    def image(self, data: bytes, alt: str) -> None:
        """Add a PNG or JPEG image with its ``alt`` text."""
        self.blocks.append(Block("image", image=data, alt=alt))


@dataclass
class Report:
    """A brief or the roadmap: its subject, title, sections and the sources it cites.

    ``kind`` (theme, pilot, model or roadmap), ``key`` (the subject's code or slug), ``title``, ``subtitle``,
    ``generated`` (UTC, ISO), ``notice`` (the demo-data notice or ""), ``sections`` and the ``lessons`` and
    ``workshops`` it cites (the Sources), and the ``language`` it is written in (a code of
    :data:`lessons.i18n.LANGUAGES`, by default the one in use when it is made: its files are rendered in it too).
    """

    kind: str
    key: str
    title: str
    subtitle: str
    generated: str
    notice: str
    sections: list[Section]
    lessons: pd.DataFrame
    workshops: pd.DataFrame
    language: str = field(default_factory=current)

    @property
    def file_stem(self) -> str:
        """A file name without extension: ``brief-theme-trust``, ``roadmap-to-co-creation``."""
        return "roadmap-to-co-creation" if self.kind == "roadmap" else f"brief-{self.kind}-{self.key}"

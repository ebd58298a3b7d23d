"""Briefs and the roadmap as files: one self-contained HTML page and an A4 PDF, with the charts as images.

Charts are Vega-Lite specifications drawn by vl-convert (no browser, no network); the PDF is written by fpdf2 with
the DejaVu Sans fonts shipped in ``data/fonts`` so every European letter prints. Every chart is followed by the table
it draws (a text alternative), and every piece of user text is escaped in HTML and written as plain text in PDF.
"""

from __future__ import annotations

import base64
import html
import json
import re
from functools import cache
from io import BytesIO
from numbers import Integral, Real
from pathlib import Path

import pandas as pd
import vl_convert
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from lessons.i18n import N_, _, moment, ngettext, number, using
from lessons.palette import ACCENT, rgb
from lessons.report.document import Block, Report

FONTS = Path(__file__).resolve().parents[2] / "data" / "fonts"
#: Pixels per Vega pixel in chart images: sharp on paper and on high-density screens.
CHART_SCALE = 2
#: Rows of a chart's table printed in the PDF (the HTML shows them all).
PDF_TABLE_ROWS = 40
_CONFIG = {
    "font": "Liberation Sans, Arial, sans-serif",
    "title": {"fontSize": 14, "anchor": "start"},
    "axis": {"labelFontSize": 11, "titleFontSize": 12},
    "legend": {"labelFontSize": 11, "titleFontSize": 12},
    "view": {"stroke": None},
}


#: Characters XML (and so SVG) cannot hold: vl-convert aborts the whole process on them, so they never reach it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(value):
    r"""``value`` with every string in it (nested in dicts and lists) freed of characters XML cannot hold.

    >>> _clean({"a": ["x\x0by", 1], "b\x00": "ok"})
    {'a': ['xy', 1], 'b': 'ok'}
    """
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _full(spec: dict) -> str:
    full = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "background": "white", "config": _CONFIG}
    full.update(spec)
    return json.dumps(_clean(json.loads(json.dumps(full, default=str))))


def chart_svg(spec: dict) -> str:
    """Draw a Vega-Lite specification as SVG (white background), for the HTML page.

    SVG is sharp at any zoom, and its words are real text.
    """
    return vl_convert.vegalite_to_svg(_full(spec))


def chart_png(spec: dict, svg: str | None = None) -> bytes:
    r"""Draw the chart as a PNG image for the PDF, rasterised from its SVG (drawn now unless given).

    >>> png = chart_png({"data": {"values": [{"a": "x", "b": 1}]}, "mark": "bar",
    ...                  "encoding": {"x": {"field": "b", "type": "quantitative"}, "y": {"field": "a"}}})
    >>> png[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    return vl_convert.svg_to_png(chart_svg(spec) if svg is None else svg, scale=CHART_SCALE)


def _charts(report: Report) -> list[Block]:
    return [b for s in report.sections for b in s.blocks if b.kind == "chart" and b.spec]


def chart_vectors(report: Report) -> dict[int, str]:
    """Every chart of ``report`` as SVG, keyed by ``id()`` of its block."""
    return {id(b): chart_svg(b.spec) for b in _charts(report)}


def chart_images(report: Report, vectors: dict[int, str] | None = None) -> dict[int, bytes]:
    """Draw every chart of ``report`` as PNG, keyed by ``id()`` of its block.

    From ``vectors`` when given: Vega lays a chart out once for both files.
    """
    vectors = vectors or {}
    return {id(b): chart_png(b.spec, vectors.get(id(b))) for b in _charts(report)}


@cache
def _glyphs() -> frozenset[int]:
    """Return the characters DejaVu Sans can print (regular and bold share them)."""
    with TTFont(FONTS / "DejaVuSans.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    r"""Make text printable in the PDF: characters XML and fonts cannot show are dropped or replaced.

    Control characters are dropped; letters DejaVu Sans lacks, such as CJK and emoji, are replaced by ``?`` (the HTML
    version shows them).

    >>> printable("Łódź\x0b東京 ok")
    'Łódź?? ok'
    """
    text = _NOT_XML.sub("", text)
    have = _glyphs()
    return "".join(c if ord(c) in have or c in "\n\t" else "?" for c in text)


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, Integral):
        return number(int(value))
    if isinstance(value, Real):  # numbers in the language's marks; very small ones as written
        return number(float(value)) if abs(value) >= 1e-3 or value == 0 else f"{value:g}"
    return str(value)


# --- HTML -------------------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;
line-height:1.5}
h1{font-size:1.8rem;margin-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid ACCENT}
.sub{color:#444;margin-top:0}.notice{background:#fff4d6;border-left:4px solid #b58100;padding:.5rem 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;width:100%}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#e8eef4}
figure{margin:1rem 0}figure img{width:100%;max-width:46rem;height:auto}figcaption{font-size:.9rem;color:#444}
li{margin-bottom:.35rem}footer{margin-top:2rem;font-size:.85rem;color:#444}
@media print{h2{break-after:avoid}figure,tr{break-inside:avoid}}
""".replace("ACCENT", ACCENT)


def _html_table(frame: pd.DataFrame, caption: str = "") -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _html_block(block: Block, images: dict[int, str]) -> str:
    if block.kind == "text":
        return f"<p>{html.escape(block.text)}</p>"
    if block.kind == "subheading":
        return f"<h3>{html.escape(block.text)}</h3>"
    if block.kind == "bullets":
        return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in block.items) + "</ul>"
    if block.kind == "table":
        return _html_table(block.frame, block.caption)
    if block.kind == "image":
        kind = "png" if block.image.startswith(b"\x89PNG") else "jpeg"
        picture = base64.b64encode(block.image).decode("ascii")
        return f'<figure><img src="data:image/{kind};base64,{picture}" alt="{html.escape(block.alt, quote=True)}"></figure>'
    data = base64.b64encode(images[id(block)].encode("utf-8")).decode("ascii")
    caption = html.escape(block.caption or _("The table below holds the chart's figures."))
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(block.alt, quote=True)}">'
        f"<figcaption>{caption}</figcaption></figure>{_html_table(block.frame)}"
    )


def to_html(report: Report, images: dict[int, str] | None = None) -> bytes:
    """Write the report as one self-contained HTML page (UTF-8) in the report's language.

    Charts are embedded as SVG images with alternative text, each followed by its table.
    """
    images = chart_vectors(report) if images is None else images
    with using(report.language):
        return _to_html(report, images)


def _made(report: Report) -> str:
    """Say when and from what the report was made (its first line under the subtitle)."""
    return _("Cross-Pilot Lessons · made {when} from the data then in the store").format(when=moment(report.generated))


def _to_html(report: Report, images: dict[int, str]) -> bytes:
    parts = [
        f'<!DOCTYPE html><html lang="{html.escape(report.language, quote=True)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{html.escape(report.title)}</h1><p class='sub'>{html.escape(report.subtitle)}</p>",
        f"<p class='sub'>{html.escape(_made(report))}</p>",
    ]
    if report.notice:
        parts.append(f"<p class='notice'>{html.escape(_(report.notice))}</p>")
    parts.append(f"<p>{html.escape(_(_CITING))}</p>")
    for section in report.sections:
        parts.append(f"<section><h2>{html.escape(section.heading)}</h2>")
        parts.extend(_html_block(b, images) for b in section.blocks)
        parts.append("</section>")
    parts.append(f"<section><h2>{html.escape(_('Sources'))}</h2>")
    parts.append(_html_table(_lesson_sources(report), _("Lessons cited")))
    if len(report.workshops):
        parts.append(_html_table(_workshop_sources(report), _("Validation workshops cited")))
    parts.append(f"</section><footer>{html.escape(_(_FOOTER))}</footer></main></body></html>")
    return "".join(parts).encode("utf-8")


_CITING = N_(
    "How to read the citations: L12 (Community health hubs) is lesson number 12, from the pilot named in brackets; "
    "every cited lesson is listed under Sources with its title, kind and status. Vote counts name their workshop and "
    "round; n counts every vote, passes included, and the 95% interval (Wilson) shows how sure the share agreeing is."
)
#: The demo data's notice (stored with the demo's upload, shown on every report made from it).
_NOTICES = (N_("Illustrative demo data: invented pilots, not real pilot results."),)
_FOOTER = N_(
    "Made with Cross-Pilot Lessons. Lesson ids are those of the store this brief was made from; open a lesson with "
    "the Lessons page's address followed by ?lesson=<id>."
)


#: Column headings of the Sources tables.
_HEADINGS = {
    "lesson": N_("Lesson"), "pilot": N_("Pilot"), "country": N_("Country"), "key": N_("Key"), "title": N_("Title"),
    "kind": N_("Kind"), "status": N_("Status"), "evidence": N_("Evidence"), "workshop": N_("Workshop"),
    "rounds": N_("Rounds"), "held": N_("Held"), "participants": N_("Participants"),
    "votes": N_("Votes (all rounds)"),
}  # fmt: skip


def _headings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={code: _(label) for code, label in _HEADINGS.items()})


def _lesson_sources(report: Report) -> pd.DataFrame:
    return _headings(report.lessons)


def _workshop_sources(report: Report) -> pd.DataFrame:
    return _headings(report.workshops)


# --- PDF --------------------------------------------------------------------------------------------------------------


class _Pdf(FPDF):
    def __init__(self, report: Report):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
        self.add_font("DejaVu", "I", FONTS / "DejaVuSans-Oblique.ttf")
        self.set_font("DejaVu", size=10)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(printable(report.title))
        self.set_subject(printable(report.subtitle))
        self.set_author("Cross-Pilot Lessons")
        self.set_creator("Cross-Pilot Lessons")
        self.set_lang(report.language)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        """Every piece of text fpdf2 writes passes here: make it printable in DejaVu Sans."""
        return super().normalize_text(printable(text))

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(80, 80, 80)
        with using(self.report.language):
            where = _("{title} · page {page} of {pages}").format(
                title=self.report.title, page=number(self.page_no()), pages="{nb}"
            )
        self.cell(0, 5, where, align="C")
        self.set_text_color(0, 0, 0)

    def para(self, text: str, size: float = 10, style: str = "", gap: float = 2, color=(0, 0, 0)):
        self.set_font("DejaVu", style, size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(gap)

    def heading(self, text: str):
        if self.get_y() > self.h - 50:
            self.add_page()
        self.start_section(text)
        self.ln(3)
        self.para(text, size=14, style="B", gap=1)
        self.set_draw_color(*rgb(ACCENT))
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def bullets(self, items: list[str]):
        self.set_font("DejaVu", "", 10)
        for item in items:
            self.set_x(self.l_margin)
            self.cell(5, 5, "•")
            self.multi_cell(0, 5, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1.2)
        self.ln(1)

    def frame(self, frame: pd.DataFrame, caption: str = "", limit: int | None = PDF_TABLE_ROWS):
        if caption:
            self.para(caption, size=9, style="I", gap=1)
        shown = frame if limit is None else frame.head(limit)
        if shown.empty:
            self.para(_("(no rows)"), size=9)
            return
        widths = self._widths(shown)
        self.set_font("DejaVu", "", 8)
        with self.table(
            width=min(sum(widths), self.epw - 0.01),
            align="LEFT",
            col_widths=widths,
            text_align="LEFT",
            line_height=4.2,
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 238, 244)),
            borders_layout="SINGLE_TOP_LINE",
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            table.row([str(c) for c in shown.columns])
            for row in shown.itertuples(index=False):
                table.row([_cell(v) for v in row])
        if len(frame) > len(shown):
            rest = len(frame) - len(shown)
            self.para(
                ngettext(
                    "… and {n} more row (all in the HTML version).",
                    "… and {n} more rows (all in the HTML version).",
                    rest,
                ).format(n=number(rest)),
                size=8,
                style="I",
            )
        self.ln(2)

    def _widths(self, frame: pd.DataFrame) -> list[float]:
        """Return column widths in mm: every heading word fits on one line.

        Numbers and codes get what they need; long text columns share what is left (and wrap).
        """
        pad = 2.5
        self.set_font("DejaVu", "B", 8)
        floor = [max(self.get_string_width(w) for w in (str(c).split() or [""])) + pad for c in frame.columns]
        self.set_font("DejaVu", "", 8)
        words = [  # nor is a word of a cell broken, up to a third of the page
            min(
                max((self.get_string_width(w) for v in frame[c] for w in _cell(v).split()), default=0) + pad,
                self.epw / 3,
            )
            for c in frame.columns
        ]
        floor = [max(f, w) for f, w in zip(floor, words)]
        want = [
            max(f, max((self.get_string_width(_cell(v)) for v in frame[c]), default=0) + pad)
            for f, c in zip(floor, frame.columns)
        ]
        if sum(want) <= self.epw:
            return [w * self.epw / sum(want) for w in want]
        fixed = sum(w for w, f in zip(want, floor) if w <= 2.2 * f)
        flexible = [w for w, f in zip(want, floor) if w > 2.2 * f]
        room = max(self.epw - fixed, 10 * len(flexible))
        scale = room / sum(flexible) if flexible else 1
        return [w if w <= 2.2 * f else max(f, w * scale) for w, f in zip(want, floor)]

    def picture(self, data: bytes, alt: str):
        """Draw an uploaded image at most the text's width and 100 mm high."""
        with Image.open(BytesIO(data)) as image:
            width_px, height_px = image.size
        width = min(self.epw, 100 * width_px / height_px, width_px * 0.26)
        height = width * height_px / width_px
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        self.image(BytesIO(data), x=self.l_margin, w=width, alt_text=alt)
        self.ln(2)

    def chart(self, png: bytes, alt: str):
        with Image.open(BytesIO(png)) as image:
            width_px, height_px = image.size
        width = min(self.epw, width_px / CHART_SCALE * 0.3)  # about 0.3 mm per Vega pixel
        height = width * height_px / width_px
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        self.image(BytesIO(png), x=self.l_margin, w=width, alt_text=alt)
        self.ln(2)


def to_pdf(report: Report, images: dict[int, bytes] | None = None) -> bytes:
    """Write the report as an A4 PDF with bookmarks per section and page numbers.

    Charts are images, each followed by their table, and a Sources section lists every cited lesson and workshop.
    """
    images = chart_images(report) if images is None else images
    with using(report.language):
        return _to_pdf(report, images)


def _to_pdf(report: Report, images: dict[int, bytes]) -> bytes:
    pdf = _Pdf(report)
    pdf.add_page()
    pdf.para(report.title, size=20, style="B", gap=1)
    pdf.para(report.subtitle, size=12, gap=1, color=(60, 60, 60))
    pdf.para(_made(report), size=9, color=(60, 60, 60))
    if report.notice:
        pdf.set_fill_color(255, 244, 214)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 4.5, _(report.notice), fill=True, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)
    pdf.para(_(_CITING), size=9, color=(60, 60, 60))
    for section in report.sections:
        pdf.heading(section.heading)
        for block in section.blocks:
            if block.kind == "text":
                pdf.para(block.text)
            elif block.kind == "subheading":
                pdf.para(block.text, size=11, style="B", gap=1)
            elif block.kind == "bullets":
                pdf.bullets(block.items)
            elif block.kind == "table":
                pdf.frame(block.frame, block.caption)
            elif block.kind == "image":
                pdf.picture(block.image, block.alt)
            else:
                pdf.chart(images[id(block)], block.alt)
                pdf.frame(block.frame, block.caption)
    pdf.heading(_("Sources"))
    pdf.frame(_headings(report.lessons.drop(columns=["evidence"])), _("Lessons cited"), limit=None)
    if len(report.workshops):
        pdf.frame(_workshop_sources(report), _("Validation workshops cited"), limit=None)
    pdf.para(_(_FOOTER), size=8, color=(60, 60, 60))
    return bytes(pdf.output())


def render(report: Report, formats=("html", "pdf")) -> dict[str, bytes]:
    """Render the report's files in ``formats`` (``html``, ``pdf``): ``{"<stem>.html": ..., "<stem>.pdf": ...}``.

    Each chart is laid out once for both.
    """
    vectors = chart_vectors(report)
    files = {}
    if "html" in formats:
        files[f"{report.file_stem}.html"] = to_html(report, vectors)
    if "pdf" in formats:
        files[f"{report.file_stem}.pdf"] = to_pdf(report, chart_images(report, vectors))
    return files

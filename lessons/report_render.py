"""The former home of :mod:`lessons.report.render`; its names stay importable from here."""

from lessons.report.render import (
    CHART_SCALE,
    FONTS,
    PDF_TABLE_ROWS,
    chart_images,
    chart_png,
    chart_svg,
    chart_vectors,
    printable,
    render,
    to_html,
    to_pdf,
)

__all__ = [
    "CHART_SCALE",
    "FONTS",
    "PDF_TABLE_ROWS",
    "chart_images",
    "chart_png",
    "chart_svg",
    "chart_vectors",
    "printable",
    "render",
    "to_html",
    "to_pdf",
]

"""The pilot-summary template workbook, with instructions, help on every column and drop-down lists of allowed values.

Its sheets: Pilot, Lessons, Stakeholders, Ties, and the governance-model sheets Models, Model elements, Lesson links.
The allowed values come from the store's vocabularies, so edits to them show up here; retired themes are not offered.
The instructions and the help on each column are written in the current language (:func:`lessons.i18n.using`); the
sheets' and columns' names and the allowed values stay the English codes, so a filled workbook imports in any language.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlite_utils import Database

from lessons.i18n import N_, _
from lessons.ingest.fields import SHEETS
from lessons.model_authoring import KINDS as KINDS_OF_ELEMENT
from lessons.model_authoring import STANCES
from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES

HEADER_FILL = PatternFill("solid", fgColor="0B5394")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INSTRUCTIONS = [
    N_("How to fill in this pilot summary"),
    "",
    N_("1. Pilot: one value per line in column B (slug, name and country are required for a new pilot)."),
    N_(
        "2. Lessons, Stakeholders, Ties: one row per lesson, stakeholder or tie, below the header row. Do not rename "
        "the headers."
    ),
    N_(
        "3. Keys (L01, S01, …) are stable: upload a revised summary later and rows with the same key are updated in "
        "place; rows you delete from a sheet are removed from the pilot when you upload the sheet again."
    ),
    N_("4. Several themes or stakeholder groups in one cell: separate them with ; (semicolon)."),
    N_(
        "5. Dates: 2021-03-31 is safest; 31.03.2021 and 31/03/2021 work too (day first unless you say otherwise on "
        "upload)."
    ),
    N_("6. Ties refer to stakeholders by their keys, in the same pilot."),
    N_(
        "7. Governance models (administrators and model editors): Models holds one row per model; Model elements its "
        "principles or steps, numbered 1, 2, 3 … per model in the order they belong (the number sets the order)."
    ),
    N_(
        "   Lesson links: a lesson (pilot and key) supports or challenges an element (model and its number). "
        "Coordinators may fill in Lesson links for their own pilots' lessons: those links are proposals an editor "
        "accepts. Leave the model sheets empty if you have nothing to add there."
    ),
    N_("8. Hover over a header to see what the column holds; columns with a fixed list of values offer a drop-down."),
    "",
    N_("Upload the filled workbook on the 'Upload pilot summary' page, or: python -m lessons import FILE.xlsx"),
    N_("Nothing is written until you have seen the preview and committed it; every upload can be undone."),
]


def _lists(db: Database) -> dict[str, list[str]]:
    codes = lambda sql: [r[0] for r in db.execute(sql)]  # noqa: E731
    return {
        "kinds": list(KINDS),
        "statuses": list(STATUSES),
        "evidence_strengths": list(EVIDENCE_STRENGTHS),
        "phases": codes("SELECT code FROM phases ORDER BY position"),
        "sectors": codes("SELECT code FROM sectors ORDER BY code"),
        "methodologies": codes("SELECT code FROM methodologies ORDER BY code"),
        "themes": codes("SELECT code FROM themes WHERE controlled = 1 AND retired = 0 ORDER BY code"),
        "yes_no": ["yes", "no"],
        "element_kinds": list(KINDS_OF_ELEMENT),
        "stances": list(STANCES),
    }


def _note(f) -> str:
    """Return what a column holds, in the current language: its help (else its label), saying when it is required."""
    text = _(f.help or f.label)
    return _("Required. {help}").format(help=text) if f.required else text


def build_template(db: Database) -> bytes:
    """Build the template workbook as XLSX bytes, its instructions and help in the current language."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Instructions"
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = guide.cell(row, 1, _(line) if line else "")
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 120

    lists = _lists(db)
    hidden = workbook.create_sheet("Lists")
    ranges = {}
    for column, (name, values) in enumerate(lists.items(), start=1):
        hidden.cell(1, column, name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            hidden.cell(row, column, value)
        letter = get_column_letter(column)
        ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    hidden.sheet_state = "hidden"

    row = len(INSTRUCTIONS) + 2
    guide.cell(row, 1, _("Allowed values")).font = Font(bold=True, size=12)
    for name, values in lists.items():
        row += 1
        guide.cell(row, 1, f"{name}: {', '.join(values)}")

    pilot = workbook.create_sheet("Pilot")
    for column, title in enumerate(("field", "value", "what it is"), start=1):
        cell = pilot.cell(1, column, title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for row, f in enumerate(SHEETS["Pilot"], start=2):
        pilot.cell(row, 1, f.name).font = Font(bold=f.required)
        pilot.cell(row, 3, _note(f))
        if f.vocabulary in ranges:
            validation = DataValidation(type="list", formula1=ranges[f.vocabulary], allow_blank=True)
            pilot.add_data_validation(validation)
            validation.add(f"B{row}")
    pilot.column_dimensions["A"].width, pilot.column_dimensions["B"].width, pilot.column_dimensions["C"].width = (
        20,
        50,
        70,
    )

    for sheet_name in ("Lessons", "Stakeholders", "Ties", "Models", "Model elements", "Lesson links"):
        sheet = workbook.create_sheet(sheet_name)
        for column, f in enumerate(SHEETS[sheet_name], start=1):
            cell = sheet.cell(1, column, f.name)
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            cell.alignment = Alignment(wrap_text=True)
            cell.comment = Comment(_note(f), "Cross-Pilot Lessons", width=300, height=120)
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = (
                40 if f.name in ("lesson", "context", "recommendation", "title", "description", "note") else 18
            )
            vocabulary = "yes_no" if f.kind == "bool" else f.vocabulary if f.kind == "vocab" else None
            if vocabulary in ranges:
                validation = DataValidation(type="list", formula1=ranges[vocabulary], allow_blank=True)
                validation.error = _("Choose one of the allowed values ({values}).").format(values=_(f.help))
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}5000")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Map a file's columns to our fields, then check every value before anything is written.

Every problem is collected (file, sheet, row, column, message, fix); nothing stops at the first one. With
``skip_invalid`` the rows that have errors are set aside with their reasons and the valid rows go ahead.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlite_utils import Database

from lessons.i18n import _, ngettext, number
from lessons.ingest import normalise as norm
from lessons.ingest.attributes import row_attributes
from lessons.ingest.fields import RANGES, SHEETS, Field
from lessons.ingest.problems import SHOWN_ROWS, Problem
from lessons.ingest.tables import Sheet, Upload
from lessons.lifecycle import upload_status_problem
from lessons.permissions import Actor, can
from lessons.text import clean_text, has_hidden

TABLE_OF_SHEET = {"Lessons": "lessons", "Stakeholders": "stakeholders", "Ties": "ties"}
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
FORMULA_STARTS = ("=", "+", "-", "@")
TIE_DEFAULTS = {"relation": "collaboration", "period": "end"}
#: The sector of an actor whose sector the file does not give (or gives in words no recode turns into a sector).
#: The keys of a mapping file that are not sheets: its options (``python -m lessons import --mapping``).
MAPPING_KEYS = ("pilot", "separator", "date_order", "country", "defaults", "values")
#: The longest stakeholder key taken from a name (a sheet with a name column and no key column).
MAX_NAME_KEY = 200
#: Files whose Ties sheet is an edge list: its ends not yet known become stakeholders when no Stakeholders sheet came.
EDGE_LIST_SUFFIXES = (".csv", ".tsv", ".txt", "")


@dataclass
class Options:
    """How to read an upload: a pilot for rows that name none, column mapping, separator and date order."""

    pilot: str | None = None
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> field -> column
    separator: str = ";"
    date_order: str = "DMY"
    skip_invalid: bool = False
    country: str | None = None  # for pilots created from a file that has no Pilot sheet
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> field -> value for every row
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # sheet -> field -> file value -> ours
    remove_missing: bool = False  # remove the pilot's rows that a sheet of the upload no longer has


@dataclass
class Prepared:
    """Checked, normalised rows, ready for the preview; ``rejected`` holds the rows set aside, with reasons."""

    pilots: dict[str, dict] = field(default_factory=dict)  # slug -> pilot fields given in the upload
    new_pilots: set[str] = field(default_factory=set)
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in TABLE_OF_SHEET.values()})
    sheets_present: dict[str, set[str]] = field(default_factory=dict)  # pilot slug -> tables the upload covers
    problems: list[Problem] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    new_themes: dict[str, str] = field(default_factory=dict)  # code -> name of free tags to create
    pilot_labels: dict[str, str] = field(default_factory=dict)  # slug -> the pilot as a cell first named it
    models: Any = None  # lessons.ingest.model_sheets.ModelRows: the checked rows of the model sheets
    refused: dict[str, set[str]] = field(default_factory=dict)  # pilot -> keys of stakeholder rows refused
    unread: set[str] = field(default_factory=set)  # tables of sheets refused whole (a column missing)
    recodes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict, repr=False)  # read once per field

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors."""
        return [p for p in self.problems if p.severity == "error"]


def guess_mapping(columns: list[str], sheet: str) -> dict[str, str]:
    """For each field of ``sheet``, the column that most likely holds it (by name, alias or similarity).

    >>> guess_mapping(["Subject", "Lesson(s) Learned", "Recommendation(s)", "Topics"], "Lessons")["title"]
    'Subject'
    """
    folded = {norm.fold(c): c for c in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for f in SHEETS[sheet]:
        for candidate in (f.name, f.label, *f.aliases):
            column = folded.get(norm.fold(candidate))
            if column and column not in used:
                mapping[f.name] = column
                used.add(column)
                break
    for f in SHEETS[sheet]:
        if f.name in mapping:
            continue
        names = [norm.fold(n) for n in (f.name, f.label, *f.aliases)]
        best = max(
            (
                (difflib.SequenceMatcher(None, n, fc).ratio(), c)
                for fc, c in folded.items()
                if c not in used
                for n in names
            ),
            default=(0, None),
        )
        if best[0] >= 0.82:
            mapping[f.name] = best[1]
            used.add(best[1])
    return _key_or_name(mapping, sheet)


def _key_or_name(mapping: dict[str, str], sheet: str, given: dict | None = None) -> dict[str, str]:
    """Let a Stakeholders sheet's one column of key and name give both: the name is the key, or the key the name.

    >>> _key_or_name({"key": "node"}, "Stakeholders"), _key_or_name({"name": "actor"}, "Stakeholders")
    ({'key': 'node', 'name': 'node'}, {'name': 'actor', 'key': 'actor'})
    """
    given = given or {}
    if sheet != "Stakeholders" or "key" in given or "name" in given:
        return mapping
    if "key" in mapping and "name" not in mapping:
        mapping["name"] = mapping["key"]
    elif "name" in mapping and "key" not in mapping:
        mapping["key"] = mapping["name"]
    return mapping


class _Vocabularies:
    def __init__(self, db: Database):
        rows = lambda sql: [dict(zip(("code", "name"), r)) for r in db.execute(sql)]  # noqa: E731
        phase_rows = rows("SELECT code, name FROM phases")
        steps = db.execute("SELECT phase, name FROM methodology_steps").fetchall()
        phase_names = {r["code"]: [r["name"]] for r in phase_rows}
        for phase, step in steps:  # the crosswalk: a methodology's own step name means its shared phase
            phase_names[phase].append(step)
        self.by_name = {
            "themes": norm.vocabulary_from_rows("themes", rows("SELECT code, name FROM themes")),
            "phases": norm.Vocabulary("co-creation phases", phase_names),
            "sectors": norm.sectors_vocabulary(rows("SELECT code, name FROM sectors")),
            "methodologies": norm.vocabulary_from_rows("methodologies", rows("SELECT code, name FROM methodologies")),
            "countries": norm.country_vocabulary(),
            "kinds": norm.kinds(),
            "statuses": norm.statuses(),
            "evidence_strengths": norm.evidence_strengths(),
            "element_kinds": norm.Vocabulary("element kinds", {"principle": ["principles"], "step": ["steps"]}),
            "stances": norm.Vocabulary(
                "stances", {"supports": ["support", "for"], "challenges": ["challenge", "against", "contradicts"]}
            ),
        }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def recodes(options: Options, sheet: str, name: str) -> dict[str, str]:
    """Return the recode of field ``name`` of ``sheet`` (``Options.values``), keyed by the folded value in the file.

    >>> recodes(Options(values={"Stakeholders": {"sector": {"Gov ": "public"}}}), "Stakeholders", "sector")
    {'gov': 'public'}
    """
    given = (options.values.get(sheet) or {}).get(name) or {}
    return {norm.fold(k): str(v).strip() for k, v in given.items() if isinstance(k, str) and v is not None}


def _recoded(text: str, recode: dict[str, str]) -> str:
    return recode.get(norm.fold(text), text) if recode and text else text


def _row_fields(sheet: str, mapping: dict, options: Options) -> list[Field]:
    """Return the fields of ``sheet`` a row can say something about, in order.

    Those a column or a default gives, the required ones (an empty one is a problem) and a stakeholder's sector (an
    empty one is counted); the others are empty on every row, so :func:`_check_row` has nothing to do there.
    """
    defaults = options.defaults.get(sheet, {})
    return [
        f
        for f in SHEETS[sheet]
        if mapping.get(f.name) or f.name in defaults or f.required or (sheet == "Stakeholders" and f.name == "sector")
    ]


def _check_row(
    sheet: Sheet,
    row_number: int,
    raw: dict,
    mapping: dict,
    vocab: _Vocabularies,
    options: Options,
    prepared: Prepared,
    fields: list[Field] | None = None,
):
    """Normalised values of one row and the problems found in it (``fields``: :func:`_row_fields`, else all)."""
    values: dict = {}
    problems: list[Problem] = []
    stakeholders = sheet.name == "Stakeholders"

    def problem(f: Field, message: str, fix: str = "", severity: str = "error"):
        problems.append(
            Problem(sheet.file, sheet.name, row_number, mapping.get(f.name, f.label), message, fix, severity)
        )

    defaults = options.defaults.get(sheet.name, {})
    for f in SHEETS[sheet.name] if fields is None else fields:
        column = mapping.get(f.name)
        raw_value = raw.get(column) if column else None
        if raw_value in (None, "") and f.name in defaults:
            raw_value = defaults[f.name]
        if f.kind in ("date", "number", "bool") and not isinstance(raw_value, str) and raw_value is not None:
            text = raw_value
        else:
            text = raw_value.strip() if type(raw_value) is str else _text(raw_value)
        if text == "":  # nothing to clean, check or recode
            if f.required:
                problem(f, *_empty(f))
            elif stakeholders and f.name == "sector":
                values["_unsectored"] = ("", None)  # gathered into one warning per sheet
            continue
        if isinstance(text, str):
            if not (text.isascii() and text.isprintable()):  # else nothing to remove or normalise
                if has_hidden(text):
                    problem(f, _("Invisible control characters were removed."), severity="warning")
                text = clean_text(text)
            if len(text) > f.max_length:
                problem(
                    f,
                    _("The text has {n} characters; at most {limit} fit here.").format(
                        n=number(len(text)), limit=number(f.max_length)
                    ),
                    _("Shorten it, or move detail into the evidence or context."),
                )
                continue
            if (
                text.startswith(FORMULA_STARTS)
                and f.kind in ("text", "key")
                and len(text) > 1
                and not text[1:2].isdigit()
            ):
                problem(
                    f,
                    _("The value starts like a spreadsheet formula; it is kept as plain text."),
                    _("Check it is what you meant; downloads neutralise it."),
                    "warning",
                )
        recode = prepared.recodes.get((sheet.name, f.name))
        if recode is None:
            recode = prepared.recodes[sheet.name, f.name] = recodes(options, sheet.name, f.name)
        if f.kind == "vocab" or (f.kind == "text" and recode):
            text = _recoded(text, recode)
        if text in ("", None):
            if f.required:
                problem(f, *_empty(f))
            elif stakeholders and f.name == "sector":
                values["_unsectored"] = ("", None)  # gathered into one warning per sheet
            continue
        try:
            if f.kind == "date":
                values[f.name] = norm.parse_date(text, options.date_order)
            elif f.kind == "bool":
                values[f.name] = norm.parse_bool(text)
            elif f.kind == "number":
                amount = norm.parse_number(text)
                low, high = RANGES.get(f.name, (None, None))
                if amount is not None and low is not None and not low <= amount <= high:
                    raise ValueError(
                        _("{field} must be between {low} and {high}.").format(
                            field=_(f.label), low=number_text(low), high=number_text(high)
                        )
                    )
                if amount is not None and low is None and amount <= 0:
                    raise ValueError(_("{field} must be greater than 0.").format(field=_(f.label)))
                values[f.name] = amount
            elif f.kind == "vocab":
                match = vocab.by_name[f.vocabulary].match(text)
                if match.code is None and stakeholders and f.name == "sector":
                    values["_unsectored"] = (text, match.suggestion)  # gathered into one warning per sheet
                    continue
                if match.code is None:
                    problem(
                        f, match.message or _("'{value}' is not allowed here.").format(value=text), _vocab_fix(match, f)
                    )
                    continue
                values[f.name] = match.code
            elif f.kind == "multi":
                codes = []
                for part in norm.split_multi(text, options.separator):
                    part = _recoded(part, recode)
                    match = vocab.by_name[f.vocabulary].match(part)
                    if match.code is not None:
                        codes.append(match.code)
                    elif f.name == "themes":  # a theme we do not know becomes a free tag
                        code = _free_tag(part)
                        values.setdefault("_tags", {}).setdefault(code, part[:80])  # created if the row is kept
                        codes.append(code)
                        if match.suggestion:
                            problem(
                                f,
                                _("'{value}' is kept as a new free tag.").format(value=part),
                                _("Did you mean the theme '{theme}'?").format(theme=match.suggestion),
                                "warning",
                            )
                    else:
                        problem(
                            f,
                            match.message or _("'{value}' is not allowed here.").format(value=part),
                            _vocab_fix(match, f),
                        )
                values[f.name] = list(dict.fromkeys(codes))
            else:
                values[f.name] = text
        except (ValueError, OverflowError) as err:
            problem(f, str(err), _(f.help) if f.help else "")
    return values, problems


def _sector_warning(sheet: Sheet, unsectored: dict[tuple, list[int]], *, column: str | None) -> Problem | None:
    """Return the one warning about a sheet's actors without a sector we know, or None when every actor has one.

    ``unsectored`` maps (value in the file, suggested sector) to the rows holding it (value ``""``: empty); ``column``
    is the sheet's sector column (None: no column holds the sector).
    """
    if column is None:
        actors = sum(1 for raw in sheet.rows if any(_text(v) for v in raw.values()))
        message = ngettext(
            "No column holds the sector: the {n} actor is imported as not classified.",
            "No column holds the sector: the {n} actors are imported as not classified.",
            actors,
        ).format(n=number(actors))
        fix = _("Map a column to sector (or give one sector for every row), or leave them not classified.")
        return Problem(sheet.file, sheet.name, None, "Sector", message, fix, "warning")
    if not unsectored:
        return None
    rows = sorted(r for found in unsectored.values() for r in found)
    by_value = sorted(((v, s, len(r)) for (v, s), r in unsectored.items() if v), key=lambda x: (-x[2], x[0]))
    parts = [
        _("'{value}' {n} (did you mean {sector}?)").format(value=v, n=number(n), sector=s)
        if s
        else f"'{v}' {number(n)}"
        for v, s, n in by_value
    ]
    empty = len(unsectored.get(("", None), []))
    if empty:
        parts.append(_("empty {n}").format(n=number(empty)))
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS]) + (", …" if len(rows) > SHOWN_ROWS else "")
    example = by_value[0][0] if by_value else None
    return Problem(
        sheet.file, sheet.name, None, column,
        ngettext(
            "{n} actor has no sector we know ({values}; rows {rows}): it is imported as not classified.",
            "{n} actors have no sector we know ({values}; rows {rows}): they are imported as not classified.",
            len(rows),
        ).format(n=number(len(rows)), values=", ".join(parts), rows=shown),
        _(
            'Recode the values to sectors (a mapping file takes "values": {mapping}), map another column to '
            "sector, or leave them not classified."
        ).format(mapping=f'{{"Stakeholders": {{"sector": {{"{example}": "public"}}}}}}')
        if example
        else _("Recode the values to sectors, map another column to sector, or leave them not classified."),
        "warning",
    )  # fmt: skip


def _unknown_columns(sheet: Sheet, mapping: dict, given: dict | None) -> list[Problem]:
    """Return a problem for each column the given mapping names that the sheet does not have.

    A column named after one of a field's aliases is that field's own column when the reader already gave it its
    name: a network reader reads a node's ``type`` as its sector, so ``{"sector": "type"}`` means column ``sector``.
    """
    problems = []
    for f in SHEETS[sheet.name]:
        column = (given or {}).get(f.name)
        if not column or column in sheet.columns:
            continue
        if f.name in sheet.columns and norm.fold(column) in {norm.fold(a) for a in (f.label, *f.aliases)}:
            mapping[f.name] = f.name
            continue
        problems.append(
            Problem(sheet.file, sheet.name, 1, str(column),
                    _("The mapping takes {field} from the column '{column}', which the file does not have.").format(field=_(f.label).lower(), column=column),
                    _("Name one of its columns: {columns}.").format(columns=", ".join(sheet.columns[:15])))
        )  # fmt: skip
    return problems


def _name_key_problems(sheet: Sheet, row_number: int, column: str, values: dict) -> list[Problem]:
    """Refuse a key taken from a name (one column gives both) that is longer than :data:`MAX_NAME_KEY`."""
    key = values.get("key") or ""
    if len(key) <= MAX_NAME_KEY:
        return []
    values.pop("key")
    return [
        Problem(
            sheet.file, sheet.name, row_number, column,
            _("The name has {n} characters; it is also the stakeholder's key (no column holds a key), and a key has at most {limit}.").format(n=number(len(key)), limit=number(MAX_NAME_KEY)),
            _("Add a key column (S01, S02 …) or shorten the name."),
        )
    ]  # fmt: skip


def _empty(f: Field) -> tuple[str, str]:
    """Return the problem of a required field left empty, and its fix (with the field's help when it has one)."""
    message = _("{field} is empty.").format(field=_(f.label))
    return message, _("Fill in “{field}”: {help}").format(field=_(f.label), help=_(f.help)) if f.help else ""


def number_text(value: float) -> str:
    """Return a bound of a range as the reader writes numbers (``-90``, ``0,5``).

    >>> number_text(-90.0), number_text(0.5)
    ('-90', '0.5')
    """
    return number(int(value)) if float(value).is_integer() else number(value)


def _vocab_fix(match, f: Field) -> str:
    """Say how to fix a value no code matched, without repeating what the message already lists."""
    if match.suggestion:
        return _("Did you mean '{value}'? Correct it, or recode it.").format(value=match.suggestion)
    if match.lists_codes:
        return _("Correct it, or recode it to one of them.")
    return _("Correct it, or recode it: {help}").format(help=_(f.help)) if f.help else _("Correct it, or recode it.")


def missing_columns(sheet: Sheet, mapping: dict, given: dict) -> Problem | None:
    """Return the problem of a sheet where no column holds a required field (nor a value for every row is given)."""
    missing = [_(f.label) for f in SHEETS[sheet.name] if f.required and f.name not in mapping and f.name not in given]
    if not missing:
        return None
    return Problem(sheet.file, sheet.name, 1, None, _("No column holds {fields}.").format(fields=", ".join(missing)),
                   _("Map a column to each of them (columns found: {columns}).").format(columns=", ".join(sheet.columns[:15])))  # fmt: skip


def _free_tag(name: str) -> str:
    """Make a theme code for a free tag, e.g. "Risk Management" → "tag-risk-management"."""
    return "tag-" + ("-".join(re.sub(r"[^a-z0-9]+", " ", norm.fold(name)).split()) or "untitled")[:60]


def prepare(db: Database, actor: Actor, upload: Upload, options: Options | None = None) -> Prepared:
    """Check every row of ``upload`` for ``actor``; return normalised rows and every problem found."""
    options = options or Options()
    prepared = Prepared(problems=list(upload.problems))
    vocab = _Vocabularies(db)
    existing = {slug: pid for pid, slug in db.execute("SELECT id, slug FROM pilots")}

    for sheet in upload.sheet("Pilot"):
        mapping = options.mapping.get("Pilot") or guess_mapping(sheet.columns, "Pilot")
        for offset, raw in enumerate(sheet.rows):
            if not any(_text(v) for v in raw.values()):
                continue  # the template's Pilot sheet left empty: the rows name their pilot, or the upload does
            values, problems = _check_row(sheet, sheet.row_number(offset), raw, mapping, vocab, options, prepared)
            prepared.problems += problems
            slug = values.get("slug") or options.pilot
            if slug:
                prepared.pilots[slug] = {k: v for k, v in values.items() if k != "slug"}
    default_pilot = options.pilot or (next(iter(prepared.pilots)) if len(prepared.pilots) == 1 else None)
    pilot_names = {norm.fold(name): slug for slug, name in db.execute("SELECT slug, name FROM pilots")}
    pilot_names.update({norm.fold(slug): slug for slug in existing})

    seen: dict[tuple, int] = {}
    statuses: dict[tuple[str, str], str] | None = None  # (pilot, key) -> status of the lessons in the store
    for sheet_name, table in TABLE_OF_SHEET.items():
        for sheet in upload.sheet(sheet_name):
            mapping = dict(options.mapping.get(sheet_name) or guess_mapping(sheet.columns, sheet_name))
            _key_or_name(mapping, sheet_name, options.defaults.get(sheet_name))
            refused = _unknown_columns(sheet, mapping, options.mapping.get(sheet_name))
            missing = None if refused else missing_columns(sheet, mapping, options.defaults.get(sheet_name, {}))
            if refused or missing:
                prepared.problems += refused or [missing]
                prepared.unread.add(table)  # the sheet's rows are not read: rows referring to them are not checked
                continue
            column = mapping.get("sector") if sheet_name == "Stakeholders" else None
            if column and not any(_text(raw.get(column)) for raw in sheet.rows):
                mapping = {k: v for k, v in mapping.items() if k != "sector"}  # an empty column gives no sector
            sector_given = "sector" in mapping or "sector" in options.defaults.get(sheet_name, {})
            unsectored: dict[tuple, list[int]] = {}  # (value in the file, suggestion) -> rows
            given = tuple(mapping)  # one tuple for the sheet's rows
            fields = _row_fields(sheet_name, mapping, options)
            for offset, raw in enumerate(sheet.rows):
                row_number = sheet.row_number(offset)
                if not any(_text(v) for v in raw.values()):
                    continue
                values, problems = _check_row(sheet, row_number, raw, mapping, vocab, options, prepared, fields)
                if table == "stakeholders" and mapping.get("key") == mapping.get("name"):
                    problems += _name_key_problems(sheet, row_number, mapping["key"], values)
                if "_unsectored" in values:
                    unsectored.setdefault(values.pop("_unsectored"), []).append(row_number)
                named = values.pop("pilot", None)
                pilot = _pilot_slug(named, pilot_names) or default_pilot
                if named and pilot:  # a new pilot is named as the file writes it ("KSC", not "Ksc")
                    prepared.pilot_labels.setdefault(pilot, str(named).strip()[:200])
                where = (sheet.file, sheet_name, row_number)
                if not pilot:
                    problems.append(
                        Problem(
                            *where,
                            "pilot",
                            _("The row names no pilot."),
                            _("Add a Pilot column, a Pilot sheet, or choose the pilot for the whole file."),
                        )
                    )
                elif not _SLUG.fullmatch(pilot):
                    problems.append(
                        Problem(
                            *where,
                            "pilot",
                            _("'{value}' cannot be a pilot slug.").format(value=pilot),
                            _("Use lower-case letters, digits and dashes, e.g. porto-housing."),
                        )
                    )
                else:
                    problems += _pilot_access(db, actor, pilot, existing, where, prepared)
                if table == "lessons" and pilot:
                    if statuses is None:
                        statuses = {
                            (slug, key): status
                            for slug, key, status in db.execute(
                                "SELECT p.slug, l.key, l.status FROM lessons l JOIN pilots p ON p.id = l.pilot_id"
                            )
                        }
                    refused = upload_status_problem(statuses.get((pilot, values.get("key"))), values.get("status"))
                    if refused:
                        problems.append(
                            Problem(
                                *where,
                                mapping.get("status", "Status"),
                                refused,
                                _("Write draft or submitted, or leave the cell empty to keep the lesson's status."),
                            )
                        )
                key = (table, pilot, *(values.get(k) or TIE_DEFAULTS.get(k) for k in _identity(table)))
                if key in seen and not any(p.severity == "error" for p in problems):
                    problems.append(
                        Problem(
                            *where,
                            None,
                            _("This row repeats row {row} ({key}).").format(
                                row=seen[key], key=", ".join(str(k) for k in key[2:])
                            ),
                            _("Keep one row per key; remove or renumber the repeat."),
                        )
                    )
                seen.setdefault(key, row_number)
                if table == "ties" and values.get("source") and values.get("source") == values.get("target"):
                    problems.append(
                        Problem(
                            *where,
                            "target",
                            _("A stakeholder cannot be tied to itself."),
                            _("Correct the source or the target."),
                        )
                    )
                prepared.problems += problems
                row = dict(values, pilot=pilot, _where=where, _given=given)
                row.update(row_attributes(table, sheet.columns, raw, mapping))  # what the file says beyond our columns
                if any(p.severity == "error" for p in problems):
                    if table == "stakeholders" and values.get("key"):
                        prepared.refused.setdefault(pilot, set()).add(values["key"])
                    prepared.rejected.append(
                        dict(
                            raw,
                            _reason="; ".join(p.message for p in problems if p.severity == "error"),
                            _sheet=sheet_name,
                            _row=row_number,
                        )
                    )
                    continue
                for code, name in row.pop("_tags", {}).items():
                    prepared.new_themes.setdefault(code, name)
                prepared.rows[table].append(row)
                prepared.sheets_present.setdefault(pilot, set()).add(table)
            if sheet_name == "Stakeholders":
                warning = _sector_warning(sheet, unsectored, column=mapping.get("sector") if sector_given else None)
                if warning:
                    prepared.problems.append(warning)
    for slug in prepared.pilots:
        _pilot_access(
            db,
            actor,
            slug,
            existing,
            (upload.sheet("Pilot")[0].file if upload.sheet("Pilot") else "upload", "Pilot", None),
            prepared,
            record=True,
        )
    _check_ties(db, prepared, existing, implied=not upload.sheet("Stakeholders") and not prepared.unread)
    _check_new_pilots(prepared, existing, options, upload.files[0]["filename"] if upload.files else "upload")
    return prepared


def _pilot_slug(value, pilot_names: dict[str, str]) -> str | None:
    """Return the pilot a cell names: a stored pilot by slug or name, else the cell made a slug ("KSC" → "ksc")."""
    if value in (None, ""):
        return None
    folded = norm.fold(value)
    return pilot_names.get(folded) or "-".join(folded.split()) or None


def _identity(table: str) -> tuple[str, ...]:
    return ("source", "target", "relation", "period") if table == "ties" else ("key",)


def _pilot_access(db, actor, slug, existing, where, prepared, *, record: bool = False) -> list[Problem]:
    problems = []
    if slug in existing:
        if not can(actor, "upload.commit", existing[slug]):
            problems.append(
                Problem(
                    *where,
                    "pilot",
                    _("You may not upload into the pilot '{pilot}'.").format(pilot=slug),
                    _("Upload only into the pilots you coordinate, or ask an administrator."),
                )
            )
    elif not can(actor, "pilot.create"):
        problems.append(
            Problem(
                *where,
                "pilot",
                _("There is no pilot '{pilot}', and only administrators create pilots.").format(pilot=slug),
                _("Check the slug, or ask an administrator to create the pilot."),
            )
        )
    else:
        prepared.new_pilots.add(slug)
    if record:
        prepared.problems += problems
    return problems


def _is_edge_list(filename: str) -> bool:
    """Return whether a sheet was read from a CSV file (an edge list when it is a Ties sheet), packed or not.

    >>> _is_edge_list("edges_pol.csv"), _is_edge_list("h.zip/ties.csv.gz"), _is_edge_list("pilot.xlsx")
    (True, True, False)
    """
    return PurePath(filename.lower().removesuffix(".gz")).suffix in EDGE_LIST_SUFFIXES


def _check_ties(db: Database, prepared: Prepared, existing: dict, *, implied: bool = False) -> None:
    """Check that every tie joins stakeholders of its pilot.

    Those are the stakeholders in the upload, else (when the upload has no Stakeholders sheet for that pilot) those
    already stored. With ``implied`` (the upload has no Stakeholders sheet), an end of a CSV edge list that the pilot
    does not have becomes a new stakeholder, its key and name the end, as a network's edge list gives them; a
    stakeholder the pilot has keeps its name. One warning per file says how many were added.
    """
    added: dict[str, list[int]] = {}  # file -> rows that added a stakeholder
    known: dict[str, set[str]] = {}
    for row in prepared.rows["stakeholders"]:
        known.setdefault(row["pilot"], set()).add(row["key"])
    kept = []
    for tie in prepared.rows["ties"]:
        pilot = tie["pilot"]
        if pilot not in known:
            known[pilot] = (
                {r[0] for r in db.execute("SELECT key FROM stakeholders WHERE pilot_id = ?", [existing[pilot]])}
                if pilot in existing and "stakeholders" not in prepared.sheets_present.get(pilot, set())
                else set()
            )
        missing = [end for end in ("source", "target") if tie[end] not in known[pilot]]
        if implied and missing and _is_edge_list(tie["_where"][0]):
            for end in [e for e in missing if len(tie[e]) <= MAX_NAME_KEY]:
                if tie[end] in known[pilot]:  # a tie from a stakeholder to itself is refused elsewhere
                    continue
                known[pilot].add(tie[end])
                row = {"key": tie[end], "name": tie[end], "pilot": pilot, "_where": tie["_where"], "_given": ("key", "name")}  # fmt: skip
                prepared.rows["stakeholders"].append(row)
                added.setdefault(tie["_where"][0], []).append(tie["_where"][2])
            missing = [end for end in missing if tie[end] not in known[pilot]]
        refused = [
            end for end in missing if tie[end] in prepared.refused.get(pilot, ()) or "stakeholders" in prepared.unread
        ]
        for end in missing:
            if refused:  # the stakeholder's own row was refused and says why: no follow-on problem here
                continue
            prepared.problems.append(
                Problem(*tie["_where"], end, _("The tie names the stakeholder '{stakeholder}', which pilot '{pilot}' does not have.").format(stakeholder=tie[end], pilot=pilot), _("Add that stakeholder to the Stakeholders sheet, or correct the key."))
            )  # fmt: skip
        if missing:
            prepared.rejected.append(
                {
                    **{k: v for k, v in tie.items() if not k.startswith("_")},
                    "_reason": (
                        f"its stakeholder '{tie[refused[0]]}' was not read"
                        if refused
                        else "tie to an unknown stakeholder"
                    ),
                    "_sheet": "Ties",
                    "_row": tie["_where"][2],
                }
            )
        else:
            kept.append(tie)
    prepared.rows["ties"] = kept
    for file, rows in added.items():
        prepared.problems.append(
            Problem(
                file, "Ties", None, None,
                ngettext(
                    "The upload has no Stakeholders sheet: {n} stakeholder named only in these ties was added, named by its key and not classified.",
                    "The upload has no Stakeholders sheet: {n} stakeholders named only in these ties were added, named by their key and not classified.",
                    len(rows),
                ).format(n=number(len(rows))),
                _("Upload the stakeholders (key, name, sector) with the ties to name and classify them; stakeholders the pilot has keep their names."),
                "warning",
            )
        )  # fmt: skip


def _check_new_pilots(prepared: Prepared, existing: dict, options: Options, source: str = "upload") -> None:
    reported = any(p.sheet == "Pilot" and p.column and p.column.lower() == "country" for p in prepared.problems)
    for slug in sorted(prepared.new_pilots):
        facts = prepared.pilots.setdefault(slug, {})
        facts.setdefault("name", prepared.pilot_labels.get(slug) or slug.replace("-", " ").capitalize())
        if not facts.get("country"):
            if options.country:
                facts["country"] = options.country
            elif not reported:  # an unrecognised country was reported already, with a suggestion
                prepared.problems.append(
                    Problem(source, "Pilot", None, "country", _("The new pilot '{pilot}' needs a country.").format(pilot=slug), _("Add a Pilot sheet with its country, or give a country for new pilots (--country XX)."))
                )  # fmt: skip

"""Lessons in other languages: translations entered by coordinators, each marked as one and with who translated it.

A lesson is written in one language (``lessons.language``); ``lesson_translations`` (m022) holds its title, text,
context and recommendation in others. A reader sees a lesson in their language where a translation exists, else the
original, told which (:func:`shown_in`). Who may edit a lesson may translate it (``lesson.edit``: an administrator,
or a coordinator of its pilot); every change is one transaction recorded in the audit log. Coordinators see what is
left to translate (:func:`untranslated`) and may translate in a spreadsheet: :func:`export_sheet` writes one,
:func:`import_sheet` reads it back, checked like an upload (every problem with its file, row, column and fix; a file
with any problem writes nothing).
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pandas as pd
from babel import Locale, UnknownLocaleError
from sqlite_utils import Database

from lessons.audit import record
from lessons.editing_base import EditError
from lessons.exports import FORMULA_STARTS, to_xlsx
from lessons.i18n import _
from lessons.ingest.problems import IngestError, Problem
from lessons.permissions import Actor, authorize
from lessons.text import clean_text

__all__ = [
    "FIELDS",
    "SHEET_COLUMNS",
    "TranslationError",
    "coverage",
    "export_sheet",
    "import_sheet",
    "language_label",
    "lesson_languages",
    "original",
    "read_sheet",
    "remove_translation",
    "set_translation",
    "shown_by_id",
    "shown_in",
    "shown_rows",
    "translations_of",
    "untranslated",
]

#: The texts of a lesson that a translation holds (the first two are required).
FIELDS = ("title", "lesson", "context", "recommendation")
#: The spreadsheet's columns: which lesson (pilot, key), the translation's language, the original to read, and the
#: four translated texts to fill in.
SHEET_COLUMNS = (
    "pilot", "key", "language", "original_language", "original_title", "original_lesson", "original_context",
    "original_recommendation", *FIELDS,
)  # fmt: skip
_LANGUAGE = re.compile(r"[a-z]{2,3}$")


class TranslationError(EditError):
    """A translation cannot be written as asked; the message says why and what to do."""


def _language(code) -> str:
    code = str(code or "").strip().lower()
    if not _LANGUAGE.match(code):
        raise TranslationError(
            _("'{code}' is not a language code. Use a two-letter ISO 639-1 code such as fi, it or lv.").format(
                code=code
            )
        )
    return code


def language_label(code: str | None, reader: str = "en") -> str:
    """Return a language's name in the reader's language (its code when Babel does not know it).

    >>> language_label("it"), language_label("it", "fi"), language_label("xx")
    ('Italian', 'italia', 'xx')
    """
    code = (code or "").strip()
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        return code


def _lesson(db: Database, lesson_id: int) -> dict:
    row = db.execute("SELECT id, pilot_id, language FROM lessons WHERE id = ?", [int(lesson_id)]).fetchone()
    if row is None:
        raise TranslationError(_("There is no lesson {id}.").format(id=lesson_id))
    return {"id": row[0], "pilot_id": row[1], "language": row[2]}


def set_translation(
    db: Database,
    actor: Actor | None,
    lesson_id: int,
    language: str,
    *,
    title: str,
    lesson: str,
    context: str | None = None,
    recommendation: str | None = None,
) -> None:
    """Write (or replace) a lesson's translation into ``language``, with the actor as its translator.

    Who may edit the lesson may translate it (``lesson.edit``). The title and the text are required; a translation
    into the lesson's own language is refused.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pilot = db["pilots"].insert({"slug": "a", "name": "A", "country": "IT"}).last_pk
    >>> lesson = db["lessons"].insert({"pilot_id": pilot, "key": "L1", "title": "Fiducia", "lesson": "Le comunità",
    ...                                "kind": "insight", "language": "it"}).last_pk
    >>> set_translation(db, Actor("ana", "admin"), lesson, "en", title="Trust", lesson="Communities")
    >>> translations_of(db, lesson)[0]["title"], translations_of(db, lesson)[0]["translated_by"]
    ('Trust', 'ana')
    >>> set_translation(db, Actor("ana", "admin"), lesson, "it", title="Fiducia", lesson="x")
    Traceback (most recent call last):
    ...
    lessons.translations.TranslationError: The lesson is written in it: a translation must be into another language.
    """
    found = _lesson(db, lesson_id)
    language = _language(language)
    authorize(actor, "lesson.edit", found["pilot_id"])
    texts = {"title": title, "lesson": lesson, "context": context, "recommendation": recommendation}
    texts = {k: (clean_text(v).strip() or None) if v is not None else None for k, v in texts.items()}
    _check(found, language, texts)
    with db.atomic():
        _write(db, actor, found["id"], language, texts)
        record(db, actor, "lesson.translate", object_type="lessons", object_id=found["id"], rows=1,
               detail={"language": language})  # fmt: skip


def _check(found: dict, language: str, texts: dict) -> None:
    if language == (found["language"] or "").lower():
        raise TranslationError(
            _("The lesson is written in {language}: a translation must be into another language.").format(
                language=language
            )
        )
    if not texts["title"] or not texts["lesson"]:
        raise TranslationError(_("A translation needs a title and the lesson's text."))


def _write(db: Database, actor: Actor | None, lesson_id: int, language: str, texts: dict) -> None:
    db.execute(
        """INSERT INTO lesson_translations (lesson_id, language, title, lesson, context, recommendation,
                                            translated_by, translated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
           ON CONFLICT (lesson_id, language) DO UPDATE SET title = excluded.title, lesson = excluded.lesson,
               context = excluded.context, recommendation = excluded.recommendation,
               translated_by = excluded.translated_by, translated_at = excluded.translated_at""",
        [lesson_id, language, *(texts[f] for f in FIELDS), actor.label if actor else None],
    )


def remove_translation(db: Database, actor: Actor | None, lesson_id: int, language: str) -> bool:
    """Remove a lesson's translation into ``language``; return whether there was one.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pilot = db["pilots"].insert({"slug": "a", "name": "A", "country": "IT"}).last_pk
    >>> lesson = db["lessons"].insert({"pilot_id": pilot, "key": "L1", "title": "T", "lesson": "x", "kind": "insight"}).last_pk
    >>> set_translation(db, Actor("ana", "admin"), lesson, "fi", title="Luottamus", lesson="y")
    >>> remove_translation(db, Actor("ana", "admin"), lesson, "fi"), remove_translation(db, Actor("ana", "admin"), lesson, "fi")
    (True, False)
    """
    found = _lesson(db, lesson_id)
    language = _language(language)
    authorize(actor, "lesson.edit", found["pilot_id"])
    with db.atomic():
        removed = db.execute(
            "DELETE FROM lesson_translations WHERE lesson_id = ? AND language = ?", [found["id"], language]
        ).rowcount
        if removed:
            record(db, actor, "lesson.untranslate", object_type="lessons", object_id=found["id"], rows=removed,
                   detail={"language": language})  # fmt: skip
    return bool(removed)


def original(db: Database, lesson_id: int) -> dict | None:
    """Return a lesson's texts as written, its key and language, and its translations (None if there is no lesson).

    >>> from lessons.store import open_memory_store
    >>> original(open_memory_store(), 1) is None
    True
    """
    cursor = db.execute(f"SELECT id, key, language, {', '.join(FIELDS)} FROM lessons WHERE id = ?", [int(lesson_id)])
    row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip([c[0] for c in cursor.description], row))
    return found | {"translations": translations_of(db, lesson_id)}


def translations_of(db: Database, lesson_id: int) -> list[dict]:
    """Return a lesson's translations, by language: its texts, who translated it and when."""
    cursor = db.execute(
        f"""SELECT language, {", ".join(FIELDS)}, translated_by, translated_at FROM lesson_translations
            WHERE lesson_id = ? ORDER BY language""",
        [int(lesson_id)],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def shown_in(db: Database, lesson: dict, language: str) -> dict:
    """Return a lesson (a dict with ``id``, ``language`` and its texts) as a reader of ``language`` sees it.

    The texts are the translation into ``language`` where there is one, else the original's. Added keys say which:
    ``shown_language``, ``original_language``, ``is_translation``, ``translated_by``, ``translated_at``.

    >>> from lessons.store import open_memory_store
    >>> db = open_memory_store()
    >>> pilot = db["pilots"].insert({"slug": "a", "name": "A", "country": "IT"}).last_pk
    >>> lesson = {"id": db["lessons"].insert({"pilot_id": pilot, "key": "L1", "title": "Fiducia", "lesson": "x",
    ...           "kind": "insight", "language": "it"}).last_pk, "title": "Fiducia", "lesson": "x", "language": "it"}
    >>> set_translation(db, Actor("ana", "admin", display_name="Ana B"), lesson["id"], "en", title="Trust", lesson="y")
    >>> seen = shown_in(db, lesson, "en")
    >>> seen["title"], seen["shown_language"], seen["is_translation"], seen["translated_by"]
    ('Trust', 'en', True, 'Ana B')
    >>> shown_in(db, lesson, "fi")["title"], shown_in(db, lesson, "fi")["is_translation"]
    ('Fiducia', False)
    """
    return shown_rows(db, [lesson], language)[0]


def shown_rows(db: Database, lessons: list[dict], language: str) -> list[dict]:
    """Return each lesson as a reader of ``language`` sees it (see :func:`shown_in`); one query for them all."""
    ids = [int(row["id"]) for row in lessons]
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = db.execute(
            f"""SELECT lesson_id, {", ".join(FIELDS)}, translated_by, translated_at FROM lesson_translations
                WHERE language = ? AND lesson_id IN ({", ".join("?" * len(chunk))})""",
            [language, *chunk],
        )
        names = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            found[row[0]] = dict(zip(names, row))
    shown = []
    for row in lessons:
        out = dict(row)
        original = (row.get("language") or "en").lower()
        translation = found.get(int(row["id"])) if original != language else None
        out["original_language"] = original
        out["is_translation"] = translation is not None
        out["shown_language"] = language if translation else original
        out["translated_by"] = translation["translated_by"] if translation else None
        out["translated_at"] = translation["translated_at"] if translation else None
        if translation:
            for field in FIELDS:
                if field in row or field in ("title", "lesson"):
                    out[field] = translation[field]
        shown.append(out)
    return shown


def shown_by_id(db: Database, ids, language: str) -> dict[int, dict]:
    """Return lessons by id as a reader of ``language`` sees them (:func:`shown_in`): the four texts and which they are.

    Lessons the connection does not see are left out.

    >>> from lessons.store import open_memory_store
    >>> shown_by_id(open_memory_store(), [1], "fi")
    {}
    """
    ids = [int(i) for i in ids]
    rows = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor = db.execute(
            f"SELECT id, language, {', '.join(FIELDS)} FROM lessons WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        names = [c[0] for c in cursor.description]
        rows += [dict(zip(names, row)) for row in cursor.fetchall()]
    return {row["id"]: row for row in shown_rows(db, rows, language)}


def lesson_languages(db: Database) -> list[str]:
    """Return the languages of the store's lessons and of their translations, in code order.

    >>> from lessons.store import open_memory_store
    >>> lesson_languages(open_memory_store())
    []
    """
    rows = db.execute(
        "SELECT DISTINCT language FROM lessons UNION SELECT DISTINCT language FROM lesson_translations ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows if row[0]]


def untranslated(db: Database, language: str) -> pd.DataFrame:
    """Return the lessons not written in ``language`` and not yet translated into it, by pilot and key.

    Columns id, pilot (slug), pilot_name, key, title, language (the original's), status, pilot_id.

    >>> from lessons.store import open_memory_store
    >>> untranslated(open_memory_store(), "fi").columns.tolist()
    ['id', 'pilot', 'pilot_name', 'key', 'title', 'language', 'status', 'pilot_id']
    """
    language = _language(language)
    return pd.read_sql_query(
        """SELECT l.id, p.slug AS pilot, p.name AS pilot_name, l.key, l.title, l.language, l.status, l.pilot_id
           FROM lessons l JOIN pilots p ON p.id = l.pilot_id
           WHERE l.language <> ? AND NOT EXISTS (
               SELECT 1 FROM lesson_translations t WHERE t.lesson_id = l.id AND t.language = ?)
           ORDER BY p.name, l.key, l.id""",
        db.conn,
        params=[language, language],
    )


def coverage(db: Database, languages) -> pd.DataFrame:
    """Return, per language, how many lessons are written in it, translated into it, and left to translate.

    >>> from lessons.store import open_memory_store
    >>> coverage(open_memory_store(), ["fi"]).to_dict("records")
    [{'language': 'fi', 'written': 0, 'translated': 0, 'untranslated': 0}]
    """
    total = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
    rows = []
    for language in languages:
        written = db.execute("SELECT count(*) FROM lessons WHERE language = ?", [language]).fetchone()[0]
        translated = db.execute(
            """SELECT count(*) FROM lesson_translations t JOIN lessons l ON l.id = t.lesson_id
               WHERE t.language = ? AND l.language <> ?""",
            [language, language],
        ).fetchone()[0]
        rows.append(
            {"language": language, "written": written, "translated": translated,
             "untranslated": total - written - translated}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["language", "written", "translated", "untranslated"])


def export_sheet(db: Database, language: str, *, only_untranslated: bool = False) -> bytes:
    """Return an XLSX workbook for translating lessons into ``language``: one row per lesson not written in it.

    Each row names the lesson (pilot, key), the language, the original's language and texts, and the translation's
    four texts (filled where a translation exists) for a translator to write. Formulas are neutralised
    (:func:`lessons.exports.to_xlsx`). ``only_untranslated`` leaves out lessons already translated.

    >>> from lessons.store import open_memory_store
    >>> export_sheet(open_memory_store(), "fi")[:2]
    b'PK'
    """
    language = _language(language)
    frame = pd.read_sql_query(
        f"""SELECT p.slug AS pilot, l.key, ? AS language, l.language AS original_language,
                   {", ".join(f"l.{f} AS original_{f}" for f in FIELDS)}, {", ".join(f"t.{f}" for f in FIELDS)}
            FROM lessons l JOIN pilots p ON p.id = l.pilot_id
            LEFT JOIN lesson_translations t ON t.lesson_id = l.id AND t.language = ?
            WHERE l.language <> ? {"AND t.lesson_id IS NULL" if only_untranslated else ""}
            ORDER BY p.name, l.key, l.id""",
        db.conn,
        params=[language, language, language],
    )
    return to_xlsx(frame[list(SHEET_COLUMNS)], sheet_name=f"Translations {language}")


def _unneutralised(value: str) -> str:
    """Undo :func:`lessons.exports.neutralise`: an apostrophe before a formula's first character goes.

    >>> _unneutralised("'=1+1"), _unneutralised("'quoted'"), _unneutralised("plain")
    ('=1+1', "'quoted'", 'plain')
    """
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS and value[1:2] else value


def read_sheet(db: Database, path=None, *, data: bytes | None = None, filename: str | None = None) -> list[dict]:
    """Read and check a translations workbook; raise :class:`IngestError` with every problem found.

    Rows whose four translated texts are all empty are left out (not yet translated). Returns one dict per row to
    write: ``lesson_id``, ``pilot_id``, ``language`` and the four texts.
    """
    filename = filename or Path(path).name
    if Path(filename).suffix.lower() != ".xlsx":
        raise IngestError([Problem(filename, None, None, None, _("This is not an XLSX workbook."),
                                   _("Export the translations again and fill in that file."))])  # fmt: skip
    try:
        frame = pd.read_excel(path if data is None else BytesIO(data), dtype=str, keep_default_na=False, sheet_name=0)
    except FileNotFoundError:
        raise IngestError(
            [Problem(filename, None, None, None, _("There is no such file."), _("Check the path."))]
        ) from None
    except Exception as err:  # any reader's failure: the file as a whole cannot be read
        raise IngestError([Problem(filename, None, None, None,
                                   _("The file cannot be read ({error}).").format(error=type(err).__name__),
                                   _("Save it again as .xlsx."))]) from None  # fmt: skip
    frame.columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in frame.columns]
    problems: list[Problem] = []

    def problem(row, column, message, fix):
        problems.append(Problem(filename, None, row, column, message, fix))

    for column in ("pilot", "key", "language", "title", "lesson"):
        if column not in frame.columns:
            problem(None, column, _("The column '{column}' is missing.").format(column=column),
                    _("Export the translations again: the file has every column it needs."))  # fmt: skip
    if problems:
        raise IngestError(problems)
    lessons = {
        (slug, key): (lesson_id, pilot_id, language)
        for lesson_id, pilot_id, language, slug, key in db.execute(
            "SELECT l.id, l.pilot_id, l.language, p.slug, l.key FROM lessons l JOIN pilots p ON p.id = l.pilot_id"
        )
    }
    rows, seen = [], {}
    for number, raw in enumerate(frame.fillna("").to_dict("records"), start=2):
        values = {c: _unneutralised(clean_text(str(raw.get(c, ""))).strip()) for c in frame.columns}
        texts = {f: values.get(f) or None for f in FIELDS}
        if not any(texts.values()):
            continue  # not translated yet
        found = lessons.get((values["pilot"], values["key"]))
        if found is None:
            problem(number, "key", _("There is no lesson {key} of pilot '{pilot}'.").format(
                key=values["key"], pilot=values["pilot"]),
                _("Keep the pilot and key as the export wrote them."))  # fmt: skip
            continue
        language = values["language"].lower()
        if not _LANGUAGE.match(language):
            problem(number, "language", _("'{code}' is not a language code.").format(code=values["language"]),
                    _("Use a two-letter ISO 639-1 code such as fi, it or lv."))  # fmt: skip
            continue
        if language == (found[2] or "").lower():
            problem(number, "language", _("The lesson is written in {language} already.").format(language=language),
                    _("Translate it into another language, or leave the row empty."))  # fmt: skip
            continue
        for field in ("title", "lesson"):
            if not texts[field]:
                problem(number, field, _("The translation has no {column}.").format(column=field),
                        _("Fill in the title and the lesson, or leave all four texts empty."))  # fmt: skip
        if (found[0], language) in seen:
            problem(number, "key", _("This lesson is translated into {language} on row {row} too.").format(
                language=language, row=seen[(found[0], language)]),
                _("Keep one row per lesson and language."))  # fmt: skip
        seen[(found[0], language)] = number
        rows.append({"lesson_id": found[0], "pilot_id": found[1], "language": language, **texts})
    if problems:
        raise IngestError(problems)
    return rows


def import_sheet(
    db: Database, actor: Actor | None, path=None, *, data: bytes | None = None, filename: str | None = None
) -> int:
    """Write the translations of a checked workbook (:func:`read_sheet`) in one transaction; return how many.

    The actor must be allowed to edit every lesson the file translates (``lesson.edit``), else nothing is written.
    """
    rows = read_sheet(db, path, data=data, filename=filename)
    for pilot_id in sorted({row["pilot_id"] for row in rows}):
        authorize(actor, "lesson.edit", pilot_id)
    with db.atomic():
        for row in rows:
            _write(db, actor, row["lesson_id"], row["language"], row)
        record(db, actor, "lesson.translations_import", object_type="lesson_translations",
               object_id=filename or Path(path).name, rows=len(rows))  # fmt: skip
    return len(rows)

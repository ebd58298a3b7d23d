"""Read the catalogue: entries filtered by kind, phase, problem and language, an entry in full, and its use.

An entry's texts are shown in the reader's language where the entry has them (:func:`entry_texts`; ``entry_list``'s
``language``), else in English, else in the entry's own language, and the language used is returned with them so a
page can say so (issue #21); every language an entry has is listed.
"""

from __future__ import annotations

import pandas as pd
from babel import Locale, UnknownLocaleError
from sqlite_utils import Database

from lessons.catalogue.records import KIND_LABELS, KINDS, LANGUAGE_NAMES
from lessons.i18n import _, catalogue, using
from lessons.store import KIND_LABELS as LESSON_KIND_LABELS
from lessons.store import STATUS_LABELS, frame

__all__ = ["catalogue_options", "entry_detail", "entry_list", "entry_texts", "language_name", "lesson_entries"]

#: Statuses that count as validated (as on the Overview).
_VALIDATED = ("validated", "endorsed", "applied_elsewhere")
_LANGUAGES = """SELECT language FROM catalogue_translations t WHERE t.entry_id = e.id
                UNION SELECT e.language"""


def language_name(code: str | None, within: str | None = None) -> str:
    """Return a language's name in English, else its code; in the language ``within`` when one is given.

    Named within another language, the name is as that language writes it in running text (Finnish, Italian,
    Spanish and Latvian names are not capitalised).

    >>> language_name("lv"), language_name("sv")
    ('Latvian', 'sv')
    >>> language_name("lv", "fi"), language_name("en", "it"), language_name("xx", "fi")
    ('latvia', 'inglese', 'xx')
    """
    if within and within != "en" and code:
        try:
            return Locale.parse(code).get_display_name(within) or code
        except (ValueError, TypeError, LookupError, UnknownLocaleError):
            return code
    return LANGUAGE_NAMES.get(code or "", code or "")


#: The texts of an entry in one language, else English, else its own: language first, then the field's text.
_TEXT_IN = """coalesce((SELECT text FROM catalogue_translations t WHERE t.entry_id = e.id AND t.field = '{field}'
                         AND t.language = {wanted}),
                        (SELECT text FROM catalogue_translations t WHERE t.entry_id = e.id AND t.field = '{field}'
                         AND t.language = 'en'), e.{field})"""
_LANGUAGE_OF = """CASE WHEN EXISTS (SELECT 1 FROM catalogue_translations t WHERE t.entry_id = e.id
                                      AND t.field = '{field}' AND t.language = {wanted}) THEN {wanted}
                       WHEN EXISTS (SELECT 1 FROM catalogue_translations t WHERE t.entry_id = e.id
                                      AND t.field = '{field}' AND t.language = 'en') THEN 'en'
                       ELSE e.language END"""


def _built_in(text: str | None, language: str) -> str | None:
    """Return a built-in entry's text in ``language`` from the interface's catalogues, or None when it has none.

    The built-in entries (``vocabulary/catalogue.csv``) are translated like the other built-in vocabularies: their
    names, problems and descriptions are messages of the ``vocabulary`` area.
    """
    if not text or language == "en":
        return None
    translations = catalogue(language)
    held = getattr(translations, "_catalog", {})  # gettext's own table: a translation may equal the English
    if text not in held:
        return None
    with using(language):
        return _(text)


def entry_texts(db: Database, code: str, language: str) -> dict | None:
    """Return an entry's texts in ``language`` where it has them, else in English, else in its own language.

    A built-in entry's texts come from the interface's translations when its rows have none in ``language``.

    Returns
    -------
    dict or None
        ``name``, ``description``, ``problem`` (None where the entry has no such text); ``problems``: the problem
        profiles it addresses by code, each ``name`` and ``description`` in ``language`` where the profile has
        them, else as the catalogue wrote them; ``languages``: the language
        each of those texts is in; ``language``: the language of the name and description as shown (the first that
        is not ``language`` when they differ), ``wanted``: ``language``; ``fallback``: True when a text shown is not
        in ``language``. None when there is no entry ``code``.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> texts = entry_texts(open_memory_store(), "world-cafe", "it")
    >>> texts["name"], texts["languages"]["name"], texts["language"], texts["fallback"]
    ('World café', 'it', 'it', False)
    >>> entry_texts(open_memory_store(), "world-cafe", "en")["fallback"]
    False
    """
    fields = ("name", "description", "problem")
    columns = ", ".join(
        f"{_TEXT_IN.format(field=f, wanted=':wanted')} AS {f}, "
        f"{_LANGUAGE_OF.format(field=f, wanted=':wanted')} AS {f}_language"
        for f in fields
    )
    row = db.execute(
        f"SELECT {columns}, e.catalogue FROM catalogue_entries e WHERE e.code = :code",
        {"code": str(code), "wanted": language},
    ).fetchone()
    if row is None:
        return None
    texts = {f: row[2 * i] for i, f in enumerate(fields)}
    languages = {f: row[2 * i + 1] for i, f in enumerate(fields) if row[2 * i] is not None}
    if row[-1] == "built-in":
        for field, lang in languages.items():
            translated = _built_in(texts[field], language) if lang != language else None
            if translated:
                texts[field], languages[field] = translated, language
    shown = [languages[f] for f in ("name", "description") if f in languages]
    other = [lang for lang in shown if lang != language]
    problems = {
        code: {"name": name, "description": description}
        for code, name, description in db.execute(
            """SELECT cp.code,
                      coalesce((SELECT text FROM catalogue_problem_translations t WHERE t.problem_id = cp.id
                                AND t.field = 'name' AND t.language = :wanted), cp.name),
                      coalesce((SELECT text FROM catalogue_problem_translations t WHERE t.problem_id = cp.id
                                AND t.field = 'description' AND t.language = :wanted), cp.description)
               FROM catalogue_entry_problems ep JOIN catalogue_problems cp ON cp.id = ep.problem_id
               JOIN catalogue_entries e ON e.id = ep.entry_id WHERE e.code = :code ORDER BY cp.code""",
            {"code": str(code), "wanted": language},
        )
    }
    return texts | {
        "problems": problems,
        "languages": languages,
        "language": other[0] if other else language,
        "wanted": language,
        "fallback": any(lang != language for lang in languages.values()),
    }


def _in(values) -> tuple[str, list]:
    values = [str(v) for v in values]
    return ", ".join("?" * len(values)), values


def entry_list(
    db: Database,
    *,
    kinds=(),
    phases=(),
    problems=(),
    languages=(),
    uses=(),
    text: str | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Entries matching every filter given (values within one filter are alternatives), by name.

    Parameters
    ----------
    db : Database
        The store.
    kinds, phases, problems, languages : sequences of str
        Kind codes, phase codes, problem-profile codes, language codes (an entry with any text in that language).
    uses : sequence of str
        ``lessons`` (linked to a lesson) or ``pilots`` (linked to a pilot).
    text : str, optional
        Words its code, name or description contains, in any language (case-insensitive).
    language : str, optional
        The reader's language: each name in it where the entry has one, else in English, else in the entry's own
        language (by default the entry's main name), sorted so.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``name_language`` (the language ``name`` is in), ``kind``, ``kind_label``, ``phase``, ``phase_name``, ``effort``, ``language``,
        ``languages`` (codes, comma-separated), ``problems`` (problem names, ``; ``), ``catalogue``, ``link``,
        ``lessons`` and ``pilots`` (how many used it).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> list(entry_list(open_memory_store(), kinds=["stage"], phases=["co-design"])["code"])
    ['wenovate-4-design']
    >>> entry_list(open_memory_store(), kinds=["stage"], language="fi")["name"].tolist()[0]
    'We-novate, vaihe 1: liittyminen innovaatioverkostoon'
    >>> entry_list(open_memory_store(), kinds=["stage"], language="fi")["name_language"].unique().tolist()
    ['fi']
    """
    where, params = [], []
    for values, sql in (
        (kinds, "e.kind IN ({})"),
        (phases, "e.phase IN ({})"),
        (problems, """e.id IN (SELECT ep.entry_id FROM catalogue_entry_problems ep
                               JOIN catalogue_problems cp ON cp.id = ep.problem_id WHERE cp.code IN ({}))"""),
        (languages, f"EXISTS (SELECT 1 FROM ({_LANGUAGES}) WHERE language IN ({{}}))"),
    ):  # fmt: skip
        if values:
            marks, given = _in(values)
            where.append(sql.format(marks))
            params += given
    if "lessons" in uses:
        where.append("e.id IN (SELECT entry_id FROM lesson_methods)")
    if "pilots" in uses:
        where.append("e.id IN (SELECT entry_id FROM pilot_methods)")
    for word in (text or "").split():
        like = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            """(lower(e.code || ' ' || e.name || ' ' || coalesce(e.description, '')) LIKE ? ESCAPE '\\'
                OR e.id IN (SELECT entry_id FROM catalogue_translations WHERE lower(text) LIKE ? ESCAPE '\\'))"""
        )
        params += [like, like]
    name, name_language = "e.name", "e.language"
    if language:
        name = _TEXT_IN.format(field="name", wanted="w.wanted")
        name_language = _LANGUAGE_OF.format(field="name", wanted="w.wanted")
        params = [str(language), *params]
    rows = frame(
        db,
        f"""SELECT e.code, {name} AS name, {name_language} AS name_language, e.kind, e.phase, ph.name AS phase_name, e.effort, e.language,
                   (SELECT group_concat(language, ', ') FROM ({_LANGUAGES} ORDER BY language)) AS languages,
                   (SELECT group_concat(cp.name, '; ') FROM catalogue_entry_problems ep
                    JOIN catalogue_problems cp ON cp.id = ep.problem_id WHERE ep.entry_id = e.id) AS problems,
                   e.catalogue, e.link,
                   (SELECT count(*) FROM lesson_methods lm WHERE lm.entry_id = e.id) AS lessons,
                   (SELECT count(*) FROM pilot_methods pm WHERE pm.entry_id = e.id) AS pilots
            FROM catalogue_entries e {"CROSS JOIN (SELECT ? AS wanted) w" if language else ""}
            LEFT JOIN phases ph ON ph.code = e.phase
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY 2 COLLATE NOCASE, e.code""",
        params,
    )
    rows.insert(4, "kind_label", rows["kind"].map(lambda k: KIND_LABELS.get(k, k)))
    if language and language != "en":
        for i in rows.index[(rows["catalogue"] == "built-in") & (rows["name_language"] != language)]:
            translated = _built_in(rows.at[i, "name"], language)
            if translated:
                rows.at[i, "name"], rows.at[i, "name_language"] = translated, language
        rows = rows.sort_values(["name", "code"], key=lambda c: c.str.casefold(), ignore_index=True)
    return rows


def catalogue_options(db: Database) -> dict[str, pd.DataFrame]:
    """Every value each catalogue filter offers (columns ``value``, ``label``, ``entries``), in the order shown.

    >>> from lessons.store import open_memory_store
    >>> options = catalogue_options(open_memory_store())
    >>> list(options), options["kinds"]["entries"].tolist()
    (['kinds', 'phases', 'problems', 'languages'], [5, 2, 5, 0, 0])
    """
    kinds = dict(db.execute("SELECT kind, count(*) FROM catalogue_entries GROUP BY kind").fetchall())
    languages = frame(
        db,
        """SELECT language AS value, count(DISTINCT entry_id) AS entries FROM (
               SELECT entry_id, language FROM catalogue_translations
               UNION SELECT id, language FROM catalogue_entries) GROUP BY language ORDER BY language""",
    )
    languages.insert(1, "label", languages["value"].map(language_name))
    return {
        "kinds": pd.DataFrame(
            {
                "value": list(KINDS),
                "label": [KIND_LABELS[k] for k in KINDS],
                "entries": [kinds.get(k, 0) for k in KINDS],
            }
        ),
        "phases": frame(
            db,
            """SELECT p.code AS value, p.name AS label, count(e.id) AS entries FROM phases p
               LEFT JOIN catalogue_entries e ON e.phase = p.code GROUP BY p.code ORDER BY p.position""",
        ),
        "problems": frame(
            db,
            """SELECT cp.code AS value, cp.name AS label, count(ep.entry_id) AS entries FROM catalogue_problems cp
               LEFT JOIN catalogue_entry_problems ep ON ep.problem_id = cp.id GROUP BY cp.id ORDER BY cp.name, cp.code""",
        ),
        "languages": languages,
    }


def entry_detail(db: Database, code: str) -> dict | None:
    """Return an entry in full, or None when there is no entry ``code``.

    Returns
    -------
    dict or None
        The entry's columns, ``kind_label``, ``phase_name``; ``problems`` (a list of dicts: ``code``, ``name``,
        ``description``, ``phase_name``); ``translations`` (a list of (language, field, text)); ``lessons`` (a frame:
        ``id``, ``pilot``, ``pilot_name``, ``key``, ``title``, ``kind``, ``status``, ``linked_by``); ``pilots`` (a
        frame: ``slug``, ``name``, ``country``, ``linked_by``); ``kinds`` and ``statuses`` (frames of ``label``,
        ``lessons``: how the lessons that used it went) and ``validated`` (how many of them are validated or beyond).

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> detail = entry_detail(open_memory_store(), "world-cafe")
    >>> detail["name"], detail["phase_name"], len(detail["lessons"]), detail["validated"]
    ('World café', 'Understand needs', 0, 0)
    >>> entry_detail(open_memory_store(), "nothing") is None
    True
    """
    found = frame(
        db,
        """SELECT e.*, ph.name AS phase_name FROM catalogue_entries e LEFT JOIN phases ph ON ph.code = e.phase
           WHERE e.code = ?""",
        [str(code)],
    )
    if found.empty:
        return None
    entry = {k: (None if pd.isna(v) else v) for k, v in found.iloc[0].to_dict().items()}
    entry["kind_label"] = KIND_LABELS.get(entry["kind"], entry["kind"])
    entry["problems"] = frame(
        db,
        """SELECT cp.code, cp.name, cp.description, ph.name AS phase_name FROM catalogue_entry_problems ep
           JOIN catalogue_problems cp ON cp.id = ep.problem_id LEFT JOIN phases ph ON ph.code = cp.phase
           WHERE ep.entry_id = ? ORDER BY cp.code""",
        [entry["id"]],
    ).to_dict("records")
    entry["translations"] = [
        tuple(r)
        for r in db.execute(
            "SELECT language, field, text FROM catalogue_translations WHERE entry_id = ? ORDER BY language, field",
            [entry["id"]],
        ).fetchall()
    ]
    lessons = frame(
        db,
        """SELECT l.id, p.slug AS pilot, p.name AS pilot_name, l.key, l.title, l.kind, l.status, lm.linked_by
           FROM lesson_methods lm JOIN lessons l ON l.id = lm.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE lm.entry_id = ? ORDER BY p.name, l.key""",
        [entry["id"]],
    )
    entry["lessons"] = lessons
    entry["pilots"] = frame(
        db,
        """SELECT p.slug, p.name, p.country, pm.linked_by FROM pilot_methods pm JOIN pilots p ON p.id = pm.pilot_id
           WHERE pm.entry_id = ? ORDER BY p.name""",
        [entry["id"]],
    )
    entry["kinds"] = pd.DataFrame(
        {
            "label": [LESSON_KIND_LABELS[k] for k in LESSON_KIND_LABELS],
            "lessons": [int((lessons["kind"] == k).sum()) for k in LESSON_KIND_LABELS],
        }
    )
    entry["statuses"] = pd.DataFrame(
        {
            "label": [STATUS_LABELS[s] for s in STATUS_LABELS],
            "lessons": [int((lessons["status"] == s).sum()) for s in STATUS_LABELS],
        }
    )
    entry["validated"] = int(lessons["status"].isin(_VALIDATED).sum())
    return entry


def lesson_entries(db: Database, lesson_id: int) -> pd.DataFrame:
    """Return the entries a lesson used (columns ``code``, ``name``, ``kind_label``, ``linked_by``), by name.

    >>> from lessons.store import open_memory_store
    >>> lesson_entries(open_memory_store(), 1).empty
    True
    """
    rows = frame(
        db,
        """SELECT e.code, e.name, e.kind, lm.linked_by FROM lesson_methods lm
           JOIN catalogue_entries e ON e.id = lm.entry_id WHERE lm.lesson_id = ? ORDER BY e.name COLLATE NOCASE""",
        [int(lesson_id)],
    )
    rows.insert(2, "kind_label", rows["kind"].map(lambda k: KIND_LABELS.get(k, k)))
    return rows.drop(columns="kind")

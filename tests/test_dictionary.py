"""The data dictionary describes every table and column of the schema, and nothing that is not there."""

import re
from pathlib import Path

from lessons.store import DERIVED_TABLES, TABLES

DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "DICTIONARY.md"


def documented() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### (\w+) — ", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        row = re.match(r"\| (\w+) \| ", line)
        if current and row and row.group(1) != "column":
            tables[current].append(row.group(1))
    return tables


def test_every_table_and_column_is_described(db):
    docs = documented()
    assert sorted(docs) == sorted(TABLES + DERIVED_TABLES)
    for table in TABLES + DERIVED_TABLES:
        assert docs[table] == [c.name for c in db[table].columns], table

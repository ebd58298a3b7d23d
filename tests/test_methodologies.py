"""Importing a methodology from a published process description: INTERLINK's co-production schemas as they ship
(#14). The real files where ``../shared/realdata`` is beside the checkout, and a copied extract always."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.methodologies import ImportRefused, commit_import, parse_schema, read_files, suggest_mapping, unzip
from lessons.permissions import Actor, PermissionDenied
from tests.realdata import REALDATA, needs_realdata

SCHEMAS = REALDATA / "interlink-catalogue" / "schemas"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "interlink_schema"
REAL = ["default", "hackathon", "servicedescriptionenhancement", "solutioncorefinementprocess"]
#: Steps (INTERLINK phases, in process order) of each schema and the shared phase suggested for each.
EXPECTED = {
    "default": [("Engage", "initiate"), ("Design", "co-design"), ("Build", "co-deliver"), ("Sustain", "evaluate")],
    "hackathon": [("Engage", "initiate"), ("Design", "co-design"), ("Run", "co-deliver"), ("Exploit", "evaluate")],
    "servicedescriptionenhancement": [
        ("Engage", "initiate"), ("Design", "co-design"), ("Run", "co-deliver"), ("Refine", "evaluate"),
    ],
    "solutioncorefinementprocess": [("Co-reflection of solution", "initiate"), ("Re-design of solution", "co-design")],
}  # fmt: skip


def steps(path, code) -> list[tuple]:
    from lessons.store import connect

    db = connect(path)
    try:
        return db.execute(
            "SELECT name, phase FROM methodology_steps WHERE methodology = ? ORDER BY position", [code]
        ).fetchall()
    finally:
        db.close()


def snapshot(path) -> list[str]:
    from lessons.store import connect

    db = connect(path)
    try:
        return list(db.conn.iterdump())
    finally:
        db.close()


def test_the_fixture_is_a_byte_copy_of_the_real_schema():
    if not SCHEMAS.is_dir():
        pytest.skip("the shared real-data folder is not beside this checkout")
    for name in ["metadata.json", "phases/coreflection.json", "phases/redesign.json"]:
        assert (FIXTURE / name).read_bytes() == (SCHEMAS / "solutioncorefinementprocess" / name).read_bytes()


def test_cli_imports_the_fixture_with_a_map_override(demo_db_path, capsys):
    args = ["methodology", "import", str(FIXTURE), "--db", str(demo_db_path), "--map", "1=understand"]
    assert main(args) == EXIT_OK
    assert steps(demo_db_path, "interlink-solutioncorefinementprocess") == [
        ("Co-reflection of solution", "understand"),
        ("Re-design of solution", "co-design"),
    ]
    assert "Imported methodology interlink-solutioncorefinementprocess with 2 steps." in capsys.readouterr().out


def test_dry_run_writes_nothing(demo_db_path, capsys):
    before = snapshot(demo_db_path)
    assert main(["methodology", "import", str(FIXTURE / "metadata.json"), "--db", str(demo_db_path), "--dry-run"]) == 0
    assert snapshot(demo_db_path) == before
    assert "Dry run: nothing was written." in capsys.readouterr().out


@needs_realdata
@pytest.mark.parametrize("schema", REAL)
def test_cli_imports_each_real_schema_as_it_ships(demo_db_path, schema, capsys):
    assert main(["methodology", "import", str(SCHEMAS / schema), "--db", str(demo_db_path)]) == EXIT_OK
    code = f"interlink-{schema}"
    assert steps(demo_db_path, code) == EXPECTED[schema]
    from lessons.store import connect

    db = connect(demo_db_path)
    name, source = db.execute("SELECT name, source FROM methodologies WHERE code = ?", [code]).fetchone()
    description = db.execute(
        "SELECT description FROM methodology_steps WHERE methodology = ? AND position = 1", [code]
    ).fetchone()[0]
    entry = db.execute("SELECT action, object_id, rows FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    assert name and source == f"INTERLINK co-production schema {schema!r}"
    assert "\n- " in description and "\n  - " in description  # objectives, and tasks under them
    assert entry == ("methodology.import", code, 1 + len(EXPECTED[schema]))
    # a second import of the same code is refused, nothing written
    before = snapshot(demo_db_path)
    assert main(["methodology", "import", str(SCHEMAS / schema), "--db", str(demo_db_path)]) == EXIT_INVALID
    assert snapshot(demo_db_path) == before
    assert "a methodology with this code exists" in capsys.readouterr().err


@needs_realdata
def test_all_four_real_schemas_parse_with_every_objective_and_task():
    phases = objectives = tasks = 0
    for schema in REAL:
        m = parse_schema(read_files(SCHEMAS / schema), source=schema)
        phases += len(m.steps)
        objectives += sum(s.description.count("\n- ") + s.description.startswith("- ") for s in m.steps)
        tasks += sum(s.description.count("\n  - ") for s in m.steps)
    assert (phases, objectives, tasks) == (14, 40, 109)  # as PROVENANCE.md counts them


def hostile(tmp_path, metadata: bytes, phases: dict[str, bytes]) -> Path:
    folder = tmp_path / "schema"
    (folder / "phases").mkdir(parents=True)
    (folder / "metadata.json").write_bytes(metadata)
    for name, data in phases.items():
        (folder / "phases" / name).write_bytes(data)
    return folder


GOOD_META = (FIXTURE / "metadata.json").read_bytes()
GOOD_PHASE = (FIXTURE / "phases" / "redesign.json").read_bytes()
CASES = {
    "not json": (b'{"id": "x", ', {"a.json": GOOD_PHASE}, "metadata.json: line 1, column 13: not valid JSON"),
    "not utf-8": (b"\xff\xfe{}", {"a.json": GOOD_PHASE}, "not UTF-8 text"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, {"a.json": GOOD_PHASE}, "metadata.json"),
    "no phases": (GOOD_META, {}, "no phase files"),
    "phase not an object": (GOOD_META, {"a.json": b"[1, 2]"}, "phases/a.json: $: not an object"),
    "objectives not a list": (
        GOOD_META, {"a.json": json.dumps({"id": "p", "name_translations": {"en": "P"}, "objectives": 5}).encode()},
        "$.objectives: not a list",
    ),
    "task not an object": (
        GOOD_META,
        {"a.json": json.dumps(
            {"id": "p", "name_translations": {"en": "P"}, "objectives": [{"tasks": ["x"]}]}
        ).encode()},
        "$.objectives[0].tasks[0]: not an object",
    ),
    "no id": (json.dumps({"name_translations": {"en": "X"}}).encode(), {"a.json": GOOD_PHASE}, "$.id: missing"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_corrupt_or_hostile_schema_is_refused_with_nothing_written(demo_db_path, tmp_path, capsys, case):
    metadata, phases, message = CASES[case]
    folder = hostile(tmp_path, metadata, phases)
    before = snapshot(demo_db_path)
    assert main(["methodology", "import", str(folder), "--db", str(demo_db_path)]) == EXIT_INVALID
    assert snapshot(demo_db_path) == before
    err = capsys.readouterr().err
    assert message in err and "Fix: " in err and "nothing was written" in err
    assert "Traceback" not in err


def test_a_zip_of_the_folder_imports_and_a_bad_zip_is_refused(tmp_path, db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(FIXTURE.rglob("*.json")):
            archive.write(path, f"solutioncorefinementprocess/{path.relative_to(FIXTURE)}")
    methodology = parse_schema(unzip(buffer.getvalue()), source="upload.zip")
    assert [s.name for s in methodology.steps] == ["Co-reflection of solution", "Re-design of solution"]
    with pytest.raises(ImportRefused, match="not a readable zip"):
        unzip(b"PK\x03\x04 broken")


def test_only_an_administrator_imports_and_an_unknown_phase_is_refused(db):
    methodology = parse_schema(read_files(FIXTURE))
    mapping = suggest_mapping(db, methodology)
    for actor in (Actor("ana", "coordinator", frozenset({1})), Actor("vic", "viewer"), None):
        with pytest.raises(PermissionDenied):
            commit_import(db, actor, methodology, mapping)
    with pytest.raises(ImportRefused, match="not a shared phase"):
        commit_import(db, Actor("root", "admin"), methodology, {1: "nowhere", 2: "co-design"})
    assert db.execute("SELECT count(*) FROM methodologies WHERE code LIKE 'interlink-%'").fetchone() == (0,)


def test_read_files_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ImportRefused, match="no such file or folder"):
        read_files(tmp_path / "absent")

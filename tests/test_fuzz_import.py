"""Fuzzing the importer: every generated or mutated file is imported or refused in plain words, never a traceback.

Valid seeds (the template from :mod:`lessons.ingest.template` filled with a few demo rows, the demo CSV files, a
ZIP of them, a JSON summary, the GraphML/GEXF extracts in ``tests/fixtures/networks``) are mutated with a fixed
seed: bit flips, truncation, byte insertions, ZIP members corrupted (compressed bytes, "version needed",
header offsets, member XML), XML encoding declarations, huge integers, deep nesting and wrong extensions. Each file
goes through :func:`lessons.ingest.pipeline.run_import` in this process, as an administrator, into one demo store.

Asserted for every file: the only exception that escapes is :class:`~lessons.ingest.problems.IngestError`, whose
problems name the file; a refusal writes nothing (the connection's change counter and the row counts are unchanged,
no transaction is left open). A handful of files also go through the real CLI in a subprocess (exit 0 or 2, never
a traceback).

The default run is 10,000 files under a time budget. A longer run on demand::

    FUZZ_FILES=100000 FUZZ_SECONDS=3600 .venv/bin/pytest -q -p no:cacheprovider tests/test_fuzz_import.py

``FUZZ_SEED`` picks another seed; ``FUZZ_SECONDS`` (default 50) stops the loop early when the machine is slow, and
the test then asserts that at least a tenth of the files were tried. A crash is reported with its seed file,
mutation and index, so ``FUZZ_ONLY=<index>`` replays it.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lessons.demo import load_demo
from lessons.ingest import pipeline
from lessons.ingest.pipeline import run_import
from lessons.ingest.problems import IngestError
from lessons.ingest.template import build_template
from lessons.ingest.validate import Options
from lessons.permissions import cli_actor
from lessons.store import open_memory_store, table_counts

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
NETWORKS = ROOT / "tests" / "fixtures" / "networks"
PILOT = "tampere-youth-guidance"
ADMIN = cli_actor()
#: Network files carry no sector; the upload page asks for one value for every row, as here.
OPTIONS = Options(pilot=PILOT, defaults={"Stakeholders": {"sector": "public"}})
FILES = int(os.environ.get("FUZZ_FILES", "10000"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "50"))
SEED = int(os.environ.get("FUZZ_SEED", "20261207"))
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\b\w+(Error|Exception):")


# --- seeds --------------------------------------------------------------------------------------------------------


def _head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def _filled_template(db) -> bytes:
    """The template with three lessons, three stakeholders and two ties of the demo pilot."""
    workbook = load_workbook(io.BytesIO(build_template(db)))
    pilot = workbook["Pilot"]
    facts = {"slug": PILOT, "name": "Youth guidance one-stop shop", "country": "FI"}
    for row in range(2, pilot.max_row + 1):
        if pilot.cell(row, 1).value in facts:
            pilot.cell(row, 2, facts[pilot.cell(row, 1).value])
    rows = {
        "Lessons": [
            {"key": f"F{i}", "title": f"Fuzz lesson {i}", "lesson": "What we learned, in plain words.",
             "kind": "enabler", "phase": "co-deliver", "status": "submitted", "recorded_on": "2021-03-31"}
            for i in range(3)
        ],
        "Stakeholders": [
            {"key": f"FS{i}", "name": f"Fuzz organisation {i}", "sector": "public"} for i in range(3)
        ],
        "Ties": [{"source": "FS0", "target": "FS1"}, {"source": "FS1", "target": "FS2"}],
    }  # fmt: skip
    for title, records in rows.items():
        if not records or title not in workbook.sheetnames:
            continue
        sheet = workbook[title]
        header = [c.value for c in sheet[1]]
        for offset, record in enumerate(records, start=2):
            for column, name in enumerate(header, start=1):
                if name in record:
                    sheet.cell(offset, column, record[name])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def seeds(db) -> list[tuple[str, bytes]]:
    """Valid files of every format the importer reads, small enough to mutate thousands of times."""
    lessons = _head(DEMO / "lessons" / f"{PILOT}.csv", 4)
    stakeholders = _head(DEMO / "stakeholders.csv", 6)
    ties = _head(DEMO / "ties.csv", 5)
    document = {
        "pilot": {"slug": PILOT, "name": "Youth guidance one-stop shop", "country": "FI"},
        "lessons": [
            {"key": "J1", "title": "A JSON lesson", "lesson": "Plain text.", "kind": "barrier", "phase": "initiate",
             "recorded_on": "2020-01-02", "themes": ["governance"], "weight": 1}
        ],
        "stakeholders": [{"key": "JS1", "name": "JSON organisation", "sector": "public"}],
    }  # fmt: skip
    found = [
        ("filled.xlsx", _filled_template(db)),  # the template itself, with a few rows (empty, it is only refused)
        ("lessons.csv", lessons),
        ("stakeholders.csv", stakeholders),
        ("ties.csv", ties),
        ("summary.zip", _zip({"lessons.csv": lessons, "stakeholders.csv": stakeholders, "ties.csv": ties})),
        ("summary.json", json.dumps(document).encode()),
        ("lessons.json", json.dumps(document["lessons"]).encode()),
    ]
    for name in ("florentine_families.graphml", "karate_club.graphml", "lesmis_gephi09_gexf13_extract.gexf",
                 "miserables_gephi08_gexf11_extract.gexf", "florentine_families_edges.csv"):  # fmt: skip
        found.append((name, (NETWORKS / name).read_bytes()))
    return found


# --- mutations ----------------------------------------------------------------------------------------------------

INSERTS = [b'"', b"\x00", b"<", b">", b"&", b"\xff\xfe", b"\xef\xbb\xbf", b"\n", b"\r", b";", b",", b"\t", b"=cmd|",
           b"]]>", b"<!--", b"\xc3", b"\xed\xa0\x80", b"9" * 5000, b"-", b"PK\x03\x04", b"{", b"[", b"\\u0000"]  # fmt: skip
ENCODINGS = [b"bogus-8", b"x-unknown", b"utf-32", b"UTF-16", b"ebcdic", b"\xff", b"", b"latin-1", b"cp1252"]
EXTENSIONS = [".csv", ".xlsx", ".zip", ".json", ".graphml", ".gexf", ".xml", ".tsv", ".txt", ".xls", ".pdf", ""]


def bit_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 8, 32))):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(max(1, len(data)))]


def insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    piece = rng.choice(INSERTS) if rng.random() < 0.7 else rng.randbytes(rng.randrange(1, 16))
    return data[:at] + piece + data[at:]


def _local_headers(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"PK\x03\x04", data)]


def zip_member(rng: random.Random, data: bytes) -> bytes:
    """Corrupt one member of a ZIP/XLSX: its compressed bytes, its header fields, or its (re-packed) XML text."""
    headers = _local_headers(data)
    if not headers:
        return bit_flips(rng, data)
    how = rng.randrange(5)
    out = bytearray(data)
    at = rng.choice(headers)
    if how == 0:  # compressed bytes of the member
        for _ in range(rng.choice((1, 3, 10))):
            spot = min(len(out) - 1, at + 30 + rng.randrange(64))
            out[spot] = rng.randrange(256)
    elif how == 1:  # "version needed to extract"
        out[at + 4 : at + 6] = struct.pack("<H", rng.choice((63, 99, 0xFFFF)))
    elif how == 2:  # central directory: version needed, offset of the local header, or sizes
        central = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
        if central:
            c = rng.choice(central)
            field = rng.choice(((6, "<H", (63, 0xFFFF)), (42, "<I", (0xFFFFFFF0, 0x7FFFFFFF, 3)),
                                (20, "<I", (0, 1, 0xFFFFFFFF)), (24, "<I", (0, 1, 0x7FFFFFFF))))  # fmt: skip
            offset, fmt, values = field
            out[c + offset : c + offset + struct.calcsize(fmt)] = struct.pack(fmt, rng.choice(values))
    elif how == 3 and rng.random() < 0.5:  # end record: where the directory starts ("negative seek value")
        end = data.rfind(b"PK\x05\x06")
        if end >= 0:
            value = rng.choice((len(data) * 2, 0xFFFFFFFF, len(data) - 1, 1))
            out[end + 16 : end + 20] = struct.pack("<I", value)
    elif how == 3:  # compression method
        out[at + 8 : at + 10] = struct.pack("<H", rng.choice((0, 1, 12, 14, 99)))
    else:  # re-pack with one member's text mutated (the archive is sound, the member is not)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = {i.filename: archive.read(i) for i in archive.infolist()}
        except Exception:  # noqa: BLE001 — an already broken archive: flip bits instead
            return bit_flips(rng, data)
        name = rng.choice(sorted(members))
        members[name] = rng.choice((bit_flips, truncate, insert, encoding_declaration))(rng, members[name])
        return _zip(members)
    return bytes(out)


def encoding_declaration(rng: random.Random, data: bytes) -> bytes:
    """Name an unknown (or wrong) encoding in the XML declaration, or add one."""
    encoding = rng.choice(ENCODINGS)
    found = re.search(rb"encoding=[\"'][^\"']*[\"']", data[:200])
    if found:
        return data[: found.start()] + b'encoding="' + encoding + b'"' + data[found.end() :]
    return b'<?xml version="1.0" encoding="' + encoding + b'"?>\n' + data


def huge_int(rng: random.Random, data: bytes) -> bytes:
    """Replace a number with one far past Python's int digit limit (or a huge float exponent)."""
    numbers = list(re.finditer(rb"\d+", data[:20000]))
    big = rng.choice((b"9" * rng.choice((4301, 5000, 20000)), b"1e999999", b"-" + b"7" * 4400, b"1" + b"0" * 400))
    if not numbers:
        return data + big
    number = rng.choice(numbers)
    return data[: number.start()] + big + data[number.end() :]


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice((100, 1500, 20_000))
    if data.lstrip()[:1] in (b"{", b"["):
        return b'{"lessons": ' + b"[" * depth + b"]" * depth + b"}"
    if data.lstrip()[:1] == b"<":
        at = data.rfind(b"</")
        return data[:at] + b"<x>" * depth + b"</x>" * depth + data[at:]
    return data + b'"' * depth


def wrong_extension(rng: random.Random, name: str, data: bytes) -> str:
    return Path(name).stem + rng.choice(EXTENSIONS)


MUTATIONS = {
    "bit_flips": bit_flips,
    "truncate": truncate,
    "insert": insert,
    "zip_member": zip_member,
    "encoding": encoding_declaration,
    "huge_int": huge_int,
    "deep_nesting": deep_nesting,
}


def mutated(rng: random.Random, seed_files: list[tuple[str, bytes]]) -> tuple[str, bytes, str]:
    """One fuzzed file: a seed, one to three mutations, sometimes a wrong extension."""
    name, data = rng.choice(seed_files)
    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if data[:2] == b"PK" and rng.random() < 0.6:
            how = "zip_member"
        elif data.lstrip()[:1] == b"<" and rng.random() < 0.2:
            how = "encoding"
        else:
            how = rng.choice(list(MUTATIONS))
        data = MUTATIONS[how](rng, data)
        done.append(how)
    if rng.random() < 0.1:
        name = wrong_extension(rng, name, data)
        done.append("wrong_extension")
    return name, data, "+".join(done)


# --- the crashes the fuzz found, as minimal files ------------------------------------------------------------------

GRAPHML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    '<key id="d0" for="node" attr.name="{name}" attr.type="{type}"/><graph edgedefault="undirected">'
    '<node id="a"><data key="d0">x</data></node><node id="b"/><edge source="a" target="b"/></graph></graphml>'
)


def _zip_with(patch) -> bytes:
    data = bytearray(_zip({"lessons.csv": b"key,title,lesson,kind\nL1,T,L,insight\n" * 20}))
    patch(data)
    return bytes(data)


def _at(data: bytearray, signature: bytes, offset: int, fmt: str, value: int) -> None:
    at = data.index(signature) if signature != b"PK\x05\x06" else data.rfind(signature)
    data[at + offset : at + offset + struct.calcsize(fmt)] = struct.pack(fmt, value)


def _flip_deflate(data: bytearray) -> None:
    for spot in range(45, 60):
        data[spot] ^= 0x55


KNOWN_CRASHES = {
    # name: (file name, bytes, words the refusal must hold)
    "zip file version": ("s.zip", _zip_with(lambda d: _at(d, b"PK\x01\x02", 6, "<H", 255)), "zip file version"),
    "bad magic number": ("s.zip", _zip_with(lambda d: _at(d, b"PK\x03\x04", 0, "<I", 0)), "Bad magic number"),
    "bad CRC": ("s.zip", _zip_with(lambda d: _at(d, b"PK\x01\x02", 16, "<I", 1)), "Bad CRC-32"),
    "zlib error": ("s.zip", _zip_with(_flip_deflate), "damaged"),
    "negative seek": ("s.zip", _zip_with(lambda d: _at(d, b"PK\x05\x06", 16, "<I", 0xFFFFFFFF)), "negative seek"),
    "xlsx version": ("s.xlsx", None, "zip file version"),
    "graphml unknown encoding": ("n.graphml", GRAPHML.replace("UTF-8", "bogus-8").format(name="sector", type="string").encode(), "'bogus-8'"),
    "gexf multi-byte encoding": ("n.gexf", b'<?xml version="1.0" encoding="shift_jis"?><gexf xmlns="http://www.gexf.net/1.2draft"><graph/></gexf>', "'shift_jis'"),
    "json huge int": ("s.json", b'{"lessons": [{"key": "L1", "weight": ' + b"9" * 5000 + b"}]}", "thousands of digits"),
    "braces in an attribute name": ("n.graphml", GRAPHML.format(name="{0.__class__}", type="int").encode(), "{0.__class__}"),
    "data of a node outside any graph": ("n.graphml", b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><node id="a"><data key="d0">x</data></node></graphml>', "no <graph>"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(KNOWN_CRASHES))
def test_each_crash_the_fuzz_found_is_a_plain_refusal(case, store):
    name, data, says = KNOWN_CRASHES[case]
    if data is None:
        data = bytearray(build_template(store))
        _at(data, b"PK\x01\x02", 6, "<H", 255)
        data = bytes(data)
    before = store.conn.total_changes
    try:
        problems = run_import(store, ADMIN, [(name, data)], OPTIONS).problems  # braces: imported, with a warning
    except IngestError as refused:
        problems = refused.problems
        assert store.conn.total_changes == before
    text = "\n".join(str(p) for p in problems)
    assert says in text and all(p.file.startswith(name) for p in problems), text
    assert not TRACEBACK.search(text), text


# --- the run ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store():
    """The demo store in memory. Network analyses after an accepted upload are skipped: they are a cache filled
    after the commit (and guarded there), and computing them for every accepted network would take most of the
    time budget."""
    db = open_memory_store()
    load_demo(db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "refresh_networks", lambda db, pilots: None)
        yield db
    db.close()


def fuzz(db, files: int, seconds: float, seed: int, only: int | None = None) -> dict:
    """Import ``files`` fuzzed files into ``db``; return the tally and every crash or partial write found."""
    seed_files = seeds(db)
    options = OPTIONS
    tally: Counter = Counter()
    crashes: list[str] = []
    partial: list[str] = []
    started = time.monotonic()
    rng = random.Random(seed)
    for index in range(files):
        name, data, how = mutated(rng, seed_files)
        if only is not None and index != only:
            continue
        if time.monotonic() - started > seconds:
            break
        before_changes, before_counts = db.conn.total_changes, table_counts(db) if index % 50 == 0 else None
        try:
            run_import(db, ADMIN, [(name, data)], options)
            tally["imported"] += 1
        except IngestError as refused:
            tally["refused"] += 1
            stray = [p for p in refused.problems if not (p.file == name or p.file.startswith(f"{name}/"))]
            if stray or not refused.problems:
                crashes.append(f"#{index} {name} [{how}]: the refusal does not name the file: {refused}")
            if db.conn.total_changes != before_changes or db.conn.in_transaction:
                partial.append(
                    f"#{index} {name} [{how}]: refused, yet {db.conn.total_changes - before_changes} rows changed"
                )
            if before_counts is not None and table_counts(db) != before_counts:
                partial.append(f"#{index} {name} [{how}]: refused, yet the row counts changed")
        except Exception as err:  # noqa: BLE001 — what the fuzz is looking for
            tally["crashed"] += 1
            crashes.append(f"#{index} {name} [{how}]: {type(err).__name__}: {str(err)[:200]}")
            if db.conn.in_transaction:
                db.conn.rollback()
        tally["files"] += 1
    tally["seconds"] = round(time.monotonic() - started, 1)
    return {"tally": tally, "crashes": crashes, "partial": partial}


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns about the damaged parts it skips
def test_ten_thousand_fuzzed_files_are_imported_or_refused_in_plain_words(store):
    only = os.environ.get("FUZZ_ONLY")
    result = fuzz(store, FILES, SECONDS, SEED, only=int(only) if only else None)
    tally = result["tally"]
    print(f"\nfuzz: {dict(tally)}")
    assert not result["crashes"], f"{len(result['crashes'])} crash(es):\n" + "\n".join(result["crashes"][:40])
    assert not result["partial"], "\n".join(result["partial"][:40])
    if only is None:
        assert tally["files"] >= FILES // 10, f"only {tally['files']} files in {SECONDS} s: the machine is too slow"
        assert tally["refused"] and tally["imported"], tally


CLI_CASES = [
    ("filled.xlsx", "zip_member"),
    ("karate_club.graphml", "encoding"),
    ("summary.json", "huge_int"),
    ("summary.json", "deep_nesting"),
    ("summary.zip", "zip_member"),
    ("lesmis_gephi09_gexf13_extract.gexf", "encoding"),
]


@pytest.mark.parametrize(("name", "how"), CLI_CASES)
def test_the_cli_refuses_fuzzed_files_with_exit_2_and_no_traceback(name, how, tmp_path, demo_db_path):
    """A few fuzzed files through ``python -m lessons import`` in a subprocess, as a user runs it."""
    db = open_memory_store()
    data = dict(seeds(db))[name]
    db.close()
    rng = random.Random(SEED)
    for _ in range(20):  # the first mutation of this kind that the importer refuses
        bad = MUTATIONS[how](rng, data)
        try:
            pipeline.read_files([(name, bad)])
        except Exception:  # noqa: BLE001 — before the fix: the crash itself is what the CLI must survive
            break
        if any(p.severity == "error" for p in pipeline.read_files([(name, bad)]).problems):
            break
    path = tmp_path / name
    path.write_bytes(bad)
    done = subprocess.run(
        [sys.executable, "-m", "lessons", "import", str(path), "--pilot", PILOT, "--db", str(demo_db_path), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert not TRACEBACK.search(done.stdout + done.stderr), done.stderr
    assert done.returncode == 2, done.stdout + done.stderr
    assert name in done.stderr and "nothing was written" in done.stderr


def test_the_cli_refuses_a_file_it_cannot_open(tmp_path, demo_db_path, capsys):
    from lessons.cli import main

    code = main(["import", str(tmp_path / "missing.csv"), "--db", str(demo_db_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "missing.csv: cannot be read" in err and "nothing was written" in err


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage"])
def test_the_cli_refuses_a_mapping_it_cannot_read(content, tmp_path, demo_db_path, capsys):
    from lessons.cli import main

    mapping = tmp_path / "mapping.json"
    mapping.write_bytes(content)
    lessons = tmp_path / "lessons.csv"
    lessons.write_text("key,title,lesson,kind\nL1,T,L,insight\n", encoding="utf-8")
    code = main(["import", str(lessons), "--mapping", str(mapping), "--db", str(demo_db_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "the mapping cannot be read" in err and "nothing was written" in err

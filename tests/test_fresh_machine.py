"""A fresh machine, tried as a newcomer would (#13): what `make run` starts, the README's commands, the licence."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def make_dry_run(*args: str) -> str:
    """What `make` would run (`make -n`), with the venv marked as installed so nothing is installed."""
    out = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


def test_make_run_listens_on_this_machine_only_unless_told_otherwise():
    command = make_dry_run("run")
    assert "--server.address 127.0.0.1" in command and "--server.headless true" in command
    assert "--browser.gatherUsageStats false" in command
    assert "--server.address 0.0.0.0" in make_dry_run("run", "HOST=0.0.0.0")
    assert "make run HOST=0.0.0.0" in README and "change the demo passwords" in README


def test_streamlit_configuration_is_headless_local_and_without_usage_statistics():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["headless"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False


def _listeners(port: int) -> set[str]:
    """Local addresses listening on ``port`` (IPv4, from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hexport = local.split(":")
        if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_the_launcher_starts_without_a_prompt_and_binds_to_localhost(tmp_path):
    """The launcher as `make run` calls it, with no input at all: no e-mail prompt, serving on 127.0.0.1 only."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "LESSONS_DB": str(tmp_path / "fresh.db"), "HOME": str(tmp_path)}  # no ~/.streamlit
    server = subprocess.Popen(
        [sys.executable, "-m", "components.serve", "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the app did not answer within 60 s")
        assert _listeners(port) == {"127.0.0.1"}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Email" not in output and "Welcome to Streamlit" not in output


def _readme_commands() -> list[list[str]]:
    block = README.split("## Command line", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("python -m lessons"):
            words = shlex.split(line)
            commands.append([w for w in words[3:] if not w.startswith(("[", "-")) and w.islower()][:2])
    return commands


def test_the_readme_commands_run_as_printed_in_the_environment_the_setup_made():
    assert ". .venv/bin/activate" in README.split("## Command line", 1)[1].split("```", 2)[1]
    commands = _readme_commands()
    assert len(commands) > 15
    from lessons.cli import build_parser

    def is_command(args: tuple) -> bool:
        try:
            build_parser().parse_args([*args, "--help"])
        except SystemExit as done:
            return done.code == 0
        return False

    checked: set[tuple] = set()
    for words in commands:
        candidates = [tuple(words[:2]), tuple(words[:1])] if words else [()]
        if checked & set(candidates):
            continue
        found = next((args for args in candidates if is_command(args)), None)
        assert found is not None, f"`python -m lessons {' '.join(words)}` in the README is not a command"
        checked.add(found)
    # and the module runs as printed, in the environment the set-up made
    python = ROOT / ".venv" / "bin" / "python"
    python = python if python.exists() else Path(sys.executable)
    result = subprocess.run([str(python), "-m", "lessons", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "usage:" in result.stdout
    assert len(checked) > 10


def test_a_licence_file_states_the_licence_and_the_bundled_third_party_terms():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for part in ("data/fonts", "DejaVu", "nasa_llis_extract", "tests/fixtures/networks", "CC BY 4.0"):
        assert part in licence, part


def test_no_test_or_module_reads_data_from_one_machines_absolute_path():
    pattern = re.compile(r"[\"'](/work|/root|/home)/")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tests", "lessons", "components", "pages")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8")) and path.name != "test_fresh_machine.py"
    ]
    assert offenders == []


def test_make_bench_keeps_its_stores_outside_the_checkout():
    command = make_dry_run("bench", "BENCH_DIR=/tmp/xyz-bench")
    assert "--db /tmp/xyz-bench/bench-1.db" in command and "--db /tmp/xyz-bench/bench-10.db" in command
    default = make_dry_run("bench")
    assert not re.search(r"--db bench-\d+\.db", default)  # not in the working tree
    assert "echo" in default  # each step is announced

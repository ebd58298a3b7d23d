"""A workshop's room through the real server: ``python -m components.workshop_load N [--think S] [--votes V] [--json]``.

Starts the app on a free loopback port over a fresh store with one open workshop, then connects N simulated
participants. Each speaks Streamlit's own browser protocol (``BackMsg`` / ``ForwardMsg`` protobufs over the
websocket at ``/_stcore/stream``): it opens the vote page from the join link, fills the join form, then casts its
votes with human think time (2–10 s, times ``--think``), clicking the buttons by the element ids the server sent.
A vote's round trip runs from the click sent to the end of the script run that shows the next statement.

The server cannot tell these participants from browsers: they cost it the same script runs. The report gives the
round trip p50/p95/max, the server's CPU and peak memory, votes sent against votes stored (none lost, none twice),
participants created, and the errors participants saw (exceptions, error messages, disconnections, timeouts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from lessons.store import PROJECT_DIR
from lessons.workshop_counts import create_load_store, stored_counts

FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
VOTE_LABELS = {"Agree": "agree", "Disagree": "disagree", "Pass / unsure": "pass"}
PROGRESS = re.compile(r"^(\d+) of (\d+) answered")
THINK_SECONDS = (2.0, 10.0)
REPLY_TIMEOUT = 120.0  # seconds a participant waits for a script run before counting an error


class ParticipantError(Exception):
    """What a participant saw go wrong; it stops that participant."""


@dataclass
class Run:
    """What one script run put on the participant's screen."""

    widgets: dict[str, dict] = field(default_factory=dict)  # label -> {"id", "kind", "options"}
    progress: tuple[int, int] | None = None
    statement: str | None = None
    errors: list[str] = field(default_factory=list)
    finished: bool = False


@dataclass
class Outcome:
    """One participant's record."""

    joined: bool = False
    join_ms: float | None = None
    votes_sent: int = 0
    round_trips_ms: list[float] = field(default_factory=list)
    repeated: int = 0  # a statement shown again after it was voted on
    errors: list[str] = field(default_factory=list)


def read_run(run: Run, msg: ForwardMsg) -> None:
    """Fold one ForwardMsg into ``run``: widgets, progress, the statement shown, errors and the end of the run."""
    kind = msg.WhichOneof("type")
    if kind == "script_finished":
        run.finished = msg.script_finished == FINISHED
    elif kind == "page_not_found":
        run.errors.append("page not found")
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which in ("button", "selectbox", "text_input"):
            widget = getattr(element, which)
            options = list(widget.options) if which == "selectbox" else []
            run.widgets[widget.label] = {"id": widget.id, "kind": which, "options": options}
        elif which == "progress":
            found = PROGRESS.match(element.progress.text)
            if found:
                run.progress = (int(found[1]), int(found[2]))
        elif which == "markdown" and element.markdown.body.startswith("### "):
            run.statement = element.markdown.body[4:]
        elif which == "heading" and element.heading.tag == "h3":  # the statement on the voting card
            run.statement = element.heading.body
        elif which == "exception":
            run.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
        elif which == "alert" and element.alert.format == element.alert.Format.Value("ERROR"):
            run.errors.append(f"error shown: {element.alert.body[:200]}")


class Participant:
    """One simulated participant's browser session: a websocket and the state a browser keeps."""

    def __init__(self, base_url: str, code: str, *, rng: random.Random):
        self.base_url, self.code, self.rng = base_url, code, rng
        self.ws = None
        self.page_hash = ""

    async def open(self) -> None:
        url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, widgets: list[tuple[str, str, object]] = (), *, first: bool = False) -> Run:
        """Send a rerun request as the browser does (widget states, page, query string) and read until the run
        that finishes successfully; ``widgets`` are ``(id, value kind, value)``."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = f"code={self.code}"
        if first:
            state.page_name = "vote"  # the browser's first request names the page by its URL path
        else:
            state.page_script_hash = self.page_hash
        state.context_info.timezone = "Europe/Helsinki"
        state.context_info.locale = "en-GB"
        state.context_info.url = f"{self.base_url}/vote?code={self.code}"
        for widget_id, kind, value in widgets:
            proto = state.widget_states.widgets.add()
            proto.id = widget_id
            setattr(proto, kind, value)
        await self.ws.send(back.SerializeToString())
        run = Run()
        while True:
            try:
                data = await asyncio.wait_for(self.ws.recv(), REPLY_TIMEOUT)
            except TimeoutError as err:
                raise ParticipantError(f"no reply within {REPLY_TIMEOUT:.0f} s") from err
            except websockets.ConnectionClosed as err:
                raise ParticipantError(f"disconnected ({err})") from err
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "new_session" and msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "script_finished" and msg.script_finished != FINISHED:
                run = Run(errors=run.errors)  # st.rerun(): the next run draws the page afresh
                continue
            read_run(run, msg)
            if run.errors:
                raise ParticipantError("; ".join(run.errors))
            if run.finished:
                return run

    async def join(self) -> Run:
        """Open the join link, choose a stakeholder group and click Join; return the first voting run."""
        run = await self.rerun(first=True)
        group, submit = run.widgets.get("Your stakeholder group"), run.widgets.get("Join")
        if group is None or submit is None or not group["options"]:
            raise ParticipantError("the join form did not show")
        choice = self.rng.choice(group["options"])
        run = await self.rerun([(group["id"], "string_value", choice), (submit["id"], "trigger_value", True)])
        if run.progress is None:
            raise ParticipantError("joining did not show the first statement")
        return run

    async def vote(self, run: Run) -> tuple[Run, str]:
        """Click one of the vote buttons of ``run``; return the next run and the label clicked."""
        label = self.rng.choice(list(VOTE_LABELS))
        button = run.widgets.get(label)
        if button is None:
            raise ParticipantError("no vote button on the page")
        return await self.rerun([(button["id"], "trigger_value", True)]), label


async def participate(base_url: str, code: str, *, votes: int, think: float, seed: int, ramp: float) -> Outcome:
    """One participant's visit: arrive within ``ramp`` seconds, join, cast ``votes`` votes, leave."""
    rng, outcome = random.Random(seed), Outcome()
    participant = Participant(base_url, code, rng=rng)
    await asyncio.sleep(rng.uniform(0, ramp))
    try:
        await participant.open()
        start = time.perf_counter()
        run = await participant.join()
        outcome.joined, outcome.join_ms = True, (time.perf_counter() - start) * 1000
        seen: set[str] = set()
        for _ in range(votes):
            if run.statement is None:
                break  # every statement answered
            seen.add(run.statement)
            await asyncio.sleep(rng.uniform(*THINK_SECONDS) * think)
            before = run.progress
            start = time.perf_counter()
            outcome.votes_sent += 1
            run, _ = await participant.vote(run)
            outcome.round_trips_ms.append((time.perf_counter() - start) * 1000)
            if run.progress is None or run.progress[0] != before[0] + 1:
                outcome.errors.append(f"progress went from {before} to {run.progress} after a vote")
            if run.statement in seen:
                outcome.repeated += 1
    except (ParticipantError, OSError, websockets.InvalidHandshake) as err:
        outcome.errors.append(str(err) or type(err).__name__)
    finally:
        await participant.close()
    return outcome


async def warm_up(base_url: str, code: str) -> None:
    """Open the vote page once without joining, so the measurement starts on a warm server (imports, caches)."""
    participant = Participant(base_url, code, rng=random.Random(0))
    await participant.open()
    try:
        await participant.rerun(first=True)
    finally:
        await participant.close()


async def room(base_url: str, code: str, n: int, *, votes: int, think: float, seed: int = 16) -> list[Outcome]:
    """``n`` participants at once; they arrive over the first ``10 × think`` seconds, as people sit down."""
    return await asyncio.gather(
        *(
            participate(base_url, code, votes=votes, think=think, seed=seed * 1000 + i, ramp=10 * think)
            for i in range(n)
        )
    )


# --- The server and the report -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mb(pid: int) -> float:
    """The peak resident memory of process ``pid`` (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(db_path: Path, log: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    """The app as ``make run`` serves it, on a free loopback port over ``db_path``; return the process and URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "components.serve",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra,
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=dict(os.environ, LESSONS_DB=str(db_path)), stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the app did not start on {url}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (the convention of ``lessons.bench.summarise``); NaN for no samples.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.95), percentile([], 0.5) != percentile([], 0.5)
    (5.0, True)
    """
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summarise(outcomes: list[Outcome], stored: dict, *, n: int, cpu_s: float, wall_s: float) -> dict:
    """The report as a dict: the ``--json`` keys first, then the figures behind them."""
    trips = [ms for o in outcomes for ms in o.round_trips_ms]
    sent = sum(o.votes_sent for o in outcomes)
    errors = [f"participant {i}: {e}" for i, o in enumerate(outcomes) for e in o.errors]
    joins = [o.join_ms for o in outcomes if o.join_ms is not None]
    return {
        "participants": stored["participants"],
        "votes_sent": sent,
        "votes_stored": stored["votes"],
        "duplicates": stored["duplicates"] + sum(o.repeated for o in outcomes),
        "errors": len(errors),
        "p50_ms": round(percentile(trips, 0.5), 1),
        "p95_ms": round(percentile(trips, 0.95), 1),
        "max_ms": round(max(trips, default=float("nan")), 1),
        "expected_participants": n,
        "joined": sum(o.joined for o in outcomes),
        "join_p50_ms": round(statistics.median(joins), 1) if joins else None,
        "wall_s": round(wall_s, 1),
        "votes_per_s": round(sent / wall_s, 2) if wall_s else None,
        "server_cpu_s": round(cpu_s, 2),
        "server_cpu_ms_per_vote": round(1000 * cpu_s / sent, 1) if sent else None,
        "server_cores_used": round(cpu_s / wall_s, 2) if wall_s else None,
        "error_messages": errors[:20],
    }


def measure(n: int, *, think: float = 1.0, votes: int = 30, server_args: list[str] = (), seed: int = 16) -> dict:
    """Run the load test: a fresh store and server, ``n`` participants casting ``votes`` votes each; the report."""
    with tempfile.TemporaryDirectory(prefix="workshop-load-") as folder:
        db_path = Path(folder) / "load.db"
        code = create_load_store(db_path, statements=max(30, votes))
        process, url = start_server(db_path, Path(folder) / "server.log", list(server_args))
        try:
            asyncio.run(warm_up(url, code))
            cpu_before, load_before = cpu_seconds(process.pid), os.getloadavg()[0]
            client_before, start = time.process_time(), time.perf_counter()
            outcomes = asyncio.run(room(url, code, n, votes=votes, think=think, seed=seed))
            wall_s = time.perf_counter() - start
            cpu_s, memory = cpu_seconds(process.pid) - cpu_before, peak_mb(process.pid)
            client_s, load_after = time.process_time() - client_before, os.getloadavg()[0]
        finally:
            stop_server(process)
        report = summarise(outcomes, stored_counts(db_path, code), n=n, cpu_s=cpu_s, wall_s=wall_s)
    report["server_peak_mb"] = round(memory, 1)
    report["client_cpu_s"] = round(client_s, 2)
    report["load_average"] = [round(load_before, 2), round(load_after, 2)]
    report["cores"] = os.cpu_count()
    report["think"], report["votes_each"] = think, votes
    return report


def describe(report: dict) -> str:
    """The report for people."""
    lost = report["votes_sent"] - report["votes_stored"]
    lines = [
        f"{report['expected_participants']} participants, {report['votes_each']} votes each, think time "
        f"{THINK_SECONDS[0] * report['think']:g}-{THINK_SECONDS[1] * report['think']:g} s, {report['cores']} cores, "
        f"load average {report['load_average'][0]} before, {report['load_average'][1]} after",
        f"vote round trip: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, max {report['max_ms']} ms "
        f"(join p50 {report['join_p50_ms']} ms)",
        f"server: {report['server_cpu_s']} s CPU ({report['server_cpu_ms_per_vote']} ms a vote, "
        f"{report['server_cores_used']} of a core on average), peak "
        f"{report['server_peak_mb']} MB; load generator {report['client_cpu_s']} s CPU over {report['wall_s']} s",
        f"votes: {report['votes_sent']} sent, {report['votes_stored']} stored ({lost} lost, "
        f"{report['duplicates']} duplicated)",
        f"participants: {report['participants']} created of {report['expected_participants']} expected",
        f"errors seen by participants: {report['errors']}",
        *(f"  {message}" for message in report["error_messages"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.workshop_load", description=__doc__.split("\n")[0])
    parser.add_argument("participants", type=int, help="simulated participants (N)")
    parser.add_argument("--think", type=float, default=1.0, help="scale of the 2-10 s think time (0.01 for tests)")
    parser.add_argument("--votes", type=int, default=30, help="votes each participant casts (default 30)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="an extra `streamlit run` option, e.g. --server-arg=--runner.postScriptGC=false",
    )
    args = parser.parse_args(argv)
    report = measure(args.participants, think=args.think, votes=args.votes, server_args=args.server_arg)
    print(json.dumps(report, indent=2) if args.json else describe(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

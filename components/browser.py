"""Start the app as a real server and drive it in Debian's Chromium (Playwright): shared by the browser tests
and the benchmark's cold-start measurement. Playwright never downloads a browser here; it uses /usr/bin/chromium.

What the browser may fetch: only the app's own server (``data:`` and ``blob:`` URLs stay inside the page).
:class:`RequestLog` records every request a page makes and :func:`off_site` judges each; :data:`PAGE_RESOURCES`
also reads the addresses the page points at without a request Playwright sees (the favicon, fetched by the browser
itself) and every resource the page loaded (fonts, images, scripts).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: Addresses a page points at or loaded: its icons, stylesheets, scripts, images, frames, and the browser's own list
#: of resources it fetched (fonts included).
PAGE_RESOURCES = """() => [
  ...[...document.querySelectorAll('link[href]')].map(e => e.href),
  ...[...document.querySelectorAll('script[src], img[src], iframe[src], source[src], video[src], audio[src]')]
      .map(e => e.src),
  ...performance.getEntriesByType('resource').map(e => e.name),
]"""


def off_site(url: str, base_url: str) -> bool:
    """Whether fetching ``url`` would leave the app's own server (``base_url``'s host); ``data:`` and ``blob:``
    URLs, and relative ones, never do."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "") or not parsed.hostname:
        return False
    return parsed.hostname != urlparse(base_url).hostname


class RequestLog:
    """Every request a Playwright page makes from now on, and those that leave the app's server."""

    def __init__(self, page, base_url: str):
        self.base_url, self.requests = base_url, []
        page.on("request", lambda request: self.requests.append(request.url))
        self.page = page

    def off_site(self) -> list[str]:
        """Requests to any other host so far, and addresses of other hosts the page points at or loaded."""
        seen = [*self.requests, *self.page.evaluate(PAGE_RESOURCES)]
        return sorted({url for url in seen if off_site(url, self.base_url)})


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """End a server process: ask it to stop, and kill it if it has not within 10 seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def app_server(db_path: str | Path, *, port: int | None = None, timeout: float = 60.0, env: dict | None = None):
    """Run ``streamlit run app.py`` on a free loopback port against ``db_path``; yield its base URL."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "components.serve",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=dict(os.environ, LESSONS_DB=str(db_path), **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"the app did not start on {url}:\n{output[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        stop(process)


@contextmanager
def chromium(headless: bool = True):
    """A Playwright Chromium browser from the system package."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_rendered(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script and nothing is still loading."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && !document.querySelector('[data-testid="stSkeleton"]')""",
        timeout=timeout,
    )

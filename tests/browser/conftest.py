"""Browser tests: the real `streamlit run app.py` on a free port, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from digistrat.bench_browser import EXPANDER_SETTLED_JS
from tests.fixtures_files import french_excel_csv, french_number

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`streamlit run app.py` on a free port; `workspace`: the folder saved datasets go to."""

    def __init__(self, env: dict[str, str] | None = None, workspace: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        if workspace is not None:
            self.env["DIGISTRAT_WORKSPACE"] = str(workspace)
        self.process: subprocess.Popen | None = None
        self.log = REPO / f".pytest-streamlit-{self.port}.log"

    def start(self) -> None:
        self.log_handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO, env=self.env, stdout=self.log_handle, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"streamlit did not answer /_stcore/health within 60 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log_handle.close()
        self.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # Uploads made by the tests are saved in a temporary workspace, never the user's data folder.
    server = AppServer(workspace=tmp_path_factory.mktemp("app-workspace"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# A page under load (two suites at once on two cores) can take longer than Playwright's 5 s.
expect.set_options(timeout=20_000)


def wait_for_app(page: Page) -> None:
    """Streamlit's own e2e convention: the app is idle when its script state is `notRunning`.

    Right after an input the next run may not have started yet, so this alone does not prove
    that run is over: every check after an input waits for the state that input asks for.
    """
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


# Every condition must hold at once. Streamlit shows a skeleton while an element's code is still
# loading (a chart whose run is over may not be a chart yet); Vega makes `svg.marks` with an empty
# root group and draws the scene into it later, so a chart is drawn once its root frame is there.
PAGE_DRAWN_JS = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']")
    && document.querySelector("[data-testid='stMain'] h1")
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector("[data-testid='stMain'] [data-testid='stSkeleton']")
    && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].filter(c => c.checkVisibility())
        .every(chart => chart.querySelector('svg.marks g.mark-group'))"""


def page_drawn(page: Page, charts: bool = True) -> None:
    """Wait until the run is over, its title is shown, nothing is faded and every visible chart is
    drawn; with `charts`, until at least one chart is (else the check could pass before any came)."""
    if charts:
        expect(page.locator("[data-testid=stVegaLiteChart] svg.marks g.mark-group").first).to_be_attached(timeout=30_000)
    page.wait_for_function(PAGE_DRAWN_JS, timeout=60_000)


def open_expander(page: Page, label: str) -> None:
    """Open the expander whose heading holds `label` and wait until it has stopped growing."""
    page.locator("[data-testid='stExpander'] summary").filter(has_text=label).first.click()
    expander_settled(page, label)


def expander_settled(page: Page, label: str) -> None:
    """Wait until the open expander whose heading holds `label` has its height: after it opens,
    and after a run changes what it holds."""
    page.wait_for_function(EXPANDER_SETTLED_JS, arg=label, timeout=30_000)


TABLE_ROWS_JS = """(headers) => {
    for (const table of document.querySelectorAll('[data-testid=stTable] table')) {
        const head = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
        if (headers.every(h => head.includes(h))) {
            return [...table.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('th, td')].map(td => td.innerText.trim()));
        }
    }
    return [];
}"""


def table_rows(
    page: Page, headers: Sequence[str], ready: Callable[[list[list[str]]], bool], timeout_s: float = 20
) -> list[list[str]]:
    """The rows of the first table whose headings include `headers`, as text, once `ready(rows)`
    holds (a run redraws the page); the last rows seen on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = page.evaluate(TABLE_ROWS_JS, list(headers))
        if ready(rows) or time.monotonic() > deadline:
            return rows
        page.wait_for_timeout(250)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


# ---------------------------------------------------------------- a French survey to upload


HEADER = ["Identifiant", "Segment", "Pondération", "Taille d'entreprise", "Secteur d'activité"]


# (segment label, weight, respondents): 60 respondents written the French Excel way
PANEL = [
    ("Les nouvelles venues", 1.5, 4),
    ("Les convaincues", 0.5, 6),
    ("Les tenants de l'adaptation", 1.25, 8),
    ("Les insatisfaits", 0.75, 12),
    ("Les attentistes", 1.0, 30),
]


ENGLISH = ["Newcomers", "Convinced", "Adapters", "Dissatisfied", "Wait-and-see"]


def survey_bytes() -> bytes:
    rows, number = [], 0
    for label, weight, count in PANEL:
        for i in range(count):
            number += 1
            rows.append([f"E{number:03d}", label, french_number(weight, 2), ("TPE", "PME", "ETI")[i % 3],
                         ("Santé", "Industrie", "Éducation")[i % 3]])
    return french_excel_csv(rows, HEADER, encoding="cp1252")

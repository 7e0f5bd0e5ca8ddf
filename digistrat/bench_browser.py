"""Browser tasks of `python -m digistrat.bench` (issue 13): the real app, `streamlit run app.py`,
driven by headless Debian Chromium through Playwright, against a minimal Streamlit app measured
the same way in the same run (`digistrat/ui/minimal_app.py`: one multiselect, one Altair chart).

How a latency is measured, in the page itself (an init script, so no Playwright round trip
counts): a capturing listener stamps the `pointerdown` (or `keydown`) that starts the interaction;
a MutationObserver stamps every change of the app's `data-test-script-state` attribute and every
DOM change inside a chart (`stVegaLiteChart`: Vega drawing its SVG). The interaction is over
when a run started after the stamp, the state is back to `notRunning`, the page shows the
state the click asked for (a count, a title, a selected tab, the URL) and nothing has changed
in a chart for `QUIET_MS`; its latency is the last of those changes (state or chart) minus the
stamp. An interaction whose expected state does not appear within the timeout is a lost click.

This module imports no Streamlit: it starts servers as child processes.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
MINIMAL_APP = REPO / "digistrat" / "ui" / "minimal_app.py"
PANDAS_SHARES = REPO / "scripts" / "pandas_shares.py"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The brief's flags; Playwright adds --headless. Without the network ones Chromium tries to
# reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
QUIET_MS = 250  # no chart change for this long after the run: the charts are drawn
VIEWPORT = {"width": 1400, "height": 1000}
SIZE_COLUMN, SIZE_LABEL = "company_size", "Company size"
FOCUS_SEGMENT = "Dissatisfied"
FOCUS_BAR = 3  # its bar: newcomers, convinced, adapters, dissatisfied, wait-and-see
TABS = ("Crosstab", "Breakdown")
OWN_DOMAIN = "lesechos.fr"  # a referrer of both session logs: its referrals turn direct


@dataclass(frozen=True)
class BrowserScale:
    interactions: int  # per interaction kind and dataset
    rounds: dict[int, int]  # browser contexts clicking at once -> rounds of clicks
    cold_starts: int  # fresh servers per app
    cli_runs: int
    timeout_s: float  # an interaction not done by then is a lost click


BROWSER_SCALES = {
    "tiny": BrowserScale(3, {1: 2, 2: 1}, 1, 1, 60),
    # CI: the whole harness in about five minutes; the figures of BENCHMARKS.md come from "full"
    "small": BrowserScale(6, {1: 6, 4: 2, 8: 1}, 1, 3, 60),
    "full": BrowserScale(24, {1: 24, 4: 6, 8: 3}, 3, 7, 180),
}


# ---------------------------------------------------------------------------------------
# In-page instrumentation
# ---------------------------------------------------------------------------------------

INIT_SCRIPT = """
(() => {
  const s = window.__bench = {states: [], chartAt: 0, appAt: 0, mark: null, armed: false};
  let app = null;
  const note = () => s.states.push([performance.now(), app.getAttribute('data-test-script-state')]);
  const changed = (records) => {
    const found = document.querySelector('[data-testid="stApp"]');
    if (found && found !== app) {
      app = found;
      note();
      new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }
    const now = performance.now();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el) continue;
      if (el.closest('[data-testid="stApp"]')) s.appAt = now;
      if (el.closest('[data-testid="stVegaLiteChart"]')) { s.chartAt = now; return; }
    }
  };
  new MutationObserver(changed).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  for (const type of ['pointerdown', 'keydown']) {
    addEventListener(type, () => { if (s.armed) { s.mark = performance.now(); s.armed = false; } }, true);
  }
})();
"""

# The timing in ms once the run the stamp started is over, the expected state shows and the
# charts are still; false until then. `%s` is the expected state, a JS expression. A busy page
# can handle "run started" and "run over" in one render: the state attribute then never shows
# `running`, and the end is the page's last change after the stamp (its parts are unknown, -1).
DONE = """(quiet) => {
  const s = window.__bench;
  if (!s || s.mark === null || !s.states.length) return false;
  const last = s.states[s.states.length - 1];
  if (last[1] !== 'notRunning' || !(%s)) return false;
  const started = s.states.find(([t, v]) => t >= s.mark && v !== 'notRunning');
  if (!started && s.appAt < s.mark) return false;
  const end = started ? Math.max(last[0], s.chartAt) : Math.max(s.chartAt, s.appAt);
  if (performance.now() - Math.max(end, s.chartAt) < quiet) return false;
  // total, then its parts: until the run started, the run, drawing after the run
  return started ? [end - s.mark, started[0] - s.mark, last[0] - started[0], end - last[0]] : [end - s.mark, -1, -1, -1];
}"""

ARM = "() => { window.__bench.mark = null; window.__bench.armed = true; }"

# Streamlit animates an expander's height when it opens, and again when its content resizes;
# a click during that lands where the button was, not where it is (seen under load: the
# pointer went down on a button and up on the caption above it).
EXPANDER_SETTLED_JS = """(label) => {
    const details = [...document.querySelectorAll('[data-testid=stExpander] details')]
        .find(d => d.querySelector('summary').innerText.includes(label));
    return !!details && details.open && details.style.height === ''
        && details.getAnimations().every(a => a.playState !== 'running');
}"""


def js_text(text: str) -> str:
    """JS: the page's text (SVG titles included) holds `text`."""
    return f"document.body.textContent.includes({json.dumps(text)})"


def js_charts(at_least: int, scope: str = "") -> str:
    """JS: at least this many charts under `scope` (a CSS selector) have drawn marks."""
    selector = f"{scope} [data-testid='stVegaLiteChart'] svg.marks".strip()
    return f"document.querySelectorAll({json.dumps(selector)}).length >= {at_least}"


def js_url(fragment: str, present: bool) -> str:
    return f"{'' if present else '!'}decodeURIComponent(location.search).includes({json.dumps(fragment)})"


# ---------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` on a free port, as a child process; `spawned_at` is the wall
    clock (epoch seconds) just before the process started."""

    def __init__(self, script: Path, env: dict[str, str] | None = None, options: Sequence[str] = ()) -> None:
        self.script, self.options = script, tuple(options)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.log = tempfile.TemporaryFile()
        self.process: subprocess.Popen | None = None
        self.spawned_at = math.nan

    def __enter__(self) -> Server:
        self.spawned_at = time.time()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *self.options],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        self.__exit__()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within 120 s:\n{self.output()}")

    def text(self) -> str:
        """Everything the server has printed so far (read at an offset: the server writes
        through the same open file, whose position a seek would move under it)."""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def output(self) -> str:
        return self.text()[-3000:]

    def __exit__(self, *_: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------
# Pages and interactions
# ---------------------------------------------------------------------------------------


def open_page(browser, url: str, expected: str, timeout_s: float):  # noqa: ANN001, ANN201 - Playwright objects
    """A new context (a new Streamlit session) on `url`, once the first run has drawn `expected`;
    returns (page, milliseconds from navigation start to drawn)."""
    context = browser.new_context(locale="en-US", viewport=VIEWPORT)
    page = context.new_page()
    page.add_init_script(INIT_SCRIPT)
    page.goto(url)
    page.evaluate("() => { window.__bench.mark = 0; }")  # the navigation itself is the stamp
    return page, wait_done(page, expected, timeout_s)


@dataclass(frozen=True)
class Timing:
    """One interaction, in ms: the total and its parts (until the server started the run, the
    run until the app reported it over, drawing after that)."""

    total: float
    to_run: float
    run: float
    draw: float


def wait_done(page, expected: str, timeout_s: float) -> Timing | None:  # noqa: ANN001
    """The interaction's timing, or None when it is lost (not done within the timeout)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function(DONE % expected, arg=QUIET_MS, polling=50, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        return None
    return Timing(*(float(v) for v in handle.json_value()))


@dataclass
class Step:
    """One interaction ready to fire: `fire` does the stamped input, `expected` is the JS
    expression that holds once the app has done what it asked."""

    fire: Callable[[], None]
    expected: str


def click_at(page, locator) -> Callable[[], None]:  # noqa: ANN001 - the centre of an element, as a mouse does
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    if box is None:
        raise RuntimeError(f"nothing to click: {locator}")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return lambda: page.mouse.click(x, y)


def gray_flip(step: int) -> int:
    """The bit a Gray code changes at this step: visiting every subset once, one click each."""
    return ((step + 1) & -(step + 1)).bit_length() - 1


class FilterToggle:
    """A multiselect filter: step i adds or removes one value (Gray code order over the values,
    so 2^k different filters come one after another and no view repeats)."""

    def __init__(self, label: str, values: Sequence[str], expected: Callable[[frozenset[str]], str]) -> None:
        self.label, self.values, self.expected = label, list(values), expected

    def chosen(self, page) -> frozenset[str]:  # noqa: ANN001
        box = page.locator("[data-testid='stMultiSelect']").filter(has=page.get_by_role("combobox", name=self.label))
        return frozenset(box.locator("[data-tag] span[title]").all_inner_texts())

    def _open_list(self, page, value: str):  # noqa: ANN001, ANN202 - Playwright objects
        """The option `value` in the opened list. A click that lands while a run redraws the
        widget can leave the list shut (seen at 1 M respondents on a loaded machine): try again."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        option = page.get_by_role("option", name=value, exact=True)
        for _ in range(3):
            page.get_by_role("combobox", name=self.label).click()
            try:
                option.wait_for(state="visible", timeout=10_000)
                return option
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        raise RuntimeError(f"the list of {self.label} did not open")

    def step(self, page, i: int) -> Step:  # noqa: ANN001
        value = self.values[gray_flip(i) % len(self.values)]
        before = self.chosen(page)
        if value in before:
            fire = click_at(page, page.get_by_role("button", name=f"Remove {value}", exact=True))
            after = before - {value}
        else:
            pick = click_at(page, self._open_list(page, value))

            def fire() -> None:
                pick()
                page.keyboard.press("Escape")  # the list stays open and hides the page from the accessibility tree

            after = before | {value}
        return Step(fire, self.expected(after))


class SegmentClick:
    """A click on the segment chart's bar: focuses the page on a segment, or clears the focus."""

    def step(self, page, i: int) -> Step:  # noqa: ANN001
        focused = page.get_by_text(f"{SIZE_LABEL} — {FOCUS_SEGMENT}", exact=False).count() > 0
        # The bars are in the segments' order; marks carry no accessible names (the table has the figures).
        bar = page.locator("[data-testid='stVegaLiteChart']").first.locator("g.mark-rect path").nth(FOCUS_BAR)
        focus = "all segments" if focused else FOCUS_SEGMENT
        return Step(click_at(page, bar), f"{js_text(f'{SIZE_LABEL} — {focus}')} && {js_charts(2)}")


class TabSwitch:
    """A click on a tab of the segments page; done when that tab is selected and shows a chart."""

    def step(self, page, i: int) -> Step:  # noqa: ANN001
        current = page.locator("[role='tab'][aria-selected='true']").first.inner_text().strip()
        target = TABS[0] if current != TABS[0] else TABS[1]
        selected = (f"[...document.querySelectorAll(\"[role='tab'][aria-selected='true']\")]"
                    f".some(t => t.textContent.trim() === {json.dumps(target)})")
        panel = "[role='tabpanel']:not([hidden]):not([inert])"
        return Step(click_at(page, page.get_by_role("tab", name=target, exact=True)),
                    f"{selected} && {js_charts(1, panel)}")


class OwnDomain:
    """The channels page's own-domain setting: `lesechos.fr` typed or cleared, committed with
    Ctrl+Enter (the stamp is that key press); done when the setting reached the URL."""

    def step(self, page, i: int) -> Step:  # noqa: ANN001
        box = page.get_by_role("textbox", name="Your own domains (one per line)")
        setting = "" if box.input_value().strip() else OWN_DOMAIN
        box.fill(setting)
        return Step(lambda: box.press("Control+Enter"),
                    f"{js_url(f'own_domains={OWN_DOMAIN}', bool(setting))} && {js_charts(2)}")


def run_step(page, interaction, i: int, timeout_s: float) -> Timing | None:  # noqa: ANN001
    """Interaction number `i` on this page: its timing, None when the click is lost."""
    step = interaction.step(page, i)
    page.evaluate(ARM)
    step.fire()
    return wait_done(page, step.expected, timeout_s)


@dataclass
class Driven:
    """A page and the interaction it repeats; collects the timings and the lost clicks."""

    page: object
    interaction: object
    timings: list[Timing] = field(default_factory=list)
    lost: int = 0
    done: int = 0

    def step(self, timeout_s: float) -> None:
        self.record(run_step(self.page, self.interaction, self.done, timeout_s))

    def record(self, timing: Timing | None) -> None:
        """One interaction over: its timing, or a lost click when None."""
        self.done += 1
        if timing is None:
            self.lost += 1
        else:
            self.timings.append(timing)


def run_together(driven: Sequence[Driven], timeout_s: float) -> None:
    """One round: every page clicks in the same moment (steps prepared first, then the clicks
    fired back to back), then each waits for the end of its own interaction."""
    steps = [d.interaction.step(d.page, d.done) for d in driven]
    for d in driven:
        d.page.evaluate(ARM)
    for step in steps:
        step.fire()
    for d, step in zip(driven, steps):
        d.record(wait_done(d.page, step.expected, timeout_s))


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0–1; of 20 values the 95th is the 19th); NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Latencies:
    task: str
    data: str
    what: str
    timings: tuple[Timing, ...]
    lost: int = 0
    floor: tuple[Timing, ...] = ()  # the minimal app's, measured alternately with these

    @property
    def floor_median(self) -> float:
        return statistics.median(t.total for t in self.floor) if self.floor else math.nan

    @property
    def ms(self) -> tuple[float, ...]:
        return tuple(t.total for t in self.timings)

    @property
    def median(self) -> float:
        return statistics.median(self.ms) if self.ms else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.ms, 0.95)

    def part(self, name: str) -> float:
        """Median of one part of the timings (to_run, run, draw), over the clicks whose parts are known."""
        values = [getattr(t, name) for t in self.timings if t.to_run >= 0]
        return statistics.median(values) if values else math.nan


@dataclass
class BrowserResults:
    interactions: list[Latencies] = field(default_factory=list)
    cold: list[Latencies] = field(default_factory=list)
    together: dict[int, Latencies] = field(default_factory=dict)
    cli: dict[str, tuple[float, ...]] = field(default_factory=dict)
    cli_same: str | None = "not run"  # None when digistrat's CLI and pandas printed the same figures


# ---------------------------------------------------------------------------------------
# Data for the app: the bundled samples, and the benchmark's files saved in a workspace
# ---------------------------------------------------------------------------------------


def count_text(total: int, rows: int) -> str:
    from digistrat.i18n import format_number

    return f"n = {format_number(rows, 'en')} of {format_number(total, 'en')} respondents"


def survey_counts(path: Path) -> tuple[int, dict[str, int]]:
    """Respondents in all and per company size, read from the CSV itself."""
    sizes = pl.read_csv(path, columns=[SIZE_COLUMN]).group_by(SIZE_COLUMN).len()
    counts = dict(zip(sizes[SIZE_COLUMN].to_list(), sizes["len"].to_list()))
    return sum(counts.values()), counts


def size_filter(path: Path) -> FilterToggle:
    total, counts = survey_counts(path)

    def expected(chosen: frozenset[str]) -> str:
        rows = sum(counts[v] for v in chosen) if chosen else total
        return f"{js_text(count_text(total, rows))} && {js_charts(2)}"

    return FilterToggle(SIZE_LABEL, sorted(counts), expected)


def saved_workspace(survey: Path, sessions: Path, cache: Path) -> tuple[Path, str, str]:
    """A workspace holding the two files as a user's saved uploads (what the upload page keeps),
    made once per pair of files: (folder, survey id, sessions id)."""
    from digistrat import datasets
    from digistrat.read import Limits
    from digistrat.workspace import Workspace

    root = cache / f"workspace-{survey.stem}-{sessions.stem}"
    ids = []
    workspace = Workspace(root, quota_bytes=1 << 40)
    for path in (survey, sessions):
        data = path.read_bytes()
        dataset_id = datasets.content_id(data)
        if not workspace.exists(dataset_id):
            dataset = datasets.load_bytes(data, path.name, limits=Limits(max_bytes=1 << 40, max_rows=100_000_000))
            workspace.save(data, path.name, dataset=dataset)
        ids.append(dataset_id)
    return root, ids[0], ids[1]


# ---------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------


FIRST_SEGMENTS = f"{js_text('respondents')} && {js_charts(2)}"
FIRST_CHANNELS = f"{js_text('sessions')} && {js_charts(3)}"


def minimal_toggle() -> FilterToggle:
    keys = pl.read_csv(REPO / "data" / "reference_segments.csv")["segment"].to_list()

    def expected(chosen: frozenset[str]) -> str:
        bars = len(chosen) or len(keys)
        return f"document.querySelectorAll(\"[data-testid='stVegaLiteChart'] path[aria-roledescription='bar']\").length === {bars}"

    return FilterToggle("Segments", keys, expected)


def _interactions(browser, server: Server, floor: Driven, survey_csv: Path, survey_query: str,  # noqa: ANN001
                  sessions_query: str, data: str, scale: BrowserScale,
                  progress: Callable[[str], None]) -> list[Latencies]:
    """The four interactions, each in a fresh session (three on Segments, one on Channels),
    each click followed by one on the minimal app, so both see the same load."""
    out = []
    for task, what, url, ready, interaction in (
        ("filter", "sidebar filter: one company size added or removed", f"/segments{survey_query}", FIRST_SEGMENTS,
         size_filter(survey_csv)),
        ("segment_click", f"click on the {FOCUS_SEGMENT} bar: focus, then clear", f"/segments{survey_query}",
         FIRST_SEGMENTS, SegmentClick()),
        ("tab_switch", "Crosstab / Breakdown tab", f"/segments{survey_query}", FIRST_SEGMENTS, TabSwitch()),
        ("channel_setting", f"own domain {OWN_DOMAIN} set or cleared (Ctrl+Enter)", f"/channels{sessions_query}",
         FIRST_CHANNELS, OwnDomain()),
    ):
        progress(f"browser: {task} on {data}")
        page, _ = open_page(browser, server.url + url, ready, scale.timeout_s)
        app = Driven(page, interaction)
        floor_before = len(floor.timings)
        for _ in range(scale.interactions):
            app.step(scale.timeout_s)
            floor.step(scale.timeout_s)
        page.context.close()
        out.append(Latencies(task, data, what, tuple(app.timings), app.lost, tuple(floor.timings[floor_before:])))
    return out


def _together(browser, server: Server, scale: BrowserScale, progress: Callable[[str], None]) -> dict[int, Latencies]:  # noqa: ANN001
    """N sessions clicking at once, for each N, round after round in turn (so every N sees the
    same load): each session repeats the company-size filter on the samples."""
    progress(f"browser: {', '.join(map(str, scale.rounds))} sessions at once")
    pages = [open_page(browser, f"{server.url}/segments?lang=en", FIRST_SEGMENTS, scale.timeout_s)[0]
             for _ in range(max(scale.rounds))]
    # N sessions are the first N pages; each N keeps its own record of the clicks
    driven = {n: [Driven(page, size_filter(REPO / "data" / "sample_panel.csv")) for page in pages[:n]]
              for n in scale.rounds}
    clicks = [0] * len(pages)  # each page walks its own filter sequence, whichever N clicks
    for i in range(max(scale.rounds.values())):
        for n, rounds in scale.rounds.items():
            if i < rounds:
                for k, d in enumerate(driven[n]):
                    d.done = clicks[k]
                    clicks[k] += 1
                run_together(driven[n], scale.timeout_s)
    for page in pages:
        page.context.close()
    return {n: Latencies(f"sessions_{n}", "samples", f"{n} sessions clicking a filter at once",
                         tuple(t for d in group for t in d.timings), sum(d.lost for d in group))
            for n, group in driven.items()}


def _cold_starts(browser, scale: BrowserScale, env: dict[str, str], progress: Callable[[str], None]) -> list[Latencies]:  # noqa: ANN001
    """From `streamlit run` to the first page drawn (app and minimal app, alternating), and in
    the app's fresh server the first visit to Segments, then Channels (a click in the sidebar)."""
    runs: dict[str, list[Timing]] = {"cold_app": [], "cold_minimal": [], "first_segments": [], "first_channels": []}
    lost: dict[str, int] = dict.fromkeys(runs, 0)
    for i in range(scale.cold_starts):
        for script in ((APP, MINIMAL_APP) if i % 2 == 0 else (MINIMAL_APP, APP)):
            name = "cold_app" if script == APP else "cold_minimal"
            progress(f"browser: {name} {i + 1}")
            with Server(script, env) as server:
                expected = js_charts(3) if script == APP else js_charts(1)
                page, drawn = open_page(browser, f"{server.url}/?lang=en" if script == APP else server.url,
                                        expected, scale.timeout_s)
                if drawn is None:
                    lost[name] += 1
                else:
                    origin = page.evaluate("() => performance.timeOrigin")  # epoch ms of the navigation
                    # from the process start, not the navigation start
                    runs[name].append(Timing(origin + drawn.total - server.spawned_at * 1000, drawn.to_run,
                                             drawn.run, drawn.draw))
                if script == APP:
                    for task, link, ready in (
                        ("first_segments", "Segments", f"{js_text('respondents')} && {js_charts(2)}"),
                        ("first_channels", "Channels", f"{js_text('sessions')} && {js_charts(3)}"),
                    ):
                        nav = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=link).first
                        fire = click_at(page, nav)
                        page.evaluate(ARM)
                        fire()
                        latency = wait_done(page, ready, scale.timeout_s)
                        if latency is None:
                            lost[task] += 1
                        else:
                            runs[task].append(latency)
                page.context.close()
    whats = {
        "cold_app": "`streamlit run app.py` to the reference page drawn",
        "cold_minimal": "`streamlit run` of the minimal app to its page drawn",
        "first_segments": "first visit to Segments in a fresh server, clicked as soon as the reference page is drawn",
        "first_channels": "then the first visit to Channels",
    }
    return [Latencies(task, "samples", whats[task], tuple(ms), lost[task]) for task, ms in runs.items()]


def _cli(survey_csv: Path, runs: int, progress: Callable[[str], None]) -> tuple[dict[str, tuple[float, ...]], str | None]:
    """`python -m digistrat shares FILE --json` against the plain pandas script, alternating,
    interpreter start included; and whether they printed the same figures."""
    commands = {
        "digistrat": [sys.executable, "-m", "digistrat", "shares", str(survey_csv), "--json"],
        "pandas": [sys.executable, str(PANDAS_SHARES), str(survey_csv)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    printed: dict[str, str] = {}
    for i in range(runs):
        progress(f"cli: run {i + 1}")
        for name in (("digistrat", "pandas") if i % 2 == 0 else ("pandas", "digistrat")):
            start = time.perf_counter()
            done = subprocess.run(commands[name], cwd=REPO, capture_output=True, text=True, check=False)
            times[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(commands[name])} failed:\n{done.stderr[-2000:]}")
            printed[name] = done.stdout
    return {k: tuple(v) for k, v in times.items()}, same_shares(printed["digistrat"], printed["pandas"])


def same_shares(digistrat_json: str, pandas_json: str) -> str | None:
    """None when both print the same count and weighted share (points) for every key. The
    intervals are not compared: the script computes Wilson's on Kish's base, as the issue
    asks, while the CLI gives the interval the app shows (its method may differ)."""
    ours = {r["key"]: r for r in json.loads(digistrat_json)["rows"]}
    theirs = {r["key"]: r for r in json.loads(pandas_json)["rows"]}
    if set(ours) != set(theirs):
        return f"different keys: {sorted(set(ours) ^ set(theirs))}"
    for key, row in ours.items():
        for figure in ("count", "share"):
            if not math.isclose(row[figure], theirs[key][figure], rel_tol=1e-9, abs_tol=1e-9):
                return f"{key} {figure}: {row[figure]} vs {theirs[key][figure]}"
    return None


def run_browser(scale: BrowserScale, survey_csv: Path, sessions_csv: Path, cache: Path,
                progress: Callable[[str], None] = lambda _: None) -> BrowserResults:
    """Every browser task, then the CLI task."""
    from playwright.sync_api import sync_playwright

    results = BrowserResults()
    progress("browser: saving the benchmark files in a workspace")
    root, survey_id, sessions_id = saved_workspace(survey_csv, sessions_csv, cache)
    env = {"DIGISTRAT_WORKSPACE": str(root), "DIGISTRAT_WORKSPACE_QUOTA_MB": str(1 << 30)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            results.cold = _cold_starts(browser, scale, env, progress)
            with Server(MINIMAL_APP) as minimal, Server(APP, env) as server:
                floor = Driven(open_page(browser, minimal.url, js_charts(1), scale.timeout_s)[0], minimal_toggle())
                results.interactions += _interactions(browser, server, floor, REPO / "data" / "sample_panel.csv",
                                                      "?lang=en", "?lang=en", "samples", scale, progress)
                uploaded = f"{_rows(survey_csv):,} respondents / {_rows(sessions_csv):,} sessions"
                results.interactions += _interactions(browser, server, floor, survey_csv, f"?lang=en&ds={survey_id}",
                                                      f"?lang=en&ds={sessions_id}", uploaded, scale, progress)
                results.interactions.insert(0, Latencies(
                    "minimal_filter", "minimal app", "its multiselect: one value added or removed, after each click above",
                    tuple(floor.timings), floor.lost))
                results.together = _together(browser, server, scale, progress)
        finally:
            browser.close()
    results.cli, results.cli_same = _cli(survey_csv, scale.cli_runs, progress)
    return results


def _rows(path: Path) -> int:
    return pl.scan_csv(path).select(pl.len()).collect().item()


# ---------------------------------------------------------------------------------------
# Tables and targets (issue 13)
# ---------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def _parts(r: Latencies) -> str:
    """Medians of the parts, each over all clicks (so they need not add up to the median)."""
    return " | ".join(_ms(r.part(name)) for name in ("to_run", "run", "draw"))


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference and not math.isnan(reference) else math.nan


def tables(results: BrowserResults) -> str:
    lines = [
        "Interactions (click to the end of the run it causes, charts drawn); each click is followed by one on the "
        "minimal app (the floor), and each ratio is to the floor's median over those clicks:\n",
        "| task | data | what | clicks | median | p95 | lost | floor alongside | median ÷ floor | p95 ÷ floor "
        "| until the run | run | drawing after it |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.interactions:
        floor = r.median if r.task == "minimal_filter" else r.floor_median
        lines.append(f"| {r.task} | {r.data} | {r.what} | {len(r.ms)} | {_ms(r.median)} | {_ms(r.p95)} | {r.lost} "
                     f"| {_ms(floor)} | {_ratio(r.median, floor):.2f} | {_ratio(r.p95, floor):.2f} | {_parts(r)} |")
    one = results.together.get(1)
    lines += [
        "\nSeveral sessions at once (one server, each context clicks the company-size filter in the same moment):\n",
        "| sessions | clicks | median | p95 | lost | median ÷ one session's | until the run | run | drawing after it |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for contexts, r in results.together.items():
        lines.append(f"| {contexts} | {len(r.ms)} | {_ms(r.median)} | {_ms(r.p95)} | {r.lost} "
                     f"| {_ratio(r.median, one.median if one else math.nan):.2f} | {_parts(r)} |")
    minimal = next((r for r in results.cold if r.task == "cold_minimal"), None)
    lines += ["\nCold start and first visits:\n", "| task | what | runs | median | each run | ratio |",
              "|---|---|---:|---:|---|---:|"]
    for r in results.cold:
        ratio = f"{_ratio(r.median, minimal.median):.2f} × minimal" if r.task == "cold_app" and minimal else ""
        lines.append(f"| {r.task} | {r.what} | {len(r.ms)} | {_ms(r.median)} | "
                     f"{', '.join(_ms(v) for v in r.ms)}{f' ({r.lost} lost)' if r.lost else ''} | {ratio} |")
    if results.cli:
        pandas = statistics.median(results.cli["pandas"])
        lines += ["\nCommand line, interpreter start included (wall clock):\n",
                  "| command | runs | median | ÷ pandas | same counts and shares |", "|---|---:|---:|---:|---|"]
        for name, times in results.cli.items():
            median = statistics.median(times)
            same = "yes" if results.cli_same is None else f"NO: {results.cli_same}"
            lines.append(f"| {CLI_COMMANDS[name]} | {len(times)} | {_ms(median * 1000)} | {median / pandas:.2f} | {same} |")
    return "\n".join(lines)


CLI_COMMANDS = {"digistrat": "`python -m digistrat shares FILE --json`", "pandas": "`python scripts/pandas_shares.py FILE`"}


def targets(results: BrowserResults) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of issue 13 the results can judge."""
    out = []
    for r in results.interactions:
        if not r.floor:
            continue
        median, high = _ratio(r.median, r.floor_median), _ratio(r.p95, r.floor_median)
        out.append((f"{r.task} ({r.data}): median ≤ 2 × the minimal app's ({_ms(r.floor_median)} alongside)",
                    f"{_ms(r.median)} = {median:.2f} ×", median <= 2 and not r.lost))
        out.append((f"{r.task} ({r.data}): p95 ≤ 3 × the minimal app's median",
                    f"{_ms(r.p95)} = {high:.2f} ×", high <= 3 and not r.lost))
    one, eight = results.together.get(1), results.together.get(max(results.together, default=1))
    if one and eight and eight is not one:
        ratio = _ratio(eight.median, one.median)
        out.append((f"{max(results.together)} sessions: median ≤ 3 × one session's {_ms(one.median)}",
                    f"{_ms(eight.median)} = {ratio:.2f} ×", ratio <= 3))
    if results.together:
        lost = sum(r.lost for r in results.together.values())
        out.append(("no click lost with several sessions", f"{lost} lost", lost == 0))
    cold = {r.task: r for r in results.cold}
    if "cold_app" in cold and "cold_minimal" in cold:
        ratio = _ratio(cold["cold_app"].median, cold["cold_minimal"].median)
        out.append((f"cold start ≤ 1.3 × the minimal app's {_ms(cold['cold_minimal'].median)}",
                    f"{_ms(cold['cold_app'].median)} = {ratio:.2f} ×", ratio <= 1.3))
    for task, page in (("first_segments", "Segments"), ("first_channels", "Channels")):
        if task in cold:
            out.append((f"first visit to {page} ≤ 1 s", _ms(cold[task].median), cold[task].median <= 1000))
    if results.cli:
        ratio = statistics.median(results.cli["digistrat"]) / statistics.median(results.cli["pandas"])
        out.append(("CLI shares ≤ 0.7 × the pandas script", f"{ratio:.2f} ×", ratio <= 0.7))
    return out


def measured_everything(results: BrowserResults) -> bool:
    """Every task gave at least one figure and the CLI agrees with pandas (what CI checks)."""
    tasks = [*results.interactions, *results.cold, *results.together.values()]
    return all(r.ms for r in tasks) and results.cli_same is None

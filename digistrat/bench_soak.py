"""Memory and soak tasks of the benchmark (issue 14): the real `streamlit run app.py` in a
subprocess, browser sessions in headless Chromium (Playwright), the server's resident memory
read from /proc every few seconds.

    python -m digistrat.bench --memory [--sessions 4] [--file-mb 50] [--observe 240]
    python -m digistrat.bench --soak [--sessions 4] [--minutes 5] [--file-mb 10]

`memory`: start the server, warm it up with one session (every page, a small upload), close it,
record the idle RSS; then N sessions each upload their own survey CSV of about FILE-MB, open it
on the segments page, filter it and download the filtered rows; close them all and record the
RSS every 5 s for OBSERVE seconds. The goal: back within 20 % of the idle RSS within 3 minutes.

`soak`: N sessions loop for M minutes against one server — a new browser session uploads one of
a few survey files, opens the segments page, filters, downloads the CSV (its row count checked
against the page), closes — then the server is watched until the sessions are released. Errors
(a step that fails or times out, an error shown on the page), each step's latencies and the RSS
over time are reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from digistrat import sample
from digistrat.bench_browser import APP, CHROMIUM, CHROMIUM_ARGS, EXPANDER_SETTLED_JS, percentile
from digistrat.bench_browser import Server as Streamlit

REPO = Path(__file__).resolve().parents[1]
ROWS_PER_MB = 11_960  # rows of sample.generate_panel per MB of CSV (600,000 rows: 50.2 MB)
SAMPLE_SECONDS = 5.0
RECOVERY_SHARE = 0.20  # "within 20 % of the idle RSS"
RECOVERY_LIMIT_S = 180.0  # "within 3 minutes"
STEP_TIMEOUT_MS = 300_000  # a 50 MB upload on a loaded 2-core machine takes a while
FILTER_VALUES = sample.SECTORS[:4]  # each session keeps one sector of the generated panels
COUNT = re.compile(r"n = ([\d,]+) of ([\d,]+) respondents")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "digistrat-bench"


# ---------------------------------------------------------------------------------------
# Data, server, resident memory
# ---------------------------------------------------------------------------------------


def survey_files(count: int, megabytes: float, cache: Path = DEFAULT_CACHE) -> list[Path]:
    """`count` distinct survey CSVs of about `megabytes` each (seeded panels), written once."""
    cache.mkdir(parents=True, exist_ok=True)
    rows = max(200, round(megabytes * ROWS_PER_MB))
    paths = []
    for index in range(count):
        path = cache / f"soak-survey-{rows}-{sample.SEED + index}.csv"
        if not path.is_file():
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(sample.to_csv_bytes(sample.generate_panel(rows, sample.SEED + index)))
            partial.replace(path)
        paths.append(path)
    return paths


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (VmRSS from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


class Server(Streamlit):
    """`streamlit run app.py` with its own workspace, removed on exit; its memory and log."""

    def __init__(self, env: dict[str, str] | None = None, options: tuple[str, ...] = ()) -> None:
        self.workspace = Path(tempfile.mkdtemp(prefix="digistrat-soak-"))
        super().__init__(APP, {"DIGISTRAT_WORKSPACE": str(self.workspace / "ws"), **(env or {})}, options)

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self.workspace, ignore_errors=True)

    def rss_mb(self) -> float:
        assert self.process is not None
        return tree_rss_mb(self.process.pid)

    def log_lines(self, marker: str) -> list[str]:
        return [line for line in self.text().splitlines() if marker in line]


class Sampler:
    """The server's RSS every `every` seconds in a thread: (seconds since start, MB) pairs."""

    def __init__(self, server: Server, every: float = SAMPLE_SECONDS) -> None:
        self.server, self.every = server, every
        self.start = time.monotonic()
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self.start, self.server.rss_mb()))
            self._stop.wait(self.every)

    def now(self) -> float:
        return time.monotonic() - self.start

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> list[float]:
        return [mb for t, mb in self.samples if start <= t <= end]


# ---------------------------------------------------------------------------------------
# One browser session: upload, segments page, filter, export
# ---------------------------------------------------------------------------------------


@dataclass
class Steps:
    """Latencies (s) by step name, and the errors met (step: message)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    iterations: int = 0

    def add(self, step: str, seconds: float) -> None:
        self.latencies.setdefault(step, []).append(seconds)


# Idle, and still: after a run Streamlit fades elements in and animates expanders' heights, which
# moves what lies below them; a click then can land where a link was, not where it is. Endless
# animations (a loading skeleton's pulse, a spinner) move nothing and are not waited for.
SETTLED = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
    && document.getAnimations().every(a => a.playState !== "running" || a.effect.getTiming().iterations === Infinity)"""


async def _idle(page) -> None:  # noqa: ANN001 - playwright Page
    """Streamlit's own e2e convention: the app is idle when its script state is `notRunning`
    (the status widget is no sign: it shows only after a delay, and not at all in a short run);
    and nothing on the page is still moving. Callers first wait for the state their input asks
    for, so the run it started has begun."""
    await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)


async def _page_error(page) -> str | None:  # noqa: ANN001
    shown = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    if await shown.count():
        return (await shown.first.inner_text())[:200]
    return None


async def _count(page) -> tuple[int, int]:  # noqa: ANN001
    text = await page.get_by_text(COUNT).first.inner_text()
    found = COUNT.search(text)
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


async def explore(browser, url: str, file: Path, steps: Steps, sector: str, keep_open: bool = False):  # noqa: ANN001, ANN201
    """One session: upload `file`, open it on the segments page, keep one sector, download the
    CSV and check its rows against the page's count. Returns the open context if `keep_open`."""
    from playwright.async_api import expect

    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    step = "open"
    try:
        page = await context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        started = time.monotonic()
        await page.goto(f"{url}/upload?lang=en")
        await _idle(page)
        steps.add(step, time.monotonic() - started)

        step, started = "upload", time.monotonic()
        await page.locator("input[type='file']").set_input_files(str(file))
        await expect(page.get_by_text("Rows read:", exact=False)).to_be_visible(timeout=STEP_TIMEOUT_MS)
        await _idle(page)
        steps.add(step, time.monotonic() - started)

        step, started = "segments", time.monotonic()
        await page.get_by_role("link", name="Open on the segments page").click()
        await expect(page.get_by_text(COUNT).first).to_be_visible(timeout=STEP_TIMEOUT_MS)
        await _idle(page)
        steps.add(step, time.monotonic() - started)
        _, total = await _count(page)

        step, started = "filter", time.monotonic()
        # the filter's own combobox: "Sector" also names the breakdown chart of that question
        await page.get_by_role("combobox", name="Sector").click()
        await page.get_by_role("option", name=sector, exact=True).click()
        await page.keyboard.press("Escape")
        await expect(page.get_by_text(COUNT).first).not_to_have_text(
            f"n = {total:,} of {total:,} respondents", timeout=STEP_TIMEOUT_MS)
        await _idle(page)
        steps.add(step, time.monotonic() - started)
        shown, _ = await _count(page)

        step, started = "export", time.monotonic()
        await page.get_by_text("Download the data and a report").click()
        await page.wait_for_function(EXPANDER_SETTLED_JS, arg="Download the data and a report", timeout=STEP_TIMEOUT_MS)
        async with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
            await page.get_by_role("button", name="CSV (UTF-8)").click()
        download = await info.value
        lines = Path(await download.path()).read_bytes().count(b"\n")
        steps.add(step, time.monotonic() - started)
        if lines != shown + 1:
            steps.errors.append(f"export: {lines - 1} rows downloaded, the page says {shown}")
        problem = await _page_error(page)
        if problem:
            steps.errors.append(f"page: {problem}")
        steps.iterations += 1
    except Exception as error:  # a failed or timed-out step is an error of the soak, not a crash of it
        steps.errors.append(f"{step}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
    if keep_open:
        return context
    await context.close()
    return None


async def warm_up(browser, url: str, file: Path) -> None:  # noqa: ANN001
    """Every page once on the bundled data and a small upload, so every module is imported."""
    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    for path in ("", "/segments", "/channels"):
        await page.goto(f"{url}{path}?lang=en")
        await _idle(page)
    await context.close()
    steps = Steps()
    await explore(browser, url, file, steps, FILTER_VALUES[0])
    if steps.errors:
        raise RuntimeError(f"the warm-up session failed: {steps.errors}")


@contextlib.asynccontextmanager
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------


def recovery_seconds(samples: list[tuple[float, float]], closed_at: float, limit_mb: float) -> float | None:
    """Seconds after `closed_at` from which every later sample stays at or under `limit_mb`;
    None if the last sample is still above it."""
    after = [(t, mb) for t, mb in samples if t >= closed_at]
    if not after or after[-1][1] > limit_mb:
        return None
    index = len(after)
    while index > 0 and after[index - 1][1] <= limit_mb:
        index -= 1
    return after[index][0] - closed_at


def at(samples: list[tuple[float, float]], moment: float) -> float:
    """The RSS sample nearest to `moment`."""
    return min(samples, key=lambda s: abs(s[0] - moment))[1]


@dataclass
class MemoryResult:
    sessions: int
    file_mb: float
    started_mb: float
    idle_mb: float
    peak_mb: float
    closed_mb: float
    after_mb: dict[int, float]  # seconds after the sessions closed -> RSS
    recovered_s: float | None
    steps: Steps
    released: list[str]

    @property
    def met(self) -> bool:
        return self.recovered_s is not None and self.recovered_s <= RECOVERY_LIMIT_S


def run_memory(sessions: int = 4, file_mb: float = 50, observe: float = 240, cache: Path = DEFAULT_CACHE,
               env: dict[str, str] | None = None, progress=print) -> MemoryResult:  # noqa: ANN001
    files = survey_files(sessions, file_mb, cache)
    small = survey_files(1, 0.2, cache)[0]
    with Server(env) as server, Sampler(server) as sampler:
        started_mb = server.rss_mb()

        async def drive() -> tuple[Steps, float, float]:
            async with chromium() as browser:
                progress("warming up")
                await warm_up(browser, server.url, small)
                await asyncio.sleep(15)
                idle_at = sampler.now()
                progress(f"{sessions} sessions uploading {file_mb:g} MB each")
                steps = Steps()
                contexts = await asyncio.gather(*(
                    explore(browser, server.url, f, steps, FILTER_VALUES[i % len(FILTER_VALUES)], keep_open=True)
                    for i, f in enumerate(files)))
                for context in contexts:
                    await context.close()
                return steps, idle_at, sampler.now()

        steps, idle_at, closed_at = asyncio.run(drive())
        progress(f"sessions closed; watching the server for {observe:g} s")
        time.sleep(observe)
        samples = list(sampler.samples)
        released = server.log_lines("digistrat.memory")
    idle = statistics.median(mb for t, mb in samples if idle_at - 10 <= t <= idle_at)
    after = {s: at(samples, closed_at + s) for s in (0, 30, 60, 120, 150, 180, 240) if s <= observe}
    return MemoryResult(
        sessions=sessions, file_mb=os.path.getsize(files[0]) / 1e6, started_mb=started_mb, idle_mb=idle,
        peak_mb=max(mb for _, mb in samples), closed_mb=at(samples, closed_at), after_mb=after,
        recovered_s=recovery_seconds(samples, closed_at, idle * (1 + RECOVERY_SHARE)), steps=steps,
        released=released)


@dataclass
class SoakResult:
    sessions: int
    minutes: float
    file_mb: float
    steps: Steps
    samples: list[tuple[float, float]]
    soak_start: float
    soak_end: float
    idle_mb: float
    recovered_s: float | None


def run_soak(sessions: int = 4, minutes: float = 5, file_mb: float = 10, files: int = 6, observe: float = 200,
             cache: Path = DEFAULT_CACHE, env: dict[str, str] | None = None, progress=print) -> SoakResult:  # noqa: ANN001
    paths = survey_files(files, file_mb, cache)
    small = survey_files(1, 0.2, cache)[0]
    with Server(env) as server, Sampler(server) as sampler:

        async def drive() -> tuple[Steps, float, float, float]:
            async with chromium() as browser:
                progress("warming up")
                await warm_up(browser, server.url, small)
                await asyncio.sleep(15)
                idle_at = sampler.now()
                steps = Steps()
                deadline = time.monotonic() + minutes * 60
                progress(f"{sessions} sessions for {minutes:g} min")

                async def worker(number: int) -> None:
                    turn = 0
                    while time.monotonic() < deadline:
                        index = (number + turn * sessions) % len(paths)
                        await explore(browser, server.url, paths[index], steps,
                                      FILTER_VALUES[(number + turn) % len(FILTER_VALUES)])
                        turn += 1

                await asyncio.gather(*(worker(n) for n in range(sessions)))
                return steps, idle_at, idle_at, sampler.now()

        steps, idle_at, start, end = asyncio.run(drive())
        progress(f"soak over; watching the server for {observe:g} s")
        time.sleep(observe)
        samples = list(sampler.samples)
    idle = statistics.median(mb for t, mb in samples if idle_at - 10 <= t <= idle_at)
    return SoakResult(sessions, minutes, os.path.getsize(paths[0]) / 1e6, steps, samples, start, end, idle,
                      recovery_seconds(samples, end, idle * (1 + RECOVERY_SHARE)))


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "not within the watch" if value is None else f"{value:.0f} s"


def memory_report(result: MemoryResult) -> str:
    limit = result.idle_mb * (1 + RECOVERY_SHARE)
    lines = [
        f"{result.sessions} sessions, one {result.file_mb:.1f} MB survey CSV each "
        f"(upload, segments page, one filter, CSV export), then closed.",
        "",
        "| moment | server RSS (MB) |",
        "|---|---:|",
        f"| just started | {result.started_mb:.0f} |",
        f"| idle after the warm-up session (baseline) | {result.idle_mb:.0f} |",
        f"| peak | {result.peak_mb:.0f} |",
    ]
    lines += [f"| {s} s after the sessions closed | {mb:.0f} |" for s, mb in result.after_mb.items()]
    lines += [
        "",
        f"Back within 20 % of the baseline (≤ {limit:.0f} MB) and staying there: {_seconds(result.recovered_s)} "
        f"after the sessions closed — target ≤ {RECOVERY_LIMIT_S:.0f} s: **{'met' if result.met else 'not met'}**.",
    ]
    lines += _step_lines(result.steps)
    return "\n".join(lines)


def _step_lines(steps: Steps) -> list[str]:
    lines = ["", "| step | count | p50 | p95 | max |", "|---|---:|---:|---:|---:|"]
    for name, values in steps.latencies.items():
        lines.append(f"| {name} | {len(values)} | {percentile(values, 0.5):.2f} s | {percentile(values, 0.95):.2f} s "
                     f"| {max(values):.2f} s |")
    lines.append("")
    lines.append(f"Completed sessions: {steps.iterations}; errors: {len(steps.errors)}")
    lines += [f"- {error}" for error in steps.errors[:20]]
    return lines


def soak_report(result: SoakResult) -> str:
    lines = [
        f"{result.sessions} browser sessions at once for {result.minutes:g} min, each looping: a new session "
        f"uploads one of the {result.file_mb:.1f} MB survey CSVs, opens the segments page, filters, downloads "
        f"the CSV, closes.",
    ]
    lines += _step_lines(result.steps)
    lines += ["", "| minute | max RSS (MB) |", "|---:|---:|"]
    minute = 0
    last = max(t for t, _ in result.samples)
    while minute * 60 <= last:
        values = [mb for t, mb in result.samples if minute * 60 <= t - result.soak_start < (minute + 1) * 60]
        if values:
            lines.append(f"| {minute} | {max(values):.0f} |")
        minute += 1
    limit = result.idle_mb * (1 + RECOVERY_SHARE)
    last_t, last_mb = max(result.samples)
    lines += ["", f"Idle baseline {result.idle_mb:.0f} MB; after the soak, back within 20 % (≤ {limit:.0f} MB) "
                  f"{_seconds(result.recovered_s)} after its end; {last_mb:.0f} MB at the end of the watch "
                  f"({last_t - result.soak_end:.0f} s after the soak)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m digistrat.bench_soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=("memory", "soak"))
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--file-mb", type=float, default=None, help="size of each uploaded CSV (memory 50, soak 10)")
    parser.add_argument("--minutes", type=float, default=5, help="soak: how long the sessions loop")
    parser.add_argument("--observe", type=float, default=None,
                        help="seconds the server is watched after the sessions close (memory 240, soak 200)")
    parser.add_argument("--cache-mb", type=int, default=None, help="DIGISTRAT_CACHE_MB for the server")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server only, not the browser (e.g. MALLOC_ARENA_MAX=2); "
                             "repeatable")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="folder for the generated CSVs")
    args = parser.parse_args(argv)
    if not all(item.partition("=")[0] and "=" in item for item in args.server_env):
        parser.error("--server-env takes NAME=VALUE")
    env = dict(item.split("=", 1) for item in args.server_env)
    if args.cache_mb:
        env["DIGISTRAT_CACHE_MB"] = str(args.cache_mb)

    def progress(text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)

    if args.task == "memory":
        result = run_memory(args.sessions, args.file_mb or 50, args.observe or 240, args.cache, env, progress)
        print(memory_report(result))
        return 0 if result.met and not result.steps.errors else 1
    soak = run_soak(args.sessions, args.minutes, args.file_mb or 10, observe=args.observe or 200, cache=args.cache,
                    env=env, progress=progress)
    print(soak_report(soak))
    return 0 if not soak.steps.errors else 1


if __name__ == "__main__":
    sys.exit(main())

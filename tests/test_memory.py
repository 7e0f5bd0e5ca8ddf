"""digistrat.memory: one account of the cached datasets and what sessions hold, bounded by a
budget, least recently used dropped first, released when the sessions using them end."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from digistrat import datasets, memory, sample, traffic
from digistrat.memory import MEGABYTE, Ledger, budget_from_env, size_of
from digistrat.ui.memory import Sweeper

ROWS = 12_500  # one float column: 100,000 bytes


def frame(fill: float = 0.0) -> pl.DataFrame:
    return pl.DataFrame({"x": np.full(ROWS, fill)})


SIZE = frame().estimated_size()


def test_a_frame_is_measured_by_its_buffers_and_an_object_met_twice_counts_once():
    assert SIZE == ROWS * 8
    shared = frame()
    seen: set[int] = set()
    assert size_of({"a": shared, "b": [shared, b"12345"]}, seen) == SIZE + 5 + 2  # the keys' two characters
    assert size_of(shared, seen) == 0


def test_a_dataset_counts_its_frame_and_what_pages_add_to_it_later():
    dataset = datasets.load_bytes(sample.to_csv_bytes(sample.generate_sessions(3_000, 7)), "sessions.csv")
    before = size_of(dataset)
    assert before >= dataset.frame.estimated_size()
    cube = traffic.origin_cube(dataset)  # kept with the dataset (Dataset.derived)
    assert size_of(dataset) >= before + cube.estimated_size()


def test_over_the_budget_the_least_recently_used_structure_is_dropped():
    ledger = Ledger(budget=int(2.5 * SIZE))
    ledger.cached("a", frame, owner="A", session=None)
    ledger.cached("b", frame, owner="B", session=None)
    ledger.cached("a", pytest.fail, owner="A", session=None)  # used again: now the most recent
    ledger.cached("c", frame, owner="C", session=None)
    assert "b" not in ledger and "a" in ledger and "c" in ledger
    assert ledger.usage().total == 2 * SIZE <= ledger.budget


def test_a_dropped_structure_is_built_again_when_asked_for():
    ledger = Ledger(budget=int(1.5 * SIZE))
    builds = []
    ledger.cached("a", lambda: builds.append("a") or frame(), owner="A", session=None)
    ledger.cached("b", frame, owner="B", session=None)
    value = ledger.cached("a", lambda: builds.append("a") or frame(1.0), owner="A", session=None)
    assert builds == ["a", "a"] and value["x"][0] == 1.0


def test_a_dataset_a_live_session_uses_is_not_dropped_before_older_ones():
    ledger = Ledger(budget=int(3.5 * SIZE))
    ledger.begin("s1")
    ledger.cached("live-old", frame, owner="X", session="s1")
    ledger.cached("unused", frame, owner="Y", session=None)
    ledger.cached("live-new", frame, owner="Z", session="s1")
    ledger.cached("more", frame, owner="W", session="s1")
    # over the budget: what no live session uses goes first, even though it is newer
    assert "unused" not in ledger and "live-old" in ledger
    ledger.cached("again", frame, owner="V", session="s1")
    # only live ones left: the least recently used of them goes
    assert "live-old" not in ledger
    assert all(key in ledger for key in ("live-new", "more", "again"))


def test_a_session_that_ended_releases_what_only_it_used():
    ledger = Ledger(budget=100 * SIZE)
    for session in ("s1", "s2"):
        ledger.begin(session)
    ledger.cached("mine", frame, owner="A", session="s1")
    ledger.cached("ours", frame, owner="B", session="s1")
    ledger.cached("ours", pytest.fail, owner="B", session="s2")
    ledger.cached("sample", frame, owner="bundled", session="s1", keep=True)
    released = ledger.end("s1")
    assert released.keys == ("mine",) and released.owners == ("A",) and released.bytes == SIZE
    assert "ours" in ledger and "sample" in ledger
    released = ledger.end("s2")
    assert released.keys == ("ours",)
    assert "sample" in ledger  # the bundled samples outlive the sessions; only the budget drops them
    assert ledger.live_sessions() == []


def test_what_a_session_holds_counts_against_the_budget_and_is_never_dropped():
    ledger = Ledger(budget=int(2.5 * SIZE))
    ledger.begin("s1")
    ledger.cached("a", frame, owner="A", session="s1")
    ledger.cached("b", frame, owner="B", session="s1")
    upload = bytes(SIZE)
    ledger.hold("s1", {("upload", "U"): ("U", upload)})
    assert "a" not in ledger and "b" in ledger  # room made for the upload's bytes
    assert ledger.usage().by_owner == {"U": SIZE, "B": SIZE}
    ledger.hold("s1", {("upload", "U"): ("U", bytes(3 * SIZE))})  # over the budget on its own
    assert "b" not in ledger and ledger.usage().total == 3 * SIZE
    ledger.end("s1")
    assert ledger.usage().total == 0


def test_a_structure_a_session_also_holds_is_counted_once():
    ledger = Ledger(budget=int(1.5 * SIZE))
    shared = frame()
    ledger.begin("s1")
    ledger.hold("s1", {("connected", "C"): ("C", shared)})  # a connected dataset and the engine's cube
    ledger.cached("cube", lambda: shared, owner="C", session="s1")
    assert ledger.usage().total == SIZE and "cube" in ledger


def test_two_sessions_asking_for_the_same_missing_structure_wait_for_one_build():
    ledger = Ledger(budget=100 * SIZE)
    builds = []

    def slow() -> pl.DataFrame:
        builds.append(1)
        time.sleep(0.3)
        return frame()

    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(ledger.cached("k", slow, owner="A", session=s)))
               for s in ("s1", "s2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1] and results[0] is results[1]


def test_a_failed_build_is_not_kept_and_the_next_call_builds_again():
    ledger = Ledger(budget=100 * SIZE)

    def broken() -> pl.DataFrame:
        raise ValueError("no")

    with pytest.raises(ValueError):
        ledger.cached("k", broken, owner="A", session=None)
    assert "k" not in ledger
    assert ledger.cached("k", frame, owner="A", session=None).height == ROWS


def test_the_budget_setting_its_default_and_a_wrong_value():
    assert budget_from_env({}) == (memory.DEFAULT_CACHE_MB * MEGABYTE, None)
    assert budget_from_env({"DIGISTRAT_CACHE_MB": "512"}) == (512 * MEGABYTE, None)
    for wrong in ("lots", "0", "-5", "nan", "inf"):
        budget, problem = budget_from_env({"DIGISTRAT_CACHE_MB": wrong})
        assert budget == memory.DEFAULT_CACHE_MB * MEGABYTE
        assert problem == (f"DIGISTRAT_CACHE_MB is “{wrong}”, not a positive number of megabytes, so the default "
                           "4096 is used: set it to e.g. 4096.")


class FakeRuntime:
    """What the sweep asks of Streamlit's runtime: which sessions are connected, close one, drop
    orphaned downloads."""

    def __init__(self) -> None:
        self.active: set[str] = set()
        self.closed: list[str] = []
        self.orphan_passes = 0
        self.media_file_mgr = self

    def is_active_session(self, session: str) -> bool:
        return session in self.active

    def clear_user_info_for_session(self, session: str) -> None:
        self.closed.append(session)

    def remove_orphaned_files(self) -> None:
        self.orphan_passes += 1


def test_the_sweep_ends_a_session_disconnected_for_the_ttl_but_two_sweeps():
    ledger, fake, now, emptied = Ledger(budget=100 * SIZE), FakeRuntime(), [0.0], []
    sweeper = Sweeper(ledger, fake, ttl=120, clock=lambda: now[0], on_end=emptied.append)
    assert (sweeper.every, sweeper.grace) == (5.0, 110.0)
    for session in ("gone", "here", "back"):
        ledger.begin(session)
        ledger.cached(session, frame, owner=session.upper(), session=session)
    fake.active = {"here"}
    assert sweeper.sweep() == []  # "gone" and "back" are seen disconnected from now on
    assert fake.orphan_passes == 0  # no session ended: live pages keep their downloads
    now[0] = 60.0
    fake.active = {"here", "back"}  # "back" reconnected: its clock starts again if it leaves
    assert sweeper.sweep() == []
    fake.active = {"here"}
    now[0] = 110.0
    assert sweeper.sweep() == ["gone"]
    assert fake.closed == ["gone"]  # Streamlit shuts it down: its uploaded files go
    assert emptied == ["gone"]  # what its state holds of ours goes, even if Streamlit keeps the state
    assert fake.orphan_passes == 1  # its downloads are marked now, deleted at the next sweep
    assert "gone" not in ledger and "here" in ledger and "back" in ledger
    now[0] = 219.0
    assert sweeper.sweep() == []
    now[0] = 220.0
    assert sweeper.sweep() == ["back"] and ledger.live_sessions() == ["here"] and emptied == ["gone", "back"]


def test_a_short_ttl_makes_sweeps_shorter_so_the_session_is_closed_before_streamlit_forgets_it():
    sweeper = Sweeper(Ledger(budget=SIZE), FakeRuntime(), ttl=4)
    assert sweeper.every == 1.0 and sweeper.grace == 2.0


FREED_MEMORY_SCRIPT = """
import gc, json, sys
import numpy as np, pyarrow as pa, pyarrow.compute as pc
from digistrat.memory import return_freed_memory

def rss_mb():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

gc.collect()
before = rss_mb()
# Arrow tables as Streamlit makes them for a chart or a table, several times over
for _ in range(4):
    table = pa.table({"x": np.random.default_rng(1).random(4_000_000)})
    table = table.filter(pc.greater(table["x"], 0.3))
del table
gc.collect()
kept = rss_mb()
return_freed_memory()
print(json.dumps({"before": before, "kept": kept, "after": rss_mb()}))
"""


def test_memory_freed_by_arrow_tables_goes_back_to_the_system():
    # a fresh interpreter: what this test process allocated before would blur the figures
    result = subprocess.run([sys.executable, "-c", FREED_MEMORY_SCRIPT], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[1])
    rss = json.loads(result.stdout)
    assert rss["kept"] - rss["before"] > 40  # the pool kept what the tables used (else nothing is shown)
    assert rss["after"] - rss["before"] < (rss["kept"] - rss["before"]) / 3

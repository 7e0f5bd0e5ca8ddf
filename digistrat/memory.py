"""One account of the memory the app keeps for its datasets, under one budget.

Everything the server keeps per dataset goes through a `Ledger`: the datasets read from
uploads and the bundled samples, what the pages build from them once (the segments page's
prepared cube, the channels page's classified counts, a connected source's engine cube) and,
counted but not owned, what a session's state holds (an upload's bytes, a connected dataset).
Each structure is measured (polars' `estimated_size`, the length of bytes; an object reachable
from two structures counts once), and when the total passes the budget the least recently used
cached structures are dropped — first those no live session uses, then the others, never what
a session's state holds (dropping the ledger's reference would free nothing). A structure a
session built is released when its last session ends; a dropped one is rebuilt when asked for.

No Streamlit here: `digistrat.ui.memory` tells the ledger which session runs and which ended.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import os
import sys
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

T = TypeVar("T")

CACHE_MB_ENV = "DIGISTRAT_CACHE_MB"
# A sixth of a 24 GB machine: the rest is for reading uploads (an ingest peaks at about twice
# the file), DuckDB (DIGISTRAT_DUCKDB_MEMORY, 2 GB), the sessions' own bytes and the system.
DEFAULT_CACHE_MB = 4096
MEGABYTE = 1024 * 1024
_MAX_DEPTH = 8  # how deep `size_of` follows containers: datasets nest two or three levels


def budget_from_env(environ: Mapping[str, str] = os.environ) -> tuple[int, str | None]:
    """The cache budget in bytes from DIGISTRAT_CACHE_MB, and what is wrong with the setting
    (None when it is fine): a value that is not a positive number gives the default."""
    raw = (environ.get(CACHE_MB_ENV) or "").strip()
    if not raw:
        return DEFAULT_CACHE_MB * MEGABYTE, None
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        return DEFAULT_CACHE_MB * MEGABYTE, (
            f"{CACHE_MB_ENV} is “{raw}”, not a positive number of megabytes, so the default "
            f"{DEFAULT_CACHE_MB} is used: set it to e.g. {DEFAULT_CACHE_MB}.")
    return int(megabytes * MEGABYTE), None


def size_of(value: Any, seen: set[int] | None = None, depth: int = 0) -> int:
    """Bytes a value holds: polars frames and series by their estimated size, arrays, bytes and
    strings by their length; dataclasses, mappings and sequences by their contents. An object
    already in `seen` counts nothing (it is counted where it was met first)."""
    seen = set() if seen is None else seen
    if value is None or isinstance(value, (bool, int, float)) or id(value) in seen or depth > _MAX_DEPTH:
        return 0
    seen.add(id(value))
    if isinstance(value, (pl.DataFrame, pl.Series)):
        return value.estimated_size()
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    if isinstance(value, (pl.LazyFrame, pl.Expr)):
        return 0  # a plan, not data
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):  # numpy arrays
        return nbytes
    if isinstance(value, Mapping):
        return sum(size_of(k, seen, depth + 1) + size_of(v, seen, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(size_of(item, seen, depth + 1) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(getattr(value, f.name), seen, depth + 1) for f in dataclasses.fields(value))
    return 0


@dataclass
class _Entry:
    owner: str  # the dataset it belongs to (its id)
    value: Any
    keep: bool  # kept when no session uses it any more (the bundled samples): only the budget drops it
    last_used: int
    users: set[str] = field(default_factory=set)  # live sessions that asked for it


@dataclass(frozen=True)
class Released:
    """What ending a session or enforcing the budget let go."""

    keys: tuple[Hashable, ...]
    owners: tuple[str, ...]
    bytes: int  # the ledger's total before minus after


@dataclass(frozen=True)
class Usage:
    total: int  # bytes of every cached and held structure, each object once
    budget: int
    cached: int  # entries
    sessions: int  # live sessions
    by_owner: dict[str, int]  # dataset id -> bytes


class Ledger:
    """Cached structures and session holdings, measured together, bounded by `budget` bytes.

    Thread-safe: Streamlit runs each session's script in its own thread. Two sessions asking for
    the same missing key wait for one build.
    """

    def __init__(self, budget: int, on_drop: Callable[[Released], None] | None = None) -> None:
        self.budget = budget
        self.on_drop = on_drop  # told what the budget made it drop (for the server's log)
        self._lock = threading.RLock()
        self._entries: dict[Hashable, _Entry] = {}
        self._building: dict[Hashable, threading.Lock] = {}
        self._held: dict[str, dict[Hashable, tuple[str, Any]]] = {}  # session -> key -> (owner, value)
        self._live: set[str] = set()
        self._tick = 0

    # ------------------------------------------------------------------ sessions

    def begin(self, session: str) -> None:
        """`session` is running: what it asks for is released when it ends."""
        with self._lock:
            self._live.add(session)

    def live_sessions(self) -> list[str]:
        with self._lock:
            return sorted(self._live)

    def hold(self, session: str, items: Mapping[Hashable, tuple[str, Any]]) -> Released:
        """What `session`'s state holds now (key -> (dataset id, value)), replacing what it held:
        counted against the budget, never dropped while the session lives."""
        with self._lock:
            self._live.add(session)
            self._held[session] = dict(items)
            return self._enforce(protect=None)

    def end(self, session: str) -> Released:
        """`session` ended: forget what it held, release what only it used."""
        with self._lock:
            before = self._total()
            self._live.discard(session)
            self._held.pop(session, None)
            gone = []
            for key, entry in list(self._entries.items()):
                if session in entry.users:
                    entry.users.discard(session)
                    if not entry.users and not entry.keep:
                        gone.append((key, entry.owner))
                        del self._entries[key]
            return Released(tuple(k for k, _ in gone), tuple(sorted({o for _, o in gone})), before - self._total())

    # ------------------------------------------------------------------ cached structures

    def cached(self, key: Hashable, build: Callable[[], T], *, owner: str, session: str | None,
               keep: bool = False) -> T:
        """The value under `key`, built by `build()` when missing (an exception is not kept).
        `owner`: the dataset it belongs to; `session`: who asks (None: no session, e.g. a
        background thread); `keep`: kept when no session uses it any more."""
        with self._lock:
            found = self._use(key, session)
            if found is not None:
                return found.value
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._use(key, session)
                if found is not None:
                    return found.value
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._tick += 1
                self._entries[key] = _Entry(owner, value, keep, self._tick)
                self._use(key, session)
                self._enforce(protect=key)
            return value

    def _use(self, key: Hashable, session: str | None) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._tick += 1
            entry.last_used = self._tick
            if session is not None:
                # A session seen again after it ended is live again: the sweep ends it anew.
                self._live.add(session)
                entry.users.add(session)
        return entry

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def enforce(self) -> Released:
        """Drop least recently used structures until the total is within the budget (the
        sizes of cached datasets grow as pages add to them)."""
        with self._lock:
            return self._enforce(protect=None)

    def _enforce(self, protect: Hashable | None) -> Released:
        before = total = self._total()
        gone = []
        while total > self.budget:
            candidates = [(bool(e.users), e.last_used, k) for k, e in self._entries.items() if k != protect]
            if not candidates:
                break  # what is left is held by sessions, or is the structure being handed out
            *_, key = min(candidates, key=lambda c: (c[0], c[1]))
            gone.append((key, self._entries.pop(key).owner))
            total = self._total()
        released = Released(tuple(k for k, _ in gone), tuple(sorted({o for _, o in gone})), before - total)
        if gone and self.on_drop is not None:
            self.on_drop(released)
        return released

    # ------------------------------------------------------------------ measure

    def _total(self) -> int:
        return sum(self._sizes().values())

    def _sizes(self) -> dict[str, int]:
        """Bytes per dataset: what sessions hold first (it stays whatever the ledger drops), then
        the cached structures, most recently used first; an object reachable twice counts once."""
        seen: set[int] = set()
        sizes: dict[str, int] = {}
        for items in self._held.values():
            for owner, value in items.values():
                sizes[owner] = sizes.get(owner, 0) + size_of(value, seen)
        for entry in sorted(self._entries.values(), key=lambda e: -e.last_used):
            sizes[entry.owner] = sizes.get(entry.owner, 0) + size_of(entry.value, seen)
        return sizes

    def usage(self) -> Usage:
        with self._lock:
            sizes = self._sizes()
            return Usage(sum(sizes.values()), self.budget, len(self._entries), len(self._live), sizes)


def return_freed_memory() -> None:
    """Collect Python's cycles, then ask the allocators that keep freed pages to give them back
    to the system: Arrow's pool (mimalloc, which Streamlit's frames go through; measured: about
    100 MB kept after a 3 M-row table) and glibc (`malloc_trim`: freed small blocks otherwise
    stay in the process's arenas). polars' own allocator (jemalloc, with background threads)
    returns its pages by itself within seconds."""
    gc.collect()
    arrow = sys.modules.get("pyarrow")  # only if something already imported it
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


_LIBC: list[Any] = []


def _libc() -> Any:
    if not _LIBC:
        try:
            library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _LIBC.append(library if hasattr(library, "malloc_trim") else None)  # musl has no malloc_trim
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]

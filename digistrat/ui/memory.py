"""The server's side of `digistrat.memory`: one ledger for the process, the session running
the script, and a sweep that ends the sessions Streamlit has let go of.

Every per-dataset cache of the pages goes through `cached` (instead of `st.cache_resource`),
so the datasets, the pages' prepared structures and what the sessions hold are measured
together under DIGISTRAT_CACHE_MB and released when their sessions end.

When does a session end? Streamlit keeps a disconnected session (its state, its uploaded files)
for `server.disconnectedSessionTTL` seconds so that a reconnecting tab finds it, then forgets
it without shutting it down (streamlit#12506, still so in 1.67): its session state and uploaded
files stay in memory, and the runtime offers no hook for that moment (a `scope="session"`
cache is released at every disconnect, also the brief ones a reconnect follows). So a thread
checks every few seconds, with the runtime's thread-safe `is_active_session`, each session that
ran the app; one disconnected for the whole TTL, but for two sweeps, is closed through
`Runtime.clear_user_info_for_session` — the runtime's thread-safe way to close a stored session
on its event loop (`AppSession.shutdown`: uploaded files and download callables go; its state
goes with the session object) — and the ledger releases what only it used. The reconnect window
is thus at most two sweeps shorter than the TTL. Freed memory is then handed back to the system
(`return_freed_memory`).

A closed session can still stay in memory: Streamlit's runtime loop keeps the last session it
sent messages to in a local variable until it has another to serve (`Runtime._loop_coroutine`,
Streamlit 1.67; measured: the last 50 MB upload held after every session had closed). So what
its state holds of ours is emptied when it ends: the uploads' bytes and the connected datasets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st
from streamlit import runtime
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner import get_script_run_ctx

from digistrat.memory import MEGABYTE, Ledger, Released, budget_from_env, return_freed_memory

T = TypeVar("T")
LOG = get_logger(__name__)
SWEEP_SECONDS = 5.0  # at most; a TTL under 20 s makes sweeps a quarter of it

_lock = threading.Lock()
_ledger: list[Ledger] = []
_sweeper: list[Sweeper] = []
_stores: dict[str, tuple[dict, dict]] = {}  # session -> its state's uploads and connected datasets


def ledger() -> Ledger:
    """The process's ledger, made on first use with the budget of DIGISTRAT_CACHE_MB."""
    with _lock:
        if not _ledger:
            budget, problem = budget_from_env()
            if problem:
                LOG.warning(problem)
            _ledger.append(Ledger(budget, on_drop=_dropped))
        return _ledger[0]


def _dropped(released: Released) -> None:
    LOG.info("digistrat.memory: over the budget, dropped %d cached structures of %s (%.1f MB)",
             len(released.keys), ", ".join(released.owners), released.bytes / MEGABYTE)


def session_id() -> str | None:
    """The session whose script this thread runs; None outside a script run."""
    context = get_script_run_ctx(suppress_warning=True)
    return context.session_id if context is not None else None


def cached(key: Hashable, build: Callable[[], T], *, owner: str, keep: bool = False) -> T:
    """`build()` once per `key` for every session, measured and bounded with the rest; released
    when the sessions that asked for it have ended (`keep`: kept until the budget needs room)."""
    return ledger().cached(key, build, owner=owner, session=session_id(), keep=keep)


def begin_run() -> None:
    """At the start of each script run: the session is live, the sweep watches it, and what its
    state holds (the uploads' bytes, the connected sources' datasets) counts against the budget."""
    from digistrat.ui import data_source  # data_source caches through this module

    session = session_id()
    if session is None:
        return
    if runtime.exists():  # `streamlit run`; AppTest has no runtime and no sessions to end
        _start_sweeper()
    uploads, connected = data_source.uploads(), data_source.connected()
    with _lock:
        _stores[session] = uploads, connected
    held = {("upload", u.id): (u.id, u.data) for u in uploads.values()}
    held.update({("connected", key): (key, value) for key, value in connected.items()})
    ledger().hold(session, held)


def empty_session_state(session: str) -> None:
    """What `session`'s state holds of ours goes: its uploads' bytes, its connected datasets."""
    with _lock:
        uploads, connected = _stores.pop(session, ({}, {}))
    for upload in uploads.values():
        upload.release()
    uploads.clear()
    connected.clear()


def _start_sweeper() -> None:
    book = ledger()  # before taking the lock, which `ledger` takes too
    with _lock:
        if not _sweeper:
            ttl = float(st.get_option("server.disconnectedSessionTTL"))
            sweeper = Sweeper(book, runtime.get_instance(), ttl, on_end=empty_session_state)
            _sweeper.append(sweeper)
            threading.Thread(target=sweeper.run_forever, name="digistrat-memory-sweep", daemon=True).start()


class Sweeper:
    """Ends the sessions Streamlit has let go of (see the module's docstring)."""

    def __init__(self, ledger: Ledger, app_runtime, ttl: float, clock: Callable[[], float] = time.monotonic,  # noqa: ANN001
                 on_end: Callable[[str], None] = lambda session: None) -> None:
        self.ledger, self.runtime, self.clock, self.on_end = ledger, app_runtime, clock, on_end
        self.every = min(SWEEP_SECONDS, max(ttl, 0.4) / 4)
        self.grace = max(0.0, ttl - 2 * self.every)
        self._away: dict[str, float] = {}  # session -> when it was first seen disconnected
        self._after_end = 0  # sweeps left that clean up after ended sessions

    def run_forever(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                self.sweep()
            except Exception:  # a failed sweep must not stop the next ones
                LOG.exception("digistrat.memory: the sweep failed")

    def sweep(self) -> list[str]:
        """One pass; returns the sessions it ended."""
        now = self.clock()
        ended = []
        for session in self.ledger.live_sessions():
            if self.runtime.is_active_session(session):
                self._away.pop(session, None)
                continue
            if now - self._away.setdefault(session, now) < self.grace:
                continue
            self.runtime.clear_user_info_for_session(session)
            self.on_end(session)
            released = self.ledger.end(session)
            del self._away[session]
            ended.append(session)
            usage = self.ledger.usage()
            LOG.info("digistrat.memory: session %s ended; released %d cached structures of %s (%.1f MB); "
                     "%.1f of %d MB in use", session[:8], len(released.keys), ", ".join(released.owners) or "no dataset",
                     released.bytes / MEGABYTE, usage.total / MEGABYTE, usage.budget // MEGABYTE)
        if ended:
            # The sessions shut down on the event loop meanwhile; their downloads go in two
            # passes (marked, then deleted), and memory is handed back after each. Only then:
            # Streamlit drops a live session's orphans itself at the end of each run, and a pass
            # during another session's run would drop the downloads its page still shows.
            self._after_end = 3
        if self._after_end:
            self._after_end -= 1
            self.runtime.media_file_mgr.remove_orphaned_files()
            return_freed_memory()
        return ended

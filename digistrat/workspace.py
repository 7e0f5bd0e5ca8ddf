"""A durable workspace for uploaded datasets: saved once per content, reloaded after a restart.

Layout of `<root>/datasets/` (flat, every name derived from a validated id):

- `<id>.original`  the uploaded bytes, written once. Kept so changed roles or mappings are
                   re-applied exactly through `datasets.load_bytes`, as on the first upload.
- `<id>-<token>.parquet`  the normalised frame for the current settings: the fast reload path.
                   A new token per rewrite, so the old frame stays valid until the commit.
- `<id>.json`      the sidecar, and the commit point: names, dates, detection report, roles,
                   settings and which Parquet file is current. A dataset exists iff it exists.

- `.lock`          held (`flock`) by every change, by this server's threads and by other
                   servers sharing the folder: a save is never seen half-done by another.

Every file is written to a temporary file in the same folder, fsynced, then `os.replace`d, so
a crash at any moment leaves the previous sidecar and the frame it names intact. What a killed
save leaves (temporary files, data files no sidecar names) is removed when a workspace starts,
whatever its age: the lock is held then, so no save is running anywhere. Temporary files never
count against the quota. A write the disk refuses (full, read-only, not allowed) raises the
`WorkspaceError` that says so in one sentence.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import secrets
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import polars as pl

from digistrat import serial
from digistrat.datasets import Dataset, LoadSettings, content_id, load_bytes
from digistrat.errors import (
    DiskFullError,
    InputError,
    QuotaExceededError,
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
    WorkspaceFolderError,
    WorkspacePermissionError,
)

try:
    import fcntl
except ImportError:  # Windows: no flock; an open file cannot be deleted there, so a sweep skips it
    fcntl = None

WORKSPACE_ENV = "DIGISTRAT_WORKSPACE"
QUOTA_ENV = "DIGISTRAT_WORKSPACE_QUOTA_MB"
DEFAULT_QUOTA_BYTES = 2 * 1024**3
SIDECAR_VERSION = 2  # 2: the dataset's reports and schema saved whole (digistrat.serial)
_ID = re.compile(r"[0-9a-f]{16}")  # datasets.content_id: 16 lower-case hex digits
_TEMP_SUFFIX = ".tmp"
_LOCK_FILE = ".lock"
DEFAULT_LOCK_WAIT = 60.0  # seconds a change waits for another server's save before giving up
# One server process serves every session from threads: mutations take turns (the lock file
# makes other processes wait too).
_LOCK = threading.RLock()


def default_root() -> Path:
    """The user's data directory for digistrat (never inside the repository)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "digistrat"


@dataclass(frozen=True)
class SavedDataset:
    """One line of the workspace listing."""

    id: str
    name: str  # display name (the file name until renamed)
    file_name: str
    rows: int
    kind: str
    page: str | None  # the page that shows it ("survey", "traffic"), None: the upload page only
    saved_at: datetime  # first save, UTC
    updated_at: datetime  # last change of settings or name, UTC
    size_bytes: int  # on disk: original + Parquet + sidecar


def check_id(dataset_id: str) -> str:
    """The id itself if it is a dataset id (16 hex digits); InputError otherwise."""
    if not isinstance(dataset_id, str) or not _ID.fullmatch(dataset_id):
        raise InputError(
            f"“{str(dataset_id)[:40]}” is not a saved dataset's id (16 characters 0-9 and a-f): "
            "check the link, or upload the file again."
        )
    return dataset_id


class Workspace:
    """Saved datasets in one folder: `Workspace()` uses $DIGISTRAT_WORKSPACE or the user's data dir."""

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        quota_bytes: int | None = None,
        lock_wait: float = DEFAULT_LOCK_WAIT,
    ) -> None:
        configured = root or os.environ.get(WORKSPACE_ENV)
        self.root = Path(configured).expanduser() if configured else default_root()
        self.quota_bytes = quota_bytes if quota_bytes is not None else _quota_from_env()
        self.lock_wait = lock_wait
        self._folder = self.root / "datasets"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WorkspaceFolderError(
                f"The workspace folder {self.root} cannot be created ({_reason(error)}): "
                f"set {WORKSPACE_ENV} to a folder the server can write to."
            ) from error
        # Not waited for: if another server is saving, the sweep runs before this one's first change.
        self._swept = False
        try:
            with self._locked(wait=0) as held:
                if held:
                    self._sweep()
        except OSError:
            pass  # a folder nothing can be written in has nothing to remove; changes will say why

    # ------------------------------------------------------------------ reading

    def list(self, only: Iterable[str] | None = None) -> list[SavedDataset]:
        """Saved datasets, newest first; `only` restricts to ids a session knows."""
        wanted = None if only is None else {i for i in only if _ID.fullmatch(str(i))}
        entries = []
        for sidecar in self._folder.glob("*.json"):
            dataset_id = sidecar.stem
            if not _ID.fullmatch(dataset_id) or (wanted is not None and dataset_id not in wanted):
                continue
            meta = _read_json(sidecar)
            if meta is not None:
                entries.append(self._entry(meta))
        return sorted(entries, key=lambda e: e.updated_at, reverse=True)

    def exists(self, dataset_id: str) -> bool:
        return bool(_ID.fullmatch(str(dataset_id))) and self._sidecar(dataset_id).is_file()

    def info(self, dataset_id: str) -> SavedDataset:
        return self._entry(self._meta(dataset_id))

    def settings(self, dataset_id: str) -> LoadSettings:
        """The table, roles, mappings… the dataset was last saved with."""
        return LoadSettings.from_dict(self._meta(dataset_id)["settings"])

    def original(self, dataset_id: str) -> bytes:
        """The bytes that were uploaded."""
        self._meta(dataset_id)
        return self._original(dataset_id).read_bytes()

    def load(self, dataset_id: str) -> Dataset:
        """The saved dataset as it was last saved (Parquet + sidecar, no re-reading)."""
        meta = self._meta(dataset_id)
        try:
            frame = pl.read_parquet(self._folder / meta["parquet"])
        except (OSError, pl.exceptions.PolarsError) as error:
            raise InputError(
                f"The saved data of “{meta['name']}” cannot be read ({error}): "
                "delete it from the workspace and upload the file again."
            ) from error
        if meta.get("version") != SIDECAR_VERSION:
            # saved by an older digistrat: read the original again with the same choices
            return self.reapply(dataset_id, LoadSettings.from_dict(meta["settings"]))
        saved = {name: serial.from_json(_DATASET_FIELDS[name], meta["dataset"][name]) for name in _SAVED_FIELDS}
        return Dataset(id=dataset_id, name=meta["name"], frame=frame, **saved)

    def usage_bytes(self) -> int:
        """Bytes the saved datasets hold (what the quota counts): not the lock, not temporary files."""
        total = 0
        for path in self._folder.iterdir():
            try:
                if not path.name.startswith(".") and path.is_file():
                    total += path.stat().st_size
            except FileNotFoundError:
                pass  # deleted meanwhile
        return total

    # ------------------------------------------------------------------ writing

    def save(
        self,
        data: bytes,
        file_name: str,
        settings: LoadSettings = LoadSettings(),
        *,
        dataset: Dataset | None = None,
    ) -> SavedDataset:
        """Keep an upload. `dataset` is `data` already loaded with `settings` (saves re-reading).

        The same bytes are stored once: saving them again updates the settings (and the
        Parquet frame if they changed), keeping the display name and the first save date.
        """
        if dataset is None:
            dataset = _load(data, file_name, settings)
        dataset_id = content_id(data)
        if dataset.id != dataset_id:
            raise ValueError("dataset was not loaded from these bytes")
        with self._changing(f"“{file_name}” was not saved"):
            previous = self._meta_or_none(dataset_id)
            now = _now()
            same_frame = (
                previous is not None
                and previous["settings"] == _jsonable(settings.as_dict())
                and (self._folder / previous["parquet"]).is_file()
            )
            staged: list[tuple[Path, Path]] = []
            try:
                if not self._original(dataset_id).is_file():
                    staged.append((_stage(self._original(dataset_id), lambda f: f.write(data)),
                                   self._original(dataset_id)))
                parquet_name = previous["parquet"] if same_frame else f"{dataset_id}-{secrets.token_hex(4)}.parquet"
                if not same_frame:
                    target = self._folder / parquet_name
                    staged.append((_stage(target, _parquet_writer(dataset.frame)), target))
                meta = {
                    "version": SIDECAR_VERSION,
                    "id": dataset_id,
                    "file_name": file_name,
                    "name": previous["name"] if previous else file_name,
                    "saved_at": previous["saved_at"] if previous else now,
                    "updated_at": now,
                    "rows": dataset.frame.height,
                    "kind": dataset.kind,
                    "page": dataset.page,
                    "original_bytes": len(data),
                    "parquet": parquet_name,
                    "settings": settings.as_dict(),
                    "dataset": {name: serial.to_json(getattr(dataset, name)) for name in _SAVED_FIELDS},
                }
                sidecar = self._sidecar(dataset_id)
                staged.append((_stage(sidecar, _json_writer(meta)), sidecar))
                old_frame = [self._folder / previous["parquet"]] if previous and not same_frame else []
                self._check_quota(staged, old_frame, file_name)
            except BaseException:
                for temp, _ in staged:
                    temp.unlink(missing_ok=True)
                raise
            # The sidecar is committed last: until then the previous state is the current one.
            for temp, target in staged:
                _commit(temp, target)
            if previous and previous["parquet"] != parquet_name:
                (self._folder / previous["parquet"]).unlink(missing_ok=True)
            return self._entry(meta)

    def reapply(self, dataset_id: str, settings: LoadSettings) -> Dataset:
        """Re-read the original bytes with new roles / mappings / table and save the result."""
        meta = self._meta(dataset_id)
        data = self._original(dataset_id).read_bytes()
        dataset = _load(data, meta["file_name"], settings)
        self.save(data, meta["file_name"], settings, dataset=dataset)
        return self.load(dataset_id)

    def rename(self, dataset_id: str, name: str) -> SavedDataset:
        """Change the display name (the file name is kept)."""
        name = " ".join(str(name).split())
        if not name:
            raise InputError("A dataset's name cannot be empty: type at least one letter.")
        if len(name) > 200:
            raise InputError(f"A dataset's name is at most 200 characters; this one has {len(name)}.")
        with self._changing(f"“{name}” was not renamed"):
            meta = self._meta(dataset_id)
            meta.update(name=name, updated_at=_now())
            _commit(_stage(self._sidecar(dataset_id), _json_writer(meta)), self._sidecar(dataset_id))
            return self._entry(meta)

    def delete(self, dataset_id: str) -> None:
        """Forget a dataset: its sidecar first (the commit), then its data files."""
        name = self._meta(dataset_id)["name"]
        with self._changing(f"“{name}” was not deleted"):
            meta = self._meta(dataset_id)
            self._sidecar(dataset_id).unlink()
            _fsync_dir(self._folder)
            (self._folder / meta["parquet"]).unlink(missing_ok=True)
            self._original(dataset_id).unlink(missing_ok=True)
            self._sweep()  # anything a killed save of it left

    # ------------------------------------------------------------------ internals

    def _sidecar(self, dataset_id: str) -> Path:
        return self._folder / f"{check_id(dataset_id)}.json"

    def _original(self, dataset_id: str) -> Path:
        return self._folder / f"{check_id(dataset_id)}.original"

    def _meta_or_none(self, dataset_id: str) -> dict[str, Any] | None:
        sidecar = self._sidecar(dataset_id)
        return _read_json(sidecar) if sidecar.is_file() else None

    def _meta(self, dataset_id: str) -> dict[str, Any]:
        meta = self._meta_or_none(dataset_id)
        if meta is None:
            raise InputError(
                f"No saved dataset has the id {dataset_id}: it was deleted or never saved; "
                "upload the file again."
            )
        return meta

    def _entry(self, meta: Mapping[str, Any]) -> SavedDataset:
        dataset_id = meta["id"]
        files = (self._sidecar(dataset_id), self._original(dataset_id), self._folder / meta["parquet"])
        return SavedDataset(
            id=dataset_id,
            name=meta["name"],
            file_name=meta["file_name"],
            rows=int(meta["rows"]),
            kind=meta["kind"],
            page=meta.get("page", _OLD_PAGES.get(meta["kind"])),
            saved_at=datetime.fromisoformat(meta["saved_at"]),
            updated_at=datetime.fromisoformat(meta["updated_at"]),
            size_bytes=sum(p.stat().st_size for p in files if p.is_file()),
        )

    def _check_quota(self, staged: list[tuple[Path, Path]], freed: Iterable[Path], file_name: str) -> None:
        """Refuse the save if the workspace would hold more than the quota once it is committed."""
        needed = sum(temp.stat().st_size for temp, _ in staged)
        used = self.usage_bytes()  # the staged files are temporary: not counted yet
        replaced = {target for _, target in staged} | set(freed)
        released = sum(path.stat().st_size for path in replaced if path.is_file())
        if used - released + needed > self.quota_bytes:
            raise QuotaExceededError(
                f"The workspace is full: saving “{file_name}” needs {_megabytes(needed)} but "
                f"{_megabytes(used)} of the {_megabytes(self.quota_bytes)} allowed are used; "
                "delete a saved dataset you no longer need, then save again."
            )

    @contextmanager
    def _locked(self, wait: float) -> Iterator[bool]:
        """Hold the workspace (this process's threads, then the lock file other servers share);
        yields whether it is held: False when `wait` seconds went by first."""
        if not (_LOCK.acquire(timeout=wait) if wait > 0 else _LOCK.acquire(blocking=False)):
            yield False
            return
        try:
            with open(self._folder / _LOCK_FILE, "ab") as handle:
                yield _flock(handle, wait)  # closing the file releases the lock, also on kill -9
        finally:
            _LOCK.release()

    @contextmanager
    def _changing(self, outcome: str) -> Iterator[None]:
        """Make a change with the workspace held; an OSError becomes the WorkspaceError that
        says what happened, where, and what to do. `outcome`: “x” was not saved…"""
        try:
            with self._locked(self.lock_wait) as held:
                if not held:
                    raise WorkspaceBusyError(
                        f"Another server has been saving in the workspace folder {self.root} for over "
                        f"{self.lock_wait:.0f} seconds, so {outcome}: try again in a minute."
                    )
                if not self._swept:
                    self._sweep()
                yield
        except OSError as error:
            raise _workspace_error(error, self.root, outcome) from error

    def _sweep(self) -> None:
        """Remove what killed saves left: temporary files, and originals and Parquet frames no
        sidecar names. Call it with the workspace held: then no save is running anywhere."""
        names = {path.name for path in self._folder.iterdir()}
        named: set[str] = set()
        for name in names:
            dataset_id = name.removesuffix(".json")
            if name.endswith(".json") and _ID.fullmatch(dataset_id):
                meta = _read_json(self._folder / name)
                if meta is None:  # unreadable now, perhaps readable later: every file of its id stays
                    named |= {n for n in names if n.startswith(dataset_id)}
                else:
                    named |= {meta["parquet"], f"{dataset_id}.original"}
        for name in names:
            data_file = _ID.fullmatch(name[:16]) and name.endswith((".parquet", ".original"))
            leftover = (name.startswith(".") and name.endswith(_TEMP_SUFFIX)) or (data_file and name not in named)
            if leftover:
                try:
                    (self._folder / name).unlink()
                except OSError:
                    pass  # gone already, or not removable now (read-only): the next sweep tries again
        self._swept = True


# ---------------------------------------------------------------------- atomic files


def _fsync_file(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # Makes a rename durable on POSIX; Windows cannot open a folder and does not need it.
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _stage(target: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write a temporary file beside `target` with `write(handle)` and fsync it; return its path."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}{_TEMP_SUFFIX}")
    try:
        with open(temp, "xb") as handle:
            write(handle)
            _fsync_file(handle)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _flock(handle: IO[bytes], wait: float) -> bool:
    """Take the exclusive lock of an open file within `wait` seconds; False if another holds it."""
    if fcntl is None:
        return True
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _parquet_writer(frame: pl.DataFrame) -> Callable[[IO[bytes]], object]:
    # Through memory: polars reports a failed file write as a ComputeError without its errno,
    # and the errno is what tells a full disk from a read-only one.
    def write(handle: IO[bytes]) -> None:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        handle.write(buffer.getbuffer())

    return write


def _commit(temp: Path, target: Path) -> None:
    os.replace(temp, target)
    _fsync_dir(target.parent)


def atomic_write(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Replace `target` with what `write(handle)` writes, all or nothing."""
    _commit(_stage(target, write), target)


# ---------------------------------------------------------------------- sidecar (de)serialising


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _json_writer(meta: Mapping[str, Any]) -> Callable[[IO[bytes]], object]:
    text = json.dumps(meta, ensure_ascii=False, indent=1, default=_json_default)
    return lambda handle: handle.write(text.encode("utf-8"))


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # deleted meanwhile, or not ours: listed as absent


# Sidecars of version 1 said no page: it followed from the kind then.
_OLD_PAGES = {"survey": "survey", "traffic": "traffic", "traffic_by_channel": "traffic",
              "traffic_by_source_medium": "traffic", "traffic_by_device": "traffic"}
# What a saved dataset keeps besides its frame, and the types they come back as.
_SAVED_FIELDS = ("read", "roles", "schema", "normalised", "settings", "columns")
_DATASET_FIELDS = typing.get_type_hints(Dataset, vars(sys.modules[Dataset.__module__]))


# ---------------------------------------------------------------------- helpers


def _load(data: bytes, file_name: str, settings: LoadSettings) -> Dataset:
    return load_bytes(data, file_name, settings)


def _reason(error: OSError) -> str:
    """Why a file operation failed, in words a person acts on."""
    reasons = {
        errno.ENOTDIR: "part of that path is a file, not a folder",
        errno.EEXIST: "a file already has that name",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the disk is read-only",
        errno.ENOSPC: "the disk is full",
    }
    return reasons.get(error.errno) or (error.strerror or str(error)).lower()


def _workspace_error(error: OSError, root: Path, outcome: str) -> WorkspaceError:
    """The one-sentence WorkspaceError for a write the system refused."""
    code = error.errno
    if code == errno.ENOSPC:
        return DiskFullError(
            f"The disk holding the workspace folder {root} is full, so {outcome}: free space on that "
            f"disk, or set {WORKSPACE_ENV} to a folder on another disk."
        )
    if code == getattr(errno, "EDQUOT", None):
        return DiskFullError(
            f"The disk quota of the account running the server is used up on the disk of the workspace "
            f"folder {root}, so {outcome}: free space or raise that quota, or set {WORKSPACE_ENV} to a "
            "folder on another disk."
        )
    if code == errno.EROFS:
        return ReadOnlyWorkspaceError(
            f"The workspace folder {root} is on a read-only disk, so {outcome}: set {WORKSPACE_ENV} to "
            "a folder on a writable disk."
        )
    if code in (errno.EACCES, errno.EPERM):
        return WorkspacePermissionError(
            f"The server may not write in the workspace folder {root}, so {outcome}: give the account "
            f"running it write access there, or set {WORKSPACE_ENV} to a folder it can write to."
        )
    return WorkspaceError(
        f"Writing in the workspace folder {root} failed ({_reason(error)}), so {outcome}: check that "
        f"disk, or set {WORKSPACE_ENV} to another folder."
    )


def _quota_from_env() -> int:
    raw = os.environ.get(QUOTA_ENV)
    if not raw:
        return DEFAULT_QUOTA_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        raise WorkspaceError(
            f"{QUOTA_ENV} is “{raw}”, not a number of megabytes: set it to e.g. 2048."
        ) from None
    return int(megabytes * 1024 * 1024)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"

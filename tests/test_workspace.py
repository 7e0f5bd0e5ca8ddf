"""Workspace: content-hash ids, one copy per content, reload after a restart, atomic writes
(a writer killed mid-write leaves the previous state loadable), quota, rename/delete, id checks."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from digistrat.datasets import load_bytes
from digistrat import workspace as workspace_module
from digistrat.errors import (
    DigistratError,
    DiskFullError,
    InputError,
    QuotaExceededError,
    ReadOnlyWorkspaceError,
    WorkspaceBusyError,
    WorkspaceError,
    WorkspaceFolderError,
    WorkspacePermissionError,
)
from digistrat.datasets import LoadSettings
from digistrat.workspace import Workspace, atomic_write, check_id, default_root
from tests.fixtures_files import FakeDisk

REPO = Path(__file__).resolve().parents[1]
SEGMENT_WORDS = ("Les attentistes", "Indécis", "Les convaincues", "Les insatisfaits")
# Indécis matches no segment: only a user mapping brings its rows in.
MAPPED = LoadSettings.build(roles={"Pays": "ignore"}, mappings={"Segment": {"Indécis": "wait_and_see"}})


def french_panel(rows: int = 40, extra: str = "") -> bytes:
    lines = ["Répondant;Segment;Poids;Pays"]
    for i in range(rows):
        weight = f"{1 + (i % 3) / 2:.1f}".replace(".", ",")
        lines.append(f"{i}{extra};{SEGMENT_WORDS[i % 4]};{weight};{('France', 'Canada')[i % 2]}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def files(root: Path) -> list[str]:
    """What the datasets folder holds besides its lock file."""
    return sorted(p.name for p in (root / "datasets").iterdir() if p.name != ".lock")


# ---------------------------------------------------------------- location


def test_default_root_is_the_users_data_directory_not_the_repository(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_root() == tmp_path / "xdg" / "digistrat"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_root() == tmp_path / "home" / ".local" / "share" / "digistrat"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_root() == tmp_path / "home" / "Library" / "Application Support" / "digistrat"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "roaming"))
    assert default_root() == tmp_path / "roaming" / "digistrat"
    assert not default_root().is_relative_to(REPO)


def test_environment_variable_chooses_the_folder_and_the_quota(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path / "chosen"))
    monkeypatch.setenv("DIGISTRAT_WORKSPACE_QUOTA_MB", "1.5")
    workspace = Workspace()
    assert workspace.root == tmp_path / "chosen"
    assert workspace.quota_bytes == 1.5 * 1024 * 1024
    workspace.save(french_panel(), "panel.csv")
    assert (tmp_path / "chosen" / "datasets").is_dir()
    monkeypatch.setenv("DIGISTRAT_WORKSPACE_QUOTA_MB", "lots")
    with pytest.raises(DigistratError, match="DIGISTRAT_WORKSPACE_QUOTA_MB"):
        Workspace()


# ---------------------------------------------------------------- content ids, one copy


def test_the_id_is_the_content_hash_and_the_same_bytes_are_stored_once(tmp_path):
    data = french_panel()
    workspace = Workspace(tmp_path)
    first = workspace.save(data, "panel.csv")
    assert first.id == hashlib.sha256(data).hexdigest()[:16]
    again = workspace.save(data, "copy of panel.csv")
    assert again.id == first.id
    assert [e.id for e in workspace.list()] == [first.id]
    assert files(tmp_path) == sorted([f"{first.id}.json", f"{first.id}.original", *_parquets(tmp_path)])
    assert len(_parquets(tmp_path)) == 1
    assert (tmp_path / "datasets" / f"{first.id}.original").read_bytes() == data
    other = workspace.save(french_panel(extra="0"), "other.csv")
    assert other.id != first.id and len(workspace.list()) == 2


def _parquets(root: Path) -> list[str]:
    return [n for n in files(root) if n.endswith(".parquet")]


def test_saving_again_with_new_settings_updates_them_and_keeps_one_frame(tmp_path):
    data = french_panel()
    workspace = Workspace(tmp_path)
    entry = workspace.save(data, "panel.csv")
    assert entry.rows == 30  # 10 "Indécis" rows left out until mapped
    workspace.rename(entry.id, "Panel Québec")
    updated = workspace.save(data, "panel.csv", MAPPED)
    assert updated.rows == 40
    assert updated.name == "Panel Québec"  # the user's name survives a second upload
    assert updated.saved_at == entry.saved_at
    assert workspace.settings(entry.id) == MAPPED
    assert len(_parquets(tmp_path)) == 1


# ---------------------------------------------------------------- restart


def test_after_a_restart_the_same_frame_roles_and_mappings_come_back(tmp_path):
    data = french_panel()
    expected = load_bytes(data, "panel.csv", MAPPED)
    saved = Workspace(tmp_path).save(data, "panel.csv", MAPPED, dataset=expected)

    restarted = Workspace(tmp_path)  # a new object on the same folder: what a server restart sees
    loaded = restarted.load(saved.id)
    assert_frame_equal(loaded.frame, expected.frame)
    assert loaded.frame["segment"].value_counts().sort("segment").to_dicts() == [
        {"segment": "convinced", "count": 10},
        {"segment": "dissatisfied", "count": 10},
        {"segment": "wait_and_see", "count": 20},
    ]
    assert loaded.roles == expected.roles
    assert loaded.roles.roles["Pays"] == "ignore"
    assert loaded.read == expected.read
    assert loaded.normalised.rows_used == 40 and loaded.normalised.notes == expected.normalised.notes
    assert restarted.settings(saved.id) == MAPPED
    assert restarted.original(saved.id) == data

    # Re-applying changed roles reads the original bytes again, exactly like a fresh upload.
    plain = restarted.reapply(saved.id, LoadSettings())
    fresh = load_bytes(data, "panel.csv")
    assert_frame_equal(plain.frame, fresh.frame)
    assert len(plain.normalised.unmapped) == 1
    assert plain.normalised.unmapped[0].values.to_dicts() == [{"value": "Indécis", "rows": 10}]
    assert Workspace(tmp_path).load(saved.id).normalised.unmapped[0].values.to_dicts() == [
        {"value": "Indécis", "rows": 10}
    ]


def test_listing_rename_and_delete(tmp_path):
    workspace = Workspace(tmp_path)
    first = workspace.save(french_panel(), "a.csv")
    time.sleep(1.1)  # dates have one-second resolution
    second = workspace.save(french_panel(extra="9"), "b.csv")
    listing = workspace.list()
    assert [(e.id, e.name, e.rows, e.kind) for e in listing] == [
        (second.id, "b.csv", 30, "survey"),
        (first.id, "a.csv", 30, "survey"),
    ]
    assert workspace.list(only=[first.id, "../etc"]) == [workspace.info(first.id)]

    renamed = workspace.rename(first.id, "  Panel   2024 ")
    assert renamed.name == "Panel 2024" and renamed.file_name == "a.csv"
    assert Workspace(tmp_path).info(first.id).name == "Panel 2024"
    with pytest.raises(InputError, match="cannot be empty"):
        workspace.rename(first.id, "   ")

    workspace.delete(first.id)
    assert [e.id for e in workspace.list()] == [second.id]
    assert not any(n.startswith(first.id) for n in files(tmp_path))
    with pytest.raises(InputError, match="upload the file again"):
        workspace.load(first.id)
    assert not workspace.exists(first.id)


@pytest.mark.parametrize(
    "bad_id", ["../x", "../../etc/passwd", "7AAFE2819C1696D4", "7aafe2819c1696d", "7aafe2819c1696d4/", "", "0" * 64]
)
def test_ids_that_are_not_16_hex_digits_are_refused_before_touching_files(tmp_path, bad_id):
    workspace = Workspace(tmp_path / "ws")
    (tmp_path / "x.json").write_text('{"secret": 1}')
    for action in (workspace.load, workspace.delete, workspace.original, workspace.settings, workspace.info):
        with pytest.raises(InputError, match="not a saved dataset's id"):
            action(bad_id)
    with pytest.raises(InputError):
        workspace.rename(bad_id, "x")
    assert not workspace.exists(bad_id)
    assert (tmp_path / "x.json").exists()
    assert check_id("0123456789abcdef") == "0123456789abcdef"


# ---------------------------------------------------------------- quota


def test_quota_refuses_a_save_that_would_overflow_with_a_clear_message(tmp_path):
    data = french_panel()
    probe = Workspace(tmp_path / "probe").save(data, "panel.csv")
    one_dataset = probe.size_bytes

    workspace = Workspace(tmp_path / "ws", quota_bytes=one_dataset + 1000)
    kept = workspace.save(data, "panel.csv")
    before = files(tmp_path / "ws")
    with pytest.raises(QuotaExceededError) as refused:
        workspace.save(french_panel(extra="7"), "second.csv")
    message = str(refused.value)
    assert "workspace is full" in message and "second.csv" in message and "delete a saved dataset" in message
    assert "MB" in message
    assert files(tmp_path / "ws") == before  # nothing half-saved, no temporary file left
    assert_frame_equal(workspace.load(kept.id).frame, load_bytes(data, "panel.csv").frame)
    # Saving the same content again replaces its files, so it fits.
    workspace.save(data, "panel.csv", MAPPED)
    assert workspace.info(kept.id).rows == 40

    with pytest.raises(QuotaExceededError, match="workspace is full"):
        Workspace(tmp_path / "tiny", quota_bytes=100).save(data, "panel.csv")
    assert files(tmp_path / "tiny") == []


# ---------------------------------------------------------------- atomic writes, killed writers


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(process: subprocess.Popen, signal_line: str) -> None:
    line = process.stdout.readline()
    if line.strip() != signal_line:
        process.kill()
        raise AssertionError(f"writer did not reach the pause: {line!r} {process.stderr.read()}")


def _kill_when_ready(process: subprocess.Popen, signal_line: str) -> None:
    _wait_for(process, signal_line)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def test_a_writer_killed_mid_write_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "state.bin"
    atomic_write(target, lambda handle: handle.write(b"previous state"))
    writer = """
        import sys, time
        from pathlib import Path
        from digistrat.workspace import atomic_write

        def write(handle):
            for _ in range(10_000):  # a big file, written a megabyte at a time
                handle.write(b"x" * 1_000_000)
                handle.flush()
                print("writing", flush=True)
                time.sleep(0.05)

        atomic_write(Path(sys.argv[1]), write)
    """
    process = _start(writer, str(target))
    _kill_when_ready(process, "writing")
    assert target.read_bytes() == b"previous state"
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size >= 1_000_000  # killed mid-write


# A server saving an upload that stops at the n-th call of a step (it prints "paused", then
# goes on when a line comes on its stdin) — killed there, or let go on.
SAVER = """
    import sys
    from digistrat import workspace
    from digistrat.workspace import LoadSettings, Workspace

    root, name, wanted, upload = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    real = getattr(workspace, name)
    calls = []

    def pausing(*args):
        calls.append(1)
        if len(calls) == wanted:
            print("paused", flush=True)
            sys.stdin.readline()
        real(*args)

    setattr(workspace, name, pausing)
    data = open(upload, "rb").read()
    settings = LoadSettings.build(roles={"Pays": "ignore"}, mappings={"Segment": {"Indécis": "wait_and_see"}})
    Workspace(root).save(data, "panel.csv", settings)
"""


def _paused_save(root: Path, data: bytes, step: str, call: int) -> subprocess.Popen:
    upload = root.parent / f"{root.name}-upload.csv"
    upload.write_bytes(data)
    process = _start(SAVER, str(root), step, str(call), str(upload))
    _wait_for(process, "paused")
    return process


def _temporary(root: Path) -> list[Path]:
    return sorted(p for p in (root / "datasets").iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("pause_at", [("_fsync_file", 1), ("_fsync_file", 2), ("_fsync_dir", 1)])
def test_a_save_killed_at_any_step_leaves_the_previous_dataset_loadable_and_nothing_else(tmp_path, pause_at):
    """Steps: new frame written (fsync 1), sidecar written (fsync 2), new frame renamed in
    place (first directory fsync); the sidecar rename is the commit."""
    data = french_panel()
    before = Workspace(tmp_path).save(data, "panel.csv")
    committed = files(tmp_path)
    expected = load_bytes(data, "panel.csv").frame
    process = _paused_save(tmp_path, data, *pause_at)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert files(tmp_path) != committed  # the killed save left a temporary file or a frame

    restarted = Workspace(tmp_path)
    assert files(tmp_path) == committed  # swept at start, fresh as they are
    assert [e.id for e in restarted.list()] == [before.id]
    assert restarted.settings(before.id) == LoadSettings()
    assert_frame_equal(restarted.load(before.id).frame, expected)
    # The next save completes normally.
    assert restarted.save(data, "panel.csv", MAPPED).rows == 40
    assert restarted.load(before.id).frame.height == 40


@pytest.mark.parametrize("pause_at", [("_fsync_file", 1), ("_fsync_dir", 2)])
def test_a_big_upload_killed_while_saving_leaves_nothing_after_the_next_start(tmp_path, pause_at):
    """Killed with the original written but not fsynced (a multi-megabyte temporary file), or
    with the original and the frame in place but no sidecar yet (files nothing names)."""
    small = Workspace(tmp_path).save(french_panel(), "small.csv")
    committed = files(tmp_path)
    used = Workspace(tmp_path).usage_bytes()
    big = french_panel(rows=120_000)
    process = _paused_save(tmp_path, big, *pause_at)
    left = _temporary(tmp_path)
    assert left and sum(p.stat().st_size for p in left) + Workspace(tmp_path).usage_bytes() >= used + len(big) // 2
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    restarted = Workspace(tmp_path)
    assert files(tmp_path) == committed and _temporary(tmp_path) == []
    assert restarted.usage_bytes() == used
    assert [e.id for e in restarted.list()] == [small.id]


def test_two_servers_sharing_a_folder_never_sweep_each_others_writes(tmp_path):
    data = french_panel(rows=20_000)
    other = french_panel(extra="5")
    writer = _paused_save(tmp_path, data, "_fsync_file", 1)  # original written, not yet fsynced
    try:
        [in_flight] = _temporary(tmp_path)
        size = in_flight.stat().st_size
        second = Workspace(tmp_path, lock_wait=0.2)  # a second server starts meanwhile
        assert in_flight.is_file() and in_flight.stat().st_size == size == len(data)
        assert second.usage_bytes() == 0  # another save's temporary file is not counted
        with pytest.raises(WorkspaceBusyError) as busy:
            second.save(other, "other.csv")
        message = str(busy.value)
        assert str(tmp_path) in message and "“other.csv” was not saved" in message and "try again" in message
        assert _temporary(tmp_path) == [in_flight]

        patient = Workspace(tmp_path)  # the default wait: its save waits for the other's
        outcome: dict[str, object] = {}
        saving = threading.Thread(target=lambda: outcome.update(entry=patient.save(other, "other.csv")))
        saving.start()
        saving.join(0.5)
        assert saving.is_alive() and not patient.exists(content_id_of(other))
        writer.stdin.write("go on\n")
        writer.stdin.flush()
        assert writer.wait(timeout=60) == 0, writer.stderr.read()
        saving.join(60)
        assert not saving.is_alive() and "entry" in outcome
    finally:
        writer.kill()
    restarted = Workspace(tmp_path)
    assert {e.id for e in restarted.list()} == {content_id_of(data), content_id_of(other)}
    assert restarted.load(content_id_of(data)).frame.height == 20_000
    assert restarted.load(content_id_of(other)).frame.height == 30
    assert _temporary(tmp_path) == []


def test_a_server_started_during_another_save_sweeps_before_its_own_first_change(tmp_path):
    writer = _paused_save(tmp_path, french_panel(rows=5000), "_fsync_file", 1)
    started = Workspace(tmp_path)  # the lock is held: no sweep now
    writer.send_signal(signal.SIGKILL)  # the other server dies mid-save
    writer.wait(timeout=10)
    assert len(_temporary(tmp_path)) == 1
    entry = started.save(french_panel(), "panel.csv")
    assert _temporary(tmp_path) == []
    assert files(tmp_path) == sorted([f"{entry.id}.json", f"{entry.id}.original", *_parquets(tmp_path)])


def content_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------- a disk that refuses writes


FAULTS = {
    "disk full": (FakeDisk(free=20_000), DiskFullError, "is full, so"),
    "disk quota": (FakeDisk(refuse_write=errno.EDQUOT), DiskFullError, "disk quota of the account running the server is used up"),
    "read-only": (FakeDisk(refuse_open=errno.EROFS), ReadOnlyWorkspaceError, "is on a read-only disk"),
    "permission": (FakeDisk(refuse_open=errno.EACCES), WorkspacePermissionError, "may not write in"),
    "i/o error": (FakeDisk(refuse_write=errno.EIO), WorkspaceError, "failed (input/output error)"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_write_the_disk_refuses_is_one_sentence_of_its_own_and_loses_nothing(tmp_path, monkeypatch, fault):
    disk, error_type, words = FAULTS[fault]
    kept = Workspace(tmp_path).save(french_panel(), "panel.csv")
    before = files(tmp_path)
    monkeypatch.setattr(workspace_module, "open", disk.open, raising=False)

    workspace = Workspace(tmp_path)  # a server starting on that disk
    with pytest.raises(error_type) as refused:
        workspace.save(french_panel(rows=5000, extra="1"), "big.csv")
    message = str(refused.value)
    assert type(refused.value) is error_type
    assert words in message and str(tmp_path) in message and "“big.csv” was not saved" in message
    assert "DIGISTRAT_WORKSPACE" in message  # what to do
    assert message.endswith(".") and message.count(". ") == 0 and "Errno" not in message
    assert files(tmp_path) == before  # no temporary file, nothing half-written
    # Reading still works: the saved dataset lists and loads.
    assert [e.id for e in workspace.list()] == [kept.id]
    assert workspace.load(kept.id).frame.height == 30
    with pytest.raises(error_type, match="“Panel” was not renamed"):
        workspace.rename(kept.id, "Panel")
    assert workspace.info(kept.id).name == "panel.csv"

    monkeypatch.undo()  # the disk is fixed: the same workspace saves again
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path))
    assert workspace.save(french_panel(rows=5000, extra="1"), "big.csv").rows == 3750


def test_a_workspace_folder_that_cannot_be_created_says_so(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    for root in (blocker / "workspace", blocker):
        with pytest.raises(WorkspaceFolderError) as refused:
            Workspace(root)
        message = str(refused.value)
        assert message == (
            f"The workspace folder {root} cannot be created (part of that path is a file, not a folder): "
            "set DIGISTRAT_WORKSPACE to a folder the server can write to."
        )


def test_leftovers_of_a_crash_are_swept_at_start_whatever_their_age(tmp_path):
    data = french_panel()
    entry = Workspace(tmp_path).save(data, "panel.csv")
    folder = tmp_path / "datasets"
    kept = files(tmp_path)
    orphans = [
        folder / f"{entry.id}-deadbeef.parquet",  # a frame renamed in place, its sidecar never committed
        folder / "0123456789abcdef.original",  # an original whose sidecar was never committed
        folder / f".{entry.id}.json.0123456789ab.tmp",
        folder / ".0123456789abcdef.original.0123456789ab.tmp",
    ]
    for path in orphans:
        path.write_bytes(b"x" * 5000)  # written a moment ago: age does not matter any more
    unrelated = folder / "notes.txt"
    unrelated.write_text("not the workspace's")
    # A sidecar that cannot be read now keeps the files of its id: it may be readable later.
    unreadable = ["fedcba9876543210.json", "fedcba9876543210.original", "fedcba9876543210-0badf00d.parquet"]
    for name in unreadable:
        (folder / name).write_bytes(b"{half a sidecar")
    kept = sorted([*kept, *unreadable])
    assert Workspace(tmp_path).usage_bytes() == sum((folder / n).stat().st_size for n in kept) + unrelated.stat().st_size
    assert files(tmp_path) == sorted([*kept, "notes.txt"])
    assert Workspace(tmp_path).load(entry.id).frame.height == 30


def test_dataset_loaded_from_other_bytes_is_refused(tmp_path):
    other = load_bytes(french_panel(extra="1"), "b.csv")
    with pytest.raises(ValueError):
        Workspace(tmp_path).save(french_panel(), "a.csv", dataset=other)
    assert files(tmp_path) == []

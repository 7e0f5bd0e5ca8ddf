"""The upload page and the share link when the workspace cannot keep an upload (issue 14): the
fault is its own sentence, the data stays explorable in the session from memory, and the share
link says the dataset is not saved instead of pointing at nothing.

Each test uploads bytes of its own, so no cached read hides the workspace from the page.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from digistrat import workspace as workspace_module
from digistrat.datasets import content_id
from digistrat.workspace import Workspace
from tests.fixtures_app import HEADER, SEGMENTS_PAGE, UPLOAD_PAGE, open_link, texts, upload
from tests.fixtures_files import FakeDisk, clean_panel, french_excel_csv, french_number

NOT_SAVED_NOTE = "No link: this dataset is not saved in the workspace"


def survey(tag: str) -> bytes:
    """The clean 120-row panel with respondent ids of its own, so its content id is new."""
    rows = [[f"{tag}-{r}", s, french_number(w, 2), size, sector] for r, s, w, size, sector in clean_panel()]
    return french_excel_csv(rows, HEADER)


def share_box(at: AppTest) -> tuple[list[str], list[str]]:
    """The sidebar's link (code blocks) and the captions around it."""
    return [c.value for c in at.code], [c.value for c in at.sidebar.caption]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def full_disk(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(workspace_module, "open", FakeDisk(free=0).open, raising=False)
    return "The disk holding the workspace folder"


def small_quota(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DIGISTRAT_WORKSPACE_QUOTA_MB", "0.001")
    return "The workspace is full"


@pytest.mark.parametrize("fault", [full_disk, small_quota])
def test_an_upload_the_workspace_refuses_is_one_sentence_explored_from_memory_and_offers_no_link(
    workspace, monkeypatch, fault
):
    data = survey(fault.__name__)
    start = fault(monkeypatch)
    at = upload(open_link(UPLOAD_PAGE, {}), data, "enquête.csv")
    [message] = errors(at)
    assert message.startswith(start) and "“enquête.csv”" in message
    assert "Something went wrong" not in message
    # the file was read and previewed all the same
    assert "Kind of data: survey" in " ".join(m.value for m in at.markdown)
    assert len(at.table) == 1 and at.table[0].value.shape[0] == 5  # the five segments' shares
    links, captions = share_box(at)
    assert links == [] and any(c.startswith(NOT_SAVED_NOTE) for c in captions)
    assert not (workspace / "datasets").exists() or Workspace(workspace).list() == []

    # the data stays explorable in this session: the segments page shows it, still without a link
    at.switch_page(SEGMENTS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="data_source_survey").value == content_id(data)
    assert f"n = {len(clean_panel())} of {len(clean_panel())}" in texts(at)
    links, captions = share_box(at)
    assert links == [] and any(c.startswith(NOT_SAVED_NOTE) for c in captions)


def test_a_workspace_folder_that_cannot_be_created_is_said_and_the_file_still_reads(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(blocker / "ws"))
    at = upload(open_link(UPLOAD_PAGE, {}), survey("no-folder"), "enquête.csv")
    assert errors(at) == [
        f"The workspace folder {blocker / 'ws'} cannot be created (part of that path is a file, not a folder): "
        "set DIGISTRAT_WORKSPACE to a folder the server can write to."
    ]
    assert "Kind of data: survey" in " ".join(m.value for m in at.markdown)
    assert len(at.table) == 1
    links, captions = share_box(at)
    assert links == [] and any(c.startswith(NOT_SAVED_NOTE) for c in captions)


def test_a_saved_upload_keeps_its_link_and_says_when_later_changes_could_not_be_saved(workspace, monkeypatch):
    data = survey("read-only-later")
    dataset_id = content_id(data)
    at = upload(open_link(UPLOAD_PAGE, {}), data, "enquête.csv")
    links, captions = share_box(at)
    assert errors(at) == [] and len(links) == 1 and f"ds={dataset_id}" in links[0]
    assert not any(c.startswith(NOT_SAVED_NOTE) for c in captions)

    monkeypatch.setattr(workspace_module, "open", FakeDisk(refuse_open=errno.EROFS).open, raising=False)
    at.selectbox(key=f"role_{dataset_id}_0_None_2").set_value("measure").run()  # the weight becomes a measure
    assert not at.exception, [e.value for e in at.exception]
    [message] = errors(at)
    assert message.startswith(f"The workspace folder {workspace} is on a read-only disk, so “enquête.csv” was not saved")
    links, captions = share_box(at)
    assert len(links) == 1 and f"ds={dataset_id}" in links[0]
    assert "The latest changes to this dataset are not saved: the link opens it as it was last saved." in captions
    assert Workspace(workspace).settings(dataset_id).role_overrides == {}  # the earlier save, intact


def test_an_unexpected_failure_while_saving_is_a_sentence_not_a_crash(workspace, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the save")

    monkeypatch.setattr(Workspace, "save", broken)
    at = upload(open_link(UPLOAD_PAGE, {}), survey("bug"), "enquête.csv")
    assert errors(at) == [
        "Saving to the workspace failed unexpectedly; the problem has been logged, and the data stays open in "
        "this session."
    ]
    assert len(at.table) == 1

"""A real `streamlit run` server whose workspace cannot keep an upload (issue 14): the quota is
too small, or the folder cannot be created. The upload page says so in one sentence (never
Streamlit's crash page, never blaming the file), previews the data all the same, and the
sidebar offers no link to a dataset that is not saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, survey_bytes, wait_for_app


def too_small_quota(tmp_path: Path) -> tuple[AppServer, str]:
    server = AppServer(env={"DIGISTRAT_WORKSPACE_QUOTA_MB": "0.001"}, workspace=tmp_path / "ws")
    return server, "The workspace is full: saving “enquête.csv” needs"


def folder_under_a_file(tmp_path: Path) -> tuple[AppServer, str]:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    server = AppServer(workspace=blocker / "ws")
    return server, f"The workspace folder {blocker / 'ws'} cannot be created (part of that path is a file, not a folder)"


@pytest.fixture(params=[too_small_quota, folder_under_a_file])
def faulty(request, tmp_path: Path) -> Iterator[tuple[AppServer, str]]:
    server, sentence = request.param(tmp_path)
    server.start()
    yield server, sentence
    server.stop()


def test_an_upload_the_workspace_cannot_keep_is_one_sentence_previewed_and_has_no_link(page: Page, faulty):
    server, sentence = faulty
    page.goto(f"{server.url}/upload?lang=en")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(
        {"name": "enquête.csv", "mimeType": "text/csv", "buffer": survey_bytes()}
    )
    alert = page.locator("[data-testid='stAlertContentError']")
    expect(alert).to_have_count(1, timeout=30_000)
    expect(alert).to_contain_text(sentence)
    expect(page.locator("[data-testid='stTable']").first).to_be_visible(timeout=30_000)  # the preview
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Something went wrong" not in alert.inner_text()
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("No link: this dataset is not saved in the workspace", exact=False)).to_be_visible()
    assert sidebar.locator("[data-testid='stCode']").count() == 0

    page.get_by_role("link", name="Open on the segments page").click()  # explored from memory
    wait_for_app(page)
    expect(page.get_by_text("n = 60 of 60 respondents")).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_text("No link: this dataset is not saved in the workspace", exact=False)).to_be_visible()

"""A real server lets go of an upload's dataset once the session that uploaded it has ended."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from digistrat import sample
from digistrat.datasets import content_id
from tests.browser.conftest import AppServer, wait_for_app

TTL = 4  # seconds Streamlit keeps a disconnected session for a reconnect (default 120)


def released_lines(server: AppServer, dataset_id: str) -> list[str]:
    return [line for line in server.log.read_text(errors="replace").splitlines()
            if "digistrat.memory: session" in line and dataset_id in line]


def test_an_uploaded_dataset_is_released_when_its_session_ends_and_not_before(browser: Browser, tmp_path: Path):
    data = sample.to_csv_bytes(sample.generate_panel(3_000, 41))
    dataset_id = content_id(data)
    server = AppServer(env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(TTL)}, workspace=tmp_path / "ws")
    server.start()
    try:
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{server.url}/upload?lang=en")
        wait_for_app(page)
        page.locator("input[type='file']").set_input_files(
            {"name": "panel.csv", "mimeType": "text/csv", "buffer": data})
        expect(page.get_by_text("Rows read: 3,000", exact=False)).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Open on the segments page").click()
        expect(page.get_by_text("n = 3,000 of 3,000 respondents")).to_be_visible(timeout=60_000)
        # An idle but open tab is a live session: twice the TTL later its dataset is still there.
        time.sleep(2 * TTL)
        assert released_lines(server, dataset_id) == []
        expect(page.get_by_text("n = 3,000 of 3,000 respondents")).to_be_visible()

        context.close()
        deadline = time.monotonic() + 60
        while not released_lines(server, dataset_id) and time.monotonic() < deadline:
            time.sleep(0.5)
        lines = released_lines(server, dataset_id)
        assert len(lines) == 1, server.log.read_text()
        # the dataset and the segments page's structures built from it: more than nothing
        found = re.search(r"released (\d+) cached structures of .*\((\d+\.\d) MB\)", lines[0])
        assert found and int(found[1]) >= 2 and float(found[2]) > 0.1, lines[0]
    finally:
        server.stop()

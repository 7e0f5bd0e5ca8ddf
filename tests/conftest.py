"""Every test saves uploads in its own temporary workspace, never in the user's data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _temporary_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))

"""Every test saves uploads in its own temporary workspace, never in the user's data directory,
and every chart spec a page draws is validated against the Vega-Lite schema (the app skips it)."""

from __future__ import annotations

import pytest

from digistrat import charts


@pytest.fixture(autouse=True)
def _validated_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "VALIDATE", True)
    monkeypatch.setattr(charts, "_specs", type(charts._specs)())  # specs built unvalidated are not reused


@pytest.fixture(autouse=True)
def _temporary_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))

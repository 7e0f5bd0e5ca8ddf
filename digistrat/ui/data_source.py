"""Which dataset a page works on: the bundled sample or one of the user's uploads."""

from __future__ import annotations

from digistrat import datasets
from digistrat.ui.common import bundled

SAMPLES = {"survey": datasets.SAMPLE_PANEL, "traffic": datasets.SAMPLE_SESSIONS}


def active_dataset(kind: str) -> datasets.Dataset:
    """The dataset the user chose for a page of this kind ("survey" or "traffic")."""
    return bundled(SAMPLES[kind])

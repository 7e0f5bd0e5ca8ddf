"""Which dataset a page works on: the bundled sample or one of the user's uploads.

Uploads live in the session (`st.session_state`), keyed by content id, with the choices the
user made on the "Your data" page (table, sheet, roles, mappings, bad weights). The dataset
itself is rebuilt from those through one cached loader, so every page sees the same figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import streamlit as st

from digistrat import datasets
from digistrat.read import Limits, TableInfo
from digistrat.ui.common import bundled, t

SAMPLES = {"survey": datasets.SAMPLE_PANEL, "traffic": datasets.SAMPLE_SESSIONS}
# Dataset kinds each kind of page can show. An aggregated survey table has no respondents
# to filter, so only the upload page shows it.
PAGE_KINDS = {
    "survey": ("survey",),
    "traffic": ("traffic", "traffic_by_channel", "traffic_by_source_medium"),
}
SAMPLE = "sample"
UPLOADS_KEY = "uploads"
ACTIVE_KEY = "active_sources"
MEGABYTE = 1024 * 1024


@dataclass
class Upload:
    """A file the user uploaded and the reading choices made on it."""

    id: str
    name: str
    data: bytes = field(repr=False)
    table: int = 0
    sheet: str | None = None
    role_overrides: dict[str, str] = field(default_factory=dict)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    exclude_bad_weights: bool = True
    kind: str | None = None  # of the last dataset read from it; None until it reads
    # From the last good read, so the pickers stay when a chosen table or sheet is refused.
    tables: tuple[TableInfo, ...] = ()
    sheets: tuple[str, ...] = ()


def upload_limits() -> Limits:
    """The reader's byte limit follows the uploader's (server.maxUploadSize, in MB)."""
    return Limits(max_bytes=int(st.get_option("server.maxUploadSize")) * MEGABYTE)


@st.cache_resource(show_spinner=False, max_entries=32)
def _load(content_id: str, _data: bytes, name: str, settings: str) -> datasets.Dataset:
    # Keyed by the content id and the choices (as JSON); the bytes themselves are not hashed.
    chosen = json.loads(settings)
    return datasets.load_bytes(
        _data, name, table=chosen["table"], sheet=chosen["sheet"], role_overrides=chosen["role_overrides"],
        mappings=chosen["mappings"], exclude_bad_weights=chosen["exclude_bad_weights"], limits=upload_limits(),
    )


def load_upload(upload: Upload, **changes: object) -> datasets.Dataset:
    """The dataset of an upload with its choices (or with `changes` to them); raises InputError."""
    settings = {
        "table": upload.table, "sheet": upload.sheet, "role_overrides": upload.role_overrides,
        "mappings": upload.mappings, "exclude_bad_weights": upload.exclude_bad_weights, **changes,
    }
    return _load(upload.id, upload.data, upload.name, json.dumps(settings, sort_keys=True, ensure_ascii=False))


def uploads() -> dict[str, Upload]:
    return st.session_state.setdefault(UPLOADS_KEY, {})


def add_upload(name: str, data: bytes) -> Upload:
    """Register uploaded bytes; the same content uploaded again keeps its earlier choices."""
    store = uploads()
    content = datasets.content_id(data)
    if content not in store:
        store[content] = Upload(id=content, name=name, data=data)
    return store[content]


def set_active(page_kind: str, upload_id: str) -> None:
    """Make an upload the dataset of every page of this kind ("survey" or "traffic")."""
    st.session_state.setdefault(ACTIVE_KEY, {})[page_kind] = upload_id


def page_kind_of(kind: str) -> str | None:
    """Which kind of page shows a dataset of this kind, if any."""
    return next((page for page, kinds in PAGE_KINDS.items() if kind in kinds), None)


def active_dataset(kind: str) -> datasets.Dataset:
    """The dataset the user chose for a page of this kind ("survey" or "traffic").

    A sidebar selectbox lists the bundled sample and the uploads of matching kinds.
    """
    choices = [SAMPLE] + [u.id for u in uploads().values() if u.kind in PAGE_KINDS[kind]]
    active = st.session_state.setdefault(ACTIVE_KEY, {})
    widget = f"data_source_{kind}"
    # The widget's own state is dropped on pages without it; the choice lives in ACTIVE_KEY.
    st.session_state[widget] = active.get(kind) if active.get(kind) in choices else SAMPLE

    def remember() -> None:
        active[kind] = st.session_state[widget]

    # Labels fixed now: a format_func may be called outside the script run (AppTest does).
    names = {SAMPLE: t(f"data_source.sample_{kind}")}
    names.update({u: t("data_source.upload", name=uploads()[u].name) for u in choices[1:]})
    chosen = st.sidebar.selectbox(
        t("data_source.label"), choices, key=widget, format_func=names.get, on_change=remember,
        help=t("data_source.help"),
    )
    if chosen == SAMPLE:
        return bundled(SAMPLES[kind])
    # Its choices were valid when the upload page last read it, so this does not raise.
    return load_upload(uploads()[chosen])

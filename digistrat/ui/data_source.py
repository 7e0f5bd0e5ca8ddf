"""Which dataset a page works on: the bundled sample or one of the user's uploads.

Uploads live in the session (`st.session_state`), keyed by content id, with the choices the
user made on the "Your data" page (table, sheet, roles, mappings, bad weights). The dataset
itself is rebuilt from those through one cached loader, so every page sees the same figures.

Every upload is also saved in the workspace (`digistrat.workspace`): a link with `?ds=<id>`
opens it in any session, also after a restart. A session lists only the saved datasets it
saved or opened by link (their ids are kept in the session), never other people's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import streamlit as st

from digistrat import datasets
from digistrat.errors import DigistratError, WorkspaceError
from digistrat.i18n import format_number
from digistrat.read import Limits, TableInfo
from digistrat.ui import url_state
from digistrat.ui.common import bundled, lang, t
from digistrat.workspace import QUOTA_ENV, WORKSPACE_ENV, LoadSettings, SavedDataset, Workspace, check_id, default_root

SAMPLES = {"survey": datasets.SAMPLE_PANEL, "traffic": datasets.SAMPLE_SESSIONS}
# Dataset kinds each kind of page can show. An aggregated survey table has no respondents
# to filter, so only the upload page shows it.
PAGE_KINDS = {
    "survey": ("survey",),
    "traffic": ("traffic", "traffic_by_channel", "traffic_by_source_medium", "traffic_by_device"),
}
SAMPLE = "sample"
UPLOADS_KEY = "uploads"
ACTIVE_KEY = "active_sources"
SAVED_KEY = "saved_ids"  # ids this session saved or opened by link, in that order
DATASET_PARAM = "ds"
MEGABYTE = 1024 * 1024
UPLOAD_PAGE = "digistrat/ui/pages/upload.py"


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
    saved: LoadSettings | None = None  # the choices last saved to the workspace; None: not saved

    def settings(self) -> LoadSettings:
        return LoadSettings(
            table=self.table, sheet=self.sheet, role_overrides=dict(self.role_overrides),
            mappings={c: dict(m) for c, m in self.mappings.items()}, exclude_bad_weights=self.exclude_bad_weights,
        )


def upload_limits() -> Limits:
    """The reader's byte limit follows the uploader's (server.maxUploadSize, in MB)."""
    return Limits(max_bytes=int(st.get_option("server.maxUploadSize")) * MEGABYTE)


@st.cache_resource(show_spinner=False)
def _workspace(root: str, quota: str) -> Workspace:
    return Workspace(root)


def workspace() -> Workspace:
    """The workspace: $DIGISTRAT_WORKSPACE, else the user's data directory (never the repository)."""
    return _workspace(os.environ.get(WORKSPACE_ENV) or str(default_root()), os.environ.get(QUOTA_ENV, ""))


@st.cache_resource(show_spinner=False, max_entries=32)
def _load(content_id: str, _data: bytes, name: str, settings: str) -> datasets.Dataset:
    # Keyed by the content id and the choices (as JSON); the bytes themselves are not hashed.
    chosen = json.loads(settings)
    try:
        ws = workspace()
    except WorkspaceError:
        ws = None  # no workspace folder: the bytes in the session are read (the save says why)
    if ws is not None and ws.exists(content_id) and ws.settings(content_id) == LoadSettings.from_dict(chosen):
        loaded = ws.load(content_id)  # saved with these very choices: the Parquet frame, no re-reading
        return datasets.Dataset(loaded.id, name, loaded.frame, loaded.read, loaded.roles, loaded.normalised)
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


def saved_ids() -> list[str]:
    return st.session_state.setdefault(SAVED_KEY, [])


def _remember(dataset_id: str) -> None:
    if dataset_id not in saved_ids():
        saved_ids().append(dataset_id)


def saved_datasets() -> list[SavedDataset]:
    """The saved datasets this session knows, newest first (a broken workspace lists none)."""
    if not saved_ids():
        return []
    try:
        return workspace().list(only=saved_ids())
    except DigistratError:
        return []


def display_names() -> dict[str, str]:
    """Dataset id -> the name people see (the saved name, which they can change; else the file's)."""
    names = {u.id: u.name for u in uploads().values()}
    names.update({entry.id: entry.name for entry in saved_datasets()})
    return names


def save(upload: Upload, dataset: datasets.Dataset) -> SavedDataset | None:
    """Keep an upload with its current choices in the workspace; the new entry if this saved
    anything, None if it was saved with these choices already. Raises DigistratError (quota…)."""
    settings = upload.settings()
    if upload.saved == settings:
        return None
    entry = workspace().save(upload.data, upload.name, settings, dataset=dataset)
    upload.saved = settings
    _remember(upload.id)
    return entry


def link_state(dataset_id: str) -> str:
    """What a link to this dataset opens elsewhere: "saved" (what this session shows), "older"
    (the choices saved last: the current ones were not kept), "unsaved" (nothing: the workspace
    never kept it, so it is only in this session)."""
    upload = uploads().get(dataset_id)
    if upload is None or upload.saved == upload.settings():
        return "saved"
    return "unsaved" if upload.saved is None else "older"


def open_saved(dataset_id: str) -> Upload:
    """A saved dataset (from a link) as one of this session's uploads; InputError if there is none."""
    check_id(dataset_id)
    if dataset_id in uploads() and uploads()[dataset_id].saved is not None:
        return uploads()[dataset_id]
    ws = workspace()
    info = ws.info(dataset_id)
    settings = ws.settings(dataset_id)
    upload = Upload(
        id=dataset_id, name=info.file_name, data=ws.original(dataset_id), table=settings.table,
        sheet=settings.sheet, role_overrides=dict(settings.role_overrides),
        mappings={c: dict(m) for c, m in settings.mappings.items()},
        exclude_bad_weights=settings.exclude_bad_weights, kind=info.kind, saved=settings,
    )
    uploads()[dataset_id] = upload
    _remember(dataset_id)
    return upload


def open_linked() -> Upload | None:
    """The dataset a shared link names (?ds=), once per session; its error is said on the page."""
    requested = url_state.initial(DATASET_PARAM)
    if not requested:
        return None
    try:
        upload = open_saved(requested[-1])
    except DigistratError as error:
        st.error(str(error), icon=":material/link_off:")
        return None
    page_kind = page_kind_of(upload.kind or "")
    if page_kind is not None:
        set_active(page_kind, upload.id)
    return upload


def rename(dataset_id: str, name: str) -> SavedDataset:
    return workspace().rename(dataset_id, name)


def delete(dataset_id: str) -> None:
    """Delete a saved dataset from the workspace and from this session."""
    workspace().delete(dataset_id)
    uploads().pop(dataset_id, None)
    if dataset_id in saved_ids():
        saved_ids().remove(dataset_id)
    active = st.session_state.setdefault(ACTIVE_KEY, {})
    for kind in [k for k, v in active.items() if v == dataset_id]:
        del active[kind]


def _saved_list() -> None:
    """Sidebar: the saved datasets of this session (name, rows, date) and where to manage them."""
    entries = saved_datasets()
    if not entries:
        return
    language = lang()
    with st.sidebar.expander(t("ws.sidebar", n=len(entries))):
        st.markdown("\n".join(
            f"- **{entry.name}** · {t('ws.rows', n=format_number(entry.rows, language))} · {saved_date(entry)}"
            for entry in entries
        ))
        st.page_link(UPLOAD_PAGE, label=t("ws.manage"), icon=":material/edit:")


def saved_date(entry: SavedDataset) -> str:
    day = entry.saved_at.astimezone().date()
    return day.strftime("%d/%m/%Y") if lang() == "fr" else day.isoformat()


def active_dataset(kind: str) -> datasets.Dataset:
    """The dataset the user chose for a page of this kind ("survey" or "traffic").

    A sidebar selectbox lists the bundled sample and the uploads of matching kinds; a link's
    ?ds=<id> chooses a saved one, and the chosen one goes back into the URL.
    """
    open_linked()
    choices = [SAMPLE] + [u.id for u in uploads().values() if u.kind in PAGE_KINDS[kind]]
    active = st.session_state.setdefault(ACTIVE_KEY, {})
    widget = f"data_source_{kind}"
    # The widget's own state is dropped on pages without it; the choice lives in ACTIVE_KEY.
    st.session_state[widget] = active.get(kind) if active.get(kind) in choices else SAMPLE

    def remember() -> None:
        active[kind] = st.session_state[widget]

    # Labels fixed now: a format_func may be called outside the script run (AppTest does).
    names = {SAMPLE: t(f"data_source.sample_{kind}")}
    shown = display_names()
    names.update({u: t("data_source.upload", name=shown.get(u, uploads()[u].name)) for u in choices[1:]})
    chosen = st.sidebar.selectbox(
        t("data_source.label"), choices, key=widget, format_func=names.get, on_change=remember,
        help=t("data_source.help"),
    )
    _saved_list()
    url_state.publish(DATASET_PARAM, None if chosen == SAMPLE else [chosen])
    if chosen == SAMPLE:
        return bundled(SAMPLES[kind])
    # Its choices were valid when the upload page last read it, so this does not raise.
    return load_upload(uploads()[chosen])

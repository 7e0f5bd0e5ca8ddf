"""Which dataset a page works on: the bundled sample or one of the user's uploads.

Uploads live in the session (`st.session_state`), keyed by content id, with the choices the
user made on the "Your data" page (one `datasets.LoadSettings`). The dataset itself is rebuilt
from those through one cached loader keyed by the content id and the settings, so every page
sees the same figures; which page shows it is its schema's (`Dataset.page`).

Every upload is also saved in the workspace (`digistrat.workspace`): a link with `?ds=<id>`
opens it in any session, also after a restart. A session lists only the saved datasets it
saved or opened by link (their ids are kept in the session), never other people's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import streamlit as st

from digistrat import datasets
from digistrat.errors import DigistratError, WorkspaceError
from digistrat.i18n import format_date, format_number
from digistrat.read import Limits, TableInfo
from digistrat.ui import memory, url_state
from digistrat.ui.common import bundled, lang, t
from digistrat.datasets import LoadSettings
from digistrat.workspace import QUOTA_ENV, WORKSPACE_ENV, SavedDataset, Workspace, check_id, default_root

SAMPLES = {"survey": datasets.SAMPLE_PANEL, "traffic": datasets.SAMPLE_SESSIONS}
SAMPLE = "sample"
UPLOADS_KEY = "uploads"
ACTIVE_KEY = "active_sources"
CONNECTED_KEY = "connected"
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
    settings: LoadSettings = field(default_factory=LoadSettings)
    page: str | None = None  # the page that shows the last dataset read from it; None: upload page only
    read: bool = False  # whether it read at all with the current settings
    # From the last good read, so the pickers stay when a chosen table or sheet is refused.
    tables: tuple[TableInfo, ...] = ()
    sheets: tuple[str, ...] = ()
    saved: LoadSettings | None = None  # the choices last saved to the workspace; None: not saved

    def release(self) -> None:
        """Its session ended: the bytes go even where Streamlit still holds the session's state
        (widget callbacks keep the upload as an argument)."""
        self.data = b""


def upload_limits() -> Limits:
    """The reader's byte limit follows the uploader's (server.maxUploadSize, in MB)."""
    return Limits(max_bytes=int(st.get_option("server.maxUploadSize")) * MEGABYTE)


@st.cache_resource(show_spinner=False)
def _workspace(root: str, quota: str) -> Workspace:
    return Workspace(root)


def workspace() -> Workspace:
    """The workspace: $DIGISTRAT_WORKSPACE, else the user's data directory (never the repository)."""
    return _workspace(os.environ.get(WORKSPACE_ENV) or str(default_root()), os.environ.get(QUOTA_ENV, ""))


def _load(content_id: str, data: bytes, name: str, settings: LoadSettings) -> datasets.Dataset:
    # Keyed by the content id and the settings (a frozen value); the bytes themselves are not hashed.
    return memory.cached(("dataset", content_id, name, settings), lambda: _read(content_id, data, name, settings),
                         owner=content_id)


def _read(content_id: str, data: bytes, name: str, settings: LoadSettings) -> datasets.Dataset:
    try:
        ws = workspace()
    except WorkspaceError:
        ws = None  # no workspace folder: the bytes in the session are read (the save says why)
    if ws is not None and ws.exists(content_id) and ws.settings(content_id) == settings:
        loaded = ws.load(content_id)  # saved with these very choices: the Parquet frame, no re-reading
        return replace(loaded, name=name)
    return datasets.load_bytes(data, name, settings, limits=upload_limits())


def load_upload(upload: Upload, settings: LoadSettings | None = None) -> datasets.Dataset:
    """The dataset of an upload with its choices (or with `settings` instead); raises InputError."""
    return _load(upload.id, upload.data, upload.name, settings or upload.settings)


def connected() -> dict[str, datasets.Dataset]:
    """The datasets this session connected ("Connect a data source"), by id: their cube lives here only."""
    return st.session_state.setdefault(CONNECTED_KEY, {})


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
    settings = upload.settings
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
    if dataset_id in connected():
        return "unsaved"  # a connected source's cube lives in this session only
    upload = uploads().get(dataset_id)
    if upload is None or upload.saved == upload.settings:
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
    upload = Upload(id=dataset_id, name=info.file_name, data=ws.original(dataset_id), settings=settings,
                    page=info.page, read=True, saved=settings)
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
        st.error(error.text(lang()), icon=":material/link_off:")
        return None
    if upload.page is not None:
        set_active(upload.page, upload.id)
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
    return format_date(entry.saved_at.astimezone().date(), lang())


def active_dataset(kind: str) -> datasets.Dataset:
    """The dataset the user chose for a page of this kind ("survey" or "traffic").

    A sidebar selectbox lists the bundled sample and the uploads of matching kinds; a link's
    ?ds=<id> chooses a saved one, and the chosen one goes back into the URL.
    """
    open_linked()
    linked = connected() if kind == "traffic" else {}
    choices = [SAMPLE] + [u.id for u in uploads().values() if u.page == kind] + list(linked)
    active = st.session_state.setdefault(ACTIVE_KEY, {})
    widget = f"data_source_{kind}"
    # The widget's own state is dropped on pages without it; the choice lives in ACTIVE_KEY.
    st.session_state[widget] = active.get(kind) if active.get(kind) in choices else SAMPLE

    def remember() -> None:
        active[kind] = st.session_state[widget]

    # Labels fixed now: a format_func may be called outside the script run (AppTest does).
    names = {SAMPLE: t(f"data_source.sample_{kind}")}
    shown = display_names()
    names.update({u: t("data_source.upload", name=shown.get(u, uploads()[u].name)) for u in choices[1:]
                  if u not in linked})
    names.update({c: t("data_source.upload", name=linked[c].name) for c in linked})
    chosen = st.sidebar.selectbox(
        t("data_source.label"), choices, key=widget, format_func=names.get, on_change=remember,
        help=t("data_source.help"),
    )
    _saved_list()
    url_state.publish(DATASET_PARAM, None if chosen == SAMPLE else [chosen])
    if chosen == SAMPLE:
        return bundled(SAMPLES[kind])
    if chosen in linked:
        return linked[chosen]
    # Its choices were valid when the upload page last read it, so this does not raise.
    return load_upload(uploads()[chosen])

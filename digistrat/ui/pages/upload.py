"""'Your data' page: upload a file, check what was detected, correct roles and values, preview.

Every choice (table, sheet, column roles, value mappings, bad weights) is stored on the
session's Upload and validated by reading the file again through the one pipeline before it
is kept; a choice the core refuses is shown as its one-sentence message and not applied.
"""

from __future__ import annotations

import logging

import polars as pl
import streamlit as st

from digistrat import datasets, present, traffic
from digistrat.datasets import LoadSettings
from digistrat.errors import DigistratError
from digistrat.i18n import format_number, label
from digistrat.normalise import EXCLUDE, MAX_REPORTED_ROWS
from digistrat.read import SEPARATOR_NAMES, UPLOAD_SUFFIXES, describe
from digistrat.roles import ROLES
from digistrat.schema import SurveySchema
from digistrat.segments import SEGMENT_BY_KEY, SEGMENT_KEYS
from digistrat.ui import connect, url_state
from digistrat.ui.common import lang, t
from digistrat.ui.data_source import (
    DATASET_PARAM, Upload, add_upload, delete, display_names, load_upload, open_linked, rename,
    save, saved_datasets, saved_date, set_active, uploads,
)
from digistrat.vocabulary import DEVICE_KEYS

LOG = logging.getLogger(__name__)
FILE_TYPES = [suffix.removeprefix(".") for suffix in UPLOAD_SUFFIXES]
UPLOADER_KEY = "upload_file"
CURRENT_KEY = "upload_current"
LAST_FILE_KEY = "upload_last_file"
PICK_KEY = "upload_pick"
CHOICE_ERROR_KEY = "upload_choice_error"
# What a rename or a delete did, said on the next run as a status message (a toast is a dialog
# without a name for screen readers, gone before some can read it).
NOTICE_KEY = "upload_notice"
SINGLE_ROLES = frozenset(ROLES) - {"dimension", "measure", "ignore"}
MARK_KEYS = {",": "comma", ".": "dot", " ": "space", "\u00a0": "nbsp", "\u202f": "nnbsp", "\u2009": "thin"}
SHOWN_LINES = 10
EXAMPLE_VALUES = 3
PAGES = {"survey": "digistrat/ui/pages/segments.py", "traffic": "digistrat/ui/pages/channels.py"}


def _failure_message(error: Exception, unexpected: str = "upload.unexpected") -> str:
    """The core's own sentence (bad input, a workspace fault); a bug gets the generic sentence
    `unexpected` and goes to the log."""
    if isinstance(error, DigistratError):
        return error.text(lang())
    LOG.error("an upload failed", exc_info=error)
    return t(unexpected)


def _try_choice(upload: Upload, settings: LoadSettings) -> None:
    """Keep new settings only if the pipeline accepts them; otherwise say why on the next run."""
    try:
        load_upload(upload, settings)
    except Exception as error:  # every failure becomes one sentence on the page
        st.session_state[CHOICE_ERROR_KEY] = _failure_message(error)
        return
    st.session_state.pop(CHOICE_ERROR_KEY, None)
    upload.settings = settings


# ---------------------------------------------------------------- callbacks of the choices


def _choose_table(upload: Upload, key: str) -> None:
    # another table has other columns: its roles and mappings start afresh
    upload.settings = upload.settings.changed(table=st.session_state[key], roles={}, groups={}, mappings={})


def _choose_sheet(upload: Upload, key: str) -> None:
    upload.settings = upload.settings.changed(sheet=st.session_state[key], roles={}, groups={}, mappings={})


def _choose_role(upload: Upload, column: str, key: str) -> None:
    role = st.session_state[key]
    chosen = upload.settings
    overrides = {c: r for c, r in chosen.role_overrides.items() if r != role or role not in SINGLE_ROLES}
    overrides[column] = role
    groups = {c: g for c, g in chosen.group_overrides.items() if overrides.get(c, "option") == "option"}
    try:
        probe = load_upload(upload, chosen.changed(roles=overrides, groups=groups, mappings={}))
    except Exception as error:  # refused roles are said, not applied
        st.session_state[CHOICE_ERROR_KEY] = _failure_message(error)
        return
    # Mappings belong to the segment and device columns; they go when the role moves away.
    mappings = {c: m for c, m in chosen.value_mappings.items() if probe.roles.roles.get(c) in ("segment", "device")}
    _try_choice(upload, chosen.changed(roles=overrides, groups=groups, mappings=mappings))


def _choose_group(upload: Upload, column: str, key: str) -> None:
    """Option columns given the same question name are the options of one question."""
    name = " ".join(str(st.session_state[key]).split()) or column
    groups = {**upload.settings.group_overrides, column: name}
    _try_choice(upload, upload.settings.changed(groups=groups))


def _choose_weight_rule(upload: Upload, key: str) -> None:
    upload.settings = upload.settings.changed(weight_rule="exclude" if st.session_state[key] else "unweighted")


def _preset(key: str, value: object) -> None:
    """Show the stored choice in a widget (its own state is lost on other pages)."""
    st.session_state[key] = value


# ---------------------------------------------------------------- sections


def _current_upload() -> Upload | None:
    linked = open_linked()
    if linked is not None:
        st.session_state[CURRENT_KEY] = linked.id
    file = st.file_uploader(t("upload.file"), type=FILE_TYPES, key=UPLOADER_KEY, help=t("upload.file_help"))
    if file is not None and st.session_state.get(LAST_FILE_KEY) != file.file_id:
        st.session_state[LAST_FILE_KEY] = file.file_id
        st.session_state[CURRENT_KEY] = add_upload(file.name, file.getvalue()).id
        st.session_state.pop(CHOICE_ERROR_KEY, None)
    store = uploads()
    if st.session_state.get(CURRENT_KEY) not in store:
        return None
    url_state.publish(DATASET_PARAM, [st.session_state[CURRENT_KEY]])
    if len(store) > 1:
        _preset(PICK_KEY, st.session_state[CURRENT_KEY])
        names = {upload_id: display_names().get(upload_id, upload.name) for upload_id, upload in store.items()}
        st.selectbox(
            t("upload.previous"), list(store), key=PICK_KEY, format_func=names.get,
            on_change=lambda: st.session_state.update({CURRENT_KEY: st.session_state[PICK_KEY]}),
        )
    return store[st.session_state[CURRENT_KEY]]


def _table_and_sheet(upload: Upload, dataset: datasets.Dataset | None) -> None:
    """Pickers for a multi-table export or a workbook (from the last good read if this one failed)."""
    report = dataset.read if dataset else None
    if report is not None:
        upload.tables = report.tables
        upload.sheets = report.sheets
    if len(upload.tables) > 1:
        key = f"table_{upload.id}"
        _preset(key, upload.settings.table)
        titles = {
            info.index: t(
                "upload.table_option", index=info.index, title=info.title or t("upload.untitled"),
                columns=", ".join(info.columns), rows=format_number(info.rows, lang()),
            )
            for info in upload.tables
        }
        st.selectbox(t("upload.table"), list(titles), key=key, format_func=titles.get,
                     on_change=_choose_table, args=(upload, key))
    if len(upload.sheets) > 1:
        key = f"sheet_{upload.id}"
        _preset(key, upload.settings.sheet or upload.sheets[0])
        st.selectbox(t("upload.sheet"), list(upload.sheets), key=key, on_change=_choose_sheet, args=(upload, key))


def _mark(mark: str | None) -> str:
    return t(f"mark.{MARK_KEYS.get(mark, 'none')}") if mark in MARK_KEYS or mark is None else repr(mark)


def _detected(dataset: datasets.Dataset) -> None:
    language = lang()
    report, normalised = dataset.read, dataset.normalised
    st.header(t("upload.detected"))
    lines = []
    if report.format == "csv":
        separator = SEPARATOR_NAMES.get(report.separator or ",")
        lines.append(t("upload.format_csv", encoding=report.encoding, separator=t(f"sep.{separator}"),
                       decimal=_mark(report.decimal), thousands=_mark(report.thousands)))
        lines.append(t("upload.header_line", line=report.header_line))
        if report.preamble:
            lines.append(t("upload.preamble", n=len(report.preamble)))
    elif report.format == "xlsx":
        lines.append(t("upload.format_xlsx", sheet=report.sheet))
    else:
        lines.append(t("upload.format_parquet"))
    if report.percent_columns:
        lines.append(t("upload.percent_columns", columns=", ".join(report.percent_columns)))
    if report.tool:
        lines.append(t("upload.tool", tool=t(f"tool.{report.tool}"), header_rows=report.header_rows))
    lines.append(t("upload.kind", kind=t(f"kind.{dataset.kind}")))
    left = sum(normalised.left_out.values())
    lines.append(t("upload.rows", read=format_number(normalised.rows_read, language),
                   used=format_number(normalised.rows_used, language), left=format_number(left, language)))
    st.markdown("\n".join(f"- {line}" for line in lines))
    reasons = [t(f"upload.left_out.{why}", n=format_number(n, language)) for why, n in normalised.left_out.items() if n]
    if reasons:
        st.markdown("\n".join(f"    - {reason}" for reason in reasons))
    schema = dataset.schema
    if isinstance(schema, SurveySchema) and schema.skipped:
        skipped = [s for s in schema.skipped if s.reason != "ignored"]
        if skipped:
            st.caption(t("upload.skipped", columns="; ".join(
                t(f"upload.skipped.{s.reason}", column=s.column, n=format_number(s.values, language)) for s in skipped)))
    if dataset.roles.unsure:
        st.warning(t("upload.unsure", columns=", ".join(f"« {c} »" if language == "fr" else f"'{c}'"
                                                         for c in dataset.roles.unsure)), icon=":material/help:")
    with st.expander(t("upload.details")):
        st.text("\n".join([*describe(report), *(note.text(language) for note in normalised.notes)]))


def _examples(frame: pl.DataFrame, column: str) -> str:
    if column not in frame.columns:
        return ""
    values = frame[column].head(1000).drop_nulls().unique(maintain_order=True).head(EXAMPLE_VALUES)
    if frame.schema[column].is_numeric():
        # numbers as the reader understood them, written the way the user's language writes them
        return " · ".join(format_number(v, lang(), 0 if float(v).is_integer() else 2) for v in values.to_list())
    return " · ".join(str(v)[:30] for v in values.to_list())


def _role_editor(upload: Upload, dataset: datasets.Dataset) -> None:
    st.header(t("upload.roles"))
    st.caption(t("upload.roles_help"))
    prefix = f"role_{upload.id}_{upload.settings.table}_{upload.settings.sheet}"
    # Labels fixed now: a format_func may be called outside the script run (AppTest does).
    role_names = {role: t(f"role.{role}") for role in ROLES}
    language = lang()
    for index, (column, role) in enumerate(dataset.roles.roles.items()):
        key = f"{prefix}_{index}"
        _preset(key, role)
        reason = dataset.roles.reasons.get(column)
        name, choice = st.columns([2, 3], vertical_alignment="center")
        flag = " ⚠" if column in dataset.roles.unsure else ""
        name.markdown(f"**{column}**{flag}  \n" + t("upload.examples", values=_examples(dataset.frame, column)))
        choice.selectbox(
            column, ROLES, key=key, format_func=role_names.get, label_visibility="collapsed",
            help=reason.text(language) if reason else None,
            on_change=_choose_role, args=(upload, column, key),
        )
        if role == "option":
            group_key = f"{prefix}_{index}_question"
            _preset(group_key, dataset.roles.groups.get(column, column))
            choice.text_input(t("upload.question_of_option"), key=group_key, help=t("upload.question_of_option_help"),
                              on_change=_choose_group, args=(upload, column, group_key))


def _mapping_editor(upload: Upload, dataset: datasets.Dataset) -> None:
    """Unmapped segment / device values, from a read without the user's mappings so the list
    stays put while the user maps it."""
    raw = load_upload(upload, upload.settings.changed(mappings={})) if upload.settings.mappings else dataset
    if not raw.normalised.unmapped:
        return
    language = lang()
    segment_column = dataset.roles.column_for("segment")
    st.header(t("upload.unmapped"))
    changed: list[tuple[str, dict[str, str]]] = []
    for unmapped in raw.normalised.unmapped:
        column = unmapped.column
        if column == segment_column:
            keys, note = SEGMENT_KEYS, "upload.unmapped_segment"
            names = {k: SEGMENT_BY_KEY[k].label(language) for k in keys}
        else:
            keys, note = DEVICE_KEYS, "upload.unmapped_device"
            names = {k: label(f"device.{k}", language) for k in keys}
        names[EXCLUDE] = t("upload.exclude")
        chosen = upload.settings.value_mappings.get(column, {})
        values = unmapped.values["value"].to_list()
        table = pl.DataFrame({
            "value": values,
            "rows": unmapped.values["rows"],
            "map_to": pl.Series([chosen.get(v) for v in values], dtype=pl.String),
        })
        key = f"map_{upload.id}_{upload.settings.table}_{upload.settings.sheet}_{column}"
        st.caption(t(note, column=column))
        edited = st.data_editor(
            table, key=key, hide_index=True, width="stretch", disabled=["value", "rows"],
            column_config={
                "value": st.column_config.TextColumn(t("upload.value")),
                "rows": st.column_config.NumberColumn(t("upload.rows_column"), format="localized"),
                "map_to": st.column_config.SelectboxColumn(
                    t("upload.map_to"), options=[*keys, EXCLUDE], format_func=names.get
                ),
            },
        )
        # The edited table is the truth (it also holds edits seeded in the widget's state).
        mapping = {v: m for v, m in zip(values, pl.from_pandas(edited)["map_to"].to_list()
                                         if not isinstance(edited, pl.DataFrame) else edited["map_to"].to_list()) if m}
        if mapping != chosen:
            changed.append((column, mapping))
    if changed:
        settings = upload.settings.changed(mappings={**upload.settings.value_mappings, **dict(changed)})
        try:
            load_upload(upload, settings)
        except Exception as error:  # a refused mapping is said and not kept
            st.error(_failure_message(error), icon=":material/error:")
            return
        upload.settings = settings
        st.rerun()


def _bad_weights(upload: Upload, dataset: datasets.Dataset) -> None:
    normalised = dataset.normalised
    if not normalised.bad_weight_rows:
        return
    language = lang()
    count = len(normalised.bad_weight_rows)
    shown = normalised.bad_weight_lines or normalised.bad_weight_rows
    listing = ", ".join(format_number(n, language) for n in shown[:SHOWN_LINES]) + (", …" if count > SHOWN_LINES else "")
    where = t("upload.bad_weights_lines" if normalised.bad_weight_lines else "upload.bad_weights_rows",
              lines=listing, rows=listing)
    total = format_number(count, language) + ("+" if count >= MAX_REPORTED_ROWS else "")
    st.warning(t("upload.bad_weights", n=total, column=dataset.roles.column_for("weight"), where=where),
               icon=":material/warning:")
    key = f"bad_weights_{upload.id}"
    _preset(key, upload.settings.weight_rule == "exclude")
    st.toggle(t("upload.exclude_bad_weights"), key=key, help=t("upload.exclude_bad_weights_help"),
              on_change=_choose_weight_rule, args=(upload, key))


def _segment_preview(dataset: datasets.Dataset) -> None:
    """Segment shares as the CLI's `shares` gives them (datasets.segment_shares), with their base."""
    if dataset.kind == "survey_table" and dataset.schema.measure is None:
        st.info(t("upload.no_measure"))
        return
    language = lang()
    table = datasets.segment_shares(dataset)
    # the same figures, rounded the same way, as the segments page and the CLI
    st.table(present.segment_shares_table(table, language), hide_index=True)
    if table.column is None:
        caption = t("upload.preview_base", n=format_number(table.base, language))
        if table.weighted:
            caption += " " + t("upload.preview_weighted", column=dataset.schema.weight)
    elif table.base is None:
        caption = t("upload.preview_table", column=table.column) + " " + t("table.shares_only")
    else:
        caption = t("upload.preview_counts", column=table.column, n=format_number(table.base, language))
    if table.column is not None:
        caption += " " + t("upload.table_only")
    st.caption(caption)


def _traffic_preview(dataset: datasets.Dataset) -> None:
    language = lang()
    mix = traffic.channel_mix(dataset)
    st.markdown("**" + traffic.origin_of(dataset).total(mix.sessions).text(language) + "**")
    for prefix, frame, title in (("bucket", mix.buckets, "channels.buckets_chart"),
                                 ("channel", mix.channels, "channels.detail_chart"),
                                 ("device", mix.devices, "channels.devices_chart")):
        if frame.height == 0:
            continue
        st.caption(t(title))
        first = t("column.device") if prefix == "device" else t("column.channel")
        st.table(present.traffic_table(present.traffic_rows(frame, prefix, language), language, first), hide_index=True)


def _preview(upload: Upload, dataset: datasets.Dataset) -> None:
    st.header(t("upload.preview"))
    try:
        if dataset.kind in ("survey", "survey_table") and "segment" in dataset.frame.columns:
            _segment_preview(dataset)
        elif dataset.kind == "survey":
            st.info(t("upload.no_segment"))
        elif dataset.page == "traffic":
            _traffic_preview(dataset)
        else:
            st.info(t("upload.kind_unknown"))
    except Exception as error:  # figures the core refuses are said in one sentence
        st.warning(_failure_message(error))
        return
    page_kind = dataset.page
    if page_kind is None:
        return
    # The file being worked on becomes that page's dataset (its sidebar can switch back).
    # A link, not st.switch_page: switching pages must not clear the bound ?lang= parameter.
    set_active(page_kind, upload.id)
    button = "upload.open_segments" if page_kind == "survey" else "upload.open_channels"
    st.page_link(PAGES[page_kind], label=t(button), icon=":material/arrow_forward:")


# ---------------------------------------------------------------- workspace


def _save(upload: Upload, dataset: datasets.Dataset) -> None:
    """Keep the upload (with its current choices) in the workspace; say so, or say why not."""
    try:
        with st.spinner(t("ws.saving")):
            entry = save(upload, dataset)
    except Exception as error:  # a full disk, the quota, no folder: one sentence; the data stays open
        st.error(_failure_message(error, "ws.unexpected"), icon=":material/save:")
        return
    if entry is not None:
        st.success(t("ws.saved", name=entry.name), icon=":material/cloud_done:")


def _rename(dataset_id: str, key: str) -> None:
    try:
        entry = rename(dataset_id, st.session_state[key])
    except DigistratError as error:
        st.session_state[CHOICE_ERROR_KEY] = error.text(lang())
        return
    st.session_state[NOTICE_KEY] = t("ws.renamed", name=entry.name)


def _delete(dataset_id: str, name: str) -> None:
    try:
        delete(dataset_id)
    except DigistratError as error:
        st.session_state[CHOICE_ERROR_KEY] = error.text(lang())
        return
    if st.session_state.get(CURRENT_KEY) == dataset_id:
        st.session_state.pop(CURRENT_KEY)
    st.session_state[NOTICE_KEY] = t("ws.deleted", name=name)


def _saved_section(current: Upload | None) -> None:
    """This session's saved datasets (name, rows, date); rename or delete the one shown."""
    entries = saved_datasets()
    if not entries:
        return
    language = lang()
    st.header(t("ws.heading"))
    st.caption(t("ws.caption"))
    st.dataframe(
        pl.DataFrame({
            t("ws.col.name"): [e.name for e in entries],
            t("ws.col.file"): [e.file_name for e in entries],
            t("ws.col.kind"): [t(f"kind.{e.kind}") for e in entries],
            t("ws.col.rows"): [format_number(e.rows, language) for e in entries],
            t("ws.col.saved"): [saved_date(e) for e in entries],
        }),
        hide_index=True, width="stretch",
    )
    entry = next((e for e in entries if current is not None and e.id == current.id), None)
    if entry is None:
        return
    key = f"ws_name_{entry.id}"
    st.session_state.setdefault(key, entry.name)  # not reset each run: it holds what the user types
    name, rename_button, delete_button = st.columns([3, 1, 1], vertical_alignment="bottom")
    name.text_input(t("ws.name"), key=key, max_chars=200)
    rename_button.button(t("ws.rename"), key="ws_rename", on_click=_rename, args=(entry.id, key),
                         icon=":material/edit:", width="stretch")
    with delete_button.popover(t("ws.delete"), icon=":material/delete:", width="stretch"):
        st.caption(t("ws.delete_help", name=entry.name))
        st.button(t("ws.delete_confirm"), key="ws_delete", on_click=_delete, args=(entry.id, entry.name),
                  type="primary", icon=":material/delete_forever:")


def _dataset(upload: Upload) -> None:
    """Everything about the file being worked on: read, save, detection, roles, values, preview."""
    try:
        with st.spinner(t("upload.reading")):
            dataset = load_upload(upload)
    except Exception as error:  # refusals are one sentence; no traceback reaches the page
        upload.page, upload.read = None, False
        st.error(_failure_message(error), icon=":material/error:")
        _table_and_sheet(upload, None)
        return
    upload.page, upload.read = dataset.page, True
    _save(upload, dataset)
    _table_and_sheet(upload, dataset)
    if CHOICE_ERROR_KEY in st.session_state:
        st.error(st.session_state.pop(CHOICE_ERROR_KEY), icon=":material/error:")
    _detected(dataset)
    _role_editor(upload, dataset)
    _mapping_editor(upload, dataset)
    _bad_weights(upload, dataset)
    _preview(upload, dataset)


def render() -> None:
    st.title(t("page.upload"))
    st.caption(t("ws.intro"))
    if NOTICE_KEY in st.session_state:
        st.success(st.session_state.pop(NOTICE_KEY), icon=":material/check:")
    upload = _current_upload()
    # Drawn under the uploader, filled last: the listing includes what this run saved.
    saved_box = st.container()
    if upload is not None:
        _dataset(upload)
    with saved_box:
        _saved_section(upload)
    connect.section()


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

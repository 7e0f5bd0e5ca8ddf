""""Connect a data source" on the upload page: a GA4 export's Parquet folder (or a named
connection from `.streamlit/secrets.toml`) and a date range; an engine computes the origin
cube where the data lives (`digistrat.engines`), and the cube becomes a traffic dataset of
this session that every page uses as any other.

secrets.toml names connections like this (credentials stay in the environment):

    [digistrat.sources.shop]
    engine = "bigquery"
    project = "my-project"
    dataset = "analytics_123456789"

    [digistrat.sources.lake]
    engine = "spark"
    master = "spark://spark-master:7077"
    path = "s3a://bucket/ga4/"
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from digistrat import engines
from digistrat.datasets import Dataset
from digistrat.errors import DigistratError
from digistrat.i18n import format_number
from digistrat.ui import memory
from digistrat.ui.common import lang, t
from digistrat.ui.data_source import connected

CUSTOM = ""
CHANNELS_PAGE = "digistrat/ui/pages/channels.py"


def named_sources() -> dict[str, engines.Source]:
    """The connections secrets.toml names under [digistrat.sources]; none without the file."""
    try:
        table = st.secrets.get("digistrat", {}).get("sources", {})
    except Exception:  # no secrets.toml at all: no named connection
        return {}
    found = {}
    for name, values in table.items():
        try:
            found[name] = engines.source_from_mapping(name, dict(values))
        except DigistratError:
            continue  # a connection naming an unknown engine is not offered
    return found


def _cube(source: engines.Source) -> engines.EngineCube:
    # Shared by the sessions of this server: the same source and range is computed once.
    return memory.cached(("engines.cube", source), lambda: engines.compute(source),
                         owner=f"{source.engine}:{source.label}")


def section() -> None:
    """The form; on success the cube's dataset is the channels page's."""
    from digistrat.ui.data_source import set_active  # data_source lists the connected datasets: imported late

    st.subheader(t("connect.heading"))
    st.caption(t("connect.help"))
    named = named_sources()
    choice = CUSTOM
    if named:
        labels = {CUSTOM: t("connect.custom"), **{name: f"{name} ({s.engine})" for name, s in named.items()}}
        choice = st.selectbox(t("connect.named"), list(labels), format_func=labels.get, key="connect_named")
    if choice == CUSTOM:
        engine = st.segmented_control(t("connect.engine"), ["duckdb", "spark"], default="duckdb", key="connect_engine",
                                      required=True)
        path = st.text_input(t("connect.path"), key="connect_path", help=t("connect.path_help"))
        source = engines.Source(engine=engine, path=path.strip() or None)
    else:
        source = named[choice]
    left, right = st.columns(2)
    start = left.date_input(t("connect.from"), value=None, key="connect_from")
    end = right.date_input(t("connect.to"), value=None, key="connect_to")
    if not st.button(t("connect.button"), key="connect_go", type="primary"):
        return
    try:
        with st.spinner(t("connect.running", engine=source.engine)):
            cube = _cube(replace(source, start=start, end=end))
    except DigistratError as error:
        st.error(error.text(lang()))
        return
    if cube.sessions == 0:
        st.warning(engines.message("engine.no_sessions", source=source.label).text(lang()))
        return
    dataset = engines.connected_dataset(cube)
    connected()[dataset.id] = dataset
    set_active("traffic", dataset.id)
    st.success(engines.computed_message(cube).text(lang()) + " " + t("connect.done", name=dataset.name))
    st.page_link(CHANNELS_PAGE, label=t("page.channels"), icon=":material/alt_route:")


def caption(dataset: Dataset) -> None:
    """On the channels page: which engine computed a connected dataset's cube, over what."""
    cube = engines.cube_of(dataset)
    if cube is not None:
        st.caption(engines.computed_message(cube).text(lang()) + " · "
                   + t("connect.cube_rows", n=format_number(cube.frame.height, lang())))

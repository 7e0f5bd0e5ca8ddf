"""Navigation and the controls every page shares."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from digistrat.ui import data_source, memory, url_state
from digistrat.ui.common import language_switch, t

PAGES = Path(__file__).parent / "pages"


def _copy_link(box) -> None:
    """The address of this exact view, with the code block's own copy button; none for an
    upload the workspace did not keep, which a link could not open anywhere else."""
    params = url_state.sync()
    state = data_source.link_state(params["ds"][-1]) if "ds" in params else "saved"
    with box:
        if state == "unsaved":
            st.caption(t("share.unsaved"))
            return
        st.caption(t("share.link"), help=t("share.link_help"))
        st.code(url_state.link(params), language=None, wrap_lines=True)
        if state == "older":
            st.caption(t("share.older"))


# One download menu per chart, the app's own (PNG and SVG in the page's language): Streamlit's
# toolbar on a chart would add a second one, and its "Show data" the chart's raw frame in English.
CHART_TOOLBAR_CSS = (
    '<style>[data-testid="stFullScreenFrame"]:has([data-testid="stVegaLiteChart"]) '
    '[data-testid="stElementToolbar"] { display: none; }</style>'
)


def run() -> None:
    memory.begin_run()
    url_state.begin()
    st.html(CHART_TOOLBAR_CSS)
    language_switch()
    pages = [
        st.Page(PAGES / "overview.py", title=t("page.overview"), icon=":material/menu_book:", default=True),
        st.Page(PAGES / "segments.py", title=t("page.segments"), icon=":material/groups:", url_path="segments"),
        st.Page(PAGES / "channels.py", title=t("page.channels"), icon=":material/alt_route:", url_path="channels"),
        st.Page(PAGES / "upload.py", title=t("page.upload"), icon=":material/upload_file:", url_path="upload"),
    ]
    page = st.navigation(pages)
    # Filled once the page has run: only then are all of the view's values known.
    share_box = st.sidebar.container()
    page.run()
    _copy_link(share_box)

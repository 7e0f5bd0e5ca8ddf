"""Navigation and the controls every page shares."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from digistrat.ui.common import language_switch, t

PAGES = Path(__file__).parent / "pages"


def run() -> None:
    language_switch()
    pages = [
        st.Page(PAGES / "overview.py", title=t("page.overview"), icon=":material/menu_book:", default=True),
        st.Page(PAGES / "segments.py", title=t("page.segments"), icon=":material/groups:", url_path="segments"),
        st.Page(PAGES / "channels.py", title=t("page.channels"), icon=":material/alt_route:", url_path="channels"),
        st.Page(PAGES / "upload.py", title=t("page.upload"), icon=":material/upload_file:", url_path="upload"),
    ]
    st.navigation(pages).run()

"""digistrat: `streamlit run app.py`. Wires the pages; everything else lives in the package."""

from pathlib import Path

import streamlit as st

from digistrat.ui import app

# A file served by this server: a Material icon name would make every browser fetch it from Google.
st.set_page_config(page_title="digistrat", page_icon=str(Path(__file__).parent / "digistrat/ui/assets/favicon.png"),
                   layout="wide")
app.run()

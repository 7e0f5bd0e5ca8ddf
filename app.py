"""digistrat: `streamlit run app.py`. Wires the pages; everything else lives in the package."""

import streamlit as st

from digistrat.ui import app

st.set_page_config(page_title="digistrat", page_icon=":material/insights:", layout="wide")
app.run()

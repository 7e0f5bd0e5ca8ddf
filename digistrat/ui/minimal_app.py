"""The floor of the browser benchmark (`python -m digistrat.bench`): the smallest Streamlit app
with the same kind of interaction, one multiselect and one Altair chart, written as anyone would
write it (`st.altair_chart` of an Altair chart). Run with `streamlit run digistrat/ui/minimal_app.py`.
"""

from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

SHARES = pl.read_csv(Path(__file__).resolve().parents[2] / "data" / "reference_segments.csv")

chosen = st.multiselect("Segments", SHARES["segment"].to_list(), placeholder="All")
shown = SHARES.filter(pl.col("segment").is_in(chosen)) if chosen else SHARES
st.altair_chart(alt.Chart(shown).mark_bar().encode(x="share:Q", y=alt.Y("segment:N", sort=None)), width="stretch")

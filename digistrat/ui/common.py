"""Shared Streamlit pieces: language, cached datasets, source lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import streamlit as st

from digistrat import datasets, present
from digistrat.i18n import LANGUAGES, label, language_from_locale
from digistrat.ui import memory, url_state

LANG_KEY = "lang"


def lang() -> str:
    return st.session_state.get(LANG_KEY) or language_from_locale(st.context.locale)


def t(key: str, **values: object) -> str:
    return label(key, lang(), **values)


def fixed(values: Iterable[Any], text: Callable[[Any], str]) -> Callable[[Any], str | None]:
    """A format_func with its labels made now: AppTest calls it outside the script run, where the
    session's language is out of reach."""
    return {value: text(value) for value in values}.get


def language_switch() -> None:
    """Sidebar switch; defaults to the browser's language; a link carries ?lang=fr or ?lang=en."""
    url_state.bind(LANG_KEY, language_from_locale(st.context.locale), "choice", choices=LANGUAGES)
    st.sidebar.segmented_control(
        "Language / Langue",
        LANGUAGES,
        key=LANG_KEY,
        format_func=lambda code: label(f"lang.{code}", code),
        required=True,
    )
    # The page's own language for browsers and screen readers (Streamlit writes <html lang="en">).
    with st.sidebar:
        st.html(f"<script>document.documentElement.lang = {json.dumps(lang())};</script>", unsafe_allow_javascript=True)


def bundled(name: str) -> datasets.Dataset:
    # the same immutable frame for every session; kept when they end (only the budget drops it)
    return memory.cached(("bundled", name), lambda: datasets.load_bundled(name), owner=f"bundled:{name}", keep=True)


@st.cache_resource(show_spinner=False)
def reference(name: str):
    return datasets.reference_shares(name)


def source_caption(meta: Mapping[str, Any]) -> None:
    """The provenance of a dataset: source, date, population, published base, caveats."""
    language = lang()
    st.caption(" · ".join(present.source_lines(meta, language)))
    caveats = meta.get("caveats", {}).get(language, [])
    if caveats:
        colon = "\u00a0:" if language == "fr" else ":"
        st.caption(f"{t('source.caveats')}{colon}\n" + "\n".join(f"- {caveat}" for caveat in caveats))


def illustrative_banner(dataset: datasets.Dataset) -> None:
    if dataset.illustrative:
        st.info(t("sample.illustrative", title=dataset.provenance["title"][lang()]), icon=":material/science:")

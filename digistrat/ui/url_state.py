"""The view in the URL, in canonical values (keys, codes, numbers), never in translated labels.

A page calls `bind(key, default, kind, ...)` before it creates the widget with that key (and
no default of its own). On the session's first run the value a shared link carries is put in
`st.session_state[key]`; later the widget's own state rules, and a value that left session
state with its widget (another page was shown) comes back from the last one seen. At the end
of the run `sync()` writes every bound value that differs from its default to
`st.query_params`, so links stay short and the same link works in any language.

URL format: one parameter per value, named like the widget key. A list (multiselect, numeric
range, pair of dates, lines of a text area) is the parameter repeated, in order, so values
may hold commas. Booleans are 1 / 0, dates ISO 8601, numbers as Python writes them:

    /segments?ds=0123456789abcdef&lang=fr&f_sector=Retail&f_sector=Services
             &f_satisfaction=0&f_satisfaction=4&focus=dissatisfied&level=0.9

The page itself is Streamlit's URL path; `ds` (dataset) and `lang` come first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

import streamlit as st

Kind = Literal["choice", "choices", "int", "float", "bool", "range", "dates", "lines", "text"]

_INITIAL = "_url_initial"  # the first run's parameters, each taken once
_SHADOW = "_url_shadow"  # key -> last value seen at the end of a run
_RUN = "_url_run"  # name -> (key, default, kind): what this run bound
_PUBLISHED = "_url_published"  # name -> canonical strings a page set directly (the dataset id)
_LAST = "_url_params"  # what the last sync wrote
FIRST = ("ds", "lang")
_MISSING = object()


def begin() -> None:
    """Start a run: forget what the previous run bound; keep the first URL until it is read."""
    state = st.session_state
    if _INITIAL not in state:
        params = st.query_params
        state[_INITIAL] = {name: list(params.get_all(name)) for name in params}
    state[_RUN] = {}
    state[_PUBLISHED] = {}


def initial(name: str) -> list[str] | None:
    """The values the session's first URL gave `name` (once; None afterwards or if absent)."""
    return st.session_state.setdefault(_INITIAL, {}).pop(name, None)


def bind(
    key: str,
    default: Any,
    kind: Kind,
    *,
    choices: Sequence[Any] | None = None,
    bounds: tuple[Any, Any] | None = None,
    name: str | None = None,
) -> Any:
    """Seed `st.session_state[key]` (URL first, then the current value, the last seen, the
    default) and put it in the URL at the end of the run. Returns the value."""
    state = st.session_state
    name = name or key
    value = _MISSING
    raw = initial(name)
    if raw is not None:
        value = _decode(raw, kind, choices, bounds, default)
    if value is _MISSING and key in state:
        value = _valid(state[key], kind, choices, bounds)
    if value is _MISSING and key in state.get(_SHADOW, {}):
        value = _valid(state[_SHADOW][key], kind, choices, bounds)
    if value is _MISSING:
        value = default
    if key not in state or not _same(state[key], value):
        state[key] = value
    state.setdefault(_RUN, {})[name] = (key, default, kind)
    return value


def publish(name: str, values: Iterable[str] | None) -> None:
    """Put a value the page computed itself (not a bound key) in the URL; None or [] removes it."""
    state = st.session_state.setdefault(_PUBLISHED, {})
    if values:
        state[name] = [str(v) for v in values]
    else:
        state.pop(name, None)


def sync() -> dict[str, list[str]]:
    """Write the bound values that differ from their defaults to st.query_params; returns them."""
    state = st.session_state
    shadow = state.setdefault(_SHADOW, {})
    params: dict[str, list[str]] = dict(state.get(_PUBLISHED, {}))
    for name, (key, default, kind) in state.get(_RUN, {}).items():
        value = state.get(key, default)
        shadow[key] = value
        encoded = encode(value, kind)
        if encoded != encode(default, kind):
            params[name] = encoded
    ordered = {n: params[n] for n in FIRST if n in params} | {n: v for n, v in params.items() if n not in FIRST}
    current = {name: list(st.query_params.get_all(name)) for name in st.query_params}
    if current != ordered:
        st.query_params.from_dict(ordered)
    state[_LAST] = ordered
    state[_INITIAL] = {}  # a link is read on the session's first run only
    return ordered


def query_string(params: dict[str, list[str]] | None = None) -> str:
    params = st.session_state.get(_LAST, {}) if params is None else params
    return urlencode(params, doseq=True, quote_via=quote, safe="")


def link(params: dict[str, list[str]] | None = None) -> str:
    """The full address of the current view (page path from the browser, query from the state)."""
    base = st.context.url or ""
    query = query_string(params)
    return f"{base}?{query}" if query else base or "?"


# ---------------------------------------------------------------------- codecs


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def encode(value: Any, kind: Kind) -> list[str]:
    """Canonical strings of a value (empty for "no value")."""
    if value is None:
        return []
    if kind == "choices":
        return [str(v) for v in value]
    if kind in ("int", "float"):
        return [_number(value)]
    if kind == "bool":
        return ["1" if value else "0"]
    if kind == "range":
        return [_number(v) for v in value]
    if kind == "dates":
        return [d.isoformat() for d in value]
    if kind == "lines":
        return [line.strip() for line in str(value).splitlines() if line.strip()]
    if kind == "choice" and isinstance(value, float):
        return [_number(value)]
    return [str(value)]


def _by_text(choices: Sequence[Any]) -> dict[str, Any]:
    return {(_number(c) if isinstance(c, float) else str(c)): c for c in choices}


def _decode(raw: list[str], kind: Kind, choices, bounds, default) -> Any:
    """The value of URL strings, or _MISSING if they are not a valid value here."""
    try:
        if kind == "choices":
            value: Any = list(raw)
        elif kind == "choice":
            value = _by_text(choices).get(raw[-1], _MISSING) if choices is not None else raw[-1]
        elif kind == "int":
            value = int(raw[-1])
        elif kind == "float":
            value = float(raw[-1])
        elif kind == "bool":
            value = {"1": True, "true": True, "0": False, "false": False}.get(raw[-1].lower(), _MISSING)
        elif kind == "range":
            low, high = (float(v) for v in raw[:2])
            whole = all(isinstance(d, int) for d in default)
            value = (int(low), int(high)) if whole and low.is_integer() and high.is_integer() else (low, high)
        elif kind == "dates":
            value = tuple(dt.date.fromisoformat(v) for v in raw[:2])
        elif kind == "lines":
            value = "\n".join(raw)
        else:
            value = raw[-1]
    except (ValueError, IndexError):
        return _MISSING
    return _MISSING if value is _MISSING else _valid(value, kind, choices, bounds)


def _valid(value: Any, kind: Kind, choices, bounds) -> Any:
    """The value cleaned for this run's widget (options, bounds), or _MISSING."""
    if kind == "choices":
        if not isinstance(value, (list, tuple)):
            return _MISSING
        allowed = _by_text(choices) if choices is not None else None
        kept = [v for v in value if allowed is None or str(v) in allowed]
        return [allowed[str(v)] for v in kept] if allowed is not None else list(kept)
    if kind == "choice":
        if choices is None:
            return value
        return next((c for c in choices if c == value), _MISSING)
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return _MISSING
        if bounds and not bounds[0] <= value <= bounds[1]:
            return _MISSING
        return int(value) if kind == "int" else float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else _MISSING
    if kind == "range":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            return _MISSING
        low, high = value
        if bounds:  # clipped, in the number type the widget has (int sliders stay int)
            low, high = type(low)(max(low, bounds[0])), type(high)(min(high, bounds[1]))
        return type(value)((low, high)) if low <= high else _MISSING
    if kind == "dates":
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 2:
            return _MISSING
        if not all(isinstance(d, dt.date) for d in value):
            return _MISSING
        if bounds and not all(bounds[0] <= d <= bounds[1] for d in value):
            return _MISSING
        return tuple(value) if list(value) == sorted(value) else _MISSING
    return value if isinstance(value, str) else _MISSING


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and list(a) == list(b)
    return type(a) is type(b) and a == b

"""Frozen dataclasses to JSON and back, whole: what the workspace keeps of a dataset's reports.

Every field of a dataclass is written, by its type hints, so a field added to a report is
saved and restored with no code to change here. Dataclass values carry their class name
(a field may hold one of several schemas); tuples, frozensets, dicts, polars frames (small:
lists of unmapped values), `Message`s and datetimes come back as the types the hints name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

import polars as pl

_TYPE = "__type__"
_FRAME = "__frame__"
_DTYPES = {"String": pl.String, "Int64": pl.Int64, "Float64": pl.Float64, "Boolean": pl.Boolean,
           "UInt32": pl.UInt32, "Int32": pl.Int32, "Date": pl.Date}


def to_json(value: Any) -> Any:
    """A JSON-ready form of `value` (dataclasses, frames, tuples, sets, dates...)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
        return {_TYPE: type(value).__name__, **fields}
    if isinstance(value, pl.DataFrame):
        return {_FRAME: {"columns": value.columns, "dtypes": [str(t) for t in value.dtypes],
                         "rows": [list(r) for r in value.rows()]}}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(to_json(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def from_json(hint: Any, data: Any) -> Any:
    """`data` (from `to_json`) as a value of the type `hint`."""
    if data is None:
        return None
    if hint is Any:
        return _tuples(data)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if isinstance(data, dict) and _TYPE in data:
            chosen = next((a for a in options if getattr(a, "__name__", None) == data[_TYPE]), None)
            if chosen is None:
                raise ValueError(f"unknown type {data[_TYPE]!r} for {hint}")
            return from_json(chosen, data)
        return from_json(options[0], data) if len(options) == 1 else data
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        present = {f.name: from_json(hints[f.name], data[f.name]) for f in dataclasses.fields(hint)
                   if f.name in data and f.init}
        return hint(**present)
    if hint is pl.DataFrame:
        frame = data[_FRAME]
        schema = {c: _DTYPES.get(t, pl.String) for c, t in zip(frame["columns"], frame["dtypes"])}
        return pl.DataFrame(frame["rows"], schema=schema, orient="row")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], v) for v in data)
        return tuple(from_json(a, v) for a, v in zip(args, data)) if args else tuple(data)
    if origin in (frozenset, set):
        return frozenset(from_json(args[0], v) for v in data) if args else frozenset(data)
    if origin in (dict, Mapping):
        value_hint = args[1] if args else Any
        return {k: from_json(value_hint, v) for k, v in data.items()}
    if origin is list:
        return [from_json(args[0], v) for v in data] if args else list(data)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if hint is dt.date:
        return dt.date.fromisoformat(data)
    if hint is float and isinstance(data, int):
        return float(data)
    return data


def _tuples(data: Any) -> Any:
    """Lists as tuples, as frozen values hold them."""
    return tuple(_tuples(v) for v in data) if isinstance(data, list) else data


@cache
def _hints(cls: type) -> dict[str, Any]:
    import sys  # noqa: PLC0415 - the module of the class, to resolve its string annotations

    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))

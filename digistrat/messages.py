"""What the core says to people, as codes with parameters: each front end renders them in its language.

The core never builds an English sentence for a person: it returns (or raises) a `Message`,
whose text comes from the label catalog (`msg.<code>`) in the reader's language. Parameters
are formatted the language's way when rendered: whole numbers with thousands separators,
`*_pct` parameters as percentages (points), sequences as a short list cut with "…".
A catalog text chooses a word by a number with `{rows|row|rows}` (singular for 1 in English,
for 0 and 1 in French).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from digistrat.i18n import format_number, format_percent, label

LISTED = 4  # names of a list parameter shown before "…"
LISTED_NUMBERS = 10  # numbers (row, line) of a list parameter shown before "…"
_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


@dataclass(frozen=True)
class Message:
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en") -> str:
        values = dict(self.params)
        template = label(f"msg.{self.code}", lang)

        def plural(match: re.Match) -> str:
            count = values.get(match[1])
            one = count is not None and (abs(count) < 2 if lang == "fr" else count == 1)
            return match[2] if one else match[3]

        template = _PLURAL.sub(plural, template)
        return template.format(**{name: _render(name, value, lang) for name, value in self.params})

    def __str__(self) -> str:
        return self.text("en")

    def param(self, name: str) -> Any:
        return dict(self.params).get(name)


def message(code: str, **params: Any) -> Message:
    return Message(code, tuple((name, _frozen(value)) for name, value in params.items()))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# Parameters holding a code of their own, rendered through the catalog under this prefix.
_CODED = {"role": "role.", "evidence": "msg.role.evidence.", "hint": "msg.hint.", "kind": "kind."}


def _render(name: str, value: Any, lang: str) -> str:
    if name in _CODED and isinstance(value, str):
        return label(_CODED[name] + value, lang)
    if name.endswith("_pct"):
        return format_percent(float(value), lang, 0)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return format_number(value, lang)
    if isinstance(value, float):
        return format_number(value, lang, 0 if value.is_integer() else 2)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(isinstance(v, int) for v in value):
            shown = [format_number(v, lang) for v in value[:LISTED_NUMBERS]]
            return ", ".join(shown) + (", …" if len(value) > LISTED_NUMBERS else "")
        return listing([str(v) for v in value])
    return str(value)


def listing(items: Sequence[str], shown: int = LISTED) -> str:
    """"'a', 'b', 'c'" — cut to the first `shown` with '…' so a message stays one line."""
    quoted = [f"'{' '.join(item.split())}'" for item in items[:shown]]  # one line, whatever the header held
    return ", ".join(quoted) + (", …" if len(items) > shown else "")

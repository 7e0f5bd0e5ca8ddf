"""Edges kept tidy: widget keys and URL parameters unique across pages (read from the pages'
source), and test modules that share helpers through fixture modules, not through each other."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UI = REPO / "digistrat" / "ui"
PAGES = sorted((UI / "pages").glob("[!_]*.py"))
CHROME = [UI / "app.py", UI / "common.py", UI / "data_source.py"]  # on every page
# Calls that turn a name into widget keys "<name>_…" (digistrat.ui.exports), by argument position.
PREFIX_ARGUMENT = {"chart": 1, "data_downloads": 3, "report_downloads": 2}
KEY_CONSTANT_ENDINGS = ("_KEY", "_FILTER", "_WIDGET")


@dataclass(frozen=True)
class Pattern:
    """A widget key or URL parameter: exact text, or every text starting with `text`."""

    text: str
    prefix: bool = False

    def meets(self, other: Pattern) -> bool:
        if self.prefix and other.prefix:
            return self.text.startswith(other.text) or other.text.startswith(self.text)
        if self.prefix:
            return other.text.startswith(self.text)
        if other.prefix:
            return self.text.startswith(other.text)
        return self.text == other.text


class Reader:
    """Widget keys and URL parameter names a module's source sets."""

    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants = {
            node.targets[0].id: node.value
            for node in self.tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        }
        self.functions = {node.name: node for node in ast.walk(self.tree) if isinstance(node, ast.FunctionDef)}
        self.keys: set[Pattern] = set()
        self.params: set[Pattern] = set()
        for name, value in self.constants.items():
            if name.endswith(KEY_CONSTANT_ENDINGS):
                self.keys.update(self.patterns(value, None))
        for function in [self.tree, *self.functions.values()]:
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    self._call(node, function if isinstance(function, ast.FunctionDef) else None)

    def patterns(self, node: ast.expr, scope: ast.FunctionDef | None) -> list[Pattern]:
        """What an expression giving a key can be: a literal, an f-string's leading text, a
        constant, a local variable, a function's parameter (every call's argument), a call."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [Pattern(node.value)]
        if isinstance(node, ast.JoinedStr):
            literal = ""
            for part in node.values:
                if not isinstance(part, ast.Constant):
                    return [Pattern(literal, prefix=True)] if literal else []
                literal += part.value
            return [Pattern(literal)]
        if isinstance(node, ast.Name):
            if scope is not None:
                for statement in ast.walk(scope):
                    if isinstance(statement, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == node.id for t in statement.targets
                    ):
                        return self.patterns(statement.value, scope)
                parameters = [a.arg for a in scope.args.args]
                if node.id in parameters:
                    return self._arguments(scope, parameters.index(node.id), node.id)
            if node.id in self.constants:
                return self.patterns(self.constants[node.id], None)
            return []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.functions:
            function = self.functions[node.func.id]
            returned = [s.value for s in ast.walk(function) if isinstance(s, ast.Return) and s.value is not None]
            return self.patterns(returned[0], function) if len(returned) == 1 else []
        return []

    def _arguments(self, function: ast.FunctionDef, position: int, name: str) -> list[Pattern]:
        """The patterns of a parameter: what every call of `function` in the module passes."""
        found = []
        for scope in [None, *self.functions.values()]:
            for node in ast.walk(scope or self.tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function.name:
                    given = node.args[position] if len(node.args) > position else next(
                        (k.value for k in node.keywords if k.arg == name), None)
                    if given is not None:
                        found += self.patterns(given, scope)
        return found

    def _call(self, call: ast.Call, scope: ast.FunctionDef | None) -> None:
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        for keyword in call.keywords:
            if keyword.arg == "key":
                self.keys.update(self.patterns(keyword.value, scope))
        if name == "bind" and call.args:
            named = next((k.value for k in call.keywords if k.arg == "name"), call.args[0])
            self.params.update(self.patterns(named, scope))
            self.keys.update(self.patterns(call.args[0], scope))
        if name == "publish" and call.args:
            self.params.update(self.patterns(call.args[0], scope))
        if name in PREFIX_ARGUMENT and len(call.args) > PREFIX_ARGUMENT[name]:
            for pattern in self.patterns(call.args[PREFIX_ARGUMENT[name]], scope):
                self.keys.add(Pattern(pattern.text + "_", prefix=True))


def read(paths: list[Path]) -> tuple[set[Pattern], set[Pattern]]:
    keys, params = set(), set()
    for path in paths:
        reader = Reader(path)
        keys |= reader.keys
        params |= reader.params
    return keys, params


def clashes(first: set[Pattern], second: set[Pattern]) -> list[tuple[Pattern, Pattern]]:
    return [(a, b) for a in first for b in second if a.meets(b)]


def test_the_reader_sees_the_keys_each_page_sets():
    seen = {path.stem: read([path]) for path in PAGES}
    assert {"overview", "segments", "channels", "upload"} <= set(seen)
    segment_keys, segment_params = seen["segments"]
    assert {Pattern("focus"), Pattern("tab"), Pattern("level"), Pattern("f_", prefix=True)} <= segment_keys
    assert {Pattern("focus"), Pattern("cmp_mode"), Pattern("xt_dim")} <= segment_params
    assert Pattern("seg_shares_", prefix=True) in segment_keys  # a chart's download menu
    assert {Pattern("own_domains"), Pattern("ch_view")} <= seen["channels"][1]
    assert Pattern("upload_file") in seen["upload"][0]
    assert Pattern("ds") in read(CHROME)[1] and Pattern("lang") in read(CHROME)[1]


def test_widget_keys_and_url_parameters_are_unique_across_pages():
    pages = {path.stem: read([path]) for path in PAGES}
    chrome_keys, chrome_params = read(CHROME)
    for (one, (keys_one, params_one)), (two, (keys_two, params_two)) in combinations(pages.items(), 2):
        assert not clashes(keys_one, keys_two), f"widget keys shared by {one} and {two}"
        assert not clashes(params_one, params_two), f"URL parameters shared by {one} and {two}"
    for page, (keys, params) in pages.items():
        assert not clashes(keys, chrome_keys), f"{page} reuses a key of the controls every page has"
        assert not clashes(params, chrome_params), f"{page} reuses a URL parameter of every page"


def test_two_pages_with_one_key_are_caught(tmp_path):
    one, two, three = tmp_path / "one.py", tmp_path / "two.py", tmp_path / "three.py"
    one.write_text('import streamlit as st\nKEY = "level"\nst.selectbox("x", [1], key=KEY)\n')
    two.write_text('from digistrat.ui import exports, url_state\nurl_state.bind("level", 1, "int")\n'
                   'exports.chart(None, "lev", "t")\n')
    three.write_text('import streamlit as st\nst.button("x", key=f"lev_{1}")\nst.button("y", key="other")\n')
    assert clashes(read([one])[0], read([two])[0]) == [(Pattern("level"), Pattern("level"))]
    assert clashes(read([two])[0], read([three])[0]) == [(Pattern("lev_", prefix=True), Pattern("lev_", prefix=True))]
    assert not clashes(read([one])[0], read([three])[0])


def test_test_modules_share_helpers_through_fixture_modules_only():
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [node.module or ""] if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            )
            offenders += [f"{path.relative_to(tests)} imports {m}" for m in modules if m.split(".")[-1].startswith("test_")]
    assert offenders == []

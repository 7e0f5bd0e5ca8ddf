"""The whole-app rerun task of `python -m digistrat.bench`: the segments page through AppTest.

It lives in the UI package because it drives Streamlit; the harness imports it only for that task.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from digistrat import datasets
from digistrat.ui.data_source import Upload

APP = Path(__file__).resolve().parents[2] / "app.py"


def segments_page_rerun(path: Path, company_sizes: tuple[list[str], list[str]]) -> Callable[[int], dict[str, float]]:
    """Set up the segments page with the survey at `path` injected as an upload (what
    digistrat.ui.data_source keeps in the session); each run switches the company-size filter."""
    data = path.read_bytes()
    content = datasets.content_id(data)
    at = AppTest.from_file(str(APP), default_timeout=900)
    at.session_state["lang"] = "en"
    at.session_state["uploads"] = {content: Upload(id=content, name=path.name, data=data, page="survey")}
    at.session_state["active_sources"] = {"survey": content}
    at.run()
    at.switch_page("digistrat/ui/pages/segments.py").run()  # reads, prepares and caches the dataset once
    if at.exception:
        raise RuntimeError(f"the segments page failed: {[e.value for e in at.exception]}")

    def run(i: int) -> dict[str, float]:
        at.multiselect(key="f_company_size").set_value(company_sizes[i % 2]).run()
        if at.exception:
            raise RuntimeError(f"the segments page failed: {[e.value for e in at.exception]}")
        shown = at.table[0].value  # the segment shares table
        return {f"shown:{k}": float(n) for k, n in enumerate(shown.shape)}

    return run

"""How results look in Jupyter: the DataFrame's own HTML and text, a row-count footer, the cost summary.

Only text/html and text/plain are produced: VS Code shows application/vnd.* outputs blank.
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd


def footer(total: int, limit: int) -> str | None:
    return f"showing {limit:,} of {total:,} rows" if total > limit else None


def render_html(frame: pd.DataFrame, limit: int, summary: str = "") -> str:
    shown = frame.head(limit) if len(frame) > limit else frame
    with pd.option_context("display.max_rows", limit + 1, "display.max_columns", 50, "display.html.table_schema",
                           False):
        table = pd.DataFrame(shown)._repr_html_() or ""
    notes = [n for n in (footer(len(frame), limit), summary) if n]
    tail = "".join(f'<p style="margin:2px 0;color:#666;font-size:90%">{html.escape(n)}</p>' for n in notes)
    return table + tail


def render_text(frame: pd.DataFrame, limit: int, summary: str = "") -> str:
    shown = frame.head(limit) if len(frame) > limit else frame
    with pd.option_context("display.max_rows", limit + 1, "display.max_columns", 50, "display.width", 160):
        table = repr(pd.DataFrame(shown))
    notes = [n for n in (footer(len(frame), limit), summary) if n]
    return "\n".join([table, *notes])


def bundle(frame: pd.DataFrame, limit: int, summary: str = "") -> dict[str, Any]:
    """A Jupyter display bundle with exactly text/html and text/plain."""
    return {"text/html": render_html(frame, limit, summary), "text/plain": render_text(frame, limit, summary)}


class ResultFrame(pd.DataFrame):
    """A DataFrame that displays truncated with a footer and the API cost; everything else is pandas.

    Operations on it give plain DataFrames.
    """

    _metadata = ["acn_summary", "acn_limit"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str:
        return render_html(pd.DataFrame(self), self._limit(), getattr(self, "acn_summary", ""))

    def __repr__(self) -> str:
        return render_text(pd.DataFrame(self), self._limit(), getattr(self, "acn_summary", ""))

    def _limit(self) -> int:
        return int(getattr(self, "acn_limit", 20) or 20)


def result_frame(frame: pd.DataFrame, limit: int, summary: str) -> ResultFrame:
    result = ResultFrame(frame)
    result.acn_summary = summary
    result.acn_limit = limit
    return result

"""A tqdm progress bar for long fetches (pages and rows; the ETA follows the rate the limiter allows)."""
from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

if importlib.util.find_spec("ipywidgets") is not None:
    from tqdm.auto import tqdm  # a widget in notebooks
else:  # tqdm.auto would warn "IProgress not found" in every notebook cell with a bar
    from tqdm import tqdm

MIN_PAGES_FOR_A_BAR = 15


class Progress:
    """One bar per statement, grown as tables announce their pages; shown only when it is long."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.pages = 0
        self.rows = 0
        self._bar: Any = None
        self._lock = threading.Lock()

    def add(self, table: str, pages: int) -> None:
        with self._lock:
            self.pages += pages
            if self._bar is None and self.enabled and self.pages >= MIN_PAGES_FOR_A_BAR:
                self._bar = tqdm(total=self.pages, unit="page", desc=f"reading {table}", file=sys.stderr,
                                 leave=False, dynamic_ncols=True)
            elif self._bar is not None:
                self._bar.total = self.pages
                self._bar.refresh()

    def advance(self, rows: int) -> None:
        with self._lock:
            self.rows += rows
            if self._bar is not None:
                self._bar.update(1)
                self._bar.set_postfix(rows=f"{self.rows:,}", refresh=False)

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

"""The progress bar: shown for long fetches (pages and rows), silent for short ones and when switched off."""
from __future__ import annotations

import pytest

from acn_magic.progress import MIN_PAGES_FOR_A_BAR, Progress


def _run(pages: int, enabled: bool = True) -> None:
    progress = Progress(enabled=enabled)
    progress.add("Contacts", pages)
    for _ in range(pages):
        progress.advance(100)
    progress.close()


def test_long_fetches_show_pages_and_rows(capsys: pytest.CaptureFixture[str]) -> None:
    _run(MIN_PAGES_FOR_A_BAR + 5)
    err = capsys.readouterr().err
    assert "reading Contacts" in err and "page" in err and "IProgress" not in err


def test_short_or_disabled_fetches_are_silent(capsys: pytest.CaptureFixture[str]) -> None:
    _run(MIN_PAGES_FOR_A_BAR - 1)
    _run(MIN_PAGES_FOR_A_BAR + 5, enabled=False)
    assert capsys.readouterr().err == ""

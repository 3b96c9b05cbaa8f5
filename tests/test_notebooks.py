"""The notebooks in notebooks/: outputs stripped in the repository, and each one runs top to bottom."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from acn_magic.kernel import install

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["getting-started.ipynb", "activecampaign-sql-kernel.ipynb", "settings-and-accounts.ipynb"]


def test_outputs_are_stripped() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (name, cell.source[:40])


def run_notebook(name: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Execute with no settings file at all: the embedded sandbox answers."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    kernel = nb.metadata["kernelspec"]["name"]
    if kernel == "activecampaign_sql" and kernel not in KernelSpecManager().find_kernel_specs():
        install.install(prefix=sys.prefix)
    NotebookClient(nb, timeout=300, kernel_name=kernel, resources={"metadata": {"path": str(home)}}).execute()
    return nb


def outputs(cell: Any, kind: str) -> list[Any]:
    return [o for o in cell.outputs if o["output_type"] == kind]


def text(cell: Any) -> str:
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", ""))
        parts.append(str(o.get("data", {}).get("text/plain", "")))
        parts += o.get("traceback", [])
    return "\n".join(parts)


def test_getting_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = run_notebook("getting-started.ipynb", tmp_path, monkeypatch)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tables = [c for c in code if any("text/html" in o.get("data", {}) for o in outputs(c, "execute_result"))]
    assert len(tables) == 7
    plot = next(c for c in code if "plot.barh" in c.source)
    assert any("image/png" in o.get("data", {}) for o in outputs(plot, "display_data"))
    assert "embedded ActiveCampaign sandbox" in text(code[1]) + text(code[2])
    error = code[-1]
    assert 'UsageError: Unknown column "emial". Did you mean email' in text(error) and "Traceback" not in text(error)


def test_kernel_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = run_notebook("activecampaign-sql-kernel.ipynb", tmp_path, monkeypatch)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code[:-1]:
        results = outputs(cell, "execute_result")
        assert len(results) == 1 and set(results[0]["data"]) == {"text/html", "text/plain"}, cell.source[:50]
    inserted = next(c for c in code if c.source.startswith("insert into ContactTags"))
    assert text(inserted).count(" ok") == 5
    left = next(c for c in code if "test_contacts_left" in c.source)
    assert "test_contacts_left\n0                   0" in text(left)
    refused = outputs(code[-1], "error")
    assert len(refused) == 1 and "without a where clause is refused" in refused[0]["evalue"]


def test_settings_notebook_never_shows_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = run_notebook("settings-and-accounts.ipynb", tmp_path, monkeypatch)
    everything = "\n".join(text(c) for c in nb.cells if c.cell_type == "code")
    assert "0o600" in everything and "***redacted***" in everything
    assert "acn2" in everything and "records; first: GET /tags" in everything
    from acn_magic.sandbox import Sandbox
    keys = [a.api_key for a in Sandbox(contacts=5, accounts=2).accounts]  # the same derived keys as the notebook's
    assert not any(key in everything for key in keys)
    assert os.environ.get("ACN_SETTINGS") is None

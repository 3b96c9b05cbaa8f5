"""End to end: JupyterLab on loopback, the SQL kernel notebook in headless Chromium, a rendered result table."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from jupyter_client.kernelspec import KernelSpecManager

from acn_magic.kernel import install

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "acn-e2e-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def jupyterlab(tmp_path: Path) -> tuple[str, Path]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed and could not be installed on this machine "
                    "(python3 dev.py test runs: apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    pytest.importorskip("jupyterlab", reason="jupyterlab is not installed")
    if "activecampaign_sql" not in KernelSpecManager().find_kernel_specs():
        install.install(prefix=sys.prefix)
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOKS / "activecampaign-sql-kernel.ipynb", root)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ACN_SETTINGS", "INVANTIVE_SETTINGS_FILE_PATH")}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "jupyterlab.log", "w"))  # noqa: SIM115
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"{url}/api/status", params={"token": TOKEN}, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail(f"JupyterLab did not start; see {tmp_path / 'jupyterlab.log'}")
    yield url, tmp_path
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def test_a_sql_cell_renders_an_html_table(jupyterlab: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, output = jupyterlab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{url}/lab/tree/activecampaign-sql-kernel.ipynb?token={TOKEN}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            try:
                # The kernel's name in the notebook toolbar, then the kernel idle.
                page.wait_for_selector(".jp-Toolbar-kernelName:has-text('ActiveCampaign SQL')", timeout=120_000)
                page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
                cell = page.locator(".jp-Notebook .jp-CodeCell").first
                cell.locator(".cm-content").click()
                page.keyboard.press("Shift+Enter")
                table = cell.locator(".jp-OutputArea-output table")
                table.first.wait_for(timeout=120_000)
            finally:
                page.screenshot(path=str(output / "jupyterlab-sql-kernel.png"))
            headers = table.first.locator("th").all_inner_texts()
            assert "NAME" in headers and "DESCRIPTION" in headers
            assert "Contacts" in table.first.inner_text()
        finally:
            browser.close()
    assert (output / "jupyterlab-sql-kernel.png").stat().st_size > 10_000

#!/usr/bin/env python3
"""Project set-up and entry points: `python3 dev.py demo` and `python3 dev.py test`.

Creates (and reuses) a virtual environment in .venv, installs the project with its test extra
whenever pyproject.toml changed, then runs the demo or the test suite inside it.
Needs nothing but python3.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".acn-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    """Create the venv if missing and (re)install the project when pyproject.toml changed."""
    if not venv_python().exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        py = str(venv_python())
        print("installing acn_magic and its dependencies (first run only)", flush=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
        # The "ActiveCampaign SQL" kernel, with this environment's Python, for Jupyter and VS Code.
        subprocess.run([py, "-m", "acn_magic.kernel", "install", "--sys-prefix"], check=True,
                       stdout=subprocess.DEVNULL)
        STAMP.write_text(wanted)
    return venv_python()


def ensure_browser() -> None:
    """Debian's Chromium for the JupyterLab end-to-end test; best effort (the test skips, saying why, without it)."""
    if shutil.which("chromium") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print("installing Debian's chromium for the browser test (first run only)", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, **quiet)  # type: ignore[call-overload]
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False, **quiet)  # type: ignore[call-overload]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print("usage: python3 dev.py demo | test [pytest args...]", file=sys.stderr)
        return 2
    py = str(ensure_venv())
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if argv[0] == "demo":
        return subprocess.run([py, "-m", "acn_magic.demo", *argv[1:]], cwd=ROOT, env=env).returncode
    ensure_browser()
    return subprocess.run([py, "-m", "pytest", *argv[1:]], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

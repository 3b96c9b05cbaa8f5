"""Install the kernelspec with the absolute path of this Python, so Jupyter and VS Code start the right one."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "activecampaign_sql"
SPEC_FOLDER = Path(__file__).resolve().parent / "spec"


def kernel_json() -> dict[str, object]:
    spec = json.loads((SPEC_FOLDER / "kernel.json").read_text())
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    return spec


def install(user: bool = False, prefix: str | None = None) -> str:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder)
        (target / "kernel.json").write_text(json.dumps(kernel_json(), indent=2))
        for logo in SPEC_FOLDER.glob("logo-*.png"):
            shutil.copy(logo, target / logo.name)
        return str(KernelSpecManager().install_kernel_spec(str(target), KERNEL_NAME, user=user, prefix=prefix))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m acn_magic.kernel install",
                                     description='Install the "ActiveCampaign SQL" kernelspec.')
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user")
    where.add_argument("--sys-prefix", action="store_true", help=f"into this environment ({sys.prefix})")
    where.add_argument("--prefix", help="under another prefix")
    args = parser.parse_args(argv)
    prefix = sys.prefix if args.sys_prefix else args.prefix
    destination = install(user=args.user, prefix=prefix)
    print(f"Installed the ActiveCampaign SQL kernel in {destination}")
    return 0

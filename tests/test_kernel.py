"""The "ActiveCampaign SQL" kernel, started from its installed kernelspec against a sandbox on loopback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jupyter_kernel_test
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager, start_new_kernel

from acn_magic.kernel import install
from acn_magic.sandbox import Sandbox
from tests.conftest import CANARY_KEY

ROOT = Path(__file__).resolve().parent.parent


def _ensure_kernelspec() -> None:
    if "activecampaign_sql" not in KernelSpecManager().find_kernel_specs():
        install.install(prefix=sys.prefix)


class _KernelEnvironment:
    """A sandbox and a settings file the kernel process finds through ACN_SETTINGS."""

    sandbox: Sandbox | None = None
    saved: dict[str, str | None] = {}

    @classmethod
    def start(cls, folder: Path) -> None:
        _ensure_kernelspec()
        cls.sandbox = Sandbox(contacts=400, rate=0, seed=17, api_keys=[CANARY_KEY]).start()
        settings = cls.sandbox.write_settings(folder / "settings.xml", {"max-requests-per-second": "1000"})
        for name, value in (("ACN_SETTINGS", str(settings)), ("ACN_FEEDBACK", "0"), ("HOME", str(folder))):
            cls.saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    @classmethod
    def stop(cls) -> None:
        for name, value in cls.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        cls.saved = {}
        if cls.sandbox is not None:
            cls.sandbox.stop()


class AcnKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "activecampaign_sql"
    language_name = "sql"
    file_extension = ".sql"
    code_execute_result = [
        {"code": "select 6 * 7 as answer", "result": "   answer\n0      42"},
        {"code": "select tag from Tags where id = 1", "result": "        tag\n0  customer"},
        {"code": "select count(*) as n from Contacts", "mime": "text/html"},
    ]
    code_generate_error = "select nope from Contacts"
    completion_samples = [
        {"text": "select * from DealSt", "matches": {"DealStages"}},
        {"text": "select * from Tags@", "matches": {"acn", "DataDictionary"}},
    ]
    complete_code_samples = ["select 1", "select 1;", "select 1;\nselect 2;"]
    incomplete_code_samples = ["select (1", "select 'abc", "select 1;\nselect 2"]
    code_inspect_sample = "Contacts"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "select 6*"

    @classmethod
    def setUpClass(cls) -> None:
        import tempfile
        cls._folder = tempfile.TemporaryDirectory()
        _KernelEnvironment.start(Path(cls._folder.name))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        _KernelEnvironment.stop()
        cls._folder.cleanup()


# ---- jupyter_client, message by message -------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KernelManager, Any]]:
    folder = tmp_path_factory.mktemp("kernel")
    _KernelEnvironment.start(folder)
    km, kc = start_new_kernel(kernel_name="activecampaign_sql")
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        _KernelEnvironment.stop()


def execute(kc: Any, code: str, timeout: float = 60) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return reply["content"], messages
        if msg["msg_type"] not in ("status", "execute_input"):
            messages.append(msg)


def test_multi_statement_cell(kernel: tuple[KernelManager, Any]) -> None:
    _km, kc = kernel
    reply, messages = execute(kc, "select 1 as a;\nset max-retries 3;\nselect tag from Tags where id < 3 order by id")
    assert reply["status"] == "ok"
    kinds = [m["msg_type"] for m in messages]
    assert kinds == ["display_data", "display_data", "execute_result"]
    for message in messages:
        assert set(message["content"]["data"]) == {"text/html", "text/plain"}
    assert "max-retries" in messages[1]["content"]["data"]["text/plain"]
    assert "customer" in messages[2]["content"]["data"]["text/plain"]


def test_truncation_footer(kernel: tuple[KernelManager, Any]) -> None:
    _km, kc = kernel
    _reply, messages = execute(kc, "select id from Contacts")
    assert "showing 20 of 400 rows" in messages[-1]["content"]["data"]["text/html"]


def test_dml_and_errors(kernel: tuple[KernelManager, Any]) -> None:
    _km, kc = kernel
    reply, messages = execute(kc, "insert into Tags (tag) values ('from-kernel')")
    assert reply["status"] == "ok" and "insert" in messages[-1]["content"]["data"]["text/plain"]
    reply, messages = execute(kc, "insert into Tags (tag) values ('from-kernel-2');\nselect nope from Tags")
    assert reply["status"] == "error" and reply["ename"] == "UnknownColumn"
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["content"]["traceback"][0] == f"UnknownColumn: {reply['evalue']}"
    assert "statement 2" in reply["evalue"]
    reply, _ = execute(kc, "select count(*) as n from Tags where tag like 'from-kernel%'")
    assert reply["status"] == "ok"
    for bad in ("select ((((", "\x00\x01 select", "set", "local connect \"nope\"", "update Tags set tag = 1"):
        reply, messages = execute(kc, bad)
        assert reply["status"] == "error" and [m["msg_type"] for m in messages].count("error") == 1, bad
        assert CANARY_KEY not in json.dumps(messages, default=str)
    reply, _ = execute(kc, "select 1 as still_alive")
    assert reply["status"] == "ok"


def test_local_connect_switches_connection(kernel: tuple[KernelManager, Any]) -> None:
    _km, kc = kernel
    reply, messages = execute(kc, 'local connect "ActiveCampaign sandbox"')
    assert reply["status"] == "ok" and "Connected to Sandbox\\ActiveCampaign sandbox" in messages[0]["content"]["text"]


def test_interrupt_during_a_slow_fetch(tmp_path: Path) -> None:
    _ensure_kernelspec()
    with Sandbox(contacts=3000, rate=0, latency=0.3, seed=2) as slow:
        settings = slow.write_settings(tmp_path / "slow.xml", {"max-requests-per-second": "5"})
        saved = os.environ.get("ACN_SETTINGS")
        os.environ["ACN_SETTINGS"] = str(settings)
        try:
            km, kc = start_new_kernel(kernel_name="activecampaign_sql")
        finally:
            if saved is None:
                os.environ.pop("ACN_SETTINGS", None)
            else:
                os.environ["ACN_SETTINGS"] = saved
        try:
            execute(kc, "select 1")
            msg_id = kc.execute("select id from Contacts")
            time.sleep(1.0)
            served_before = len(slow.requests())
            km.interrupt_kernel()
            reply = kc.get_shell_msg(timeout=10)
            assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "abort"
            time.sleep(0.5)
            assert len(slow.requests()) <= served_before + 8  # only requests already in flight finished
            again, _ = execute(kc, "select count(*) as n from Tags")
            assert again["status"] == "ok"
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def test_kernelspec_files_and_install(tmp_path: Path) -> None:
    shipped = json.loads((ROOT / "kernelspec" / "kernel.json").read_text())
    assert shipped["display_name"] == "ActiveCampaign SQL" and shipped["language"] == "sql"
    packaged = ROOT / "acn_magic" / "kernel" / "spec"
    for name in ("kernel.json", "logo-32x32.png", "logo-64x64.png"):
        assert (ROOT / "kernelspec" / name).read_bytes() == (packaged / name).read_bytes(), name
    result = subprocess.run([sys.executable, "-m", "acn_magic.kernel", "install", "--prefix", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "share" / "jupyter" / "kernels" / "activecampaign_sql"
    spec = json.loads((installed / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and Path(spec["argv"][0]).is_absolute()
    assert (installed / "logo-64x64.png").exists()
    listing = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list"], capture_output=True, text=True,
                             timeout=60)
    assert "activecampaign_sql" in listing.stdout


def test_the_kernel_survives_fuzzed_cells(kernel: tuple[KernelManager, Any]) -> None:
    import random

    from tests.test_reliability import TOKENS

    km, kc = kernel
    rng = random.Random(11)
    for _ in range(40):
        cell = " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 15)))
        reply, messages = execute(kc, cell)
        assert reply["status"] in ("ok", "error"), (cell, reply)
        if reply["status"] == "error":
            assert [m["msg_type"] for m in messages].count("error") == 1 and reply["ename"] != "InternalError", cell
        assert km.is_alive()
    reply, _ = execute(kc, "select 1 as alive")
    assert reply["status"] == "ok"


def test_the_wheel_installs_the_kernelspec_as_shared_data(tmp_path: Path) -> None:
    import zipfile

    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("acn_magic-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shared = "acn_magic-0.1.0.data/data/share/jupyter/kernels/activecampaign_sql/"
    assert {shared + n for n in ("kernel.json", "logo-32x32.png", "logo-64x64.png")} <= names

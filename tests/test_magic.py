"""%acn and %%acn in a real IPython InteractiveShell, and one notebook through nbclient on ipykernel."""
from __future__ import annotations

import _thread
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from acn_magic.errors import AcnError
from acn_magic.sandbox import Sandbox
from tests.conftest import CANARY_KEY, Api


@pytest.fixture()
def ip(settings_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("ACN_SETTINGS", str(settings_path))
    shell = InteractiveShell.instance()
    shell.run_line_magic("reload_ext", "acn_magic")
    shell.run_line_magic("config", "AcnMagic.displaylimit = 20")
    shell.run_line_magic("config", "AcnMagic.feedback = 1")
    shell.run_line_magic("config", "AcnMagic.short_errors = True")
    shell.run_line_magic("config", "AcnMagic.progress = False")
    yield shell
    shell.run_line_magic("unload_ext", "acn_magic")


def run(ip: InteractiveShell, code: str) -> Any:
    result = ip.run_cell(code)
    if result.error_in_exec is not None:
        raise result.error_in_exec
    return result.result


def test_line_magic_returns_a_dataframe(ip: InteractiveShell) -> None:
    frame = run(ip, "%acn select id, email from Contacts where id <= 3 order by id")
    assert isinstance(frame, pd.DataFrame) and frame["id"].tolist() == [1, 2, 3]
    run(ip, "df = %acn select count(*) as n from Tags")
    assert ip.user_ns["df"]["n"][0] == 24


def test_cell_magic_runs_every_statement_and_stores(ip: InteractiveShell) -> None:
    shown = run(ip, "%%acn\nselect 1 as a;\nselect id from Tags where id < 4 order by id")
    assert shown["id"].tolist() == [1, 2, 3]
    assert run(ip, "%%acn tags <<\nselect tag from Tags order by id") is None
    assert ip.user_ns["tags"]["tag"][0] == "customer"
    shown = run(ip, "%%acn lists = <<\nselect name from Lists order by id")
    assert shown["name"][0] == "Newsletter" and ip.user_ns["lists"]["name"][0] == "Newsletter"


def test_bindings_are_values_not_sql(ip: InteractiveShell) -> None:
    ip.user_ns["last"] = "O'Brien"
    frame = run(ip, "%acn select count(*) as n from Contacts where lastName = :last")
    assert frame["n"][0] > 0
    frame = run(ip, "%acn select ':last' as literal, 1::int as cast_ok, '{\"a\": 1}' as json_text")
    assert frame.iloc[0].tolist() == [":last", 1, '{"a": 1}']
    with pytest.raises(UsageError, match='No value for parameter ":nobody"'):
        run(ip, "%acn select * from Contacts where email = :nobody")


def test_errors_fail_the_cell_without_a_traceback(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    result = ip.run_cell("%acn select nope from Contacts")
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    assert 'Unknown column "nope"' in out.err + out.out and "Traceback" not in out.err + out.out
    for bad in ("%acn --bogus select 1", "%acn -c", "%acn"):
        assert isinstance(ip.run_cell(bad).error_in_exec, UsageError), bad


def test_full_tracebacks_on_request_never_show_the_key(ip: InteractiveShell, sandbox: Sandbox, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("config", "AcnMagic.short_errors = False")
    bad = tmp_path / "bad.xml"
    bad.write_text(sandbox.settings_xml().replace(CANARY_KEY, "X" + CANARY_KEY[1:]))
    bad.chmod(0o600)
    result = ip.run_cell(f"%acn --settings {bad} select * from Tags")
    assert isinstance(result.error_in_exec, AcnError)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" in text and "API key was refused" in text
    assert CANARY_KEY not in text and CANARY_KEY[1:] not in text


def test_display_limit_footer_summary_and_mime_types(ip: InteractiveShell) -> None:
    ip.run_line_magic("config", "AcnMagic.displaylimit = 5")
    frame = run(ip, "%acn select id from Contacts")
    bundle, _metadata = ip.display_formatter.format(frame)
    assert set(bundle) == {"text/html", "text/plain"}
    assert "showing 5 of 1,200 rows" in bundle["text/html"] and "showing 5 of 1,200 rows" in bundle["text/plain"]
    assert "API request" in bundle["text/plain"] and "rows retrieved" in bundle["text/plain"]
    assert len(frame) == 1200  # only the display is cut, never the data
    ip.run_line_magic("config", "AcnMagic.feedback = 0")
    quiet = run(ip, "%acn select id from Tags")
    assert "API request" not in repr(quiet)


def test_options(ip: InteractiveShell, tmp_path: Path) -> None:
    plan = run(ip, "%acn --explain select * from Contacts where id in (1, 2)")
    assert plan["parameters"][0] == "ids[]=1&ids[]=2"
    run(ip, "%acn select * from Lists")
    ios = run(ip, "%acn --sessionios --no-cache select * from Lists")
    assert len(ios) == 1 and not ios["FROM_CACHE"][0] and ios["TABLE_NAME"][0] == "Lists"
    script = tmp_path / "q.sql"
    script.write_text("select 41 + 1 as answer")
    assert run(ip, f"%acn -f {script}")["answer"][0] == 42


def test_second_connection_and_session_reuse(ip: InteractiveShell, sandbox: Sandbox, tmp_path: Path) -> None:
    two = tmp_path / "two.xml"
    text = sandbox.settings_xml({"max-requests-per-second": "1000"})
    second = text.split("<connection", 1)[1].split("</connection>")[0].replace('name="ActiveCampaign sandbox"',
                                                                             'name="Second"')
    two.write_text(text.replace("  </group>", f"    <connection{second}</connection>\n  </group>"))
    two.chmod(0o600)
    first = run(ip, f"%acn --settings {two} -c 'ActiveCampaign sandbox' select count(*) as n from Tags")
    other = run(ip, f"%acn --settings {two} --connection Second select count(*) as n from Tags@acn2")
    totals = [int(Api(a.api_url, a.api_key).get("/tags").json()["meta"]["total"]) for a in sandbox.accounts]
    assert [first["n"][0], other["n"][0]] == totals
    magic = next(c for c in ip.configurables if type(c).__name__ == "AcnMagic")
    before = len(magic.sessions)
    run(ip, f"%acn --settings {two} -c Second select 1")
    assert len(magic.sessions) == before


def test_completions(ip: InteractiveShell) -> None:
    run(ip, "%acn select 1")

    def texts(code: str, cursor: int | None = None) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in ip.Completer.completions(code, len(code) if cursor is None else cursor)]

    assert "DealStages" in texts("%acn select * from DealSt")
    code = "%%acn\nselect c.fir from Contacts c"
    assert texts(code, code.index(" from"))[:1] == ["c.firstName"]
    assert set(texts("%acn select * from Tags@")) >= {"acn", "acn2", "DataDictionary"}
    assert "subscriber_count" in texts("%acn select * from Tags where subs")


def test_help(ip: InteractiveShell) -> None:
    doc = ip.find_line_magic("acn").__doc__ or ""
    assert "Examples:" in doc and "--explain" in doc and ":name" in doc


def test_interrupt_stops_the_fetch_and_the_session_survives(ip: InteractiveShell, tmp_path: Path) -> None:
    with Sandbox(contacts=3000, rate=0, latency=0.2, seed=9) as slow:
        settings = slow.write_settings(tmp_path / "slow.xml", {"max-requests-per-second": "5"})
        timer = threading.Timer(0.6, _thread.interrupt_main)
        timer.start()
        result = ip.run_cell(f"%acn --settings {settings} select id from Contacts")
        timer.join()
        assert isinstance(result.error_in_exec, UsageError) and "cancelled" in str(result.error_in_exec)
        again = run(ip, f"%acn --settings {settings} select count(*) as n from Tags")
        assert again["n"][0] == 24


def test_a_notebook_runs_through_nbclient(settings_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACN_SETTINGS", str(settings_path))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext acn_magic"),
                nbformat.v4.new_code_cell("%acn select count(*) as contacts from Contacts"),
                nbformat.v4.new_code_cell("%%acn top <<\nselect tag from Tags order by subscriber_count desc limit 3"),
                nbformat.v4.new_code_cell("len(top)"),
                nbformat.v4.new_code_cell("%acn select nope from Contacts")]
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    with pytest.raises(CellExecutionError) as err:
        client.execute()
    assert 'Unknown column "nope"' in str(err.value)
    results = [o for o in nb.cells[1].outputs if o["output_type"] == "execute_result"]
    assert len(results) == 1
    assert set(results[0]["data"]) == {"text/html", "text/plain"} and "1200" in results[0]["data"]["text/plain"]
    assert "Connected to" in "".join(o.get("text", "") for o in nb.cells[1].outputs if o["output_type"] == "stream")
    assert nb.cells[2].outputs == [] or all(o["output_type"] == "stream" for o in nb.cells[2].outputs)
    assert nb.cells[3].outputs[0]["data"]["text/plain"] == "3"
    # IPython shows a UsageError as one line on stderr, without a traceback; the cell still fails.
    shown = "".join(o.get("text", "") for o in nb.cells[4].outputs)
    assert 'UsageError: Unknown column "nope"' in shown and "Traceback" not in shown

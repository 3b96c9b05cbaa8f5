"""The `acn` command: results per statement, formats, and one-paragraph errors with a non-zero exit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CANARY_KEY


def acn(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        home: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("ACN_SETTINGS", "INVANTIVE_SETTINGS_FILE_PATH", "ACN_CONNECTION")}
    if home is not None:
        environment["HOME"] = str(home)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "acn_magic.cli", *args], capture_output=True, text=True,
                          env=environment, input=stdin, timeout=120)


def test_fresh_install_without_settings_uses_the_sandbox(tmp_path: Path) -> None:
    result = acn("select count(*) as contacts from Contacts", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "contacts" in result.stdout and "1000" in result.stdout
    assert "embedded ActiveCampaign sandbox" in result.stderr


def test_formats_and_statements(settings_path: Path, tmp_path: Path) -> None:
    sql = "select id, tag from Tags where id <= 2 order by id; select count(*) as n from Lists"
    table = acn("--settings", str(settings_path), sql, home=tmp_path)
    assert table.returncode == 0 and "(2 rows; 1 API request)" in table.stdout and "(1 row; 1 API request)" in table.stdout
    as_json = acn("--settings", str(settings_path), "--format", "json", "select id, tag from Tags where id <= 2 order by id",
                  home=tmp_path)
    assert json.loads(as_json.stdout) == [{"id": 1, "tag": "customer"}, {"id": 2, "tag": "lead"}]
    as_csv = acn("--settings", str(settings_path), "--format", "csv", "select id, tag from Tags where id = 1",
                 home=tmp_path)
    assert as_csv.stdout.splitlines() == ["id,tag", "1,customer"]


def test_sql_from_a_file_and_from_stdin(settings_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "report.sql"
    script.write_text("-- a report\nselect 1 as one;\n\nselect 2 as two;\n")
    result = acn("--settings", str(settings_path), "-f", str(script), home=tmp_path)
    assert result.returncode == 0 and "one" in result.stdout and "two" in result.stdout
    piped = acn("--settings", str(settings_path), "--format", "csv", stdin="select 42 as answer", home=tmp_path)
    assert piped.stdout.splitlines() == ["answer", "42"]


def test_errors_are_one_paragraph_without_traceback_or_key(settings_path: Path, tmp_path: Path) -> None:
    for args in (["select nope from Contacts"], ["select 1; select * from Nope"], ["-f", str(tmp_path / "missing.sql")]):
        result = acn("--settings", str(settings_path), *args, home=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("acn: error:") == 1 and "Traceback" not in result.stderr
        assert CANARY_KEY not in result.stderr + result.stdout
    assert "statement 2" in acn("--settings", str(settings_path), "select 1; select * from Nope", home=tmp_path).stderr


def test_settings_and_connection_errors(tmp_path: Path) -> None:
    missing = acn("--settings", str(tmp_path / "nope.xml"), "select 1", home=tmp_path)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    bad = tmp_path / "bad.xml"
    bad.write_text("<settings><connection name='x'><database provider='ActiveCampaign'/></connection></settings>")
    result = acn("--settings", str(bad), "select 1", home=tmp_path)
    assert result.returncode == 1 and f"{bad}, line 1: a <database> has no alias" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (["--format", "xml", "select 1"], ["--bogus"], ["-f", "x.sql", "select 1"]):
        result = acn(*args, home=tmp_path)
        assert result.returncode == 2 and "usage: acn" in result.stderr and "Traceback" not in result.stderr

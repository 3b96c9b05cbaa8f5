"""settings.xml: Invantive's format, discovery order, connection choice, and every error with file and line."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from acn_magic import settings
from acn_magic.errors import ConnectionNotFound, SettingsError

GOOD = """<?xml version="1.0" encoding="utf-8"?>
<settings xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="5" forcedefault="false">
  <group name="Marketing">
    <connection name="ActiveCampaign (prod)">
      <database order="10" alias="acn" provider="ActiveCampaign"
                connectionString="api-url=https://example.api-us1.com;api-key=KEY1;max-retries=2"/>
      <database order="20" alias="acn2" provider="ActiveCampaign"
                defaultUserLogonCode="https://other.api-us1.com" defaultPassword="KEY2"/>
    </connection>
  </group>
  <group name="Finance">
    <connection name="Exact">
      <database alias="eol" provider="ExactOnlineAll" connectionString="api-url=x"/>
      <database alias="pg" provider="PostgreSql" connectionString="Server=localhost;Database=dwh"/>
    </connection>
  </group>
</settings>
"""


def write(tmp_path: Path, text: str, name: str = "settings.xml", mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_parses_groups_connections_and_containers(tmp_path: Path) -> None:
    loaded = settings.load([write(tmp_path, GOOD)])
    assert [c.label for c in loaded.connections] == ["Marketing\\ActiveCampaign (prod)", "Finance\\Exact"]
    acn, acn2 = loaded.connections[0].containers
    assert (acn.alias, acn.api_url, acn.api_key, acn.attributes) == ("acn", "https://example.api-us1.com", "KEY1",
                                                                     {"max-retries": "2"})
    assert (acn2.api_url, acn2.api_key) == ("https://other.api-us1.com", "KEY2")
    assert acn.line == 5 and acn2.line == 7
    other = loaded.connections[1].containers
    assert [(c.alias, c.provider, c.is_activecampaign) for c in other] == [("eol", "ExactOnlineAll", False),
                                                                          ("pg", "PostgreSql", False)]


def test_key_stays_out_of_reprs(tmp_path: Path) -> None:
    loaded = settings.load([write(tmp_path, GOOD)])
    assert "KEY1" not in repr(loaded) and "KEY1" not in repr(loaded.connections[0].containers[0])


@pytest.mark.parametrize(("body", "line", "words"), [
    ('<database provider="ActiveCampaign" connectionString="api-url=https://a;api-key=k"/>', 4, "has no alias"),
    ('<database alias="acn" provider="ActiveCampaign" connectionString="api-key=k"/>', 4, "has no API URL"),
    ('<database alias="acn" provider="ActiveCampaign" connectionString="api-url=https://a"/>', 4, "has no API key"),
    ('<database alias="acn" provider="ActiveCampaign" connectionString="api-url=ftp://a;api-key=k"/>', 4,
     "not an http(s) URL"),
    ('<database alias="acn" provider="ActiveCampaign" connectionString="api-url=https://a;api-key=k"/>\n'
     '<database alias="ACN" provider="ActiveCampaign" connectionString="api-url=https://b;api-key=k"/>', 5,
     "used twice"),
    ('<database alias="a b" provider="X"/>', 4, "letters, digits and underscores"),
])
def test_container_errors_name_file_and_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    text = f'<?xml version="1.0"?>\n<settings>\n<connection name="c">\n{body}\n</connection>\n</settings>\n'
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        settings.load([path])
    assert f"{path}, line {line}:" in str(err.value) and words in str(err.value)


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '<settings>\n  <connection name="x">\n  </connektion>\n</settings>')
    with pytest.raises(SettingsError, match=r"line 3, column \d+: the XML is malformed \(mismatched tag\)"):
        settings.load([path])


@pytest.mark.parametrize("payload", [
    '<!DOCTYPE settings [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n<settings>&b;</settings>',
    '<!DOCTYPE settings [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<settings>&x;</settings>',
    '<!DOCTYPE settings SYSTEM "http://127.0.0.1:1/evil.dtd">\n<settings/>',
])
def test_entities_and_doctypes_are_refused(tmp_path: Path, payload: str) -> None:
    with pytest.raises(SettingsError, match="not allowed"):
        settings.load([write(tmp_path, payload)])


def test_wrong_root_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="starts with <settings>"):
        settings.load([write(tmp_path, "<config/>")])
    with pytest.raises(SettingsError, match="malformed"):
        settings.load([write(tmp_path, "", name="settings2.xml")])


def test_key_readable_by_others_warns(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, mode=0o644)
    with pytest.warns(settings.InsecureSettingsWarning, match=f"chmod 600 {path}"):
        settings.load([path])
    os.chmod(path, 0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settings.load([path])


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "invantive").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert settings.discover_files() == ([], "none found")
    first = write(home / "invantive", GOOD, "Settings-Prod.XML")
    second = write(home / "invantive", GOOD, "settings.xml")
    write(home / "invantive", GOOD, "notes.xml")
    assert settings.discover_files()[0] == sorted([first, second])
    invantive_env = write(tmp_path, GOOD, "inv.xml")
    monkeypatch.setenv("INVANTIVE_SETTINGS_FILE_PATH", str(invantive_env))
    assert settings.discover_files() == ([invantive_env], "from INVANTIVE_SETTINGS_FILE_PATH")
    acn_env = write(tmp_path, GOOD, "acn.xml")
    monkeypatch.setenv("ACN_SETTINGS", str(acn_env))
    assert settings.discover_files() == ([acn_env], "from ACN_SETTINGS")
    explicit = write(tmp_path, GOOD, "explicit.xml")
    assert settings.discover_files(explicit) == ([explicit], "given explicitly")
    monkeypatch.setenv("ACN_SETTINGS", str(tmp_path / "missing.xml"))
    with pytest.raises(SettingsError, match="ACN_SETTINGS names .*missing.xml, which does not exist"):
        settings.discover_files()


def test_choosing_a_connection(tmp_path: Path) -> None:
    loaded = settings.load([write(tmp_path, GOOD)])
    assert loaded.choose("activecampaign (PROD)").name == "ActiveCampaign (prod)"
    assert loaded.choose("Finance/Exact").name == "Exact"
    with pytest.raises(ConnectionNotFound, match=r'The connections are: "Marketing\\ActiveCampaign \(prod\)", '
                                                 r'"Finance\\Exact"'):
        loaded.choose(None)
    with pytest.raises(ConnectionNotFound, match='No connection named "nope"'):
        loaded.choose("nope")

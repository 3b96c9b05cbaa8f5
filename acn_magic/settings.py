"""settings.xml in Invantive's format: discovery, safe parsing, connections and data containers.

XML is read with expat and every DTD, entity declaration and external reference is refused, so a
settings file can neither expand into gigabytes nor make us read another file.
"""
from __future__ import annotations

import os
import stat
import warnings
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from acn_magic.errors import ConnectionNotFound, SettingsError

ACTIVECAMPAIGN = "activecampaign"
MAX_SETTINGS_BYTES = 10 * 1024 * 1024


class InsecureSettingsWarning(UserWarning):
    """A settings file holding an API key can be read by other users."""


@dataclass
class DataContainer:
    """One `<database>` element: an alias usable as `@alias` in SQL."""

    alias: str
    provider: str
    file: str
    line: int
    api_url: str = ""
    api_key: str = field(default="", repr=False)  # never shown, not even in reprs
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def is_activecampaign(self) -> bool:
        return self.provider.lower() == ACTIVECAMPAIGN

    def __repr__(self) -> str:
        return f"DataContainer(alias={self.alias!r}, provider={self.provider!r}, api_url={self.api_url!r})"


@dataclass
class Connection:
    """A `<connection>`: what a user connects to, holding one or more data containers."""

    name: str
    group: str
    file: str
    line: int
    containers: list[DataContainer] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.group}\\{self.name}" if self.group else self.name


@dataclass
class Settings:
    connections: list[Connection]
    files: list[str]

    def choose(self, name: str | None) -> Connection:
        """The named connection, else the only one; an error listing the names otherwise."""
        listing = ", ".join(f'"{c.label}"' for c in self.connections) or "(none)"
        if name:
            wanted = name.strip().lower()
            for conn in self.connections:
                if wanted in (conn.name.lower(), conn.label.lower(), conn.label.lower().replace("\\", "/")):
                    return conn
            raise ConnectionNotFound(f'No connection named "{name}" in {", ".join(self.files)}. '
                                     f"The connections are: {listing}.")
        if len(self.connections) == 1:
            return self.connections[0]
        if not self.connections:
            raise ConnectionNotFound(f"{', '.join(self.files)} holds no connection; add a <connection> with a "
                                     f'<database alias="acn" provider="ActiveCampaign" .../>.')
        raise ConnectionNotFound(f"{', '.join(self.files)} holds {len(self.connections)} connections; choose one "
                                 f"with --connection NAME, connect(connection=...) or ACN_CONNECTION. "
                                 f"The connections are: {listing}.")


def discover_files(explicit: str | os.PathLike[str] | None = None) -> tuple[list[Path], str]:
    """The settings files to read and how they were found; an empty list means none exists."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(f"Settings file {path} does not exist. Give the path of an Invantive settings.xml.")
        return [path], "given explicitly"
    for variable in ("ACN_SETTINGS", "INVANTIVE_SETTINGS_FILE_PATH"):
        value = os.environ.get(variable)
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise SettingsError(f"{variable} names {path}, which does not exist. Fix or unset {variable}.")
            return [path], f"from {variable}"
    home = Path.home()
    found: list[Path] = []
    for folder in sorted({p for p in (home / "invantive", home / "Invantive") if p.is_dir()}):
        found += sorted(p for p in folder.iterdir()
                        if p.is_file() and p.name.lower().startswith("settings") and p.name.lower().endswith(".xml"))
    return found, f"found in {found[0].parent}" if found else "none found"


def load(files: list[Path]) -> Settings:
    connections: list[Connection] = []
    for path in files:
        connections += parse_file(path)
    return Settings(connections, [str(p) for p in files])


def parse_file(path: Path) -> list[Connection]:
    try:
        size = path.stat().st_size
        if size > MAX_SETTINGS_BYTES:
            raise SettingsError(f"{path} is {size:,} bytes; a settings file is at most {MAX_SETTINGS_BYTES:,}.")
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"Cannot read settings file {path}: {exc.strerror}.") from None
    connections = parse_text(data, str(path))
    _warn_if_readable_by_others(path, connections)
    return connections


def parse_text(data: bytes | str, file: str) -> list[Connection]:
    """Parse settings XML; every error names the file and line."""
    reader = _SettingsReader(file)
    reader.feed(data.encode("utf-8") if isinstance(data, str) else data)
    return reader.connections


class _SettingsReader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.connections: list[Connection] = []
        self.group = ""
        self.depth = 0
        self.root_seen = False
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        # Refuse DTDs and entities outright: no expansion bombs, no external files.
        self.parser.StartDoctypeDeclHandler = self._refuse_doctype
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.ExternalEntityRefHandler = self._refuse_external
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def fail(self, message: str, line: int | None = None) -> SettingsError:
        at = line if line is not None else self.parser.CurrentLineNumber
        return SettingsError(f"{self.file}, line {at}: {message}")

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, True)
        except xml.parsers.expat.ExpatError as exc:
            raise SettingsError(f"{self.file}, line {exc.lineno}, column {exc.offset + 1}: the XML is malformed "
                                f"({xml.parsers.expat.errors.messages[exc.code]}). Fix the file or remove it.") from None
        except (LookupError, UnicodeError) as exc:  # an unknown or wrong encoding in the XML declaration
            raise SettingsError(f"{self.file}, line {self.parser.CurrentLineNumber}: the file's encoding cannot be "
                                f"read ({exc}). Save it as UTF-8 with encoding=\"utf-8\".") from None
        if not self.root_seen:
            raise self.fail("the file holds no <settings> element.")

    def _refuse_doctype(self, *args: object) -> None:
        raise self.fail("DOCTYPE declarations are not allowed in a settings file (they can expand entities or "
                        "read other files). Remove the <!DOCTYPE ...> block.")

    def _refuse_entity(self, *args: object) -> None:
        raise self.fail("entity declarations are not allowed in a settings file. Remove them.")

    def _refuse_external(self, *args: object) -> int:
        raise self.fail("external entities are not allowed in a settings file. Remove them.")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        line = self.parser.CurrentLineNumber
        name = tag.lower()
        if self.depth == 1:
            if name != "settings":
                raise self.fail(f"the root element is <{tag}>; an Invantive settings file starts with <settings>.")
            self.root_seen = True
        elif name == "group":
            self.group = attrs.get("name", "")
        elif name == "connection":
            self.connections.append(Connection(attrs.get("name", "").strip() or f"connection {len(self.connections) + 1}",
                                               self.group, self.file, line))
        elif name == "database":
            if not self.connections:
                raise self.fail("<database> must be inside a <connection>.")
            self._container(self.connections[-1], attrs, line)

    def _end(self, tag: str) -> None:
        self.depth -= 1
        if tag.lower() == "group":
            self.group = ""

    def _container(self, connection: Connection, attrs: dict[str, str], line: int) -> None:
        alias = attrs.get("alias", "").strip()
        if not alias:
            raise self.fail('a <database> has no alias; add alias="acn" (the name used as @acn in SQL).', line)
        if not alias.replace("_", "").isalnum():
            raise self.fail(f'the alias "{alias}" may hold only letters, digits and underscores.', line)
        for other in connection.containers:
            if other.alias.lower() == alias.lower():
                raise self.fail(f'the alias "{alias}" is used twice in connection "{connection.name}" '
                                f"(also on line {other.line}); give each data container its own alias.", line)
        provider = attrs.get("provider", "").strip()
        container = DataContainer(alias, provider, self.file, line)
        container.attributes = parse_connection_string(attrs.get("connectionString", ""))
        if container.is_activecampaign:
            container.api_url = (container.attributes.pop("api-url", "") or attrs.get("defaultUserLogonCode", "")).strip()
            container.api_key = (container.attributes.pop("api-key", "") or attrs.get("defaultPassword", "")).strip()
            if not container.api_url:
                raise self.fail(f'data container "{alias}" has no API URL; add api-url=https://ACCOUNT.api-us1.com '
                                f"to its connectionString (or defaultUserLogonCode).", line)
            if not container.api_url.lower().startswith(("http://", "https://")):
                raise self.fail(f'data container "{alias}" has API URL "{container.api_url}", which is not an '
                                f"http(s) URL; use the URL under Settings > Developer in ActiveCampaign.", line)
            if not container.api_key:
                raise self.fail(f'data container "{alias}" has no API key; add api-key=... to its connectionString '
                                f"(or defaultPassword).", line)
        connection.containers.append(container)


def parse_connection_string(text: str) -> dict[str, str]:
    """`name=value;name=value` with lower-case names; values may contain '=' but not ';'."""
    result: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        result[name.strip().lower()] = value.strip() if sep else ""
    return result


def _warn_if_readable_by_others(path: Path, connections: list[Connection]) -> None:
    if os.name != "posix":
        return
    has_key = any(c.api_key for conn in connections for c in conn.containers)
    mode = stat.S_IMODE(path.stat().st_mode)
    if has_key and mode & 0o077:
        warnings.warn(f"{path} holds an API key and can be read by other users (mode {mode:o}); "
                      f"run: chmod 600 {path}", InsecureSettingsWarning, stacklevel=2)

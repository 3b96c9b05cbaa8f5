"""The one exception tree of acn_magic. Every message says what, where, and how to fix it.

    AcnError
    ├── SettingsError            settings.xml missing, malformed or incomplete (file and line)
    ├── DriverAttributeError     an unknown driver attribute or an invalid value (acn_magic.attributes)
    ├── ConnectionNotFound       no such connection, or several and none chosen
    ├── UnsupportedProvider      a data container whose provider acn_magic cannot speak
    ├── SqlError                 a statement that cannot be parsed or run (statement, line and column)
    │   ├── UnknownTable         a table name not in the catalog (with the closest names)
    │   ├── UnknownColumn        a column name not in the table (with the closest names)
    │   └── UnsupportedStatement a statement kind acn_magic does not run (yet)
    ├── ApiError                 the ActiveCampaign API answered with an error (status, API message, URL)
    │   └── AuthenticationError  the API key was refused (403)
    ├── TransportError           the API could not be reached, or retries ran out
    ├── QueryCancelled           the user interrupted a running statement
    └── InternalError            a bug in acn_magic, reported without a raw traceback
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class AcnError(Exception):
    """Base of every error acn_magic raises on purpose."""


class SettingsError(AcnError):
    """settings.xml is missing, malformed or incomplete."""


class ConnectionNotFound(AcnError):
    """The requested connection is not in the settings, or one has to be chosen."""


class UnsupportedProvider(AcnError):
    """A data container uses a provider other than ActiveCampaign."""


class SqlError(AcnError):
    """A statement that cannot be parsed or run."""

    def __init__(self, message: str, *, statement: int | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.statement = statement
        self.line = line
        self.column = column
        super().__init__(message)

    def located(self, statement: int, line_offset: int) -> SqlError:
        """The same error placed within a cell: statement number and line counted from the cell's start."""
        self.statement = statement
        if self.line is not None:
            self.line += line_offset
        self.args = (self.describe(),)
        return self

    def describe(self) -> str:
        base = self.bare_message()
        where = []
        if self.statement is not None:
            where.append(f"statement {self.statement}")
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column is not None else ""))
        return f"{base} ({'; '.join(where)})" if where else base

    def bare_message(self) -> str:
        message = str(self.args[0]) if self.args else ""
        return message.split(" (statement ")[0] if " (statement " in message else message


class UnknownTable(SqlError):
    """A table name that is not in the catalog."""


class UnknownColumn(SqlError):
    """A column name that is not in the table."""


class UnsupportedStatement(SqlError):
    """A statement kind that acn_magic does not run."""


class ApiError(AcnError):
    """The ActiveCampaign API answered with an error status."""

    def __init__(self, message: str, *, status: int, url: str, api_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.api_message = api_message


class AuthenticationError(ApiError):
    """The API key was refused."""


class TransportError(AcnError):
    """The API could not be reached, or every retry failed."""


class QueryCancelled(AcnError):
    """The user interrupted a running statement."""


class InternalError(AcnError):
    """A bug in acn_magic, caught so that no raw traceback reaches the user; please report it."""


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates closest to `name`, case-insensitively, best first."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.5)
    return [by_lower[m] for m in matches]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    options = closest(name, candidates)
    return f" Did you mean {', '.join(options)}?" if options else ""

"""Driver attributes: the names accepted in a connectionString (and, later, by `set`), typed and checked."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from acn_magic.errors import AcnError, did_you_mean


class DriverAttributeError(AcnError):
    """An unknown driver attribute or an invalid value for one."""


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("expected a number above 0")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("expected a whole number of 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("expected a whole number of 1 or more")
    return value


_EXPECTS: dict[Callable[[str], Any], str] = {
    _bool: "true or false", _positive_float: "a number above 0", _non_negative_int: "a whole number of 0 or more",
    _positive_int: "a whole number of 1 or more"}


@dataclass(frozen=True)
class AttributeDef:
    name: str
    parse: Callable[[str], Any]
    default: Any
    description: str

    @property
    def expects(self) -> str:
        return _EXPECTS.get(self.parse, "text")


ATTRIBUTES: dict[str, AttributeDef] = {a.name: a for a in (
    AttributeDef("max-requests-per-second", _positive_float, 5.0,
                 "Requests per second sent to the account (ActiveCampaign allows 5 per account)."),
    AttributeDef("max-concurrent-requests", _positive_int, 8, "Requests in flight at once per data container."),
    AttributeDef("request-timeout-seconds", _positive_float, 30.0, "Seconds to wait for an answer before retrying."),
    AttributeDef("max-retries", _non_negative_int, 5,
                 "Retries of a read after 429, 5xx, a timeout or a dropped connection."),
    AttributeDef("use-http-memory-cache", _bool, True, "Serve repeated identical reads from the session's cache."),
    AttributeDef("http-memory-cache-seconds", _positive_float, 300.0, "How long a cached answer stays valid."),
    AttributeDef("log-native-calls-to-disk", _bool, False, "Append every request and response to NDJSON files."),
    AttributeDef("native-log-folder", str, "", "Folder for the native call logs (default ~/invantive/logs)."),
    AttributeDef("allow-dml-without-where", _bool, False, "Allow update and delete without a where clause."),
    AttributeDef("dml-row-limit", _positive_int, 100, "Most rows one insert, update or delete may write."),
)}


def parse_attribute(name: str, value: str, where: str) -> Any:
    """The typed value of one attribute; a clear error for unknown names and bad values."""
    definition = ATTRIBUTES.get(name.lower())
    if definition is None:
        raise DriverAttributeError(f'Unknown driver attribute "{name}" in {where}.{did_you_mean(name, ATTRIBUTES)} '
                              f"Valid attributes: {', '.join(sorted(ATTRIBUTES))}.")
    try:
        return definition.parse(value)
    except ValueError:
        raise DriverAttributeError(f'Invalid value "{value}" for driver attribute {definition.name} in {where}: '
                                   f"expected {definition.expects}.") from None


def resolve(given: dict[str, str], where: str) -> dict[str, Any]:
    """Defaults overlaid with the given attributes, every value checked."""
    values = {name: definition.default for name, definition in ATTRIBUTES.items()}
    for name, raw in given.items():
        values[name.lower()] = parse_attribute(name, raw, where)
    return values

"""Invantive's client-side statements: `set`, `use`, `local define`, `local remark`, and `${NAME}` substitution."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from acn_magic.errors import SqlError

_SET = re.compile(r"(?is)^\s*set\s+([A-Za-z][\w-]*)(?:@(\w+))?\s+(.+?)\s*$")
_USE = re.compile(r"(?is)^\s*use\s+(.+?)\s*$")
_DEFINE = re.compile(r"(?is)^\s*local\s+define\s+([A-Za-z_]\w*)\s+(.*?)\s*$")
_REMARK = re.compile(r"(?is)^\s*local\s+remark\b(.*)$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)\}")

# Applies one attribute to the containers it names; returns (alias, value in force) per container changed.
AttributeSetter = Callable[[str, str | None, str], list[tuple[str, Any]]]


def message(text: str) -> pd.DataFrame:
    return pd.DataFrame({"message": pd.array([text], dtype="string")})


def run_set(text: str, apply: AttributeSetter) -> pd.DataFrame:
    match = _SET.match(text)
    if match is None:
        raise SqlError("Write set NAME VALUE or set NAME@ALIAS VALUE, e.g. set max-requests-per-second 2.",
                       line=1, column=1)
    name, alias, value = match.group(1), match.group(2), _unquote(match.group(3))
    changed = apply(name, alias, value)
    return pd.DataFrame({"attribute": pd.array([name.lower()] * len(changed), dtype="string"),
                         "data_container": pd.array([a for a, _ in changed], dtype="string"),
                         "value": pd.array([str(v).lower() if isinstance(v, bool) else str(v) for _, v in changed],
                                           dtype="string")})


def run_use(text: str) -> pd.DataFrame:
    match = _USE.match(text)
    target = (match.group(1) if match else "").strip().rstrip(";").lower()
    if target not in ("all", "default", "all@acn") and not target.startswith(("all@", "default@")):
        raise SqlError(f'use {target or "..."}: ActiveCampaign has one partition per data container; write '
                       f"use all or use default.", line=1, column=1)
    return message("Using all partitions: ActiveCampaign has one partition per data container.")


def run_local(text: str, defines: dict[str, str]) -> pd.DataFrame:
    define = _DEFINE.match(text)
    if define is not None:
        name, value = define.group(1), _unquote(define.group(2))
        defines[name.upper()] = value
        return message(f"Defined {name.upper()} as {value!r}; use it as ${{{name.upper()}}}.")
    remark = _REMARK.match(text)
    if remark is not None:
        return message(remark.group(1).strip())
    raise SqlError("Supported local statements: local define NAME \"value\" and local remark TEXT.", line=1,
                   column=1)


def substitute(text: str, defines: Mapping[str, str]) -> str:
    """Replace `${NAME}` by the value given with `local define`; an unknown name is an error."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1).upper()
        if name not in defines:
            known = ", ".join(sorted(defines)) or "none yet"
            raise SqlError(f'${{{match.group(1)}}} is not defined; write local define {name} "value" first '
                           f"(defined: {known}).")
        return defines[name]

    return _VARIABLE.sub(value, text)


def _unquote(value: str) -> str:
    value = value.strip().rstrip(";").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value

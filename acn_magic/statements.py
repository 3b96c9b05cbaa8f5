"""A cell's text to statements: splitting, classifying, and Invantive names to plain SQL.

`Contacts@acn` becomes `Contacts$acn` before sqlglot parses it: the same length, so every line and
column sqlglot reports is still right for the user's text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlparse
from sqlparse.exceptions import SQLParseError

from acn_magic.errors import SqlError

ALIAS_MARK = "$"
_TOP = re.compile(r"(?is)^(\s*select\s+(?:distinct\s+)?)top\s+(\d+)\b")
_FIRST_WORD = re.compile(r"[A-Za-z_]+")


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based position in the cell
    text: str  # without the trailing semicolon
    line_offset: int  # lines in the cell before the statement starts
    kind: str  # the first keyword, lower case: select, with, insert, set, explain, ...

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


def split(cell: str) -> list[Statement]:
    """The cell's statements in order; comments and empty statements are dropped."""
    try:
        return _split(cell)
    except (SQLParseError, RecursionError):
        raise SqlError("The text is nested too deeply to read; simplify it.") from None


def _split(cell: str) -> list[Statement]:
    statements: list[Statement] = []
    cursor = 0
    for raw in sqlparse.split(cell):
        stripped = raw.strip()
        if not stripped:
            continue
        start = cell.find(stripped, cursor)
        if start < 0:
            start = cursor
        cursor = start + len(stripped)
        text = stripped[:-1].rstrip() if stripped.endswith(";") else stripped
        code = without_comments(text)
        if not code or code == ";":
            continue
        match = _FIRST_WORD.search(code)
        kind = match.group(0).lower() if match else ""
        statements.append(Statement(len(statements) + 1, text, cell.count("\n", 0, start), kind))
    return statements


def code_positions(text: str) -> Iterator[int]:
    """Indexes of the characters that are SQL code: outside string literals, quoted names and comments."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if text[end] == ch:
                    if end + 1 < n and text[end + 1] == ch:  # a doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            i = end + 1
            continue
        if text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        yield i
        i += 1


def mark_aliases(text: str) -> str:
    """Replace the `@` of `Name@alias` by a same-length marker, outside strings and comments."""
    out = list(text)
    n = len(text)
    for i in code_positions(text):
        if text[i] == "@" and 0 < i and (text[i - 1].isalnum() or text[i - 1] in '_")') and i + 1 < n and \
                (text[i + 1].isalpha() or text[i + 1] == "_"):
            out[i] = ALIAS_MARK
    return _alias_before_arguments("".join(out))


def _alias_before_arguments(text: str) -> str:
    """`Contacts(status => 1)$acn` becomes `Contacts$acn(status => 1)` (both placements are accepted)."""
    code = set(code_positions(text))
    i = 0
    while i < len(text):
        if text[i] == ")" and i in code and text.startswith(ALIAS_MARK, i + 1):
            end = i + 2
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            depth, start = 0, i
            while start >= 0:
                if start in code and text[start] == ")":
                    depth += 1
                elif start in code and text[start] == "(":
                    depth -= 1
                    if depth == 0:
                        break
                start -= 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in '_"'):
                text = text[:start] + text[i + 1:end] + text[start:i + 1] + text[end:]
                code = set(code_positions(text))
            i = end
            continue
        i += 1
    return text


def mark_parameters(text: str) -> str:
    """`:name` parameters become `$name` (same length), which sqlglot parses anywhere; `::` casts stay."""
    out = list(text)
    n = len(text)
    for i in code_positions(text):
        if text[i] == ":" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_") and \
                (i == 0 or (text[i - 1] != ":" and not text[i - 1].isalnum() and text[i - 1] not in "_$")):
            out[i] = "$"
    return "".join(out)


def take_top(text: str) -> tuple[str, int | None]:
    """`select top 10 ...` → the text with `top 10` blanked (same length) and the number 10."""
    match = _TOP.match(text)
    if not match:
        return text, None
    start, end = match.start(0) + len(match.group(1)), match.end(0)
    return text[:start] + " " * (end - start) + text[end:], int(match.group(2))


def first_word(text: str) -> str:
    code = without_comments(text)
    match = _FIRST_WORD.search(code)
    return match.group(0).lower() if match else ""


def blank_first_word(text: str) -> str:
    """The text with its first keyword (e.g. EXPLAIN) replaced by spaces, keeping every position."""
    for i in code_positions(text):
        if text[i].isalpha():
            end = i
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            return text[:i] + " " * (end - i) + text[end:]
    return text


def without_comments(text: str) -> str:
    try:
        return str(sqlparse.format(text, strip_comments=True)).strip()
    except (SQLParseError, RecursionError):
        raise SqlError("The text is nested too deeply to read; simplify it.") from None


def is_open(text: str) -> bool:
    """An open parenthesis, quote or comment: a console should wait for more lines."""
    code = set(code_positions(text))
    depth = sum({"(": 1, ")": -1}.get(text[i], 0) for i in code)
    last = max(code, default=-1)
    tail = text[last + 1:]
    quotes = sum(1 for i, ch in enumerate(text) if ch == "'" and i not in code)
    open_quote = tail.count("'") % 2 == 1 or (tail.startswith("'") and quotes % 2 == 1)
    open_comment = "/*" in tail and "*/" not in tail
    return depth > 0 or open_quote or open_comment

"""Native call logs: every request and response appended as NDJSON, one file per day, user and data container.

In Invantive's spirit (Id, DateRegisteredUtc, StartUtc, EndUtc, Url, ...). The API key is redacted in
every record, and files and folder are created readable by their owner only.
"""
from __future__ import annotations

import getpass
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from acn_magic.iolog import SessionIO

REDACTED = "***redacted***"
_LOCK = threading.Lock()


def default_folder() -> Path:
    return Path.home() / "invantive" / "logs"


def log_file(folder: Path, alias: str, day: datetime) -> Path:
    user = "".join(ch for ch in getpass.getuser() if ch.isalnum() or ch in "-_") or "user"
    return folder / f"acn-{day:%Y%m%d}-{user}-{alias}.ndjson"


def append(folder_setting: str, key: str, io: SessionIO, request_headers: dict[str, str], request_body: bytes | None,
           response_headers: dict[str, str] | None, response_body: bytes | None) -> Path:
    folder = Path(folder_setting).expanduser() if folder_setting else default_folder()
    record: dict[str, Any] = {
        "Id": io.id, "DateRegisteredUtc": datetime.now(timezone.utc).isoformat(),
        "StartUtc": io.start_utc.isoformat(), "EndUtc": io.end_utc.isoformat() if io.end_utc else None,
        "DurationMs": io.duration_ms, "DataContainerAlias": io.provider_data_container_alias,
        "StatementId": io.statement_id, "TableName": io.table_name, "HttpMethod": io.http_method, "Url": io.url,
        "RequestHeaders": {k: (REDACTED if k.lower() == "api-token" else v) for k, v in request_headers.items()},
        "RequestBody": _text(request_body), "HttpStatusCode": io.http_status_code,
        "ResponseHeaders": dict(response_headers or {}), "ResponseBody": _text(response_body),
        "RetryCount": io.retry_count, "FromCache": io.from_cache, "ErrorMessage": io.error_message,
    }
    line = json.dumps(record, ensure_ascii=False)
    if key:
        line = line.replace(key, REDACTED)  # belt and braces: the key never reaches the disk
    path = log_file(folder, io.provider_data_container_alias, io.start_utc)
    with _LOCK:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return path


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    return data.decode("utf-8", errors="replace")

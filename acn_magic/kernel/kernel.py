"""AcnKernel: cells of SQL run by a Session; results as text/html + text/plain; never dies on bad input."""
from __future__ import annotations

import fnmatch
import os
import re
import sys
import traceback
from typing import Any

from ipykernel.kernelbase import Kernel

from acn_magic import __version__, completion, display, statements
from acn_magic.errors import AcnError, QueryCancelled
from acn_magic.session import Session, connect

_CONNECT = re.compile(r"""(?is)^\s*local\s+connect\s+(?:"([^"]*)"|'([^']*)'|(\S+))\s*;?\s*$""")
_WORD_AT = re.compile(r"[\w.@]+$")
_WORD_AFTER = re.compile(r"^[\w.]*")


class AcnKernel(Kernel):
    implementation = "acn_magic"
    implementation_version = __version__
    language = "sql"
    language_version = "ActiveCampaign API v3"
    language_info = {
        "name": "sql",
        "mimetype": "text/x-sql",
        "file_extension": ".sql",
        "codemirror_mode": "sql",
        "pygments_lexer": "sql",
    }
    banner = ("ActiveCampaign SQL: SQL over the ActiveCampaign API v3 (acn_magic). "
              "Try: select * from SystemTables@DataDictionary")
    help_links = [{"text": "acn_magic README", "url": "https://pypi.org/project/acn-magic/"}]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sql_session: Session | None = None
        self.display_limit = int(os.environ.get("ACN_DISPLAYLIMIT", "20"))
        self.feedback = os.environ.get("ACN_FEEDBACK", "1") != "0"
        self.history: list[tuple[int, int, str, str]] = []  # (session, line, input, output text)
        self.notice = ""  # the connection notice, shown with the next result or error (never a message of its own)

    # ---- execution ----------------------------------------------------------------------------------

    async def do_execute(self, code: str, silent: bool, store_history: bool = True, user_expressions: Any = None,
                   allow_stdin: bool = False, *, cell_meta: Any = None, cell_id: Any = None) -> dict[str, Any]:
        output = ""
        try:
            switch = _CONNECT.match(statements.without_comments(code)) if code.strip() else None
            if switch is not None:
                output = self._connect(next(g for g in switch.groups() if g is not None), silent)
            elif code.strip():
                output = self._run(code, silent)
            reply = {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}
        except (QueryCancelled, KeyboardInterrupt):
            self._stream("stderr", "Cancelled; the session is still usable.\n", silent)
            return {"status": "abort", "execution_count": self.execution_count}
        except AcnError as exc:
            reply = self._error(type(exc).__name__, str(exc), silent)
        except Exception as exc:  # a bug of ours must not kill the kernel
            self.log.error("internal error: %s", traceback.format_exc())
            reply = self._error("InternalError", f"{type(exc).__name__}: {exc}. This is a bug in acn_magic; please "
                                                 f"report it.", silent)
        if store_history:
            self.history.append((0, self.execution_count, code, output))
        return reply

    def _run(self, code: str, silent: bool) -> str:
        session = self._session(silent)
        results = session.execute(code)
        shown = ""
        for index, result in enumerate(results):
            for warning in result.warnings:
                self._stream("stderr", f"warning: {warning}\n", silent)
            summary = result.summary() if self.feedback else ""
            if self.notice:
                summary, self.notice = "\n".join(x for x in (summary, self.notice) if x), ""
            data = display.bundle(result.frame, self.display_limit, summary)
            shown = data["text/plain"]
            if silent:
                continue
            last = index == len(results) - 1
            content: dict[str, Any] = {"data": data, "metadata": {}}
            if last:
                content["execution_count"] = self.execution_count
            self.send_response(self.iopub_socket, "execute_result" if last else "display_data", content)
        return shown

    def _session(self, silent: bool) -> Session:
        if self.sql_session is None:
            self.sql_session = connect(quiet=True)
            self.sql_session.show_progress = False
            self.notice = " ".join(self.sql_session.notices)
        return self.sql_session

    def _connect(self, name: str, silent: bool) -> str:
        """`local connect "Name"`: switch this notebook to another connection of settings.xml."""
        new = connect(name, quiet=True)
        new.show_progress = False
        if self.sql_session is not None:
            self.sql_session.close()
        self.sql_session = new
        message = f"Connected to {new.connection.label} ({', '.join(c.alias for c in new.containers.values())}).\n"
        self._stream("stdout", message, silent)
        return message

    def _error(self, ename: str, evalue: str, silent: bool) -> dict[str, Any]:
        lines = [f"{ename}: {evalue}"]
        if self.notice:
            lines.append(self.notice)
            self.notice = ""
        if not silent:
            self.send_response(self.iopub_socket, "error", {"ename": ename, "evalue": evalue, "traceback": lines})
        return {"status": "error", "execution_count": self.execution_count, "ename": ename, "evalue": evalue,
                "traceback": lines}

    def _stream(self, name: str, text: str, silent: bool) -> None:
        if not silent:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    # ---- completion, inspection, console support ---------------------------------------------------------

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        aliases = [c.alias for c in self.sql_session.containers.values()] if self.sql_session else None
        found = completion.complete(code, cursor_pos, aliases)
        start = min((f.start for f in found), default=cursor_pos)
        matches = [code[start:f.start] + f.text for f in found]
        types = [{"start": start, "end": cursor_pos, "text": m, "type": f.kind} for m, f in zip(matches, found,
                                                                                               strict=True)]
        return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor_pos,
                "metadata": {"_jupyter_types_experimental": types}}

    async def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()) -> dict[str, Any]:
        before = _WORD_AT.search(code[:cursor_pos])
        after = _WORD_AFTER.match(code[cursor_pos:])
        word = ((before.group(0) if before else "") + (after.group(0) if after else "")).split("@")[0]
        text = completion.describe(word) if word else None
        return {"status": "ok", "found": text is not None, "data": {"text/plain": text} if text else {},
                "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        if not code.strip():
            return {"status": "incomplete", "indent": ""}
        if statements.is_open(code):
            return {"status": "incomplete", "indent": "    "}
        if code.rstrip().endswith(";") or len(statements.split(code)) == 1:
            return {"status": "complete"}
        return {"status": "incomplete", "indent": ""}

    async def do_history(self, hist_access_type: str, output: bool, raw: bool, session: int = 0, start: int = 0,
                   stop: int | None = None, n: int | None = None, pattern: str | None = None,
                   unique: bool = False) -> dict[str, Any]:
        entries = self.history
        if hist_access_type == "tail":
            entries = entries[-n:] if n else entries
        elif hist_access_type == "range":
            entries = [e for e in entries if e[0] == session and start <= e[1] and (stop is None or e[1] < stop)]
        elif hist_access_type == "search":
            entries = [e for e in entries if fnmatch.fnmatch(e[2], pattern or "*")]
            if unique:  # keep the latest entry of each input
                latest: dict[str, tuple[int, int, str, str]] = {}
                for entry in entries:
                    latest.pop(entry[2], None)
                    latest[entry[2]] = entry
                entries = list(latest.values())
            entries = entries[-n:] if n else entries
        history = [(s, line, (code, out) if output else code) for s, line, code, out in entries]
        return {"status": "ok", "history": history}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        if self.sql_session is not None:
            self.sql_session.close()
            self.sql_session = None
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Start the kernel with: python -m acn_magic.kernel -f CONNECTION_FILE")

"""`python -m acn_magic.sandbox`: run the sandbox until SIGINT/SIGTERM, announcing itself in one JSON line."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from acn_magic.sandbox import FAULT_KINDS, Sandbox


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _non_negative(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a valid {getattr(kind, '__name__', 'value')}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
        return value

    parse.__name__ = getattr(kind, "__name__", "value")
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m acn_magic.sandbox",
                     description="An ActiveCampaign v3 API with demo data, on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_non_negative(int), default=0, help="port (default 0: any free port)")
    parser.add_argument("--seed", type=int, default=1, help="demo data and fault seed (default 1)")
    parser.add_argument("--contacts", type=_non_negative(int), default=2500, help="contacts per account (default 2500)")
    parser.add_argument("--accounts", type=_non_negative(int), default=1, help="number of accounts (default 1)")
    parser.add_argument("--rate", type=_non_negative(float), default=5.0,
                        help="requests per second per account, 0 for no limit (default 5)")
    parser.add_argument("--latency", type=_non_negative(float), default=0.0, help="seconds added to each answer")
    parser.add_argument("--jitter", type=_non_negative(float), default=0.0, help="± seconds of random latency")
    parser.add_argument("--fault-rate", type=_non_negative(float), default=0.0,
                        help="fraction of requests that fail (0..1)")
    parser.add_argument("--fault-kinds", default=",".join(FAULT_KINDS),
                        help=f"comma-separated subset of {','.join(FAULT_KINDS)}")
    parser.add_argument("--write-settings", metavar="PATH", help="also write a settings.xml for these accounts")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    if args.fault_rate > 1:
        parser.error("--fault-rate must be between 0 and 1")
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown:
        parser.error(f"unknown fault kinds {', '.join(unknown)}; choose from {', '.join(FAULT_KINDS)}")
    try:
        sandbox = Sandbox(host=args.host, port=args.port, seed=args.seed, contacts=args.contacts,
                          accounts=args.accounts, rate=args.rate, latency=args.latency, jitter=args.jitter,
                          fault_rate=args.fault_rate, fault_kinds=kinds).start()
    except OSError as exc:
        print(f"python -m acn_magic.sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if args.write_settings:
            sandbox.write_settings(args.write_settings)
        announcement = {"url": sandbox.url, "accounts": [
            {"name": a.name, "api_url": a.api_url, "api_key": a.api_key} for a in sandbox.accounts]}
        print(json.dumps(announcement), flush=True)
        while not stop.wait(0.5):
            pass
    except OSError as exc:
        print(f"python -m acn_magic.sandbox: {exc}", file=sys.stderr)
        return 1
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Requests and wall time of acn_magic against the rate-limit floor, beside a plain paging loop.

    .venv/bin/python -m benchmarks.scan_benchmark [--contacts 20000] [--latency 0.3] [--jitter 0.1]

Starts the sandbox with the real limit (5 requests/second per account) and realistic latency, then
runs a fixed suite of queries. The floor of a query is (requests - 1) / rate: the first request
leaves at once, each further one must wait its turn under the limit.
"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import requests

from acn_magic import connect
from acn_magic.sandbox import Sandbox

RATE = 5.0


def plain_loop(api_url: str, key: str) -> tuple[int, float, int]:
    """What the open-source connectors do: one page after another, 100 rows a page."""
    http = requests.Session()
    http.headers["Api-Token"] = key
    started = time.monotonic()
    offset, count, rows = 0, 0, 0
    while True:
        body = http.get(f"{api_url}/api/3/contacts", params={"limit": 100, "offset": offset}, timeout=60).json()
        count += 1
        rows += len(body["contacts"])
        offset += 100
        if offset >= int(body["meta"]["total"]):
            return count, time.monotonic() - started, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--jitter", type=float, default=0.1)
    args = parser.parse_args()
    pages = math.ceil(args.contacts / 100)
    suite = [
        ("full scan of Contacts", "select id, email from Contacts", pages),
        ("point lookup by id", "select * from Contacts where id = 4242", 1),
        ("IN list of 50 ids", f"select id from Contacts where id in ({', '.join(str(i * 7) for i in range(1, 51))})", 1),
        ("lookup by e-mail", "select id from Contacts where email = 'nobody@example.com'", 1),
        ("count(*)", "select count(*) from Contacts", 1),
        ("count(*) with id range", "select count(*) from Contacts where id > 15000", 1),
        ("newest 10 contacts", "select id, cdate from Contacts order by id desc limit 10", 1),
        ("first 250 by creation", "select id from Contacts order by cdate limit 250", 3),
        ("deals in one stage", "select id, title from Deals where stage = 3", None),
    ]
    print(f"sandbox: {args.contacts:,} contacts, rate {RATE:g}/s, latency {args.latency:g}s ± {args.jitter:g}s\n")
    with Sandbox(contacts=args.contacts, rate=RATE, latency=args.latency, jitter=args.jitter, seed=1) as sb:
        account = sb.accounts[0]
        count, seconds, rows = plain_loop(account.api_url, account.api_key)
        floor = (count - 1) / RATE
        print(f"{'plain one-page-at-a-time loop':34} {count:5} requests {seconds:7.1f}s  floor {floor:6.1f}s  "
              f"x{seconds / floor:5.2f} of floor  ({rows:,} rows)")
        time.sleep(1.5)  # let the account's bucket refill between runs
        with tempfile.TemporaryDirectory() as folder:
            settings = sb.write_settings(Path(folder) / "settings.xml", {"use-http-memory-cache": "false"})
            with connect(settings=settings, quiet=True) as session:
                session.show_progress = False
                for title, sql, minimum in suite:
                    before = len(sb.requests())
                    result = session.execute(sql)[-1]
                    made = result.requests
                    floor = max(0.0, (made - 1) / RATE)
                    ratio = f"x{result.seconds / floor:5.2f} of floor" if floor else "      -       "
                    verdict = "minimum" if minimum is None or made == minimum else f"MIN IS {minimum}"
                    assert len(sb.requests()) - before == made
                    print(f"{'acn_magic: ' + title:34} {made:5} requests {result.seconds:7.1f}s  floor {floor:6.1f}s  "
                          f"{ratio}  ({len(result.frame):,} rows; {verdict})")
                    time.sleep(1.5)
        throttled = sum(1 for r in sb.requests() if r.status == 429)
        print(f"\n429 answers from the sandbox during the whole run: {throttled}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

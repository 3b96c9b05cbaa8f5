"""The full fault run: N seeded runs of a 10,000-contact scan and a three-table join under 10% faults.

    .venv/bin/python -m benchmarks.reliability [--runs 50] [--contacts 10000]

Every run must return exactly the fault-free answer or fail with a clear error; a partial result
presented as complete counts as a failure of the run. Prints runs, faults injected, correct answers.
"""
from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from acn_magic import connect
from acn_magic.errors import AcnError
from acn_magic.sandbox import FAULT_KINDS, Sandbox

SCAN = "select /*+ http_memory_cache(false, false) */ id, email, cdate from Contacts order by id"
JOIN = ("select /*+ http_memory_cache(false, false) */ t.tag, count(*) as contacts, min(c.email) as first_email "
        "from Contacts c join ContactTags ct on ct.contact = c.id join Tags t on t.id = ct.tag group by t.tag order by t.tag")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=10000)
    parser.add_argument("--fault-rate", type=float, default=0.10)
    args = parser.parse_args()
    totals: Counter[str] = Counter()
    with Sandbox(contacts=args.contacts, rate=0, seed=1) as sb, tempfile.TemporaryDirectory() as folder:
        settings = sb.write_settings(Path(folder) / "s.xml", {"max-requests-per-second": "1000", "max-retries": "8",
                                                              "request-timeout-seconds": "0.5"})
        with connect(settings=settings, quiet=True) as session:
            session.show_progress = False
            clean = (session.sql(SCAN), session.sql(JOIN))
            for run in range(args.runs):
                sb.faults.seed = 1000 + run
                sb.faults.seen.clear()
                sb.clear_requests()
                sb.set_faults(args.fault_rate, FAULT_KINDS, slow_seconds=1.0)
                try:
                    got = (session.sql(SCAN), session.sql(JOIN))
                    outcome = "exact" if got[0].equals(clean[0]) and got[1].equals(clean[1]) else "WRONG"
                except AcnError as exc:
                    outcome = f"clear error ({type(exc).__name__})"
                sb.set_faults(0)
                faults = Counter(r.fault for r in sb.requests() if r.fault)
                totals.update(faults)
                totals["requests"] += len(sb.requests())
                totals[outcome] += 1
                print(f"run {run + 1:3}: {outcome:28} {len(sb.requests()):5} requests, faults "
                      f"{dict(sorted(faults.items()))}", flush=True)
    faults_total = sum(totals[k] for k in FAULT_KINDS)
    print(f"\n{args.runs} runs, {totals['requests']:,} requests, {faults_total:,} faults injected "
          f"({', '.join(f'{k}: {totals[k]}' for k in FAULT_KINDS)}); exact answers: {totals['exact']}, wrong: "
          f"{totals['WRONG']}, clear errors: {args.runs - totals['exact'] - totals['WRONG']}")
    return 1 if totals["WRONG"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Peak memory of a 100,000-contact scan, measured in a client process of its own.

    .venv/bin/python -m benchmarks.memory [--contacts 100000]

The sandbox runs in another process, so only acn_magic's own memory is counted: the raw JSON pages,
the typed DataFrame and DuckDB. Prints the baseline (Python with acn_magic imported) and the peak.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def client(settings: str) -> None:
    import acn_magic

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    with acn_magic.connect(settings=settings, quiet=True) as session:
        session.show_progress = False
        frame = session.sql("select * from Contacts")
        rows = len(frame)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "baseline_mb": round(baseline), "peak_mb": round(peak),
                      "seconds": round(time.monotonic() - started, 1)}))


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        client(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "settings.xml"
        server = subprocess.Popen([sys.executable, "-m", "acn_magic.sandbox", "--contacts", str(args.contacts),
                                   "--rate", "0", "--write-settings", str(settings)], stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            server.stdout.readline()  # listening
            text = settings.read_text().replace("\"/>", ";max-requests-per-second=1000\"/>")
            settings.write_text(text)
            result = subprocess.run([sys.executable, "-m", "benchmarks.memory", "--client", str(settings)],
                                    capture_output=True, text=True, check=True)
            figures = json.loads(result.stdout.strip().splitlines()[-1])
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"select * from Contacts: {figures['rows']:,} rows in {figures['seconds']} s; client peak RSS "
          f"{figures['peak_mb']} MB (Python with acn_magic imported: {figures['baseline_mb']} MB), ratio "
          f"{figures['peak_mb'] / figures['baseline_mb']:.1f}x the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

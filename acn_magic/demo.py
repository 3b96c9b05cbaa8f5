"""`python3 dev.py demo`: SQL over the embedded ActiveCampaign sandbox, each result a DataFrame."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

import acn_magic

QUERIES = [
    ("How many contacts are there?", "select count(*) as contacts from Contacts"),
    ("The five most used tags",
     "select tag, subscriber_count from Tags order by subscriber_count desc limit 5"),
    ("Contacts with their tags (a join over three tables)",
     """select c.email, c.firstName, t.tag
        from Contacts c
        join ContactTags ct on ct.contact = c.id
        join Tags t on t.id = ct.tag
        order by c.id, t.tag
        limit 8"""),
    ("Open pipeline value per stage",
     """select g.title as pipeline, s.title as stage, count(*) as deals, sum(d.value) / 100.0 as value
        from Deals d
        join DealStages s on s.id = d.stage
        join DealGroups g on g.id = d."group"
        where d.status = 0
        group by all
        order by pipeline, any_value(s."order")"""),
    ("Campaign open rates, ranked with a window function",
     """select name, send_amt, uniqueopens, round(100.0 * uniqueopens / nullif(send_amt, 0), 1) as open_rate,
               rank() over (order by uniqueopens * 1.0 / nullif(send_amt, 0) desc) as rank
        from Campaigns where status = 5 order by rank limit 5"""),
]


def run_notebook(output: Path) -> str:
    """Execute notebooks/getting-started.ipynb against the sandbox; the executed copy goes to `output`."""
    import nbformat
    from nbclient import NotebookClient

    source = Path(__file__).resolve().parent.parent / "notebooks" / "getting-started.ipynb"
    if not source.exists():
        return "(notebooks/ is not beside this installation; skipped)"
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    tables = sum(1 for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {}))
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    return f"executed {len(nb.cells)} cells: {tables} tables, {images} chart; saved to {output}"


def ask_kernel(code: str) -> str:
    """One cell on the "ActiveCampaign SQL" kernel, as JupyterLab or VS Code would send it."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    if "activecampaign_sql" not in KernelSpecManager().find_kernel_specs():
        from acn_magic.kernel import install

        install.install(prefix=sys.prefix)
    manager, client = start_new_kernel(kernel_name="activecampaign_sql")
    try:
        collected: list[dict[str, Any]] = []
        reply = client.execute_interactive(code, timeout=120, output_hook=collected.append)
        texts = [m["content"]["data"]["text/plain"] for m in collected if m["msg_type"] == "execute_result"]
        return texts[-1] if texts else f"(status {reply['content']['status']})"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)



def main() -> int:
    with acn_magic.connect() as session, pd.option_context("display.width", 160, "display.max_columns", 20):
        print()
        for title, sql in QUERIES:
            result = session.execute(sql)[-1]
            print(f"-- {title}")
            print("\n".join("   " + line.strip() for line in sql.strip().splitlines()))
            print(result.frame.to_string(index=False))
            print(f"({len(result.frame)} rows, {result.requests} API requests, {result.rows_retrieved:,} rows "
                  f"retrieved, {result.seconds:.1f} s)\n")
        print(f"Session total: {len(session.iolog)} API requests.\n")
    print("-- The getting-started notebook, run by nbclient on the Python kernel with %load_ext acn_magic")
    print("  ", run_notebook(Path.cwd() / "demo-output" / "getting-started.ipynb"))
    print("\n-- The same sandbox through the \"ActiveCampaign SQL\" kernel (what JupyterLab and VS Code talk to)")
    print("   select count(*) as contacts, count(distinct split_part(email, '@', 2)) as domains from Contacts")
    print(ask_kernel("select count(*) as contacts, count(distinct split_part(email, '@', 2)) as domains from Contacts"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

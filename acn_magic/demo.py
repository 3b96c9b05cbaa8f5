"""`python3 dev.py demo`: SQL over the embedded ActiveCampaign sandbox, each result a DataFrame."""
from __future__ import annotations

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
        print(f"Session total: {len(session.iolog)} API requests.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

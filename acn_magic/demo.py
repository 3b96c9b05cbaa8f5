"""`python3 dev.py demo`: start the embedded sandbox and show what the ActiveCampaign API answers."""
from __future__ import annotations

import json

import requests

from acn_magic.sandbox import Sandbox


def main() -> int:
    with Sandbox(contacts=2500) as sandbox:
        account = sandbox.accounts[0]
        print(f"Embedded ActiveCampaign sandbox listening at {account.api_url} (demo data)\n")
        http = requests.Session()
        http.headers["Api-Token"] = account.api_key
        for path, params in (("/contacts", {"limit": 2}), ("/tags", {"limit": 3}),
                             ("/deals", {"limit": 2, "filters[status]": 1})):
            response = http.get(account.api_url + "/api/3" + path, params=params, timeout=30)
            body = response.json()
            key = path.strip("/")
            print(f"GET {path} {params} -> HTTP {response.status_code}, meta.total={body['meta']['total']!r}")
            for row in body[key]:
                shown = {k: v for k, v in row.items() if k != "links"}
                print("   ", json.dumps(shown, ensure_ascii=False)[:240])
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

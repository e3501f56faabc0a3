"""A client run inside a test's network namespace (``python -m tests.fault.netclient``): POST or GET
one JSON request and print the status and the body as JSON.  Standard library only."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request


def main() -> None:
    method, url, key = sys.argv[1:4]
    payloads = [json.loads(line) for line in sys.stdin if line.strip()] if method == "POST" else [None]
    results = []
    for payload in payloads:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode() if payload is not None else None,
            headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                results.append([response.status, json.loads(response.read() or b"{}")])
        except urllib.error.HTTPError as error:
            results.append([error.code, json.loads(error.read() or b"{}")])
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""The API's contract, as integrators meet it (``make api-contract``; CI runs it).

1. Writes the live schema to ``var/contract/openapi.yaml`` with drf-spectacular (``--validate
   --fail-on-warn``) and validates it again with openapi-spec-validator.
2. Lints it with Redocly's recommended rules (``contract/ts/redocly.yaml``): no error, no warning.
3. Generates a Python client with openapi-python-client (``var/contract/client/factdesk_client``) and
   TypeScript types with openapi-typescript (``contract/ts/factdesk-api.d.ts``): no warning from either.
4. Type-checks the integration examples against them: ``contract/python/cms_sync.py`` with
   ``mypy --strict`` (the generated client included) and ``contract/ts/cms_sync.ts`` with
   ``tsc --strict``.
5. Runs the API's tests, whose every response is validated against the schema (tests/contract.py).

The npm tools are pinned in ``contract/ts/package-lock.json`` and installed there with ``npm ci``
when missing; nothing else is downloaded.  ``--no-tests`` skips step 5 (CI's suite has run them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv" / "bin"
OUT = REPO / "var" / "contract"
SCHEMA = OUT / "openapi.yaml"
TS = REPO / "contract" / "ts"
PY = REPO / "contract" / "python"
CLIENT = OUT / "client" / "factdesk_client"
API_TESTS = [
    "tests/test_api_contract.py",
    "tests/test_api_paths.py",
    "tests/test_api_errors.py",
    "tests/test_api_bodies.py",
    "tests/test_api_isolation.py",
    "tests/editorial/test_api.py",
    "tests/editorial/test_api_idempotency.py",
    "tests/factcheck/test_api.py",
    "tests/factcheck/test_api_lists.py",
    "tests/factcheck/test_api_history.py",
    "tests/factcheck/test_review_api.py",
    "tests/factcheck/test_claimreview.py",
    "tests/factcheck/webhooks/test_api.py",
]
#: What a tool prints when it warns (each is checked on that tool's output only).
WARNINGS = {
    "redocly": re.compile(r"You have \d+ warnings?|\berror\b", re.IGNORECASE),
    "openapi-python-client": re.compile(r"warning", re.IGNORECASE),
    "openapi-typescript": re.compile(r"\bwarn", re.IGNORECASE),
}


def run(name: str, command: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    started = time.monotonic()
    print(f"--- {name}: {' '.join(command)}", flush=True)
    result = subprocess.run(  # noqa: S603  (the project's own tools, from this script)
        command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    print(output.rstrip())
    if result.returncode != 0:
        sys.exit(f"FAIL {name}: exit {result.returncode}")
    pattern = WARNINGS.get(name)
    if pattern is not None and pattern.search(_without_banners(output)):
        sys.exit(f"FAIL {name}: it warned (see above); the contract allows none")
    print(f"ok {name} ({time.monotonic() - started:.1f} s)", flush=True)
    return output


def _without_banners(output: str) -> str:
    """Redocly's notice that a later release will need a newer Node.js is about the tool, not the schema."""
    return re.sub(r"╔.*?╝", "", output, flags=re.DOTALL)


def npm_tools() -> None:
    installed = TS / "node_modules" / ".package-lock.json"
    lock = TS / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    run("npm ci", ["npm", "ci", "--no-audit", "--no-fund"], cwd=TS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-tests", action="store_true", help="skip the strict-response test suite")
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tool_env = {"PATH": f"{VENV}{os.pathsep}{os.environ.get('PATH', '')}"}
    npx = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", **tool_env}

    run(
        "schema",
        [
            str(VENV / "python"),
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(SCHEMA),
        ],
        env={"SECRET_KEY": os.environ.get("SECRET_KEY", "contract-schema-only"), "HTTPS": "false"},
    )
    run("openapi-spec-validator", [str(VENV / "openapi-spec-validator"), str(SCHEMA)])
    npm_tools()
    bin_ = TS / "node_modules" / ".bin"
    run(
        "redocly", [str(bin_ / "redocly"), "lint", str(SCHEMA), "--config", str(TS / "redocly.yaml")], env=npx
    )

    shutil.rmtree(CLIENT, ignore_errors=True)
    run(
        "openapi-python-client",
        [
            str(VENV / "openapi-python-client"), "generate", "--path", str(SCHEMA), "--meta", "none",
            "--output-path", str(CLIENT),
        ],
        env=tool_env,
    )  # fmt: skip
    run(
        "mypy --strict",
        [
            str(VENV / "mypy"),
            "--config-file",
            str(PY / "mypy.ini"),
            "--no-incremental",
            str(PY / "cms_sync.py"),
        ],
        env={"MYPYPATH": str(CLIENT.parent)},
    )
    run(
        "openapi-typescript",
        [
            str(bin_ / "openapi-typescript"), str(SCHEMA), "--output", str(TS / "factdesk-api.d.ts"),
            "--default-non-nullable", "false",
        ],
        env=npx,
    )  # fmt: skip
    run("tsc --strict", [str(bin_ / "tsc"), "--project", str(TS / "tsconfig.json"), "--noEmit"], env=npx)

    if not args.no_tests:
        workers = os.environ.get("TEST_WORKERS", "auto")
        run(
            "strict-response tests",
            [str(VENV / "pytest"), "-q", "-n", workers, *API_TESTS, *args.pytest_args],
        )
    print(f"API contract: all checks passed (schema: {SCHEMA.relative_to(REPO)})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Contract tests of the REST API with schemathesis against the real server (docs/api.md,
"Contract testing"). Run by `cargo xtask test` (or `cargo xtask contract`) with the virtual
environment's Python; it needs only the standard library and the `st` program beside it.

1. starts `certdirect serve` on a free loopback port with a fresh data directory (SQLite, every
   email written to <data dir>/outbox/ as no SMTP is configured);
2. signs a customer up, verifies the address with the token from the emailed link, logs in,
   applies for ACME use and creates an API token with the `read` and `write` scopes;
3. runs `st run` over every operation except DELETE and /operator/* with all checks and all
   phases (stateful included), authenticated with that token;
4. stops the server and exits with schemathesis's exit code.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "py"))
from harness import Server  # noqa: E402

EMAIL = "contract@example.jp"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the certdirect binary")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CERTDIRECT_ST_EXAMPLES", "50")))
    parser.add_argument("--report-dir", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args, extra = parser.parse_known_args()

    st = Path(sys.executable).parent / "st"
    server = Server(args.bin, "certdirect-contract-")
    base = server.base
    code = 1
    try:
        api = server.customer(EMAIL, "Contract Test")
        api.call("POST", "/acme-application", {"agree_terms": True})
        created = api.call("POST", "/tokens", {"name": "schemathesis", "scopes": ["read", "write"]})
        bearer = created["token"]
        print(f"contract: server {base}, data dir {server.data_dir}, customer {EMAIL}, token with read+write")

        cmd = [
            str(st), "run", f"{base}/api/v1/openapi.json",
            "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--max-examples", str(args.max_examples),
            "--exclude-method", "DELETE",
            "--exclude-path-regex", "^/operator/",
            "--header", f"Authorization: Bearer {bearer}",
            "--seed", os.environ.get("CERTDIRECT_ST_SEED", "20261130"),
            "--generation-database", "none",
            # The stage authenticates with a real token; generated cookies and headers would be
            # judged as invalid credentials by ignored_auth although the token is valid.
            "--generation-with-security-parameters", "false",
            "--workers", "2",
            "--request-timeout", "30",
            "--no-color",
        ]
        if args.report_dir:
            cmd += ["--report", "junit", "--report-dir", args.report_dir]
        cmd += extra
        print("contract: " + " ".join(c if "Bearer" not in c else "'Authorization: Bearer …'" for c in cmd[1:]))
        # schemathesis reads schemathesis.toml from its working directory.
        code = subprocess.call(cmd, cwd=HERE)
    finally:
        server.stop(keep=code != 0 or args.keep)
    return code


if __name__ == "__main__":
    sys.exit(main())

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
import email
import email.policy
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD = "contract test password 1"
EMAIL = "contract@example.jp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A tiny JSON client with a cookie jar that sends the CSRF header on writes."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrf_token"), "")

    def call(self, method: str, path: str, body=None, expect=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if method != "GET" and self.csrf():
            req.add_header("X-CSRF-Token", self.csrf())
        try:
            with self.opener.open(req, timeout=30) as res:
                status, raw = res.status, res.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        if status not in expect:
            raise SystemExit(f"setup: {method} {path} answered {status}: {raw.decode(errors='replace')}")
        return json.loads(raw) if raw else None


def verification_token(outbox: Path, to: str, deadline: float) -> str:
    """The token of the verification link in the email to `to`."""
    while time.time() < deadline:
        for eml in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if to not in str(msg.get("To", "")).lower():
                continue
            for part in msg.walk():
                if part.get_content_type() == "text/plain":
                    found = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", part.get_content())
                    if found:
                        return found.group(1)
        time.sleep(0.2)
    raise SystemExit(f"setup: no verification email to {to} in {outbox}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the certdirect binary")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CERTDIRECT_ST_EXAMPLES", "50")))
    parser.add_argument("--report-dir", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args, extra = parser.parse_known_args()

    st = Path(sys.executable).parent / "st"
    data_dir = Path(tempfile.mkdtemp(prefix="certdirect-contract-"))
    static = data_dir / "dist"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>portal</title>")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDIRECT_")}
    env.update(
        CERTDIRECT_DATA_DIR=str(data_dir),
        CERTDIRECT_LISTEN=f"127.0.0.1:{port}",
        CERTDIRECT_PUBLIC_URL=base,
        CERTDIRECT_STATIC_DIR=str(static),
        CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS="off",
        RUST_LOG=os.environ.get("RUST_LOG", "warn"),
    )
    log_path = data_dir / "server.log"
    log = open(log_path, "wb")
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    code = 1
    try:
        deadline = time.time() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"certdirect serve exited with {server.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"certdirect serve did not become healthy; see {log_path}")
            time.sleep(0.3)

        api = Api(base + "/api/v1")
        api.call("POST", "/auth/signup", {
            "name": "Contract Test", "email": EMAIL, "password": PASSWORD, "billing_email": EMAIL,
        })
        token = verification_token(data_dir / "outbox", EMAIL, time.time() + 30)
        api.call("POST", "/auth/verify", {"token": token})
        api.call("POST", "/auth/login", {"email": EMAIL, "password": PASSWORD})
        api.call("POST", "/acme-application", {"agree_terms": True})
        created = api.call("POST", "/tokens", {"name": "schemathesis", "scopes": ["read", "write"]})
        bearer = created["token"]
        print(f"contract: server {base}, data dir {data_dir}, customer {EMAIL}, token with read+write")

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
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if code != 0:
            print(f"contract: the server log is {log_path}")
        elif not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The real server for the Python stages of the test command (schemathesis, the reseller flow):
`certdirect serve` on a free loopback port with a fresh data directory (SQLite; every email is
written to <data dir>/outbox/ as no SMTP is configured), and a customer signed up, verified and
logged in through the API. Standard library only."""

import email
import email.policy
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PASSWORD = "reseller test password 1"


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


class Server:
    """`certdirect serve` until `stop()`; `extra_env` adds CERTDIRECT_* settings."""

    def __init__(self, binary: str, prefix: str, extra_env=None):
        self.data_dir = Path(tempfile.mkdtemp(prefix=prefix))
        static = self.data_dir / "dist"
        (static / "assets").mkdir(parents=True)
        (static / "index.html").write_text("<!doctype html><title>portal</title>")
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDIRECT_")}
        env.update(
            CERTDIRECT_DATA_DIR=str(self.data_dir),
            CERTDIRECT_LISTEN=f"127.0.0.1:{port}",
            CERTDIRECT_PUBLIC_URL=self.base,
            CERTDIRECT_STATIC_DIR=str(static),
            CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS="off",
            RUST_LOG=os.environ.get("RUST_LOG", "warn"),
        )
        env.update(extra_env or {})
        self.log_path = self.data_dir / "server.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"certdirect serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=2) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"certdirect serve did not become healthy; see {self.log_path}")
            time.sleep(0.3)

    def customer(self, address: str, name: str = "Reseller Test") -> Api:
        """Signs `address` up, verifies it with the emailed token and logs in."""
        api = Api(self.base + "/api/v1")
        api.call("POST", "/auth/signup", {
            "name": name, "email": address, "password": PASSWORD, "billing_email": address,
        })
        token = verification_token(self.data_dir / "outbox", address, time.time() + 30)
        api.call("POST", "/auth/verify", {"token": token})
        api.call("POST", "/auth/login", {"email": address, "password": PASSWORD})
        return api

    def stop(self, keep: bool) -> None:
        """Stops the server; removes the data directory unless `keep` (then says where it is)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        if keep:
            print(f"the server log is {self.log_path}")
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)

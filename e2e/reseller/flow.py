#!/usr/bin/env python3
"""A reseller's integration, written against a client generated from the server's own OpenAPI
document (docs/api.md, "Generated clients"). Run by `cargo xtask test` (or `cargo xtask
reseller`) with the Python of `.venv-reseller`, where openapi-python-client is installed.

1. starts `certdirect serve` (e2e/py/harness.py), signs a customer up in the portal's way and
   creates an API token with the `read`, `write` and `acme` scopes — the only step a reseller
   does by hand;
2. fetches /api/v1/openapi.json and generates a Python package from it with
   openapi-python-client (a generator that refuses what it cannot type: a model with an invalid
   default or two operations with one operationId fail here);
3. with that package and the token only: applies for ACME use (retried with the same
   Idempotency-Key: one application), reads the EAB credentials, registers and pays ten names
   (one registration retried: still ten registrations and ten invoices), pages through the
   registrations three at a time following `Link: rel="next"` and with a state filter, reads
   an invoice and its receipt, and sees a refused request typed as a problem naming the field;
4. registers a webhook endpoint on a loopback receiver first, and checks that every
   registration, invoice issued and invoice paid arrived once, signed as Standard Webhooks says
   (verified here independently), and that the deliveries are listed with their attempts.
Exits non-zero, saying which step failed, on the first thing that is not as documented.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import importlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "py"))
from harness import Server  # noqa: E402

EMAIL = "reseller@example.jp"
NAMES = [f"shop{i:02}.reseller-flow.jp" for i in range(10)]


def step(text: str) -> None:
    print(f"reseller: {text}", flush=True)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"reseller flow: {what}")


def generate(base: str, out: Path) -> None:
    """Writes the generated package `certdirect_client` under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    spec = out / "openapi.json"
    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=30) as res:
        spec.write_bytes(res.read())
    package = out / "certdirect_client"
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec),
         "--output-path", str(package), "--meta", "none", "--overwrite"],
        env=env, capture_output=True, text=True,
    )
    print(result.stdout.strip())
    # The only warnings allowed: media types the generator does not model (a PEM chain, a CSV
    # upload), whose operations stay reachable with any HTTP client.
    allowed = ("application/pem-certificate-chain", "text/csv")
    warnings = [w for w in result.stdout.split("WARNING")[1:] if not any(a in w for a in allowed)]
    warnings += [w for w in result.stdout.split("Unable to process schema")[1:]]
    check(result.returncode == 0, f"openapi-python-client failed:\n{result.stderr}")
    check(not warnings, "the generator could not type part of the document:\n" + "\n".join(warnings))


class Receiver:
    """An HTTP receiver on loopback that records every POST (headers and body) and answers 204."""

    def __init__(self):
        self.received = []
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/certdirect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, secret: str) -> list[dict]:
        """Every message received, after checking its Standard Webhooks signature."""
        key = base64.b64decode(secret.removeprefix("whsec_"))
        out = []
        for headers, body in self.received:
            msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
            signed = f"{msg_id}.{ts}.".encode() + body
            expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
            check(any(hmac.compare_digest(expected, g) for g in given),
                  f"webhook {msg_id}: the signature does not verify")
            check(abs(time.time() - int(ts)) < 300, f"webhook {msg_id}: timestamp {ts} is not now")
            event = json.loads(body)
            event["_id"] = msg_id
            out.append(event)
        return out


def next_cursor(response) -> str | None:
    """The `cursor` of the `Link: rel="next"` URL, or None on the last page."""
    link = response.headers.get("link")
    if not link:
        return None
    check(link.endswith('; rel="next"'), f"a Link header that is not rel=next: {link}")
    url = link[1:link.index(">")]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["cursor"][0]


def flow(client, receiver: Receiver) -> None:
    m = importlib.import_module("certdirect_client.models")
    from certdirect_client.api.webhooks import create_webhook, list_webhook_deliveries
    from certdirect_client.api.acme import apply, get_application
    from certdirect_client.api.registrations import (
        create_registration, get_invoice_document, invoice, list_registrations, pay,
    )

    step(f"register a webhook endpoint at {receiver.url}")
    wanted = [m.WebhookEventType.REGISTRATION_STATE_CHANGED, m.WebhookEventType.INVOICE_ISSUED,
              m.WebhookEventType.INVOICE_PAID]
    hook = create_webhook.sync_detailed(
        client=client,
        body=m.CreateWebhookRequest(url=receiver.url, description="reseller flow", events=wanted),
        idempotency_key=str(uuid.uuid4()),
    )
    check(hook.status_code == 201 and isinstance(hook.parsed, m.CreatedWebhook), f"webhook: {hook.status_code} {hook.content!r}")
    secret, endpoint_id = hook.parsed.secret, hook.parsed.endpoint.id
    check(secret.startswith("whsec_"), "the secret is not a Standard Webhooks secret")

    step("apply for ACME use, twice with one Idempotency-Key")
    key = str(uuid.uuid4())
    first = apply.sync_detailed(client=client, body=m.AcmeApplicationRequest(agree_terms=True), idempotency_key=key)
    check(first.status_code == 201, f"apply: {first.status_code} {first.content!r}")
    again = apply.sync_detailed(client=client, body=m.AcmeApplicationRequest(agree_terms=True), idempotency_key=key)
    check(again.status_code == 201 and again.headers.get("idempotent-replayed") == "true",
          f"the retried application was not replayed: {again.status_code} {dict(again.headers)}")
    check(json.loads(again.content) == json.loads(first.content), "the replay differs from the first answer")
    application = get_application.sync(client=client)
    check(isinstance(application, m.AcmeApplication), f"GET /acme-application: {application}")
    check(bool(application.eab.key_id) and bool(application.eab.hmac_key),
          "the acme scope shows the EAB key id and HMAC key")

    step(f"register and pay {len(NAMES)} names by card")
    card = m.CardPayment(card_number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    numbers = {}
    for i, name in enumerate(NAMES):
        body = m.RegistrationRequest(fqdn=name, type_=m.CertType.DV, period_years=1,
                                     payment_method=m.PaymentMethod.CARD, agree_terms=True)
        key = str(uuid.uuid4())
        created = create_registration.sync_detailed(client=client, body=body, idempotency_key=key)
        check(created.status_code == 201, f"register {name}: {created.status_code} {created.content!r}")
        check(isinstance(created.parsed, m.RegistrationCreated), f"register {name}: untyped answer")
        if i == 0:
            retried = create_registration.sync_detailed(client=client, body=body, idempotency_key=key)
            check(retried.headers.get("idempotent-replayed") == "true", "a retried registration was not replayed")
            check(retried.parsed.registration.id == created.parsed.registration.id,
                  "a retried registration made another registration")
        number = created.parsed.invoice.number
        numbers[name] = number
        paid = pay.sync_detailed(number, client=client, body=card, idempotency_key=str(uuid.uuid4()))
        check(paid.status_code == 200 and isinstance(paid.parsed, m.Invoice), f"pay {number}: {paid.status_code} {paid.content!r}")
        check(paid.parsed.status == m.InvoiceStatus.PAID, f"pay {number}: {paid.parsed.status}")

    step("page through the registrations, three a page")
    seen, pages, cursor = [], 0, None
    while True:
        kwargs = {"limit": 3} if cursor is None else {"limit": 3, "cursor": cursor}
        page = list_registrations.sync_detailed(client=client, **kwargs)
        check(page.status_code == 200 and isinstance(page.parsed, list), f"list: {page.status_code} {page.content!r}")
        check(len(page.parsed) <= 3, f"a page of {len(page.parsed)}")
        seen += [r.fqdn for r in page.parsed]
        pages += 1
        cursor = next_cursor(page)
        if cursor is None:
            break
    check(pages == 4, f"{pages} pages for 10 registrations, 3 a page")
    check(seen == list(reversed(NAMES)), f"pages out of order or incomplete: {seen}")
    state_type = next(t for t in vars(m).values() if isinstance(t, type) and t.__name__ == "ListRegistrationsState")
    registered = list_registrations.sync(client=client, state=state_type.REGISTERED, name="reseller-flow", limit=100)
    check(len(registered) == 10, f"state=registered&name=reseller-flow found {len(registered)}")

    step("read an invoice and its receipt")
    number = numbers[NAMES[3]]
    inv = invoice.sync(number, client=client)
    check(isinstance(inv, m.Invoice) and inv.number == number and inv.status == m.InvoiceStatus.PAID,
          f"GET /invoices/{number}: {inv}")
    check(inv.amount_incl_tax == inv.amount_excl_tax + inv.tax, f"{number}: the amounts do not add up")
    document = get_invoice_document.sync(number, client=client)
    check(isinstance(document, m.InvoiceDocument), f"GET /invoices/{number}/document: {document}")
    check(document.receipt is not None, f"{number} is paid but its document has no receipt")
    all_regs = list_registrations.sync(client=client, limit=500)
    check(len(all_regs) == 10, f"{len(all_regs)} registrations after a retried one (want 10)")

    step("a refused request is a typed problem naming the field")
    bad = create_registration.sync_detailed(
        client=client,
        body=m.RegistrationRequest(fqdn="bad..name.jp", type_=m.CertType.DV, period_years=1,
                                   payment_method=m.PaymentMethod.CARD, agree_terms=True),
    )
    check(bad.status_code == 400 and isinstance(bad.parsed, m.Problem), f"bad name: {bad.status_code} {bad.content!r}")
    check(any(e.field == "fqdn" for e in bad.parsed.errors), f"the problem does not name fqdn: {bad.parsed}")

    step("receive the webhooks: every registration and invoice event once, signed")
    want = {("invoice.issued", n) for n in numbers.values()} | {("invoice.paid", n) for n in numbers.values()}
    deadline = time.time() + 60
    while True:
        events = receiver.events(secret)
        got = {(e["type"], e["data"]["invoice"]["number"]) for e in events if e["type"].startswith("invoice.")}
        states = [e for e in events if e["type"] == "registration.state_changed"]
        registered = {e["data"]["fqdn"] for e in states if e["data"]["to"] == "registered"}
        if want <= got and registered == set(NAMES):
            break
        check(time.time() < deadline,
              f"after 60 s: missing {sorted(want - got)}, registered {sorted(set(NAMES) - registered)}")
        time.sleep(0.2)
    ids = [e["_id"] for e in events]
    check(len(ids) == len(set(ids)), "a message arrived twice")
    check(len(got) == len(want), f"unexpected invoice events: {sorted(got - want)}")
    check(all(e["data"]["fqdn"] in NAMES for e in states), "a state change of a name not registered here")
    deliveries = list_webhook_deliveries.sync(endpoint_id, client=client, limit=500)
    check(isinstance(deliveries, list) and len(deliveries) == len(events),
          f"{len(deliveries) if isinstance(deliveries, list) else deliveries} deliveries listed, {len(events)} received")
    check(all(d.attempts and d.attempts[-1].status_code == 204 for d in deliveries),
          "a delivery without its successful attempt")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the certdirect binary")
    parser.add_argument("--out", required=True, help="where the generated client is written")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    # Webhook endpoints on loopback are allowed here only (R-VAL-4).
    server = Server(args.bin, "certdirect-reseller-", {"CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE": "1"})
    receiver = Receiver()
    ok = False
    try:
        portal = server.customer(EMAIL, "Reseller KK")
        bearer = portal.call("POST", "/tokens", {"name": "reseller flow", "scopes": ["read", "write", "acme"]})["token"]
        step(f"server {server.base}; token with read+write+acme; generating the client")
        out = Path(args.out)
        generate(server.base, out)
        sys.path.insert(0, str(out))
        c = importlib.import_module("certdirect_client")
        client = c.AuthenticatedClient(base_url=server.base + "/api/v1", token=bearer, timeout=30.0)
        flow(client, receiver)
        ok = True
        step("the generated client ran the whole reseller flow")
    finally:
        server.stop(keep=not ok or args.keep)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

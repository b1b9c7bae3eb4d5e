/**
 * What the issuance tests need around the server: a local DNS server (Debian's
 * pebble-challtestsrv) that answers every A query with 127.0.0.1 and publishes TXT records set
 * by the dns-01 hooks in e2e/hooks/, the customer side (EAB from the portal, names registered
 * and paid through the REST API), the ACME clients, and the checks made with `openssl`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Page, TestInfo } from '@playwright/test';
import { expect, logIn, verifiedCustomer, type Customer } from './fixtures';
import { mkdtempSync as makeTemp, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort, repoRoot, run, startServer, type CommandResult, type RunningServer } from './server';

export const CERTBOT = process.env.CERTBOT_BIN ?? join(repoRoot, 'e2e', '.venv', 'bin', 'certbot');
export const LEGO = process.env.LEGO_BIN ?? '/usr/bin/lego';
export const CHALLTESTSRV = process.env.CHALLTESTSRV_BIN ?? '/usr/bin/pebble-challtestsrv';
export const OPENSSL = process.env.OPENSSL_BIN ?? '/usr/bin/openssl';
export const HOOKS = join(repoRoot, 'e2e', 'hooks');

export interface ChallTestSrv {
  /** 127.0.0.1:<port>, the DNS server (UDP and TCP). */
  dns: string;
  /** http://127.0.0.1:<port>, the management API the hooks call (CERTDIRECT_E2E_CHALLTESTSRV). */
  management: string;
  logFile: string;
  stop: () => Promise<void>;
}

/** Starts pebble-challtestsrv with only its DNS server and management API, logging to `dir`. */
export async function startChallTestSrv(dir: string): Promise<ChallTestSrv> {
  const dnsPort = await freePort();
  const managementPort = await freePort();
  const dns = `127.0.0.1:${dnsPort}`;
  const management = `http://127.0.0.1:${managementPort}`;
  const logFile = join(dir, 'challtestsrv.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    CHALLTESTSRV,
    ['-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv6', '', '-defaultIPv4', '127.0.0.1',
      '-dns01', dns, '-management', `127.0.0.1:${managementPort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exit = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
    log.end();
  };
  // Ready when the management API answers (it starts after the DNS server).
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await fetch(`${management}/clear-txt`, { method: 'POST', body: JSON.stringify({ host: 'ready.invalid.' }) });
      return { dns, management, logFile, stop };
    } catch {
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  await stop();
  throw new Error(`pebble-challtestsrv did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
}

export function output(r: CommandResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Keeps how long each step took, for the report. */
export class Timings {
  private readonly started = Date.now();
  private last = this.started;
  private readonly steps: string[] = [];
  mark(step: string): void {
    const now = Date.now();
    this.steps.push(`${((now - this.last) / 1000).toFixed(1).padStart(6)} s  ${step}`);
    this.last = now;
  }
  toString(): string {
    return `${this.steps.join('\n')}\n${((this.last - this.started) / 1000).toFixed(1).padStart(6)} s  in all`;
  }
}

/** Runs an ACME client (or any program) and attaches what it said to the test's report. */
export async function client(
  info: TestInfo,
  name: string,
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  const result = await run(file, args, { env, timeoutMs: 60_000 });
  await info.attach(name, { body: `$ ${file} ${args.join(' ')}\n${output(result)}`, contentType: 'text/plain' });
  return result;
}

export interface AcmeCustomer {
  customer: Customer;
  kid: string;
  hmac: string;
  directory: string;
}

/**
 * A verified customer, logged in in `page`, who applied for ACME use in the portal (STEP 2) and
 * read the EAB credentials and the directory URL from /mypage/acme.
 */
export async function acmeCustomer(
  page: Page,
  request: APIRequestContext,
  server: RunningServer,
  tag: string,
): Promise<AcmeCustomer> {
  const customer = await verifiedCustomer(request, server, tag);
  await logIn(page, customer);
  await page.goto('/mypage/acme');
  await page.getByTestId('acme-apply-submit').click();
  const kid = (await page.getByTestId('eab-kid').textContent())?.trim() ?? '';
  const hmac = (await page.getByTestId('eab-hmac').textContent())?.trim() ?? '';
  const directory = (await page.getByTestId('acme-directory-url').textContent())?.trim() ?? '';
  expect(kid).not.toBe('');
  expect(hmac).not.toBe('');
  expect(directory).toBe(`${server.url}/acme/directory`);
  return { customer, kid, hmac, directory };
}

/** Headers for a write with the page's session cookie (the CSRF token from its cookie). */
async function csrf(page: Page): Promise<Record<string, string>> {
  const token = (await page.context().cookies()).find((c) => c.name === 'csrf_token')?.value;
  expect(token, 'the csrf_token cookie of the logged-in page').toBeDefined();
  return { 'X-CSRF-Token': token! };
}

/**
 * Registers `fqdn` (type `dv` covers the name and www.<name>, `dv_wildcard` covers *.<name> and
 * the name) for one year and pays its invoice by card, as the logged-in customer of `page`.
 */
export async function registerAndPay(page: Page, fqdn: string, type: 'dv' | 'dv_wildcard'): Promise<void> {
  const headers = await csrf(page);
  const created = await page.request.post('/api/v1/registrations', {
    headers,
    data: { fqdn, type, period_years: 1, payment_method: 'card', agree_terms: true },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { invoice } = (await created.json()) as { invoice: { number: string } };
  expect(invoice.number).toMatch(/^BILL/);
  const paid = await page.request.post(`/api/v1/invoices/${invoice.number}/pay`, {
    headers,
    data: { card_number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' },
  });
  expect(paid.status(), await paid.text()).toBe(200);
}

export interface RegistrationRow {
  fqdn: string;
  type: string;
  state: string;
  activated_at: string | null;
  contract_end: string | null;
}

export async function registrations(page: Page): Promise<RegistrationRow[]> {
  const res = await page.request.get('/api/v1/registrations');
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as RegistrationRow[];
}

export interface CertificateRow {
  serial: string;
  names: string[];
  status: string;
  revocation_reason: number | null;
}

export async function certificates(page: Page): Promise<CertificateRow[]> {
  const res = await page.request.get('/api/v1/certificates');
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as CertificateRow[];
}

/** A serial as hex digits only, lower-case, without leading zeros: comparable across openssl versions. */
export function normalSerial(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toLowerCase().replace(/^0+/, '');
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/**
 * The CA side of the checks: the root fetched once from /ca/root.pem, and openssl runs on the
 * certificates the clients saved. Scratch files go to `dir`.
 */
export class CaChecks {
  private n = 0;
  constructor(
    private readonly info: TestInfo,
    private readonly dir: string,
    readonly rootFile: string,
  ) {}

  static async fetch(info: TestInfo, request: APIRequestContext, dir: string): Promise<CaChecks> {
    const res = await request.get('/ca/root.pem');
    expect(res.status(), await res.text()).toBe(200);
    const root = await res.text();
    expect(root).toContain('-----BEGIN CERTIFICATE-----');
    const work = mkdtempSync(join(dir, 'ca-'));
    const rootFile = join(work, 'root.pem');
    writeFileSync(rootFile, root);
    return new CaChecks(info, work, rootFile);
  }

  private scratch(name: string, body: string | Buffer): string {
    this.n += 1;
    const path = join(this.dir, `${this.n}-${name}`);
    writeFileSync(path, body);
    return path;
  }

  private async openssl(name: string, args: string[]): Promise<CommandResult> {
    return client(this.info, `openssl: ${name}`, OPENSSL, args, process.env);
  }

  /**
   * `openssl verify` of a full chain file (leaf first, then the intermediate) against the root,
   * for TLS server use; returns the leaf's serial and SANs.
   */
  async verifyFullchain(name: string, fullchainFile: string): Promise<{ serial: string; names: string[] }> {
    const blocks = readFileSync(fullchainFile, 'utf8').match(PEM_BLOCK) ?? [];
    expect(blocks.length, `${fullchainFile}: leaf and at least the intermediate`).toBeGreaterThanOrEqual(2);
    const leaf = this.scratch('leaf.pem', blocks[0]!);
    const chain = this.scratch('chain.pem', blocks.slice(1).join(''));
    const verified = await this.openssl(`verify ${name}`, [
      'verify', '-CAfile', this.rootFile, '-untrusted', chain, '-purpose', 'sslserver', leaf,
    ]);
    expect(verified.code, output(verified)).toBe(0);
    expect(verified.stdout.trim(), output(verified)).toBe(`${leaf}: OK`);
    const shown = await this.openssl(`x509 ${name}`, ['x509', '-in', leaf, '-noout', '-serial', '-ext', 'subjectAltName']);
    expect(shown.code, output(shown)).toBe(0);
    const serial = /serial=([0-9A-Fa-f:]+)/.exec(shown.stdout)?.[1];
    expect(serial, output(shown)).toBeDefined();
    const names = [...shown.stdout.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]).sort();
    return { serial: normalSerial(serial!), names };
  }

  /**
   * Fetches /ca/intermediate.crl (DER) and returns the serials it lists; checks with
   * `openssl verify -crl_check` that the CRL (signature, dates) is accepted for the chain: the
   * leaf of `revokedFullchain` is refused as revoked, the leaf of `validFullchain` passes.
   */
  async crl(request: APIRequestContext, revokedFullchain: string, validFullchain: string): Promise<string[]> {
    const res = await request.get('/ca/intermediate.crl');
    expect(res.status(), await res.text()).toBe(200);
    const der = this.scratch('intermediate.crl', await res.body());
    const text = await this.openssl('crl -text', ['crl', '-inform', 'DER', '-in', der, '-noout', '-text']);
    expect(text.code, output(text)).toBe(0);
    const serials = [...text.stdout.matchAll(/Serial Number:\s*([0-9A-Fa-f:]+)/g)].map((m) => normalSerial(m[1]!));

    const pem = this.scratch('intermediate.crl.pem', '');
    const converted = await this.openssl('crl to PEM', ['crl', '-inform', 'DER', '-in', der, '-outform', 'PEM', '-out', pem]);
    expect(converted.code, output(converted)).toBe(0);
    const crlCheck = async (name: string, fullchainFile: string) => {
      const blocks = readFileSync(fullchainFile, 'utf8').match(PEM_BLOCK) ?? [];
      const leaf = this.scratch(`${name}-leaf.pem`, blocks[0]!);
      const chain = this.scratch(`${name}-chain.pem`, blocks.slice(1).join(''));
      const checked = await this.openssl(`verify -crl_check (${name})`, [
        'verify', '-CAfile', this.rootFile, '-untrusted', chain, '-crl_check', '-CRLfile', pem, leaf,
      ]);
      return { leaf, checked };
    };
    const revoked = await crlCheck('revoked', revokedFullchain);
    expect(revoked.checked.code, output(revoked.checked)).not.toBe(0);
    expect(`${revoked.checked.stdout}${revoked.checked.stderr}`, output(revoked.checked)).toContain('certificate revoked');
    const valid = await crlCheck('valid', validFullchain);
    expect(valid.checked.code, output(valid.checked)).toBe(0);
    expect(valid.checked.stdout.trim(), output(valid.checked)).toBe(`${valid.leaf}: OK`);
    return serials;
  }
}

/** An HTTPS server whose validations go to a local DNS server and an http-01 port on loopback. */
export interface ValidationServer {
  server: RunningServer;
  dns: ChallTestSrv;
  /** The port http-01 validation connects to; an ACME client under test listens there. */
  vaPort: number;
}

/**
 * Starts pebble-challtestsrv and the server (HTTPS, DNSSEC off: the test DNS server cannot sign)
 * for one test worker, hands them to `use`, and stops both afterwards.
 */
export async function withValidationServer(
  tag: string,
  use: (env: ValidationServer) => Promise<void>,
): Promise<void> {
  const scratch = makeTemp(join(tmpdir(), `certdirect-${tag}-`));
  const dns = await startChallTestSrv(scratch);
  const vaPort = await freePort();
  let server: RunningServer | undefined;
  try {
    server = await startServer({
      tls: true,
      env: {
        CERTDIRECT_VA_DNS_SERVERS: dns.dns,
        CERTDIRECT_VA_HTTP_PORT: String(vaPort),
        CERTDIRECT_VA_ALLOW_PRIVATE: '1',
        CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS: 'off',
      },
    });
    await use({ server, dns, vaPort });
  } finally {
    await server?.stop();
    await dns.stop();
    if (!process.env.CERTDIRECT_E2E_KEEP) rmSync(scratch, { recursive: true, force: true });
  }
}

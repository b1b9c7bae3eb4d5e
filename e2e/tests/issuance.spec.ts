/**
 * STEP 12 with real ACME clients: certbot (PyPI, e2e/.venv) and lego (Debian), each with the EAB
 * from the portal, against the real binary over HTTPS, obtain certificates for the customer's
 * registered and paid names by http-01, by dns-01, and for `*.name` + `name` by dns-01; renew one;
 * revoke one. Every chain verifies against the CA root with `openssl verify`, the revoked serial
 * is in the CRL (and the CRL makes `openssl verify -crl_check` refuse it), and the registrations
 * turn active with the first issuance.
 *
 * Validation runs for real: dns-01 asks a local pebble-challtestsrv (every A query answers
 * 127.0.0.1; the hooks in e2e/hooks/ set the TXT records), and http-01 connects to
 * 127.0.0.1:<CERTDIRECT_VA_HTTP_PORT>, where the client under test listens.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, uniqueEmail } from './fixtures';
import { freePort, startPerspective, startServer, type RunningPerspective, type RunningServer } from './server';
import {
  CERTBOT,
  CHALLTESTSRV,
  HOOKS,
  LEGO,
  CaChecks,
  Timings,
  acmeCustomer,
  certificates,
  client,
  output,
  registerAndPay,
  registrations,
  startChallTestSrv,
  type ChallTestSrv,
} from './issuance-env';

interface Issuance {
  server: RunningServer;
  dns: ChallTestSrv;
  perspectives: RunningPerspective[];
  /** The port http-01 validation connects to; each client listens there in turn. */
  vaPort: number;
}

const test = base.extend<object, { issuance: Issuance }>({
  issuance: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const scratch = mkdtempSync(join(tmpdir(), 'certdirect-dns-'));
      const dns = await startChallTestSrv(scratch);
      const vaPort = await freePort();
      const va = {
        CERTDIRECT_VA_DNS_SERVERS: dns.dns,
        CERTDIRECT_VA_HTTP_PORT: String(vaPort),
        CERTDIRECT_VA_ALLOW_PRIVATE: '1',
        CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS: 'off',
      };
      // Three remote perspectives (R-VAL-7) repeat every validation, as separate processes.
      const secret = `e2e-mpic-${Date.now()}-0123456789abcdef0123456789`;
      const perspectives: RunningPerspective[] = [];
      let server: RunningServer | undefined;
      try {
        for (const [name, region] of [['east-1', 'jp-east'], ['east-2', 'jp-east'], ['west-1', 'jp-west']]) {
          perspectives.push(await startPerspective(name, region, secret, scratch, va));
        }
        server = await startServer({
          tls: true,
          env: {
            ...va,
            CERTDIRECT_MPIC_PERSPECTIVES: perspectives.map((p) => p.spec).join(','),
            CERTDIRECT_MPIC_SECRET: secret,
          },
        });
        await use({ server, dns, vaPort, perspectives });
      } finally {
        await server?.stop();
        for (const p of perspectives) await p.stop();
        await dns.stop();
        if (!process.env.CERTDIRECT_E2E_KEEP) rmSync(scratch, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ issuance }, use) => {
    await use(issuance.server.url);
  },
});
test.use({ ignoreHTTPSErrors: true });

// On failure, the server's log goes with the report (the clients' output is attached as they run).
test.afterEach(async ({ issuance }, info) => {
  if (info.status !== info.expectedStatus) {
    await info.attach('server.log', { path: issuance.server.logFile, contentType: 'text/plain' });
    await info.attach('challtestsrv.log', { path: issuance.dns.logFile, contentType: 'text/plain' });
    for (const p of issuance.perspectives) {
      await info.attach(p.spec.split('=')[0], { path: p.logFile, contentType: 'text/plain' });
    }
  }
});

let counter = 0;
/** A fresh name under .jp (a real public suffix) for each registration. */
function uniqueName(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}.jp`;
}

/** Every valid challenge was corroborated by all `n` remote perspectives (R-VAL-7). */
async function everyValidationCorroborated(page: import('@playwright/test').Page, n: number): Promise<void> {
  const res = await page.request.get('/api/v1/acme-orders');
  expect(res.status(), await res.text()).toBe(200);
  const orders = (await res.json()) as {
    authorizations: { challenges: { status: string; perspectives: { corroborated: boolean }[] }[] }[];
  }[];
  const valid = orders.flatMap((o) => o.authorizations.flatMap((a) => a.challenges)).filter((c) => c.status === 'valid');
  expect(valid.length).toBeGreaterThan(0);
  for (const c of valid) {
    expect(c.perspectives.filter((p) => p.corroborated).length, JSON.stringify(c)).toBe(n);
  }
}

function tools(): void {
  for (const [name, path, hint] of [
    ['certbot', CERTBOT, 'set CERTBOT_BIN; `cargo xtask test` installs it'],
    ['lego', LEGO, 'set LEGO_BIN; Debian package lego'],
    ['pebble-challtestsrv', CHALLTESTSRV, 'set CHALLTESTSRV_BIN; Debian package pebble'],
  ]) {
    expect(existsSync(path), `${name} at ${path} (${hint})`).toBe(true);
  }
}

test('certbot obtains certificates by http-01, dns-01 and dns-01 for *.name + name, renews and revokes; chains verify, the CRL lists the serial, the names are active (R-ACME-4..7, R-VAL-1, R-VAL-2, R-CA-1..4)', async ({
  page,
  request,
  issuance,
}, info) => {
  test.setTimeout(90_000);
  tools();
  const { server, dns, vaPort } = issuance;
  const time = new Timings();

  const { kid, hmac, directory } = await acmeCustomer(page, request, server, 'certbot');
  const httpName = uniqueName('cb-http');
  const dnsName = uniqueName('cb-dns');
  const wildName = uniqueName('cb-wild');
  await registerAndPay(page, httpName, 'dv');
  await registerAndPay(page, dnsName, 'dv');
  await registerAndPay(page, wildName, 'dv_wildcard');
  expect((await registrations(page)).map((r) => r.state)).toEqual(['registered', 'registered', 'registered']);
  const ca = await CaChecks.fetch(info, request, server.dataDir);
  time.mark('customer, EAB from the portal, three names registered and paid');

  const work = mkdtempSync(join(server.dataDir, 'certbot-'));
  const conf = join(work, 'conf');
  const env = { ...process.env, REQUESTS_CA_BUNDLE: server.caFile, CERTDIRECT_E2E_CHALLTESTSRV: dns.management };
  const common = [
    '--server', directory, '--eab-kid', kid, '--eab-hmac-key', hmac, '--email', uniqueEmail('certbot'),
    '--agree-tos', '--no-eff-email', '-n',
    '--config-dir', conf, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'),
  ];
  const dnsArgs = [
    '--manual', '--preferred-challenges', 'dns',
    '--manual-auth-hook', join(HOOKS, 'certbot-dns-auth'), '--manual-cleanup-hook', join(HOOKS, 'certbot-dns-cleanup'),
  ];
  const fullchain = (certName: string) => join(conf, 'live', certName, 'fullchain.pem');

  // http-01: certbot's standalone server answers on the port the validator connects to.
  const http = await client(info, 'certbot certonly http-01', CERTBOT, [
    'certonly', ...common, '--standalone', '--http-01-address', '127.0.0.1', '--http-01-port', String(vaPort),
    '--cert-name', httpName, '-d', httpName, '-d', `www.${httpName}`,
  ], env);
  expect(http.code, output(http)).toBe(0);
  const httpCert = await ca.verifyFullchain('certbot http-01', fullchain(httpName));
  expect(httpCert.names).toEqual([httpName, `www.${httpName}`].sort());
  time.mark('certbot: account + http-01 for name and www.name');

  // dns-01 through the manual hooks.
  const dnsRun = await client(info, 'certbot certonly dns-01', CERTBOT, [
    'certonly', ...common, ...dnsArgs, '--cert-name', dnsName, '-d', dnsName, '-d', `www.${dnsName}`,
  ], env);
  expect(dnsRun.code, output(dnsRun)).toBe(0);
  const dnsCert = await ca.verifyFullchain('certbot dns-01', fullchain(dnsName));
  expect(dnsCert.names).toEqual([dnsName, `www.${dnsName}`].sort());
  time.mark('certbot: dns-01 for name and www.name');

  // *.name + name: both authorizations are validated against _acme-challenge.name.
  const wild = await client(info, 'certbot certonly dns-01 wildcard', CERTBOT, [
    'certonly', ...common, ...dnsArgs, '--cert-name', wildName, '-d', `*.${wildName}`, '-d', wildName,
  ], env);
  expect(wild.code, output(wild)).toBe(0);
  const wildCert = await ca.verifyFullchain('certbot wildcard', fullchain(wildName));
  expect(wildCert.names).toEqual([`*.${wildName}`, wildName].sort());
  time.mark('certbot: dns-01 for *.name and name');

  // Renewal of the http-01 certificate from certbot's saved renewal configuration.
  const renewed = await client(info, 'certbot renew', CERTBOT, [
    'renew', '--force-renewal', '--no-random-sleep-on-renew', '--cert-name', httpName, '-n',
    '--config-dir', conf, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'),
  ], env);
  expect(renewed.code, output(renewed)).toBe(0);
  const renewedCert = await ca.verifyFullchain('certbot renewed', fullchain(httpName));
  expect(renewedCert.names).toEqual(httpCert.names);
  expect(renewedCert.serial).not.toBe(httpCert.serial);
  time.mark('certbot: renew');

  // Revocation (signed with the account key), reason superseded (4).
  const revoked = await client(info, 'certbot revoke', CERTBOT, [
    'revoke', '--cert-name', dnsName, '--reason', 'superseded', '--no-delete-after-revoke', '-n', '--server', directory,
    '--config-dir', conf, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'),
  ], env);
  expect(revoked.code, output(revoked)).toBe(0);
  const crl = await ca.crl(request, fullchain(dnsName), fullchain(httpName));
  expect(crl).toContain(dnsCert.serial);
  for (const serial of [httpCert.serial, wildCert.serial, renewedCert.serial]) expect(crl).not.toContain(serial);
  time.mark('certbot: revoke, CRL');

  // The customer's view through the REST API the portal reads (the portal's registrations page is
  // not there yet): four certificates, one revoked, all three names active.
  const certs = await certificates(page);
  const bySerial = new Map(certs.map((c) => [c.serial.toLowerCase().replace(/^0+/, ''), c]));
  for (const serial of [httpCert.serial, wildCert.serial, renewedCert.serial]) {
    expect(bySerial.get(serial)?.status, JSON.stringify(certs)).toBe('valid');
  }
  expect(bySerial.get(dnsCert.serial)?.status, JSON.stringify(certs)).toBe('revoked');
  expect(bySerial.get(dnsCert.serial)?.revocation_reason, JSON.stringify(certs)).toBe(4);
  const regs = await registrations(page);
  expect(regs.map((r) => [r.fqdn, r.state]).sort()).toEqual(
    [[httpName, 'active'], [dnsName, 'active'], [wildName, 'active']].sort(),
  );
  for (const r of regs) expect(r.activated_at, JSON.stringify(r)).toBeTruthy();
  await everyValidationCorroborated(page, 3);
  time.mark('certificates and registrations through the API');
  await info.attach('timings', { body: time.toString(), contentType: 'text/plain' });
});

test('lego obtains certificates by http-01, dns-01 and dns-01 for *.name + name, renews and revokes; chains verify, the CRL lists the serial, the names are active (R-ACME-4..7, R-VAL-1, R-VAL-2, R-CA-1..4)', async ({
  page,
  request,
  issuance,
}, info) => {
  test.setTimeout(90_000);
  tools();
  const { server, dns, vaPort } = issuance;
  const time = new Timings();

  const { kid, hmac, directory } = await acmeCustomer(page, request, server, 'lego');
  const httpName = uniqueName('lego-http');
  const dnsName = uniqueName('lego-dns');
  const wildName = uniqueName('lego-wild');
  await registerAndPay(page, httpName, 'dv');
  await registerAndPay(page, dnsName, 'dv');
  await registerAndPay(page, wildName, 'dv_wildcard');
  expect((await registrations(page)).map((r) => r.state)).toEqual(['registered', 'registered', 'registered']);
  const ca = await CaChecks.fetch(info, request, server.dataDir);
  time.mark('customer, EAB from the portal, three names registered and paid');

  const path = mkdtempSync(join(server.dataDir, 'lego-'));
  const env = {
    ...process.env,
    LEGO_CA_CERTIFICATES: server.caFile,
    CERTDIRECT_E2E_CHALLTESTSRV: dns.management,
    EXEC_PATH: join(HOOKS, 'lego-dns'),
    EXEC_PROPAGATION_TIMEOUT: '10',
    EXEC_POLLING_INTERVAL: '1',
    // The exec provider otherwise waits a minute between the names of one order.
    EXEC_SEQUENCE_INTERVAL: '1',
  };
  const common = [
    '--path', path, '--server', directory, '--eab', '--kid', kid, '--hmac', hmac,
    '--email', uniqueEmail('lego'), '--accept-tos',
  ];
  const dnsArgs = ['--dns', 'exec', '--dns.resolvers', dns.dns, '--dns.disable-cp'];
  // lego names its files after the first domain, `*` written as `_`; the .crt is the bundle.
  const bundle = (first: string) => join(path, 'certificates', `${first.replace('*', '_')}.crt`);

  const http = await client(info, 'lego run http-01', LEGO, [
    ...common, '--domains', httpName, '--domains', `www.${httpName}`, '--http', '--http.port', `127.0.0.1:${vaPort}`, 'run',
  ], env);
  expect(http.code, output(http)).toBe(0);
  const httpCert = await ca.verifyFullchain('lego http-01', bundle(httpName));
  expect(httpCert.names).toEqual([httpName, `www.${httpName}`].sort());
  time.mark('lego: account + http-01 for name and www.name');

  const dnsRun = await client(info, 'lego run dns-01', LEGO, [
    ...common, '--domains', dnsName, '--domains', `www.${dnsName}`, ...dnsArgs, 'run',
  ], env);
  expect(dnsRun.code, output(dnsRun)).toBe(0);
  const dnsCert = await ca.verifyFullchain('lego dns-01', bundle(dnsName));
  expect(dnsCert.names).toEqual([dnsName, `www.${dnsName}`].sort());
  time.mark('lego: dns-01 for name and www.name');

  const wild = await client(info, 'lego run dns-01 wildcard', LEGO, [
    ...common, '--domains', `*.${wildName}`, '--domains', wildName, ...dnsArgs, 'run',
  ], env);
  expect(wild.code, output(wild)).toBe(0);
  const wildCert = await ca.verifyFullchain('lego wildcard', bundle(`*.${wildName}`));
  expect(wildCert.names).toEqual([`*.${wildName}`, wildName].sort());
  time.mark('lego: dns-01 for *.name and name');

  // Renewal of the wildcard certificate (--days beyond its validity forces it).
  const renewed = await client(info, 'lego renew', LEGO, [
    ...common, '--domains', `*.${wildName}`, '--domains', wildName, ...dnsArgs, 'renew', '--days', '10000', '--no-random-sleep',
  ], env);
  expect(renewed.code, output(renewed)).toBe(0);
  const renewedCert = await ca.verifyFullchain('lego renewed', bundle(`*.${wildName}`));
  expect(renewedCert.names).toEqual(wildCert.names);
  expect(renewedCert.serial).not.toBe(wildCert.serial);
  time.mark('lego: renew');

  // Revocation of the http-01 certificate, reason cessationOfOperation (5); --keep leaves the files.
  const revoked = await client(info, 'lego revoke', LEGO, [
    ...common, '--domains', httpName, '--domains', `www.${httpName}`, 'revoke', '--reason', '5', '--keep',
  ], env);
  expect(revoked.code, output(revoked)).toBe(0);
  const crl = await ca.crl(request, bundle(httpName), bundle(dnsName));
  expect(crl).toContain(httpCert.serial);
  for (const serial of [dnsCert.serial, wildCert.serial, renewedCert.serial]) expect(crl).not.toContain(serial);
  time.mark('lego: revoke, CRL');

  // The customer's view through the REST API the portal reads, as for certbot.
  const certs = await certificates(page);
  const bySerial = new Map(certs.map((c) => [c.serial.toLowerCase().replace(/^0+/, ''), c]));
  for (const serial of [dnsCert.serial, wildCert.serial, renewedCert.serial]) {
    expect(bySerial.get(serial)?.status, JSON.stringify(certs)).toBe('valid');
  }
  expect(bySerial.get(httpCert.serial)?.status, JSON.stringify(certs)).toBe('revoked');
  expect(bySerial.get(httpCert.serial)?.revocation_reason, JSON.stringify(certs)).toBe(5);
  const regs = await registrations(page);
  expect(regs.map((r) => [r.fqdn, r.state]).sort()).toEqual(
    [[httpName, 'active'], [dnsName, 'active'], [wildName, 'active']].sort(),
  );
  for (const r of regs) expect(r.activated_at, JSON.stringify(r)).toBeTruthy();
  await everyValidationCorroborated(page, 3);
  time.mark('certificates and registrations through the API');
  await info.attach('timings', { body: time.toString(), contentType: 'text/plain' });
});

/**
 * ACME profiles (R-ACME-9) with a real client: certbot (PyPI, e2e/.venv) run with
 * `--preferred-profile shortlived` gets a 6-day certificate by http-01 against the real binary
 * over HTTPS; the order it was given carries the profile (certbot's own log of the server's
 * answers, and the portal's order list), and the portal shows the profile with the certificate.
 * The ACME page shows the options that ask for a profile, and the directory's meta.website is the
 * public page of the server's limits and profiles (R-ACME-10).
 *
 * Validation runs for real, from the primary only (no remote perspectives): http-01 connects to
 * 127.0.0.1:<CERTDIRECT_VA_HTTP_PORT>, where certbot's standalone server listens, and names are
 * looked up on a local pebble-challtestsrv that answers every A query with 127.0.0.1.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, uniqueEmail } from './fixtures';
import {
  CERTBOT,
  CHALLTESTSRV,
  CaChecks,
  Timings,
  acmeCustomer,
  client,
  output,
  registerAndPay,
  type ValidationServer,
  withValidationServer,
} from './issuance-env';

type Env = ValidationServer;

const test = base.extend<object, { profilesEnv: Env }>({
  profilesEnv: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => withValidationServer('profiles', use),
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ profilesEnv }, use) => {
    await use(profilesEnv.server.url);
  },
});
test.use({ ignoreHTTPSErrors: true });

test.afterEach(async ({ profilesEnv }, info) => {
  if (info.status !== info.expectedStatus) {
    await info.attach('server.log', { path: profilesEnv.server.logFile, contentType: 'text/plain' });
    await info.attach('challtestsrv.log', { path: profilesEnv.dns.logFile, contentType: 'text/plain' });
  }
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

test('certbot --preferred-profile shortlived gets a 6-day certificate; the order and the portal show the profile (R-ACME-9)', async ({
  page,
  request,
  profilesEnv,
}, info) => {
  test.setTimeout(90_000);
  for (const [name, path] of [['certbot', CERTBOT], ['pebble-challtestsrv', CHALLTESTSRV]]) {
    expect(existsSync(path), `${name} at ${path}`).toBe(true);
  }
  const { server, vaPort } = profilesEnv;
  const time = new Timings();

  // The ACME page shows the profiles and how each client asks for one.
  const { kid, hmac, directory } = await acmeCustomer(page, request, server, 'profiles');
  const shortRow = page.locator('[data-testid="profile-row"][data-profile="shortlived"]');
  await expect(shortRow.getByTestId('profile-flag-certbot')).toHaveText('--preferred-profile shortlived');
  await expect(shortRow.getByTestId('profile-flag-lego')).toHaveText('--profile shortlived');
  await expect(shortRow.getByTestId('profile-days')).toHaveText('6日');
  await expect(
    page.locator('[data-testid="profile-row"][data-profile="classic"]').getByTestId('profile-default'),
  ).toBeVisible();

  const name = `short-${Date.now().toString(36)}.jp`;
  await registerAndPay(page, name, 'dv');
  const ca = await CaChecks.fetch(info, request, server.dataDir);
  time.mark('customer, EAB and profiles from the portal, a name registered and paid');

  const work = mkdtempSync(join(server.dataDir, 'certbot-'));
  const conf = join(work, 'conf');
  const logs = join(work, 'logs');
  const env = { ...process.env, REQUESTS_CA_BUNDLE: server.caFile };
  const run = await client(info, 'certbot certonly --preferred-profile shortlived', CERTBOT, [
    'certonly', '--server', directory, '--eab-kid', kid, '--eab-hmac-key', hmac,
    '--email', uniqueEmail('profiles'), '--agree-tos', '--no-eff-email', '-n',
    '--config-dir', conf, '--work-dir', join(work, 'work'), '--logs-dir', logs,
    '--standalone', '--http-01-address', '127.0.0.1', '--http-01-port', String(vaPort),
    '--preferred-profile', 'shortlived',
    '--cert-name', name, '-d', name,
  ], env);
  expect(run.code, output(run)).toBe(0);
  const fullchain = join(conf, 'live', name, 'fullchain.pem');
  const cert = await ca.verifyFullchain('certbot shortlived', fullchain);
  expect(cert.names).toEqual([name]);
  time.mark('certbot: account, http-01, shortlived certificate');

  // 6 days (notBefore is backdated a minute).
  const leaf = new X509Certificate(readFileSync(fullchain));
  const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
  expect(lifetime, `${leaf.validFrom} → ${leaf.validTo}`).toBe(6 * DAY_MS + 60_000);

  // certbot logged the server's answers: the order echoed the profile.
  const logText = filesUnder(logs).map((f) => readFileSync(f, 'utf8')).join('\n');
  expect(logText).toMatch(/"profile":\s*"shortlived"/);

  // The portal's order list and certificate list say which profile.
  const orders = await page.request.get('/api/v1/acme-orders');
  expect(orders.status(), await orders.text()).toBe(200);
  const list = (await orders.json()) as { names: string[]; profile: string | null; certificate_serial: string | null }[];
  const order = list.find((o) => o.names.includes(name) && o.certificate_serial);
  expect(order?.profile, JSON.stringify(list)).toBe('shortlived');
  await page.goto('/mypage/orders');
  await expect(page.getByTestId('order-profile').first()).toHaveText('shortlived');

  await page.goto('/mypage/certificates');
  const row = page.getByTestId('certificate-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('certificate-profile')).toHaveText('shortlived');
  const certs = await page.request.get('/api/v1/certificates');
  const [info0] = (await certs.json()) as { serial: string; profile: string; not_before: string; not_after: string }[];
  expect(info0.profile).toBe('shortlived');
  expect(Date.parse(info0.not_after) - Date.parse(info0.not_before)).toBe(6 * DAY_MS + 60_000);
  time.mark('order and certificate with their profile in the portal');

  // The directory's website: the public page of limits and profiles, in English too.
  const dir = await (await page.request.get('/acme/directory')).json() as { meta: { website: string; profiles: Record<string, string> } };
  expect(Object.keys(dir.meta.profiles)).toEqual(['classic', 'shortlived']);
  expect(dir.meta.website).toBe(`${server.url}/acme-limits`);
  await page.goto(dir.meta.website);
  await expect(page.getByTestId('limits-retry-after')).toContainText('Retry-After: 2');
  await expect(page.locator('[data-testid="limit-row"][data-limit="new_order_per_account"]')).toContainText('1時間あたり3000件');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('[data-testid="limit-row"][data-limit="new_order_per_account"]')).toContainText('3000 per 1 hour');
  await expect(page.locator('[data-testid="profile-row"][data-profile="shortlived"]').getByTestId('profile-days')).toHaveText('6 days');
  await page.getByTestId('lang-switch').click();
  time.mark('the directory and /acme-limits');
  await info.attach('timings', { body: time.toString(), contentType: 'text/plain' });
});

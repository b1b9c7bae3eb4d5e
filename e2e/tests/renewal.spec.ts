/**
 * R-ACME-8 in the browser with a real client: certbot obtains a certificate; an operator runs an
 * early-renewal campaign in the console (preview, then run); the customer is emailed; `certbot
 * renew` follows ACME Renewal Information (RFC 9773) and renews although the certificate is far
 * from expiry, naming the old one in `replaces`; the console's "replaced" count moves, the old
 * certificate points at its replacement, and a second order replacing it gets `alreadyReplaced`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { test as base, expect, logIn, operator, uniqueEmail, watchConsole } from './fixtures';
import { waitForMails } from './outbox';
import {
  CERTBOT,
  acmeCustomer,
  certificates,
  client,
  output,
  registerAndPay,
  type ValidationServer,
  withValidationServer,
} from './issuance-env';

type Renewal = ValidationServer;

const test = base.extend<object, { renewal: Renewal }>({
  renewal: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => withValidationServer('ari', use),
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ renewal }, use) => {
    await use(renewal.server.url);
  },
});
test.use({ ignoreHTTPSErrors: true });

test.afterEach(async ({ renewal }, info) => {
  if (info.status !== info.expectedStatus) {
    await info.attach('server.log', { path: renewal.server.logFile, contentType: 'text/plain' });
  }
});

function serialOf(pemFile: string): string {
  return new X509Certificate(readFileSync(pemFile)).serialNumber.toLowerCase().replace(/^0+/, '');
}

test('an operator early-renewal campaign makes certbot renew a young certificate with replaces; the console counts it (R-ACME-8)', async ({
  page,
  browser,
  request,
  renewal,
}, info) => {
  test.setTimeout(120_000);
  const { server, vaPort } = renewal;
  const { customer, kid, hmac, directory } = await acmeCustomer(page, request, server, 'ari');
  const name = `ari-${Date.now().toString(36)}.jp`;
  await registerAndPay(page, name, 'dv');

  const work = mkdtempSync(join(server.dataDir, 'certbot-'));
  const conf = join(work, 'conf');
  const env = { ...process.env, REQUESTS_CA_BUNDLE: server.caFile };
  const common = [
    '--server', directory, '--eab-kid', kid, '--eab-hmac-key', hmac, '--email', uniqueEmail('ari'),
    '--agree-tos', '--no-eff-email', '-n',
    '--config-dir', conf, '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'),
  ];
  const standalone = ['--standalone', '--http-01-address', '127.0.0.1', '--http-01-port', String(vaPort)];
  const first = await client(info, 'certbot certonly', CERTBOT, ['certonly', ...common, ...standalone, '--cert-name', name, '-d', name], env);
  expect(first.code, output(first)).toBe(0);
  const certFile = join(conf, 'live', name, 'cert.pem');
  const oldSerial = serialOf(certFile);

  // Far from expiry, certbot does not renew on its own.
  const early = await client(info, 'certbot renew (not due)', CERTBOT, ['renew', ...common, ...standalone], env);
  expect(early.code, output(early)).toBe(0);
  expect(serialOf(certFile)).toBe(oldSerial);
  // certbot keeps the renewalInfo answer's Retry-After (6 hours) in the lineage's renewal file and
  // does not ask again before then; let that time pass.
  const renewalConf = join(conf, 'renewal', `${name}.conf`);
  const kept = readFileSync(renewalConf, 'utf8');
  expect(kept).toMatch(/ari_retry_after = /);
  writeFileSync(renewalConf, kept.replace(/ari_retry_after = .*/, 'ari_retry_after = 2000-01-01T00:00:00'));

  // The operator previews and runs a campaign for the name.
  const staff = await operator(server, 'ari-operator');
  const opContext = await browser.newContext({ baseURL: server.url, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', ignoreHTTPSErrors: true });
  const opPage = await opContext.newPage();
  const problems = watchConsole(opPage);
  await logIn(opPage, staff);
  await opPage.getByTestId('nav-operator-renewals').click();
  await expect(opPage).toHaveURL(/\/operator\/renewals$/);
  await expect(opPage.getByTestId('campaigns-empty')).toBeVisible();
  await opPage.getByTestId('campaign-fqdn').fill(name);
  await opPage.getByTestId('campaign-reason').fill('鍵の生成手順に不備が見つかったため');
  await expect(opPage.getByTestId('campaign-run')).toBeDisabled();
  await opPage.getByTestId('campaign-preview-button').click();
  await expect(opPage.getByTestId('campaign-preview')).toContainText('1件の証明書(1社)');
  await expect(opPage.getByTestId('campaign-preview-customer')).toContainText(customer.id);
  await opPage.getByTestId('campaign-run').click();
  await expect(opPage.getByTestId('campaign-done')).toBeVisible();
  const row = opPage.getByTestId('campaign-row').first();
  await expect(row.getByTestId('campaign-certificates')).toHaveText('1');
  await expect(row.getByTestId('campaign-replaced')).toHaveText('0');

  // The customer is told why and by when.
  const [mail] = await waitForMails(server.dataDir, customer.email, '早期更新');
  expect(mail.text).toContain('鍵の生成手順に不備が見つかったため');
  expect(mail.text).toContain(oldSerial);
  // … and sees it in the portal.
  await page.goto('/mypage/certificates');
  await expect(page.getByTestId('certificate-renew-early')).toContainText('鍵の生成手順に不備が見つかったため');

  // certbot asks renewalInfo, finds the window passed, and renews with `replaces`.
  const renewed = await client(info, 'certbot renew (ARI)', CERTBOT, ['renew', '--no-random-sleep-on-renew', ...common, ...standalone], env);
  expect(renewed.code, output(renewed)).toBe(0);
  const newSerial = serialOf(certFile);
  expect(newSerial).not.toBe(oldSerial);
  const certs = await certificates(page);
  const old = certs.find((c) => c.serial.replace(/^0+/, '') === oldSerial) as unknown as { replaced_by: string | null };
  expect(old?.replaced_by?.replace(/^0+/, ''), JSON.stringify(certs)).toBe(newSerial);

  // The console counts the replacement; the customer's list says what replaced what.
  await opPage.reload();
  await expect(opPage.getByTestId('campaign-row').first().getByTestId('campaign-replaced')).toHaveText('1');
  await page.reload();
  await expect(page.getByTestId('certificate-replaced-by')).toHaveCount(1);
  expect(problems).toEqual([]);
  await opContext.close();
});

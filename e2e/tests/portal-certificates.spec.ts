/**
 * The portal side of STEP 12 (R-CA-3, R-CA-4, R-FQDN-5, R-VAL-5): after lego obtains a
 * certificate by http-01, the registration shows as 有効 with its contract end, the certificates
 * page lists it with its chain to download and revokes it with a reason; an order whose http-01
 * validation could not connect is explained in Japanese with what to fix.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, uniqueEmail } from './fixtures';
import { freePort, startServer, type RunningServer } from './server';
import { LEGO, acmeCustomer, certificates, client, output, registerAndPay, startChallTestSrv, type ChallTestSrv } from './issuance-env';
import { portalJst, registrationOf } from './billing-helpers';
import { waitForMails } from './outbox';

interface Env {
  server: RunningServer;
  dns: ChallTestSrv;
  vaPort: number;
  /** The server's test clock (CERTDIRECT_TEST_CLOCK_FILE): empty = the system clock. */
  clockFile: string;
}

const test = base.extend<object, { acmeEnv: Env }>({
  acmeEnv: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const scratch = mkdtempSync(join(tmpdir(), 'certdirect-portal-dns-'));
      const dns = await startChallTestSrv(scratch);
      const vaPort = await freePort();
      const clockFile = join(scratch, 'now');
      let server: RunningServer | undefined;
      try {
        server = await startServer({
          tls: true,
          env: {
            CERTDIRECT_VA_DNS_SERVERS: dns.dns,
            CERTDIRECT_VA_HTTP_PORT: String(vaPort),
            CERTDIRECT_VA_ALLOW_PRIVATE: '1',
            CERTDIRECT_TEST_CLOCK_FILE: clockFile,
            CERTDIRECT_JOBS_HOUSEKEEPING_SECS: '1',
          },
        });
        await use({ server, dns, vaPort, clockFile });
      } finally {
        await server?.stop();
        await dns.stop();
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ acmeEnv }, use) => {
    await use(acmeEnv.server.url);
  },
});
test.use({ ignoreHTTPSErrors: true });

test('after the first issuance the portal shows the FQDN active, the certificate with its chain, revocation with a reason, and a failed validation explained (R-CA-3, R-CA-4, R-VAL-5)', async ({
  page,
  request,
  acmeEnv,
}, info) => {
  test.setTimeout(60_000);
  const { server, vaPort } = acmeEnv;
  const { kid, hmac, directory } = await acmeCustomer(page, request, server, 'portal-certs');
  const stamp = Date.now().toString(36);
  const name = `portal-${stamp}.jp`;
  const broken = `portal-broken-${stamp}.jp`;
  await registerAndPay(page, name, 'dv');
  await registerAndPay(page, broken, 'dv');

  const path = mkdtempSync(join(server.dataDir, 'lego-portal-'));
  const env = { ...process.env, LEGO_CA_CERTIFICATES: server.caFile };
  const common = ['--path', path, '--server', directory, '--eab', '--kid', kid, '--hmac', hmac, '--email', uniqueEmail('lego'), '--accept-tos'];
  const ok = await client(info, 'lego http-01', LEGO, [...common, '--domains', name, '--http', '--http.port', `127.0.0.1:${vaPort}`, 'run'], env);
  expect(ok.code, output(ok)).toBe(0);
  // lego listens on another port than the one validation connects to: the validation fails.
  const elsewhere = await freePort();
  const failed = await client(info, 'lego http-01, nothing listening', LEGO, [...common, '--domains', broken, '--http', '--http.port', `127.0.0.1:${elsewhere}`, 'run'], env);
  expect(failed.code, output(failed)).not.toBe(0);

  // 利用FQDN情報一覧: 有効 with the contract end.
  await page.goto('/mypage/registrations');
  const reg = await registrationOf(page, name);
  expect(reg.state).toBe('active');
  const contractEnd = ((await (await page.request.get(`/api/v1/registrations/${reg.id}`)).json()) as { contract_end: string }).contract_end;
  const row = page.getByTestId('registrations-active').locator(`[data-testid="registration-row"][data-fqdn="${name}"]`);
  await expect(row.getByTestId('registration-state')).toHaveText('有効');
  await expect(row.getByTestId('registration-contract-end')).toHaveText(portalJst(contractEnd));
  await expect(page.getByTestId('registrations-upcoming').locator(`[data-fqdn="${broken}"]`)).toHaveCount(1);

  // My Page: STEP 7 done.
  await page.goto('/mypage');
  await expect(page.getByTestId('step-7')).toHaveAttribute('data-state', 'done');

  // The certificate: names, serial, status, the chain to download.
  await page.getByTestId('nav-certificates').click();
  const [cert] = await certificates(page);
  const certRow = page.locator(`[data-testid="certificate-row"][data-serial="${cert.serial}"]`);
  await expect(certRow).toContainText(name);
  await expect(certRow.getByTestId('certificate-serial')).toHaveText(cert.serial);
  await expect(certRow.getByTestId('certificate-status')).toHaveText('有効');
  const download = page.waitForEvent('download');
  await certRow.getByTestId('certificate-download').click();
  const pem = readFileSync((await (await download).path())!, 'utf8');
  expect(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length).toBeGreaterThanOrEqual(2);

  // Revocation with a reason, after a confirmation.
  await certRow.getByTestId('certificate-revoke').click();
  await page.getByTestId('revoke-reason').selectOption('4');
  await expect(page.getByTestId('revoke-confirm')).toBeFocused();
  await page.getByTestId('revoke-confirm').click();
  await expect(page.getByTestId('revoke-done')).toContainText(cert.serial);
  await expect(certRow.getByTestId('certificate-status')).toHaveText('失効');
  await expect(certRow.getByTestId('certificate-revoke')).toHaveCount(0);
  const after = (await certificates(page)).find((c) => c.serial === cert.serial);
  expect(after?.status).toBe('revoked');
  expect(after?.revocation_reason).toBe(4);

  // The failed order: what went wrong and what to fix, in Japanese, with the server's detail.
  await page.getByTestId('certificates-orders-link').click();
  const failedOrder = page.locator('[data-testid="order"][data-state="invalid"]');
  await expect(failedOrder).toHaveCount(1);
  await expect(failedOrder).toContainText(broken);
  const error = failedOrder.getByTestId('order-error');
  await expect(error).toHaveAttribute('data-error-type', 'urn:ietf:params:acme:error:connection');
  await expect(error.getByTestId('order-error-what')).toContainText('接続できませんでした');
  await expect(error.getByTestId('order-error-fix')).toContainText('ポート80');
  await expect(error.getByTestId('order-error-detail')).toContainText(broken);
  await expect(page.locator('[data-testid="order"][data-state="valid"]')).toContainText(cert.serial);
});

test('a certificate about to expire with no renewal is reminded once (R-SUP-3, R-CA-4)', async ({ page, request, acmeEnv }, info) => {
  test.setTimeout(60_000);
  const { server, vaPort, clockFile } = acmeEnv;
  const { customer, kid, hmac, directory } = await acmeCustomer(page, request, server, 'portal-expiry');
  const name = `expiry-${Date.now().toString(36)}.jp`;
  await registerAndPay(page, name, 'dv');
  const path = mkdtempSync(join(server.dataDir, 'lego-expiry-'));
  const env = { ...process.env, LEGO_CA_CERTIFICATES: server.caFile };
  const args = ['--path', path, '--server', directory, '--eab', '--kid', kid, '--hmac', hmac, '--email', uniqueEmail('lego'), '--accept-tos'];
  const ok = await client(info, 'lego http-01', LEGO, [...args, '--domains', name, '--http', '--http.port', `127.0.0.1:${vaPort}`, 'run'], env);
  expect(ok.code, output(ok)).toBe(0);
  const listed = (await (await page.request.get('/api/v1/certificates')).json()) as { names: string[]; not_after: string }[];
  const cert = listed.find((c) => c.names.includes(name));
  expect(cert, JSON.stringify(listed)).toBeDefined();
  try {
    // Ten days before notAfter, no newer certificate for the same names: one reminder.
    writeFileSync(clockFile, new Date(Date.parse(cert!.not_after) - 10 * 86_400_000).toISOString());
    const subject = `サーバー証明書の有効期限が近づいています`;
    const [mail] = await waitForMails(server.dataDir, customer.email, subject, 1, 15_000);
    expect(mail.subject).toContain(name);
    // Several scheduler passes later, still one.
    await page.waitForTimeout(3_000);
    expect((await waitForMails(server.dataDir, customer.email, subject)).filter((m) => m.subject.includes(name))).toHaveLength(1);
  } finally {
    writeFileSync(clockFile, '');
  }
});

import { test, expect, verifiedCustomer, logIn, watchConsole } from './fixtures';
import { waitForMails } from './outbox';

/** Subject of the EAB announcement to a Japanese customer (brand from configuration). */
const EAB_SUBJECT = '【CertDirect】EAB(認証情報)発行のお知らせ';

/** `2026-11-24T05:06:07Z` the way the Japanese portal shows it: Japan time, `2026/11/24 14:06`. */
function jst(rfc3339: string): string {
  const d = new Date(Date.parse(rfc3339) + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

interface Application {
  application_number: string;
  directory_url: string;
  eab: { key_id: string; hmac_key: string; issued_at: string; expires_at: string; expired: boolean };
  commands: { client: string; command: string }[];
}

test('ACME usage application: terms, 「同意して確定」, the EAB with its expiry and commands, once only (R-EAB-1, R-EAB-2)', async ({
  page,
  context,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'acme');
  await logIn(page, customer);

  // My Page: the application is the next step; STEP 5–7 open only after it.
  await expect(page.getByTestId('step-2')).toHaveAttribute('data-state', 'todo');
  await expect(page.getByTestId('step-3')).toHaveAttribute('data-state', 'todo');
  await expect(page.getByTestId('step-5')).toHaveAttribute('data-state', 'locked');

  // A second tab, opened before applying, still offers the button.
  const other = await context.newPage();
  const otherProblems = watchConsole(other);
  await other.goto('/mypage/acme');
  await expect(other.getByTestId('acme-apply-submit')).toBeVisible();

  await page.getByTestId('step-2-link').click();
  await expect(page).toHaveURL(/\/mypage\/acme$/);
  await expect(page.getByTestId('acme-terms')).toContainText('第2条(ACME利用申請とEAB)');
  await expect(page.getByTestId('acme-terms')).toContainText('14日間');
  const submit = page.getByTestId('acme-apply-submit');
  await expect(submit).toHaveText('同意して確定');
  await submit.click();

  await expect(page.getByTestId('acme-applied')).toContainText(/申請番号:AP\d{8}/);
  const number = (await page.getByTestId('acme-application-number').textContent())?.trim() ?? '';
  expect(number).toMatch(/^AP\d{8}$/);
  await expect(page.getByTestId('acme-apply-submit')).toHaveCount(0);

  // What the page shows is what the API has.
  const res = await page.request.get('/api/v1/acme-application');
  expect(res.status()).toBe(200);
  const app = (await res.json()) as Application;
  expect(app.application_number).toBe(number);
  await expect(page.getByTestId('eab-kid')).toHaveText(app.eab.key_id);
  await expect(page.getByTestId('eab-hmac')).toHaveText(app.eab.hmac_key);
  expect(app.eab.hmac_key).toMatch(/^[A-Za-z0-9_-]{43,}$/); // base64url, at least 256 bits
  expect(Date.parse(app.eab.expires_at) - Date.parse(app.eab.issued_at)).toBe(14 * 24 * 3600_000);
  await expect(page.getByTestId('eab-expires')).toHaveText(jst(app.eab.expires_at));
  await expect(page.getByTestId('eab-status')).toHaveAttribute('data-state', 'valid');
  await expect(page.getByTestId('eab-expired')).toHaveCount(0);
  const directory = `${server.url}/acme/directory`;
  await expect(page.getByTestId('acme-directory-url')).toHaveText(directory);
  for (const client of ['certbot', 'lego', 'acme.sh']) {
    const line = page.getByTestId(`command-${client}`);
    await expect(line).toContainText(client);
    await expect(line).toContainText(directory);
    await expect(line).toContainText(app.eab.key_id);
    await expect(line).toContainText(app.eab.hmac_key);
    await expect(line).toContainText(customer.email);
  }
  await expect(page.getByTestId('acme-accounts-empty')).toBeVisible();

  // The copy button puts the command line on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('command-certbot-copy').click();
  await expect(page.getByTestId('command-certbot-copy')).toHaveText('コピーしました');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(app.commands.find((c) => c.client === 'certbot')?.command);

  // The other tab applies too: refused with a message naming the application, which it then shows.
  await other.getByTestId('acme-apply-submit').click();
  const refused = other.getByTestId('acme-apply-error');
  await expect(refused).toContainText('ACME利用申請はすでに完了しています');
  await expect(refused).toContainText(number);
  await expect(refused).toContainText('カスタマーセンター');
  await expect(other.getByTestId('eab-kid')).toHaveText(app.eab.key_id);
  await other.close();
  expect(otherProblems, 'errors in the second tab').toEqual([]);

  // The announcement: application number, key id, expiry, directory URL; never the HMAC key.
  const [mail] = await waitForMails(server.dataDir, customer.email, EAB_SUBJECT);
  expect(mail.text).toContain(number);
  expect(mail.text).toContain(app.eab.key_id);
  expect(mail.text).toContain(directory);
  expect(mail.text).toContain(`${server.url}/mypage/acme`);
  expect(mail.text).not.toContain(app.eab.hmac_key);
  expect(mail.html).not.toContain(app.eab.hmac_key);

  // A reload shows the same credentials; My Page has STEP 2 and 3 done, STEP 4 and 6 to do.
  await page.reload();
  await expect(page.getByTestId('eab-kid')).toHaveText(app.eab.key_id);
  await page.getByTestId('nav-mypage').click();
  await expect(page.getByTestId('step-2')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-3')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-4')).toHaveAttribute('data-state', 'todo');
  await expect(page.getByTestId('step-6')).toHaveAttribute('data-state', 'todo');

  // In English too, with the expiry marked as Japan time.
  await page.getByTestId('mypage-acme-link').click();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ACME usage application');
  await expect(page.getByTestId('eab-expires')).toHaveText(/ JST$/);
  await expect(page.getByTestId('eab-status')).toHaveText('Valid');
});

test('an expired EAB says no new ACME account can be bound and to contact the customer center (R-EAB-2)', async ({
  page,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'expired');
  await logIn(page, customer);
  await page.goto('/mypage/acme');
  await page.getByTestId('acme-apply-submit').click();
  await expect(page.getByTestId('eab-kid')).not.toBeEmpty();

  // Fourteen days cannot pass here: answer GET /acme-application as the server does after them.
  await page.route('**/api/v1/acme-application', async (route) => {
    const response = await route.fetch();
    const app = (await response.json()) as Application;
    await route.fulfill({ response, json: { ...app, eab: { ...app.eab, expired: true } } });
  });
  await page.reload();
  const notice = page.getByTestId('eab-expired');
  await expect(notice).toContainText('EABの有効期限が切れています');
  await expect(notice).toContainText('新しいACMEアカウントを登録できません');
  await expect(notice).toContainText('カスタマーセンター');
  await expect(page.getByTestId('eab-status')).toHaveAttribute('data-state', 'expired');
  await expect(page.getByTestId('acme-commands')).toHaveCount(0);
  // The accounts already bound are still listed (and usable).
  await expect(page.getByTestId('acme-accounts-empty')).toBeVisible();
});

test('the service terms have their own page (the ACME directory\'s termsOfService)', async ({ page, request }) => {
  const directory = await request.get('/acme/directory');
  expect(directory.status()).toBe(200);
  const terms = ((await directory.json()) as { meta: { termsOfService: string } }).meta.termsOfService;
  await page.goto(terms);
  await expect(page.getByTestId('terms-page')).toContainText('第1条(適用)');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('サービス約款');
});

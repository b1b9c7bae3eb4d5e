/**
 * The customer center (R-SUP-1, R-SUP-2), the reminders (R-SUP-3) and the printable invoices and
 * receipts (R-BILL-6), in Chromium against the real server. The server runs on a test clock
 * (CERTDIRECT_TEST_CLOCK_FILE: the instant in the file, running on from when it was written), so
 * the tests can send an inquiry on a weekday at 10:00 JST and on 2 January, and move past the
 * reminder thresholds, without waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, logIn, operator, verifiedCustomer, type Customer } from './fixtures';
import { startServer, type RunningServer } from './server';
import { waitForMails } from './outbox';
import { applyForAcme, csrf, register, INVOICE_SUBJECT } from './billing-helpers';

const BANK = 'みずほ銀行 本店営業部 普通 1234567 カ)サートダイレクト';
const REGISTRATION_NUMBER = 'T1234567890123';

interface Env {
  server: RunningServer;
  clockFile: string;
}

/** Puts the server's clock at `iso` (time runs on from there). */
function setClock(env: Env, iso: string): void {
  writeFileSync(env.clockFile, `${iso}\n`);
}

const test = base.extend<object, { supportEnv: Env }>({
  supportEnv: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const scratch = mkdtempSync(join(tmpdir(), 'certdirect-support-'));
      const clockFile = join(scratch, 'now');
      let server: RunningServer | undefined;
      try {
        server = await startServer({
          env: {
            CERTDIRECT_TEST_CLOCK_FILE: clockFile,
            CERTDIRECT_JOBS_HOUSEKEEPING_SECS: '1',
            CERTDIRECT_JOBS_BILLING_SECS: '1',
            CERTDIRECT_BANK_ACCOUNT: BANK,
            CERTDIRECT_INVOICE_REGISTRATION_NUMBER: REGISTRATION_NUMBER,
            CERTDIRECT_INVOICE_ISSUER_NAME: '株式会社サートダイレクト',
            CERTDIRECT_INVOICE_ISSUER_ADDRESS: '東京都千代田区千代田1-1',
          },
        });
        await use({ server, clockFile });
      } finally {
        await server?.stop();
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  server: async ({ supportEnv }, use) => {
    await use(supportEnv.server);
  },
  baseURL: async ({ supportEnv }, use) => {
    await use(supportEnv.server.url);
  },
});

// Every test sets the clock it needs; the wall clock between tests is never assumed.
test.afterEach(async ({ supportEnv }) => {
  writeFileSync(supportEnv.clockFile, '');
});

let counter = 0;
function uniqueName(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}.jp`;
}

/** Sends an inquiry through the portal's form and returns its number. */
async function sendInquiry(page: import('@playwright/test').Page, subject: string, domain: string, message: string): Promise<string> {
  await page.goto('/support');
  await page.getByTestId('inquiry-subject').fill(subject);
  await page.getByTestId('inquiry-domain').fill(domain);
  await page.getByTestId('inquiry-message').fill(message);
  await page.getByTestId('inquiry-submit').click();
  const sent = page.getByTestId('inquiry-sent');
  await expect(sent).toBeVisible();
  const number = /Q\d+/.exec((await sent.textContent()) ?? '')?.[0];
  expect(number, await sent.textContent()).toBeDefined();
  return number!;
}

test('an inquiry on a weekday at 10:00 JST is promised an answer the same day, and one on 2 January the next business day, 4 January (R-SUP-1, R-SUP-2)', async ({
  page,
  request,
  supportEnv,
}) => {
  const { server } = supportEnv;
  const customer = await verifiedCustomer(request, server, 'support-hours');
  // Tuesday 1 December 2026, 10:00 JST.
  setClock(supportEnv, '2026-12-01T01:00:00Z');
  await logIn(page, customer);
  await page.goto('/support');
  await expect(page.getByTestId('support-hours-status')).toHaveAttribute('data-open', 'true');
  const weekday = await sendInquiry(page, '証明書の発行について', 'weekday.example.jp', 'http-01 の検証が通りません。');
  await expect(page.getByTestId('inquiry-answer-by')).toHaveAttribute('data-answer-by', '2026-12-01');
  await expect(page.getByTestId('inquiry-answer-by')).toContainText('2026年12月1日(火)');
  const [ack] = await waitForMails(server.dataDir, customer.email, weekday);
  expect(ack.text).toContain('2026年12月1日');

  // Saturday 2 January 2027, 11:00 JST: the New Year holidays (29 Dec – 3 Jan), then Monday.
  setClock(supportEnv, '2027-01-02T02:00:00Z');
  // A month later the portal session has ended: log in again.
  await logIn(page, customer);
  await page.goto('/support');
  await expect(page.getByTestId('support-hours-status')).toHaveAttribute('data-open', 'false');
  await expect(page.getByTestId('support-hours-status')).toHaveAttribute('data-answer-by', '2027-01-04');
  const holiday = await sendInquiry(page, '請求書について', 'holiday.example.jp', '領収書の宛名を変えられますか。');
  await expect(page.getByTestId('inquiry-answer-by')).toHaveAttribute('data-answer-by', '2027-01-04');
  await expect(page.getByTestId('inquiry-answer-by')).toContainText('受付時間外');
  await expect(page.getByTestId('inquiry-answer-by')).toContainText('2027年1月4日(月)');
  const [outside] = await waitForMails(server.dataDir, customer.email, holiday);
  expect(outside.text).toContain('2027年1月4日');

  // Both are listed with their state.
  const rows = page.getByTestId('inquiry-row');
  await expect(rows).toHaveCount(2);
  await expect(page.locator(`[data-testid="inquiry-row"][data-number="${holiday}"]`)).toHaveAttribute('data-state', 'open');

  // The footer shows the hours on every page.
  await expect(page.locator('footer')).toContainText('9:00');
});

test('the form names each missing field, refuses an invoice that is not the customer\'s, and the operator\'s reply reaches the customer (R-SUP-1)', async ({
  page,
  browser,
  request,
  supportEnv,
}) => {
  const { server } = supportEnv;
  setClock(supportEnv, '2026-12-02T02:00:00Z');
  const customer = await verifiedCustomer(request, server, 'support-reply');
  await logIn(page, customer);
  await page.goto('/support');
  await page.getByTestId('inquiry-submit').click();
  await expect(page.getByTestId('inquiry-subject-error')).toBeVisible();
  await expect(page.getByTestId('inquiry-message-error')).toBeVisible();
  await expect(page.getByTestId('inquiry-domain-error')).toBeVisible();
  // An invoice number that is not one of this customer's is refused by the server, by field.
  await page.getByTestId('inquiry-subject').fill('請求書の件');
  await page.getByTestId('inquiry-invoice').fill('BILL99999999');
  await page.getByTestId('inquiry-message').fill('この請求書について教えてください。');
  await page.getByTestId('inquiry-submit').click();
  await expect(page.getByTestId('inquiry-invoice-error')).toBeVisible();

  const number = await sendInquiry(page, '更新の時期', 'reply.example.jp', 'いつ更新すればよいですか。');

  // The operator's queue: take it, reply.
  const staff = await operator(server, 'support-op');
  const context = await browser.newContext({ baseURL: server.url });
  const op = await context.newPage();
  await op.goto('/login');
  await op.getByTestId('login-email').fill(staff.email);
  await op.getByTestId('login-password').fill(staff.password);
  await op.getByTestId('login-submit').click();
  await op.waitForURL(/\/(mypage|operator)/);
  await op.goto('/operator/inquiries');
  const item = op.locator(`[data-testid="operator-inquiry"][data-number="${number}"]`);
  await expect(item).toBeVisible();
  await item.getByTestId('operator-take').click();
  await expect(item.getByTestId('inquiry-assignee')).toHaveText(staff.email);
  await item.getByTestId('operator-reply-message').fill('有効期限の30日前を目安に更新してください。');
  await item.getByTestId('operator-reply-submit').click();
  // Answered inquiries leave the "open" view.
  await expect(item).toHaveCount(0);
  await context.close();

  const replies = await waitForMails(server.dataDir, customer.email, number, 2);
  expect(replies.some((m) => m.text.includes('有効期限の30日前を目安に更新してください。'))).toBe(true);

  await page.goto('/support');
  await page.locator(`[data-testid="inquiry-row"][data-number="${number}"] a`).click();
  await expect(page.getByTestId('inquiry-detail')).toHaveAttribute('data-state', 'answered');
  await expect(page.locator('[data-testid="inquiry-message-item"][data-author="operator"]')).toContainText('30日前');
});

test('reminders: a paid registration 60, 30 and 7 days before its deadline and an EAB about to expire, each once (R-SUP-3)', async ({
  page,
  request,
  supportEnv,
}) => {
  test.setTimeout(90_000);
  const { server } = supportEnv;
  setClock(supportEnv, '2026-12-03T01:00:00Z');
  const customer = await verifiedCustomer(request, server, 'support-remind');
  await logIn(page, customer);
  await applyForAcme(page);
  const app = await (await page.request.get('/api/v1/acme-application')).json();
  const eabExpires = Date.parse(app.eab.expires_at);
  const name = uniqueName('remind');
  const inv = await register(page, name, 'bank_transfer');
  // The bank details are in the invoice email (R-BILL-6).
  const [invoiceMail] = await waitForMails(server.dataDir, customer.email, INVOICE_SUBJECT);
  expect(invoiceMail.text).toContain(BANK);
  await confirmTransfer(server, page, inv.number, inv.amount_incl_tax);
  const reg = (await (await page.request.get('/api/v1/registrations')).json()).find((r: { fqdn: string }) => r.fqdn === name);
  expect(reg.state).toBe('registered');
  const deadline = Date.parse(reg.deadline);

  // EAB: 2 days before it expires, with no ACME account bound.
  const EAB_SUBJECT = 'EAB(認証情報)の有効期限が近づいています';
  setClock(supportEnv, new Date(eabExpires - 2 * 86_400_000).toISOString());
  expect(await waitForMails(server.dataDir, customer.email, EAB_SUBJECT, 1, 15_000)).toHaveLength(1);

  for (const days of [60, 30, 7]) {
    setClock(supportEnv, new Date(deadline - days * 86_400_000 + 3600_000).toISOString());
    const subject = `初回の証明書発行期限まであと${days}日です(${name})`;
    await waitForMails(server.dataDir, customer.email, subject, 1, 15_000);
  }
  // Several scheduler passes later, still one of each.
  await page.waitForTimeout(3_000);
  for (const days of [60, 30, 7]) {
    const subject = `初回の証明書発行期限まであと${days}日です(${name})`;
    expect(await waitForMails(server.dataDir, customer.email, subject)).toHaveLength(1);
  }
  expect(await waitForMails(server.dataDir, customer.email, EAB_SUBJECT)).toHaveLength(1);
});

/** The operator confirms a bank transfer through the REST API. */
async function confirmTransfer(server: RunningServer, page: import('@playwright/test').Page, number: string, amount: number): Promise<void> {
  const staff = await operator(server, 'support-bank');
  const ctx = await page.context().browser()!.newContext({ baseURL: server.url });
  const login = await ctx.request.post('/api/v1/auth/login', { data: { email: staff.email, password: staff.password } });
  expect(login.status(), await login.text()).toBe(200);
  const token = (await ctx.cookies()).find((c) => c.name === 'csrf_token')?.value ?? '';
  const res = await ctx.request.post(`/api/v1/operator/invoices/${number}/confirm-payment`, {
    data: { amount, method: 'bank_transfer' },
    headers: { 'X-CSRF-Token': token },
  });
  expect(res.status(), await res.text()).toBe(200);
  await ctx.close();
}

test('an invoice and a receipt print on A4 with the registration number, the tax per rate and, while awaited, the bank details (R-BILL-6)', async ({
  page,
  request,
  supportEnv,
}) => {
  const { server } = supportEnv;
  setClock(supportEnv, '2026-12-04T01:00:00Z');
  const customer: Customer = await verifiedCustomer(request, server, 'support-print');
  await logIn(page, customer);
  await applyForAcme(page);
  const inv = await register(page, uniqueName('print'), 'bank_transfer');

  // The print dialog cannot be driven: count the calls instead (installed for the next load).
  await page.addInitScript(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed += 1;
    };
  });
  // The invoices page says where to pay, and links to the printable invoice.
  await page.goto('/mypage/invoices');
  await expect(page.locator('main')).toContainText(BANK);
  await page.locator(`[data-testid="invoice-row"][data-number="${inv.number}"]`).getByTestId('invoice-print').click();
  const doc = page.getByTestId('print-document');
  await expect(doc).toHaveAttribute('data-kind', 'invoice');
  await expect(page.getByTestId('print-registration-number')).toHaveText(REGISTRATION_NUMBER);
  await expect(page.getByTestId('print-invoice-number')).toHaveText(inv.number);
  await expect(page.locator('[data-testid="print-tax-rate"][data-rate="10"]')).toBeVisible();
  await expect(page.getByTestId('print-tax-amount')).toContainText('1,090');
  await expect(page.getByTestId('print-bank')).toContainText(BANK);
  await page.getByTestId('print-button').click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  // The print style sheet leaves only the document, and it fits one A4 page.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('header.site-header')).toBeHidden();
  await expect(page.getByTestId('print-button')).toBeHidden();
  const pdf = await page.pdf({ format: 'A4' });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBe(1);
  await page.emulateMedia({ media: 'screen' });

  // No receipt before payment; after the transfer is confirmed, the receipt.
  await page.goto(`/mypage/invoices/${inv.number}/receipt`);
  await expect(page.getByTestId('receipt-unpaid')).toBeVisible();
  await confirmTransfer(server, page, inv.number, inv.amount_incl_tax);
  await page.goto('/mypage/invoices');
  await page.locator(`[data-testid="invoice-row"][data-number="${inv.number}"]`).getByTestId('invoice-receipt').click();
  await expect(page.getByTestId('print-document')).toHaveAttribute('data-kind', 'receipt');
  await expect(page.getByTestId('print-registration-number')).toHaveText(REGISTRATION_NUMBER);
  await expect(page.getByTestId('print-received')).toBeVisible();
  await expect(page.getByTestId('print-bank')).toHaveCount(0);
  expect(await csrf(page)).toBeDefined();
});

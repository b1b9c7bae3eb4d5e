import { test, expect, verifiedCustomer, logIn, operator, watchConsole } from './fixtures';
import { waitForMails } from './outbox';
import { applyForAcme, COMPLETED_SUBJECT, invoice, register } from './billing-helpers';

test('bank transfer: the customer waits, an operator confirms it in the console after a wrong amount is refused, a bank statement CSV is reconciled row by row (R-BILL-3, R-BILL-5)', async ({
  page,
  browser,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'bank');
  await logIn(page, customer);
  await applyForAcme(page);
  const suffix = Date.now().toString(36);
  const first = await register(page, `bank-${suffix}.example.jp`, 'bank_transfer');
  const second = await register(page, `csv-${suffix}.example.jp`, 'bank_transfer');
  expect(first.amount_incl_tax).toBe(11_990);

  // The customer's invoices: unpaid, awaiting the transfer, no card form.
  await page.goto('/mypage/invoices');
  const row = page.locator(`[data-testid="invoice-row"][data-number="${first.number}"]`);
  await expect(row.getByTestId('invoice-status')).toHaveText('未払い');
  await expect(row).toContainText('銀行振込');
  await expect(row.getByTestId('invoice-pay')).toHaveCount(0);

  // Customers cannot use the payment console.
  await page.goto('/operator/invoices');
  await expect(page.getByTestId('operator-only')).toBeVisible();

  const staff = await operator(server, 'payments');
  const opContext = await browser.newContext({ baseURL: server.url, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const op = await opContext.newPage();
  const opProblems = watchConsole(op);
  await logIn(op, staff);
  await op.getByTestId('nav-operator-invoices').click();
  await expect(op).toHaveURL(/\/operator\/invoices$/);
  const opRow = op.locator(`[data-testid="operator-invoice-row"][data-number="${first.number}"]`);
  await expect(opRow).toContainText(customer.id);
  await expect(opRow).toContainText('¥11,990');

  // The amount is prefilled; a wrong one is refused and changes nothing.
  await opRow.getByTestId('operator-confirm').click();
  const amount = op.getByTestId('operator-confirm-amount');
  await expect(amount).toHaveValue('11990');
  await expect(op.getByTestId('operator-confirm-yes')).toBeFocused();
  await amount.fill('11,000');
  await op.getByTestId('operator-confirm-yes').click();
  await expect(op.getByTestId('operator-confirm-error')).toContainText('一致しません');
  expect((await invoice(page, first.number)).status).toBe('unpaid');

  await amount.fill('¥11,990');
  await op.getByTestId('operator-confirm-yes').click();
  await expect(op.getByTestId('operator-confirm-done')).toContainText(first.number);
  await expect(opRow).toHaveCount(0);
  expect((await invoice(page, first.number)).status).toBe('paid');

  // The bank statement import: one row applied, the others say why not.
  await op.getByTestId('nav-operator-statements').click();
  await expect(op).toHaveURL(/\/operator\/bank-statements$/);
  const csv = [
    'date,invoice_number,amount,payer',
    `2026-11-25,${second.number},11990,${second.number} ヤマダタロウ`,
    `2026-11-25,${first.number},11990,ヤマダタロウ`,
    '2026-11-25,BILL99999999,11990,ダレカ',
  ].join('\n');
  await op.getByTestId('statement-csv').fill(csv);
  await op.getByTestId('statement-submit').click();
  await expect(op.getByTestId('statement-applied')).toHaveText('3行中 1件を消し込みました。');
  const outcome = (n: string) => op.locator(`[data-testid="statement-row"][data-number="${n}"]`);
  await expect(outcome(second.number)).toHaveAttribute('data-outcome', 'applied');
  await expect(outcome(first.number)).toHaveAttribute('data-outcome', 'already_paid');
  await expect(outcome('BILL99999999')).toHaveAttribute('data-outcome', 'unknown_invoice');
  await expect(outcome('BILL99999999')).toContainText('請求書なし');
  expect((await invoice(page, second.number)).status).toBe('paid');
  await opContext.close();
  expect(opProblems, "errors in the operator's browser console").toEqual([]);

  // The customer sees both paid and both registrations as 今後有効.
  await page.goto('/mypage/invoices');
  await expect(row.getByTestId('invoice-status')).toHaveText('お支払い済み');
  await page.goto('/mypage/registrations');
  await expect(page.getByTestId('registrations-upcoming').getByTestId('registration-row')).toHaveCount(2);
  await expect(page.getByTestId('registrations-awaiting').getByTestId('registration-row')).toHaveCount(0);
  await waitForMails(server.dataDir, customer.email, COMPLETED_SUBJECT, 2);
});

test('a card invoice is paid from the invoices page; the declined card leaves it unpaid (R-BILL-3)', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'invoices');
  await logIn(page, customer);
  await applyForAcme(page);
  const inv = await register(page, `card-${Date.now().toString(36)}.example.jp`, 'card');
  await page.getByTestId('nav-invoices').click();
  await expect(page).toHaveURL(/\/mypage\/invoices$/);
  const row = page.locator(`[data-testid="invoice-row"][data-number="${inv.number}"]`);
  await expect(row.getByTestId('invoice-status')).toHaveAttribute('data-state', 'unpaid');
  await row.getByTestId('invoice-pay').click();
  const form = page.getByTestId('card-pay-form');
  await form.getByTestId('card-number').fill('4000000000000002');
  await form.getByTestId('card-exp-month').fill('1');
  await form.getByTestId('card-exp-year').fill('2099');
  await form.getByTestId('card-cvc').fill('999');
  await form.getByTestId('card-pay-submit').click();
  await expect(page.getByTestId('card-pay-error')).toContainText('カード決済が承認されませんでした');
  await expect(row.getByTestId('invoice-status')).toHaveAttribute('data-state', 'unpaid');
  expect((await invoice(page, inv.number)).status).toBe('unpaid');

  // A field the server refuses is named next to its input.
  await form.getByTestId('card-cvc').fill('1');
  await form.getByTestId('card-pay-submit').click();
  await expect(page.getByTestId('card-cvc-error')).toBeVisible();

  await form.getByTestId('card-number').fill('4242 4242 4242 4242');
  await form.getByTestId('card-cvc').fill('123');
  await form.getByTestId('card-pay-submit').click();
  await expect(page.getByTestId('invoice-paid')).toContainText(inv.number);
  await expect(row.getByTestId('invoice-status')).toHaveAttribute('data-state', 'paid');
});

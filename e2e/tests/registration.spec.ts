import { test, expect, verifiedCustomer, logIn } from './fixtures';
import { waitForMails } from './outbox';
import {
  applyForAcme,
  CARD_DECLINED,
  CARD_OK,
  COMPLETED_SUBJECT,
  invoice,
  INVOICE_SUBJECT,
  mailJst,
  payByCard,
  portalJst,
  registrationOf,
} from './billing-helpers';

test('usage FQDN registration: the live Punycode preview sends nothing, the wizard, a declined then an accepted card, 今後有効になる with its deadline, both emails (R-FQDN-1..6, R-BILL-1..3)', async ({
  page,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'wizard');
  await logIn(page, customer);

  // Before the ACME application STEP 5–7 are locked, and the wizard says why.
  await expect(page.getByTestId('step-5')).toHaveAttribute('data-state', 'locked');
  await page.goto('/mypage/registrations/new');
  await expect(page.getByTestId('wizard-acme-required')).toBeVisible();
  await expect(page.getByTestId('wizard-acme-link')).toHaveAttribute('href', '/mypage/acme');

  await applyForAcme(page);
  await page.goto('/mypage');
  await expect(page.getByTestId('step-5')).toHaveAttribute('data-state', 'todo');
  await page.getByTestId('step-5-link').click();
  await expect(page).toHaveURL(/\/mypage\/registrations\/new$/);
  await expect(page.getByTestId('wizard-title')).toHaveText('利用FQDN情報登録');
  await expect(page.getByTestId('wizard-acme-required')).toHaveCount(0);
  // The price incl. 10 % tax from the catalogue, once loaded.
  await expect(page.getByTestId('wizard-price')).toContainText('¥11,990(税込)');
  await expect(page.getByTestId('fqdn-type').locator('option')).toHaveText(['ドメイン認証型(DV)', 'ドメイン認証型(DV・ワイルドカード)']);

  // Typing: everything is computed in the browser, no request leaves the page.
  const requests: string[] = [];
  const record = (r: { url: () => string }) => {
    if (r.url().includes('/api/')) requests.push(r.url());
  };
  page.on('request', record);
  const input = page.getByTestId('fqdn-input');
  await input.pressSequentially('co.jp');
  await expect(page.getByTestId('fqdn-error')).toContainText('公開サフィックス');
  await input.fill('');
  await input.pressSequentially('例え.jp');
  await expect(page.getByTestId('fqdn-ascii')).toHaveText('xn--r8jz45g.jp');
  await expect(page.getByTestId('fqdn-unicode')).toHaveText('例え.jp');
  await expect(page.getByTestId('fqdn-coverage').locator('> *')).toHaveText(['xn--r8jz45g.jp', 'www.xn--r8jz45g.jp']);
  await expect(page.getByTestId('fqdn-error')).toHaveCount(0);
  // The wildcard type changes the covered names at once, and back.
  await page.getByTestId('fqdn-type').selectOption('dv_wildcard');
  await expect(page.getByTestId('fqdn-coverage').locator('> *')).toHaveText(['*.xn--r8jz45g.jp', 'xn--r8jz45g.jp']);
  await expect(page.getByTestId('wizard-price')).toContainText('¥47,960(税込)');
  await page.getByTestId('fqdn-type').selectOption('dv');
  await expect(page.getByTestId('fqdn-coverage').locator('> *')).toHaveText(['xn--r8jz45g.jp', 'www.xn--r8jz45g.jp']);
  expect(requests, 'API requests while typing').toEqual([]);
  page.off('request', record);

  // 「次へ」 asks the server once about availability.
  const next = page.getByTestId('wizard-next');
  await expect(next).toHaveText('次へ');
  const check = page.waitForRequest((r) => r.url().endsWith('/api/v1/fqdn/check') && r.method() === 'POST');
  await next.click();
  expect((await check).postDataJSON()).toEqual({ fqdn: '例え.jp', type: 'dv' });

  await expect(page.getByTestId('wizard-title')).toHaveText('購入商品を選択');
  await expect(page.getByTestId('wizard-product')).toContainText('ドメイン認証型(DV)');
  await expect(page.getByTestId('wizard-product')).toContainText('1年');
  await expect(next).toHaveText('次へ(購入手続き)');
  await next.click();

  await expect(page.getByTestId('wizard-title')).toHaveText('利用FQDNを確認');
  await expect(page.getByTestId('confirm-fqdn-ascii')).toHaveText('xn--r8jz45g.jp');
  await expect(next).toHaveText('お支払い方法の選択');
  await next.click();

  await expect(page.getByTestId('wizard-title')).toHaveText('お支払い方法を選択');
  await expect(page.getByTestId('tokutei')).toContainText('特定商取引法に基づく表記');
  await expect(next).toHaveText('同意して次へ');
  await next.click();
  await expect(page.getByTestId('payment-method-error')).toBeVisible();
  await expect(page.getByTestId('agree-error')).toBeVisible();
  await page.getByTestId('payment-card').check();
  await page.getByTestId('agree-terms').check();
  await page.getByTestId('agree-tokutei').check();
  await next.click();

  await expect(page.getByTestId('wizard-title')).toHaveText('申し込み内容を確定する');
  await expect(page.getByTestId('confirm-fqdn-ascii')).toHaveText('xn--r8jz45g.jp');
  await expect(page.getByTestId('confirm-fqdn-unicode')).toHaveText('例え.jp');
  await expect(page.getByTestId('confirm-type')).toHaveText('ドメイン認証型(DV)');
  await expect(page.getByTestId('confirm-period')).toHaveText('1年');
  await expect(page.getByTestId('wizard-price')).toContainText('¥11,990(税込)');
  await expect(page.getByTestId('confirm-payment-method')).toHaveText('クレジットカード');
  await expect(page.getByTestId('confirm-warning')).toContainText('返金および訂正はいたしません');
  await expect(next).toHaveText('申し込みを確定する');
  await next.click();

  const numberCell = page.getByTestId('invoice-number');
  await expect(numberCell).toHaveText(/^BILL\d+$/);
  const number = (await numberCell.textContent())!.trim();
  const unpaid = await invoice(page, number);
  expect(unpaid.status).toBe('unpaid');
  expect(unpaid.amount_incl_tax).toBe(11_990);
  await expect(page.getByTestId('invoice-amount')).toHaveText('¥11,990(税込)');
  await expect(page.getByTestId('invoice-due')).toHaveText(portalJst(unpaid.due_at));

  // The declined test card: said plainly, the invoice stays unpaid.
  await payByCard(page, CARD_DECLINED);
  await expect(page.getByTestId('card-pay-error')).toContainText(`請求書 ${number} は未払いのままです`);
  expect((await invoice(page, number)).status).toBe('unpaid');
  await expect(page.getByTestId('wizard-paid')).toHaveCount(0);

  // The accepted test card.
  await payByCard(page, CARD_OK);
  await expect(page.getByTestId('wizard-paid')).toBeVisible();
  expect((await invoice(page, number)).status).toBe('paid');

  // 利用FQDN情報一覧: listed as 今後有効になる with its deadline in Japan time.
  await page.getByTestId('wizard-registrations-link').click();
  await expect(page).toHaveURL(/\/mypage\/registrations$/);
  const reg = await registrationOf(page, 'xn--r8jz45g.jp');
  expect(reg.state).toBe('registered');
  const upcoming = page.getByTestId('registrations-upcoming');
  await expect(upcoming.getByRole('heading')).toHaveText('今後有効になるサーバー証明書(ACME対応版)利用FQDN一覧');
  const row = upcoming.locator('[data-testid="registration-row"][data-fqdn="xn--r8jz45g.jp"]');
  await expect(row.getByTestId('registration-state')).toHaveText('支払済・証明書未発行');
  await expect(row.getByTestId('registration-fqdn-unicode')).toHaveText('例え.jp');
  await expect(row.getByTestId('registration-coverage').locator('> *')).toHaveText(['xn--r8jz45g.jp', 'www.xn--r8jz45g.jp']);
  await expect(row.getByTestId('registration-deadline')).toHaveText(portalJst(reg.deadline!));
  await expect(row.getByTestId('registration-invoice')).toHaveText(number);

  // My Page: STEP 5 and 6 done, STEP 7 next.
  await page.goto('/mypage');
  await expect(page.getByTestId('step-5')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-6')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-7')).toHaveAttribute('data-state', 'todo');

  // The emails, to the billing address, with the amount incl. tax and the due date / deadline.
  const [accepted] = await waitForMails(server.dataDir, customer.email, INVOICE_SUBJECT);
  expect(accepted.subject).toBe(INVOICE_SUBJECT);
  expect(accepted.text).toContain(number);
  expect(accepted.text).toContain('¥11,990');
  expect(accepted.text).toContain(mailJst(unpaid.due_at));
  const [completed] = await waitForMails(server.dataDir, customer.email, COMPLETED_SUBJECT);
  expect(completed.subject).toBe(COMPLETED_SUBJECT);
  expect(completed.text).toContain('¥11,990');
  expect(completed.text).toContain(mailJst(reg.deadline!));

  // STEP 7 pages render without certificates or orders yet.
  await page.getByTestId('step-7-link').click();
  await expect(page).toHaveURL(/\/mypage\/certificates$/);
  await expect(page.getByTestId('certificates-empty')).toBeVisible();
  await page.getByTestId('certificates-orders-link').click();
  await expect(page).toHaveURL(/\/mypage\/orders$/);
  await expect(page.getByTestId('orders-empty')).toBeVisible();

  // A name held by another customer is refused on 「次へ」 without naming them (R-FQDN-4).
  const other = await verifiedCustomer(request, server, 'wizard-other');
  await page.getByTestId('logout').click();
  await logIn(page, other);
  await applyForAcme(page);
  await page.goto('/mypage/registrations/new');
  await expect(page.getByTestId('wizard-price')).toBeVisible();
  await page.getByTestId('fqdn-input').fill('例え.jp');
  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('fqdn-check-error')).toContainText('すでに他のお客様が登録');
  await expect(page.getByTestId('fqdn-check-error')).not.toContainText(customer.id);
  await expect(page.getByTestId('wizard-title')).toHaveText('利用FQDN情報登録');
});

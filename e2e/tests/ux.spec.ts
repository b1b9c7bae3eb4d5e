/**
 * Portal guidance (issue 12): every step leads to the next one, a paid name comes with the
 * command that obtains its certificate, narrow screens keep domain names on one line and the
 * header on one row, focus lands on the page title, operators land on their console.
 */
import type { Page } from '@playwright/test';
import { test, expect, verifiedCustomer, logIn, operator } from './fixtures';
import { applyForAcme, CARD_OK, csrf, payByCard, register } from './billing-helpers';

interface ApplicationJson {
  directory_url: string;
  eab: { key_id: string };
}

async function acmeApplication(page: Page): Promise<ApplicationJson> {
  const res = await page.request.get('/api/v1/acme-application');
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as ApplicationJson;
}

/** The texts of visible `.domain` elements whose text is laid out on more than one line. */
async function wrappedDomains(page: Page): Promise<{ checked: number; wrapped: string[] }> {
  return page.evaluate(() => {
    const wrapped: string[] = [];
    let checked = 0;
    for (const el of Array.from(document.querySelectorAll('.domain'))) {
      if (el.getClientRects().length === 0) continue; // not shown
      checked += 1;
      const range = document.createRange();
      range.selectNodeContents(el);
      const tops = new Set(
        Array.from(range.getClientRects())
          .filter((r) => r.width > 0)
          .map((r) => Math.round(r.top / 4)),
      );
      if (el.getClientRects().length !== 1 || tops.size > 1) {
        wrapped.push(`${el.textContent} (${tops.size} lines)`);
      }
    }
    return { checked, wrapped };
  });
}

async function expectDomainsOnOneLine(page: Page, atLeast: number): Promise<void> {
  const { checked, wrapped } = await wrappedDomains(page);
  expect(wrapped, 'domain names laid out on more than one line').toEqual([]);
  expect(checked).toBeGreaterThanOrEqual(atLeast);
}

/** A name no other test uses: an internationalised one (long Punycode with "--") or ASCII. */
function uniqueIdn(): string {
  const digits = Date.now().toString().slice(-6);
  return `日本語ドメイン名の例${digits}.jp`;
}

test('the next step after the ACME application leads to registration; My Page has one primary action and locked steps are not links', async ({
  page,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'ux-next');
  await logIn(page, customer);

  // Before the application: one primary button (the application), no link to a locked step.
  const next = page.getByTestId('next-action');
  await expect(next).toHaveAttribute('data-action', 'apply');
  await expect(page.locator('main .btn-primary')).toHaveCount(1);
  await expect(page.getByTestId('step-5')).toHaveAttribute('data-state', 'locked');
  await expect(page.getByTestId('step-5-link')).toHaveCount(0);
  await expect(page.getByTestId('step-5').locator('a, button')).toHaveCount(0);
  await expect(page.getByTestId('mypage-register-link')).toHaveCount(0);

  await page.getByTestId('next-action-button').click();
  await expect(page).toHaveURL(/\/mypage\/acme$/);
  await page.getByTestId('acme-apply-submit').click();
  await expect(page.getByTestId('acme-applied')).toBeVisible();
  const onward = page.getByTestId('acme-next-register');
  await expect(onward).toBeVisible();
  await onward.click();
  await expect(page).toHaveURL(/\/mypage\/registrations\/new$/);
  await expect(page.getByTestId('wizard-title')).toHaveText('利用FQDN情報登録');
  await expect(page.getByTestId('wizard-title')).toBeFocused();

  // My Page now offers registration as the one next step.
  await page.goto('/mypage');
  await expect(next).toHaveAttribute('data-action', 'register');
  await expect(page.locator('main .btn-primary')).toHaveCount(1);
  await expect(page.getByTestId('next-action-button')).toHaveAttribute('href', '/mypage/registrations/new');
});

test('after a card payment the command for that exact name is shown for certbot, lego and acme.sh with http-01 and dns-01; a wildcard gets dns-01 only', async ({
  page,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'ux-commands');
  await logIn(page, customer);
  await applyForAcme(page);
  const app = await acmeApplication(page);
  const fqdn = `ux-card-${Date.now().toString(36)}.example.jp`;

  // The wizard, paid by card.
  await page.goto('/mypage/registrations/new');
  await expect(page.getByTestId('wizard-price')).toBeVisible();
  await page.getByTestId('fqdn-input').fill(fqdn);
  const nextButton = page.getByTestId('wizard-next');
  await nextButton.click();
  await expect(page.getByTestId('wizard-title')).toHaveText('購入商品を選択');
  // Finished screens are marked done, with a check that says so.
  await expect(page.getByTestId('wizard-progress-1')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('wizard-progress-1').getByRole('img', { name: '完了' })).toBeVisible();
  await expect(page.getByTestId('wizard-progress-2')).toHaveAttribute('data-state', 'current');
  // The screen's title is shown once as a heading.
  await expect(page.getByRole('heading', { name: '購入商品を選択' })).toHaveCount(1);
  await nextButton.click();
  await expect(nextButton).toHaveText('お支払い方法の選択');
  await nextButton.click();
  await page.getByTestId('payment-card').check();
  await page.getByTestId('agree-terms').check();
  await page.getByTestId('agree-tokutei').check();
  await nextButton.click();
  await nextButton.click();
  await expect(page.getByTestId('invoice-number')).toHaveText(/^BILL\d+$/);
  // The card form says what it wants.
  const form = page.getByTestId('card-pay-form');
  await expect(form.getByTestId('card-exp-month')).toHaveAttribute('placeholder', 'MM');
  await expect(form.getByTestId('card-exp-year')).toHaveAttribute('placeholder', 'YYYY');
  await expect(form.getByTestId('card-exp-month')).toHaveAttribute('autocomplete', 'cc-exp-month');
  await expect(form.getByTestId('card-number')).toHaveAttribute('inputmode', 'numeric');
  await payByCard(page, CARD_OK);
  await expect(page.getByTestId('wizard-paid')).toBeVisible();

  const commands = page.getByTestId('issue-commands');
  await expect(commands).toHaveAttribute('data-fqdn', fqdn);
  const line = page.getByTestId('issue-command');
  const flags: Record<string, Record<string, string>> = {
    certbot: { 'http-01': '--webroot -w /var/www/html', 'dns-01': '--manual --preferred-challenges dns' },
    lego: { 'http-01': '--http --http.webroot /var/www/html', 'dns-01': '--dns manual' },
    'acme-sh': { 'http-01': '-w /var/www/html', 'dns-01': '--dns --yes-I-know-dns-manual-mode-enough-go-ahead-please' },
  };
  const program: Record<string, string> = { certbot: 'certbot', lego: 'lego', 'acme-sh': 'acme.sh' };
  for (const client of ['certbot', 'lego', 'acme-sh']) {
    await page.getByTestId(`issue-client-${client}`).check();
    for (const challenge of ['http-01', 'dns-01']) {
      await page.getByTestId(`issue-challenge-${challenge}`).check();
      await expect(line).toContainText(flags[client][challenge]);
      const text = (await line.textContent()) ?? '';
      expect(text.startsWith(program[client]), text).toBe(true);
      expect(text).toContain(fqdn);
      expect(text).toContain(app.directory_url);
      expect(text).toContain(app.eab.key_id);
      expect(text).toContain('"$EAB_HMAC_KEY"');
    }
  }
  await expect(page.getByTestId('issue-hmac-copy')).toBeVisible();

  // The registration is listed as paid with no certificate yet, in a neutral badge.
  await page.getByTestId('wizard-registrations-link').click();
  const row = page.locator(`[data-testid="registration-row"][data-fqdn="${fqdn}"]`);
  await expect(row.getByTestId('registration-state')).toHaveText('支払済・証明書未発行');
  await expect(row.getByTestId('registration-state')).toHaveClass(/badge-pending/);
  await expect(row.getByTestId('registration-state')).not.toHaveClass(/badge-ok/);

  // My Page's next action is the command for that name.
  await page.goto('/mypage');
  await expect(page.getByTestId('next-action')).toHaveAttribute('data-action', 'issue');
  await expect(page.getByTestId('issue-commands')).toHaveAttribute('data-fqdn', fqdn);

  // A wildcard paid on the invoices page: dns-01 only, the name quoted for the shell.
  const base = `ux-wild-${Date.now().toString(36)}.example.jp`;
  const res = await page.request.post('/api/v1/registrations', {
    data: { fqdn: `*.${base}`, type: 'dv_wildcard', period_years: 1, payment_method: 'card', agree_terms: true },
    headers: await csrf(page),
  });
  expect(res.status(), await res.text()).toBe(201);
  const number = ((await res.json()) as { invoice: { number: string } }).invoice.number;
  await page.goto('/mypage/invoices');
  await page.locator(`[data-testid="invoice-row"][data-number="${number}"]`).getByTestId('invoice-pay').click();
  await payByCard(page, CARD_OK);
  await expect(page.getByTestId('invoice-paid')).toContainText(number);
  await expect(commands).toHaveAttribute('data-fqdn', `*.${base}`);
  await expect(page.getByTestId('issue-challenge-http-01')).toHaveCount(0);
  await expect(page.getByTestId('issue-wildcard-note')).toBeVisible();
  for (const client of ['certbot', 'lego', 'acme-sh']) {
    await page.getByTestId(`issue-client-${client}`).check();
    await expect(line).toContainText(`'*.${base}'`);
    await expect(line).toContainText(flags[client]['dns-01']);
  }
});

test('a bank transfer shows where to pay, as a pending notice, on My Page and the invoices page', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'ux-bank');
  await logIn(page, customer);
  await applyForAcme(page);
  const inv = await register(page, `ux-bank-${Date.now().toString(36)}.example.jp`, 'bank_transfer');
  await page.goto('/mypage');
  await expect(page.getByTestId('next-action')).toHaveAttribute('data-action', 'await-transfer');
  const details = page.getByTestId('next-action').getByTestId('bank-transfer');
  await expect(details).toBeVisible();
  await expect(details).not.toHaveClass(/notice-success/);
  await expect(details.getByTestId('bank-invoice-number')).toHaveText(inv.number);
  await expect(details.getByTestId('bank-account').or(details.getByTestId('bank-account-missing'))).toBeVisible();
  await page.goto('/mypage/invoices');
  await expect(page.locator(`[data-testid="bank-transfer"][data-number="${inv.number}"]`)).toBeVisible();
});

test('at 390 px: the header is one row with a menu button, and no domain name wraps on My Page, the wizard or the registration list', async ({
  page,
  request,
  server,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const customer = await verifiedCustomer(request, server, 'ux-narrow');
  await logIn(page, customer);
  await applyForAcme(page);
  const idn = uniqueIdn();
  const long = `ux-${Date.now().toString(36)}-a-rather-long-hyphenated-name.example.jp`;
  const paid = await register(page, long, 'card');
  await page.goto('/mypage/invoices');
  await page.locator(`[data-testid="invoice-row"][data-number="${paid.number}"]`).getByTestId('invoice-pay').click();
  await payByCard(page, CARD_OK);
  await expect(page.getByTestId('invoice-paid')).toBeVisible();
  await register(page, idn, 'card');

  // The header: one row, the nav behind an accessible menu button.
  await page.goto('/mypage');
  const header = page.locator('.site-header .header-inner');
  expect((await header.boundingBox())!.height).toBeLessThan(64);
  const toggle = page.getByTestId('menu-toggle');
  await expect(toggle).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('nav-invoices')).toBeHidden();
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('nav-invoices')).toBeVisible();
  expect((await header.boundingBox())!.height).toBeLessThan(64);
  await page.getByTestId('nav-invoices').focus();
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();

  // My Page: the next action names the unpaid IDN invoice's name.
  await expect(page.getByTestId('next-action')).toHaveAttribute('data-action', 'pay-card');
  await expect(page.getByTestId('next-action-fqdn')).toBeVisible();
  await expectDomainsOnOneLine(page, 1);

  // The registration list.
  await page.goto('/mypage/registrations');
  await expect(page.locator(`[data-testid="registration-row"][data-fqdn="${long}"]`)).toBeVisible();
  await expect(page.getByTestId('registration-fqdn-unicode').first()).toBeVisible();
  await expectDomainsOnOneLine(page, 6);

  // The wizard's live preview.
  await page.goto('/mypage/registrations/new');
  await page.getByTestId('fqdn-input').fill(`www.${idn}`);
  await expect(page.getByTestId('fqdn-ascii')).toContainText('xn--');
  await expectDomainsOnOneLine(page, 3);
  await page.getByTestId('fqdn-input').fill(long);
  await expect(page.getByTestId('fqdn-ascii')).toHaveText(long);
  await expectDomainsOnOneLine(page, 3);
});

test('after logging in the focus is on the page title', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'ux-focus');
  await logIn(page, customer);
  await expect
    .poll(() => page.evaluate(() => `${document.activeElement?.tagName}:${document.activeElement?.textContent}`))
    .toBe('H1:マイページ');
  // And after a route change.
  await page.getByTestId('nav-invoices').click();
  await expect(page).toHaveURL(/\/mypage\/invoices$/);
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
});

test('an operator lands on the operator console and My Page offers no customer steps', async ({ page, server }) => {
  const staff = await operator(server, 'ux-operator');
  await page.goto('/login');
  await page.getByTestId('login-email').fill(staff.email);
  await page.getByTestId('login-password').fill(staff.password);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/operator$/);
  await expect(page.getByTestId('operator-search')).toBeVisible();
  await page.goto('/mypage');
  await expect(page.getByTestId('mypage-operator')).toBeVisible();
  await expect(page.getByTestId('next-action')).toHaveCount(0);
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.getByTestId('mypage-acme-link')).toHaveCount(0);
  await expect(page.getByTestId('mypage-operator-link')).toHaveAttribute('href', '/operator');
});

test('the sign-up consent links the terms and the privacy policy', async ({ page }) => {
  await page.goto('/signup');
  await expect(page.getByTestId('signup-terms-link')).toHaveAttribute('href', '/terms');
  await expect(page.getByTestId('signup-privacy-link')).toHaveAttribute('href', '/privacy');
  await page.goto('/privacy');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('個人情報の取り扱い');
  await expect(page.getByTestId('privacy-page')).toContainText('カード番号');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Privacy policy');
});

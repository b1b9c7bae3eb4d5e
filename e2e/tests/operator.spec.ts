import { test, expect, verifiedCustomer, logIn, operator, watchConsole } from './fixtures';
import { waitForMails } from './outbox';

const EAB_SUBJECT = '【CertDirect】EAB(認証情報)発行のお知らせ';

test('an operator re-issues EAB credentials in the console; the customer sees the new key id (R-EAB-2)', async ({
  page,
  browser,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'reissue');
  const bystander = await verifiedCustomer(request, server, 'reissue-none');
  await logIn(page, customer);
  await expect(page.getByTestId('nav-operator')).toHaveCount(0);
  await page.getByTestId('nav-acme').click();
  await page.getByTestId('acme-apply-submit').click();
  const oldKid = (await page.getByTestId('eab-kid').textContent())?.trim() ?? '';
  expect(oldKid).not.toBe('');

  // Customers cannot use the console.
  await page.goto('/operator/customers');
  await expect(page.getByTestId('operator-only')).toBeVisible();

  const staff = await operator(server, 'operator');
  const opContext = await browser.newContext({ baseURL: server.url, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const opPage = await opContext.newPage();
  const opProblems = watchConsole(opPage);
  await logIn(opPage, staff);
  // Operators land on the console; its menu entry leads to the same customer list.
  await opPage.getByTestId('nav-operator').click();
  await expect(opPage).toHaveURL(/\/operator$/);

  // A customer who never applied has nothing to re-issue.
  await opPage.getByTestId('operator-search').fill(bystander.email);
  await opPage.getByTestId('operator-search-submit').click();
  const bystanderRow = opPage.getByTestId('operator-customer-row');
  await expect(bystanderRow).toHaveCount(1);
  await expect(bystanderRow).toHaveAttribute('data-customer-id', bystander.id);
  await expect(bystanderRow.getByTestId('operator-acme-state')).toHaveAttribute('data-state', 'none');
  await expect(bystanderRow.getByTestId('operator-eab-reissue')).toHaveCount(0);

  await opPage.getByTestId('operator-search').fill(customer.id);
  await opPage.getByTestId('operator-search-submit').click();
  const row = opPage.locator(`[data-testid="operator-customer-row"][data-customer-id="${customer.id}"]`);
  await expect(row).toContainText(customer.email);
  await expect(row.getByTestId('operator-acme-state')).toHaveAttribute('data-state', 'applied');

  // A confirmation step: cancelling changes nothing.
  await row.getByTestId('operator-eab-reissue').click();
  await expect(opPage.getByTestId('operator-eab-confirm')).toContainText(customer.id);
  await expect(opPage.getByTestId('operator-eab-reissue-confirm')).toBeFocused();
  await opPage.getByTestId('operator-eab-reissue-cancel').click();
  await expect(opPage.getByTestId('operator-eab-confirm')).toHaveCount(0);
  await expect(opPage.getByTestId('operator-eab-result')).toHaveCount(0);

  await row.getByTestId('operator-eab-reissue').click();
  await opPage.getByTestId('operator-eab-reissue-confirm').click();
  const result = opPage.getByTestId('operator-eab-result');
  await expect(result).toContainText(customer.id);
  const newKid = (await opPage.getByTestId('operator-eab-kid').textContent())?.trim() ?? '';
  expect(newKid).not.toBe('');
  expect(newKid).not.toBe(oldKid);
  await expect(opPage.getByTestId('operator-eab-hmac')).toHaveText(/^[A-Za-z0-9_-]{43,}$/);
  await expect(opPage.getByTestId('operator-eab-expires')).not.toBeEmpty();
  // Switching the language keeps the result and the search on screen.
  await opPage.getByTestId('lang-switch').click();
  await expect(result).toContainText(`New EAB credentials have been issued to ${customer.id}`);
  await expect(opPage.getByTestId('operator-eab-kid')).toHaveText(newKid);
  await expect(row.getByTestId('operator-acme-state')).toHaveText('Applied');
  await opContext.close();
  expect(opProblems, 'errors in the operator\'s browser console').toEqual([]);

  // The customer's page shows the new credentials, and an email announced them.
  await page.goto('/mypage/acme');
  await expect(page.getByTestId('eab-kid')).toHaveText(newKid);
  const mails = await waitForMails(server.dataDir, customer.email, EAB_SUBJECT, 2);
  expect(mails[mails.length - 1].text).toContain(newKid);
});

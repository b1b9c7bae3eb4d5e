import { test, expect, verifiedCustomer, logIn } from './fixtures';

test('API tokens are created with scopes, shown once, listed and revoked (R-CUS-3)', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'tokens');
  await logIn(page, customer);
  await page.getByTestId('mypage-tokens-link').click();
  await expect(page).toHaveURL(/\/mypage\/tokens$/);
  await expect(page.getByTestId('token-empty')).toBeVisible();

  await page.getByTestId('token-name').fill('renewal server');
  await page.getByTestId('token-scope-write').check();
  await page.getByTestId('token-create').click();
  const secret = (await page.getByTestId('token-value').textContent())?.trim() ?? '';
  expect(secret.length).toBeGreaterThan(20);

  // The token works as a bearer token for the REST API.
  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);

  const rows = page.getByTestId('token-list').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('renewal server');
  await expect(rows.first()).toContainText('read, write');
  await expect(rows.first()).not.toContainText(secret);

  // Shown once: gone after a reload.
  await page.reload();
  await expect(page.getByTestId('token-value')).toHaveCount(0);
  await expect(rows).toHaveCount(1);

  page.once('dialog', (dialog) => dialog.accept());
  await rows.first().getByRole('button').click();
  await expect(page.getByTestId('token-revoked')).toBeVisible();
  await expect(page.getByTestId('token-empty')).toBeVisible();
  const after = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

test('My Page sends a visitor who is not logged in to the login page, and back after', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'redirect');
  await page.goto('/mypage/tokens');
  await expect(page).toHaveURL(/\/login\?next=\/mypage\/tokens$/);
  await page.getByTestId('login-email').fill(customer.email);
  await page.getByTestId('login-password').fill(customer.password);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/mypage\/tokens$/);
});

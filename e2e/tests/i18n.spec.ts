import { test, expect, verifiedCustomer, logIn } from './fixtures';

test('the language switch shows English and the choice survives a reload', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.getByTestId('home-title')).toHaveText('ACME対応のDVサーバー証明書を、もっと手軽に。');

  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('home-title')).toHaveText('ACME-ready DV certificates, made simple.');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('home-signup')).toHaveText('Sign up (free)');
  await expect(page.getByTestId('lang-switch')).toContainText('日本語');

  await page.reload();
  await expect(page.getByTestId('home-title')).toHaveText('ACME-ready DV certificates, made simple.');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('home-title')).toHaveText('ACME対応のDVサーバー証明書を、もっと手軽に。');
});

test('switching the language when logged in saves it to the account (PATCH /me with the CSRF token)', async ({
  page,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'locale');
  await logIn(page, customer);

  const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith('/api/v1/me'));
  const answer = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/me'));
  await page.getByTestId('lang-switch').click();
  const sent = await patch;
  expect(sent.postDataJSON()).toEqual({ locale: 'en' });
  const csrf = (await page.context().cookies()).find((c) => c.name === 'csrf_token');
  expect(sent.headers()['x-csrf-token']).toBe(csrf?.value);
  expect((await answer).status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My Page');

  const me = await page.request.get('/api/v1/me');
  expect(((await me.json()) as { locale: string }).locale).toBe('en');
});

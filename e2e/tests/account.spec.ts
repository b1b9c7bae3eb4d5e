import { test, expect, uniqueEmail, verifiedCustomer, logIn } from './fixtures';
import { waitForLink } from './outbox';

test('sign up, confirm the email, log in, and see the customer ID on My Page', async ({ page, server, context }) => {
  const email = uniqueEmail('journey');
  const password = 'correct horse battery staple';

  await page.goto('/');
  await page.getByTestId('home-signup').click();
  await expect(page).toHaveURL(/\/signup$/);
  await page.getByTestId('signup-name').fill('山田 太郎');
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill(password);
  await page.getByTestId('signup-billing-email').fill(`billing-${email}`);
  await page.getByTestId('signup-submit').click();
  await expect(page.getByTestId('signup-done')).toContainText(email);

  const link = await waitForLink(server.dataDir, email, '/verify-email');
  expect(new URL(link).origin).toBe(server.url);
  await page.goto(link);
  await expect(page.getByTestId('verify-ok')).toBeVisible();

  await page.getByTestId('verify-login').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();

  await expect(page).toHaveURL(/\/mypage$/);
  await expect(page.getByTestId('customer-id')).toHaveText(/^C\d{8}$/);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(page.getByTestId('account-billing-email')).toHaveText(`billing-${email}`);
  // STEP 1 is done; STEP 5–7 wait for the ACME application.
  await expect(page.getByTestId('step-1')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('step-7')).toHaveAttribute('data-state', 'locked');

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'certdirect_session');
  expect(session, 'the session cookie').toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(['Strict', 'Lax']).toContain(session!.sameSite);
  const csrf = cookies.find((c) => c.name === 'csrf_token');
  expect(csrf, 'the CSRF cookie').toBeDefined();
  expect(csrf!.httpOnly).toBe(false);

  // The session survives a reload; logging out ends it and My Page sends us to log in.
  await page.reload();
  await expect(page.getByTestId('customer-id')).toHaveText(/^C\d{8}$/);
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('nav-login')).toBeVisible();
  await page.goto('/mypage');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password shows the error message on the login page', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'wrongpw');
  await page.goto('/login');
  await page.getByTestId('login-email').fill(customer.email);
  await page.getByTestId('login-password').fill('not the right password');
  await page.getByTestId('login-submit').click();

  const error = page.getByTestId('login-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('メールアドレスまたはパスワードが正しくありません');
  await expect(page).toHaveURL(/\/login$/);

  // The right password still works afterwards.
  await logIn(page, customer);
});

test('an unconfirmed email address is told to confirm it first', async ({ page, request }) => {
  const email = uniqueEmail('unverified');
  const password = 'correct horse battery staple';
  const signup = await request.post('/api/v1/auth/signup', {
    data: { name: 'Unverified', email, password, billing_email: email },
  });
  expect(signup.status()).toBe(201);

  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toContainText('メールアドレスの確認が完了していません');
});

test('a forgotten password is reset with the emailed link', async ({ page, request, server }) => {
  const customer = await verifiedCustomer(request, server, 'reset');
  await page.goto('/login');
  await page.getByTestId('login-forgot').click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByTestId('forgot-email').fill(customer.email);
  await page.getByTestId('forgot-submit').click();
  await expect(page.getByTestId('forgot-done')).toBeVisible();

  const link = await waitForLink(server.dataDir, customer.email, '/reset-password');
  await page.goto(link);
  const fresh = 'a brand new passphrase';
  await page.getByTestId('reset-password').fill(fresh);
  await page.getByTestId('reset-password-confirm').fill('something else entirely');
  await page.getByTestId('reset-submit').click();
  await expect(page.getByTestId('reset-password-confirm-error')).toBeVisible();
  await page.getByTestId('reset-password-confirm').fill(fresh);
  await page.getByTestId('reset-submit').click();
  await expect(page.getByTestId('reset-done')).toBeVisible();

  // The link works once.
  const again = await request.post('/api/v1/auth/password-reset/confirm', {
    data: { token: new URL(link).searchParams.get('token'), password: 'yet another passphrase' },
  });
  expect(again.status()).toBeGreaterThanOrEqual(400);

  await logIn(page, { ...customer, password: fresh });
});

test('too many login attempts show when to try again', async ({ page }) => {
  // The server's limiter is per account and per address; rather than lock 127.0.0.1 out for
  // the tests that follow, answer this one request the way the limiter does.
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '300' },
      body: JSON.stringify({
        type: 'urn:certdirect:problem:rate-limited',
        title: 'Too many login attempts',
        status: 429,
        detail: 'try again later',
      }),
    }),
  );
  await page.goto('/login');
  await page.getByTestId('login-email').fill('someone@example.jp');
  await page.getByTestId('login-password').fill('whatever it is');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('ログインの試行回数が上限に達しました。5分後にもう一度お試しください。');
});

test('a broken or used verification link says so', async ({ page }) => {
  await page.goto('/verify-email?token=not-a-real-token');
  await expect(page.getByTestId('verify-error')).toContainText('リンクが無効か、有効期限が切れています');
  await page.goto('/verify-email');
  await expect(page.getByTestId('verify-error')).toContainText('確認用リンクが正しくありません');
});

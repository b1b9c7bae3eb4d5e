import { test, expect, uniqueEmail } from './fixtures';

test('sign-up field errors are shown next to their fields', async ({ page }) => {
  await page.goto('/signup');
  await page.getByTestId('signup-name').fill('山田 太郎');
  await page.getByTestId('signup-email').fill('not-an-email');
  await page.getByTestId('signup-password').fill('short');
  await page.getByTestId('signup-billing-email').fill(uniqueEmail('fields'));
  await page.getByTestId('signup-submit').click();

  const passwordField = page.locator('.field', { has: page.getByTestId('signup-password') });
  await expect(passwordField.getByTestId('signup-password-error')).toHaveText(/10文字以上/);
  await expect(page.getByTestId('signup-password')).toHaveAttribute('aria-invalid', 'true');
  const emailField = page.locator('.field', { has: page.getByTestId('signup-email') });
  await expect(emailField.getByTestId('signup-email-error')).toBeVisible();
  await expect(page.getByTestId('signup-name-error')).toHaveCount(0);
  await expect(page.getByTestId('signup-done')).toHaveCount(0);

  // Errors follow the input: fixing the password clears its message.
  await page.getByTestId('signup-password').fill('correct horse battery staple');
  await expect(page.getByTestId('signup-password-error')).toHaveCount(0);
  await expect(page.getByTestId('signup-email-error')).toBeVisible();

  // And the language: the message is English after the switch.
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('signup-email-error')).toHaveText('This is not a valid email address.');
});

test('the server refuses the same input with a problem document naming the field', async ({ request }) => {
  const res = await request.post('/api/v1/auth/signup', {
    data: { name: 'x', email: uniqueEmail('api'), password: 'short', billing_email: uniqueEmail('api') },
  });
  expect([400, 422]).toContain(res.status());
  expect(res.headers()['content-type']).toContain('application/problem+json');
  const problem = (await res.json()) as { errors: { field: string; code: string }[] };
  expect(problem.errors).toContainEqual(expect.objectContaining({ field: 'password', code: 'too_short' }));
});

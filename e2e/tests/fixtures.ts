/**
 * Test fixtures: one real server per worker (fresh data directory and SQLite database), the
 * base URL pointing at it, and a page that fails the test on browser errors (CSP violations,
 * Rust panics, uncaught exceptions).
 */
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { startServer, type RunningServer } from './server';
import { waitForLink } from './outbox';

type WorkerFixtures = { server: RunningServer; tlsServer: RunningServer };

/**
 * Collects what would make a page's test fail: CSP violations, Rust panics, uncaught
 * exceptions. Check the list at the end of the test (the `page` fixture does so by itself).
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium logs every non-2xx fetch ("Failed to load resource"): those are expected
    // answers (401 from GET /me when logged out, 401 for a wrong password, …).
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(msg.text());
    }
  });
  return problems;
}

export const test = base.extend<object, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer();
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  // An HTTPS server (self-signed localhost certificate) for real ACME clients; started only by
  // the tests that ask for it (they also set `baseURL` and `ignoreHTTPSErrors`).
  tlsServer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer({ tls: true });
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  page: async ({ page }, use) => {
    const problems = watchConsole(page);
    await use(page);
    expect(problems, 'errors in the browser console').toEqual([]);
  },
});

export { expect };

let counter = 0;

/** A unique address per call, so tests never collide on one server. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `e2e-${tag}-${Date.now().toString(36)}-${counter}@example.jp`;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  password: string;
  /** Set for operators, who land on the operator console (/operator) after logging in. */
  operator?: boolean;
}

/** Signs a customer up through the REST API and confirms the address with the emailed link. */
export async function verifiedCustomer(request: APIRequestContext, server: RunningServer, tag: string): Promise<Customer> {
  const customer = { name: `E2E ${tag}`, email: uniqueEmail(tag), password: 'correct horse battery staple' };
  const signup = await request.post('/api/v1/auth/signup', {
    data: { ...customer, billing_email: customer.email },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  const { id } = (await signup.json()) as { id: string };
  const link = await waitForLink(server.dataDir, customer.email, '/verify-email');
  const token = new URL(link).searchParams.get('token');
  const verify = await request.post('/api/v1/auth/verify', { data: { token } });
  expect(verify.status(), await verify.text()).toBe(200);
  return { id, ...customer };
}

/** Creates an operator with the server's command line (`certdirect operator create`). */
export async function operator(server: RunningServer, tag: string): Promise<Customer> {
  const email = uniqueEmail(tag);
  const password = 'operator passphrase 1234';
  const created = await server.cli(['operator', 'create', '--email', email, '--password', password]);
  expect(created.code, `${created.stdout}${created.stderr}`).toBe(0);
  const id = /C\d{8}/.exec(created.stdout)?.[0];
  expect(id, created.stdout).toBeDefined();
  return { id: id!, name: 'operator', email, password, operator: true };
}

/** Logs in through the portal's form and waits for My Page (operators: the operator console). */
export async function logIn(page: Page, customer: Customer): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(customer.email);
  await page.getByTestId('login-password').fill(customer.password);
  await page.getByTestId('login-submit').click();
  if (customer.operator) {
    await expect(page).toHaveURL(/\/operator$/);
    await expect(page.getByTestId('operator-search')).toBeVisible();
    return;
  }
  await expect(page).toHaveURL(/\/mypage$/);
  await expect(page.getByTestId('customer-id')).toHaveText(customer.id);
}

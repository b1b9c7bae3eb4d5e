/**
 * Signed webhooks in the portal (REST API issue, item 6): an endpoint on loopback is added on
 * /mypage/webhooks (allowed by CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE=1), its secret is shown once, a
 * test ping is answered 500, 500 and then 200, and the portal lists the three attempts. Every
 * request the receiver got carries a valid Standard Webhooks signature, checked here with
 * node:crypto. The retry unit is 1 s (CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS), so the attempts come
 * 1 s and 6 s apart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect, logIn, verifiedCustomer } from './fixtures';
import { startServer, type RunningServer } from './server';

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

interface Receiver {
  url: string;
  got: Received[];
  /** Statuses to answer, in order; 200 once they run out. */
  answers: number[];
  close: () => Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const got: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/certdirect`,
    got,
    answers,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** The receiver's side of the Standard Webhooks signature. */
function signatureIsValid(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(' ').some((entry) => {
    if (!entry.startsWith('v1,')) return false;
    const sig = Buffer.from(entry.slice(3), 'base64');
    return sig.length === expected.length && timingSafeEqual(sig, expected);
  });
}

const test = base.extend<{ receiver: Receiver }, { webhookServer: RunningServer }>({
  webhookServer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startServer({
        env: { CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE: '1', CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS: '1' },
      });
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  server: async ({ webhookServer }, use) => {
    await use(webhookServer);
  },
  baseURL: async ({ webhookServer }, use) => {
    await use(webhookServer.url);
  },
  // eslint-disable-next-line no-empty-pattern
  receiver: async ({}, use) => {
    const receiver = await startReceiver();
    await use(receiver);
    await receiver.close();
  },
});

test('a ping answered 500, 500, 200 is listed with its three attempts, each signed', async ({ page, request, server, receiver }) => {
  test.setTimeout(60_000);
  const customer = await verifiedCustomer(request, server, 'webhooks');
  await logIn(page, customer);
  await page.getByTestId('mypage-webhooks-link').click();
  await expect(page).toHaveURL(/\/mypage\/webhooks$/);
  await expect(page.getByTestId('webhook-empty')).toBeVisible();

  // Add the endpoint: every event is ticked by default; leave out the EAB reminder.
  await page.getByTestId('webhook-url').fill(receiver.url);
  await page.getByTestId('webhook-description').fill('e2e receiver');
  await page.getByTestId('webhook-event-eab.expiring').uncheck();
  await page.getByTestId('webhook-create').click();
  const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const endpoint = page.locator('article').filter({ has: page.getByTestId('webhook-endpoint-url') });
  await expect(endpoint).toHaveCount(1);
  await expect(endpoint).toContainText(receiver.url);
  await expect(endpoint).toContainText('certificate.issued');
  await expect(endpoint).not.toContainText('eab.expiring');

  // Shown once: gone after a reload, and never in the API's answers.
  await page.reload();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
  const listed = await request.get('/api/v1/webhooks');
  expect(await listed.text()).not.toContain(secret.slice(6));

  receiver.answers.push(500, 500);
  await page.getByRole('button', { name: 'テスト送信' }).click();
  const delivery = page.locator('[data-testid^="webhook-delivery-"]').first();
  await expect(delivery).toBeVisible();
  // The worker polls every second; the retries wait 1 s and 6 s.
  await expect(async () => {
    await page.getByRole('button', { name: '再読み込み' }).click();
    await expect(delivery.getByTestId('webhook-attempt')).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  const attempts = delivery.getByTestId('webhook-attempt');
  await expect(attempts.nth(0)).toHaveAttribute('data-status-code', '500');
  await expect(attempts.nth(1)).toHaveAttribute('data-status-code', '500');
  await expect(attempts.nth(2)).toHaveAttribute('data-status-code', '200');
  await expect(delivery.getByTestId('webhook-delivery-status')).toHaveAttribute('data-status', 'succeeded');
  await expect(delivery.getByTestId('webhook-delivery-status')).toHaveText('成功');

  expect(receiver.got).toHaveLength(3);
  for (const r of receiver.got) {
    expect(signatureIsValid(secret, r), JSON.stringify(r)).toBe(true);
    expect(r.id).toBe(receiver.got[0].id);
    expect(JSON.parse(r.body)).toMatchObject({ type: 'ping' });
  }
  expect(signatureIsValid('whsec_' + Buffer.alloc(32).toString('base64'), receiver.got[0])).toBe(false);

  // Re-send: a fourth request with the same webhook-id, listed as a fourth attempt.
  await delivery.getByRole('button', { name: '再送' }).click();
  await expect(async () => {
    await page.getByRole('button', { name: '再読み込み' }).click();
    await expect(delivery.getByTestId('webhook-attempt')).toHaveCount(4, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  expect(receiver.got).toHaveLength(4);
  expect(receiver.got[3].id).toBe(receiver.got[0].id);
});

test('without CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE a loopback or private endpoint is refused on the URL field (R-VAL-4)', async ({ page, playwright }) => {
  const guarded = await startServer();
  const api = await playwright.request.newContext({ baseURL: guarded.url });
  try {
    const customer = await verifiedCustomer(api, guarded, 'webhooks-guard');
    await page.goto(`${guarded.url}/login`);
    await page.getByTestId('login-email').fill(customer.email);
    await page.getByTestId('login-password').fill(customer.password);
    await page.getByTestId('login-submit').click();
    await expect(page).toHaveURL(/\/mypage$/);
    await page.goto(`${guarded.url}/mypage/webhooks`);
    for (const url of ['https://127.0.0.1:8443/hook', 'https://10.0.0.1/hook', 'https://192.168.1.20/hook']) {
      await page.getByTestId('webhook-url').fill(url);
      await page.getByTestId('webhook-create').click();
      const host = new URL(url).hostname;
      await expect(page.getByTestId('webhook-url-error')).toContainText(host);
      await expect(page.getByTestId('webhook-created')).toHaveCount(0);
    }
    await page.getByTestId('webhook-url').fill('http://203.0.113.10/hook');
    await page.getByTestId('webhook-create').click();
    await expect(page.getByTestId('webhook-url-error')).toHaveText(/https:\/\//);
    await expect(page.getByTestId('webhook-empty')).toBeVisible();
  } finally {
    await api.dispose();
    await guarded.stop();
  }
});

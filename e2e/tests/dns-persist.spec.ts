/**
 * The ACME page shows the dns-persist-01 records to publish once (R-VAL-10): for each ACME
 * account and usage FQDN, the exact `_validation-persist` TXT record, with `policy=wildcard` for a
 * wildcard registration.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { test, expect, verifiedCustomer, logIn } from './fixtures';
import { applyForAcme, csrf } from './billing-helpers';

let counter = 0;

/** A fresh name under .jp for each registration. */
function uniqueName(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}.jp`;
}

function b64u(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** newAccount with EAB over the raw protocol (RFC 8555 §7.3.4, ES256); the account URL. */
async function newAccount(request: APIRequestContext, base: string, kid: string, hmac: string): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { crv, kty, x, y };
  const directory = (await (await request.get(`${base}/acme/directory`)).json()) as { newNonce: string; newAccount: string };
  const nonce = (await request.head(directory.newNonce)).headers()['replay-nonce'];
  const url = directory.newAccount;
  const eabProtected = b64u(JSON.stringify({ alg: 'HS256', kid, url }));
  const eabPayload = b64u(JSON.stringify(jwk));
  const eabSignature = createHmac('sha256', Buffer.from(hmac, 'base64url')).update(`${eabProtected}.${eabPayload}`).digest();
  const payload = b64u(
    JSON.stringify({
      termsOfServiceAgreed: true,
      externalAccountBinding: { protected: eabProtected, payload: eabPayload, signature: b64u(eabSignature) },
    }),
  );
  const protectedHeader = b64u(JSON.stringify({ alg: 'ES256', jwk, nonce, url }));
  const signature = sign('sha256', Buffer.from(`${protectedHeader}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const res = await request.post(url, {
    data: JSON.stringify({ protected: protectedHeader, payload, signature: b64u(signature) }),
    headers: { 'content-type': 'application/jose+json' },
  });
  expect(res.status(), await res.text()).toBe(201);
  return res.headers()['location'];
}

test('the ACME page shows the exact dns-persist-01 record per ACME account and usage FQDN (R-VAL-10)', async ({
  page,
  context,
  request,
  server,
}) => {
  const customer = await verifiedCustomer(request, server, 'persist');
  await logIn(page, customer);
  await applyForAcme(page);
  const plain = uniqueName('persist');
  const wild = uniqueName('persist-wild');
  for (const [fqdn, type] of [
    [plain, 'dv'],
    [`*.${wild}`, 'dv_wildcard'],
  ]) {
    const res = await page.request.post('/api/v1/registrations', {
      data: { fqdn, type, period_years: 1, payment_method: 'bank_transfer', agree_terms: true },
      headers: await csrf(page),
    });
    expect(res.status(), await res.text()).toBe(201);
  }
  const app = (await (await page.request.get('/api/v1/acme-application')).json()) as {
    issuer_domain_names: string[];
    eab: { key_id: string; hmac_key: string };
  };
  const issuer = app.issuer_domain_names[0];
  expect(issuer).toBeTruthy();

  // Before any ACME account there is nothing to publish.
  await page.goto('/mypage/acme');
  await expect(page.getByTestId('persist-records')).toContainText('dns-persist-01 用のTXTレコード');
  await expect(page.getByTestId('persist-records-empty')).toBeVisible();

  const account = await newAccount(request, server.url, app.eab.key_id, app.eab.hmac_key);
  const id = account.split('/').pop() ?? '';
  await page.reload();
  const block = page.getByTestId('persist-account');
  await expect(block).toHaveCount(1);
  await expect(block).toHaveAttribute('data-account-id', id);
  await expect(block).toContainText(account);

  // A DV registration: one record per covered name, without policy=wildcard.
  const dv = block.locator(`[data-testid="persist-registration"][data-fqdn="${plain}"]`);
  await expect(dv.getByTestId('persist-record')).toHaveText([
    `_validation-persist.${plain}. IN TXT "${issuer}; accounturi=${account}"`,
    `_validation-persist.www.${plain}. IN TXT "${issuer}; accounturi=${account}"`,
  ]);
  // A wildcard registration: one record with policy=wildcard for *.name and name.
  const wildcard = block.locator(`[data-testid="persist-registration"][data-fqdn="*.${wild}"]`);
  const line = `_validation-persist.${wild}. IN TXT "${issuer}; accounturi=${account}; policy=wildcard"`;
  await expect(wildcard.getByTestId('persist-record')).toHaveText([line]);
  await expect(wildcard.getByTestId('persist-record')).toHaveAttribute('data-wildcard', 'true');
  await expect(wildcard).toContainText(`*.${wild}, ${wild}`);

  // The copy button copies the line as shown.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await wildcard.getByTestId('persist-record-copy').click();
  await expect(wildcard.getByTestId('persist-record-copy')).toHaveText('コピーしました');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(line);

  // In English too.
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('persist-records')).toContainText('TXT records for dns-persist-01');
  await expect(wildcard).toContainText(`Validates: *.${wild}, ${wild}`);
});

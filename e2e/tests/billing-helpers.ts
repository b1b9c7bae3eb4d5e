/**
 * Helpers for the usage FQDN registration and payment specs (STEP 5–11): the ACME usage
 * application and registrations through the REST API with the portal's session, dates the way
 * the portal and the emails show them, and the two billing emails' subjects.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** SPEC.md §2 item 10: the application is accepted and invoiced (to the billing address). */
export const INVOICE_SUBJECT = '【CertDirect】サーバー証明書(ACME)利用FQDN情報登録申請受理及びご請求のご連絡';
/** SPEC.md §2 item 11: payment confirmed, registration complete. */
export const COMPLETED_SUBJECT = '【CertDirect】サーバー証明書(ACME)利用FQDN情報登録完了のご連絡';

export const CARD_OK = '4242424242424242';
export const CARD_DECLINED = '4000000000000002';

function jstParts(rfc3339: string) {
  const d = new Date(Date.parse(rfc3339) + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: p(d.getUTCHours()), mm: p(d.getUTCMinutes()), p };
}

/** `2026/11/24 14:06`: how the Japanese portal shows a time (Japan time). */
export function portalJst(rfc3339: string): string {
  const t = jstParts(rfc3339);
  return `${t.y}/${t.p(t.m)}/${t.p(t.d)} ${t.hh}:${t.mm}`;
}

/** `2026年12月8日 23:59(日本時間)`: how the Japanese emails show a time. */
export function mailJst(rfc3339: string): string {
  const t = jstParts(rfc3339);
  return `${t.y}年${t.m}月${t.d}日 ${t.hh}:${t.mm}(日本時間)`;
}

/** The CSRF header for cookie-authenticated writes made with `page.request`. */
export async function csrf(page: Page): Promise<Record<string, string>> {
  const token = (await page.context().cookies()).find((c) => c.name === 'csrf_token')?.value ?? '';
  expect(token).not.toBe('');
  return { 'X-CSRF-Token': token };
}

/** STEP 2 through the REST API, with the logged-in portal session. */
export async function applyForAcme(page: Page): Promise<void> {
  const res = await page.request.post('/api/v1/acme-application', { data: { agree_terms: true }, headers: await csrf(page) });
  expect(res.status(), await res.text()).toBe(201);
}

export interface InvoiceJson {
  number: string;
  status: string;
  amount_incl_tax: number;
  due_at: string;
  payment_method: string;
}

export interface RegistrationJson {
  id: number;
  fqdn: string;
  state: string;
  deadline: string | null;
  invoice_number: string | null;
}

/** STEP 5–9 in one REST call; returns the invoice. */
export async function register(page: Page, fqdn: string, paymentMethod: 'card' | 'bank_transfer'): Promise<InvoiceJson> {
  const res = await page.request.post('/api/v1/registrations', {
    data: { fqdn, type: 'dv', period_years: 1, payment_method: paymentMethod, agree_terms: true },
    headers: await csrf(page),
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { invoice: InvoiceJson }).invoice;
}

export async function invoice(page: Page, number: string): Promise<InvoiceJson> {
  const res = await page.request.get(`/api/v1/invoices/${number}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as InvoiceJson;
}

export async function registrationOf(page: Page, fqdn: string): Promise<RegistrationJson> {
  const res = await page.request.get('/api/v1/registrations');
  expect(res.status()).toBe(200);
  const found = ((await res.json()) as RegistrationJson[]).find((r) => r.fqdn === fqdn);
  expect(found, `registration of ${fqdn}`).toBeDefined();
  return found!;
}

/** Fills the card form (`card-pay-form`) and submits it. */
export async function payByCard(page: Page, cardNumber: string): Promise<void> {
  const form = page.getByTestId('card-pay-form');
  await form.getByTestId('card-number').fill(cardNumber);
  await form.getByTestId('card-exp-month').fill('12');
  await form.getByTestId('card-exp-year').fill(String(new Date().getUTCFullYear() + 3));
  await form.getByTestId('card-cvc').fill('123');
  await form.getByTestId('card-pay-submit').click();
}

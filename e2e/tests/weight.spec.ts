/**
 * The portal's weight (issue 12; docs/performance.md, "Portal weight").
 *
 * 1. A cold load of `/`, and one of `/login` (the pages a visitor arrives at; fresh browser
 *    context, HTTP cache disabled) measures what the browser really transferred for the wasm: the
 *    Chrome DevTools Protocol's `Network.loadingFinished` `encodedDataLength`, i.e. the compressed
 *    body plus the response headers, whatever encoding the server chose. It FAILS when the wasm
 *    of that first page is over the budget, 300 KiB (issue 12), and checks the encoding: brotli
 *    when the request offered `br`, else gzip. It reports every response's transferred bytes and
 *    the total. The other pages are lazily loaded routes (`wasm-split` chunks, frontend/src/app.rs):
 *    a first page fetches only the main module.
 * 1b. A cold load of `/terms`, a lazily loaded page: its chunks arrive compressed too, and the
 *    page renders without a console error. When its chunk cannot be fetched, the page says so
 *    and offers a reload instead of stopping the app.
 * 2. A second cold load under the DevTools "Fast 3G" profile (562.5 ms latency, 1.6 Mbit/s down
 *    × 0.9 = 180,000 B/s, 750 kbit/s up × 0.9 = 84,375 B/s) RECORDS first contentful paint
 *    (the `paint` performance entry), when the wasm finished arriving (resource timing), and
 *    when the app is interactive (the language switch, which the mounted app renders, is
 *    visible). It does not fail on these times: a benchmark on a shared machine is no timed test.
 *    They go to the report (test annotations) and the console.
 */
import type { Browser, CDPSession, Page } from '@playwright/test';
import { test, expect, watchConsole } from './fixtures';

/** The goal of issue 12: 300 KiB on the wire. Reported beside the budget. */
const WASM_GOAL_BYTES = 300 * 1024;
/** The budget this test holds for the wasm of a first page: the goal (see the header). */
const WASM_BUDGET_BYTES = 300 * 1024;

/** Chrome DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts). */
const FAST_3G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};

interface Transfer {
  url: string;
  status: number;
  mimeType: string;
  /** Content-Encoding of the response ('' for none). */
  encoding: string;
  /** Accept-Encoding the browser sent. */
  accepted: string;
  /** Bytes on the wire: body as sent plus response headers (loadingFinished.encodedDataLength). */
  transferred: number;
}

/** Follows every request of a page through CDP until `finish()`. */
async function recordTransfers(cdp: CDPSession): Promise<() => Transfer[]> {
  const byId = new Map<string, Partial<Transfer>>();
  const done: Transfer[] = [];
  const entry = (id: string) => {
    let e = byId.get(id);
    if (!e) {
      e = {};
      byId.set(id, e);
    }
    return e;
  };
  const header = (headers: Record<string, string>, name: string) =>
    Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  cdp.on('Network.requestWillBeSent', (ev) => {
    const e = entry(ev.requestId);
    e.url = ev.request.url;
    e.accepted ||= header(ev.request.headers, 'accept-encoding');
  });
  // The headers as sent on the wire (Accept-Encoding is added by the network stack).
  cdp.on('Network.requestWillBeSentExtraInfo', (ev) => {
    const accepted = header(ev.headers, 'accept-encoding');
    if (accepted) entry(ev.requestId).accepted = accepted;
  });
  cdp.on('Network.responseReceived', (ev) => {
    const e = entry(ev.requestId);
    e.url = ev.response.url;
    e.status = ev.response.status;
    e.mimeType = ev.response.mimeType;
    e.encoding = header(ev.response.headers, 'content-encoding');
  });
  cdp.on('Network.loadingFinished', (ev) => {
    const e = entry(ev.requestId);
    e.transferred = ev.encodedDataLength;
    done.push({
      url: e.url ?? '?',
      status: e.status ?? 0,
      mimeType: e.mimeType ?? '',
      encoding: e.encoding ?? '',
      accepted: e.accepted ?? '',
      transferred: ev.encodedDataLength,
    });
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return () => done;
}

/** A fresh context (no cache, no cookies) with a page and a CDP session on it. */
async function coldPage(browser: Browser, baseURL: string): Promise<{ page: Page; cdp: CDPSession; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  return { page, cdp, close: () => context.close() };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const path = (url: string) => new URL(url).pathname;

/** Milliseconds since navigation start when the first contentful paint happened. */
function firstContentfulPaint(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const seen = performance.getEntriesByName('first-contentful-paint')[0];
        if (seen) return resolve(seen.startTime);
        new PerformanceObserver((list) => {
          const fcp = list.getEntriesByName('first-contentful-paint')[0];
          if (fcp) resolve(fcp.startTime);
        }).observe({ type: 'paint', buffered: true });
      }),
  );
}

test.describe('portal weight', () => {
  for (const first of ['/', '/login']) {
    test(`a cold load of ${first} transfers only the main wasm, compressed and within budget`, async ({ browser, server }) => {
      const { page, cdp, close } = await coldPage(browser, server.url);
      const problems = watchConsole(page);
      const transfers = await recordTransfers(cdp);
      await page.goto(first);
      await expect(page.getByTestId('lang-switch')).toBeVisible({ timeout: 30_000 });
      await expect(page.locator('main h1')).toBeVisible();
      await page.waitForLoadState('networkidle');
      const all = transfers();

      const wasm = all.filter((t) => path(t.url).endsWith('.wasm'));
      expect(
        wasm.map((t) => path(t.url)),
        'exactly one wasm download, the main module (the preload is reused by the boot module; no lazily loaded chunk)',
      ).toHaveLength(1);
      const [w] = wasm;
      expect(path(w.url)).toMatch(/\/certdirect_bg\.wasm$/);
      const total = all.reduce((sum, t) => sum + t.transferred, 0);
      const lines = all
        .slice()
        .sort((a, b) => b.transferred - a.transferred)
        .map((t) => `  ${kib(t.transferred).padStart(10)}  ${(t.encoding || '-').padEnd(4)}  ${t.status} ${path(t.url)}`);
      console.log(`cold load of ${first} (cache disabled): ${all.length} responses, ${kib(total)} transferred\n${lines.join('\n')}`);
      const notes = test.info().annotations;
      notes.push({ type: 'wasm transferred', description: `${w.transferred} bytes (${kib(w.transferred)}, ${w.encoding || 'identity'}; budget ${WASM_BUDGET_BYTES}, goal ${WASM_GOAL_BYTES})` });
      notes.push({ type: 'total transferred', description: `${total} bytes (${kib(total)}) in ${all.length} responses` });
      notes.push({ type: 'accept-encoding', description: w.accepted });

      expect(w.status).toBe(200);
      expect(w.mimeType).toBe('application/wasm');
      const offersBr = w.accepted.split(',').some((e) => e.trim().split(';')[0] === 'br');
      expect(w.encoding, `Accept-Encoding: ${w.accepted}`).toBe(offersBr ? 'br' : 'gzip');
      expect(w.transferred, `wasm transferred bytes (budget ${WASM_BUDGET_BYTES})`).toBeLessThanOrEqual(WASM_BUDGET_BYTES);
      // Every compressible asset goes out compressed.
      for (const t of all.filter((t) => /\/assets\/.+\.(js|css|wasm|svg)$/.test(path(t.url)))) {
        expect(t.encoding, path(t.url)).not.toBe('');
      }
      expect(problems, 'errors in the browser console').toEqual([]);
      await close();
    });
  }

  test('a lazily loaded page fetches its chunks compressed and renders', async ({ browser, server }) => {
    const { page, cdp, close } = await coldPage(browser, server.url);
    const problems = watchConsole(page);
    const transfers = await recordTransfers(cdp);
    await page.goto('/terms');
    await expect(page.getByTestId('terms-page')).toBeVisible({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const wasm = transfers().filter((t) => path(t.url).endsWith('.wasm'));
    const chunks = wasm.filter((t) => !path(t.url).endsWith('/certdirect_bg.wasm'));
    const sum = chunks.reduce((s, t) => s + t.transferred, 0);
    console.log(`cold load of /terms: main wasm plus ${chunks.length} chunks (${kib(sum)}): ${chunks.map((t) => path(t.url).split('/').pop()).join(', ')}`);
    test.info().annotations.push({ type: 'lazily loaded for /terms', description: `${chunks.length} chunks, ${sum} bytes (${kib(sum)})` });
    expect(chunks.length, 'the page comes in chunks of its own').toBeGreaterThan(0);
    for (const t of wasm) {
      expect(t.status, path(t.url)).toBe(200);
      expect(t.mimeType, path(t.url)).toBe('application/wasm');
      expect(t.encoding, path(t.url)).not.toBe('');
    }
    expect(problems, 'errors in the browser console').toEqual([]);
    await close();
  });

  test('a chunk that cannot be fetched shows a reload notice, and reloading loads the page', async ({ browser, server }) => {
    const { page, close } = await coldPage(browser, server.url);
    // As after a deployment that removed the old chunks, or a dropped connection.
    await page.route(/\/split_public\.wasm$/, (route) => route.abort());
    await page.goto('/terms');
    await expect(page.getByTestId('page-load-failed')).toBeVisible({ timeout: 30_000 });
    // The app still runs: the header works and the notice offers a real reload.
    await expect(page.getByTestId('lang-switch')).toBeVisible();
    await page.unroute(/\/split_public\.wasm$/);
    await page.getByTestId('page-load-failed').getByRole('link').click();
    await expect(page.getByTestId('terms-page')).toBeVisible({ timeout: 30_000 });
    await close();
  });

  test('first contentful paint and interactive time on fast 3G (recorded, not enforced)', async ({ browser, server }) => {
    test.setTimeout(120_000);
    const { page, cdp, close } = await coldPage(browser, server.url);
    const problems = watchConsole(page);
    const transfers = await recordTransfers(cdp);
    await cdp.send('Network.emulateNetworkConditions', FAST_3G);
    await page.goto('/', { waitUntil: 'commit', timeout: 60_000 });
    const fcp = await firstContentfulPaint(page);
    await expect(page.getByTestId('lang-switch')).toBeVisible({ timeout: 90_000 });
    const interactive = await page.evaluate(() => performance.now());
    const wasmTiming = await page.evaluate(() => {
      const e = performance
        .getEntriesByType('resource')
        .find((r) => r.name.endsWith('.wasm')) as PerformanceResourceTiming | undefined;
      return e ? { start: e.startTime, end: e.responseEnd, transferSize: e.transferSize } : null;
    });
    const total = transfers().reduce((sum, t) => sum + t.transferred, 0);

    const ms = (n: number) => `${Math.round(n)} ms`;
    const notes = test.info().annotations;
    notes.push({ type: 'fast 3G: first contentful paint', description: ms(fcp) });
    if (wasmTiming) {
      notes.push({ type: 'fast 3G: wasm downloaded', description: `${ms(wasmTiming.start)} -> ${ms(wasmTiming.end)}` });
    }
    notes.push({ type: 'fast 3G: interactive (lang-switch visible)', description: ms(interactive) });
    notes.push({ type: 'fast 3G: transferred until interactive', description: `${total} bytes (${kib(total)})` });
    console.log(
      `fast 3G cold load of /: first contentful paint ${ms(fcp)}, wasm ${
        wasmTiming ? `${ms(wasmTiming.start)} -> ${ms(wasmTiming.end)}` : 'not seen'
      }, interactive ${ms(interactive)}, ${kib(total)} transferred`,
    );
    // What was painted first is the loading screen of index.html, in both languages.
    expect(fcp).toBeGreaterThan(0);
    expect(problems, 'errors in the browser console').toEqual([]);
    await close();
  });
});

import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the real `certdirect serve` binary and the real wasm bundle
 * (frontend/dist), in Debian's Chromium: Playwright's own browsers cannot be downloaded here.
 * The server is started per worker by the `server` fixture in tests/fixtures.ts.
 */
export default defineConfig({
  testDir: './tests',
  // Two cores: one browser and one server at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    headless: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});

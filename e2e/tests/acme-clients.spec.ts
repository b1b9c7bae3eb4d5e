/**
 * Real ACME clients against the real binary over HTTPS: certbot (PyPI, in the virtual
 * environment `cargo xtask test` sets up) and lego (Debian) register accounts with the EAB the
 * portal shows; the customer deactivates them in the portal; their keys are then refused.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, verifiedCustomer, logIn, uniqueEmail } from './fixtures';
import { freePort, repoRoot, run, type CommandResult } from './server';

// Everything in this file talks to the HTTPS server with its self-signed certificate.
const test = base.extend({
  baseURL: async ({ tlsServer }, use) => {
    await use(tlsServer.url);
  },
});
test.use({ ignoreHTTPSErrors: true });

const CERTBOT = process.env.CERTBOT_BIN ?? join(repoRoot, 'e2e', '.venv', 'bin', 'certbot');
const LEGO = process.env.LEGO_BIN ?? '/usr/bin/lego';

function output(r: CommandResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Runs a client and attaches what it said to the test's report. */
async function client(name: string, file: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const result = await run(file, args, { env });
  await test.info().attach(name, { body: `$ ${file} ${args.join(' ')}\n${output(result)}`, contentType: 'text/plain' });
  return result;
}

/** Every `account.json` below `dir` (lego keeps one per server and email). */
function accountFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return accountFiles(path);
    return name === 'account.json' ? [path] : [];
  });
}

test('certbot and lego register with the portal\'s EAB over HTTPS; deactivated in the portal, their keys get unauthorized (R-EAB-3, R-ACME-3)', async ({
  page,
  request,
  tlsServer,
}) => {
  test.setTimeout(120_000);
  expect(existsSync(CERTBOT), `certbot at ${CERTBOT} (set CERTBOT_BIN; \`cargo xtask test\` installs it)`).toBe(true);
  expect(existsSync(LEGO), `lego at ${LEGO} (set LEGO_BIN; Debian package lego)`).toBe(true);
  expect(tlsServer.url).toMatch(/^https:\/\/localhost:\d+$/);

  const customer = await verifiedCustomer(request, tlsServer, 'clients');
  await logIn(page, customer);
  await page.goto('/mypage/acme');
  await page.getByTestId('acme-apply-submit').click();
  const kid = (await page.getByTestId('eab-kid').textContent())?.trim() ?? '';
  const hmac = (await page.getByTestId('eab-hmac').textContent())?.trim() ?? '';
  const directory = (await page.getByTestId('acme-directory-url').textContent())?.trim() ?? '';
  expect(kid).not.toBe('');
  expect(hmac).not.toBe('');
  expect(directory).toBe(`${tlsServer.url}/acme/directory`);

  // Inside the server's data directory, so it goes away with it.
  const work = mkdtempSync(join(tlsServer.dataDir, 'clients-'));

  // certbot
  const certbotEmail = uniqueEmail('certbot');
  const certbotEnv = { ...process.env, REQUESTS_CA_BUNDLE: tlsServer.caFile };
  const certbotDirs = [
    '--config-dir', join(work, 'certbot', 'conf'),
    '--work-dir', join(work, 'certbot', 'work'),
    '--logs-dir', join(work, 'certbot', 'logs'),
  ];
  const registered = await client(
    'certbot register',
    CERTBOT,
    ['register', '--server', directory, '--eab-kid', kid, '--eab-hmac-key', hmac, '--email', certbotEmail,
      '--agree-tos', '--no-eff-email', '-n', ...certbotDirs],
    certbotEnv,
  );
  expect(registered.code, output(registered)).toBe(0);

  // lego registers, then fails at the order (no paid registration for that name): the account
  // is what counts here.
  const legoEmail = uniqueEmail('lego');
  const legoPath = join(work, 'lego');
  const legoEnv = { ...process.env, LEGO_CA_CERTIFICATES: tlsServer.caFile };
  const legoArgs = async () => [
    '--path', legoPath, '--server', directory, '--eab', '--kid', kid, '--hmac', hmac, '--email', legoEmail,
    '--accept-tos', '--domains', 'not-registered.example.jp', '--http', '--http.port', `127.0.0.1:${await freePort()}`, 'run',
  ];
  const legoFirst = await client('lego run', LEGO, await legoArgs(), legoEnv);
  const legoAccounts = accountFiles(join(legoPath, 'accounts'));
  expect(legoAccounts, output(legoFirst)).toHaveLength(1);
  const legoAccount = JSON.parse(readFileSync(legoAccounts[0], 'utf8')) as {
    email: string;
    registration: { uri: string; body: { status: string } };
  };
  expect(legoAccount.email).toBe(legoEmail);
  expect(legoAccount.registration.body.status).toBe('valid');
  expect(legoAccount.registration.uri.startsWith(`${tlsServer.url}/acme/`), legoAccount.registration.uri).toBe(true);

  // Both accounts are listed in the portal, and STEP 4 is done.
  await page.getByTestId('acme-accounts-refresh').click();
  const rows = page.getByTestId('acme-account-row');
  await expect(rows).toHaveCount(2);
  const certbotRow = rows.filter({ hasText: certbotEmail });
  const legoRow = rows.filter({ hasText: legoEmail });
  await expect(certbotRow.getByTestId('acme-account-status')).toHaveAttribute('data-state', 'valid');
  await expect(legoRow.getByTestId('acme-account-status')).toHaveAttribute('data-state', 'valid');
  await expect(legoRow.getByTestId('acme-account-url')).toHaveText(legoAccount.registration.uri);
  await page.getByTestId('nav-mypage').click();
  await expect(page.getByTestId('step-4')).toHaveAttribute('data-state', 'done');
  await page.getByTestId('mypage-acme-link').click();

  // The customer deactivates both, each after a confirmation.
  for (const row of [certbotRow, legoRow]) {
    await row.getByTestId('acme-account-deactivate').click();
    await expect(page.getByTestId('acme-account-confirm')).toContainText('無効化しますか');
    await expect(page.getByTestId('acme-account-deactivate-confirm')).toBeFocused();
    await page.getByTestId('acme-account-deactivate-confirm').click();
    await expect(page.getByTestId('acme-account-deactivated')).toBeVisible();
    await expect(row.getByTestId('acme-account-status')).toHaveAttribute('data-state', 'deactivated');
    await expect(row.getByTestId('acme-account-status')).toHaveText('無効化済み');
    await expect(row.getByTestId('acme-account-deactivate')).toHaveCount(0);
  }

  // Requests signed with those keys are refused.
  const shown = await client('certbot show_account', CERTBOT, ['show_account', '--server', directory, '-n', ...certbotDirs], certbotEnv);
  expect(shown.code, output(shown)).not.toBe(0);
  expect(`${shown.stdout}${shown.stderr}`, output(shown)).toContain('deactivated');
  // certbot prints the problem's detail; its log has the problem type.
  const certbotLog = readFileSync(join(work, 'certbot', 'logs', 'letsencrypt.log'), 'utf8');
  expect(certbotLog).toContain('urn:ietf:params:acme:error:unauthorized');

  // lego run again as it is (its saved account, requests signed with the account's kid): the
  // order is refused because the account is deactivated.
  const legoAgain = await client('lego run, deactivated account', LEGO, await legoArgs(), legoEnv);
  expect(legoAgain.code, output(legoAgain)).not.toBe(0);
  expect(`${legoAgain.stdout}${legoAgain.stderr}`, output(legoAgain)).toContain('urn:ietf:params:acme:error:unauthorized');

  // And with the saved registration put aside (the key stays), lego sends newAccount signed
  // with the deactivated account's key: refused too, so the key cannot come back.
  renameSync(legoAccounts[0], `${legoAccounts[0]}.deactivated`);
  const legoRegister = await client('lego run, re-register the deactivated key', LEGO, await legoArgs(), legoEnv);
  expect(legoRegister.code, output(legoRegister)).not.toBe(0);
  expect(`${legoRegister.stdout}${legoRegister.stderr}`, output(legoRegister)).toContain('urn:ietf:params:acme:error:unauthorized');
  expect(accountFiles(join(legoPath, 'accounts')), output(legoRegister)).toHaveLength(0);
});

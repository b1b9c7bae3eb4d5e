/**
 * Starts the real server binary on a free port with a fresh data directory, waits for
 * GET /api/v1/health, and stops it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

export interface RunningServer {
  url: string;
  dataDir: string;
  logFile: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => ok(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((ok) => {
    if (child.exitCode !== null) ok(child.exitCode);
    else child.once('exit', (code) => ok(code));
  });
}

export async function startServer(): Promise<RunningServer> {
  // An already running server (e.g. while debugging): CERTDIRECT_E2E_URL + CERTDIRECT_E2E_DATA_DIR.
  const external = process.env.CERTDIRECT_E2E_URL;
  if (external) {
    const dataDir = process.env.CERTDIRECT_E2E_DATA_DIR;
    if (!dataDir) throw new Error('CERTDIRECT_E2E_URL needs CERTDIRECT_E2E_DATA_DIR (the server\'s data directory)');
    return { url: external.replace(/\/$/, ''), dataDir, logFile: '', stop: async () => {} };
  }
  const bin = process.env.CERTDIRECT_BIN ?? join(repoRoot, 'target', 'debug', 'certdirect');
  const staticDir = process.env.CERTDIRECT_STATIC_DIR ?? join(repoRoot, 'frontend', 'dist');
  if (!existsSync(bin)) {
    throw new Error(`server binary ${bin} is missing: run \`cargo build -p certdirect\` (or set CERTDIRECT_BIN)`);
  }
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`${staticDir}/index.html is missing: run \`cargo xtask wasm\``);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'certdirect-e2e-'));
  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CERTDIRECT_DATA_DIR: dataDir,
    CERTDIRECT_LISTEN: `127.0.0.1:${port}`,
    CERTDIRECT_PUBLIC_URL: url,
    CERTDIRECT_STATIC_DIR: staticDir,
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  // Every email must land in <data dir>/outbox/, and the database must be the fresh SQLite file.
  delete env.CERTDIRECT_SMTP_URL;
  delete env.CERTDIRECT_DATABASE_URL;
  delete env.CERTDIRECT_TLS_CERT;
  delete env.CERTDIRECT_TLS_KEY;
  delete env.CERTDIRECT_TLS_SELF_SIGNED;

  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exit = exited(child);

  const deadline = Date.now() + 30_000;
  let healthy = false;
  while (Date.now() < deadline) {
    const early = await Promise.race([exit, new Promise((ok) => setTimeout(() => ok('running'), 100))]);
    if (early !== 'running') {
      throw new Error(`certdirect serve exited with ${String(early)} before it was healthy; see ${logFile}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.status === 200) {
        healthy = true;
        break;
      }
    } catch {
      // not listening yet
    }
  }
  if (!healthy) {
    child.kill('SIGKILL');
    throw new Error(`certdirect serve did not answer GET /api/v1/health within 30 s; see ${logFile}`);
  }

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exit, new Promise((ok) => setTimeout(() => ok('timeout'), 5_000))]);
      if (done === 'timeout') {
        child.kill('SIGKILL');
        await exit;
      }
    }
    log.end();
    if (!process.env.CERTDIRECT_E2E_KEEP) {
      rmSync(dataDir, { recursive: true, force: true });
    } else {
      console.log(`kept the e2e data directory ${dataDir}`);
    }
  };
  return { url, dataDir, logFile, stop };
}

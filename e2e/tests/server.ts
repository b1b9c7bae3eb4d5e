/**
 * Starts the real server binary on a free port with a fresh data directory, waits for
 * GET /api/v1/health, and stops it again. With `tls`, the server makes a self-signed localhost
 * certificate in its data directory and serves HTTPS at https://localhost:<port> (for ACME
 * clients, which want https).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

export interface RunningServer {
  url: string;
  dataDir: string;
  logFile: string;
  /** With `tls`: the server's self-signed certificate (PEM), for clients to trust. */
  caFile?: string;
  /** Runs `certdirect <args>` with the server's configuration (e.g. `operator create`). */
  cli: (args: string[]) => Promise<CommandResult>;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  /** Serve HTTPS with a self-signed localhost certificate (CERTDIRECT_TLS_SELF_SIGNED=1). */
  tls?: boolean;
  /** Extra environment for the server (e.g. CERTDIRECT_VA_* validation settings), merged last. */
  env?: Record<string, string>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, never throwing on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((ok) => {
    execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        ok({ code, stdout: String(stdout), stderr: String(stderr) + (error && code === -1 ? `\n${error.message}` : '') });
      },
    );
  });
}

export async function freePort(): Promise<number> {
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

/** GET /api/v1/health over HTTPS, trusting only the server's own certificate. */
function httpsHealthy(port: number, caFile: string): Promise<boolean> {
  if (!existsSync(caFile)) return Promise.resolve(false);
  const ca = readFileSync(caFile);
  return new Promise((ok) => {
    const req = httpsRequest(
      { host: '127.0.0.1', servername: 'localhost', port, path: '/api/v1/health', ca, timeout: 2_000 },
      (res) => {
        res.resume();
        ok(res.statusCode === 200);
      },
    );
    req.on('error', () => ok(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function healthy(url: string, port: number, caFile?: string): Promise<boolean> {
  if (caFile) return httpsHealthy(port, caFile);
  try {
    return (await fetch(`${url}/api/v1/health`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  // An already running server (e.g. while debugging): CERTDIRECT_E2E_URL + CERTDIRECT_E2E_DATA_DIR.
  const external = process.env.CERTDIRECT_E2E_URL;
  if (external && !options.tls) {
    const dataDir = process.env.CERTDIRECT_E2E_DATA_DIR;
    if (!dataDir) throw new Error('CERTDIRECT_E2E_URL needs CERTDIRECT_E2E_DATA_DIR (the server\'s data directory)');
    const cli = async () => {
      throw new Error('the certdirect command line is not available for an external server (CERTDIRECT_E2E_URL)');
    };
    return { url: external.replace(/\/$/, ''), dataDir, logFile: '', cli, stop: async () => {} };
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
  // The self-signed certificate names localhost (and 127.0.0.1, ::1); ACME clients get the
  // host name, as they would in real life.
  const url = options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'certdirect-e2e-'));
  const caFile = options.tls ? join(dataDir, 'tls', 'localhost.crt') : undefined;
  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CERTDIRECT_DATA_DIR: dataDir,
    CERTDIRECT_LISTEN: `127.0.0.1:${port}`,
    CERTDIRECT_PUBLIC_URL: url,
    CERTDIRECT_STATIC_DIR: staticDir,
    // The DNS server of the e2e tests (pebble-challtestsrv) cannot sign zones.
    CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS: 'off',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  // Every email must land in <data dir>/outbox/, and the database must be the fresh SQLite file.
  delete env.CERTDIRECT_SMTP_URL;
  delete env.CERTDIRECT_DATABASE_URL;
  delete env.CERTDIRECT_TLS_CERT;
  delete env.CERTDIRECT_TLS_KEY;
  delete env.CERTDIRECT_TLS_SELF_SIGNED;
  if (options.tls) env.CERTDIRECT_TLS_SELF_SIGNED = '1';
  Object.assign(env, options.env ?? {});

  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exit = exited(child);

  const deadline = Date.now() + 30_000;
  let isHealthy = false;
  while (Date.now() < deadline) {
    const early = await Promise.race([exit, new Promise((ok) => setTimeout(() => ok('running'), 100))]);
    if (early !== 'running') {
      throw new Error(`certdirect serve exited with ${String(early)} before it was healthy; see ${logFile}`);
    }
    if (await healthy(url, port, caFile)) {
      isHealthy = true;
      break;
    }
  }
  if (!isHealthy) {
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
  const cli = (args: string[]) => run(bin, args, { env });
  return { url, dataDir, logFile, caFile, cli, stop };
}

export interface RunningPerspective {
  /** `name@region=http://127.0.0.1:<port>`, for CERTDIRECT_MPIC_PERSPECTIVES. */
  spec: string;
  logFile: string;
  stop: () => Promise<void>;
}

/**
 * Starts `certdirect serve --role perspective` (R-VAL-7) on a free loopback port with its own
 * validation settings (`env`: CERTDIRECT_VA_*), sharing `secret` with the primary.
 */
export async function startPerspective(
  name: string,
  region: string,
  secret: string,
  dir: string,
  env: Record<string, string>,
): Promise<RunningPerspective> {
  const bin = process.env.CERTDIRECT_BIN ?? join(repoRoot, 'target', 'debug', 'certdirect');
  const port = await freePort();
  const logFile = join(dir, `perspective-${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(bin, ['serve', '--role', 'perspective'], {
    env: {
      PATH: process.env.PATH,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      CERTDIRECT_DATA_DIR: dir,
      CERTDIRECT_LISTEN: `127.0.0.1:${port}`,
      CERTDIRECT_MPIC_SECRET: secret,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exit = exited(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
    log.end();
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await healthy(url, port)) return { spec: `${name}@${region}=${url}`, logFile, stop };
    await new Promise((ok) => setTimeout(ok, 100));
  }
  await stop();
  throw new Error(`perspective ${name} did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@crm/testing';

const root = resolve(__dirname, '../..');

/**
 * Compiles apps and libs as `npm run build` does, but into a scratch folder of its own: `npm run
 * build` empties dist/ first, which would pull the server from under any other suite or benchmark
 * running from dist/ at the same time. The folder sits inside node_modules so the compiled code
 * resolves its packages exactly as dist/ does. Returns the folder; main.js is under apps/api/src.
 */
export function buildServer(): string {
  const parent = join(root, 'node_modules', '.cache', 'crm-test-builds');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(join(parent, 'server-'));
  execFileSync(process.execPath, [join(root, 'node_modules/@swc/cli/bin/swc.js'), 'apps', 'libs', '--out-dir', outDir, '--config-file', '.swcrc', '--quiet'], {
    cwd: root,
    stdio: 'pipe',
  });
  return outDir;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CrmServer {
  url: string;
  child: ChildProcess;
  /** What the server wrote to stderr (the last 20 kB). */
  stderr(): string;
  /** kill -9: no shutdown hook runs, nothing is flushed. */
  kill(): Promise<Exit>;
  /** SIGTERM: the graceful shutdown. */
  stop(): Promise<Exit>;
}

/**
 * Starts the embedded default (API and projector in one process) from a build, on a free port, and
 * waits until it answers /health. Settings of the production components (Kafka, MongoDB,
 * EventStoreDB) that the test environment may carry are removed: this is the embedded server.
 */
export function startCrmServer(buildDir: string, env: Record<string, string>): Promise<CrmServer> {
  return startBuiltProcess(buildDir, 'apps/api/src/main.js', env, { label: 'server', timeoutMs: 30_000 });
}

/**
 * Starts a main of a build (relative to the build folder) on a free port and waits until it
 * answers /health. The test environment's CRM_/KAFKA_/MONGO_/ESDB_ settings are removed, `env` applied.
 */
export async function startBuiltProcess(
  buildDir: string,
  main: string,
  env: Record<string, string>,
  options: { label: string; timeoutMs: number },
): Promise<CrmServer> {
  // A free port can be taken by another suite's server before this one listens on it: then this one
  // exits (EADDRINUSE) and starts again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(await freePort(), buildDir, main, env, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

/** Whether process `pid` holds a listening TCP socket on `port` (Linux: /proc/net/tcp and the process's fds). */
function listensOn(pid: number, port: number): boolean {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address, state 0A = LISTEN, inode
      if (fields[1]?.endsWith(portHex) && fields[3] === '0A') inodes.add(`socket:[${fields[9]}]`);
    }
  }
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function startOnPort(
  port: number,
  buildDir: string,
  main: string,
  env: Record<string, string>,
  { label, timeoutMs }: { label: string; timeoutMs: number },
): Promise<CrmServer> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CRM_|KAFKA_|MONGO_|ESDB_)/.test(name)));
  const child = spawn(process.execPath, ['--max-semi-space-size=64', join(buildDir, main)], {
    env: { ...inherited, HOST: '127.0.0.1', PORT: String(port), CRM_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<Exit>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit({ code: child.exitCode, signal: child.signalCode });
    else void once(child, 'exit').then(([code, signal]) => resolveExit({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (stderr.includes('EADDRINUSE')) throw new PortTakenError(`Port ${port} was taken before the ${label} listened on it`);
      throw new Error(`The ${label} exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
    }
    try {
      // Answered by this child, not by another suite's server that took the port meanwhile.
      if ((await fetch(`${url}/health`)).ok && listensOn(child.pid!, port)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The ${label} did not answer /health within ${timeoutMs / 1000} s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { url, child, stderr: () => stderr, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

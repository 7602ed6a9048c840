import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@crm/testing';
import { SPLIT_NODE_FLAGS } from './support/server-process';

// The production path as separate processes, started from a build (dist/ or a scratch swc output).

export interface PipelineProcess {
  name: string;
  url: string;
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let hooked = false;

/** Last resort on any exit path: no child outlives the bench (a graceful stop is tried first elsewhere). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** Settings of the production components the caller's shell may carry are replaced by the bench's own. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CRM_|KAFKA_|MONGO_|ESDB_)/.test(name)));
}

/** Starts `main` from the build and waits until its /health answers `ready(body)`. */
export async function startProcess(
  name: string,
  main: string,
  env: Record<string, string>,
  logDir: string,
  ready: (health: unknown) => boolean = () => true,
): Promise<PipelineProcess> {
  hookExit();
  const port = await freePort();
  const log = join(logDir, `${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(process.execPath, [...SPLIT_NODE_FLAGS, main], {
    env: { ...inheritedEnv(), HOST: '127.0.0.1', PORT: String(port), CRM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = once(child, 'exit').then(() => {
    children.delete(child);
    out.end();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${log}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ready(await res.json())) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within 60 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return void (await exited);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return { name, url, child, log, stop };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@crm/testing';
import { join } from 'node:path';

/** The flags `npm start` runs with: a young generation large enough for per-event garbage to die young. */
export const NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * The flags of the separate processes (`npm run start:api|start:projector`, the Docker image): the same,
 * collected on the main thread. Processes that share a host's cores with each other and with the servers
 * gain nothing from parallel GC helpers but their cost; the one process of `npm start` keeps them (shorter
 * pauses while a core is free).
 */
export const SPLIT_NODE_FLAGS = [...NODE_FLAGS, '--single-threaded-gc'];

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built embedded default (`dist/apps/api/src/main.js`) and waits for /health. */
export async function startServer(root: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  // The embedded default whatever the shell carries: server settings (.infra/env) would switch it to Kafka and MongoDB.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CRM_|KAFKA_|MONGO_|ESDB_)/.test(name)));
  const child = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist/apps/api/src/main.js')], {
    env: { ...inherited, HOST: '127.0.0.1', PORT: String(port), CRM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not answer /health within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

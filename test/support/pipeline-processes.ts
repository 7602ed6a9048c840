import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CrmServer, type Exit, freePort } from './crm-server';

const root = resolve(__dirname, '../..');

/** The two mains of the production split: the API (here with the relay, CRM_ROLES=api,relay) and the projector. */
export type PipelineApp = 'api' | 'projector';

const MAINS: Record<PipelineApp, string> = { api: 'apps/api/src/main.js', projector: 'apps/projector/src/main.js' };

/**
 * startCrmServer (crm-server.ts) for either main of a build: a free port, the test environment's
 * CRM_/KAFKA_/MONGO_/ESDB_ settings removed and `env` applied, resolved once /health answers.
 */
export async function startPipelineProcess(buildDir: string, app: PipelineApp, env: Record<string, string>, timeoutMs = 60_000): Promise<CrmServer> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CRM_|KAFKA_|MONGO_|ESDB_)/.test(name)));
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', join(buildDir, MAINS[app])], {
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
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The ${app} exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The ${app} did not answer /health within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { url, child, stderr: () => stderr, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

/**
 * A single-node Kafka of this test's own, started by infra/kafka.sh with a private INFRA_HOME and
 * ports, so stopping it never touches the shared broker. The jars are the shared install's (a
 * symlink), the data folder is new and deleted by `destroy()`.
 */
export class DedicatedKafka {
  private constructor(
    private readonly home: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async create(): Promise<DedicatedKafka> {
    const home = mkdtempSync(join(tmpdir(), 'crm-pipeline-kafka-'));
    mkdirSync(join(home, 'kafka'));
    const shared = join(root, '.infra/kafka');
    symlinkSync(join(shared, 'lib'), join(home, 'kafka/lib'));
    // The stamp tells infra/kafka.sh the jars match infra/kafka/pom.xml, so it does not call Maven.
    copyFileSync(join(shared, 'lib.stamp'), join(home, 'kafka/lib.stamp'));
    copyFileSync(join(shared, 'pom.xml'), join(home, 'kafka/pom.xml'));
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    return new DedicatedKafka(home, port, controllerPort);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): Promise<string> {
    return this.run('start', 120_000);
  }

  /** SIGKILL at once: a crash; the data stays. */
  kill(): Promise<string> {
    return this.run('kill', 30_000);
  }

  /** SIGTERM, a controlled shutdown. */
  stop(): Promise<string> {
    return this.run('stop', 60_000);
  }

  async destroy(): Promise<void> {
    await this.run('kill', 30_000).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }

  private run(command: string, timeout: number): Promise<string> {
    const env = {
      ...process.env,
      INFRA_HOME: this.home,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_WAIT_TIMEOUT: '90',
      KAFKA_STOP_TIMEOUT: '20',
    };
    return new Promise((resolveRun, reject) => {
      execFile('bash', [join(root, 'infra/kafka.sh'), command], { cwd: root, env, timeout }, (error, stdout, stderr) => {
        if (error) reject(new Error(`infra/kafka.sh ${command} (port ${this.port}) failed: ${error.message}\n${stderr}`));
        else resolveRun(stdout + stderr);
      });
    });
  }
}

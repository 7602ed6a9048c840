import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@crm/testing';

const root = resolve(__dirname, '../../../..');

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
    const home = mkdtempSync(join(tmpdir(), 'crm-dedicated-kafka-'));
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

  /** SIGSTOP: a hung broker; connections stay open and requests wait, unanswered, until resume(). */
  pause(): Promise<string> {
    return this.run('pause', 30_000);
  }

  /** SIGCONT: the broker goes on with the requests it had received. */
  resume(): Promise<string> {
    return this.run('resume', 30_000);
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

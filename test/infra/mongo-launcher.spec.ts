import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Collection } from 'mongodb';
import { freePort } from '@crm/testing';
import { withMongo } from '../support/mongo';

/*
 * The MongoDB-wire test server's own promises (infra/mongo/MongoLauncher.java), on a server of this
 * suite's own (private INFRA_HOME, port and data file; the shared install's jars), since the suite
 * kills it: a write is answered only once it is on disk, also when many writers share a commit; a
 * filter with `_id` and other fields (looked up by `_id` first) still applies every field; unique
 * indexes (held in memory) are rebuilt from the data after a crash.
 */

const root = resolve(__dirname, '../..');
const sharedHome = join(root, '.infra/mongo');

class DedicatedMongo {
  private constructor(
    private readonly home: string,
    private port: number,
  ) {}

  static async create(): Promise<DedicatedMongo> {
    const home = mkdtempSync(join(tmpdir(), 'crm-dedicated-mongo-'));
    mkdirSync(join(home, 'mongo'));
    symlinkSync(join(sharedHome, 'lib'), join(home, 'mongo/lib'));
    // The stamp tells infra/mongo.sh the jars match the pom; the launcher is compiled into this home.
    copyFileSync(join(sharedHome, 'lib.stamp'), join(home, 'mongo/lib.stamp'));
    copyFileSync(join(sharedHome, 'pom.xml'), join(home, 'mongo/pom.xml'));
    return new DedicatedMongo(home, await freePort());
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/launcher`;
  }

  /**
   * Starts on a fresh free port each time (the data lives in the home, not with the port): a port
   * freed by kill -9 can be taken at once as another process's outgoing port.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.run('start');
        return;
      } catch (error) {
        if (attempt >= 3 || !/already in use/.test(String(error))) throw error;
      }
    }
  }

  run(command: 'start' | 'kill' | 'stop'): Promise<string> {
    const env = { ...process.env, INFRA_HOME: this.home, MONGO_PORT: String(this.port), MONGO_DB: 'launcher' };
    return new Promise((done, fail) => {
      execFile('bash', [join(root, 'infra/mongo.sh'), command], { cwd: root, env, timeout: 120_000 }, (error, stdout, stderr) =>
        error ? fail(new Error(`infra/mongo.sh ${command} (port ${this.port}): ${error.message}\n${stderr}`)) : done(stdout + stderr),
      );
    });
  }

  async destroy(): Promise<void> {
    await this.run('kill').catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}

type Doc = { _id: string; revision: number; email?: string };

const installed = existsSync(join(sharedHome, 'lib.stamp'));
if (!installed) {
  process.stderr.write('mongo-launcher.spec.ts: SKIPPED, the MongoDB-wire test server is not installed (bash infra/up.sh)\n');
}

(installed ? describe : describe.skip)('MongoDB-wire test server (mongo-java-server launcher)', () => {
  jest.setTimeout(180_000);
  let server: DedicatedMongo;

  beforeAll(async () => {
    server = await DedicatedMongo.create();
    await server.start();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const docs = (work: (docs: Collection<Doc>) => Promise<unknown>) => withMongo(server.url, (client) => work(client.db('launcher').collection<Doc>('docs')));

  it('answers a write only once it is on disk: every acknowledged write of 16 concurrent writers survives kill -9', async () => {
    const acknowledged = new Set<string>();
    await docs(async (col) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 2_000) {
            const id = `w-${next++}`;
            await col.bulkWrite([{ replaceOne: { filter: { _id: id, revision: { $lt: 1 } }, replacement: { revision: 1 }, upsert: true } }]);
            acknowledged.add(id);
          }
        }),
      );
    });
    await server.run('kill');
    await server.start();
    const stored = ((await docs((col) => col.find({}).toArray())) as Doc[]).filter((d) => d._id.startsWith('w-'));
    expect(stored.length).toBe(acknowledged.size);
    expect(new Set(stored.map((d) => d._id))).toEqual(acknowledged);
  });

  it('applies the whole filter when it has _id and other fields', async () => {
    await docs(async (col) => {
      await col.insertOne({ _id: 'r', revision: 3 });
      expect(await col.findOne({ _id: 'r', revision: { $lt: 3 } })).toBeNull();
      expect(await col.findOne({ _id: 'r', revision: { $gte: 3 } })).toEqual({ _id: 'r', revision: 3 });
      expect(await col.countDocuments({ _id: 'r', revision: 4 })).toBe(0);
      // a stale revision-guarded upsert misses the filter and is refused on _id; the newer one replaces
      const stale = col.bulkWrite([{ replaceOne: { filter: { _id: 'r', revision: { $lt: 2 } }, replacement: { revision: 2 }, upsert: true } }]);
      await expect(stale).rejects.toMatchObject({ code: 11000 });
      await col.bulkWrite([{ replaceOne: { filter: { _id: 'r', revision: { $lt: 5 } }, replacement: { revision: 5 }, upsert: true } }]);
      expect(await col.findOne({ _id: 'r' })).toEqual({ _id: 'r', revision: 5 });
    });
  });

  it('enforces unique indexes after a crash (they are rebuilt from the data)', async () => {
    await docs(async (col) => {
      await col.createIndex({ email: 1 }, { unique: true, sparse: true });
      await col.insertMany([
        { _id: 'u1', revision: 1, email: 'a@example.com' },
        { _id: 'u2', revision: 1, email: 'b@example.com' },
      ]);
    });
    await server.run('kill');
    await server.start();
    await docs(async (col) => {
      await expect(col.insertOne({ _id: 'u3', revision: 1, email: 'a@example.com' })).rejects.toMatchObject({ code: 11000 });
      await expect(col.insertOne({ _id: 'u1', revision: 1 })).rejects.toMatchObject({ code: 11000 });
      await col.insertOne({ _id: 'u4', revision: 1, email: 'c@example.com' });
      expect(await col.findOne({ email: 'b@example.com' })).toMatchObject({ _id: 'u2' });
    });
  });
});

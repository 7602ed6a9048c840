import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Binary, BSON, Decimal128, type Collection, Double, Int32, Long, ObjectId, Timestamp } from 'mongodb';
import { freePort } from '@crm/testing';
import { withMongo } from '../support/mongo';

/*
 * The MongoDB-wire test server's own promises (infra/mongo/MongoLauncher.java), on a server of this
 * suite's own (private INFRA_HOME, port and data file; the shared install's jars), since the suite
 * kills it: a write is answered only once it is on disk, also when many writers share a commit; a
 * filter with `_id` and other fields (looked up by `_id` first) still applies every field; unique
 * indexes (held in memory) are rebuilt from the data after a crash; documents (stored as BSON) keep
 * every BSON type, and those an earlier launcher wrote (Java-serialised) are still read.
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
  async start(env: Record<string, string> = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.run('start', env);
        return;
      } catch (error) {
        if (attempt >= 3 || !/already in use/.test(String(error))) throw error;
      }
    }
  }

  run(command: 'start' | 'kill' | 'stop', extra: Record<string, string> = {}): Promise<string> {
    const env = { ...process.env, INFRA_HOME: this.home, MONGO_PORT: String(this.port), MONGO_DB: 'launcher', ...extra };
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

  // Read back through EJSON: every type as the server returns it, compared exactly (Int32 vs Double too).
  // Left out: a whole Double, which mongo-java-server answers as an Int32 whatever the storage.
  const exact = (value: unknown) => BSON.EJSON.stringify(value, { relaxed: false });
  const everyType = (id: string) => ({
    _id: id,
    revision: 7,
    int: new Int32(42),
    long: Long.fromString('9007199254740993'),
    double: new Double(0.1),
    decimal: Decimal128.fromString('12.3400'),
    text: 'Zhang San \u00e9\u4e2d \ud83d\ude00',
    empty: '',
    flag: false,
    none: null,
    at: new Date('2026-11-23T10:00:00.123Z'),
    oid: new ObjectId('65f000000000000000000001'),
    bytes: new Binary(Buffer.from([0, 1, 2, 255])),
    uuid: new Binary(Buffer.alloc(16, 7), Binary.SUBTYPE_UUID),
    ts: new Timestamp({ t: 1_700_000_000, i: 3 }),
    list: [1, 'two', [3], { four: 4 }, null],
    nested: { deeper: { deepest: ['x'] }, emptyDoc: {}, emptyList: [] },
  });

  it('keeps every BSON type of a document through a crash (read back from the file)', async () => {
    await docs((col) => col.insertOne(everyType('types') as never));
    await server.run('kill');
    await server.start();
    const stored = await docs((col) => col.findOne({ _id: 'types' }));
    expect(exact(stored)).toBe(exact(everyType('types')));
  });

  it('reads documents an earlier launcher wrote (Java-serialised), and what it writes over them', async () => {
    await server.run('stop');
    await server.start({ MONGO_VALUE_FORMAT: 'java' });
    await docs((col) => col.insertMany(Array.from({ length: 200 }, (_, i) => everyType(`old-${i}`)) as never));
    await server.run('stop');
    await server.start();
    await docs(async (col) => {
      const old = await col.find({ _id: { $in: ['old-0', 'old-199'] } as never }).sort({ _id: 1 }).toArray();
      expect(old.map(exact)).toEqual([everyType('old-0'), everyType('old-199')].map(exact));
      await col.replaceOne({ _id: 'old-5' }, { ...everyType('old-5'), revision: 8 } as never);
    });
    await server.run('kill');
    await server.start();
    await docs(async (col) => {
      expect(await col.countDocuments({ _id: { $regex: '^old-' } as never })).toBe(200);
      expect(exact(await col.findOne({ _id: 'old-5' }))).toBe(exact({ ...everyType('old-5'), revision: 8 }));
      expect(exact(await col.findOne({ _id: 'old-6' }))).toBe(exact(everyType('old-6')));
    });
  });
});

import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DOCUMENT_STORE, type DocumentStore } from '@crm/read-models';
import { startTestApi, type TestApi } from '../support/api-harness';
import { mongoUrlFor, withMongo } from '../support/mongo';
import { readOk, Writer } from '../support/read-client';

/*
 * The read models, their checkpoints and the relay's checkpoint hold positions of one event log.
 * Started on another log (a new data folder beside an old database, a log restored elsewhere), the
 * relay and projectors would skip every event up to their old positions and answer as if all were
 * well. The app must refuse to start instead, and start again once given its own log back.
 */
describe('the read models belong to one event log', () => {
  let api: TestApi;
  let w: Writer;

  beforeAll(async () => {
    api = await startTestApi();
    w = new Writer(api);
  });
  afterAll(() => api.destroy());

  const logFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('events.db'));
  /** Moves the event log out of the data folder (as a fresh data folder would have none). */
  const moveLogAside = () => {
    const aside = join(api.dataDir, 'aside');
    mkdirSync(aside, { recursive: true });
    for (const f of logFiles(api.dataDir)) renameSync(join(api.dataDir, f), join(aside, f));
  };
  /** Drops the log a refused start created and puts the original back. */
  const restoreLog = () => {
    for (const f of logFiles(api.dataDir)) rmSync(join(api.dataDir, f));
    const aside = join(api.dataDir, 'aside');
    for (const f of logFiles(aside)) renameSync(join(aside, f), join(api.dataDir, f));
  };
  type Bound = { _id: string; revision: number; logId: string };
  const boundLog = (): Promise<Bound | null> => api.app.get<DocumentStore>(DOCUMENT_STORE).findOne<Bound>('bindings', { _id: 'event-log' });
  /** Read with the app closed (the embedded store locks its file while open). */
  const boundLogAtRest = async (): Promise<Bound | null> => {
    if (api.database) {
      return withMongo(mongoUrlFor(process.env.MONGO_URL!, api.database), (c) => c.db().collection<Bound>('bindings').findOne({ _id: 'event-log' }));
    }
    const db = new Database(join(api.dataDir, 'read-models.db'), { readonly: true });
    try {
      const row = db
        .prepare<[], { doc: string }>("SELECT d.doc FROM documents d JOIN collections c ON c.key = d.collection WHERE c.name = 'bindings'")
        .get();
      return row ? JSON.parse(row.doc) : null;
    } finally {
      db.close();
    }
  };
  /** As a database written before bindings existed. */
  const forgetBinding = async () => {
    if (api.database) {
      await withMongo(mongoUrlFor(process.env.MONGO_URL!, api.database), (c) => c.db().collection('bindings').deleteMany({}));
      return;
    }
    const db = new Database(join(api.dataDir, 'read-models.db'));
    try {
      db.prepare("DELETE FROM documents WHERE collection IN (SELECT key FROM collections WHERE name = 'bindings')").run();
    } finally {
      db.close();
    }
  };

  /** The error message of a restart; a restart that succeeds is kept (and closed by afterAll) and answers null. */
  async function refusedRestart(): Promise<string | null> {
    return api.restart().then(
      (started) => {
        api = started;
        return null;
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  }

  async function customerVisible(): Promise<string> {
    const { customerId, position } = await w.acquire();
    await w.purchase(customerId, '2026-03-01T00:00:00.000Z', 1_500);
    const profile = await readOk(api, `/v1/profiles/${customerId}`, { minPosition: w.position });
    expect(profile).toMatchObject({ customerId, purchaseCount: 1, revision: 1 });
    expect(position).toBeGreaterThan(0);
    return customerId;
  }

  it('refuses to start on another log, records nothing, and starts again on its own log with everything in place', async () => {
    const customerId = await customerVisible();
    const bound = await boundLog();
    expect(bound).toMatchObject({ logId: expect.any(String) });

    await api.close();
    moveLogAside();
    expect(await refusedRestart()).toMatch(/The read-model store was built from event log .* but the configured event store is log .*nothing was started/);
    expect(await boundLogAtRest()).toEqual(bound);

    restoreLog();
    api = await api.restart();
    w = new Writer(api);
    expect(await readOk(api, `/v1/profiles/${customerId}`)).toMatchObject({ customerId, purchaseCount: 1 });
    await customerVisible();
  });

  it('without a binding (a database from before them), refuses a checkpoint past the end of the log and binds nothing', async () => {
    const customerId = await customerVisible();
    const bound = await boundLog();
    await api.close();
    await forgetBinding();
    moveLogAside();
    expect(await refusedRestart()).toMatch(/Checkpoint '(relay|read-models)' is at position \d+, but the event log ends at 0: it was kept for another log/);
    expect(await boundLogAtRest()).toBeNull();

    restoreLog();
    api = await api.restart();
    w = new Writer(api);
    expect(await boundLog()).toEqual({ ...bound, boundAt: expect.any(String) });
    expect(await readOk(api, `/v1/profiles/${customerId}`)).toMatchObject({ customerId, purchaseCount: 1 });
    await customerVisible();
  });
});

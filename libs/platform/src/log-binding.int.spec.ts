import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@crm/event-store';
import { EmbeddedDocumentStore } from '@crm/read-models';
import { EventLogBinding, EventLogMismatchError } from './log-binding';

describe('EventLogBinding (SQLite log, embedded document store)', () => {
  let dir: string;
  let documents: EmbeddedDocumentStore;
  const logs: SqliteEventStore[] = [];
  const log = (name: string) => {
    const store = new SqliteEventStore(join(dir, `${name}.db`));
    logs.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-binding-'));
    documents = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
  });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
    await documents.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds an unbound store to the first log that starts, then accepts that log and refuses another', async () => {
    const [mine, other] = [log('mine'), log('other')];
    const first = await EventLogBinding.check(mine, documents);
    // Not bound until recorded: a start refused before that leaves the store free.
    await expect(EventLogBinding.check(other, documents)).resolves.toBeInstanceOf(EventLogBinding);
    await first.recordIfNew(() => new Date('2026-01-01T00:00:00Z'));
    expect(await documents.findOne('bindings', { _id: 'event-log' })).toMatchObject({ logId: await mine.logId(), boundAt: '2026-01-01T00:00:00.000Z' });

    await expect(EventLogBinding.check(mine, documents)).resolves.toMatchObject({ logId: await mine.logId() });
    const refused = await EventLogBinding.check(other, documents).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EventLogMismatchError);
    expect(refused).toMatchObject({ boundTo: await mine.logId(), logId: await other.logId() });
    expect((refused as Error).message).toMatch(/built from event log .* but the configured event store is log .*nothing was started/);
  });

  it('of two logs binding at the same time, one wins and the other is refused', async () => {
    const [a, b] = [log('a'), log('b')];
    const [bindA, bindB] = await Promise.all([EventLogBinding.check(a, documents), EventLogBinding.check(b, documents)]);
    const outcomes = await Promise.allSettled([bindA.recordIfNew(), bindB.recordIfNew()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(EventLogMismatchError) });
    const winner = outcomes[0].status === 'fulfilled' ? a : b;
    expect(await documents.findOne('bindings', { _id: 'event-log' })).toMatchObject({ logId: await winner.logId() });
  });

  it('keeps the binding across a reopen of both stores', async () => {
    const mine = log('mine');
    await (await EventLogBinding.check(mine, documents)).recordIfNew();
    const id = await mine.logId();
    await documents.close();
    documents = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    const reopened = log('mine');
    await expect(EventLogBinding.check(reopened, documents)).resolves.toMatchObject({ logId: id });
    await expect(EventLogBinding.check(log('new'), documents)).rejects.toBeInstanceOf(EventLogMismatchError);
  });
});

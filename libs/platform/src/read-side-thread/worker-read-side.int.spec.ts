import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { CheckpointPastLogEndError, SqliteEventStore } from '@crm/event-store';
import { EmbeddedDocumentStore, type Document } from '@crm/read-models';
import { WorkerReadSide } from './worker-read-side';

const NOW = new Date('2026-03-01T09:00:00.000Z');

describe('WorkerReadSide (the embedded read side on a thread of its own)', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readSide: WorkerReadSide | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-side-thread-'));
    events = new SqliteEventStore(join(dir, 'events.db'));
  });

  afterEach(async () => {
    await readSide?.close();
    readSide = null;
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = () => (readSide = new WorkerReadSide(events, { documentsFile: join(dir, 'read-models.db'), maxBatchSize: 100, now: () => NOW }));

  async function acquire(): Promise<{ customerId: string; position: number }> {
    const customerId = randomUUID();
    const eventId = randomUUID();
    const at = NOW.toISOString();
    const metadata = { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actor: { id: 'key-test', role: 'service' }, occurredAt: at, recordedAt: at, schemaVersion: 1 };
    const data = { customerId, name: 'enc:v1:x', email: 'enc:v1:x', channel: 'web', type: 'consumer', tags: [] };
    const { position } = await events.append(`customer-${customerId}`, [{ eventId, type: 'CustomerAcquired', data, metadata }], 'no_stream');
    return { customerId, position };
  }

  it('projects what the writer made durable; read-your-writes waits are answered on this side', async () => {
    const side = open();
    const before = await acquire();
    await side.start();
    expect(await side.waitFor(before.position, 5_000)).toBe(true);
    const later = await Promise.all([acquire(), acquire(), acquire()]);
    const last = Math.max(...later.map((a) => a.position));
    expect(await side.waitFor(last, 5_000)).toBe(true);
    expect(await side.current()).toBe(last);

    const profiles = await side.documents.find<Document>('profiles', {});
    expect(profiles.map((p) => p._id).sort()).toEqual([before, ...later].map((a) => a.customerId).sort());
    for (const p of await side.status()) expect(p).toMatchObject({ status: 'live', position: last, head: last, lagEvents: 0 });
  });

  it('on the system clock, times a rebuild by the clock, not by the last message the writer sent', async () => {
    const side = (readSide = new WorkerReadSide(events, { documentsFile: join(dir, 'read-models.db'), maxBatchSize: 100 }));
    await side.start();
    const acquired = await Promise.all(Array.from({ length: 2_000 }, () => acquire()));
    await side.waitFor(Math.max(...acquired.map((a) => a.position)), 10_000);
    await side.startRebuild(['profiles']);
    // No write and no call while it runs (about 50 ms): a thread that only followed the writer's
    // messages would stamp it finished when it started.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const done = await side.rebuildFinished();
    expect(done).toMatchObject({ phase: 'done', events: 2_000 });
    expect(Date.parse(done!.finishedAt!)).toBeGreaterThan(Date.parse(done!.startedAt));
  }, 30_000);

  it('closes the documents file, so the next process (or a restart) can open it', async () => {
    const side = open();
    await side.start();
    const { position } = await acquire();
    await side.waitFor(position, 5_000);
    await side.stop();
    await side.close();
    const docs = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    try {
      expect(await docs.readCheckpoint('read-models')).toBe(position);
    } finally {
      await docs.close();
    }
  });

  it('refuses to start on a checkpoint past the end of the log, with the error class of one thread', async () => {
    const docs = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    await docs.commit([], [{ name: 'read-models', position: 500 }]);
    await docs.close();
    const side = open();
    const started = side.start();
    await expect(started).rejects.toBeInstanceOf(CheckpointPastLogEndError);
    await expect(started).rejects.toMatchObject({ checkpoint: 500, head: 0 });
  });

  it('fails to start, saying why, when another process holds the documents file', async () => {
    const holder = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    try {
      const side = open();
      await expect(side.start()).rejects.toThrow(/The read side could not open its files \(.*read-models\.db, .*events\.db\): SqliteError: database is locked/);
      for (const p of await side.status()) expect(p).toMatchObject({ status: 'stopped', lastError: expect.stringMatching(/database is locked/) });
    } finally {
      await holder.close();
    }
  }, 20_000);

  it('when the thread dies, says so in the status instead of failing, and refuses document calls', async () => {
    const side = open();
    await side.start();
    const { position } = await acquire();
    await side.waitFor(position, 5_000);
    await (side as unknown as { worker: Worker }).worker.terminate();

    const status = await side.status();
    for (const p of status) expect(p).toMatchObject({ status: 'stopped', position, head: position, lastError: expect.stringMatching(/read-side thread exited/) });
    await expect(side.documents.find('profiles', {})).rejects.toThrow(/read-side thread exited/);
    expect(await side.waitFor(position + 1, 50)).toBe(false);
  });
});

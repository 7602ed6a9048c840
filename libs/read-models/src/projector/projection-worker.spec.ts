import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document, DocumentStore, Filter } from '../document-store/document-store.port';
import { EmbeddedDocumentStore } from '../document-store/embedded-document-store';
import { profileProjection } from '../projections/profile.projection';
import type { StoredEventLike } from '../projections/projected-event';
import { acquired, contacted, CUSTOMER, purchased, stream } from '../projections/projection.fixtures';
import { READ_MODEL_PROJECTIONS } from '../projections/read-model-projections';
import { ProjectionWorker } from './projection-worker';

const TARGETS = READ_MODEL_PROJECTIONS.map((projection) => ({ projection, collection: projection.collection }));
const NOW = () => '2026-02-01T00:00:00.000Z';
const EVENTS: StoredEventLike[] = stream([acquired(), contacted(), purchased('o-1', 1_000), contacted(), purchased('o-2', 2_000)]).map(
  ({ customerId, type, revision, position, data, metadata }) => ({ streamId: `customer-${customerId}`, type, revision, position, data, metadata: { ...metadata } }),
);

/** The embedded store, counting the look-ups of documents by id (one per collection and batch). */
function counting(store: EmbeddedDocumentStore): DocumentStore & { reads: number } {
  const counted = Object.create(store) as DocumentStore & { reads: number };
  counted.reads = 0;
  counted.findOne = <T extends Document>(collection: string, filter: Filter) => {
    counted.reads++;
    return store.findOne<T>(collection, filter);
  };
  counted.findByIds = <T extends Document>(collection: string, ids: readonly string[]) => {
    counted.reads++;
    return store.findByIds<T>(collection, ids);
  };
  return counted;
}

describe('ProjectionWorker keepWritten', () => {
  let dir: string;
  let embedded: EmbeddedDocumentStore;
  let store: DocumentStore & { reads: number };
  const profile = () => embedded.findOne<Document & { purchaseCount: number }>(profileProjection.collection, { _id: CUSTOMER });
  const batch = async (worker: ProjectionWorker, revision: number) => {
    expect(await worker.apply([EVENTS[revision]], NOW)).toEqual([]);
    await worker.flush();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-worker-'));
    embedded = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    store = counting(embedded);
  });
  afterEach(async () => {
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a customer once, then folds later batches onto the documents it wrote', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live', { keepWritten: 10 });
    await worker.start();
    await batch(worker, 0);
    expect(store.reads).toBe(TARGETS.length);
    await batch(worker, 1);
    await batch(worker, 2);
    expect(store.reads).toBe(TARGETS.length);
    expect(await profile()).toMatchObject({ revision: 2, purchaseCount: 1 });
  });

  it('without keepWritten reads the documents of every batch', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live');
    await worker.start();
    for (const revision of [0, 1, 2]) await batch(worker, revision);
    expect(store.reads).toBe(3 * TARGETS.length);
  });

  it('drops everything kept once a write is skipped: someone else wrote those documents', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live', { keepWritten: 10 });
    await worker.start();
    await batch(worker, 0);
    await batch(worker, 1);
    // Another writer (a rebuild switch by another instance, say) put newer documents in place.
    const other = new ProjectionWorker(embedded, TARGETS, 'other');
    await other.start();
    expect(await other.apply(EVENTS.slice(0, 4), NOW)).toEqual([]);
    await other.flush();
    await batch(worker, 2); // folded onto what it kept (revision 1): the stored revision 3 wins, the write is skipped
    expect(await profile()).toMatchObject({ revision: 3, purchaseCount: 1 });
    const before = store.reads;
    await batch(worker, 4); // read again, so no gap: revision 4 follows the stored 3
    expect(store.reads).toBe(before + TARGETS.length);
    expect(await profile()).toMatchObject({ revision: 4, purchaseCount: 2 });
  });

  it('reads again after forgetWritten (a rebuild switch) and after start', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live', { keepWritten: 10 });
    await worker.start();
    await batch(worker, 0);
    worker.forgetWritten();
    await batch(worker, 1);
    expect(store.reads).toBe(2 * TARGETS.length);
    await worker.start();
    await batch(worker, 2);
    expect(store.reads).toBe(3 * TARGETS.length);
  });

  it('keeps at most keepWritten customers, dropping the least recently used', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live', { keepWritten: 1 });
    await worker.start();
    const other = EVENTS.map((e) => ({ ...e, streamId: 'customer-7d1e3a52-0000-4000-8000-000000000001', data: { ...e.data, customerId: '7d1e3a52-0000-4000-8000-000000000001' } }));
    await batch(worker, 0);
    expect(await worker.apply([other[0]], NOW)).toEqual([]);
    await worker.flush();
    expect(store.reads).toBe(2 * TARGETS.length);
    await batch(worker, 1); // CUSTOMER was pushed out by the other one
    expect(store.reads).toBe(3 * TARGETS.length);
  });
});

describe('ProjectionWorker flush', () => {
  let dir: string;
  let store: EmbeddedDocumentStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-worker-'));
    store = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing when no document changed and the checkpoint has not moved', async () => {
    const worker = new ProjectionWorker(store, TARGETS, 'live');
    await worker.start();
    const commit = jest.spyOn(store, 'commit');
    await worker.flush(); // nothing yet
    expect(commit).not.toHaveBeenCalled();
    worker.advanceTo(7); // a watermark: the checkpoint moves
    await worker.flush();
    worker.advanceTo(5); // an older watermark again (at least once): nothing moves
    await worker.flush();
    expect(commit).toHaveBeenCalledTimes(1);
    expect(await store.readCheckpoint('live')).toBe(7);
    expect(await worker.apply([EVENTS[0]], NOW)).toEqual([]);
    await worker.flush();
    expect(commit).toHaveBeenCalledTimes(2);
    // After a restart the stored checkpoint is the mark: the same position is not written again.
    const restarted = new ProjectionWorker(store, TARGETS, 'live');
    await restarted.start();
    restarted.advanceTo(EVENTS[0].position);
    await restarted.flush();
    expect(commit).toHaveBeenCalledTimes(2);
  });
});

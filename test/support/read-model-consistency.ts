import type { EventStore, RecordedEvent } from '@crm/event-store';
import {
  type Document,
  type DocumentStore,
  EmbeddedDocumentStore,
  LIVE_PROJECTOR,
  parkedCollectionOf,
  READ_MODEL_PROJECTIONS,
  Rebuild,
} from './read-models';

/** Every document of every read-model collection, sorted by _id. */
export type ReadModelSnapshot = Record<string, Document[]>;

export const READ_MODEL_COLLECTIONS = READ_MODEL_PROJECTIONS.map((p) => p.collection);

export async function snapshotOf(store: DocumentStore): Promise<ReadModelSnapshot> {
  const snapshot: ReadModelSnapshot = {};
  for (const collection of READ_MODEL_COLLECTIONS) snapshot[collection] = await store.find(collection, {}, { sort: { _id: 1 } });
  return snapshot;
}

/** What a read-model file durably holds: opened afresh, so nothing comes from a live process's memory. */
export async function persistedSnapshot(file: string): Promise<{ snapshot: ReadModelSnapshot; checkpoint: number | null; parked: Document[] }> {
  const store = new EmbeddedDocumentStore(file);
  try {
    return {
      snapshot: await snapshotOf(store),
      checkpoint: await store.readCheckpoint(LIVE_PROJECTOR),
      parked: await store.find(parkedCollectionOf(LIVE_PROJECTOR), {}),
    };
  } finally {
    await store.close();
  }
}

/** Every read model built from scratch from the whole event log into a fresh file (the oracle), as persisted. */
export async function rebuiltSnapshot(events: EventStore, file: string): Promise<ReadModelSnapshot> {
  const store = new EmbeddedDocumentStore(file);
  try {
    const progress = await new Rebuild(events, store, READ_MODEL_PROJECTIONS, null).run();
    if (progress.phase !== 'done') throw new Error(`The rebuild ended ${progress.phase}: ${progress.error}`);
  } finally {
    await store.close();
  }
  return (await persistedSnapshot(file)).snapshot;
}

/**
 * Deep, strict equality of two snapshots. On a difference it reports the first few documents that
 * differ (by collection and _id) before the whole diff, which would bury them.
 */
export function expectSameReadModels(actual: ReadModelSnapshot, expected: ReadModelSnapshot): void {
  const differences: string[] = [];
  for (const collection of READ_MODEL_COLLECTIONS) {
    const mine = new Map((actual[collection] ?? []).map((d) => [d._id, d]));
    const theirs = new Map((expected[collection] ?? []).map((d) => [d._id, d]));
    for (const [id, doc] of theirs) {
      const other = mine.get(id);
      if (!other) differences.push(`${collection}/${id}: missing (rebuild has revision ${doc.revision})`);
      else if (!equalJson(other, doc)) differences.push(`${collection}/${id}: ${JSON.stringify(other)}\n    rebuild: ${JSON.stringify(doc)}`);
    }
    for (const id of mine.keys()) if (!theirs.has(id)) differences.push(`${collection}/${id}: not in the rebuild`);
  }
  if (differences.length > 0) {
    throw new Error(`${differences.length} read-model documents differ from a rebuild:\n  ${differences.slice(0, 5).join('\n  ')}`);
  }
  expect(actual).toStrictEqual(expected);
}

function equalJson(a: unknown, b: unknown): boolean {
  try {
    expect(a).toStrictEqual(b);
    return true;
  } catch {
    return false;
  }
}

/** Checks the log itself: positions strictly increase and every stream's revisions are 0, 1, 2... with no gap. */
export function expectWellFormedLog(log: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const streams = new Map<string, RecordedEvent[]>();
  for (let i = 0; i < log.length; i++) {
    if (i > 0 && log[i].position <= log[i - 1].position) throw new Error(`Position ${log[i].position} follows ${log[i - 1].position}`);
    const events = streams.get(log[i].streamId) ?? [];
    if (log[i].revision !== events.length) {
      throw new Error(`Stream ${log[i].streamId}: revision ${log[i].revision} where ${events.length} was next (a gap or a duplicate)`);
    }
    events.push(log[i]);
    streams.set(log[i].streamId, events);
  }
  return streams;
}

/** A snapshot is not vacuous: one profile per acquired customer, each at its stream's last revision. */
export function expectProfilesCoverLog(snapshot: ReadModelSnapshot, streams: Map<string, RecordedEvent[]>): void {
  const revisions = Object.fromEntries((snapshot.profiles ?? []).map((d) => [`customer-${d._id}`, d.revision]));
  const expected = Object.fromEntries([...streams].map(([id, events]) => [id, events.length - 1]));
  expect(revisions).toEqual(expected);
}

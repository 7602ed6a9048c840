import type { Document, DocumentStore, DocumentWrite } from '../document-store/document-store.port';
import { type ProjectedEvent, type StoredEventLike, toProjectedEvent } from '../projections/projected-event';
import { project, type Projection, type ProjectionDocument } from '../projections/projection';

/** Each runner parks in its own collection, so a fresh rebuild retries what the live projector parked. */
export function parkedCollectionOf(runner: string): string {
  return `parked_${runner.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

/** A customer whose events cannot be applied (a revision gap, an unknown event type, a bug): skipped until repaired. */
export interface ParkedCustomer extends Document {
  reason: string;
  position: number;
  parkedAt: string;
}

export interface Target {
  projection: Projection;
  /** Where this projection writes: its live collection, or the one a rebuild fills. */
  collection: string;
}

/**
 * Applies event batches to documents under the revision rule and writes them back with a
 * checkpoint. Documents touched since the last flush are kept in memory, so a rebuild can fold
 * many events per document before writing it once.
 */
export class ProjectionWorker {
  private readonly pending = new Map<string, Map<string, ProjectionDocument>>();
  private readonly parked = new Map<string, ParkedCustomer>();
  private readonly parkedCollection: string;
  private dirty = 0;
  private position = 0;

  constructor(
    private readonly store: DocumentStore,
    private readonly targets: readonly Target[],
    private readonly checkpointName: string,
    private readonly onPark: (customer: ParkedCustomer) => void = () => undefined,
  ) {
    for (const t of targets) this.pending.set(t.collection, new Map());
    this.parkedCollection = parkedCollectionOf(checkpointName);
  }

  /** Loads the checkpoint and parked customers; anything not yet flushed is dropped (it will be replayed). */
  async start(): Promise<number> {
    for (const docs of this.pending.values()) docs.clear();
    this.dirty = 0;
    this.parked.clear();
    for (const p of await this.store.find<ParkedCustomer>(this.parkedCollection, {})) this.parked.set(p._id, p);
    this.position = (await this.store.readCheckpoint(this.checkpointName)) ?? 0;
    return this.position;
  }

  get unflushed(): number {
    return this.dirty;
  }

  get checkpoint(): number {
    return this.position;
  }

  parkedCustomers(): ParkedCustomer[] {
    return [...this.parked.values()];
  }

  async apply(batch: readonly StoredEventLike[], recordedAt: () => string): Promise<void> {
    for (const stored of batch) {
      await this.applyOne(stored, recordedAt);
      this.position = stored.position;
    }
  }

  /** Writes what changed and the checkpoint in one commit (atomic on the embedded store). */
  async flush(): Promise<void> {
    const writes: DocumentWrite[] = [];
    for (const [collection, docs] of this.pending) for (const doc of docs.values()) writes.push({ collection, doc });
    await this.store.commit(writes, [{ name: this.checkpointName, position: this.position }]);
    for (const docs of this.pending.values()) docs.clear();
    this.dirty = 0;
  }

  private async applyOne(stored: StoredEventLike, recordedAt: () => string): Promise<void> {
    const customerId = stored.streamId.slice(stored.streamId.indexOf('-') + 1);
    if (this.parked.has(customerId)) return;
    let event: ProjectedEvent;
    try {
      event = toProjectedEvent(stored);
      const next: [Map<string, ProjectionDocument>, ProjectionDocument][] = [];
      for (const { projection, collection } of this.targets) {
        const docs = this.pending.get(collection)!;
        const doc = docs.get(customerId) ?? (await this.store.findOne<ProjectionDocument>(collection, { _id: customerId }));
        const updated = project(projection, doc, event);
        if (updated !== doc) next.push([docs, updated]);
      }
      // All read models of a customer move together, or none does.
      for (const [docs, doc] of next) {
        if (!docs.has(doc._id)) this.dirty++;
        docs.set(doc._id, doc);
      }
    } catch (error) {
      await this.park(customerId, stored, error, recordedAt());
    }
  }

  private async park(customerId: string, stored: StoredEventLike, error: unknown, at: string): Promise<void> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const parked: ParkedCustomer = { _id: customerId, revision: stored.revision, reason, position: stored.position, parkedAt: at };
    this.parked.set(customerId, parked);
    await this.store.commit([{ collection: this.parkedCollection, doc: parked }]);
    this.onPark(parked);
  }
}

import { LRUCache } from 'lru-cache';
import type { Document, DocumentStore, DocumentWrite } from '../document-store/document-store.port';
import { type StoredEventLike, toProjectedEvent } from '../projections/projected-event';
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

/** An event the worker did not apply: its customer is parked (now or before). */
/** Ids per query when documents are looked up together. */
const LOOK_UP_CHUNK = 500;

export interface Refused {
  /** Index of the event in the batch given to `apply`. */
  index: number;
  customerId: string;
  reason: string;
}

export interface Target {
  projection: Projection;
  /** Where this projection writes: its live collection, or the one a rebuild fills. */
  collection: string;
}

/** One customer's documents (by target, null: none yet) as of the events applied since the last flush. */
interface Held {
  docs: (ProjectionDocument | null)[];
  changed: boolean[];
}

const customerOf = (streamId: string) => streamId.slice(streamId.indexOf('-') + 1);

export interface ProjectionWorkerOptions {
  /**
   * Customers whose documents, once written, are kept for later batches instead of being read again
   * (0: none). Only for a worker that is the one writer of its customers' documents, as a Kafka
   * partition's is: whoever else may write them (a rebuild switch) must call forgetWritten().
   */
  keepWritten?: number;
}

/**
 * Applies event batches to documents under the revision rule and writes back what changed, with a
 * checkpoint. Documents touched since the last flush stay in memory, so a rebuild can fold many
 * events into a document before writing it once.
 */
export class ProjectionWorker {
  private readonly held = new Map<string, Held>();
  /** Documents as this worker last wrote (or read) them, by customer; null without keepWritten. */
  private readonly written: LRUCache<string, (ProjectionDocument | null)[]> | null;
  private readonly parked = new Map<string, ParkedCustomer>();
  private readonly parkedCollection: string;
  private changedCount = 0;
  private position = 0;
  /** The checkpoint as last written (or read at start). */
  private stored = 0;

  constructor(
    private readonly store: DocumentStore,
    private readonly targets: readonly Target[],
    private readonly checkpointName: string,
    options: ProjectionWorkerOptions = {},
  ) {
    this.parkedCollection = parkedCollectionOf(checkpointName);
    const keepWritten = options.keepWritten ?? 0;
    this.written = keepWritten > 0 ? new LRUCache({ max: keepWritten }) : null;
  }

  /** Loads the checkpoint and parked customers; anything not yet flushed is dropped (it will be replayed). */
  async start(): Promise<number> {
    this.forget();
    this.forgetWritten();
    this.parked.clear();
    for (const p of await this.store.find<ParkedCustomer>(this.parkedCollection, {})) this.parked.set(p._id, p);
    this.position = (await this.store.readCheckpoint(this.checkpointName)) ?? 0;
    this.stored = this.position;
    return this.position;
  }

  /** Documents changed since the last flush. */
  get unflushed(): number {
    return this.changedCount;
  }

  get checkpoint(): number {
    return this.position;
  }

  parkedCustomers(): ParkedCustomer[] {
    return [...this.parked.values()];
  }

  /**
   * Folds a batch in. Positions only move forward: a feed that delivers again what it delivered
   * before (at-least-once) does not move the checkpoint back.
   */
  async apply(batch: readonly StoredEventLike[], now: () => string): Promise<Refused[]> {
    const customers = batch.map((e) => customerOf(e.streamId));
    await this.load(customers);
    const parked: ParkedCustomer[] = [];
    const refused: Refused[] = [];
    batch.forEach((stored, index) => {
      const customerId = customers[index];
      const earlier = this.parked.get(customerId);
      if (earlier) {
        refused.push({ index, customerId, reason: `customer parked: ${earlier.reason}` });
      } else {
        const failure = this.fold(this.held.get(customerId)!, stored);
        if (failure) {
          const park = this.park(customerId, stored, failure, now());
          parked.push(park);
          refused.push({ index, customerId, reason: park.reason });
        }
      }
      this.advanceTo(stored.position);
    });
    if (parked.length > 0) await this.store.commit(parked.map((doc) => ({ collection: this.parkedCollection, doc })));
    return refused;
  }

  /** Moves the checkpoint forward without events (a feed's watermark). */
  advanceTo(position: number): void {
    if (position > this.position) this.position = position;
  }

  /**
   * Writes what changed, then the checkpoint with the last chunk. A crash between chunks leaves
   * the checkpoint behind documents already written: the replay skips them by revision. With
   * nothing changed and the checkpoint where it was, nothing is written.
   */
  async flush(chunk = 20_000): Promise<void> {
    const writes: DocumentWrite[] = [];
    for (const { docs, changed } of this.held.values()) {
      changed.forEach((c, i) => c && writes.push({ collection: this.targets[i].collection, doc: docs[i]! }));
    }
    if (writes.length === 0 && this.position === this.stored) return this.forget();
    const position = this.position;
    let skipped = 0;
    for (let from = 0; from + chunk < writes.length; from += chunk) skipped += (await this.store.commit(writes.slice(from, from + chunk))).skipped;
    const last = await this.store.commit(writes.slice(Math.floor(Math.max(0, writes.length - 1) / chunk) * chunk), [
      { name: this.checkpointName, position },
    ]);
    this.stored = position;
    this.keep(skipped + last.skipped);
    this.forget();
  }

  /** Drops the documents kept from earlier flushes: the next batches read them from the store again. */
  forgetWritten(): void {
    this.written?.clear();
  }

  /**
   * Reads the documents of customers not held in memory yet, before folding: per read model one
   * query for all of them where the store can (a server), else one look-up each (in memory).
   */
  private async load(customers: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const id of new Set(customers)) {
      if (this.held.has(id)) continue;
      const kept = this.written?.get(id);
      if (kept) this.held.set(id, { docs: [...kept], changed: kept.map(() => false) });
      else missing.push(id);
    }
    if (missing.length === 0) return;
    const found = await Promise.all(this.targets.map((t) => this.lookUp(t.collection, missing)));
    for (const id of missing) this.held.set(id, { docs: found.map((docs) => docs.get(id) ?? null), changed: found.map(() => false) });
  }

  private async lookUp(collection: string, ids: readonly string[]): Promise<Map<string, ProjectionDocument>> {
    const found = new Map<string, ProjectionDocument>();
    if (this.store.findByIds) {
      for (let from = 0; from < ids.length; from += LOOK_UP_CHUNK) {
        for (const doc of await this.store.findByIds<ProjectionDocument>(collection, ids.slice(from, from + LOOK_UP_CHUNK))) found.set(doc._id, doc);
      }
    } else {
      for (const id of ids) {
        const doc = await this.store.findOne<ProjectionDocument>(collection, { _id: id });
        if (doc) found.set(id, doc);
      }
    }
    return found;
  }

  /** All read models of a customer move together, or none does. Returns the failure, if any. */
  private fold(held: Held, stored: StoredEventLike): unknown {
    try {
      const event = toProjectedEvent(stored);
      const next = this.targets.map((t, i) => project(t.projection, held.docs[i], event));
      next.forEach((doc, i) => {
        if (doc === held.docs[i]) return;
        held.docs[i] = doc;
        if (!held.changed[i]) {
          held.changed[i] = true;
          this.changedCount++;
        }
      });
      return null;
    } catch (error) {
      return error;
    }
  }

  private park(customerId: string, stored: StoredEventLike, error: unknown, at: string): ParkedCustomer {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const parked: ParkedCustomer = { _id: customerId, revision: stored.revision, reason, position: stored.position, parkedAt: at };
    this.parked.set(customerId, parked);
    return parked;
  }

  /**
   * After a flush: the documents held are what the store has now, unless a write was skipped
   * because the store had a newer revision. Then someone else writes these documents too, and
   * nothing kept can be trusted.
   */
  private keep(skipped: number): void {
    if (!this.written) return;
    if (skipped > 0) return this.forgetWritten();
    for (const [id, { docs }] of this.held) this.written.set(id, docs);
  }

  private forget(): void {
    this.held.clear();
    this.changedCount = 0;
  }
}

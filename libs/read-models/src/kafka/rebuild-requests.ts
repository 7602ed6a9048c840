import type { Document, DocumentStore } from '../document-store/document-store.port';
import { RebuildConflictError } from '../projector/read-side';
import type { RebuildProgress } from '../projector/rebuild';

const COLLECTION = 'projection_control';
const ID = 'rebuild';
const ACTIVE = new Set(['requested', 'copying', 'switching']);

export type RebuildRequest = Document &
  Omit<RebuildProgress, 'phase'> & {
    phase: RebuildProgress['phase'] | 'requested';
  };

/**
 * Rebuilds asked of another process: the API records the request, and the projector process that
 * claims it runs the rebuild (where it can hold its own feed still for the switch) and reports
 * progress back here. The document's revision makes every step a compare-and-set.
 */
export class RebuildRequests {
  constructor(private readonly store: DocumentStore) {}

  current(): Promise<RebuildRequest | null> {
    return this.store.findOne<RebuildRequest>(COLLECTION, { _id: ID });
  }

  async request(projections: readonly string[], now: string): Promise<RebuildRequest> {
    const last = await this.current();
    if (last && ACTIVE.has(last.phase)) throw new RebuildConflictError(last.projections);
    const request: RebuildRequest = {
      _id: ID,
      revision: (last?.revision ?? 0) + 1,
      projections: [...projections],
      phase: 'requested',
      position: 0,
      head: 0,
      events: 0,
      startedAt: now,
      finishedAt: null,
      error: null,
    };
    if ((await this.store.commit([{ collection: COLLECTION, doc: request }])).applied === 0) {
      throw new RebuildConflictError([...projections]);
    }
    return request;
  }

  /** Takes a waiting request; of several projector processes exactly one succeeds. */
  async claim(): Promise<RebuildRequest | null> {
    const waiting = await this.current();
    if (!waiting || waiting.phase !== 'requested') return null;
    const claimed: RebuildRequest = { ...waiting, revision: waiting.revision + 1, phase: 'copying' };
    return (await this.store.commit([{ collection: COLLECTION, doc: claimed }])).applied === 1 ? claimed : null;
  }

  async report(claimed: RebuildRequest, progress: RebuildProgress): Promise<RebuildRequest> {
    const next: RebuildRequest = { ...claimed, ...progress, _id: ID, revision: claimed.revision + 1 };
    await this.store.commit([{ collection: COLLECTION, doc: next }]);
    return next;
  }
}

import type { EventStore } from '@crm/event-store';
import type { DocumentStore } from '../document-store/document-store.port';
import { type Projection } from '../projections/projection';
import { READ_MODEL_PROJECTIONS } from '../projections/read-model-projections';
import type { ReadPosition } from '../queries/read-position';
import { Projector, type ProjectorState } from './projector';
import { Rebuild, type RebuildProgress } from './rebuild';

export const LIVE_PROJECTOR = 'read-models';
export const READ_SIDE = Symbol('READ_SIDE');

export interface ProjectionStatus {
  name: string;
  collection: string;
  /** 'degraded': live, but some customers are parked (their documents stop at the event that parked them). */
  status: ProjectorState | 'rebuilding' | 'degraded';
  position: number;
  head: number;
  lagEvents: number;
  lagSeconds: number;
  parkedCustomers: number;
  parked: { customerId: string; reason: string; position: number }[];
  lastError: string | null;
  rebuild: RebuildProgress | null;
}

/** What the API needs of the read side, whichever feed fills it. */
export interface ReadModels extends ReadPosition {
  status(): Promise<ProjectionStatus[]>;
  /** Starts a rebuild of the named read models; progress shows in status(). */
  startRebuild(names: readonly string[]): Promise<RebuildProgress>;
}

export class RebuildConflictError extends Error {
  constructor(readonly running: string[]) {
    super(`A rebuild of ${running.join(', ')} is running`);
    this.name = 'RebuildConflictError';
  }
}

/**
 * The read side in one process (the embedded default): the live projector following the event
 * store, rebuilds on demand, and the status analysts and operators see.
 */
export class ReadSide implements ReadModels {
  readonly projector: Projector;
  private rebuild: { run: Rebuild; done: Promise<unknown> } | null = null;
  private lastRebuild: RebuildProgress | null = null;

  constructor(
    private readonly events: EventStore,
    private readonly store: DocumentStore,
    private readonly clock: () => Date,
    private readonly projections: readonly Projection[] = READ_MODEL_PROJECTIONS,
    options: { maxBatchSize?: number } = {},
  ) {
    this.projector = new Projector(
      events,
      store,
      projections.map((projection) => ({ projection, collection: projection.collection })),
      LIVE_PROJECTOR,
      { now: clock, maxBatchSize: options.maxBatchSize },
    );
  }

  start(): Promise<void> {
    return this.projector.start();
  }

  async stop(): Promise<void> {
    await this.rebuild?.done.catch(() => undefined);
    await this.projector.stop();
  }

  async current(): Promise<number> {
    return this.projector.position;
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.projector.waitFor(position, timeoutMs);
  }

  /** Starts a rebuild of one read model, or of all of them ('all'); progress shows in status(). */
  async startRebuild(names: readonly string[], onProgress?: (p: RebuildProgress) => void): Promise<RebuildProgress> {
    if (this.rebuild) throw new RebuildConflictError(this.rebuild.run.progress.projections);
    const chosen = this.projections.filter((p) => names.includes(p.name));
    const run = new Rebuild(this.events, this.store, chosen, this.projector, { now: this.clock, onProgress });
    const done = run.run().finally(() => {
      this.lastRebuild = run.progress;
      this.rebuild = null;
    });
    done.catch(() => undefined);
    this.rebuild = { run, done };
    return run.progress;
  }

  /** Resolves when the running rebuild (if any) has finished. */
  async rebuildFinished(): Promise<RebuildProgress | null> {
    await this.rebuild?.done.catch(() => undefined);
    return this.lastRebuild;
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.lastPosition();
    const position = this.projector.position;
    const { state, lastError, parked } = this.projector.status;
    const lagSeconds = await this.lagSeconds(position, head);
    const running = this.rebuild?.run.progress ?? null;
    return this.projections.map((p) => {
      const rebuild = running?.projections.includes(p.name) ? running : this.lastRebuild?.projections.includes(p.name) ? this.lastRebuild : null;
      return {
        name: p.name,
        collection: p.collection,
        status: running?.projections.includes(p.name) ? 'rebuilding' : state === 'live' && parked.length > 0 ? 'degraded' : state,
        position,
        head,
        lagEvents: Math.max(0, head - position),
        lagSeconds,
        parkedCustomers: parked.length,
        parked: parked.slice(0, 20).map((c) => ({ customerId: c._id, reason: c.reason, position: c.position })),
        lastError,
        rebuild,
      };
    });
  }

  /** How long the oldest event not yet in the read models has been waiting. */
  private async lagSeconds(position: number, head: number): Promise<number> {
    if (position >= head) return 0;
    const [next] = await this.events.readAll({ fromPosition: position + 1, maxCount: 1 });
    const recordedAt = next ? Date.parse(String(next.metadata.recordedAt)) : NaN;
    return Number.isNaN(recordedAt) ? 0 : Math.max(0, (this.clock().getTime() - recordedAt) / 1000);
  }
}

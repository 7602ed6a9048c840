import type { EventStore } from '@crm/event-store';
import type { DocumentStore } from '../document-store/document-store.port';
import type { Projection } from '../projections/projection';
import { parkedCollectionOf, ProjectionWorker } from './projection-worker';

export type RebuildPhase = 'copying' | 'switching' | 'done' | 'failed';

export interface RebuildProgress {
  projections: string[];
  phase: RebuildPhase;
  /** Global position the new version has reached, and the log's head when last looked at. */
  position: number;
  head: number;
  events: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface RebuildOptions {
  pageSize?: number;
  /**
   * Documents folded in memory before they are written out: bounds memory, not correctness. Each
   * flush writes every document touched since the last, so fewer flushes mean far fewer writes.
   */
  maxUnflushed?: number;
  now?: () => Date;
  onProgress?: (progress: RebuildProgress) => void;
}

export const REBUILD_SUFFIX = '__rebuild';

/** The live feed of the read models: held still while the rebuilt version replaces the live one. */
export interface Pausable {
  /** Resolves once no batch is being written. */
  pause(): Promise<void>;
  resume(): void;
}

/**
 * Rebuild without downtime: the new version is built beside the live one from the whole event log,
 * catches up, and replaces it by an atomic rename while the live projector is paused for a moment.
 * Queries keep reading the old version until then. Events the live projector sees again after the
 * switch are no-ops under the revision rule.
 */
export class Rebuild {
  readonly progress: RebuildProgress;
  private readonly checkpoint: string;

  constructor(
    private readonly events: EventStore,
    private readonly store: DocumentStore,
    private readonly projections: readonly Projection[],
    private readonly live: Pausable | null,
    private readonly options: RebuildOptions = {},
  ) {
    const names = projections.map((p) => p.name);
    this.checkpoint = `rebuild:${names.join('+')}`;
    this.progress = { projections: names, phase: 'copying', position: 0, head: 0, events: 0, startedAt: this.now(), finishedAt: null, error: null };
  }

  async run(): Promise<RebuildProgress> {
    try {
      const worker = await this.freshWorker();
      await this.copy(worker);
      this.update({ phase: 'switching' });
      await this.live?.pause();
      try {
        await this.copy(worker);
        for (const p of this.projections) await this.store.renameCollection(p.collection + REBUILD_SUFFIX, p.collection);
        await this.store.deleteCheckpoint(this.checkpoint);
      } finally {
        this.live?.resume();
      }
      this.update({ phase: 'done', finishedAt: this.now() });
    } catch (error) {
      this.update({ phase: 'failed', finishedAt: this.now(), error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    return this.progress;
  }

  private async freshWorker(): Promise<ProjectionWorker> {
    for (const p of this.projections) await this.store.dropCollection(p.collection + REBUILD_SUFFIX);
    await this.store.deleteCheckpoint(this.checkpoint);
    await this.store.dropCollection(parkedCollectionOf(this.checkpoint));
    const targets = this.projections.map((projection) => ({ projection, collection: projection.collection + REBUILD_SUFFIX }));
    const worker = new ProjectionWorker(this.store, targets, this.checkpoint);
    await worker.start();
    return worker;
  }

  /** Folds the log from the worker's position up to the head, flushing when enough is held in memory. */
  private async copy(worker: ProjectionWorker): Promise<void> {
    const pageSize = this.options.pageSize ?? 250;
    const maxUnflushed = this.options.maxUnflushed ?? 1_000_000;
    this.update({ head: await this.events.lastPosition() });
    for (;;) {
      const page = await this.events.readAll({ fromPosition: worker.checkpoint + 1, maxCount: pageSize });
      if (page.length === 0) break;
      await worker.apply(page, () => this.now());
      this.update({ position: worker.checkpoint, events: this.progress.events + page.length });
      if (worker.unflushed >= maxUnflushed) await worker.flush();
      if (page.length < pageSize) this.update({ head: await this.events.lastPosition() });
      // The embedded stores answer synchronously: without this yield the whole rebuild ran in one turn of
      // the event loop, and no query was answered (nor the live projector advanced) until it ended. With
      // small pages, a query waits for one page of folding at most.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await worker.flush();
  }

  private update(change: Partial<RebuildProgress>): void {
    Object.assign(this.progress, change);
    this.options.onProgress?.(this.progress);
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

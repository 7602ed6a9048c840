import { assertCheckpointWithinLog, type EventStore, type Subscription } from '@crm/event-store';
import type { DocumentStore } from '../document-store/document-store.port';
import { PositionWatch } from './position-watch';
import { type ParkedCustomer, ProjectionWorker, type Target } from './projection-worker';

export type ProjectorState = 'starting' | 'live' | 'paused' | 'retrying' | 'stopped';

export interface ProjectorOptions {
  maxBatchSize?: number;
  /** Wait before resubscribing after a failure (store or handler error). */
  retryDelayMs?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

/**
 * The live projector of the embedded default: follows the event store's global log from its
 * checkpoint and keeps the read models current. Each batch is committed with the checkpoint, so
 * a crash at any point neither loses events nor counts one twice.
 */
export class Projector {
  private readonly worker: ProjectionWorker;
  /** The position committed with the read models. */
  private readonly flushed = new PositionWatch();
  private subscription: Subscription | null = null;
  private state: ProjectorState = 'starting';
  private lastError: string | null = null;
  private stopping = false;
  /** The retry loop is running (waiting or resetting the worker): it is the only one that may follow. */
  private recovering = false;
  /** A batch failed and the worker has not been reset since: it must be, before it folds anything. */
  private needsReset = false;

  constructor(
    private readonly events: EventStore,
    store: DocumentStore,
    readonly targets: readonly Target[],
    readonly name: string,
    private readonly options: ProjectorOptions = {},
  ) {
    this.worker = new ProjectionWorker(store, targets, name);
  }

  /** Throws CheckpointPastLogEndError, following nothing, if the checkpoint is past the end of the log. */
  async start(): Promise<void> {
    const checkpoint = await this.worker.start();
    await assertCheckpointWithinLog(this.events, this.name, checkpoint);
    this.flushed.set(checkpoint);
    this.follow();
  }

  /** The global position the read models reflect (committed with them). */
  get position(): number {
    return this.flushed.position;
  }

  get status(): { state: ProjectorState; lastError: string | null; parked: ParkedCustomer[] } {
    return { state: this.state, lastError: this.lastError, parked: this.worker.parkedCustomers() };
  }

  /** Calls `listener` with each position the read models reach; returns a function that stops the calls. */
  onAdvance(listener: (position: number) => void): () => void {
    return this.flushed.onAdvance(listener);
  }

  /** Resolves true once the read models reflect `position`, false after the timeout. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.flushed.waitFor(position, timeoutMs);
  }

  /** Stops after the batch in progress is committed (a rebuild switch needs the read models still). */
  async pause(): Promise<void> {
    this.state = 'paused';
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    if (this.recovering || this.needsReset) {
      // Paused while recovering from a failure: following now would fold batches into a worker
      // still holding the failed batch, or one that a reset in flight then empties. The retry
      // loop resets the worker and follows; a loop still running sees the state back at 'retrying'.
      this.state = 'retrying';
      if (!this.recovering) void this.recover(new Error(this.lastError ?? 'The projector was paused while recovering'));
      return;
    }
    this.follow();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.pause();
    this.state = 'stopped';
  }

  private follow(): void {
    this.state = 'live';
    const subscription = this.events.subscribeToAll(
      { afterPosition: this.worker.checkpoint, maxBatchSize: this.options.maxBatchSize ?? 1000 },
      async (batch) => {
        await this.worker.apply(batch, () => this.now().toISOString());
        await this.worker.flush();
        this.flushed.set(this.worker.checkpoint);
      },
    );
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => {
      if (this.subscription === subscription) return void this.recover(error);
      // The batch in flight when pause() was called failed: the worker holds it folded but not
      // written, with its checkpoint moved past it. resume() must reset the worker, not follow on.
      this.needsReset = true;
      this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    });
  }

  /** Resubscribes from the committed checkpoint; the failed batch's unflushed documents are dropped and replayed. */
  private async recover(error: unknown): Promise<void> {
    this.subscription = null;
    this.state = 'retrying';
    this.needsReset = true;
    this.recovering = true;
    try {
      for (let failure = error; this.state === 'retrying' && !this.stopping; ) {
        this.lastError = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
        this.options.onError?.(failure);
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000));
        if (this.state !== 'retrying' || this.stopping) return;
        try {
          this.flushed.set(await this.worker.start());
          this.needsReset = false;
        } catch (next) {
          failure = next;
          continue;
        }
        // A rebuild may have paused the projector (or a shutdown stopped it) while the checkpoint
        // was read: following now would write beside the switch. resume() follows later.
        if (this.state !== 'retrying' || this.stopping) return;
        this.follow();
        return;
      }
    } finally {
      this.recovering = false;
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

import type { BatchHandler, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import type { CommitSignal } from './commit-signal';

export interface LogSource {
  /** Up to `maxCount` events with a position greater than `afterPosition`, in log order. */
  readAfter(afterPosition: number, maxCount: number): RecordedEvent[];
  readonly commits: CommitSignal;
  /** Fallback for commits made by another process, which the in-process signal cannot see. */
  readonly pollIntervalMs: number;
}

/**
 * One loop serves both catch-up and live: it reads the log after its own checkpoint until a read
 * comes back empty, then sleeps until a local commit or the poll timer. Because there is no separate
 * live feed to switch to, nothing can be lost or delivered twice at the switch.
 */
export class LogSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly source: LogSource,
    private checkpoint: number,
    private readonly maxBatchSize: number,
    private readonly handler: BatchHandler,
  ) {
    this.done = this.run();
    // Failures are reported through `done`; this only keeps an unobserved `done` from crashing the process.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Deliver nothing before subscribeToAll() has returned the subscription to its caller.
    await Promise.resolve();
    while (!this.stopped) {
      const batch = this.source.readAfter(this.checkpoint, this.maxBatchSize);
      if (batch.length === 0) {
        await this.sleep();
        continue;
      }
      await this.handler(batch);
      this.checkpoint = batch[batch.length - 1].position;
    }
  }

  // The empty read and the registration for the next commit happen in the same synchronous turn,
  // so a local commit cannot slip in between and be missed.
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), this.source.pollIntervalMs);
      const cancel = this.source.commits.once(() => finish());
      const finish = () => {
        clearTimeout(timer);
        cancel();
        this.wake = null;
        resolve();
      };
      this.wake = finish;
    });
  }
}

const DEFAULT_BATCH = 500;

/** The subscriptions a store has open on its log: started with the port's options, stopped together. */
export class LogSubscriptions {
  private readonly open = new Set<LogSubscription>();

  get size(): number {
    return this.open.size;
  }

  start(source: LogSource, options: SubscribeOptions, handler: BatchHandler): Subscription {
    const batchSize = options.maxBatchSize && options.maxBatchSize > 0 ? options.maxBatchSize : DEFAULT_BATCH;
    const subscription = new LogSubscription(source, options.afterPosition ?? 0, batchSize, handler);
    this.open.add(subscription);
    const forget = () => this.open.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  /** Stops every subscription, each after the batch it is handling. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.stop()));
  }
}

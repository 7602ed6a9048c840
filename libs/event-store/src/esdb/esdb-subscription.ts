import type { AllStreamResolvedEvent, AllStreamSubscription, ReadPosition } from '@kurrent/kurrentdb-client';
import type { BatchHandler, RecordedEvent, Subscription } from '../event-store.port';
import { isPermanentError, nextBackoff, subscriptionStart } from './esdb-mapping';

/** The part of the client's $all subscription (a Readable) used here; tests pass a plain Readable. */
export type EsdbFeed = Pick<AllStreamSubscription, 'on' | 'pause' | 'resume' | 'unsubscribe' | 'destroy'>;

export interface FeedSource {
  /** A catch-up subscription to $all that delivers events after `from` (exclusive). */
  open(from: ReadPosition): EsdbFeed;
  /** The port's event, or null for events outside the category. */
  toEvent(resolved: AllStreamResolvedEvent): RecordedEvent | null;
}

export interface EsdbSubscriptionOptions {
  afterPosition?: number;
  maxBatchSize: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

interface Attempt {
  feed: EsdbFeed;
  /** Listeners of a released feed keep firing (close, late errors) and must be ignored. */
  active: boolean;
  buffer: RecordedEvent[];
  paused: boolean;
  /** Highest position queued, to drop anything a (re)subscription repeats. */
  last: number;
  failure: { error: unknown; permanent: boolean } | null;
  startedAt: number;
}

const UNSUBSCRIBE_GRACE_MS = 2_000;

/**
 * A catch-up subscription to $all that survives drops: after an error or an unexpected end it
 * subscribes again from the last position handed to the handler, waiting between attempts
 * (doubling up to a cap, reset once an attempt delivers or lives long enough). Errors that a new
 * attempt cannot fix (access denied, invalid start position, undecodable events) end it, as do
 * handler errors, through `done`.
 *
 * Backpressure: events are buffered up to one batch ahead of the handler; beyond that the feed is
 * paused, which stops gRPC reads and lets HTTP/2 flow control hold the server back.
 */
export class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private wake: (() => void) | null = null;
  private checkpoint: number | undefined;

  constructor(
    private readonly source: FeedSource,
    private readonly options: EsdbSubscriptionOptions,
    private readonly handler: BatchHandler,
  ) {
    this.checkpoint = options.afterPosition;
    this.done = this.run();
    // Failures are reported through `done`; this only keeps an unobserved `done` from crashing the process.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Deliver nothing before subscribeToAll() has returned the subscription to its caller.
    await Promise.resolve();
    let backoff = this.options.initialBackoffMs;
    while (!this.stopped) {
      const attempt = this.connect();
      let delivered: boolean;
      try {
        delivered = await this.deliver(attempt);
      } finally {
        await release(attempt);
      }
      if (this.stopped) return;
      if (attempt.failure?.permanent) throw attempt.failure.error;
      if (delivered || Date.now() - attempt.startedAt >= this.options.maxBackoffMs) backoff = this.options.initialBackoffMs;
      await this.sleep(backoff);
      backoff = nextBackoff(backoff, this.options.maxBackoffMs);
    }
  }

  private connect(): Attempt {
    const after = this.checkpoint ?? 0;
    const feed = this.source.open(subscriptionStart(this.checkpoint));
    const attempt: Attempt = { feed, active: true, buffer: [], paused: false, last: after, failure: null, startedAt: Date.now() };
    const fail = (error: unknown, permanent = isPermanentError(error)) => {
      if (!attempt.active) return;
      attempt.failure ??= { error, permanent };
      this.signal();
    };
    feed.on('data', (resolved: AllStreamResolvedEvent) => {
      if (!attempt.active || attempt.failure) return;
      let event: RecordedEvent | null;
      try {
        event = this.source.toEvent(resolved);
      } catch (error) {
        fail(error, true);
        return;
      }
      if (!event || event.position <= attempt.last) return;
      attempt.last = event.position;
      attempt.buffer.push(event);
      if (attempt.buffer.length >= this.options.maxBatchSize && !attempt.paused) {
        attempt.paused = true;
        feed.pause();
      }
      this.signal();
    });
    feed.on('error', (error: Error) => fail(error));
    feed.on('end', () => fail(new Error('The server ended the $all subscription')));
    feed.on('close', () => fail(new Error('The $all subscription was closed')));
    return attempt;
  }

  /** Hands buffered events to the handler until stopped, or until the feed failed and its buffer is drained. */
  private async deliver(attempt: Attempt): Promise<boolean> {
    let delivered = false;
    for (;;) {
      if (this.stopped) return delivered;
      if (attempt.buffer.length > 0) {
        const batch = attempt.buffer.splice(0, this.options.maxBatchSize);
        if (attempt.paused && attempt.buffer.length < this.options.maxBatchSize) {
          attempt.paused = false;
          attempt.feed.resume();
        }
        await this.handler(batch);
        this.checkpoint = batch[batch.length - 1].position;
        delivered = true;
        continue;
      }
      if (attempt.failure) return delivered;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.signal(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function release(attempt: Attempt): Promise<void> {
  attempt.active = false;
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, UNSUBSCRIBE_GRACE_MS);
  });
  try {
    // unsubscribe() waits for the gRPC call to exist; a call that never got a channel must not hold up stop().
    await Promise.race([attempt.feed.unsubscribe().catch(() => undefined), grace]);
  } finally {
    clearTimeout(timer);
    attempt.feed.destroy();
  }
}

import { assertCheckpointWithinLog, type EventStore, type RecordedEvent, type Subscription } from '@crm/event-store';
import type { Kafka, Message, Producer } from 'kafkajs';
import { toCustomerEventMessage } from '../messages/customer-event.message';
import { toWatermarkMessage } from '../messages/watermark.message';

/** Where the relay keeps the global position up to which the broker has acknowledged every event. */
export interface RelayCheckpoints {
  read(name: string): Promise<number | null>;
  write(name: string, position: number): Promise<void>;
}

export interface RelayOptions {
  topic: string;
  checkpointName: string;
  checkpoints: RelayCheckpoints;
  batchSize?: number;
  /** Watermarks are rewritten to every partition after this long without a write. */
  heartbeatMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long stop() waits for a send the broker does not answer; that batch is sent again after a restart. */
  stopTimeoutMs?: number;
  now?: () => Date;
  /** Every failure, for the caller to log or count; the relay itself never logs. */
  onError?: (error: unknown) => void;
}

export type RelayState = 'idle' | 'running' | 'retrying' | 'stopping' | 'stopped';

export interface RelayStatus {
  state: RelayState;
  checkpoint: number | null;
  published: number;
  lastPublishedAt: string | null;
  lastError: string | null;
}

class Abandoned extends Error {
  constructor() {
    super('Relay stopped while the broker had not acknowledged the batch');
    this.name = 'Abandoned';
  }
}

/**
 * The gateway from the event store's global log to Kafka (CONVENTIONS 8): one subscription from the
 * checkpoint, a pure transform, key = customer id. The checkpoint moves only after the broker has
 * acknowledged a batch (acks -1), so a crash or a failed send republishes and never skips: delivery
 * is at least once, and consumers are idempotent by stream revision.
 */
export class Relay {
  private state: RelayState = 'idle';
  private checkpoint: number | null = null;
  private published = 0;
  private lastPublishedAt: string | null = null;
  private lastError: string | null = null;
  private partitions = 0;
  private failures = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private subscription: Subscription | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastWriteAt = 0;
  // Batches and heartbeats go through one lane, so watermark positions never go backwards.
  private lane: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private abandon: () => void = () => undefined;
  private abandoned: Promise<never> = new Promise(() => undefined);

  constructor(
    private readonly events: Pick<EventStore, 'subscribeToAll' | 'lastPosition'>,
    private readonly producer: Pick<Producer, 'send'>,
    private readonly kafka: Pick<Kafka, 'admin'>,
    private readonly options: RelayOptions,
  ) {}

  /**
   * Resolves once the relay is subscribed; throws if the topic or the checkpoint cannot be read, or
   * if the checkpoint is past the end of the log (CheckpointPastLogEndError).
   */
  async start(): Promise<void> {
    if (this.loop) throw new Error('The relay was already started; a stopped relay is replaced, not restarted');
    this.abandoned = new Promise<never>((_, reject) => (this.abandon = () => reject(new Abandoned())));
    this.abandoned.catch(() => undefined);
    this.partitions = await this.partitionCount();
    const checkpoint = (await this.options.checkpoints.read(this.options.checkpointName)) ?? 0;
    await assertCheckpointWithinLog(this.events, this.options.checkpointName, checkpoint);
    this.checkpoint = checkpoint;
    this.state = 'running';
    this.loop = this.run();
    const every = this.options.heartbeatMs ?? 5_000;
    this.heartbeat = setInterval(() => this.beat(every), Math.max(50, Math.floor(every / 2)));
    this.heartbeat.unref();
  }

  /** Lets the batch in flight finish (bounded by stopTimeoutMs), then stops. */
  async stop(): Promise<void> {
    if (!this.loop || this.stopping) return void (await this.loop);
    this.stopping = true;
    this.state = 'stopping';
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.wake?.();
    const deadline = setTimeout(() => this.abandon(), this.options.stopTimeoutMs ?? 15_000);
    try {
      await this.subscription?.stop();
      await this.loop;
      await this.lane;
    } finally {
      clearTimeout(deadline);
      this.state = 'stopped';
    }
  }

  status(): RelayStatus {
    const { state, checkpoint, published, lastPublishedAt, lastError } = this;
    return { state, checkpoint, published, lastPublishedAt, lastError };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.subscription = this.events.subscribeToAll(
          { afterPosition: this.checkpoint ?? 0, maxBatchSize: this.options.batchSize ?? 500 },
          (batch) => this.exclusive(() => this.publish(batch)),
        );
        await this.subscription.done;
        if (!this.stopping) throw new Error('The event store ended the subscription');
      } catch (error) {
        this.fail(error);
        if (this.stopping) return;
        // 'retrying' covers the wait only: once resubscribed, heartbeats resume even if no event comes.
        this.state = 'retrying';
        await this.sleep(this.backoffMs(++this.failures));
        if (!this.stopping) this.state = 'running';
      }
    }
  }

  private async publish(batch: RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const position = batch[batch.length - 1].position;
    // One produce request: within a partition Kafka keeps the request's order, so each partition's
    // watermark lands after every event of this batch on that partition, without a second round trip.
    await this.send([...batch.map(toCustomerEventMessage), ...this.watermarks(position)]);
    await this.options.checkpoints.write(this.options.checkpointName, position);
    this.checkpoint = position;
    this.published += batch.length;
    this.lastPublishedAt = (this.options.now?.() ?? new Date()).toISOString();
    this.failures = 0;
  }

  private watermarks(position: number): Message[] {
    return Array.from({ length: this.partitions }, (_, partition) => toWatermarkMessage(partition, position));
  }

  private async send(messages: Message[]): Promise<void> {
    await this.unlessAbandoned(this.producer.send({ topic: this.options.topic, acks: -1, messages }));
    this.lastWriteAt = Date.now();
  }

  private beat(every: number): void {
    if (this.state !== 'running' || Date.now() - this.lastWriteAt < every) return;
    this.lastWriteAt = Date.now();
    this.exclusive(async () => {
      if (this.state === 'running' && this.checkpoint !== null) await this.send(this.watermarks(this.checkpoint));
    }).catch((error: unknown) => this.fail(error));
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.lane.then(work);
    this.lane = next.catch(() => undefined);
    return next;
  }

  private unlessAbandoned<T>(sending: Promise<T>): Promise<T> {
    return Promise.race([sending, this.abandoned]);
  }

  private fail(error: unknown): void {
    this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.options.onError?.(error);
  }

  private backoffMs(failures: number): number {
    const { initialMs = 100, maxMs = 5_000 } = this.options.backoff ?? {};
    return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async partitionCount(): Promise<number> {
    const { topic } = this.options;
    const admin = this.kafka.admin();
    let count = 0;
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    } catch (error) {
      throw new Error(`Could not read the partitions of topic ${topic}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      await admin.disconnect();
    }
    if (count === 0) throw new Error(`Topic ${topic} has no partitions; create it first (ensureTopics)`);
    return count;
  }
}

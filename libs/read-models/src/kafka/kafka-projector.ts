import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { brokerErrorType, decodeFeedMessage, type MessageSender, toDeadLetterMessage } from '@crm/messaging';
import type { DocumentStore } from '../document-store/document-store.port';
import type { StoredEventLike } from '../projections/projected-event';
import { ProjectionWorker, type Target } from '../projector/projection-worker';
import { partitionCheckpointName } from '../queries/partition-watermark';

/** Wait before a crashed consumer (an error kafkajs does not retry) is replaced. */
const RESTART_DELAY_MS = 1_000;

/** Dead letters per produce request (a fetched batch is at most 256 KiB per partition). */
const DEAD_LETTER_CHUNK = 100;

/** Errors of an offset commit that only mean the partition moved to another member meanwhile. */
const REBALANCED = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR']);

function rebalanced(error: unknown): boolean {
  return brokerErrorType(error, REBALANCED) !== null;
}

const DEFAULT_KEEP_WRITTEN = 5_000;

export interface KafkaProjectorOptions {
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  /** Partitions of the topic processed at once by this instance. */
  concurrency?: number;
  /**
   * Customers per partition whose documents stay in memory once written, so their next events need
   * no read (default 5,000). A partition has one consumer, the one writer of its customers' documents;
   * a rebuild switch (resume) and every rebalance drop them.
   */
  keepWritten?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

export interface KafkaProjectorStatus {
  state: 'starting' | 'running' | 'stopped' | 'crashed';
  partitions: Record<number, number>;
  deadLettered: number;
  lastError: string | null;
}

/**
 * The production projector: a Kafka consumer group feeding the read models. Each partition batch
 * is folded in, written with revision-conditional writes and the partition's checkpoint, and only
 * then are its offsets committed; a crash anywhere replays messages whose writes are then no-ops.
 * Events that cannot be applied (a revision gap, an unknown type, an unreadable message) go to the
 * dead-letter topic with the reason and park their customer, while every other customer flows on.
 */
export class KafkaProjector {
  private consumer: Consumer | null = null;
  private readonly workers = new Map<number, ProjectionWorker>();
  private state: KafkaProjectorStatus['state'] = 'starting';
  private deadLettered = 0;
  private lastError: string | null = null;
  private inFlight = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private idle: (() => void)[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly store: DocumentStore,
    private readonly targets: readonly Target[],
    private readonly deadLetters: MessageSender,
    private readonly options: KafkaProjectorOptions,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      // kafkajs heartbeats only between fetches and when a batch handler calls heartbeat(): the
      // session must outlast the slowest batch write, which the fetch size bounds (256 KB a
      // partition: well under a second of writes). A member killed -9 holds its partitions until
      // its session expires, so a shorter one is a faster take-over; should a batch outlast it,
      // its offset commit fails as rebalanced and the batch is replayed (writes are then no-ops).
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxBytesPerPartition: 256 * 1024,
    });
    this.consumer = consumer;
    // Partitions may move between instances: what a worker knew about them is reloaded from the store.
    consumer.on(consumer.events.GROUP_JOIN, () => this.workers.clear());
    consumer.on(consumer.events.CRASH, (e) => {
      this.state = 'crashed';
      this.lastError = String(e.payload.error);
      this.options.onError?.(e.payload.error);
      // kafkajs restarts itself after retriable errors only; the projector must never stay down.
      if (!e.payload.restart && !this.stopping) this.restartLater(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.state = 'running';
  }

  /** Stops fetching and waits for the batches being written (a rebuild switch needs the read models still). */
  async pause(): Promise<void> {
    this.consumer?.pause([{ topic: this.options.topic }]);
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** After a rebuild switch the live collections hold other documents: what the workers kept is dropped. */
  resume(): void {
    for (const worker of this.workers.values()) worker.forgetWritten();
    this.consumer?.resume([{ topic: this.options.topic }]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
    this.state = 'stopped';
  }

  private restartLater(crashed: Consumer): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping || this.consumer !== crashed) return;
      this.workers.clear();
      crashed
        .disconnect()
        .catch(() => undefined)
        .then(() => (this.stopping ? undefined : this.start()))
        .catch((error: unknown) => {
          this.lastError = String(error);
          this.options.onError?.(error);
          if (!this.stopping) this.restartLater(this.consumer!);
        });
    }, RESTART_DELAY_MS);
  }

  status(): KafkaProjectorStatus {
    const partitions: Record<number, number> = {};
    for (const [p, w] of this.workers) partitions[p] = w.checkpoint;
    return { state: this.state, partitions, deadLettered: this.deadLettered, lastError: this.lastError };
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    this.inFlight++;
    try {
      await this.project(payload);
    } finally {
      if (--this.inFlight === 0) for (const done of this.idle.splice(0)) done();
    }
  }

  private async project({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const worker = await this.workerFor(batch.partition);
    const events: StoredEventLike[] = [];
    const sources: KafkaMessage[] = [];
    const dead: { message: KafkaMessage; reason: string; customerId?: string }[] = [];
    for (const message of batch.messages) {
      try {
        const decoded = decodeFeedMessage(message);
        if (decoded.kind === 'watermark') worker.advanceTo(decoded.position);
        else {
          events.push(decoded.event);
          sources.push(message);
        }
      } catch (error) {
        dead.push({ message, reason: error instanceof Error ? error.message : String(error), customerId: message.key?.toString() });
      }
    }
    const refused = await worker.apply(events, () => this.now().toISOString());
    for (const r of refused) dead.push({ message: sources[r.index], reason: r.reason, customerId: r.customerId });
    await heartbeat();
    await worker.flush();
    if (dead.length > 0) await this.deadLetter(batch.topic, batch.partition, dead);
    const last = batch.lastOffset();
    try {
      await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    } catch (error) {
      // The partition went to another member while this batch was written: it replays the batch
      // from the last committed offset, and those writes are no-ops by revision.
      if (rebalanced(error)) return;
      throw error;
    }
    resolveOffset(last);
    await heartbeat();
  }

  private async workerFor(partition: number): Promise<ProjectionWorker> {
    let worker = this.workers.get(partition);
    if (!worker) {
      worker = new ProjectionWorker(this.store, this.targets, partitionCheckpointName(this.options.topic, partition), {
        keepWritten: this.options.keepWritten ?? DEFAULT_KEEP_WRITTEN,
      });
      await worker.start();
      this.workers.set(partition, worker);
    }
    return worker;
  }

  private async deadLetter(topic: string, partition: number, dead: { message: KafkaMessage; reason: string; customerId?: string }[]) {
    const failedAt = this.now().toISOString();
    const messages = dead.map(({ message, reason, customerId }) =>
      toDeadLetterMessage({ reason, topic, partition, message, parkedCustomerId: customerId, failedAt }),
    );
    // A dead letter carries its original message and more: a whole batch of them in one request
    // could pass the broker's request size limit, so they go in bounded chunks.
    for (let from = 0; from < messages.length; from += DEAD_LETTER_CHUNK) {
      await this.deadLetters.send({ topic: this.options.deadLetterTopic, acks: -1, messages: messages.slice(from, from + DEAD_LETTER_CHUNK) });
    }
    this.deadLettered += dead.length;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

import { randomUUID } from 'node:crypto';
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  ErrorType,
  FORWARDS,
  KurrentDBClient,
  type PrefixesFilter,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadPosition,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  type AppendResult,
  type BatchHandler,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { isExpectedRevision } from '../expected-revision';
import {
  actualRevision,
  assertDistinctIds,
  earlierAppend,
  isPositionIndependentError,
  positionToNumber,
  readAllStarts,
  revisionToNumber,
  toEventData,
  toRecordedEvent,
  toStreamState,
} from './esdb-mapping';
import { EsdbSubscription } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  /** Stream category that readAll, lastPosition and subscriptions see. */
  streamPrefix?: string;
  /**
   * Upper bound on one call. The client has gRPC deadlines (connection string `defaultDeadline`,
   * 10 s) but none on its first server-features request, which hangs on a peer that accepts TCP and
   * never speaks HTTP/2.
   */
  operationTimeoutMs?: number;
  resubscribeInitialDelayMs?: number;
  resubscribeMaxDelayMs?: number;
}

const DEFAULT_BATCH = 500;
/** Holds the log's id (its first event); outside every customer category, so no read of the log sees it. */
export const LOG_IDENTITY_STREAM = 'crm-event-log-identity';
const LOG_IDENTIFIED = 'EventLogIdentified';
const NO_STREAM_HEAD: AppendResult = { revision: -1, position: 0 };

/**
 * The EventStore port on EventStoreDB / KurrentDB (`@kurrent/kurrentdb-client`, the maintained
 * successor of `@eventstore/db-client`). Streams map one to one; the global position is the $all
 * commit position (see esdb-mapping for the limits).
 *
 * Idempotency follows the port on top of the server's own: EventStoreDB answers a retry with the
 * original expected revision with the original result, and for a stale one with a wrong expected
 * version, after which the stream is searched for the event ids. With 'any' or 'stream_exists'
 * the server only remembers recent event ids, so the stream is searched before appending.
 * An event id reused in another stream is not detected: the server checks ids per stream, so the
 * event is stored in both streams (no DuplicateEventIdError), which is what the port's contract
 * accepts since event ids derive from unique command ids.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly prefix: string;
  private readonly filter: PrefixesFilter;
  private readonly timeoutMs: number;
  private readonly backoff: { initialBackoffMs: number; maxBackoffMs: number };
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closing: Promise<void> | null = null;
  private identity: Promise<string> | null = null;

  constructor(connectionString: string, options: EsdbEventStoreOptions = {}) {
    this.client = KurrentDBClient.connectionString(connectionString);
    this.prefix = options.streamPrefix ?? 'customer-';
    if (LOG_IDENTITY_STREAM.startsWith(this.prefix)) throw new Error(`The stream prefix '${this.prefix}' would take in ${LOG_IDENTITY_STREAM}; choose another`);
    this.filter = streamNameFilter({ prefixes: [this.prefix] });
    this.timeoutMs = options.operationTimeoutMs ?? 20_000;
    this.backoff = { initialBackoffMs: options.resubscribeInitialDelayMs ?? 100, maxBackoffMs: options.resubscribeMaxDelayMs ?? 5_000 };
  }

  async append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const streamState = toStreamState(expectedRevision);
    const data = events.map(toEventData);
    assertDistinctIds(streamId, events);
    if (events.length === 0) return this.checkHead(streamId, expectedRevision);
    if (expectedRevision === 'any' || expectedRevision === 'stream_exists') {
      const earlier = earlierAppend(streamId, await this.readStream(streamId), events);
      if (earlier) return earlier;
    }
    let result;
    try {
      result = await this.timed(this.client.appendToStream(streamId, data, { streamState }), `the append to ${streamId}`);
    } catch (error) {
      if (!isWrongExpectedVersion(error)) throw error;
      return this.afterConflict(streamId, events, expectedRevision, actualRevision(error.actualState));
    }
    // Only with `throwOnAppendFailure=false` in the connection string; its reported revision is unreliable.
    if (!result.success) return this.afterConflict(streamId, events, expectedRevision, (await this.head(streamId)).revision);
    const revision = revisionToNumber(result.nextExpectedRevision);
    if (result.position) return { revision, position: positionToNumber(result.position) };
    const [last] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return { revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const read: ClientReadStreamOptions = { direction: FORWARDS, fromRevision: BigInt(Math.max(0, options.fromRevision ?? 0)) };
    if (options.maxCount !== undefined) read.maxCount = options.maxCount;
    const resolved = await this.timed(this.collectStream(streamId, read), `the read of ${streamId}`);
    return resolved.flatMap((r) => toRecordedEvent(r.event, '') ?? []);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromPosition = 0, maxCount } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    const starts = readAllStarts(options.fromPosition);
    let lastError: unknown;
    for (const start of starts) {
      let resolved: AllStreamResolvedEvent[];
      try {
        // One more than asked for: a read that starts one before `fromPosition` may return that event first.
        const read: ClientReadAllOptions = { direction: FORWARDS, fromPosition: start, filter: this.filter };
        if (maxCount !== undefined) read.maxCount = maxCount + 1;
        resolved = await this.timed(collect(this.client.readAll(read)), 'the read of $all');
      } catch (error) {
        if (starts.length === 1 || isPositionIndependentError(error)) throw error;
        lastError = error;
        continue;
      }
      const events = resolved.flatMap((r) => toRecordedEvent(r.event, this.prefix) ?? []).filter((e) => e.position >= fromPosition);
      return maxCount === undefined ? events : events.slice(0, maxCount);
    }
    throw new RangeError(
      `Cannot read $all from position ${fromPosition}: EventStoreDB reads only from the start of a log record, ` +
        `and neither it nor the position before is one (use positions this store returned, or one past them): ${messageOf(lastError)}`,
      { cause: lastError },
    );
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const maxBatchSize = options.maxBatchSize && options.maxBatchSize > 0 ? options.maxBatchSize : DEFAULT_BATCH;
    const source = {
      open: (fromPosition: ReadPosition) => {
        this.assertOpen();
        return this.client.subscribeToAll({ fromPosition, filter: this.filter });
      },
      toEvent: (resolved: AllStreamResolvedEvent) => toRecordedEvent(resolved.event, this.prefix),
    };
    const subscription = new EsdbSubscription(source, { afterPosition: options.afterPosition, maxBatchSize, ...this.backoff }, handler);
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  /** Position of the newest event of the category, 0 when there is none. */
  async lastPosition(): Promise<number> {
    this.assertOpen();
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: this.filter });
    const [last] = (await this.timed(collect(read), 'the read of $all')).flatMap((r) => toRecordedEvent(r.event, this.prefix) ?? []);
    return last?.position ?? 0;
  }

  /**
   * The id in the first event of the identity stream, written by the first client that asks (with
   * no_stream: of two racing clients one writes, and both read the winner's id).
   */
  logId(): Promise<string> {
    this.assertOpen();
    this.identity ??= this.readOrCreateIdentity().catch((error: unknown) => {
      this.identity = null;
      throw error;
    });
    return this.identity;
  }

  private async readOrCreateIdentity(): Promise<string> {
    const existing = await this.readIdentity();
    if (existing) return existing;
    try {
      await this.append(LOG_IDENTITY_STREAM, [{ eventId: randomUUID(), type: LOG_IDENTIFIED, data: { logId: randomUUID() }, metadata: {} }], 'no_stream');
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
    const created = await this.readIdentity();
    if (!created) throw new Error(`${LOG_IDENTITY_STREAM} holds no log id after it was written`);
    return created;
  }

  private async readIdentity(): Promise<string | null> {
    const [first] = await this.readStream(LOG_IDENTITY_STREAM, { maxCount: 1 });
    if (!first) return null;
    if (first.type !== LOG_IDENTIFIED || typeof first.data.logId !== 'string') throw new Error(`${LOG_IDENTITY_STREAM} does not start with an ${LOG_IDENTIFIED} event`);
    return first.data.logId;
  }

  /** Stops subscriptions (after their current batch), then closes the client's connections. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private async afterConflict(streamId: string, events: EventToAppend[], expected: ExpectedRevision, actual: number): Promise<AppendResult> {
    const earlier = earlierAppend(streamId, await this.readStream(streamId), events);
    if (earlier) return earlier;
    throw new WrongExpectedRevisionError(streamId, expected, actual);
  }

  /** An empty append writes nothing (EventStoreDB would log an empty record), so it is only a check of the head. */
  private async checkHead(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const head = await this.head(streamId);
    if (!isExpectedRevision(expected, head.revision)) throw new WrongExpectedRevisionError(streamId, expected, head.revision);
    return head;
  }

  private async head(streamId: string): Promise<AppendResult> {
    const read = { direction: BACKWARDS, fromRevision: END, maxCount: 1 } as const;
    const [last] = (await this.timed(this.collectStream(streamId, read), `the read of ${streamId}`)).flatMap((r) => toRecordedEvent(r.event, '') ?? []);
    return last ? { revision: last.revision, position: last.position } : NO_STREAM_HEAD;
  }

  private async collectStream(streamId: string, options: ClientReadStreamOptions): Promise<ResolvedEvent[]> {
    try {
      return await collect(this.client.readStream(streamId, options));
    } catch (error) {
      if ((error as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND) return [];
      throw error;
    }
  }

  private timed<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`EventStoreDB did not complete ${what} within ${this.timeoutMs} ms (an append may still have happened; retrying it with the same event ids is safe)`)),
        this.timeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The event store is closed');
  }
}

function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError || (error as { type?: unknown } | null)?.type === ErrorType.WRONG_EXPECTED_VERSION;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

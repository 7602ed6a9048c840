import { GroupCommit, openDatabase } from '@crm/sqlite';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { CommitSignal } from './commit-signal';
import { LogSubscriptions } from './log-subscription';
import { RecentEvents } from './recent-events';
import type { SerializedEvent } from './sqlite-event-log';
import { SqliteLogReads } from './sqlite-log-reads';

export interface SqliteEventStoreOptions {
  /** How soon subscriptions notice events written by another process on the same file. */
  pollIntervalMs?: number;
  /** Appends committed together at most; bounds how long one commit blocks the event loop. */
  maxAppendsPerCommit?: number;
}

export interface SqliteEventStoreStats {
  /** Transactions committed, i.e. fsyncs paid for appends. */
  commits: number;
  /** Appends that succeeded (idempotent retries and empty appends included). */
  appends: number;
}

const NO_LIMIT = -1;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL. Concurrent appends
 * are group-committed (one transaction and one fsync for the appends of one event-loop turn, or of
 * all the turns while the previous fsync ran; a savepoint per append),
 * and a promise resolves only after its transaction committed.
 *
 * The embedded product stores customer streams only, so readAll returns the whole log.
 */
export class SqliteEventStore extends SqliteLogReads implements EventStore {
  private readonly writes: GroupCommit;
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new LogSubscriptions();
  private readonly pollIntervalMs: number;
  private appends = 0;
  /** First positions of appends committed but not yet fsynced: subscriptions must not see them yet. */
  private readonly unsynced = new Set<number>();
  private readonly recent: RecentEvents;
  /** The highest position this process has written and fsynced. */
  private committedHead: number;
  private readonly durableListeners = new Set<(position: number) => void>();
  private closing: Promise<void> | null = null;

  constructor(file: string, options: SqliteEventStoreOptions = {}) {
    super(openDatabase(file), 'event store');
    this.writes = new GroupCommit(this.db, options.maxAppendsPerCommit ?? 1000);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.committedHead = this.log.lastPosition();
    this.recent = new RecentEvents(this.committedHead + 1);
  }

  /** The file this store keeps the log in (another thread may follow it with SqliteLogFollower). */
  get file(): string {
    return this.db.name;
  }

  /** Every event up to this position is committed and fsynced. */
  durablePosition(): number {
    return this.unsynced.size === 0 ? this.committedHead : Math.min(...this.unsynced) - 1;
  }

  /**
   * Calls `listener` with durablePosition() each time appends of this process reach the disk (once
   * per append; callers coalesce). Returns a function that stops the calls.
   */
  onDurable(listener: (position: number) => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  async append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closing) throw new Error('The event store is closed');
    const serialized = events.map(serialize);
    let first = 0;
    try {
      const { written, ...result } = await this.writes.run(
        () => {
          const outcome = this.log.append(streamId, serialized, expectedRevision);
          if (outcome.written) this.unsynced.add((first = outcome.position - serialized.length + 1));
          return outcome;
        },
        // One event is one INSERT, which SQLite undoes by itself if it fails.
        { singleStatement: serialized.length <= 1 },
      );
      this.appends++;
      // Only now (committed and fsynced): a failed commit's positions are handed out again.
      if (written) {
        this.committedHead = Math.max(this.committedHead, result.position);
        // Kept for subscriptions of this process only (the embedded read side follows the file from its own thread).
        if (this.subscriptions.size > 0) this.recent.add(streamId, events, first, result.revision - events.length + 1);
      }
      return result;
    } finally {
      if (this.unsynced.delete(first)) {
        this.commits.notify();
        if (this.durableListeners.size > 0) {
          const durable = this.durablePosition();
          for (const listener of this.durableListeners) listener(durable);
        }
      }
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.readAll(options.fromPosition ?? 1, options.maxCount ?? NO_LIMIT);
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const source = {
      readAfter: (afterPosition: number, maxCount: number) => {
        this.assertOpen();
        const recent = this.recent.after(afterPosition, maxCount);
        if (recent && recent.length > 0) return recent;
        // Only what is on disk: an event committed but not yet fsynced could still vanish in a crash.
        // (With none pending, no bound: commits of another process on the file are durable there.)
        const durable = this.unsynced.size === 0 ? undefined : this.durablePosition();
        return this.log.readAll(afterPosition + 1, maxCount, durable);
      },
      commits: this.commits,
      pollIntervalMs: this.pollIntervalMs,
    };
    return this.subscriptions.start(source, options, handler);
  }

  stats(): SqliteEventStoreStats {
    return { commits: this.writes.commitCount, appends: this.appends };
  }

  /** Commits the appends already queued, stops subscriptions (after their current batch), then closes the file. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await this.writes.close();
    await this.subscriptions.stopAll();
    this.db.close();
    this.closed = true;
  }

}

function serialize(event: EventToAppend): SerializedEvent {
  if (typeof event.eventId !== 'string' || event.eventId === '') throw new TypeError('Every event needs an eventId');
  if (typeof event.type !== 'string' || event.type === '') throw new TypeError(`Event ${event.eventId} needs a type`);
  return { eventId: event.eventId, type: event.type, data: toJson(event.data), metadata: toJson(event.metadata) };
}

function toJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('Event data and metadata must be JSON objects');
  return JSON.stringify(value);
}

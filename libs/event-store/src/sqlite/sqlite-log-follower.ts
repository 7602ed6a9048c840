import { openDatabase, type SqliteDatabase } from '@crm/sqlite';
import type { BatchHandler, EventStore, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { CommitSignal } from './commit-signal';
import { LogSubscription } from './log-subscription';
import { SqliteEventLog } from './sqlite-event-log';

const NO_LIMIT = -1;
const DEFAULT_BATCH = 500;

/**
 * The embedded log as seen from another thread of the process that writes it: a read-only
 * connection to the same file, which only ever shows what the writer reported durable
 * (`advance`), so nothing follows an event a crash could still take back. The writer's
 * SqliteEventStore must have opened the file first (it creates and migrates it).
 */
export class SqliteLogFollower implements EventStore {
  private readonly db: SqliteDatabase;
  private readonly log: SqliteEventLog;
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<LogSubscription>();
  private closed = false;

  constructor(
    file: string,
    /** Every event up to here is durable. */
    private durable: number,
  ) {
    this.db = openDatabase(file, { readonly: true });
    this.log = new SqliteEventLog(this.db);
  }

  /** The writer made events up to `position` durable: subscriptions may deliver them. */
  advance(position: number): void {
    if (position <= this.durable) return;
    this.durable = position;
    this.commits.notify();
  }

  async append(): Promise<never> {
    throw new Error('The log follower is read-only: appends go to the SqliteEventStore of the writing thread');
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.readStream(streamId, options.fromRevision ?? 0, options.maxCount ?? NO_LIMIT);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.readAll(options.fromPosition ?? 1, options.maxCount ?? NO_LIMIT, this.durable);
  }

  /** The head of the log as the writer has committed it (as SqliteEventStore.lastPosition()), durable or not yet. */
  async lastPosition(): Promise<number> {
    this.assertOpen();
    return this.log.lastPosition();
  }

  async logId(): Promise<string> {
    this.assertOpen();
    return this.log.logId();
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const source = {
      readAfter: (afterPosition: number, maxCount: number) => {
        this.assertOpen();
        return afterPosition >= this.durable ? [] : this.log.readAll(afterPosition + 1, maxCount, this.durable);
      },
      commits: this.commits,
      // Every durable append is reported through advance(); the timer is only a safety net.
      pollIntervalMs: 1_000,
    };
    const batchSize = options.maxBatchSize && options.maxBatchSize > 0 ? options.maxBatchSize : DEFAULT_BATCH;
    const subscription = new LogSubscription(source, options.afterPosition ?? 0, batchSize, handler);
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The log follower is closed');
  }
}

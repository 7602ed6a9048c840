import { openDatabase } from '@crm/sqlite';
import type { BatchHandler, EventStore, ReadAllOptions, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { CommitSignal } from './commit-signal';
import { LogSubscriptions } from './log-subscription';
import { SqliteLogReads } from './sqlite-log-reads';

const NO_LIMIT = -1;

/**
 * The embedded log as seen from another thread of the process that writes it: a read-only
 * connection to the same file, which only ever shows what the writer reported durable
 * (`advance`), so nothing follows an event a crash could still take back. The writer's
 * SqliteEventStore must have opened the file first (it creates and migrates it).
 */
export class SqliteLogFollower extends SqliteLogReads implements EventStore {
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new LogSubscriptions();

  constructor(
    file: string,
    /** Every event up to here is durable. */
    private durable: number,
  ) {
    super(openDatabase(file, { readonly: true }), 'log follower');
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

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.readAll(options.fromPosition ?? 1, options.maxCount ?? NO_LIMIT, this.durable);
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
    return this.subscriptions.start(source, options, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.subscriptions.stopAll();
    this.closed = true;
    this.db.close();
  }

}

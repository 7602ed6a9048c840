import type { SqliteDatabase } from '@crm/sqlite';
import type { ReadStreamOptions, RecordedEvent } from '../event-store.port';
import { SqliteEventLog } from './sqlite-event-log';

const NO_LIMIT = -1;

/** The reads the writer of the embedded log and a follower of it (another thread) make alike. */
export abstract class SqliteLogReads {
  protected readonly log: SqliteEventLog;
  protected closed = false;

  protected constructor(
    protected readonly db: SqliteDatabase,
    /** Named in the error once closed: 'event store', 'log follower'. */
    private readonly what: string,
  ) {
    this.log = new SqliteEventLog(db);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.log.readStream(streamId, options.fromRevision ?? 0, options.maxCount ?? NO_LIMIT);
  }

  /** The head of the log as committed (durable or not yet). */
  async lastPosition(): Promise<number> {
    this.assertOpen();
    return this.log.lastPosition();
  }

  async logId(): Promise<string> {
    this.assertOpen();
    return this.log.logId();
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error(`The ${this.what} is closed`);
  }
}

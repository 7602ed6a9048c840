import type { SqliteDatabase } from './open-database';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes queued within one turn of the event loop run in ONE transaction and share
 * one fsync. Each write runs under its own savepoint, so a write that throws is rolled back alone
 * and rejects only its own promise. Promises settle after COMMIT returned (durable).
 */
export class GroupCommit {
  private queue: Pending<unknown>[] = [];
  private scheduled = false;
  private closed = false;
  private commits = 0;
  private drained: (() => void)[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxBatch = 1000,
  ) {}

  run<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Pending<unknown>);
      this.schedule();
    });
  }

  /** Number of transactions committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /** Lets queued writes commit, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && !this.scheduled) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    const settled: (() => void)[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const item of batch) {
        this.db.exec('SAVEPOINT w');
        try {
          const value = item.work();
          this.db.exec('RELEASE w');
          settled.push(() => item.resolve(value));
        } catch (error) {
          this.db.exec('ROLLBACK TO w');
          this.db.exec('RELEASE w');
          settled.push(() => item.reject(error));
        }
      }
      this.db.exec('COMMIT');
      this.commits++;
      for (const settle of settled) settle();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
    }
    if (this.queue.length > 0) this.schedule();
    else for (const done of this.drained.splice(0)) done();
  }
}

import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqliteDatabase } from './open-database';

interface Pending<T> {
  work: () => T;
  /** The work is one statement (or none): SQLite undoes a failed statement itself, no savepoint needed. */
  single: boolean;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes queued within one turn of the event loop (or while the previous fsync ran)
 * run in ONE transaction and share one fsync. Each write runs under its own savepoint, so a write that throws is rolled back alone
 * and rejects only its own promise.
 *
 * Durability without stalling the event loop: SQLite commits with synchronous=NORMAL (no fsync of
 * its own on commit; checkpoints still sync), then the WAL file is fsynced on libuv's thread pool
 * and only then are the batch's promises resolved. An acknowledged write is therefore on disk, as
 * with synchronous=FULL, while the next batch is already being prepared. A failed fsync poisons the
 * writer: nothing after it is acknowledged.
 */
export class GroupCommit {
  private queue: Pending<unknown>[] = [];
  private scheduled = false;
  private closed = false;
  private commits = 0;
  /** Batches committed and waiting for the next fsync; at most one fsync runs at a time. */
  private awaitingSync: (() => void)[] = [];
  private syncing = false;
  private failure: unknown = null;
  private drained: (() => void)[] = [];
  private walFd: number | null = null;
  private readonly walFile: string | null;
  private readonly sql;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxBatch = 1000,
  ) {
    const statement = (text: string) => db.prepare(text);
    this.sql = {
      begin: statement('BEGIN IMMEDIATE'),
      commit: statement('COMMIT'),
      savepoint: statement('SAVEPOINT w'),
      release: statement('RELEASE w'),
      rollbackTo: statement('ROLLBACK TO w'),
    };
    this.walFile = db.memory ? null : `${db.name}-wal`;
    if (this.walFile) db.pragma('synchronous = NORMAL');
  }

  run<T>(work: () => T, options: { singleStatement?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, single: options.singleStatement ?? false, resolve, reject } as Pending<unknown>);
      this.schedule();
    });
  }

  /** Number of transactions committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /** Lets queued writes commit and reach the disk, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.idle()) await new Promise<void>((resolve) => this.drained.push(resolve));
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  private idle(): boolean {
    return this.queue.length === 0 && !this.scheduled && !this.syncing && this.awaitingSync.length === 0;
  }

  /**
   * While an fsync runs, writes wait for it instead of committing in a transaction of their own:
   * they could not be acknowledged before the next fsync anyway, and one transaction for all of
   * them writes each shared page (the table's last leaf, its indexes) once instead of once each.
   */
  private schedule(): void {
    if (this.scheduled || this.syncing) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    const outcomes: (() => void)[] = [];
    try {
      this.sql.begin.run();
      for (const item of batch) {
        if (!item.single) this.sql.savepoint.run();
        try {
          const value = item.work();
          if (!item.single) this.sql.release.run();
          outcomes.push(() => item.resolve(value));
        } catch (error) {
          if (!item.single) {
            this.sql.rollbackTo.run();
            this.sql.release.run();
          }
          outcomes.push(() => item.reject(error));
        }
      }
      this.sql.commit.run();
      this.commits++;
      this.durable(batch, outcomes);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
    }
    if (this.queue.length > 0) this.schedule();
    else this.settleDrain();
  }

  private durable(batch: Pending<unknown>[], outcomes: (() => void)[]): void {
    if (!this.walFile) {
      for (const settle of outcomes) settle();
      return;
    }
    this.awaitingSync.push(() => {
      if (this.failure) for (const item of batch) item.reject(this.failure);
      else for (const settle of outcomes) settle();
    });
    this.sync();
  }

  /**
   * One fsync at a time: batches committed while it runs wait for the next one, which covers them
   * all. Overlapping fsyncs of one file only queue up in the disk and make every one of them slower.
   */
  private sync(): void {
    if (this.syncing || this.awaitingSync.length === 0) return;
    const covered = this.awaitingSync.splice(0);
    this.syncing = true;
    fsync(this.wal(), (error) => {
      this.syncing = false;
      if (error) this.failure ??= error;
      for (const settle of covered) settle();
      if (this.queue.length > 0) this.schedule();
      this.sync();
      this.settleDrain();
    });
  }

  /** The WAL exists once the first transaction committed; its directory entry is made durable once. */
  private wal(): number {
    if (this.walFd === null) {
      this.walFd = openSync(this.walFile!, 'r');
      const dir = openSync(dirname(this.walFile!), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.walFd;
  }

  private settleDrain(): void {
    if (this.idle()) for (const done of this.drained.splice(0)) done();
  }
}

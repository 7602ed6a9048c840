import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from './group-commit';
import { openDatabase, type SqliteDatabase } from './open-database';
import { holdNextFsync } from './testing/hold-fsync';

describe('GroupCommit on a real SQLite file', () => {
  let dir: string;
  let db: SqliteDatabase;
  let writer: GroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    db = openDatabase(join(dir, 'test.db'));
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    writer = new GroupCommit(db);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (k: string, v: number) => () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v).changes;

  it('commits concurrent writes in one transaction', async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.run(insert(`k${i}`, i))));
    expect(writer.commitCount).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 100 });
  });

  it('writes queued while an fsync runs wait for it, then commit together in one transaction', async () => {
    await writer.run(insert('first', 0));
    const fsync = holdNextFsync();
    const held = writer.run(insert('held', 1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writer.commitCount).toBe(2);
    // Arriving in separate turns of the event loop, while the fsync of 'held' has not finished.
    const waiting: Promise<number>[] = [];
    for (let i = 0; i < 5; i++) {
      waiting.push(writer.run(insert(`w${i}`, i)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(writer.commitCount).toBe(2);
    fsync.release();
    await Promise.all([held, ...waiting]);
    expect(writer.commitCount).toBe(3);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 7 });
  });

  it('rolls back only the write that failed', async () => {
    const results = await Promise.allSettled([
      writer.run(insert('a', 1)),
      writer.run(() => {
        insert('b', 2)();
        throw new Error('rule broken after a partial write');
      }),
      writer.run(insert('a', 3)),
      writer.run(insert('c', 4)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([
      { k: 'a', v: 1 },
      { k: 'c', v: 4 },
    ]);
  });

  it('finishes queued writes on close and refuses later ones', async () => {
    const pending = writer.run(insert('x', 1));
    await writer.close();
    await expect(pending).resolves.toBe(1);
    await expect(writer.run(insert('y', 2))).rejects.toThrow('closed');
  });

  it('keeps committed writes across reopening', async () => {
    await writer.run(insert('durable', 7));
    db.close();
    db = openDatabase(join(dir, 'test.db'));
    expect(db.prepare('SELECT v FROM t WHERE k = ?').get('durable')).toEqual({ v: 7 });
  });
});

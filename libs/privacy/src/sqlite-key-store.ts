import { randomBytes } from 'node:crypto';
import { checkpointAndTruncate, GroupCommit, openDatabase, type SqliteDatabase } from '@crm/sqlite';
import { type KeyStore, KeyShreddedError } from './key-store.port';

/** Embedded key store: its own SQLite file beside (not inside) the event log, with secure_delete on. */
export class SqliteKeyStore implements KeyStore {
  private readonly db: SqliteDatabase;
  private readonly writes: GroupCommit;
  private readonly cache = new Map<string, Buffer>();
  /** Bumped when a destroy starts and ends: a read that overlapped one must not cache what it read. */
  private destroys = 0;
  private readonly select;
  private readonly isShredded;
  private readonly insert;
  private readonly remove;
  private readonly tombstone;

  constructor(
    file: string,
    private readonly cacheSize = 10_000,
  ) {
    this.db = openDatabase(file, { secureDelete: true });
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS data_keys (customer_id TEXT PRIMARY KEY, key BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS shredded (customer_id TEXT PRIMARY KEY) WITHOUT ROWID;
    `);
    this.select = this.db.prepare<[string], { key: Buffer }>('SELECT key FROM data_keys WHERE customer_id = ?');
    this.isShredded = this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM shredded WHERE customer_id = ?');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO data_keys (customer_id, key) VALUES (?, ?)');
    this.remove = this.db.prepare('DELETE FROM data_keys WHERE customer_id = ?');
    this.tombstone = this.db.prepare('INSERT OR IGNORE INTO shredded (customer_id) VALUES (?)');
    this.writes = new GroupCommit(this.db);
  }

  async keyFor(customerId: string): Promise<Buffer> {
    const known = await this.existingKey(customerId);
    if (known) return known;
    const destroys = this.destroys;
    const key = await this.writes.run(() => {
      if (this.isShredded.get(customerId)) throw new KeyShreddedError(customerId);
      this.insert.run(customerId, randomBytes(32));
      // A concurrent creation may have won; everyone uses the stored key.
      return this.select.get(customerId)!.key;
    });
    if (destroys === this.destroys) this.remember(customerId, key);
    return key;
  }

  async existingKey(customerId: string): Promise<Buffer | null> {
    const cached = this.cache.get(customerId);
    if (cached) return cached;
    const row = this.select.get(customerId);
    if (!row) return null;
    this.remember(customerId, row.key);
    return row.key;
  }

  async destroy(customerId: string): Promise<void> {
    this.destroys++;
    this.cache.delete(customerId);
    await this.writes.run(() => {
      this.remove.run(customerId);
      this.tombstone.run(customerId);
    });
    // A read between the start and the commit may have cached the key again.
    this.destroys++;
    this.cache.delete(customerId);
    checkpointAndTruncate(this.db);
  }

  async close(): Promise<void> {
    await this.writes.close();
    this.db.close();
  }

  private remember(customerId: string, key: Buffer): void {
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(customerId, key);
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import { checkpointAndTruncate, GroupCommit, openDatabase, type SqliteDatabase } from '@crm/sqlite';
import type { CommandStore, ContactClaim, HeldClaim, StoredReply } from './command-store.port';

/** Embedded command store; contact values are kept only as HMACs, and erased rows are zeroed (secure_delete). */
export class SqliteCommandStore implements CommandStore {
  private readonly db: SqliteDatabase;
  private readonly writes: GroupCommit;
  private readonly secret: Buffer;
  private readonly statements;

  constructor(file: string) {
    this.db = openDatabase(file, { secureDelete: true });
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS replies (scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS replies_expiry ON replies (expires_at);
      CREATE TABLE IF NOT EXISTS contacts (digest TEXT PRIMARY KEY, customer_id TEXT NOT NULL, reserved_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS contacts_customer ON contacts (customer_id);
      CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    `);
    this.db.prepare('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)').run('contact-hmac-key', randomBytes(32));
    this.secret = (this.db.prepare('SELECT value FROM settings WHERE name = ?').get('contact-hmac-key') as { value: Buffer }).value;
    this.statements = {
      findReply: this.db.prepare<[string, string, number], { fingerprint: string; status: number; body: string }>(
        'SELECT fingerprint, status, body FROM replies WHERE scope = ? AND key = ? AND expires_at > ?',
      ),
      saveReply: this.db.prepare('INSERT OR REPLACE INTO replies (scope, key, fingerprint, status, body, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
      expireReplies: this.db.prepare('DELETE FROM replies WHERE expires_at <= ?'),
      holder: this.db.prepare<[string], { customer_id: string; reserved_at: number }>('SELECT customer_id, reserved_at FROM contacts WHERE digest = ?'),
      reserve: this.db.prepare('INSERT OR REPLACE INTO contacts (digest, customer_id, reserved_at) VALUES (?, ?, ?)'),
      release: this.db.prepare('DELETE FROM contacts WHERE digest = ? AND customer_id = ?'),
      releaseAll: this.db.prepare('DELETE FROM contacts WHERE customer_id = ?'),
    };
    this.writes = new GroupCommit(this.db);
    this.statements.expireReplies.run(Date.now());
  }

  async findReply(scope: string, key: string): Promise<StoredReply | null> {
    const row = this.statements.findReply.get(scope, key, Date.now());
    return row ? { fingerprint: row.fingerprint, status: row.status, body: JSON.parse(row.body) } : null;
  }

  async saveReply(scope: string, key: string, reply: StoredReply, ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    await this.writes.run(() =>
      this.statements.saveReply.run(scope, key, reply.fingerprint, reply.status, JSON.stringify(reply.body), expiresAt),
    );
  }

  claimContacts(customerId: string, claims: ContactClaim[], takeOverFrom?: ReadonlySet<string>): Promise<HeldClaim | null> {
    return this.writes.run(() => {
      const now = Date.now();
      for (const claim of claims) {
        const held = this.statements.holder.get(this.digest(claim));
        if (held && held.customer_id !== customerId && !takeOverFrom?.has(held.customer_id)) {
          return { claim, holder: held.customer_id, reservedAt: held.reserved_at };
        }
      }
      for (const claim of claims) this.statements.reserve.run(this.digest(claim), customerId, now);
      return null;
    });
  }

  async releaseContacts(customerId: string, claims: ContactClaim[]): Promise<void> {
    await this.writes.run(() => {
      for (const claim of claims) this.statements.release.run(this.digest(claim), customerId);
    });
  }

  async releaseAllContacts(customerId: string): Promise<void> {
    await this.writes.run(() => this.statements.releaseAll.run(customerId));
    checkpointAndTruncate(this.db);
  }

  async close(): Promise<void> {
    await this.writes.close();
    this.db.close();
  }

  private digest(claim: ContactClaim): string {
    return createHmac('sha256', this.secret).update(`${claim.kind}:${claim.value}`).digest('base64url');
  }
}

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** Overwrite deleted content with zeros, so erased secrets do not linger in free pages. */
  secureDelete?: boolean;
  readonly?: boolean;
}

/**
 * WAL with synchronous=FULL: every COMMIT is fsynced before it returns, so an acknowledged
 * write survives a crash or power loss.
 */
export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  if (options.secureDelete) db.pragma('secure_delete = ON');
  return db;
}

/** Moves every WAL frame into the main file and truncates the WAL, so deleted rows leave no copy behind. */
export function checkpointAndTruncate(db: SqliteDatabase): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

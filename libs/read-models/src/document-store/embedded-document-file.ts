import { openDatabase, type SqliteDatabase } from '@crm/sqlite';
import type { Checkpoint } from './document-store.port';

// Rows are addressed by a row number the store assigns, and collections by a number, so an insert
// appends to the table instead of landing at a random place in a (collection, _id) index (half the
// cost at 100k documents), and a rename rewrites one row of `collections` instead of every document.
// `id` is there for people reading the file; the store never looks a row up by it.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS collections (
    key INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS documents (
    row INTEGER PRIMARY KEY,
    collection INTEGER NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS documents_by_collection ON documents (collection);
  CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL CHECK (typeof(position) = 'integer')
  );
`;

export interface RowWrite {
  row: number;
  collection: number;
  id: string;
  json: string;
}

export interface FileVisitor {
  collection(key: number, name: string): void;
  document(collection: number, row: number, json: string): void;
}

/** The durable half of the embedded document store: one SQLite file, written only in transactions. */
export class EmbeddedDocumentFile {
  private readonly db: SqliteDatabase;
  private readonly sql;
  readonly write: (collections: { key: number; name: string }[], rows: RowWrite[], checkpoints: Checkpoint[]) => void;
  readonly replace: (from: number | undefined, to: number | undefined, name: string) => void;
  readonly drop: (key: number) => void;

  constructor(file: string) {
    this.db = openDatabase(file);
    // A read model can be rebuilt from the event log, and each commit writes its documents and
    // checkpoints atomically, so commits need not be fsynced: after a crash or power loss WAL mode
    // comes back at an earlier consistent commit and the projector replays from its checkpoint.
    this.db.pragma('synchronous = NORMAL');
    // The store serves reads from memory, so a second process writing the file would go unseen.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.sql = {
      addCollection: db.prepare('INSERT INTO collections (key, name) VALUES (?, ?)'),
      renameCollection: db.prepare('UPDATE collections SET name = ? WHERE key = ?'),
      deleteCollection: db.prepare('DELETE FROM collections WHERE key = ?'),
      upsert: db.prepare('INSERT INTO documents (row, collection, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (row) DO UPDATE SET doc = excluded.doc'),
      deleteDocuments: db.prepare('DELETE FROM documents WHERE collection = ?'),
      saveCheckpoint: db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position'),
      readCheckpoint: db.prepare<[string], number>('SELECT position FROM checkpoints WHERE name = ?').pluck(),
      deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE name = ?'),
    };
    this.write = db.transaction((collections: { key: number; name: string }[], rows: RowWrite[], checkpoints: Checkpoint[]) => {
      for (const c of collections) this.sql.addCollection.run(c.key, c.name);
      for (const r of rows) this.sql.upsert.run(r.row, r.collection, r.id, r.json);
      for (const c of checkpoints) this.sql.saveCheckpoint.run(c.name, c.position);
    });
    const dropRows = (key: number) => {
      this.sql.deleteDocuments.run(key);
      this.sql.deleteCollection.run(key);
    };
    this.drop = db.transaction(dropRows);
    this.replace = db.transaction((from: number | undefined, to: number | undefined, name: string) => {
      if (to !== undefined) dropRows(to);
      if (from !== undefined) this.sql.renameCollection.run(name, from);
    });
  }

  /** Streams the whole file to `visit`, collections first; returns the highest row and collection numbers in use. */
  load(visit: FileVisitor): { lastRow: number; lastCollection: number } {
    for (const [key, name] of this.db.prepare<[], [number, string]>('SELECT key, name FROM collections').raw().iterate()) {
      visit.collection(key, name);
    }
    for (const [row, collection, json] of this.db.prepare<[], [number, number, string]>('SELECT row, collection, doc FROM documents').raw().iterate()) {
      visit.document(collection, row, json);
    }
    const last = (sql: string) => this.db.prepare<[], number | null>(sql).pluck().get() ?? 0;
    return { lastRow: last('SELECT max(row) FROM documents'), lastCollection: last('SELECT max(key) FROM collections') };
  }

  readCheckpoint(name: string): number | null {
    return this.sql.readCheckpoint.get(name) ?? null;
  }

  deleteCheckpoint(name: string): void {
    this.sql.deleteCheckpoint.run(name);
  }

  close(): void {
    this.db.close();
  }
}

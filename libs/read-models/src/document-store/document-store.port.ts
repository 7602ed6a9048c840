export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');

/** Read-model documents: keyed by `_id`, carrying the last applied stream revision. */
export interface Document {
  _id: string;
  revision: number;
  [field: string]: unknown;
}

/** A MongoDB query filter (the MongoDB query language is this port's query language). */
export type Filter = Record<string, unknown>;

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
  /** MongoDB projection, inclusive (`{ a: 1 }`) or exclusive (`{ a: 0 }`). */
  projection?: Record<string, 0 | 1>;
}

/** Replace `doc` in `collection` only if the stored document is absent or has a lower revision. */
export interface DocumentWrite {
  collection: string;
  doc: Document;
}

export interface CommitResult {
  /** Writes that replaced or inserted a document. */
  applied: number;
  /** Writes skipped because the stored revision was equal or higher (duplicates, stale replays). */
  skipped: number;
}

export interface Checkpoint {
  name: string;
  position: number;
}

export interface DocumentStore {
  findOne<T extends Document>(collection: string, filter: Filter): Promise<T | null>;
  find<T extends Document>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]>;
  /**
   * The documents with these ids, in any order, missing ones left out: one round trip for a server
   * adapter. Optional: without it callers look documents up one by one (cheap in memory).
   */
  findByIds?<T extends Document>(collection: string, ids: readonly string[]): Promise<T[]>;
  count(collection: string, filter: Filter): Promise<number>;
  /**
   * Revision-conditional writes, then checkpoints. Replaying the same writes is a no-op. The
   * embedded adapter applies all of it in one transaction; a server adapter applies the writes
   * first and the checkpoints after, so a crash in between replays writes that are then skipped.
   * The store takes the documents over: callers must not change them afterwards (the embedded
   * store freezes them in place, a server store has copied them). Documents are JSON values;
   * fields set to undefined are dropped.
   */
  commit(writes: DocumentWrite[], checkpoints?: Checkpoint[]): Promise<CommitResult>;
  readCheckpoint(name: string): Promise<number | null>;
  deleteCheckpoint(name: string): Promise<void>;
  /** Atomically replaces `to` with `from` (dropping `to`'s old documents); used to switch rebuilt read models. */
  renameCollection(from: string, to: string): Promise<void>;
  dropCollection(name: string): Promise<void>;
  /** A hint for queries on these fields; adapters without secondary indexes may ignore it. */
  ensureIndex(collection: string, keys: Record<string, 1 | -1>): Promise<void>;
  close(): Promise<void>;
}

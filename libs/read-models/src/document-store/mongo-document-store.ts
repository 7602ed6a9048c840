import {
  type AnyBulkWriteOperation,
  type Db,
  type Filter as MongoFilter,
  MongoBulkWriteError,
  MongoClient,
  type MongoClientOptions,
  type WriteError,
} from 'mongodb';
import type { Checkpoint, CommitResult, Document, DocumentStore, DocumentWrite, Filter, FindOptions } from './document-store.port';
import { dropIfExists, isNamespaceNotFound, renameByCopy, renamesLoseData } from './mongo-collections';

const DUPLICATE_KEY = 11000;
// Both MongoDB and mongo-java-server name the index in the message: "E11000 ... index: _id_ dup key".
const ON_ID = /index: _id_ /;
const CHECKPOINTS = 'checkpoints';

interface CheckpointDocument {
  _id: string;
  position: number;
}

const asArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/** Writes at most in one group of commits (the driver splits a large bulk write into server batches itself). */
const GROUP_WRITES = 20_000;

interface PendingLookUp {
  wanted: Set<string>;
  /** Ids more than one caller asked for. */
  shared: Set<string>;
  found: Promise<Map<string, Document>>;
}

interface QueuedCommit {
  writes: DocumentWrite[];
  checkpoints: Checkpoint[];
  skipped: number;
  failure: unknown;
  resolve(result: CommitResult): void;
  reject(error: unknown): void;
}

export interface MongoDocumentStoreOptions {
  /** Rename by copying (see mongo-collections.ts); by default only on mongo-java-server. */
  renameByCopy?: boolean;
}

/**
 * Read models in MongoDB. A write is `replaceOne({ _id, revision: { $lt } }, doc, { upsert })`: when
 * the stored revision is equal or higher the filter misses, the upsert tries to insert a second
 * document with that `_id`, and the server refuses with E11000 on the `_id_` index; that refusal
 * is the skip. A duplicate on any other (unique) index is a real error.
 */
export class MongoDocumentStore implements DocumentStore {
  private copyOnRename: Promise<boolean> | null;
  private readonly queued: QueuedCommit[] = [];
  private committing = false;
  private commitScheduled = false;
  /** Look-ups by id gathering in this turn of the event loop, by collection. */
  private readonly lookUps = new Map<string, PendingLookUp>();

  constructor(
    private readonly db: Db,
    options: MongoDocumentStoreOptions = {},
    private readonly ownedClient: MongoClient | null = null,
  ) {
    this.copyOnRename = options.renameByCopy === undefined ? null : Promise.resolve(options.renameByCopy);
  }

  /** Retryable writes are off by default: mongo-java-server (and a standalone mongod) refuse them. */
  static async connect(
    url: string,
    dbName?: string,
    clientOptions: MongoClientOptions = {},
    options: MongoDocumentStoreOptions = {},
  ): Promise<MongoDocumentStore> {
    const client = new MongoClient(url, { retryWrites: false, ...clientOptions });
    await client.connect();
    return new MongoDocumentStore(client.db(dbName), options, client);
  }

  static fromClient(client: MongoClient, dbName?: string, options: MongoDocumentStoreOptions = {}): MongoDocumentStore {
    return new MongoDocumentStore(client.db(dbName), options);
  }

  get databaseName(): string {
    return this.db.databaseName;
  }

  async findOne<T extends Document>(collection: string, filter: Filter): Promise<T | null> {
    return (await this.db.collection<Document>(collection).findOne(filter as MongoFilter<Document>)) as T | null;
  }

  async find<T extends Document>(collection: string, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const { sort, limit, skip, projection } = options;
    const cursor = this.db.collection<Document>(collection).find(filter as MongoFilter<Document>, { sort, limit, skip, projection });
    return (await cursor.toArray()) as T[];
  }

  async findByIds<T extends Document>(collection: string, ids: readonly string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    const { found, shared } = await this.lookUp(collection, ids);
    // A document more than one caller asked for is handed to each as its own copy.
    return [...new Set(ids)].flatMap((id) => {
      const doc = found.get(id);
      return doc ? [(shared.has(id) ? structuredClone(doc) : doc) as T] : [];
    });
  }

  async count(collection: string, filter: Filter): Promise<number> {
    return this.db.collection<Document>(collection).countDocuments(filter as MongoFilter<Document>);
  }

  /**
   * Commits issued while another is being written (or in the same turn of the event loop) go to the
   * server together: one bulk write per collection for all of them, then one for all their
   * checkpoints. Each caller still gets its own outcome: its skips, or the error of its own writes.
   */
  commit(writes: DocumentWrite[], checkpoints: Checkpoint[] = []): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.queued.push({ writes, checkpoints, skipped: 0, failure: undefined, resolve, reject });
      this.scheduleCommit();
    });
  }

  async readCheckpoint(name: string): Promise<number | null> {
    const { found } = await this.lookUp(CHECKPOINTS, [name]);
    return (found.get(name) as CheckpointDocument | undefined)?.position ?? null;
  }

  async deleteCheckpoint(name: string): Promise<void> {
    await this.db.collection<CheckpointDocument>(CHECKPOINTS).deleteOne({ _id: name });
  }

  /** On MongoDB one atomic server command; on mongo-java-server a copy, see mongo-collections.ts. */
  async renameCollection(from: string, to: string): Promise<void> {
    if (from === to) return;
    this.copyOnRename ??= renamesLoseData(this.db);
    if (await this.copyOnRename) return renameByCopy(this.db, from, to);
    try {
      await this.db.renameCollection(from, to, { dropTarget: true });
    } catch (error) {
      if (!isNamespaceNotFound(error)) throw error;
      await dropIfExists(this.db, to);
    }
  }

  async dropCollection(name: string): Promise<void> {
    await dropIfExists(this.db, name);
  }

  async ensureIndex(collection: string, keys: Record<string, 1 | -1>): Promise<void> {
    await this.db.collection(collection).createIndex(keys);
  }

  async close(): Promise<void> {
    await this.ownedClient?.close();
  }

  private scheduleCommit(): void {
    if (this.committing || this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      void this.commitQueued();
    });
  }

  private async commitQueued(): Promise<void> {
    if (this.committing || this.queued.length === 0) return;
    this.committing = true;
    let count = 0;
    let writes = 0;
    while (count < this.queued.length && (count === 0 || writes + this.queued[count].writes.length <= GROUP_WRITES)) writes += this.queued[count++].writes.length;
    try {
      await this.commitGroup(this.queued.splice(0, count));
    } finally {
      this.committing = false;
      if (this.queued.length > 0) this.scheduleCommit();
    }
  }

  /** Settles every commit of the group; checkpoints only of those whose writes all went in. */
  private async commitGroup(group: QueuedCommit[]): Promise<void> {
    const byCollection = new Map<string, { docs: Document[]; owners: QueuedCommit[] }>();
    for (const commit of group) {
      for (const { collection, doc } of commit.writes) {
        const entry = byCollection.get(collection) ?? { docs: [], owners: [] };
        if (entry.docs.length === 0) byCollection.set(collection, entry);
        entry.docs.push(doc);
        entry.owners.push(commit);
      }
    }
    await Promise.all(
      [...byCollection].map(async ([collection, { docs, owners }]) => {
        try {
          const outcome = await this.replaceNewer(collection, docs);
          for (const index of outcome.skipped) owners[index].skipped++;
          for (const { index, error } of outcome.failed) owners[index].failure ??= error;
        } catch (error) {
          for (const owner of owners) owner.failure ??= error;
        }
      }),
    );
    // Checkpoints only after their writes are acknowledged: a crash in between replays writes that are then skipped.
    const checkpointed = group.filter((c) => c.failure === undefined && c.checkpoints.length > 0);
    if (checkpointed.length > 0) {
      try {
        await this.db.collection<CheckpointDocument>(CHECKPOINTS).bulkWrite(
          checkpointed.flatMap((c) =>
            c.checkpoints.map((cp) => ({ updateOne: { filter: { _id: cp.name }, update: { $set: { position: cp.position } }, upsert: true } })),
          ),
          { ordered: true },
        );
      } catch (error) {
        for (const commit of checkpointed) commit.failure ??= error;
      }
    }
    for (const commit of group) {
      if (commit.failure !== undefined) commit.reject(commit.failure);
      else commit.resolve({ applied: commit.writes.length - commit.skipped, skipped: commit.skipped });
    }
  }

  /**
   * Documents by id, one query for every caller asking for the same collection in this turn of the
   * event loop (several partitions' batches, several checkpoints). `shared`: ids asked for more than once.
   */
  private async lookUp(collection: string, ids: readonly string[]): Promise<{ found: Map<string, Document>; shared: Set<string> }> {
    let pending = this.lookUps.get(collection);
    if (!pending) {
      const wanted = new Set<string>();
      const found = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.lookUps.delete(collection);
        const docs = await this.db.collection<Document>(collection).find({ _id: { $in: [...wanted] } } as MongoFilter<Document>).toArray();
        return new Map(docs.map((d) => [d._id, d]));
      });
      pending = { wanted, shared: new Set(), found };
      this.lookUps.set(collection, pending);
    }
    for (const id of new Set(ids)) {
      if (pending.wanted.has(id)) pending.shared.add(id);
      else pending.wanted.add(id);
    }
    return { found: await pending.found, shared: pending.shared };
  }

  /** Indexes (into `docs`) of the writes skipped by revision, and of those that failed otherwise. */
  private async replaceNewer(collection: string, docs: Document[]): Promise<{ skipped: number[]; failed: { index: number; error: Error }[] }> {
    const operations: AnyBulkWriteOperation<Document>[] = docs.map((doc) => ({
      replaceOne: { filter: { _id: doc._id, revision: { $lt: doc.revision } }, replacement: doc, upsert: true },
    }));
    try {
      // ignoreUndefined: an undefined field is left out, as JSON (and so the embedded store) does.
      await this.db.collection<Document>(collection).bulkWrite(operations, { ordered: false, ignoreUndefined: true });
      return { skipped: [], failed: [] };
    } catch (error) {
      // A network or server failure also arrives as a MongoBulkWriteError, with no write errors and
      // later batches never sent: only a complete outcome, every write applied or refused, is split by write.
      if (!(error instanceof MongoBulkWriteError) || error.result.getWriteConcernError()) throw error;
      const errors: readonly WriteError[] = asArray(error.writeErrors);
      const applied = error.result.matchedCount + error.result.upsertedCount;
      if (errors.length === 0 || applied + errors.length !== docs.length) throw error;
      const isSkip = (e: WriteError) => e.code === DUPLICATE_KEY && ON_ID.test(e.errmsg ?? '');
      return {
        skipped: errors.filter(isSkip).map((e) => e.index),
        failed: errors.filter((e) => !isSkip(e)).map((e) => ({ index: e.index, error: new Error(`Write to ${collection} failed: ${e.errmsg}`, { cause: error }) })),
      };
    }
  }
}

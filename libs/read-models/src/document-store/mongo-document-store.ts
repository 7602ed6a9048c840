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
    return (await this.db.collection<Document>(collection).find({ _id: { $in: [...ids] } } as MongoFilter<Document>).toArray()) as T[];
  }

  async count(collection: string, filter: Filter): Promise<number> {
    return this.db.collection<Document>(collection).countDocuments(filter as MongoFilter<Document>);
  }

  async commit(writes: DocumentWrite[], checkpoints: Checkpoint[] = []): Promise<CommitResult> {
    const byCollection = new Map<string, Document[]>();
    for (const { collection, doc } of writes) {
      const docs = byCollection.get(collection);
      if (docs) docs.push(doc);
      else byCollection.set(collection, [doc]);
    }
    const outcomes = await Promise.allSettled([...byCollection].map(([name, docs]) => this.replaceNewer(name, docs)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    // Checkpoints only after every write is acknowledged: a crash in between replays writes that are then skipped.
    if (checkpoints.length > 0) {
      await this.db.collection<CheckpointDocument>(CHECKPOINTS).bulkWrite(
        checkpoints.map((c) => ({ updateOne: { filter: { _id: c.name }, update: { $set: { position: c.position } }, upsert: true } })),
        { ordered: true },
      );
    }
    return outcomes.reduce(
      (sum, o) => (o.status === 'fulfilled' ? { applied: sum.applied + o.value.applied, skipped: sum.skipped + o.value.skipped } : sum),
      { applied: 0, skipped: 0 },
    );
  }

  async readCheckpoint(name: string): Promise<number | null> {
    const found = await this.db.collection<CheckpointDocument>(CHECKPOINTS).findOne({ _id: name });
    return found?.position ?? null;
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

  private async replaceNewer(collection: string, docs: Document[]): Promise<CommitResult> {
    const operations: AnyBulkWriteOperation<Document>[] = docs.map((doc) => ({
      replaceOne: { filter: { _id: doc._id, revision: { $lt: doc.revision } }, replacement: doc, upsert: true },
    }));
    try {
      // ignoreUndefined: an undefined field is left out, as JSON (and so the embedded store) does.
      const result = await this.db.collection<Document>(collection).bulkWrite(operations, { ordered: false, ignoreUndefined: true });
      const applied = result.matchedCount + result.upsertedCount;
      return { applied, skipped: docs.length - applied };
    } catch (error) {
      // A network or server failure also arrives as a MongoBulkWriteError, with no write errors and
      // later batches never sent: only a complete outcome made of duplicate keys counts as skips.
      if (!(error instanceof MongoBulkWriteError) || error.result.getWriteConcernError()) throw error;
      const errors: readonly WriteError[] = asArray(error.writeErrors);
      const other = errors.find((e) => e.code !== DUPLICATE_KEY || !ON_ID.test(e.errmsg ?? ''));
      if (other) throw new Error(`Write to ${collection} failed: ${other.errmsg}`, { cause: error });
      const applied = error.result.matchedCount + error.result.upsertedCount;
      if (errors.length === 0 || applied + errors.length !== docs.length) throw error;
      return { applied, skipped: errors.length };
    }
  }
}

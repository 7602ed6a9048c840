import { randomBytes } from 'node:crypto';
import { Binary, type Collection, type Db, MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';
import { type KeyStore, KeyShreddedError } from './key-store.port';

const DUPLICATE_KEY = 11000;

interface DataKeyDocument {
  _id: string;
  key: Binary;
}

interface TombstoneDocument {
  _id: string;
}

export interface MongoKeyStoreOptions {
  cacheSize?: number;
  /**
   * How long a key stays cached. Other instances sharing the store do not hear of a destroy: they
   * may keep opening that customer's data from their cache for up to this long after an erasure.
   */
  cacheTtlMs?: number;
}

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/**
 * Data keys in MongoDB (`data_keys`), shared by every API instance, with tombstones (`shredded_keys`)
 * so that a destroyed key is never created again. Every step is a single-document write on a unique
 * `_id`, so no transaction is needed (mongo-java-server offers none):
 * - creation inserts (on a duplicate `_id` it uses the winner's key), then checks the tombstone once:
 *   a new customer costs three round trips (look, insert, check), two when the caller says it is new
 *   (insert, check), an existing one two (look, check);
 * - destroy writes the tombstone first, then deletes the key. Whichever order the two interleave in,
 *   either the creation sees the tombstone (and deletes what it inserted) or the delete comes after
 *   the insert;
 * - a read that misses the cache also checks the tombstone, so a key document left beside one (the
 *   creation's cleanup failed, or the destroy failed between its two writes) is never handed out;
 * - the instance that destroys a key forgets it at once; the others hear nothing and keep it in their
 *   cache until the entry is `cacheTtlMs` old (30 s by default), so an erasure reaches their reads
 *   within that time.
 *
 * Limit of crypto-shredding on a server we do not control: deleting the document removes the key from
 * what the server answers, not necessarily from its files. MongoDB (WiredTiger) reuses the space only
 * later, its journal and the oplog of a replica set keep the write for a while, and backups or
 * snapshots taken before the erasure keep the key for as long as they are kept (mongo-java-server's
 * H2 file keeps it until it is compacted on a clean stop). Erasure is complete only once those have
 * rolled over: keep backup retention bounded and say so in the erasure policy. The SQLite store, whose
 * file we own, zeroes deleted rows and truncates its WAL instead.
 */
export class MongoKeyStore implements KeyStore {
  private readonly keys: Collection<DataKeyDocument>;
  private readonly tombstones: Collection<TombstoneDocument>;
  private readonly cache = new Map<string, { key: Buffer; until: number }>();
  /** Bumped when a destroy starts and ends: a read that overlapped one must not cache what it read. */
  private destroys = 0;
  private readonly cacheSize: number;
  private readonly cacheTtlMs: number;

  constructor(
    db: Db,
    options: MongoKeyStoreOptions = {},
    private readonly ownedClient: MongoClient | null = null,
  ) {
    this.keys = db.collection<DataKeyDocument>('data_keys');
    this.tombstones = db.collection<TombstoneDocument>('shredded_keys');
    this.cacheSize = options.cacheSize ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000;
  }

  /** Retryable writes are off: mongo-java-server (and a standalone mongod) refuse them. */
  static async connect(url: string, dbName?: string, options: MongoKeyStoreOptions = {}, clientOptions: MongoClientOptions = {}) {
    const client = new MongoClient(url, { retryWrites: false, ...clientOptions });
    await client.connect();
    return new MongoKeyStore(client.db(dbName), options, client);
  }

  /** Uses a client owned by someone else: `close` leaves it open. */
  static fromClient(client: MongoClient, dbName?: string, options: MongoKeyStoreOptions = {}): MongoKeyStore {
    return new MongoKeyStore(client.db(dbName), options);
  }

  async keyFor(customerId: string, options: { likelyNew?: boolean } = {}): Promise<Buffer> {
    const cached = this.cached(customerId);
    if (cached) return cached;
    const destroys = this.destroys;
    const found = options.likelyNew ? null : await this.keys.findOne({ _id: customerId });
    let key = found ? Buffer.from(found.key.value()) : randomBytes(32);
    if (!found) {
      try {
        await this.keys.insertOne({ _id: customerId, key: new Binary(key) });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A concurrent creation (here or in another instance) won; everyone uses the stored key.
        const winner = await this.keys.findOne({ _id: customerId });
        if (!winner) throw new KeyShreddedError(customerId);
        key = Buffer.from(winner.key.value());
      }
    }
    // One tombstone check, once the key document exists: a destroy writes its tombstone before it
    // deletes the key, so either this check sees the tombstone or that delete comes after the insert.
    if (await this.isShredded(customerId)) {
      await this.keys.deleteOne({ _id: customerId });
      throw new KeyShreddedError(customerId);
    }
    if (destroys === this.destroys) this.remember(customerId, key);
    return key;
  }

  async existingKey(customerId: string): Promise<Buffer | null> {
    const cached = this.cached(customerId);
    if (cached) return cached;
    const destroys = this.destroys;
    // The tombstone wins over a key document: one may linger if a creation's cleanup failed.
    const [found, shredded] = await Promise.all([this.keys.findOne({ _id: customerId }), this.isShredded(customerId)]);
    if (!found || shredded) return null;
    const key = Buffer.from(found.key.value());
    if (destroys === this.destroys) this.remember(customerId, key);
    return key;
  }

  async destroy(customerId: string): Promise<void> {
    this.destroys++;
    this.cache.delete(customerId);
    try {
      await this.tombstones.insertOne({ _id: customerId });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    await this.keys.deleteOne({ _id: customerId });
    // A read that was answered before the delete may have cached the key again meanwhile.
    this.destroys++;
    this.cache.delete(customerId);
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.ownedClient?.close();
  }

  private async isShredded(customerId: string): Promise<boolean> {
    return (await this.tombstones.findOne({ _id: customerId }, { projection: { _id: 1 } })) !== null;
  }

  private cached(customerId: string): Buffer | null {
    const entry = this.cache.get(customerId);
    if (entry && entry.until > Date.now()) return entry.key;
    if (entry) this.cache.delete(customerId);
    return null;
  }

  private remember(customerId: string, key: Buffer): void {
    this.cache.delete(customerId);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(customerId, { key, until: Date.now() + this.cacheTtlMs });
  }
}

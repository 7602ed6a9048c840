import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Binary, type Collection, type Db, MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';
import type { CommandStore, ContactClaim, HeldClaim, StoredReply } from './command-store.port';

const DUPLICATE_KEY = 11000;
const HMAC_KEY = 'contact-hmac-key';
/** Attempts at one value whose holder keeps changing under us before giving up. */
const MAX_ATTEMPTS = 10;
/** Expired replies are deleted when read, and all at once at most this often (no TTL monitor on mongo-java-server). */
const SWEEP_EVERY_MS = 10 * 60_000;

interface ReplyDocument {
  _id: string;
  fingerprint: string;
  status: number;
  /** JSON text: a reply body may hold keys MongoDB refuses (`$…`, dotted) and values BSON changes. */
  body: string;
  expiresAt: Date;
}

interface ClaimDocument {
  _id: string;
  customerId: string;
  reservedAt: Date;
  /** Which claimContacts call wrote it, so that undoing one call never undoes another's write. */
  claimId: string;
}

interface SettingDocument {
  _id: string;
  value: Binary;
}

type ClaimStamp = Omit<ClaimDocument, '_id'>;

/** What one value's write changed: the reservation it replaced (null when it inserted one). */
interface Reserved {
  digest: string;
  previous: ClaimDocument | null;
}

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === DUPLICATE_KEY;
// Scope and key are both free text: escaping them keeps `a|b` + `c` apart from `a` + `b|c`.
const replyId = (scope: string, key: string) => `${encodeURIComponent(scope)}|${encodeURIComponent(key)}`;

/**
 * Write-side bookkeeping in MongoDB, shared by every API instance: `command_replies`, `contact_claims`
 * (keyed by an HMAC of kind and value, never the value) and `command_settings`, which holds the HMAC
 * secret, created insert-if-absent so that every instance ends up with the same one.
 *
 * Without multi-document transactions (mongo-java-server has none, and a standalone mongod neither)
 * a claim of several values is all-or-nothing by compensation: each value is one single-document
 * write on the unique `_id` (insert if free, update conditional on the holder seen to take over or to
 * refresh its own), and on a value held by someone it may not take over, the claim undoes its own
 * writes, each conditional on the value still carrying this claim's `claimId`. Uniqueness itself never
 * depends on timing: the unique `_id` lets one customer hold a value at a time. The windows accepted
 * can only refuse a claim or keep a value reserved, never give one value to two customers:
 * - while a claim is under way or being undone, others see its partial reservations and are refused
 *   with it as holder, although it may end up holding nothing. Reservations only ever block, and the
 *   caller re-checks every holder it is shown (ContactUniqueness: a churned, erased or never-created
 *   holder is taken over, the last once its reservation is a minute old), so the worst case is a
 *   conflict answered for a value that is free a moment later, which a retry gets;
 * - values are written in digest order, so two claims over the same values cannot each take one the
 *   other needs and both be refused;
 * - a crash (or a failed write) in the middle of a claim or of its undo leaves reservations of a
 *   customer whose command failed, as a crash between reservation and append does with the SQLite
 *   store: a customer that was never created loses them after a minute; a live one keeps blocking
 *   the value until it is released (the caller does not check that the holder still has the value).
 * Replies are single documents replaced whole: the last save of a key wins.
 */
export class MongoCommandStore implements CommandStore {
  private readonly replies: Collection<ReplyDocument>;
  private readonly claims: Collection<ClaimDocument>;
  private readonly settings: Collection<SettingDocument>;
  private ready: Promise<Buffer> | null = null;
  private lastSweep = 0;

  constructor(
    db: Db,
    private readonly ownedClient: MongoClient | null = null,
  ) {
    this.replies = db.collection<ReplyDocument>('command_replies');
    this.claims = db.collection<ClaimDocument>('contact_claims');
    this.settings = db.collection<SettingDocument>('command_settings');
  }

  /** Retryable writes are off: mongo-java-server (and a standalone mongod) refuse them. */
  static async connect(url: string, dbName?: string, clientOptions: MongoClientOptions = {}): Promise<MongoCommandStore> {
    const client = new MongoClient(url, { retryWrites: false, ...clientOptions });
    await client.connect();
    return new MongoCommandStore(client.db(dbName), client);
  }

  /** Uses a client owned by someone else: `close` leaves it open. */
  static fromClient(client: MongoClient, dbName?: string): MongoCommandStore {
    return new MongoCommandStore(client.db(dbName));
  }

  async findReply(scope: string, key: string): Promise<StoredReply | null> {
    await this.secret();
    const found = await this.replies.findOne({ _id: replyId(scope, key) });
    if (!found) return null;
    if (found.expiresAt.getTime() <= Date.now()) {
      // Only that expired version: a reply saved again meanwhile stays.
      await this.replies.deleteOne({ _id: found._id, expiresAt: found.expiresAt });
      return null;
    }
    return { fingerprint: found.fingerprint, status: found.status, body: JSON.parse(found.body) };
  }

  async saveReply(scope: string, key: string, reply: StoredReply, ttlMs: number): Promise<void> {
    await this.secret();
    const _id = replyId(scope, key);
    const document = { fingerprint: reply.fingerprint, status: reply.status, body: JSON.stringify(reply.body ?? null), expiresAt: new Date(Date.now() + ttlMs) };
    try {
      await this.replies.replaceOne({ _id }, document, { upsert: true });
    } catch (error) {
      // Two upserts of a new _id can race; the loser's replace then finds the winner's document.
      if (!isDuplicateKey(error)) throw error;
      await this.replies.replaceOne({ _id }, document, { upsert: true });
    }
    await this.sweepExpiredReplies();
  }

  async claimContacts(customerId: string, claims: ContactClaim[], takeOverFrom?: ReadonlySet<string>): Promise<HeldClaim | null> {
    const secret = await this.secret();
    const wanted = new Map(claims.map((claim) => [this.digest(secret, claim), claim]));
    if (wanted.size === 0) return null;
    const holders = new Map<string, ClaimDocument>();
    // One value needs no look first: its insert finds any holder, and a refused insert writes nothing.
    if (wanted.size > 1) for (const held of await this.claims.find({ _id: { $in: [...wanted.keys()] } }).toArray()) holders.set(held._id, held);
    // Refused without writing anything when a holder is already known to block.
    for (const [digest, claim] of wanted) {
      const held = holders.get(digest);
      if (held && this.blocks(held, customerId, takeOverFrom)) return heldClaim(claim, held);
    }
    const mine: ClaimStamp = { customerId, reservedAt: new Date(), claimId: randomUUID() };
    const done: Reserved[] = [];
    for (const digest of [...wanted.keys()].sort()) {
      const outcome = await this.reserve(mine, digest, holders.get(digest) ?? null, takeOverFrom).catch(async (error: unknown) => {
        await this.undo(mine, done);
        throw error;
      });
      if ('blockedBy' in outcome) {
        await this.undo(mine, done);
        return heldClaim(wanted.get(digest)!, outcome.blockedBy);
      }
      done.push(outcome);
    }
    return null;
  }

  async releaseContacts(customerId: string, claims: ContactClaim[]): Promise<void> {
    const secret = await this.secret();
    const digests = [...new Set(claims.map((claim) => this.digest(secret, claim)))];
    if (digests.length > 0) await this.claims.deleteMany({ _id: { $in: digests }, customerId });
  }

  async releaseAllContacts(customerId: string): Promise<void> {
    await this.secret();
    await this.claims.deleteMany({ customerId });
  }

  async close(): Promise<void> {
    await this.ownedClient?.close();
  }

  /** Takes one value: inserts it when free, else updates it conditionally on the holder it saw; retries when that changed. */
  private async reserve(
    mine: ClaimStamp,
    digest: string,
    seen: ClaimDocument | null,
    takeOverFrom: ReadonlySet<string> | undefined,
  ): Promise<Reserved | { blockedBy: ClaimDocument }> {
    let current = seen;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!current) {
        try {
          await this.claims.insertOne({ _id: digest, ...mine });
          return { digest, previous: null };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      } else {
        if (this.blocks(current, mine.customerId, takeOverFrom)) return { blockedBy: current };
        // Our own value gets a fresh reservedAt too, as the caller's orphan rule expects.
        const updated = await this.claims.updateOne({ _id: digest, customerId: current.customerId }, { $set: mine });
        if (updated.matchedCount === 1) return { digest, previous: current };
      }
      current = await this.claims.findOne({ _id: digest });
    }
    throw new Error(`A contact reservation kept changing hands during ${MAX_ATTEMPTS} attempts; try again`);
  }

  /** Puts back what this claim changed, each value only if it still holds what this claim wrote. */
  private async undo(mine: ClaimStamp, done: Reserved[]): Promise<void> {
    for (const { digest, previous } of done.reverse()) {
      const ours = { _id: digest, claimId: mine.claimId };
      if (previous) {
        const { customerId, reservedAt, claimId } = previous;
        await this.claims.updateOne(ours, { $set: { customerId, reservedAt, claimId } });
      } else {
        await this.claims.deleteOne(ours);
      }
    }
  }

  private blocks(held: ClaimDocument, customerId: string, takeOverFrom: ReadonlySet<string> | undefined): boolean {
    return held.customerId !== customerId && !takeOverFrom?.has(held.customerId);
  }

  /** The HMAC secret, created by whichever instance comes first; also sets up the indexes once. */
  private secret(): Promise<Buffer> {
    this.ready ??= this.prepare().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private async prepare(): Promise<Buffer> {
    try {
      await this.settings.insertOne({ _id: HMAC_KEY, value: new Binary(randomBytes(32)) });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const setting = await this.settings.findOne({ _id: HMAC_KEY });
    if (!setting) throw new Error('The contact HMAC key vanished from command_settings');
    // The TTL index expires replies on MongoDB (mongo-java-server accepts it and never expires: reads filter too).
    await this.replies.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await this.claims.createIndex({ customerId: 1 });
    return Buffer.from(setting.value.value());
  }

  private async sweepExpiredReplies(): Promise<void> {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    await this.replies.deleteMany({ expiresAt: { $lte: new Date() } });
  }

  private digest(secret: Buffer, claim: ContactClaim): string {
    return createHmac('sha256', secret).update(`${claim.kind}:${claim.value}`).digest('base64url');
  }
}

function heldClaim(claim: ContactClaim, held: ClaimDocument): HeldClaim {
  return { claim, holder: held.customerId, reservedAt: held.reservedAt.getTime() };
}

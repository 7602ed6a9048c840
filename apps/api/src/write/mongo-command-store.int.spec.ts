import { createHmac, randomUUID } from 'node:crypto';
import { type Binary, BSON, type Collection, type Db, MongoClient } from 'mongodb';
import { describeWithMongo } from '@crm/testing';
import type { ContactClaim } from './command-store.port';
import { MongoCommandStore } from './mongo-command-store';
import { describeCommandStoreContract } from './testing/command-store.contract';

describeWithMongo('MongoCommandStore', (mongoUrl) => {
  const freshName = () => `crm_test_commands_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  // One fresh database per run, dropped afterwards; every store the contract opens shares it.
  const dbName = freshName();
  const scratch: string[] = [dbName];
  let admin: MongoClient;
  let db: Db;
  beforeAll(async () => {
    admin = await MongoClient.connect(mongoUrl, { retryWrites: false });
    db = admin.db(dbName);
  });
  afterAll(async () => {
    for (const name of scratch) await admin.db(name).dropDatabase();
    await admin.close();
  });

  // Every document of every collection, as the server returns it.
  const rawDump = async () => {
    const collections = await db.listCollections({}, { nameOnly: true }).toArray();
    const documents = await Promise.all(collections.map((c) => db.collection(c.name).find().toArray()));
    return BSON.EJSON.stringify(documents, { relaxed: false });
  };

  describeCommandStoreContract('MongoCommandStore', () => MongoCommandStore.connect(mongoUrl, dbName), undefined, rawDump);

  describe('MongoCommandStore', () => {
    let store: MongoCommandStore;
    beforeAll(async () => {
      store = MongoCommandStore.fromClient(admin, dbName);
      await store.findReply('warm', 'up');
    });
    afterAll(async () => store.close());

    const digestOf = async (claim: ContactClaim) => {
      const setting = await db.collection('command_settings').findOne({ _id: 'contact-hmac-key' as never });
      const secret = Buffer.from((setting!.value as Binary).value());
      return createHmac('sha256', secret).update(`${claim.kind}:${claim.value}`).digest('base64url');
    };

    it('stores replies under an escaped "scope|key" _id with a Date expiry, and claims under the HMAC digest', async () => {
      const scope = `key-${randomUUID()}`;
      await store.saveReply(scope, 'a|b', { fingerprint: 'f', status: 201, body: { $odd: 'k.e.y' } }, 60_000);
      const saved = await db.collection('command_replies').findOne({ _id: `${scope}|a%7Cb` as never });
      expect(saved).toEqual({ _id: `${scope}|a%7Cb`, fingerprint: 'f', status: 201, body: '{"$odd":"k.e.y"}', expiresAt: expect.any(Date) });
      const customerId = randomUUID();
      const claim: ContactClaim = { kind: 'email', value: `shape-${randomUUID()}@example.com` };
      await store.claimContacts(customerId, [claim]);
      const reserved = await db.collection('contact_claims').findOne({ _id: (await digestOf(claim)) as never });
      expect(reserved).toEqual({ _id: expect.any(String), customerId, reservedAt: expect.any(Date), claimId: expect.any(String) });
      expect(await db.collection('command_settings').countDocuments()).toBe(1);
    });

    it('deletes an expired reply when it is read (mongo-java-server ignores TTL indexes)', async () => {
      const scope = `key-${randomUUID()}`;
      await store.saveReply(scope, 'k', { fingerprint: 'f', status: 200, body: null }, 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await store.findReply(scope, 'k')).toBeNull();
      expect(await db.collection('command_replies').countDocuments({ _id: `${scope}|k` as never })).toBe(0);
      const indexes = await db.collection('command_replies').listIndexes().toArray();
      expect(indexes).toContainEqual(expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }));
    });

    it('gives back what it took over when a value it needs was taken after it looked', async () => {
      // Two values whose digests sort x before y: the claim takes x over, then meets y held.
      let x: ContactClaim;
      let y: ContactClaim;
      do {
        x = { kind: 'email', value: `x-${randomUUID()}@example.com` };
        y = { kind: 'phone', value: `+86139${Date.now() % 1e8}` };
      } while ((await digestOf(x)) > (await digestOf(y)));
      const [stale, late, claimer] = [randomUUID(), randomUUID(), randomUUID()];
      await store.claimContacts(stale, [x]);
      const before = await db.collection('contact_claims').findOne({ _id: (await digestOf(x)) as never });
      const claims = (store as unknown as { claims: Collection }).claims;
      const find = claims.find.bind(claims);
      jest.spyOn(claims, 'find').mockImplementationOnce(((filter: never) => {
        const cursor = find(filter);
        const toArray = cursor.toArray.bind(cursor);
        cursor.toArray = async () => {
          const seen = await toArray();
          expect(await store.claimContacts(late, [y])).toBeNull();
          return seen;
        };
        return cursor;
      }) as never);
      expect(await store.claimContacts(claimer, [x, y], new Set([stale]))).toMatchObject({ claim: y, holder: late });
      expect(await db.collection('contact_claims').findOne({ _id: (await digestOf(x)) as never })).toEqual(before);
    });

    it('claims one free value in one round trip, and refuses a held one without writing', async () => {
      const counted = await MongoClient.connect(mongoUrl, { retryWrites: false, monitorCommands: true });
      try {
        const own = MongoCommandStore.fromClient(counted, dbName);
        await own.findReply('warm', 'up');
        const commands: string[] = [];
        counted.on('commandStarted', (event) => commands.push(event.commandName));
        const claim: ContactClaim = { kind: 'email', value: `one-${randomUUID()}@example.com` };
        const holder = randomUUID();
        expect(await own.claimContacts(holder, [claim])).toBeNull();
        expect(commands).toEqual(['insert']);
        const before = await db.collection('contact_claims').findOne({ _id: (await digestOf(claim)) as never });
        expect(await own.claimContacts(randomUUID(), [claim])).toMatchObject({ claim, holder });
        expect(await db.collection('contact_claims').findOne({ _id: (await digestOf(claim)) as never })).toEqual(before);
      } finally {
        await counted.close();
      }
    });

    it('gives every instance on a fresh database the one HMAC secret, even when they start at once', async () => {
      const name = freshName();
      scratch.push(name);
      const instances = await Promise.all(Array.from({ length: 4 }, () => MongoCommandStore.connect(mongoUrl, name)));
      const value: ContactClaim = { kind: 'email', value: `shared-${randomUUID()}@example.com` };
      const results = await Promise.all(instances.map((instance) => instance.claimContacts(randomUUID(), [value])));
      expect(results.filter((held) => held === null)).toHaveLength(1);
      expect(await admin.db(name).collection('command_settings').countDocuments()).toBe(1);
      expect(await admin.db(name).collection('contact_claims').countDocuments()).toBe(1);
      for (const instance of instances) await instance.close();
    });

    it('leaves the client it was given open on close', async () => {
      const borrowed = MongoCommandStore.fromClient(admin, dbName);
      await borrowed.close();
      expect(await db.collection('command_settings').countDocuments()).toBe(1);
    });
  });
});

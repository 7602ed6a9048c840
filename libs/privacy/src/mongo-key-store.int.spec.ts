import { randomUUID } from 'node:crypto';
import { Binary, type Db, MongoClient } from 'mongodb';
import { describeWithMongo } from '@crm/testing';
import { KeyShreddedError } from './key-store.port';
import { MongoKeyStore } from './mongo-key-store';
import { describeKeyStoreContract } from './testing/key-store.contract';

describeWithMongo('MongoKeyStore', (mongoUrl) => {
  // One fresh database per run, dropped afterwards; every store the specs open shares it.
  const dbName = `crm_test_keys_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: MongoClient;
  let db: Db;
  beforeAll(async () => {
    admin = await MongoClient.connect(mongoUrl, { retryWrites: false });
    db = admin.db(dbName);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await admin.close();
  });

  describeKeyStoreContract('MongoKeyStore', () => MongoKeyStore.connect(mongoUrl, dbName));

  describe('MongoKeyStore', () => {
    let one: MongoKeyStore;
    let two: MongoKeyStore;
    beforeAll(async () => {
      one = await MongoKeyStore.connect(mongoUrl, dbName);
      two = await MongoKeyStore.connect(mongoUrl, dbName, { cacheTtlMs: 200 });
    });
    afterAll(async () => {
      await one.close();
      await two.close();
    });

    it('stores { _id: customerId, key: Binary } in data_keys and a bare { _id } tombstone in shredded_keys', async () => {
      const customerId = randomUUID();
      const key = await one.keyFor(customerId);
      const stored = await db.collection('data_keys').findOne({ _id: customerId as never });
      expect(stored).toEqual({ _id: customerId, key: expect.any(Binary) });
      expect(Buffer.from((stored!.key as Binary).value()).equals(key)).toBe(true);
      await one.destroy(customerId);
      expect(await db.collection('data_keys').countDocuments({ _id: customerId as never })).toBe(0);
      expect(await db.collection('shredded_keys').findOne({ _id: customerId as never })).toEqual({ _id: customerId });
    });

    it('gives every instance sharing the database the one key, even when they create it at once', async () => {
      const customerId = randomUUID();
      const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).keyFor(customerId)));
      for (const key of keys) expect(key.equals(keys[0])).toBe(true);
      expect(await db.collection('data_keys').countDocuments({ _id: customerId as never })).toBe(1);
    });

    it('refuses a key to an instance that did not do the destroy, once its cache entry is older than cacheTtlMs', async () => {
      const customerId = randomUUID();
      await two.keyFor(customerId);
      await one.destroy(customerId);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await two.existingKey(customerId)).toBeNull();
      await expect(two.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
    });

    it('deletes what it created when a destroy in another instance ran between its look-up and its insert', async () => {
      const customerId = randomUUID();
      const creator = MongoKeyStore.fromClient(admin, dbName);
      type Keys = { keys: { insertOne(doc: unknown): Promise<unknown> } };
      const keys = (creator as unknown as Keys).keys;
      const insertOne = keys.insertOne.bind(keys);
      // The other instance's whole destroy runs after the creator found no key, right before it inserts one.
      const spy = jest.spyOn(keys, 'insertOne').mockImplementation(async (doc: unknown) => {
        await two.destroy(customerId);
        return insertOne(doc);
      });
      await expect(creator.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(await db.collection('data_keys').countDocuments({ _id: customerId as never })).toBe(0);
      expect(await creator.existingKey(customerId)).toBeNull();
    });

    it('asks the server three times for the key of a new customer (twice when told it is new), twice for a known one not in its cache', async () => {
      const counted = await MongoClient.connect(mongoUrl, { retryWrites: false, monitorCommands: true });
      try {
        const commands: string[] = [];
        counted.on('commandStarted', (event) => commands.push(event.commandName));
        const customerId = randomUUID();
        const key = await MongoKeyStore.fromClient(counted, dbName).keyFor(customerId);
        expect(commands).toEqual(['find', 'insert', 'find']);
        commands.length = 0;
        expect(await MongoKeyStore.fromClient(counted, dbName).keyFor(customerId)).toEqual(key);
        expect(commands).toEqual(['find', 'find']);
        commands.length = 0;
        const fresh = randomUUID();
        const freshKey = await MongoKeyStore.fromClient(counted, dbName).keyFor(fresh, { likelyNew: true });
        expect(commands).toEqual(['insert', 'find']);
        // The hint is wrong (the key exists): the stored key still wins.
        expect(await MongoKeyStore.fromClient(counted, dbName).keyFor(fresh, { likelyNew: true })).toEqual(freshKey);
      } finally {
        await counted.close();
      }
    });

    it('never hands out a key document left beside its tombstone', async () => {
      const customerId = randomUUID();
      await db.collection('shredded_keys').insertOne({ _id: customerId as never });
      await db.collection('data_keys').insertOne({ _id: customerId as never, key: new Binary(Buffer.alloc(32, 7)) });
      expect(await one.existingKey(customerId)).toBeNull();
      await expect(one.keyFor(customerId)).rejects.toBeInstanceOf(KeyShreddedError);
    });

    it('leaves the client it was given open on close', async () => {
      const client = await MongoClient.connect(mongoUrl, { retryWrites: false });
      const borrowed = MongoKeyStore.fromClient(client, dbName);
      const customerId = randomUUID();
      const key = await borrowed.keyFor(customerId);
      await borrowed.close();
      expect(await client.db(dbName).collection('data_keys').countDocuments({ _id: customerId as never })).toBe(1);
      expect((await one.existingKey(customerId))?.equals(key)).toBe(true);
      await client.close();
    });
  });
});

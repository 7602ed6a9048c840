import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describeWithMongo } from '@crm/testing';
import type { DocumentStore } from './document-store.port';
import { MongoDocumentStore } from './mongo-document-store';
import { describeDocumentStoreContract } from './testing/document-store.contract';

describeWithMongo('MongoDocumentStore', (mongoUrl) => {
  const clients = new Map<DocumentStore, { client: MongoClient; dbName: string }>();

  const connect = async () => {
    const dbName = `crm_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const client = new MongoClient(mongoUrl, { retryWrites: false });
    await client.connect();
    const store = MongoDocumentStore.fromClient(client, dbName);
    clients.set(store, { client, dbName });
    return store;
  };

  const disconnect = async (store: DocumentStore) => {
    const { client, dbName } = clients.get(store)!;
    await client.db(dbName).dropDatabase();
    await client.close();
  };

  describeDocumentStoreContract('MongoDocumentStore', connect, disconnect);

  describe('MongoDocumentStore', () => {
    let store: MongoDocumentStore;
    let db: ReturnType<MongoClient['db']>;
    beforeAll(async () => {
      store = (await connect()) as MongoDocumentStore;
      const { client, dbName } = clients.get(store)!;
      db = client.db(dbName);
    });
    afterAll(async () => disconnect(store));

    it('throws on a duplicate key of another unique index, and keeps the checkpoint', async () => {
      await db.collection('people').createIndex({ email: 1 }, { unique: true });
      await store.commit([{ collection: 'people', doc: { _id: 'a', revision: 0, email: 'same@example.com' } }], [{ name: 'people', position: 1 }]);
      const duplicate = store.commit([{ collection: 'people', doc: { _id: 'b', revision: 0, email: 'same@example.com' } }], [{ name: 'people', position: 2 }]);
      await expect(duplicate).rejects.toThrow(/people failed: E11000/);
      expect(await store.readCheckpoint('people')).toBe(1);
    });

    it('stores checkpoints as { _id: name, position } in the checkpoints collection', async () => {
      await store.commit([], [{ name: 'live', position: 7 }]);
      expect(await db.collection('checkpoints').findOne({ _id: 'live' as never })).toEqual({ _id: 'live', position: 7 });
    });

    it('creates the index ensureIndex asks for', async () => {
      await store.commit([{ collection: 'indexed', doc: { _id: 'a', revision: 0, stage: 'x' } }]);
      await store.ensureIndex('indexed', { stage: 1, revision: -1 });
      const indexes = await db.collection('indexed').listIndexes().toArray();
      expect(indexes.map((i) => i.key)).toContainEqual({ stage: 1, revision: -1 });
    });

    it('renames with the server command when told to (what MongoDB itself gets)', async () => {
      const { client } = clients.get(store)!;
      const serverRename = MongoDocumentStore.fromClient(client, store.databaseName, { renameByCopy: false });
      await serverRename.commit([
        { collection: 'live', doc: { _id: 'old', revision: 0 } },
        { collection: 'live__rebuild', doc: { _id: 'new', revision: 0 } },
      ]);
      await serverRename.renameCollection('live__rebuild', 'live');
      expect(await serverRename.find('live', {})).toEqual([{ _id: 'new', revision: 0 }]);
      expect(await serverRename.count('live__rebuild', {})).toBe(0);
      await serverRename.renameCollection('missing', 'live');
      expect(await serverRename.count('live', {})).toBe(0);
    });

    it('connects from a URL with a database name, and closes the client it owns', async () => {
      const own = await MongoDocumentStore.connect(mongoUrl, store.databaseName);
      expect(own.databaseName).toBe(store.databaseName);
      await own.commit([{ collection: 'owned', doc: { _id: 'o', revision: 0 } }]);
      expect(await store.findOne('owned', { _id: 'o' })).toEqual({ _id: 'o', revision: 0 });
      await own.close();
      await expect(own.findOne('owned', { _id: 'o' })).rejects.toThrow();
    });
  });
});

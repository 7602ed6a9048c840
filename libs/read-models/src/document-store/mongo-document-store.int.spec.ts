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

    it('fails only the concurrent commit whose own write failed; the others land with their checkpoints', async () => {
      await db.collection('members').createIndex({ email: 1 }, { unique: true });
      await store.commit([{ collection: 'members', doc: { _id: 'a', revision: 0, email: 'taken@example.com' } }]);
      const [bad, good] = await Promise.allSettled([
        store.commit([{ collection: 'members', doc: { _id: 'b', revision: 0, email: 'taken@example.com' } }], [{ name: 'members-bad', position: 5 }]),
        store.commit([{ collection: 'members', doc: { _id: 'c', revision: 0, email: 'c@example.com' } }], [{ name: 'members-good', position: 6 }]),
      ]);
      expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/members failed: E11000/) }) });
      expect(good).toEqual({ status: 'fulfilled', value: { applied: 1, skipped: 0 } });
      expect(await store.readCheckpoint('members-bad')).toBeNull();
      expect(await store.readCheckpoint('members-good')).toBe(6);
      expect(await store.findOne('members', { _id: 'c' })).toMatchObject({ email: 'c@example.com' });
    });

    describe('concurrent callers share round trips', () => {
      let monitored: MongoClient;
      let shared: MongoDocumentStore;
      const commands: { name: string; collection: unknown; size: number }[] = [];
      beforeAll(async () => {
        monitored = new MongoClient(mongoUrl, { retryWrites: false, monitorCommands: true });
        monitored.on('commandStarted', (e) =>
          commands.push({ name: e.commandName, collection: e.command[e.commandName], size: (e.command.updates ?? e.command.documents ?? []).length }),
        );
        await monitored.connect();
        shared = MongoDocumentStore.fromClient(monitored, store.databaseName);
      });
      afterAll(async () => monitored.close());
      beforeEach(() => void commands.splice(0));
      const sent = (name: string, collection: string) => commands.filter((c) => c.name === name && c.collection === collection);

      it('commits issued together: one bulk write per collection, one for all their checkpoints', async () => {
        const results = await Promise.all(
          ['p0', 'p1', 'p2'].map((partition, n) =>
            shared.commit(
              [
                { collection: 'grouped', doc: { _id: `${partition}-x`, revision: 0 } },
                { collection: 'grouped_other', doc: { _id: `${partition}-y`, revision: 0 } },
              ],
              [{ name: `grouped-${partition}`, position: 100 + n }],
            ),
          ),
        );
        expect(results).toEqual(Array(3).fill({ applied: 2, skipped: 0 }));
        expect(sent('update', 'grouped')).toEqual([{ name: 'update', collection: 'grouped', size: 3 }]);
        expect(sent('update', 'grouped_other')).toEqual([{ name: 'update', collection: 'grouped_other', size: 3 }]);
        expect(sent('update', 'checkpoints')).toEqual([{ name: 'update', collection: 'checkpoints', size: 3 }]);
        expect(await Promise.all(['p0', 'p1', 'p2'].map((p) => shared.readCheckpoint(`grouped-${p}`)))).toEqual([100, 101, 102]);
      });

      it('a commit issued while another is in flight waits for it, then goes with the rest', async () => {
        const first = shared.commit([{ collection: 'queued', doc: { _id: 'q', revision: 0 } }]);
        await new Promise((resolve) => setImmediate(resolve));
        const later = [1, 2, 3].map((revision) => shared.commit([{ collection: 'queued', doc: { _id: 'q', revision } }]));
        await Promise.all([first, ...later]);
        expect(sent('update', 'queued').map((c) => c.size)).toEqual([1, 3]);
        expect(await shared.findOne('queued', { _id: 'q' })).toEqual({ _id: 'q', revision: 3 });
      });

      it('checkpoints and documents asked for together: one query, each caller its own copy', async () => {
        await shared.commit([{ collection: 'looked_up', doc: { _id: 'l', revision: 0, tags: ['a'] } }], [{ name: 'look-1', position: 1 }]);
        commands.splice(0);
        const [one, two, none, first, second] = await Promise.all([
          shared.readCheckpoint('look-1'),
          shared.readCheckpoint('look-1'),
          shared.readCheckpoint('look-none'),
          shared.findByIds('looked_up', ['l']),
          shared.findByIds('looked_up', ['l', 'missing']),
        ]);
        expect([one, two, none]).toEqual([1, 1, null]);
        expect(first).toEqual([{ _id: 'l', revision: 0, tags: ['a'] }]);
        expect(second).toEqual(first);
        expect(second[0]).not.toBe(first[0]);
        expect(sent('find', 'checkpoints')).toHaveLength(1);
        expect(sent('find', 'looked_up')).toHaveLength(1);
      });
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

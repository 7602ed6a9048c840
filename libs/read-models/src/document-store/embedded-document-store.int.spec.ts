import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from './document-store.port';
import { EmbeddedDocumentStore } from './embedded-document-store';
import { describeDocumentStoreContract } from './testing/document-store.contract';

const folders = new Map<EmbeddedDocumentStore, string>();

describeDocumentStoreContract(
  'EmbeddedDocumentStore',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'document-store-contract-'));
    const store = new EmbeddedDocumentStore(join(dir, 'read-models.db'));
    folders.set(store, dir);
    return store;
  },
  async (store) => {
    await store.close();
    rmSync(folders.get(store as EmbeddedDocumentStore)!, { recursive: true, force: true });
  },
);

const doc = (_id: string, revision: number, fields: Record<string, unknown> = {}): Document => ({ _id, revision, ...fields });

describe('EmbeddedDocumentStore', () => {
  let dir: string;
  let file: string;
  const opened: EmbeddedDocumentStore[] = [];

  const open = () => {
    const store = new EmbeddedDocumentStore(file);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'document-store-'));
    file = join(dir, 'read-models.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function snapshot(store: EmbeddedDocumentStore, collections: string[], checkpoint: string) {
    const docs: Record<string, Document[]> = {};
    for (const c of collections) docs[c] = await store.find(c, {}, { sort: { _id: 1 } });
    return { docs, checkpoint: await store.readCheckpoint(checkpoint) };
  }

  it('keeps documents, renames, drops and checkpoints across close and reopen', async () => {
    const first = open();
    await first.commit(
      [
        { collection: 'profiles', doc: doc('a', 2, { nested: { list: [1, null, 'x'] } }) },
        { collection: 'profiles__rebuild', doc: doc('b', 0) },
        { collection: 'scratch', doc: doc('s', 0) },
      ],
      [{ name: 'live', position: 41 }],
    );
    await first.renameCollection('profiles__rebuild', 'profiles');
    await first.dropCollection('scratch');
    await first.commit([{ collection: 'profiles', doc: doc('c', 0) }], [{ name: 'live', position: 42 }]);
    const before = await snapshot(first, ['profiles', 'profiles__rebuild', 'scratch'], 'live');
    await first.close();

    const second = open();
    expect(await snapshot(second, ['profiles', 'profiles__rebuild', 'scratch'], 'live')).toEqual(before);
    expect(before.docs.profiles.map((d) => d._id)).toEqual(['b', 'c']);
    expect(before.checkpoint).toBe(42);
    expect(await second.commit([{ collection: 'profiles', doc: doc('b', 0) }])).toEqual({ applied: 0, skipped: 1 });
    await second.commit([{ collection: 'fresh', doc: doc('f', 0) }, { collection: 'profiles', doc: doc('d', 0) }]);
    await second.close();

    const third = open();
    expect((await third.find('profiles', {}, { sort: { _id: 1 } })).map((d) => d._id)).toEqual(['b', 'c', 'd']);
    expect(await third.findOne('fresh', { _id: 'f' })).toEqual(doc('f', 0));
  });

  it('leaves memory and disk unchanged when the transaction fails', async () => {
    const store = open();
    await store.commit([{ collection: 'profiles', doc: doc('a', 1, { v: 'old' }) }], [{ name: 'live', position: 10 }]);
    const before = await snapshot(store, ['profiles', 'new'], 'live');

    // The checkpoints table only takes integer positions: the documents are written, then the transaction fails.
    const failing = store.commit(
      [
        { collection: 'profiles', doc: doc('a', 2, { v: 'new' }) },
        { collection: 'profiles', doc: doc('b', 0) },
        { collection: 'new', doc: doc('n', 0) },
      ],
      [{ name: 'live', position: 10.5 }],
    );
    // By message: the native addon's SqliteError belongs to the first test file's realm under jest.
    await expect(failing).rejects.toMatchObject({ message: expect.stringMatching(/CHECK constraint/) });
    expect(await snapshot(store, ['profiles', 'new'], 'live')).toEqual(before);

    await store.close();
    const reopened = open();
    expect(await snapshot(reopened, ['profiles', 'new'], 'live')).toEqual(before);
    expect(await reopened.commit([{ collection: 'new', doc: doc('n', 0) }], [{ name: 'live', position: 11 }])).toEqual({ applied: 1, skipped: 0 });
    expect(await reopened.find('new', {})).toEqual([doc('n', 0)]);
  });

  it('rejects a document that cannot be serialised, before writing anything', async () => {
    const store = open();
    await store.commit([{ collection: 'profiles', doc: doc('a', 1) }]);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(store.commit([{ collection: 'profiles', doc: doc('a', 2) }, { collection: 'profiles', doc: doc('b', 0, { circular }) }])).rejects.toThrow(
      /circular/i,
    );
    await expect(store.commit([{ collection: 'profiles', doc: doc('c', 0, { n: 10n }) }])).rejects.toThrow(/BigInt/);
    await expect(store.commit([{ collection: 'profiles', doc: { _id: 7, revision: 0 } as unknown as Document }])).rejects.toThrow(TypeError);
    expect(await store.find('profiles', {})).toEqual([doc('a', 1)]);
  });

  it('refuses calls after close', async () => {
    const store = open();
    await store.close();
    await expect(store.commit([{ collection: 'profiles', doc: doc('a', 0) }])).rejects.toThrow(/closed/);
    await expect(store.findOne('profiles', { _id: 'a' })).rejects.toThrow(/closed/);
  });

  it('hands out frozen documents', async () => {
    const store = open();
    await store.commit([{ collection: 'profiles', doc: doc('a', 0, { tags: ['x'] }) }]);
    const found = (await store.findOne('profiles', { _id: 'a' }))!;
    expect(() => (found.revision = 5)).toThrow(TypeError);
    expect(() => (found.tags as string[]).push('y')).toThrow(TypeError);
  });

  it('keeps the sorted _id order right through inserts, replaces, renames and drops', async () => {
    const store = open();
    const ids = async (c: string, filter = {}, dir: 1 | -1 = 1) => (await store.find(c, filter, { sort: { _id: dir } })).map((d) => d._id);
    const insert = (c: string, list: string[], revision = 0) => store.commit(list.map((id) => ({ collection: c, doc: doc(id, revision) })));

    await insert('a', ['m', 'c', 'x']);
    expect(await ids('a')).toEqual(['c', 'm', 'x']);
    await insert('a', ['a', 'n', 'z', 'c']);
    await insert('a', ['m', 'x'], 5);
    expect(await ids('a')).toEqual(['a', 'c', 'm', 'n', 'x', 'z']);
    expect(await ids('a', {}, -1)).toEqual(['z', 'x', 'n', 'm', 'c', 'a']);
    expect(await ids('a', { _id: { $gt: 'c', $lt: 'x' } })).toEqual(['m', 'n']);
    expect(await ids('a', { _id: { $gte: 'c', $lte: 'x' } }, -1)).toEqual(['x', 'n', 'm', 'c']);

    await insert('b', ['q', 'b']);
    await store.renameCollection('a', 'b');
    expect(await ids('b')).toEqual(['a', 'c', 'm', 'n', 'x', 'z']);
    expect(await ids('a')).toEqual([]);
    await insert('b', ['0', 'zz', 'd']);
    expect(await ids('b')).toEqual(['0', 'a', 'c', 'd', 'm', 'n', 'x', 'z', 'zz']);

    await store.dropCollection('b');
    await insert('b', ['k']);
    expect(await ids('b')).toEqual(['k']);
  });
});

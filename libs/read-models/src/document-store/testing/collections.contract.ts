import type { Document } from '../document-store.port';
import { doc, ids, put, scratch, type StoreRef } from './contract-helpers';

function attempt(mutate: () => void): void {
  try {
    mutate();
  } catch {
    // An adapter may hand out frozen documents: refusing the mutation is as good as ignoring it.
  }
}

export function describeCollectionsContract(store: StoreRef): void {
  describe('collections', () => {
    const names = scratch(store);

    it('renames a collection over an existing one, replacing all of its documents', async () => {
      const [from, to] = [names.collection(), names.collection()];
      await put(store(), to, [doc('old-1', 0), doc('old-2', 0), doc('kept-id', 9, { v: 'old' })]);
      await put(store(), from, [doc('kept-id', 1, { v: 'new' }), doc('new-1', 0)]);

      await store().renameCollection(from, to);

      expect(await store().find(to, {}, { sort: { _id: 1 } })).toEqual([doc('kept-id', 1, { v: 'new' }), doc('new-1', 0)]);
      expect(await store().count(from, {})).toBe(0);
      expect(await store().findOne(from, { _id: 'new-1' })).toBeNull();
    });

    it('renames onto a name that does not exist yet', async () => {
      const [from, to] = [names.collection(), names.collection()];
      await put(store(), from, [doc('a', 0)]);
      await store().renameCollection(from, to);
      expect(ids(await store().find(to, {}))).toEqual(['a']);
      expect(await store().count(from, {})).toBe(0);
    });

    it('leaves the target empty when the source does not exist', async () => {
      const [from, to] = [names.collection(), names.collection()];
      await put(store(), to, [doc('a', 0)]);
      await store().renameCollection(from, to);
      expect(await store().count(to, {})).toBe(0);
    });

    it('keeps the revision rule on a renamed collection', async () => {
      const [from, to] = [names.collection(), names.collection()];
      await put(store(), from, [doc('a', 3)]);
      await store().renameCollection(from, to);
      expect(await store().commit([{ collection: to, doc: doc('a', 2) }])).toEqual({ applied: 0, skipped: 1 });
      expect(await store().commit([{ collection: from, doc: doc('a', 0) }])).toEqual({ applied: 1, skipped: 0 });
    });

    it('drops a collection, and a missing one without complaint', async () => {
      const c = names.collection();
      await put(store(), c, [doc('a', 0), doc('b', 0)]);
      await store().dropCollection(c);
      expect(await store().count(c, {})).toBe(0);
      expect(await store().findOne(c, { _id: 'a' })).toBeNull();
      await store().dropCollection(names.collection());
      expect(await store().commit([{ collection: c, doc: doc('a', 0) }])).toEqual({ applied: 1, skipped: 0 });
    });

    it('round-trips nested objects, arrays, null, numbers and unicode', async () => {
      const c = names.collection();
      const original = doc('round-trip', 3, {
        nested: { a: { b: [1, 'two', null, { c: true }, [3, [4]]] } },
        empty: {},
        emptyList: [],
        nothing: null,
        int: 42,
        negative: -7,
        float: 1.25,
        big: 2 ** 40,
        zero: 0,
        flag: false,
        text: 'Grüße, 客户分级, 😀, "quoted" \\ back\nslash',
      });
      await put(store(), c, [{ ...original, gone: undefined }]);
      const found = await store().findOne(c, { _id: 'round-trip' });
      expect(found).toEqual(original);
      expect(found && 'gone' in found).toBe(false);
      expect(await store().find(c, { text: original.text })).toEqual([original]);
    });

    it('keeps stored state when a returned document is mutated', async () => {
      const c = names.collection();
      const original = doc('m', 0, { name: 'Ada', tags: ['a'], nested: { list: [1] } });
      await put(store(), c, [original]);
      const one = (await store().findOne<Document & typeof original>(c, { _id: 'm' }))!;
      attempt(() => (one.name = 'changed'));
      attempt(() => (one.tags as string[]).push('b'));
      attempt(() => ((one.nested as { list: number[] }).list[0] = 99));
      const [many] = await store().find(c, {});
      attempt(() => delete many.name);
      const [projected] = await store().find(c, {}, { projection: { nested: 1 } });
      attempt(() => (projected.nested as { list: number[] }).list.push(2));
      expect(await store().findOne(c, { _id: 'm' })).toEqual(doc('m', 0, { name: 'Ada', tags: ['a'], nested: { list: [1] } }));
    });

    it('keeps stored state when the committed object is changed afterwards (frozen or copied)', async () => {
      const c = names.collection();
      const written = doc('w', 0, { tags: ['a'], nested: { n: 1 } });
      await put(store(), c, [written]);
      const attempt = (change: () => void) => {
        try {
          change();
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      };
      attempt(() => (written.extra = true));
      attempt(() => (written.tags as string[]).push('b'));
      attempt(() => ((written.nested as { n: number }).n = 2));
      expect(await store().findOne(c, { _id: 'w' })).toEqual(doc('w', 0, { tags: ['a'], nested: { n: 1 } }));
    });
  });
}

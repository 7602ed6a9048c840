import { doc, put, scratch, type StoreRef } from './contract-helpers';

export function describeCommitContract(store: StoreRef): void {
  describe('commit', () => {
    const names = scratch(store);

    it('inserts new documents', async () => {
      const c = names.collection();
      const result = await store().commit([
        { collection: c, doc: doc('a', 0, { name: 'Ada' }) },
        { collection: c, doc: doc('b', 3, { name: 'Bo' }) },
      ]);
      expect(result).toEqual({ applied: 2, skipped: 0 });
      expect(await store().findOne(c, { _id: 'a' })).toEqual(doc('a', 0, { name: 'Ada' }));
      expect(await store().findOne(c, { _id: 'b' })).toEqual(doc('b', 3, { name: 'Bo' }));
    });

    it('replaces the whole document when the revision is higher', async () => {
      const c = names.collection();
      await put(store(), c, [doc('a', 1, { name: 'Ada', old: true })]);
      const result = await store().commit([{ collection: c, doc: doc('a', 2, { name: 'Ada L.' }) }]);
      expect(result).toEqual({ applied: 1, skipped: 0 });
      expect(await store().findOne(c, { _id: 'a' })).toEqual(doc('a', 2, { name: 'Ada L.' }));
    });

    it('skips a write whose revision is equal or lower than the stored one', async () => {
      const c = names.collection();
      await put(store(), c, [doc('a', 5, { v: 'stored' })]);
      const result = await store().commit([
        { collection: c, doc: doc('a', 5, { v: 'same revision' }) },
        { collection: c, doc: doc('a', 2, { v: 'older' }) },
      ]);
      expect(result).toEqual({ applied: 0, skipped: 2 });
      expect(await store().findOne(c, { _id: 'a' })).toEqual(doc('a', 5, { v: 'stored' }));
    });

    it('treats replaying the same commit as a no-op', async () => {
      const c = names.collection();
      const writes = [doc('a', 0, { n: 1 }), doc('b', 4, { n: 2 }), doc('c', 1, { n: 3 })].map((d) => ({ collection: c, doc: d }));
      expect(await store().commit(writes)).toEqual({ applied: 3, skipped: 0 });
      const before = await store().find(c, {}, { sort: { _id: 1 } });
      expect(await store().commit(writes)).toEqual({ applied: 0, skipped: 3 });
      expect(await store().find(c, {}, { sort: { _id: 1 } })).toEqual(before);
    });

    it('applies the newer writes of a mixed batch and skips the stale ones', async () => {
      const c = names.collection();
      await put(store(), c, [doc('a', 3), doc('b', 3)]);
      const result = await store().commit([
        { collection: c, doc: doc('a', 4, { v: 'new' }) },
        { collection: c, doc: doc('b', 1, { v: 'stale' }) },
        { collection: c, doc: doc('c', 0, { v: 'inserted' }) },
        { collection: c, doc: doc('b', 3, { v: 'duplicate' }) },
      ]);
      expect(result).toEqual({ applied: 2, skipped: 2 });
      expect(await store().find(c, {}, { sort: { _id: 1 } })).toEqual([doc('a', 4, { v: 'new' }), doc('b', 3), doc('c', 0, { v: 'inserted' })]);
    });

    it('writes to several collections in one commit', async () => {
      const [c1, c2] = [names.collection(), names.collection()];
      const result = await store().commit([
        { collection: c1, doc: doc('x', 0, { in: 1 }) },
        { collection: c2, doc: doc('x', 7, { in: 2 }) },
      ]);
      expect(result).toEqual({ applied: 2, skipped: 0 });
      expect(await store().findOne(c1, { _id: 'x' })).toEqual(doc('x', 0, { in: 1 }));
      expect(await store().findOne(c2, { _id: 'x' })).toEqual(doc('x', 7, { in: 2 }));
    });

    it('gives each of several concurrent commits its own outcome and checkpoint', async () => {
      const [c, other, cpA, cpB, cpC] = [names.collection(), names.collection(), names.checkpoint(), names.checkpoint(), names.checkpoint()];
      await put(store(), c, [doc('a', 5)]);
      const [a, b, cOnly] = await Promise.all([
        store().commit(
          [
            { collection: c, doc: doc('a', 4, { v: 'stale' }) },
            { collection: other, doc: doc('a', 0) },
          ],
          [{ name: cpA, position: 10 }],
        ),
        store().commit([{ collection: c, doc: doc('b', 0, { v: 'new' }) }], [{ name: cpB, position: 11 }]),
        store().commit([], [{ name: cpC, position: 12 }]),
      ]);
      expect([a, b, cOnly]).toEqual([
        { applied: 1, skipped: 1 },
        { applied: 1, skipped: 0 },
        { applied: 0, skipped: 0 },
      ]);
      expect(await store().find(c, {}, { sort: { _id: 1 } })).toEqual([doc('a', 5), doc('b', 0, { v: 'new' })]);
      expect(await store().findOne(other, { _id: 'a' })).toEqual(doc('a', 0));
      expect(await Promise.all([cpA, cpB, cpC].map((cp) => store().readCheckpoint(cp)))).toEqual([10, 11, 12]);
    });

    it('accepts an empty commit', async () => {
      expect(await store().commit([])).toEqual({ applied: 0, skipped: 0 });
    });
  });

  describe('checkpoints', () => {
    const names = scratch(store);

    it('reads null for a checkpoint never written', async () => {
      expect(await store().readCheckpoint(names.checkpoint())).toBeNull();
    });

    it('writes checkpoints with the commit, advances and deletes them', async () => {
      const [c, cp, other] = [names.collection(), names.checkpoint(), names.checkpoint()];
      await store().commit([{ collection: c, doc: doc('a', 0) }], [{ name: cp, position: 17 }]);
      expect(await store().readCheckpoint(cp)).toBe(17);

      await store().commit(
        [{ collection: c, doc: doc('a', 1) }],
        [
          { name: cp, position: 42 },
          { name: other, position: 3 },
        ],
      );
      expect(await store().readCheckpoint(cp)).toBe(42);
      expect(await store().readCheckpoint(other)).toBe(3);

      await store().deleteCheckpoint(cp);
      expect(await store().readCheckpoint(cp)).toBeNull();
      expect(await store().readCheckpoint(other)).toBe(3);
    });

    it('writes the checkpoint even when every write was skipped, or there were none', async () => {
      const [c, cp] = [names.collection(), names.checkpoint()];
      await put(store(), c, [doc('a', 9)]);
      await store().commit([{ collection: c, doc: doc('a', 9) }], [{ name: cp, position: 100 }]);
      expect(await store().readCheckpoint(cp)).toBe(100);
      await store().commit([], [{ name: cp, position: 101 }]);
      expect(await store().readCheckpoint(cp)).toBe(101);
    });

    it('deletes a checkpoint that does not exist without complaint', async () => {
      const cp = names.checkpoint();
      await store().deleteCheckpoint(cp);
      expect(await store().readCheckpoint(cp)).toBeNull();
    });
  });
}

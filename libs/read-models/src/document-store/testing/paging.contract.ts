import type { Document, Filter } from '../document-store.port';
import { doc, ids, put, scratch, type StoreRef } from './contract-helpers';

const COUNT = 250;

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function describePagingContract(store: StoreRef): void {
  describe('cursor paging', () => {
    const names = scratch(store, 'afterAll');
    let c: string;
    let all: string[];
    beforeAll(async () => {
      c = names.collection();
      all = Array.from({ length: COUNT }, (_, i) => `p${String(i).padStart(3, '0')}`);
      const docs = all.map((id, i) => doc(id, i % 3, { parity: i % 2 === 0 ? 'even' : 'odd', i }));
      await put(store(), c, shuffled(docs));
    });

    async function pages(filter: Filter, limit: number, direction: 1 | -1): Promise<string[][]> {
      const result: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const cursor = after === undefined ? {} : { _id: direction === 1 ? { $gt: after } : { $lt: after } };
        const page: Document[] = await store().find(c, { ...filter, ...cursor }, { sort: { _id: direction }, limit });
        if (page.length === 0) return result;
        result.push(ids(page));
        after = page[page.length - 1]._id;
      }
    }

    it('returns every document once, in order, in pages of 100', async () => {
      const result = await pages({}, 100, 1);
      expect(result.map((p) => p.length)).toEqual([100, 100, 50]);
      expect(result.flat()).toEqual(all);
    });

    it('pages backwards with $lt and a descending sort', async () => {
      const result = await pages({}, 100, -1);
      expect(result.flat()).toEqual([...all].reverse());
    });

    it('pages through a filter', async () => {
      const result = await pages({ parity: 'even' }, 40, 1);
      expect(result.map((p) => p.length)).toEqual([40, 40, 40, 5]);
      expect(result.flat()).toEqual(all.filter((_, i) => i % 2 === 0));
    });

    it('sees documents inserted between pages', async () => {
      const own = names.collection();
      await put(store(), own, ['k1', 'k3', 'k5', 'k7'].map((id) => doc(id, 0)));
      const first = await store().find(own, {}, { sort: { _id: 1 }, limit: 2 });
      await put(store(), own, ['k0', 'k4', 'k9'].map((id) => doc(id, 0)));
      const next = await store().find(own, { _id: { $gt: first[1]._id } }, { sort: { _id: 1 }, limit: 10 });
      expect(ids(first)).toEqual(['k1', 'k3']);
      expect(ids(next)).toEqual(['k4', 'k5', 'k7', 'k9']);
    });
  });
}
